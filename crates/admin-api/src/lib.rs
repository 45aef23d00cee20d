//! Types of the OpenAI organization Admin and Audit Logs API, shared by the app, the sandbox and the BFF.
//!
//! Each resource has one module, named as in the other three parts of Gatehouse. Shared mechanics
//! (the error shape, list pages, query strings, id patterns) live in their own modules.

pub mod access;
pub mod admin_api_keys;
pub mod api_keys;
pub mod audit_logs;
pub mod audit_sentences;
pub mod body;
pub mod deleted;
pub mod error;
pub mod groups;
pub mod ids;
pub mod invites;
pub mod list;
pub mod project_groups;
pub mod project_users;
pub mod projects;
pub mod query;
pub mod rate_limits;
pub mod roles;
pub mod service_accounts;
pub mod users;
pub mod validate;

pub use deleted::Deleted;
pub use error::{ApiError, ErrorResponse};
pub use list::{CursorPage, ListPage};
