//! `/organization/projects/{project_id}/rate_limits`: list (both cursor directions) and update.

use admin_api::query::QueryPairs;
use admin_api::rate_limits::{ListRateLimitsQuery, ProjectRateLimit, RateLimitUpdate};
use admin_api::{ApiError, ListPage, ids};
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde_json::json;

use crate::org::Caller;
use crate::{Failure, Sandbox, paging};

/// The rate-limit routes.
pub fn router() -> Router<Sandbox> {
    Router::new()
        .route(
            "/organization/projects/{project_id}/rate_limits",
            get(list_rate_limits),
        )
        .route(
            "/organization/projects/{project_id}/rate_limits/{rate_limit_id}",
            post(update_rate_limit),
        )
}

/// The limits every new project starts with: (model, requests/min, tokens/min, images/min).
const DEFAULTS: &[(&str, i64, i64, Option<i64>)] = &[
    ("gpt-4o", 5_000, 800_000, None),
    ("gpt-4o-mini", 10_000, 2_000_000, None),
    ("o3-mini", 5_000, 4_000_000, None),
    ("text-embedding-3-small", 5_000, 5_000_000, None),
    ("dall-e-3", 500, 0, Some(50)),
    ("whisper-1", 500, 0, None),
];

/// The default limits of a new project.
pub fn defaults() -> Vec<ProjectRateLimit> {
    DEFAULTS
        .iter()
        .map(|(model, requests, tokens, images)| ProjectRateLimit {
            object: "project.rate_limit".into(),
            id: format!("rl-{model}"),
            model: (*model).to_owned(),
            max_requests_per_1_minute: *requests,
            max_tokens_per_1_minute: *tokens,
            max_images_per_1_minute: *images,
            max_audio_megabytes_per_1_minute: None,
            max_requests_per_1_day: Some(requests * 1_000),
            batch_1_day_max_input_tokens: (*tokens > 0).then_some(tokens * 100),
        })
        .collect()
}

async fn list_rate_limits(
    State(sandbox): State<Sandbox>,
    Path(project_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<ListPage<ProjectRateLimit>>, Failure> {
    ids::project_id(&project_id)?;
    let query = ListRateLimitsQuery::take_from(&mut QueryPairs::parse(raw.as_deref()))?;
    let (paging, before) = (query.paging, query.before);
    sandbox
        .read(|org| {
            let limits = &org.project(&project_id)?.rate_limits;
            let Some(before) = before else {
                return paging::page(limits.iter(), &paging, |l| &l.id);
            };
            // `before` pages backwards: the `limit` entries just before the cursor.
            let end = limits.iter().position(|l| l.id == before).ok_or_else(|| {
                Failure::bad_request(ApiError::invalid_request(
                    format!("Invalid 'before': '{before}' is not in this list."),
                    Some("before"),
                ))
            })?;
            let start = end.saturating_sub(paging.limit_or_default());
            let data = limits[start..end].to_vec();
            Ok(ListPage::new(data, start > 0, |l| &l.id))
        })
        .map(Json)
}

async fn update_rate_limit(
    State(sandbox): State<Sandbox>,
    Extension(caller): Extension<Caller>,
    Path((project_id, limit_id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Json<ProjectRateLimit>, Failure> {
    ids::project_id(&project_id)?;
    ids::rate_limit_id(&limit_id)?;
    let body: RateLimitUpdate = admin_api::body::parse(&body, RateLimitUpdate::FIELDS)?;
    body.validate()?;
    sandbox
        .write(|org| {
            let record = org.project_mut(&project_id)?;
            record.ensure_active()?;
            let limit = record
                .rate_limits
                .iter_mut()
                .find(|l| l.id == limit_id)
                .ok_or_else(|| {
                    Failure::not_found(
                        format!("No such rate limit: '{limit_id}'."),
                        "rate_limit_id",
                    )
                })?;
            body.apply(limit);
            let (limit, scope) = (limit.clone(), record.scope());
            org.record(
                &caller,
                "rate_limit.updated",
                json!({"id": limit_id, "changes_requested": body}),
                Some(scope),
            );
            Ok(limit)
        })
        .map(Json)
}
