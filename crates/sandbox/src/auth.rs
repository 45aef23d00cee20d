//! The admin-key check in front of every emulated path, with upstream's 401 wording. A key
//! passes while it exists among the organization's admin keys; deleting it locks it out.

use admin_api::ApiError;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::org::Caller;
use crate::{Failure, Sandbox};

/// Lets a request through only with `Authorization: Bearer <an admin key of the org>`, and hands
/// the handlers the calling key as a [`Caller`].
pub async fn require_admin_key(
    State(sandbox): State<Sandbox>,
    mut request: Request,
    next: Next,
) -> Response {
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .map(str::to_owned);
    let Some(key) = presented else {
        return unauthorized(ApiError::invalid_request(
            "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
            None,
        ));
    };
    match sandbox.read(|org| org.key_for_secret(&key)) {
        Some(key_id) => {
            sandbox.key_used(&key_id);
            request.extensions_mut().insert(Caller { key_id });
            next.run(request).await
        }
        None => unauthorized(
            ApiError::invalid_request(
                format!(
                    "Incorrect API key provided: {}. You can find your API key at https://platform.openai.com/account/api-keys.",
                    redact(&key)
                ),
                None,
            )
            .with_code("invalid_api_key"),
        ),
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
