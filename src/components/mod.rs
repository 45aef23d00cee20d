//! Shared building blocks: the one loader and the one write, the list frame, dialogs, notices,
//! toasts and pagers. Each lives once, here.

mod confirm;
mod dialog;
mod listing;
mod load;
mod notice;
mod pager;
mod progress;
mod secret;
mod theme;
mod toast;
mod write;

pub use confirm::{ConfirmDialog, TextDialog};
pub use dialog::Modal;
pub use listing::{Listing, ListingStatus, Paged, PagedList};
pub use load::Load;
pub use notice::{ErrorNotice, FormError, RECENT_AUDIT_LOG};
pub use pager::{CursorTrail, Pager, page_summary};
pub use progress::{Outcome, RunItem, RunProgress, run_summary};
pub use secret::{Secret, SecretDialog, SecretRegion, SecretSlot};
pub use theme::{ThemePicker, restore as theme_restore};
pub use toast::{Toast, ToastRegion, Toasts};
pub use write::{SubmitButton, Write};
