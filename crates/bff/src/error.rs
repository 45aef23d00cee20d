//! The one error type of the BFF, rendered in upstream's error shape so the app decodes one format.

use admin_api::ApiError;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// The code of a write that was never sent (upstream could not be connected to).
pub const UNREACHABLE: &str = "upstream_unreachable";
/// The code of a write that was sent but never answered.
pub const OUTCOME_UNKNOWN: &str = "outcome_unknown";

/// An error answer: status plus upstream-shaped body. 5xx details are logged, never returned.
#[derive(Debug)]
pub struct AppError {
    pub status: StatusCode,
    pub error: ApiError,
    /// Seconds for a `Retry-After` header.
    pub retry_after: Option<u64>,
}

impl AppError {
    /// 401: no valid session.
    pub fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "You are not signed in, or your session has expired.",
            "unauthenticated",
        )
    }

    /// 401 with a reason (bad credentials).
    pub fn new_unauthorized(message: &str, code: &str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, message, code)
    }

    /// 429 after repeated failed sign-ins, saying how long to wait.
    pub fn too_many_sign_ins(wait: std::time::Duration) -> Self {
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        Self::too_many(
            &format!("Too many failed sign-ins. Try again in {seconds} seconds."),
            "too_many_sign_ins",
            wait,
        )
    }

    /// 429 when the bounded number of password checks are all running.
    pub fn sign_in_busy() -> Self {
        let mut error = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "Gatehouse is checking many sign-ins just now. Try again in a second.",
            "sign_in_busy",
        );
        error.retry_after = Some(1);
        error
    }

    /// Any status with a reason and a code.
    pub fn with_status(status: StatusCode, message: &str, code: &str) -> Self {
        Self::new(status, message, code)
    }

    /// 429 with `Retry-After` (whole seconds, at least one).
    pub fn too_many(message: &str, code: &str, wait: std::time::Duration) -> Self {
        let mut error = Self::new(StatusCode::TOO_MANY_REQUESTS, message, code);
        error.retry_after = Some((wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1));
        error
    }

    /// 403 with a reason.
    pub fn forbidden(message: &str, code: &str) -> Self {
        Self::new(StatusCode::FORBIDDEN, message, code)
    }

    /// 404 for anything under `/api` that is not an allowed operation. Never forwarded.
    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "Gatehouse has no such API route.",
            "unknown_route",
        )
    }

    /// 502: upstream could not be used; `detail` goes to the log only.
    pub fn bad_gateway(message: &str, detail: &dyn std::fmt::Display) -> Self {
        tracing::error!(%detail, "{message}");
        Self::new(StatusCode::BAD_GATEWAY, message, "upstream_error").server_error()
    }

    /// 502: upstream could not be connected to, so nothing was sent; `detail` goes to the log.
    pub fn unreachable(detail: &dyn std::fmt::Display) -> Self {
        tracing::error!(%detail, "OpenAI could not be reached");
        Self::new(
            StatusCode::BAD_GATEWAY,
            "OpenAI could not be reached, so nothing was sent. It is safe to retry.",
            UNREACHABLE,
        )
        .server_error()
    }

    /// 504: a write was sent but its answer never came (a timeout, a connection reset), so it
    /// may or may not have been made; `detail` goes to the log.
    pub fn outcome_unknown(detail: &dyn std::fmt::Display) -> Self {
        tracing::error!(%detail, "a write was sent to OpenAI but its answer never came");
        Self::new(
            StatusCode::GATEWAY_TIMEOUT,
            "OpenAI did not answer, so Gatehouse cannot tell whether this change was made. \
             Check the audit log for it before retrying.",
            OUTCOME_UNKNOWN,
        )
        .server_error()
    }

    /// The error's code, such as `outcome_unknown`.
    pub fn code(&self) -> Option<&str> {
        self.error.code.as_deref()
    }

    /// 500: something broke here; `detail` goes to the log only.
    pub fn internal(detail: &dyn std::fmt::Display) -> Self {
        tracing::error!(%detail, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Gatehouse hit an internal error. It has been logged.",
            "internal_error",
        )
        .server_error()
    }

    fn new(status: StatusCode, message: &str, code: &str) -> Self {
        Self {
            status,
            error: ApiError::invalid_request(message, None).with_code(code),
            retry_after: None,
        }
    }

    fn server_error(mut self) -> Self {
        "server_error".clone_into(&mut self.error.kind);
        self
    }
}

impl From<ApiError> for AppError {
    fn from(error: ApiError) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            error,
            retry_after: None,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.error.into_response_body())).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}
