//! `/organization/groups`: list, create, retrieve, rename, delete; and
//! `/organization/groups/{group_id}/users`: list, add, retrieve, remove.
//!
//! A group managed by the identity provider (`is_scim_managed`) keeps its name and members as
//! the provider says: renaming, deleting, adding and removing members are refused here (the
//! portal's documented choice). Its role assignments and project grants may still change.
//!
//! The spec has no organization audit event for a group's members (only the tenant-level
//! `tenant.group.member.*`), so adding and removing a member writes none.

use admin_api::groups::{
    GROUPS_LIMIT_MAX, Group, GroupBody, GroupDeleted, GroupMemberUser, GroupUpdated, GroupUser,
    GroupUserAssignment, GroupUserBody, Removed,
};
use admin_api::{ApiError, CursorPage, ids};
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde_json::json;

use crate::org::{Caller, GroupMember, GroupRecord};
use crate::paging::{self, CursorList};
use crate::{Failure, Org, Sandbox};

/// `GET /organization/groups`: 100 a page, oldest first.
const GROUPS: CursorList = CursorList {
    default_limit: 100,
    default_desc: false,
};

/// `GET /organization/groups/{group_id}/users`: 100 a page, newest member first.
const MEMBERS: CursorList = CursorList {
    default_limit: 100,
    default_desc: true,
};

/// The groups routes.
pub fn router() -> Router<Sandbox> {
    Router::new()
        .route("/organization/groups", get(list_groups).post(create_group))
        .route(
            "/organization/groups/{group_id}",
            get(retrieve_group).post(rename_group).delete(delete_group),
        )
        .route(
            "/organization/groups/{group_id}/users",
            get(list_members).post(add_member),
        )
        .route(
            "/organization/groups/{group_id}/users/{user_id}",
            get(retrieve_member).delete(remove_member),
        )
}

async fn list_groups(
    State(sandbox): State<Sandbox>,
    RawQuery(raw): RawQuery,
) -> Result<Json<CursorPage<Group>>, Failure> {
    let query = paging::cursor_query(raw.as_deref(), GROUPS_LIMIT_MAX)?;
    sandbox
        .read(|org| {
            paging::cursor_page(
                org.groups.iter().map(|g| g.group.clone()),
                &query,
                GROUPS,
                |g| &g.id,
            )
        })
        .map(Json)
}

