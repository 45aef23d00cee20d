//! `/organization/projects/{project_id}/api_keys`: list (by owner access), retrieve, delete.
//! A key that belongs to a service account is deleted with its account, not here, as upstream.

use admin_api::api_keys::{ListApiKeysQuery, ProjectApiKey};
use admin_api::query::QueryPairs;
use admin_api::{ApiError, Deleted, ListPage, ids};
use axum::extract::{Path, RawQuery, State};
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde_json::json;

use crate::org::{Caller, ProjectRecord};
use crate::{Failure, Sandbox, paging};

/// The project API-key routes.
pub fn router() -> Router<Sandbox> {
    Router::new()
        .route(
            "/organization/projects/{project_id}/api_keys",
            get(list_api_keys),
        )
        .route(
            "/organization/projects/{project_id}/api_keys/{api_key_id}",
            get(retrieve_api_key).delete(delete_api_key),
        )
}

async fn list_api_keys(
    State(sandbox): State<Sandbox>,
    Path(project_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<ListPage<ProjectApiKey>>, Failure> {
    ids::project_id(&project_id)?;
    let query = ListApiKeysQuery::take_from(&mut QueryPairs::parse(raw.as_deref()))?;
    sandbox
        .read(|org| {
            let record = org.project(&project_id)?;
            let matching = record.api_keys.iter().filter(|k| {
                query
                    .owner_project_access
                    .as_ref()
                    .is_none_or(|a| *a == k.owner_project_access)
            });
            paging::page(matching, &query.paging, |k| &k.id)
        })
        .map(Json)
}

async fn retrieve_api_key(
    State(sandbox): State<Sandbox>,
    Path((project_id, key_id)): Path<(String, String)>,
) -> Result<Json<ProjectApiKey>, Failure> {
    ids::project_id(&project_id)?;
    ids::api_key_id(&key_id)?;
    sandbox
        .read(|org| {
            let record = org.project(&project_id)?;
            find(record, &key_id).map(|i| record.api_keys[i].clone())
        })
        .map(Json)
}

async fn delete_api_key(
    State(sandbox): State<Sandbox>,
    Extension(caller): Extension<Caller>,
    Path((project_id, key_id)): Path<(String, String)>,
) -> Result<Json<Deleted>, Failure> {
    ids::project_id(&project_id)?;
    ids::api_key_id(&key_id)?;
    sandbox
        .write(|org| {
            let record = org.project_mut(&project_id)?;
            let index = find(record, &key_id)?;
            if record.api_keys[index].owner.kind == "service_account" {
                return Err(Failure::bad_request(ApiError::invalid_request(
                    "This key belongs to a service account. Delete the service account to remove it.",
                    Some("api_key_id"),
                )));
            }
            record.api_keys.remove(index);
            let scope = record.scope();
            org.record(&caller, "api_key.deleted", json!({"id": key_id}), Some(scope));
            Ok(Deleted::new("organization.project.api_key.deleted", &key_id))
        })
        .map(Json)
}

fn find(record: &ProjectRecord, key_id: &str) -> Result<usize, Failure> {
    record
        .api_keys
        .iter()
        .position(|k| k.id == key_id)
        .ok_or_else(|| Failure::not_found(format!("No such API key: '{key_id}'."), "api_key_id"))
}
