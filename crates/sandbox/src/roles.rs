//! `/organization/roles`: list, create, retrieve, update, delete; and the direct assignment of
//! organization roles to groups (`/organization/groups/{group_id}/roles`) and users
//! (`/organization/users/{user_id}/roles`): list, assign, retrieve, unassign.
//!
//! The role list holds every role, organization (`api.organization`) and project
//! (`api.project`): it is where a client finds the project role a project group grant names.
//! Predefined roles are read-only. Only organization roles are assigned here.

use admin_api::groups::GroupSummary;
use admin_api::roles::{
    AssignedRole, GroupRoleAssignment, ORGANIZATION_ROLE, ROLES_LIMIT_MAX, Role, RoleAssign,
    RoleCreate, RoleDeleted, RoleUnassigned, RoleUpdate, UserRoleAssignment,
};
use admin_api::users::User;
use admin_api::{ApiError, CursorPage, ids};
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde_json::json;

use crate::org::{Caller, ORG_ID, Principal, RoleAssignment, RoleRecord};
use crate::paging::{self, CursorList};
use crate::{Failure, Org, Sandbox};

/// `GET /organization/roles`: 1000 a page, oldest first.
const ROLES: CursorList = CursorList {
    default_limit: 1000,
    default_desc: false,
};

/// A principal's assignments: the spec gives no default, so 100 a page, oldest first.
const ASSIGNMENTS: CursorList = CursorList {
    default_limit: 100,
    default_desc: false,
};

/// The roles routes.
pub fn router() -> Router<Sandbox> {
    Router::new()
        .route("/organization/roles", get(list_roles).post(create_role))
        .route(
            "/organization/roles/{role_id}",
            get(retrieve_role).post(update_role).delete(delete_role),
        )
        .route(
            "/organization/groups/{group_id}/roles",
            get(list_group_roles).post(assign_group_role),
        )
        .route(
            "/organization/groups/{group_id}/roles/{role_id}",
            get(retrieve_group_role).delete(unassign_group_role),
        )
        .route(
            "/organization/users/{user_id}/roles",
            get(list_user_roles).post(assign_user_role),
        )
        .route(
            "/organization/users/{user_id}/roles/{role_id}",
            get(retrieve_user_role).delete(unassign_user_role),
        )
}

async fn list_roles(
    State(sandbox): State<Sandbox>,
    RawQuery(raw): RawQuery,
) -> Result<Json<CursorPage<Role>>, Failure> {
    let query = paging::cursor_query(raw.as_deref(), ROLES_LIMIT_MAX)?;
    sandbox
        .read(|org| {
            paging::cursor_page(
                org.roles.iter().map(|r| r.role.clone()),
                &query,
                ROLES,
                |r| &r.id,
            )
        })
        .map(Json)
}

