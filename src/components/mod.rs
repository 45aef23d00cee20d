//! Shared building blocks: dialogs, notices, toasts and pagers. Each lives once, here.

mod dialog;
mod notice;
mod pager;
mod toast;

pub use dialog::Modal;
pub use notice::{ErrorNotice, FormError};
pub use pager::{CursorTrail, Pager};
pub use toast::{Toast, ToastRegion, Toasts};
