//! `/organization/admin_api_keys`: list (`order`), create (the value is returned once and then
//! kept only so that the new key can call the API), retrieve, delete.

use admin_api::admin_api_keys::{
    AdminApiKey, AdminApiKeyCreate, AdminApiKeyCreated, AdminApiKeyOwner, ListAdminKeysQuery,
};
use admin_api::api_keys::redact;
use admin_api::query::QueryPairs;
use admin_api::{Deleted, ListPage, ids};
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde_json::json;

use crate::org::Caller;
use crate::{Failure, Org, Sandbox, paging};

/// The admin-key routes.
pub fn router() -> Router<Sandbox> {
    Router::new()
        .route(
            "/organization/admin_api_keys",
            get(list_admin_keys).post(create_admin_key),
        )
        .route(
            "/organization/admin_api_keys/{key_id}",
            get(retrieve_admin_key).delete(delete_admin_key),
        )
}

async fn list_admin_keys(
    State(sandbox): State<Sandbox>,
    RawQuery(raw): RawQuery,
) -> Result<Json<ListPage<AdminApiKey>>, Failure> {
    let query = ListAdminKeysQuery::take_from(&mut QueryPairs::parse(raw.as_deref()))?;
    sandbox
        .read(|org| {
            let keys: Vec<&AdminApiKey> = if query.descending {
                org.admin_keys.iter().rev().collect()
            } else {
                org.admin_keys.iter().collect()
            };
            paging::page(keys.into_iter(), &query.paging, |k| &k.id)
        })
        .map(Json)
}

async fn retrieve_admin_key(
    State(sandbox): State<Sandbox>,
    Path(key_id): Path<String>,
) -> Result<Json<AdminApiKey>, Failure> {
    ids::admin_key_id(&key_id)?;
    sandbox
        .read(|org| find(org, &key_id).map(|i| org.admin_keys[i].clone()))
        .map(Json)
}

async fn create_admin_key(
    State(sandbox): State<Sandbox>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Result<Json<AdminApiKeyCreated>, Failure> {
    let body: AdminApiKeyCreate = admin_api::body::parse(&body, AdminApiKeyCreate::FIELDS)?;
    body.validate()?;
    sandbox
        .write(|org| {
            let owner = org
                .admin_keys
                .iter()
                .find(|k| k.id == caller.key_id)
                .map(|k| k.owner.clone())
                .ok_or_else(|| {
                    Failure::not_found("The calling key no longer exists.".into(), "key_id")
                })?;
            let value = format!("sk-admin-{}", org.random_chars(56));
            let at = org.now();
            let key = new_key(
                org,
                body.name.trim(),
                &value,
                owner,
                at,
                body.expires_in_seconds.map(|s| at + s),
            );
            org.record(
                &caller,
                "api_key.created",
                json!({"id": key.id, "data": {"scopes": ["api.organization.admin"]}}),
                None,
            );
            Ok(AdminApiKeyCreated { key, value })
        })
        .map(Json)
}

async fn delete_admin_key(
    State(sandbox): State<Sandbox>,
    Extension(caller): Extension<Caller>,
    Path(key_id): Path<String>,
) -> Result<Json<Deleted>, Failure> {
    ids::admin_key_id(&key_id)?;
    sandbox
        .write(|org| {
            let index = find(org, &key_id)?;
            org.admin_keys.remove(index);
            // A deleted key can no longer call the API, the caller's own included.
            org.admin_key_values.retain(|_, id| *id != key_id);
            org.record(&caller, "api_key.deleted", json!({"id": key_id}), None);
            Ok(Deleted::new("organization.admin_api_key.deleted", &key_id))
        })
        .map(Json)
}

/// Adds an admin key that can call the API with `value`.
pub(crate) fn new_key(
    org: &mut Org,
    name: &str,
    value: &str,
    owner: AdminApiKeyOwner,
    created_at: i64,
    expires_at: Option<i64>,
) -> AdminApiKey {
    let key = AdminApiKey {
        object: "organization.admin_api_key".into(),
        id: org.new_id("key_"),
        name: Some(name.to_owned()),
        redacted_value: redact("sk-admin-", value),
        created_at,
        expires_at,
        last_used_at: None,
        owner,
    };
    org.admin_keys.push(key.clone());
    org.admin_key_values
        .insert(value.to_owned(), key.id.clone());
    key
}

fn find(org: &Org, key_id: &str) -> Result<usize, Failure> {
    org.admin_keys
        .iter()
        .position(|k| k.id == key_id)
        .ok_or_else(|| Failure::not_found(format!("No such admin API key: '{key_id}'."), "key_id"))
}
