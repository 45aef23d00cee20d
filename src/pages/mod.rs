//! One module per page.

mod audit_log;
mod journal;
mod not_built;
mod sign_in;
mod timeline;
mod users;

pub use audit_log::{AuditEventPage, AuditLogPage, EventBody, TypePicker};
pub use journal::{JournalPage, JournalTable};
pub use not_built::{NotBuilt, NotFound};
pub use sign_in::SignInPage;
pub use timeline::{DAY_ROW, EVENT_ROW, Timeline};
pub use users::{UsersPage, UsersTable};
