//! `/organization/invites`: list, create, retrieve, delete; and the sandbox-only control
//! `POST /sandbox/invites/{invite_id}/accept`, which simulates the person accepting.

use admin_api::audit_logs::{AuditLogActor, AuditLogActorSession, AuditLogActorUser};
use admin_api::invites::{Invite, InviteDeleted, InviteRequest};
use admin_api::project_users::ProjectUser;
use admin_api::query::{Paging, QueryPairs};
use admin_api::users::User;
use admin_api::{ApiError, ListPage, ids};
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde_json::json;

use crate::org::Caller;
use crate::{Failure, Org, Sandbox, paging};

/// How long an invite stays valid. Upstream does not document it; a week is common.
pub const INVITE_LIFETIME: i64 = 7 * 86_400;

/// The invites routes.
pub fn router() -> Router<Sandbox> {
    Router::new()
        .route(
            "/organization/invites",
            get(list_invites).post(create_invite),
        )
        .route(
            "/organization/invites/{invite_id}",
            get(retrieve_invite).delete(delete_invite),
        )
}

/// The sandbox-only controls (outside `/v1`).
pub fn controls() -> Router<Sandbox> {
    Router::new().route("/sandbox/invites/{invite_id}/accept", post(accept_invite))
}

/// The invite as a reader sees it now: a pending invite past its expiry reads `expired`.
fn as_of(invite: &Invite, at: i64) -> Invite {
    let mut invite = invite.clone();
    if invite.status == "pending" && invite.expires_at.is_some_and(|e| e <= at) {
        "expired".clone_into(&mut invite.status);
    }
    invite
}

async fn list_invites(
    State(sandbox): State<Sandbox>,
    RawQuery(raw): RawQuery,
) -> Result<Json<ListPage<Invite>>, Failure> {
    let paging = Paging::take_from(&mut QueryPairs::parse(raw.as_deref()))?;
    sandbox
        .read(|org| {
            let at = org.now();
            let current: Vec<Invite> = org.invites.iter().map(|i| as_of(i, at)).collect();
            paging::page(current.iter(), &paging, |i| &i.id)
        })
        .map(Json)
}

async fn retrieve_invite(
    State(sandbox): State<Sandbox>,
    Path(invite_id): Path<String>,
) -> Result<Json<Invite>, Failure> {
    ids::invite_id(&invite_id)?;
    sandbox
        .read(|org| find(org, &invite_id).map(|i| as_of(&org.invites[i], org.now())))
        .map(Json)
}

async fn create_invite(
    State(sandbox): State<Sandbox>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Result<Json<Invite>, Failure> {
    let request: InviteRequest = admin_api::body::parse(&body, InviteRequest::FIELDS)?;
    request.validate()?;
    sandbox
        .write(|org| {
            let email = request.email.to_lowercase();
            let taken =
                |e: &Option<String>| e.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(&email));
            if org.users.iter().any(|u| taken(&u.email)) {
                return Err(bad_email(format!(
                    "{email} is already a member of the organization."
                )));
            }
            let at = org.now();
            if org
                .invites
                .iter()
                .any(|i| i.email.eq_ignore_ascii_case(&email) && as_of(i, at).status == "pending")
            {
                return Err(bad_email(format!("{email} already has a pending invite.")));
            }
            for project in &request.projects {
                let record = org.project(&project.id).map_err(|f| {
                    Failure::bad_request(ApiError {
                        param: Some("projects".into()),
                        ..f.error
                    })
                })?;
                record.ensure_active().map_err(|f| {
                    Failure::bad_request(ApiError {
                        param: Some("projects".into()),
                        ..f.error
                    })
                })?;
            }
            let invite = Invite {
                object: "organization.invite".into(),
                id: org.new_id("invite-"),
                email: email.clone(),
                role: request.role.clone(),
                status: "pending".into(),
                created_at: at,
                expires_at: Some(at + INVITE_LIFETIME),
                accepted_at: None,
                projects: request.projects.clone(),
            };
            org.invites.push(invite.clone());
            org.record(
                &caller,
                "invite.sent",
                json!({"id": invite.id, "data": {"email": email, "role": request.role}}),
                None,
            );
            Ok(invite)
        })
        .map(Json)
}

