//! `/organization/projects/{project_id}/users`: list, add, retrieve, change role, remove.
//!
//! The spec has no event type of its own for project membership, so the changes are logged as
//! `user.added`, `user.updated` and `user.deleted` scoped to the project.

use admin_api::project_users::{ProjectUser, ProjectUserCreate, ProjectUserUpdate};
use admin_api::query::{Paging, QueryPairs};
use admin_api::{ApiError, Deleted, ListPage, ids};
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde_json::json;

use crate::org::{Caller, ProjectRecord};
use crate::{Failure, Sandbox, paging};

/// The project-users routes.
pub fn router() -> Router<Sandbox> {
    Router::new()
        .route(
            "/organization/projects/{project_id}/users",
            get(list_members).post(add_member),
        )
        .route(
            "/organization/projects/{project_id}/users/{user_id}",
            get(retrieve_member)
                .post(modify_member)
                .delete(remove_member),
        )
}

async fn list_members(
    State(sandbox): State<Sandbox>,
    Path(project_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<ListPage<ProjectUser>>, Failure> {
    ids::project_id(&project_id)?;
    let paging = Paging::take_from(&mut QueryPairs::parse(raw.as_deref()))?;
    sandbox
        .read(|org| {
            let record = org.project(&project_id)?;
            paging::page(record.members.iter(), &paging, |m| &m.id)
        })
        .map(Json)
}

async fn retrieve_member(
    State(sandbox): State<Sandbox>,
    Path((project_id, user_id)): Path<(String, String)>,
) -> Result<Json<ProjectUser>, Failure> {
    ids::project_id(&project_id)?;
    ids::user_id(&user_id)?;
    sandbox
        .read(|org| {
            let record = org.project(&project_id)?;
            member(record, &user_id).map(|i| record.members[i].clone())
        })
        .map(Json)
}

async fn add_member(
    State(sandbox): State<Sandbox>,
    Extension(caller): Extension<Caller>,
    Path(project_id): Path<String>,
    body: Bytes,
) -> Result<Json<ProjectUser>, Failure> {
    ids::project_id(&project_id)?;
    let body: ProjectUserCreate = admin_api::body::parse(&body, ProjectUserCreate::FIELDS)?;
    body.validate()?;
    sandbox
        .write(|org| {
            let user = org
                .user(&body.user_id)
                .map_err(|_| {
                    Failure::bad_request(ApiError::invalid_request(
                        format!(
                            "User '{}' is not a member of the organization.",
                            body.user_id
                        ),
                        Some("user_id"),
                    ))
                })?
                .clone();
            let at = org.now();
            let record = org.project_mut(&project_id)?;
            record.ensure_active()?;
            if record.members.iter().any(|m| m.id == user.id) {
                return Err(Failure::bad_request(ApiError::invalid_request(
                    format!("User '{}' is already a member of this project.", user.id),
                    Some("user_id"),
                )));
            }
            let added = ProjectUser {
                object: "organization.project.user".into(),
                id: user.id.clone(),
                name: user.name.clone(),
                email: user.email.clone(),
                role: body.role.clone(),
                added_at: at,
            };
            record.members.push(added.clone());
            let scope = record.scope();
            org.record(
                &caller,
                "user.added",
                json!({"id": user.id, "data": {"role": body.role}}),
                Some(scope),
            );
            Ok(added)
        })
        .map(Json)
}

async fn modify_member(
    State(sandbox): State<Sandbox>,
    Extension(caller): Extension<Caller>,
    Path((project_id, user_id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Json<ProjectUser>, Failure> {
    ids::project_id(&project_id)?;
    ids::user_id(&user_id)?;
    let body: ProjectUserUpdate = admin_api::body::parse(&body, ProjectUserUpdate::FIELDS)?;
    body.validate()?;
    sandbox
        .write(|org| {
            let record = org.project_mut(&project_id)?;
            record.ensure_active()?;
            let index = member(record, &user_id)?;
            body.role.clone_into(&mut record.members[index].role);
            let (changed, scope) = (record.members[index].clone(), record.scope());
            org.record(
                &caller,
                "user.updated",
                json!({"id": user_id, "changes_requested": {"role": body.role}}),
                Some(scope),
            );
            Ok(changed)
        })
        .map(Json)
}

async fn remove_member(
    State(sandbox): State<Sandbox>,
    Extension(caller): Extension<Caller>,
    Path((project_id, user_id)): Path<(String, String)>,
) -> Result<Json<Deleted>, Failure> {
    ids::project_id(&project_id)?;
    ids::user_id(&user_id)?;
    sandbox
        .write(|org| {
            let record = org.project_mut(&project_id)?;
            let index = member(record, &user_id)?;
            record.members.remove(index);
            // Their keys in the project stay listed but lose their access, as when they leave
            // the organization.
            for key in &mut record.api_keys {
                if key.owner.user.as_ref().is_some_and(|u| u.id == user_id) {
                    "inactive".clone_into(&mut key.owner_project_access);
                }
            }
            let scope = record.scope();
            org.record(&caller, "user.deleted", json!({"id": user_id}), Some(scope));
            Ok(Deleted::new("organization.project.user.deleted", &user_id))
        })
        .map(Json)
}

fn member(record: &ProjectRecord, user_id: &str) -> Result<usize, Failure> {
    record
        .members
        .iter()
        .position(|m| m.id == user_id)
        .ok_or_else(|| {
            Failure::not_found(
                format!("User '{user_id}' is not a member of this project."),
                "user_id",
            )
        })
}
