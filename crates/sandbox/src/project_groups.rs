//! `/organization/projects/{project_id}/groups`: list, grant, retrieve, revoke.
//!
//! A grant gives the group a project role (`api.project`); the sandbox keeps which one, though
//! upstream's answers do not show it. Grants are logged as `role.assignment.created` and
//! `role.assignment.deleted` with the group as principal and the project as resource, scoped to
//! the project. An archived project takes no new grants (as it takes no new members); a grant
//! may still be revoked.

use admin_api::groups::Removed;
use admin_api::project_groups::{PROJECT_GROUPS_LIMIT_MAX, ProjectGroup, ProjectGroupGrant};
use admin_api::roles::PROJECT_ROLE;
use admin_api::{ApiError, CursorPage, ids};
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde_json::json;

use crate::org::{Caller, ProjectGroupRecord};
use crate::paging::{self, CursorList};
use crate::{Failure, Org, Sandbox};

/// `GET /organization/projects/{project_id}/groups`: 20 a page, oldest grant first.
const PROJECT_GROUPS: CursorList = CursorList {
    default_limit: 20,
    default_desc: false,
};

/// The project-groups routes.
pub fn router() -> Router<Sandbox> {
    Router::new()
        .route(
            "/organization/projects/{project_id}/groups",
            get(list_groups).post(grant_group),
        )
        .route(
            "/organization/projects/{project_id}/groups/{group_id}",
            get(retrieve_group).delete(revoke_group),
        )
}

/// The grant as upstream shows it: the group's current name, no role.
fn shown(org: &Org, grant: &ProjectGroupRecord) -> Option<ProjectGroup> {
    let group = org.groups.iter().find(|g| g.group.id == grant.group_id)?;
    Some(ProjectGroup {
        object: "project.group".into(),
        project_id: grant.project_id.clone(),
        group_id: grant.group_id.clone(),
        group_name: group.group.name.clone(),
        group_type: Some(
            group
                .group
                .group_type
                .clone()
                .unwrap_or_else(|| "group".into()),
        ),
        created_at: grant.created_at,
    })
}

async fn list_groups(
    State(sandbox): State<Sandbox>,
    Path(project_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<CursorPage<ProjectGroup>>, Failure> {
    ids::project_id(&project_id)?;
    let query = paging::cursor_query(raw.as_deref(), PROJECT_GROUPS_LIMIT_MAX)?;
    sandbox
        .read(|org| {
            org.project(&project_id)?;
            let granted: Vec<ProjectGroup> = org
                .project_groups
                .iter()
                .filter(|g| g.project_id == project_id)
                .filter_map(|g| shown(org, g))
                .collect();
            paging::cursor_page(granted.into_iter(), &query, PROJECT_GROUPS, |g| &g.group_id)
        })
        .map(Json)
}

async fn retrieve_group(
    State(sandbox): State<Sandbox>,
    Path((project_id, group_id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Json<ProjectGroup>, Failure> {
    ids::project_id(&project_id)?;
    ids::group_id(&group_id)?;
    let mut pairs = admin_api::query::QueryPairs::parse(raw.as_deref());
    let group_type = pairs.one("group_type")?;
    pairs.deny_unknown()?;
    if let Some(group_type) = &group_type {
        admin_api::validate::one_of(group_type, &["group", "tenant_group"], "group_type")?;
    }
    sandbox
        .read(|org| {
            org.project(&project_id)?;
            let index = grant_index(org, &project_id, &group_id)?;
            let shown = shown(org, &org.project_groups[index]).filter(|g| {
                group_type
                    .as_deref()
                    .is_none_or(|t| g.group_type.as_deref() == Some(t))
            });
            shown.ok_or_else(|| not_granted(&group_id))
        })
        .map(Json)
}

async fn grant_group(
    State(sandbox): State<Sandbox>,
    Extension(caller): Extension<Caller>,
    Path(project_id): Path<String>,
    body: Bytes,
) -> Result<Json<ProjectGroup>, Failure> {
    ids::project_id(&project_id)?;
    let body: ProjectGroupGrant = admin_api::body::parse(&body, ProjectGroupGrant::FIELDS)?;
    body.validate()?;
    sandbox
        .write(|org| {
            let record = org.project(&project_id)?;
            record.ensure_active()?;
            let scope = record.scope();
            // A group managed through SCIM may still be granted projects here.
            let group = org.group(&body.group_id)?;
            let group_name = group.group.name.clone();
            let role = org.role(&body.role, "role")?;
            if role.role.resource_type != PROJECT_ROLE {
                return Err(Failure::bad_request(ApiError::invalid_request(
                    format!(
                        "Role '{}' is a {} role; a project grant needs an {PROJECT_ROLE} role.",
                        role.role.name, role.role.resource_type
                    ),
                    Some("role"),
                )));
            }
            if grant_index(org, &project_id, &body.group_id).is_ok() {
                return Err(Failure::bad_request(ApiError::invalid_request(
                    format!("Group '{group_name}' already has access to this project."),
                    Some("group_id"),
                )));
            }
            let grant = ProjectGroupRecord {
                id: org.new_id("roleasgmt_"),
                project_id: project_id.clone(),
                group_id: body.group_id.clone(),
                role_id: body.role.clone(),
                created_at: org.now(),
            };
            org.record(
                &caller,
                "role.assignment.created",
                grant_event(&grant),
                Some(scope),
            );
            org.project_groups.push(grant.clone());
            shown(org, &grant).ok_or_else(|| not_granted(&body.group_id))
        })
        .map(Json)
}

async fn revoke_group(
    State(sandbox): State<Sandbox>,
    Extension(caller): Extension<Caller>,
    Path((project_id, group_id)): Path<(String, String)>,
) -> Result<Json<Removed>, Failure> {
    ids::project_id(&project_id)?;
    ids::group_id(&group_id)?;
    sandbox
        .write(|org| {
            let scope = org.project(&project_id)?.scope();
            let index = grant_index(org, &project_id, &group_id)?;
            let grant = org.project_groups.remove(index);
            org.record(
                &caller,
                "role.assignment.deleted",
                grant_event(&grant),
                Some(scope),
            );
            Ok(Removed::new("project.group.deleted"))
        })
        .map(Json)
}

/// The payload of a project grant's `role.assignment.*` event.
fn grant_event(grant: &ProjectGroupRecord) -> serde_json::Value {
    json!({
        "id": grant.id,
        "principal_id": grant.group_id,
        "principal_type": "group",
        "resource_id": grant.project_id,
        "resource_type": PROJECT_ROLE,
    })
}

fn grant_index(org: &Org, project_id: &str, group_id: &str) -> Result<usize, Failure> {
    org.project_groups
        .iter()
        .position(|g| g.project_id == project_id && g.group_id == group_id)
        .ok_or_else(|| not_granted(group_id))
}

fn not_granted(group_id: &str) -> Failure {
    Failure::not_found(
        format!("Group '{group_id}' has no access to this project."),
        "group_id",
    )
}