async fn delete_invite(
    State(sandbox): State<Sandbox>,
    Extension(caller): Extension<Caller>,
    Path(invite_id): Path<String>,
) -> Result<Json<InviteDeleted>, Failure> {
    ids::invite_id(&invite_id)?;
    sandbox
        .write(|org| {
            let index = find(org, &invite_id)?;
            if org.invites[index].status == "accepted" {
                return Err(Failure::bad_request(ApiError::invalid_request(
                    "This invite has already been accepted and cannot be deleted.",
                    Some("invite_id"),
                )));
            }
            org.invites.remove(index);
            org.record(&caller, "invite.deleted", json!({"id": invite_id}), None);
            Ok(InviteDeleted::new(
                "organization.invite.deleted",
                &invite_id,
            ))
        })
        .map(Json)
}

async fn accept_invite(
    State(sandbox): State<Sandbox>,
    Path(invite_id): Path<String>,
) -> Result<Json<Invite>, Failure> {
    ids::invite_id(&invite_id)?;
    sandbox
        .write(|org| {
            let index = find(org, &invite_id)?;
            let at = org.now();
            let invite = as_of(&org.invites[index], at);
            if invite.status != "pending" {
                return Err(Failure::bad_request(ApiError::invalid_request(
                    format!(
                        "This invite is {} and can no longer be accepted.",
                        invite.status
                    ),
                    Some("invite_id"),
                )));
            }
            let user = User {
                object: "organization.user".into(),
                id: org.new_id("user-"),
                name: Some(name_from_email(&invite.email)),
                email: Some(invite.email.clone()),
                role: Some(invite.role.clone()),
                added_at: at,
            };
            for project in &invite.projects {
                if let Ok(record) = org.project_mut(&project.id)
                    && !record.project.is_archived()
                {
                    record.members.push(ProjectUser {
                        object: "organization.project.user".into(),
                        id: user.id.clone(),
                        name: user.name.clone(),
                        email: user.email.clone(),
                        role: project.role.clone(),
                        added_at: at,
                    });
                }
            }
            org.users.push(user.clone());
            let stored = &mut org.invites[index];
            "accepted".clone_into(&mut stored.status);
            stored.accepted_at = Some(at);
            let accepted = stored.clone();
            // The person accepts in their browser, so the events carry their session.
            let actor = AuditLogActor {
                kind: "session".into(),
                session: Some(AuditLogActorSession {
                    user: Some(AuditLogActorUser {
                        id: user.id.clone(),
                        email: user.email.clone(),
                    }),
                    ip_address: Some("203.0.113.77".into()),
                    user_agent: Some(crate::seed::BROWSER.into()),
                    ja3: None,
                    ja4: None,
                    ip_address_details: None,
                }),
                api_key: None,
            };
            org.record_at(
                at,
                "invite.accepted",
                json!({"id": invite_id}),
                actor.clone(),
                None,
            );
            org.record_at(
                at,
                "user.added",
                json!({"id": user.id, "data": {"role": invite.role}}),
                actor,
                None,
            );
            Ok(accepted)
        })
        .map(Json)
}

fn find(org: &Org, invite_id: &str) -> Result<usize, Failure> {
    org.invites
        .iter()
        .position(|i| i.id == invite_id)
        .ok_or_else(|| Failure::not_found(format!("No such invite: '{invite_id}'."), "invite_id"))
}

fn bad_email(message: String) -> Failure {
    Failure::bad_request(ApiError::invalid_request(message, Some("email")))
}

/// `ada.lovelace@x` → `Ada Lovelace`.
pub(crate) fn name_from_email(email: &str) -> String {
    email
        .split('@')
        .next()
        .unwrap_or_default()
        .split(['.', '_', '-'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}
