//! Failures rendered in upstream's status codes and error shape.

use admin_api::ApiError;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// An error response: a status code and upstream's error body.
#[derive(Debug)]
pub struct Failure {
    pub status: StatusCode,
    pub error: ApiError,
}

impl Failure {
    /// 400 for input upstream would refuse.
    pub fn bad_request(error: ApiError) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            error,
        }
    }

    /// 404 for an id that names nothing.
    pub fn not_found(message: String, param: &str) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            error: ApiError::invalid_request(message, Some(param)),
        }
    }
}

impl From<ApiError> for Failure {
    fn from(error: ApiError) -> Self {
        Self::bad_request(error)
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        (self.status, Json(self.error.into_response_body())).into_response()
    }
}

/// Any path the API does not have.
pub async fn unknown_route(method: axum::http::Method, uri: axum::http::Uri) -> Failure {
    Failure {
        status: StatusCode::NOT_FOUND,
        error: ApiError::invalid_request(format!("Invalid URL ({method} {})", uri.path()), None),
    }
}
