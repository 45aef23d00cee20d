//! `/healthz` (the process is alive) and `/readyz` (upstream answers and accepts the key), for
//! load balancers and orchestrators. Neither needs a session; neither says more than a word.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::AppState;
use crate::upstream::Readiness;

/// The health routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let (status, upstream) = match state.upstream.readiness().await {
        Readiness::Ready => (StatusCode::OK, "ok"),
        Readiness::KeyRejected => (StatusCode::SERVICE_UNAVAILABLE, "admin key rejected"),
        Readiness::Unreachable => (StatusCode::SERVICE_UNAVAILABLE, "unreachable"),
        Readiness::Failing => (StatusCode::SERVICE_UNAVAILABLE, "failing"),
    };
    let ready = if status.is_success() {
        "ready"
    } else {
        "not ready"
    };
    (status, Json(json!({"status": ready, "upstream": upstream})))
}
