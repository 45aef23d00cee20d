//! One module per page.

mod admin_keys;
mod audit_log;
mod histogram;
mod invites;
mod journal;
mod lookups;
mod not_built;
mod project;
mod projects;
mod sign_in;
mod timeline;
mod tokens;
mod users;
mod writes;

pub use admin_keys::{AdminKeysPage, AdminKeysTable};
pub use audit_log::{AuditEventPage, AuditLogPage, EventBody, TypePicker};
pub use histogram::{ActivityChart, HistogramChart, bucket_for, coverage_line};
pub use invites::{InviteForm, InvitesPage, InvitesTable};
pub use journal::{JournalPage, JournalTable};
pub use not_built::NotFound;
pub use project::{
    ApiKeysTab, MembersTab, MembersTable, ProjectPage, RateLimitsTab, RateLimitsTable,
    ServiceAccountsTab, rate_limit_update,
};
pub use projects::{ProjectActions, ProjectsPage, ProjectsTable};
pub use sign_in::SignInPage;
pub use timeline::{DAY_ROW, EVENT_ROW, Timeline};
pub use tokens::{TokensPage, TokensTable};
pub use users::{UsersPage, UsersTable};