async fn create_group(
    State(sandbox): State<Sandbox>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Result<Json<Group>, Failure> {
    let body: GroupBody = admin_api::body::parse(&body, GroupBody::FIELDS)?;
    body.validate()?;
    sandbox
        .write(|org| {
            let group = Group {
                id: org.new_id("group_"),
                name: body.name.trim().to_owned(),
                created_at: org.now(),
                is_scim_managed: false,
                group_type: Some("group".into()),
            };
            org.groups.push(GroupRecord {
                group: group.clone(),
                members: Vec::new(),
            });
            org.record(
                &caller,
                "group.created",
                json!({"id": group.id, "data": {"group_name": group.name}}),
                None,
            );
            Ok(group)
        })
        .map(Json)
}

async fn retrieve_group(
    State(sandbox): State<Sandbox>,
    Path(group_id): Path<String>,
) -> Result<Json<Group>, Failure> {
    ids::group_id(&group_id)?;
    sandbox
        .read(|org| org.group(&group_id).map(|g| g.group.clone()))
        .map(Json)
}

async fn rename_group(
    State(sandbox): State<Sandbox>,
    Extension(caller): Extension<Caller>,
    Path(group_id): Path<String>,
    body: Bytes,
) -> Result<Json<GroupUpdated>, Failure> {
    ids::group_id(&group_id)?;
    let body: GroupBody = admin_api::body::parse(&body, GroupBody::FIELDS)?;
    body.validate()?;
    sandbox
        .write(|org| {
            let index = org.group_index(&group_id)?;
            org.groups[index].ensure_not_scim()?;
            let name = body.name.trim().to_owned();
            name.clone_into(&mut org.groups[index].group.name);
            let group = &org.groups[index].group;
            let updated = GroupUpdated {
                id: group.id.clone(),
                name: group.name.clone(),
                created_at: group.created_at,
                is_scim_managed: group.is_scim_managed,
            };
            org.record(
                &caller,
                "group.updated",
                json!({"id": group_id, "changes_requested": {"group_name": name}}),
                None,
            );
            Ok(updated)
        })
        .map(Json)
}

async fn delete_group(
    State(sandbox): State<Sandbox>,
    Extension(caller): Extension<Caller>,
    Path(group_id): Path<String>,
) -> Result<Json<GroupDeleted>, Failure> {
    ids::group_id(&group_id)?;
    sandbox
        .write(|org| {
            let index = org.group_index(&group_id)?;
            org.groups[index].ensure_not_scim()?;
            // The group takes its memberships with it, and so its role assignments and its
            // project grants.
            org.groups.remove(index);
            org.role_assignments.retain(|a| {
                !(a.principal == crate::org::Principal::Group && a.principal_id == group_id)
            });
            org.project_groups.retain(|g| g.group_id != group_id);
            org.record(&caller, "group.deleted", json!({"id": group_id}), None);
            Ok(GroupDeleted::new("group.deleted", &group_id))
        })
        .map(Json)
}

async fn list_members(
    State(sandbox): State<Sandbox>,
    Path(group_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<CursorPage<GroupUser>>, Failure> {
    ids::group_id(&group_id)?;
    let query = paging::cursor_query(raw.as_deref(), GROUPS_LIMIT_MAX)?;
    sandbox
        .read(|org| {
            let group = org.group(&group_id)?;
            let users: Vec<GroupUser> = group
                .members
                .iter()
                .filter_map(|m| org.users.iter().find(|u| u.id == m.user_id))
                .map(|u| GroupUser {
                    id: u.id.clone(),
                    name: u.name.clone().unwrap_or_default(),
                    email: u.email.clone(),
                })
                .collect();
            paging::cursor_page(users.into_iter(), &query, MEMBERS, |u| &u.id)
        })
        .map(Json)
}

async fn add_member(
    State(sandbox): State<Sandbox>,
    Path(group_id): Path<String>,
    body: Bytes,
) -> Result<Json<GroupUserAssignment>, Failure> {
    ids::group_id(&group_id)?;
    let body: GroupUserBody = admin_api::body::parse(&body, GroupUserBody::FIELDS)?;
    body.validate()?;
    sandbox
        .write(|org| {
            let index = org.group_index(&group_id)?;
            org.groups[index].ensure_not_scim()?;
            org.user(&body.user_id)?;
            let at = org.now();
            let group = &mut org.groups[index];
            if group.members.iter().any(|m| m.user_id == body.user_id) {
                return Err(Failure::bad_request(ApiError::invalid_request(
                    format!(
                        "User '{}' is already a member of group '{}'.",
                        body.user_id, group.group.name
                    ),
                    Some("user_id"),
                )));
            }
            group.members.push(GroupMember {
                user_id: body.user_id.clone(),
                added_at: at,
            });
            // No audit event: the spec has none for an organization group's members.
            Ok(GroupUserAssignment {
                object: "group.user".into(),
                user_id: body.user_id.clone(),
                group_id: group_id.clone(),
            })
        })
        .map(Json)
}

async fn retrieve_member(
    State(sandbox): State<Sandbox>,
    Path((group_id, user_id)): Path<(String, String)>,
) -> Result<Json<GroupMemberUser>, Failure> {
    ids::group_id(&group_id)?;
    ids::user_id(&user_id)?;
    sandbox
        .read(|org| {
            let group = org.group(&group_id)?;
            member(group, &user_id)?;
            let user = org.user(&user_id)?;
            Ok(GroupMemberUser {
                id: user.id.clone(),
                name: user.name.clone().unwrap_or_default(),
                email: user.email.clone(),
                picture: None,
                is_service_account: Some(false),
                user_type: "user".into(),
            })
        })
        .map(Json)
}

async fn remove_member(
    State(sandbox): State<Sandbox>,
    Path((group_id, user_id)): Path<(String, String)>,
) -> Result<Json<Removed>, Failure> {
    ids::group_id(&group_id)?;
    ids::user_id(&user_id)?;
    sandbox
        .write(|org: &mut Org| {
            let index = org.group_index(&group_id)?;
            let group = &mut org.groups[index];
            group.ensure_not_scim()?;
            let at = member(group, &user_id)?;
            group.members.remove(at);
            // No audit event: the spec has none for an organization group's members.
            Ok(Removed::new("group.user.deleted"))
        })
        .map(Json)
}

fn member(group: &GroupRecord, user_id: &str) -> Result<usize, Failure> {
    group
        .members
        .iter()
        .position(|m| m.user_id == user_id)
        .ok_or_else(|| {
            Failure::not_found(
                format!(
                    "User '{user_id}' is not a member of group '{}'.",
                    group.group.name
                ),
                "user_id",
            )
        })
}
