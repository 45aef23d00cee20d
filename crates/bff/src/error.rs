//! The one error type of the BFF, rendered in upstream's error shape so the app decodes one format.

use admin_api::ApiError;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// An error answer: status plus upstream-shaped body. 5xx details are logged, never returned.
#[derive(Debug)]
pub struct AppError {
    pub status: StatusCode,
    pub error: ApiError,
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
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        (self.status, Json(self.error.into_response_body())).into_response()
    }
}
