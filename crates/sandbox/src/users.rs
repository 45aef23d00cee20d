//! `/organization/users`: list (with `emails[]`), retrieve, change role, delete.

use admin_api::query::QueryPairs;
use admin_api::users::{ListUsersQuery, User, UserDeleted, UserRole};
use admin_api::{ApiError, ListPage, ids};
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::org::Caller;
use crate::{Failure, Org, Sandbox, paging};

/// The users routes.
pub fn router() -> Router<Sandbox> {
    Router::new()
        .route("/organization/users", get(list_users))
        .route(
            "/organization/users/{user_id}",
            get(retrieve_user).post(modify_user).delete(delete_user),
        )
}

async fn list_users(
    State(sandbox): State<Sandbox>,
    RawQuery(raw): RawQuery,
) -> Result<Json<ListPage<User>>, Failure> {
    let query = ListUsersQuery::take_from(&mut QueryPairs::parse(raw.as_deref()))?;
    sandbox
        .read(|org| {
            let matching = org.users.iter().filter(|u| {
                query.emails.is_empty()
                    || u.email
                        .as_deref()
                        .is_some_and(|e| query.emails.iter().any(|q| q.eq_ignore_ascii_case(e)))
            });
            paging::page(matching, &query.paging, |u| &u.id)
        })
        .map(Json)
}

async fn retrieve_user(
    State(sandbox): State<Sandbox>,
    Path(user_id): Path<String>,
) -> Result<Json<User>, Failure> {
    ids::user_id(&user_id)?;
    sandbox.read(|org| org.user(&user_id).cloned()).map(Json)
}

/// The body upstream accepts; only `role` changes anything here.
#[derive(Deserialize)]
struct ModifyUserBody {
    role: Option<String>,
}

const MODIFY_FIELDS: &[&str] = &["role", "role_id", "technical_level", "developer_persona"];

async fn modify_user(
    State(sandbox): State<Sandbox>,
    Extension(caller): Extension<Caller>,
    Path(user_id): Path<String>,
    body: Bytes,
) -> Result<Json<User>, Failure> {
    ids::user_id(&user_id)?;
    let body: ModifyUserBody = admin_api::body::parse(&body, MODIFY_FIELDS)?;
    let role = UserRole::parse(body.role.as_deref().unwrap_or_default())?;
    sandbox
        .write(|org| {
            let index = index_of(org, &user_id)?;
            if role != UserRole::Owner && is_last_owner(org, index) {
                return Err(last_owner_error());
            }
            org.users[index].role = Some(role.as_str().to_owned());
            org.record(
                &caller,
                "user.updated",
                json!({"id": user_id, "changes_requested": {"role": role.as_str()}}),
                None,
            );
            Ok(org.users[index].clone())
        })
        .map(Json)
}

async fn delete_user(
    State(sandbox): State<Sandbox>,
    Extension(caller): Extension<Caller>,
    Path(user_id): Path<String>,
) -> Result<Json<UserDeleted>, Failure> {
    ids::user_id(&user_id)?;
    sandbox
        .write(|org| {
            let index = index_of(org, &user_id)?;
            if is_last_owner(org, index) {
                return Err(last_owner_error());
            }
            org.users.remove(index);
            // Leaving the organization ends every project membership; the person's keys stay
            // listed but lose their access, as upstream shows them.
            for record in &mut org.projects {
                record.members.retain(|m| m.id != user_id);
                for key in &mut record.api_keys {
                    if key.owner.user.as_ref().is_some_and(|u| u.id == user_id) {
                        "inactive".clone_into(&mut key.owner_project_access);
                    }
                }
            }
            // And every group membership and direct role assignment.
            for group in &mut org.groups {
                group.members.retain(|m| m.user_id != user_id);
            }
            org.role_assignments.retain(|a| {
                !(a.principal == crate::org::Principal::User && a.principal_id == user_id)
            });
            org.record(&caller, "user.deleted", json!({"id": user_id}), None);
            Ok(UserDeleted::new("organization.user.deleted", &user_id))
        })
        .map(Json)
}

fn index_of(org: &Org, user_id: &str) -> Result<usize, Failure> {
    org.users
        .iter()
        .position(|u| u.id == user_id)
        .ok_or_else(|| Failure::not_found(format!("No such user: '{user_id}'."), "user_id"))
}

fn is_last_owner(org: &Org, index: usize) -> bool {
    let owner = Some("owner");
    org.users[index].role.as_deref() == owner
        && org
            .users
            .iter()
            .filter(|u| u.role.as_deref() == owner)
            .count()
            == 1
}

fn last_owner_error() -> Failure {
    Failure::bad_request(ApiError::invalid_request(
        "An organization must keep at least one owner.",
        Some("role"),
    ))
}
