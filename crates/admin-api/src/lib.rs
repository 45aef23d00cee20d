//! Types of the OpenAI organization Admin and Audit Logs API, shared by the app, the sandbox and the BFF.
//!
//! Each resource has one module, named as in the other three parts of Gatehouse. Shared mechanics
//! (the error shape, list pages, query strings, id patterns) live in their own modules.

pub mod audit_logs;
pub mod body;
pub mod error;
pub mod ids;
pub mod list;
pub mod query;
pub mod users;

pub use error::{ApiError, ErrorResponse};
pub use list::ListPage;
