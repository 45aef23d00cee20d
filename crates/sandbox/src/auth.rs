//! The admin-key check in front of every emulated path, with upstream's 401 wording.

use admin_api::ApiError;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::{Failure, Sandbox};

/// Lets a request through only with `Authorization: Bearer <the admin key>`.
pub async fn require_admin_key(
    State(sandbox): State<Sandbox>,
    request: Request,
    next: Next,
) -> Response {
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    match presented {
        Some(key) if key == &*sandbox.admin_key => next.run(request).await,
        Some(key) => unauthorized(ApiError::invalid_request(
            format!(
                "Incorrect API key provided: {}. You can find your API key at https://platform.openai.com/account/api-keys.",
                redact(key)
            ),
            None,
        ).with_code("invalid_api_key")),
        None => unauthorized(ApiError::invalid_request(
            "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
            None,
        )),
    }
}

fn unauthorized(error: ApiError) -> Response {
    Failure {
        status: StatusCode::UNAUTHORIZED,
        error,
    }
    .into_response()
}

/// Upstream shows the first and last characters of a wrong key.
fn redact(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() <= 10 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..6].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}***{tail}")
}
