//! `/organization/projects/{project_id}/service_accounts`: list, create (the key's value is
//! returned this once and never stored), retrieve, update, delete (its keys go too), and new keys.

use admin_api::api_keys::{ApiKeyOwner, ApiKeyOwnerServiceAccount, ProjectApiKey, redact};
use admin_api::query::{Paging, QueryPairs};
use admin_api::service_accounts::{
    ServiceAccount, ServiceAccountApiKey, ServiceAccountApiKeyCreate, ServiceAccountCreate,
    ServiceAccountCreated, ServiceAccountUpdate,
};
use admin_api::{Deleted, ListPage, ids};
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde_json::json;

use crate::org::{Caller, ProjectRecord};
use crate::{Failure, Org, Sandbox, paging};

/// The service-account routes.
pub fn router() -> Router<Sandbox> {
    let one = "/organization/projects/{project_id}/service_accounts/{service_account_id}";
    Router::new()
        .route(
            "/organization/projects/{project_id}/service_accounts",
            get(list_service_accounts).post(create_service_account),
        )
        .route(
            one,
            get(retrieve_service_account)
                .post(update_service_account)
                .delete(delete_service_account),
        )
        .route(&format!("{one}/api_keys"), post(create_service_account_key))
}

async fn list_service_accounts(
    State(sandbox): State<Sandbox>,
    Path(project_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<ListPage<ServiceAccount>>, Failure> {
    ids::project_id(&project_id)?;
    let paging = Paging::take_from(&mut QueryPairs::parse(raw.as_deref()))?;
    sandbox
        .read(|org| {
            let record = org.project(&project_id)?;
            paging::page(record.service_accounts.iter(), &paging, |s| &s.id)
        })
        .map(Json)
}

async fn retrieve_service_account(
    State(sandbox): State<Sandbox>,
    Path((project_id, account_id)): Path<(String, String)>,
) -> Result<Json<ServiceAccount>, Failure> {
    check_ids(&project_id, &account_id)?;
    sandbox
        .read(|org| {
            let record = org.project(&project_id)?;
            find(record, &account_id).map(|i| record.service_accounts[i].clone())
        })
        .map(Json)
}

async fn create_service_account(
    State(sandbox): State<Sandbox>,
    Extension(caller): Extension<Caller>,
    Path(project_id): Path<String>,
    body: Bytes,
) -> Result<Json<ServiceAccountCreated>, Failure> {
    ids::project_id(&project_id)?;
    let body: ServiceAccountCreate =
        admin_api::body::parse(&body, &["name", "create_service_account_only"])?;
    body.validate()?;
    sandbox
        .write(|org| {
            org.project(&project_id)?.ensure_active()?;
            let account = ServiceAccount {
                object: "organization.project.service_account".into(),
                id: org.new_id("svc_acct_"),
                name: body.name.trim().to_owned(),
                role: "member".into(),
                created_at: org.now(),
            };
            let key = new_key(org, &project_id, &account, "Secret Key")?;
            let record = org.project_mut(&project_id)?;
            record.service_accounts.push(account.clone());
            let scope = record.scope();
            org.record(
                &caller,
                "service_account.created",
                json!({"id": account.id, "data": {"role": account.role}}),
                Some(scope),
            );
            Ok(ServiceAccountCreated {
                object: account.object,
                id: account.id,
                name: account.name,
                role: account.role,
                created_at: account.created_at,
                api_key: Some(key),
            })
        })
        .map(Json)
}

async fn update_service_account(
    State(sandbox): State<Sandbox>,
    Extension(caller): Extension<Caller>,
    Path((project_id, account_id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Json<ServiceAccount>, Failure> {
    check_ids(&project_id, &account_id)?;
    let body: ServiceAccountUpdate = admin_api::body::parse(&body, ServiceAccountUpdate::FIELDS)?;
    body.validate()?;
    sandbox
        .write(|org| {
            let record = org.project_mut(&project_id)?;
            record.ensure_active()?;
            let index = find(record, &account_id)?;
            let account = &mut record.service_accounts[index];
            if let Some(name) = &body.name {
                name.trim().clone_into(&mut account.name);
            }
            if let Some(role) = &body.role {
                role.clone_into(&mut account.role);
            }
            let (account, scope) = (account.clone(), record.scope());
            org.record(
                &caller,
                "service_account.updated",
                json!({"id": account_id, "changes_requested": body}),
                Some(scope),
            );
            Ok(account)
        })
        .map(Json)
}

async fn delete_service_account(
    State(sandbox): State<Sandbox>,
    Extension(caller): Extension<Caller>,
    Path((project_id, account_id)): Path<(String, String)>,
) -> Result<Json<Deleted>, Failure> {
    check_ids(&project_id, &account_id)?;
    sandbox
        .write(|org| {
            let record = org.project_mut(&project_id)?;
            let index = find(record, &account_id)?;
            record.service_accounts.remove(index);
            record.api_keys.retain(|k| {
                k.owner
                    .service_account
                    .as_ref()
                    .is_none_or(|s| s.id != account_id)
            });
            let scope = record.scope();
            org.record(
                &caller,
                "service_account.deleted",
                json!({"id": account_id}),
                Some(scope),
            );
            Ok(Deleted::new(
                "organization.project.service_account.deleted",
                &account_id,
            ))
        })
        .map(Json)
}

async fn create_service_account_key(
    State(sandbox): State<Sandbox>,
    Extension(caller): Extension<Caller>,
    Path((project_id, account_id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Json<ServiceAccountApiKey>, Failure> {
    check_ids(&project_id, &account_id)?;
    let body: ServiceAccountApiKeyCreate = if body.is_empty() {
        ServiceAccountApiKeyCreate::default()
    } else {
        admin_api::body::parse(&body, ServiceAccountApiKeyCreate::FIELDS)?
    };
    body.validate()?;
    sandbox
        .write(|org| {
            let record = org.project(&project_id)?;
            record.ensure_active()?;
            let account = record.service_accounts[find(record, &account_id)?].clone();
            let name = body
                .name
                .as_deref()
                .map_or("Secret Key", str::trim)
                .to_owned();
            let key = new_key(org, &project_id, &account, &name)?;
            let scope = org.project(&project_id)?.scope();
            let scopes = body.scopes.clone().unwrap_or_default();
            org.record(
                &caller,
                "api_key.created",
                json!({"id": key.id, "data": {"scopes": scopes}}),
                Some(scope),
            );
            Ok(key)
        })
        .map(Json)
}

/// Mints a key for `account`: the project keeps only its redacted form; the value is returned
/// to the caller this once.
fn new_key(
    org: &mut Org,
    project_id: &str,
    account: &ServiceAccount,
    name: &str,
) -> Result<ServiceAccountApiKey, Failure> {
    let value = format!("sk-svcacct-{}", org.random_chars(48));
    let key = ServiceAccountApiKey {
        object: "organization.project.service_account.api_key".into(),
        id: org.new_id("key_"),
        name: name.to_owned(),
        created_at: org.now(),
        value,
    };
    let listed = ProjectApiKey {
        object: "organization.project.api_key".into(),
        redacted_value: redact("sk-svcacct-", &key.value),
        name: key.name.clone(),
        created_at: key.created_at,
        last_used_at: None,
        id: key.id.clone(),
        owner_project_access: "active".into(),
        owner: ApiKeyOwner {
            kind: "service_account".into(),
            user: None,
            service_account: Some(ApiKeyOwnerServiceAccount {
                id: account.id.clone(),
                name: account.name.clone(),
                created_at: account.created_at,
                role: account.role.clone(),
            }),
        },
    };
    org.project_mut(project_id)?.api_keys.push(listed);
    Ok(key)
}

fn check_ids(project_id: &str, account_id: &str) -> Result<(), Failure> {
    ids::project_id(project_id)?;
    ids::service_account_id(account_id)?;
    Ok(())
}

fn find(record: &ProjectRecord, account_id: &str) -> Result<usize, Failure> {
    record
        .service_accounts
        .iter()
        .position(|s| s.id == account_id)
        .ok_or_else(|| {
            Failure::not_found(
                format!("No such service account: '{account_id}'."),
                "service_account_id",
            )
        })
}