async fn create_role(
    State(sandbox): State<Sandbox>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Result<Json<Role>, Failure> {
    let body: RoleCreate = admin_api::body::parse(&body, RoleCreate::FIELDS)?;
    body.validate()?;
    sandbox
        .write(|org| {
            let name = body.role_name.trim().to_owned();
            ensure_name_free(org, &name, None)?;
            let at = org.now();
            let role = Role {
                object: "role".into(),
                id: org.new_id("role_"),
                name,
                description: body.description.clone(),
                permissions: body.permissions.clone(),
                resource_type: ORGANIZATION_ROLE.into(),
                predefined_role: false,
            };
            let created_by = org.caller_user(&caller);
            org.roles.push(RoleRecord {
                role: role.clone(),
                created_at: at,
                updated_at: at,
                created_by,
            });
            org.record(
                &caller,
                "role.created",
                json!({
                    "id": role.id,
                    "role_name": role.name,
                    "permissions": role.permissions,
                    "resource_type": role.resource_type,
                    "resource_id": ORG_ID,
                }),
                None,
            );
            Ok(role)
        })
        .map(Json)
}

async fn retrieve_role(
    State(sandbox): State<Sandbox>,
    Path(role_id): Path<String>,
) -> Result<Json<Role>, Failure> {
    ids::role_id(&role_id)?;
    sandbox
        .read(|org| org.role(&role_id, "role_id").map(|r| r.role.clone()))
        .map(Json)
}

async fn update_role(
    State(sandbox): State<Sandbox>,
    Extension(caller): Extension<Caller>,
    Path(role_id): Path<String>,
    body: Bytes,
) -> Result<Json<Role>, Failure> {
    ids::role_id(&role_id)?;
    let body: RoleUpdate = admin_api::body::parse(&body, RoleUpdate::FIELDS)?;
    body.validate()?;
    sandbox
        .write(|org| {
            let index = role_index(org, &role_id)?;
            ensure_custom(&org.roles[index].role, "updated")?;
            let name = body.role_name.as_deref().map(|n| n.trim().to_owned());
            if let Some(name) = &name {
                ensure_name_free(org, name, Some(&role_id))?;
            }
            let at = org.now();
            let record = &mut org.roles[index];
            let before = record.role.permissions.clone();
            if let Some(name) = &name {
                name.clone_into(&mut record.role.name);
            }
            if let Some(description) = &body.description {
                record.role.description = Some(description.clone());
            }
            if let Some(permissions) = &body.permissions {
                permissions.clone_into(&mut record.role.permissions);
            }
            record.updated_at = at;
            let role = record.role.clone();
            let added: Vec<&String> = role
                .permissions
                .iter()
                .filter(|p| !before.contains(p))
                .collect();
            let removed: Vec<&String> = before
                .iter()
                .filter(|p| !role.permissions.contains(p))
                .collect();
            let mut changes = json!({
                "permissions_added": added,
                "permissions_removed": removed,
                "resource_type": role.resource_type,
                "resource_id": ORG_ID,
            });
            if let Some(name) = &name {
                changes["role_name"] = json!(name);
            }
            if let Some(description) = &body.description {
                changes["description"] = json!(description);
            }
            org.record(
                &caller,
                "role.updated",
                json!({"id": role_id, "changes_requested": changes}),
                None,
            );
            Ok(role)
        })
        .map(Json)
}

async fn delete_role(
    State(sandbox): State<Sandbox>,
    Extension(caller): Extension<Caller>,
    Path(role_id): Path<String>,
) -> Result<Json<RoleDeleted>, Failure> {
    ids::role_id(&role_id)?;
    sandbox
        .write(|org| {
            let index = role_index(org, &role_id)?;
            ensure_custom(&org.roles[index].role, "deleted")?;
            // A deleted role is taken from everyone who held it.
            org.roles.remove(index);
            org.role_assignments.retain(|a| a.role_id != role_id);
            org.project_groups.retain(|g| g.role_id != role_id);
            org.record(&caller, "role.deleted", json!({"id": role_id}), None);
            Ok(RoleDeleted::new("role.deleted", &role_id))
        })
        .map(Json)
}

async fn list_group_roles(
    State(sandbox): State<Sandbox>,
    Path(group_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<CursorPage<AssignedRole>>, Failure> {
    ids::group_id(&group_id)?;
    let query = paging::cursor_query(raw.as_deref(), ROLES_LIMIT_MAX)?;
    sandbox
        .read(|org| {
            org.group(&group_id)?;
            list_assigned(org, Principal::Group, &group_id, &query)
        })
        .map(Json)
}

async fn assign_group_role(
    State(sandbox): State<Sandbox>,
    Extension(caller): Extension<Caller>,
    Path(group_id): Path<String>,
    body: Bytes,
) -> Result<Json<GroupRoleAssignment>, Failure> {
    ids::group_id(&group_id)?;
    let body: RoleAssign = admin_api::body::parse(&body, RoleAssign::FIELDS)?;
    body.validate()?;
    sandbox
        .write(|org| {
            // A group managed through SCIM may still be given roles here.
            let group: GroupSummary = org.group(&group_id)?.summary();
            let role = assign(org, &caller, Principal::Group, &group_id, &body.role_id)?;
            Ok(GroupRoleAssignment {
                object: "group.role".into(),
                group,
                role,
            })
        })
        .map(Json)
}

async fn retrieve_group_role(
    State(sandbox): State<Sandbox>,
    Path((group_id, role_id)): Path<(String, String)>,
) -> Result<Json<AssignedRole>, Failure> {
    ids::group_id(&group_id)?;
    ids::role_id(&role_id)?;
    sandbox
        .read(|org| {
            org.group(&group_id)?;
            retrieve_assigned(org, Principal::Group, &group_id, &role_id)
        })
        .map(Json)
}

async fn unassign_group_role(
    State(sandbox): State<Sandbox>,
    Extension(caller): Extension<Caller>,
    Path((group_id, role_id)): Path<(String, String)>,
) -> Result<Json<RoleUnassigned>, Failure> {
    ids::group_id(&group_id)?;
    ids::role_id(&role_id)?;
    sandbox
        .write(|org| {
            org.group(&group_id)?;
            unassign(org, &caller, Principal::Group, &group_id, &role_id)?;
            Ok(RoleUnassigned::new("group.role.deleted"))
        })
        .map(Json)
}

async fn list_user_roles(
    State(sandbox): State<Sandbox>,
    Path(user_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<CursorPage<AssignedRole>>, Failure> {
    ids::user_id(&user_id)?;
    let query = paging::cursor_query(raw.as_deref(), ROLES_LIMIT_MAX)?;
    sandbox
        .read(|org| {
            org.user(&user_id)?;
            // Only the user's direct assignments: roles their groups hold are not listed here.
            list_assigned(org, Principal::User, &user_id, &query)
        })
        .map(Json)
}

async fn assign_user_role(
    State(sandbox): State<Sandbox>,
    Extension(caller): Extension<Caller>,
    Path(user_id): Path<String>,
    body: Bytes,
) -> Result<Json<UserRoleAssignment>, Failure> {
    ids::user_id(&user_id)?;
    let body: RoleAssign = admin_api::body::parse(&body, RoleAssign::FIELDS)?;
    body.validate()?;
    sandbox
        .write(|org| {
            let user: User = org.user(&user_id)?.clone();
            let role = assign(org, &caller, Principal::User, &user_id, &body.role_id)?;
            Ok(UserRoleAssignment {
                object: "user.role".into(),
                user,
                role,
            })
        })
        .map(Json)
}

async fn retrieve_user_role(
    State(sandbox): State<Sandbox>,
    Path((user_id, role_id)): Path<(String, String)>,
) -> Result<Json<AssignedRole>, Failure> {
    ids::user_id(&user_id)?;
    ids::role_id(&role_id)?;
    sandbox
        .read(|org| {
            org.user(&user_id)?;
            retrieve_assigned(org, Principal::User, &user_id, &role_id)
        })
        .map(Json)
}

async fn unassign_user_role(
    State(sandbox): State<Sandbox>,
    Extension(caller): Extension<Caller>,
    Path((user_id, role_id)): Path<(String, String)>,
) -> Result<Json<RoleUnassigned>, Failure> {
    ids::user_id(&user_id)?;
    ids::role_id(&role_id)?;
    sandbox
        .write(|org| {
            org.user(&user_id)?;
            unassign(org, &caller, Principal::User, &user_id, &role_id)?;
            Ok(RoleUnassigned::new("user.role.deleted"))
        })
        .map(Json)
}

fn list_assigned(
    org: &Org,
    principal: Principal,
    principal_id: &str,
    query: &admin_api::query::CursorQuery,
) -> Result<CursorPage<AssignedRole>, Failure> {
    let assigned: Vec<AssignedRole> = org
        .role_assignments
        .iter()
        .filter(|a| a.principal == principal && a.principal_id == principal_id)
        .filter_map(|a| org.assigned_role(&a.role_id))
        .collect();
    paging::cursor_page(assigned.into_iter(), query, ASSIGNMENTS, |r| &r.id)
}

fn retrieve_assigned(
    org: &Org,
    principal: Principal,
    principal_id: &str,
    role_id: &str,
) -> Result<AssignedRole, Failure> {
    assignment_index(org, principal, principal_id, role_id)?;
    org.assigned_role(role_id)
        .ok_or_else(|| not_assigned(principal, role_id))
}

/// Records a direct assignment of the organization role `role_id` and its audit event;
/// answers the role.
fn assign(
    org: &mut Org,
    caller: &Caller,
    principal: Principal,
    principal_id: &str,
    role_id: &str,
) -> Result<Role, Failure> {
    let role = org.role(role_id, "role_id")?.role.clone();
    if role.resource_type != ORGANIZATION_ROLE {
        return Err(Failure::bad_request(ApiError::invalid_request(
            format!(
                "Role '{}' is a {} role; only {ORGANIZATION_ROLE} roles can be assigned here.",
                role.name, role.resource_type
            ),
            Some("role_id"),
        )));
    }
    if assignment_index(org, principal, principal_id, role_id).is_ok() {
        return Err(Failure::bad_request(ApiError::invalid_request(
            format!(
                "The {} already has role '{}'.",
                principal.as_str(),
                role.name
            ),
            Some("role_id"),
        )));
    }
    let assignment = RoleAssignment {
        id: org.new_id("roleasgmt_"),
        principal,
        principal_id: principal_id.to_owned(),
        role_id: role_id.to_owned(),
        created_at: org.now(),
    };
    org.record(
        caller,
        "role.assignment.created",
        assignment_event(&assignment),
        None,
    );
    org.role_assignments.push(assignment);
    Ok(role)
}

fn unassign(
    org: &mut Org,
    caller: &Caller,
    principal: Principal,
    principal_id: &str,
    role_id: &str,
) -> Result<(), Failure> {
    let index = assignment_index(org, principal, principal_id, role_id)?;
    let assignment = org.role_assignments.remove(index);
    org.record(
        caller,
        "role.assignment.deleted",
        assignment_event(&assignment),
        None,
    );
    Ok(())
}

/// The payload of `role.assignment.created` and `role.assignment.deleted` for an
/// organization role.
fn assignment_event(assignment: &RoleAssignment) -> serde_json::Value {
    json!({
        "id": assignment.id,
        "principal_id": assignment.principal_id,
        "principal_type": assignment.principal.as_str(),
        "resource_id": ORG_ID,
        "resource_type": ORGANIZATION_ROLE,
    })
}

fn assignment_index(
    org: &Org,
    principal: Principal,
    principal_id: &str,
    role_id: &str,
) -> Result<usize, Failure> {
    org.role_assignments
        .iter()
        .position(|a| {
            a.principal == principal && a.principal_id == principal_id && a.role_id == role_id
        })
        .ok_or_else(|| not_assigned(principal, role_id))
}

fn not_assigned(principal: Principal, role_id: &str) -> Failure {
    Failure::not_found(
        format!(
            "Role '{role_id}' is not assigned to this {}.",
            principal.as_str()
        ),
        "role_id",
    )
}

fn role_index(org: &Org, role_id: &str) -> Result<usize, Failure> {
    org.roles
        .iter()
        .position(|r| r.role.id == role_id)
        .ok_or_else(|| Failure::not_found(format!("No such role: '{role_id}'."), "role_id"))
}

/// 400 for a predefined role: OpenAI manages it.
fn ensure_custom(role: &Role, verb: &str) -> Result<(), Failure> {
    if role.predefined_role {
        return Err(Failure::bad_request(ApiError::invalid_request(
            format!(
                "Role '{}' is predefined by OpenAI and cannot be {verb}.",
                role.name
            ),
            Some("role_id"),
        )));
    }
    Ok(())
}

/// 400 if another role has this name (compared without case).
fn ensure_name_free(org: &Org, name: &str, except: Option<&str>) -> Result<(), Failure> {
    let taken = org
        .roles
        .iter()
        .any(|r| Some(r.role.id.as_str()) != except && r.role.name.eq_ignore_ascii_case(name));
    if taken {
        return Err(Failure::bad_request(ApiError::invalid_request(
            format!("A role named '{name}' already exists."),
            Some("role_name"),
        )));
    }
    Ok(())
}
