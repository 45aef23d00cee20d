//! Gatehouse's single-page app: a portal for the OpenAI organization Admin and Audit Logs API,
//! talking only to the Gatehouse BFF.

pub mod api;
pub mod app;
pub mod components;
pub mod export;
pub mod format;
pub mod pages;

pub use app::App;
