//! A principal's organization roles, once for both kinds: a group's (`/groups/{id}/roles`) and a
//! user's direct ones (`/users/{id}/roles`): the list, assigning one of the organization's
//! roles, and unassigning one after a confirmation.

use admin_api::CursorPage;
use admin_api::roles::{AssignedRole, ORGANIZATION_ROLE, ROLES_LIMIT_MAX, RoleAssign};
use leptos::prelude::*;

use super::lookups::{self, audit_link};
use super::roles::PermissionList;
use super::writes::delete_confirmed;
use crate::api::{self, paths};
use crate::components::{
    ConfirmDialog, ErrorNotice, FormError, Load, SubmitButton, Toast, Toasts, Write,
};

/// Who holds the roles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    Group(String),
    User(String),
}

impl Principal {
    fn id(&self) -> &str {
        match self {
            Self::Group(id) | Self::User(id) => id,
        }
    }

    fn roles_path(&self) -> String {
        match self {
            Self::Group(id) => paths::group_roles(id),
            Self::User(id) => paths::user_roles(id),
        }
    }

    fn role_path(&self, role_id: &str) -> String {
        match self {
            Self::Group(id) => paths::group_role(id, role_id),
            Self::User(id) => paths::user_role(id, role_id),
        }
    }
}

/// The organization roles `principal` holds directly, with assign and unassign for owners.
#[component]
pub fn RoleAssignments(
    /// The group or user.
    principal: Principal,
    /// Its name, for the words of dialogs and toasts.
    #[prop(into)]
    name: Signal<String>,
    /// Whether the signed-in user may assign and unassign.
    can_write: bool,
) -> impl IntoView {
    let toasts = expect_context::<Toasts>();
    let list_path = format!("{}?limit={ROLES_LIMIT_MAX}", principal.roles_path());
    let assigned = Load::new(move || {
        let path = list_path.clone();
        async move { api::get::<CursorPage<AssignedRole>>(&path).await }
    });
    let roles = lookups::roles_of(lookups::roles(), ORGANIZATION_ROLE);
    let role_id = RwSignal::new(String::new());
    let assign_write = Write::new();
    let assign = {
        let principal = principal.clone();
        move |event: web_sys::SubmitEvent| {
            event.prevent_default();
            let body = RoleAssign {
                role_id: role_id.get_untracked(),
            };
            if let Err(error) = body.validate() {
                assign_write.refuse(error);
                return;
            }
            let role_name = roles.with_untracked(|all| {
                all.iter()
                    .find(|r| r.id == body.role_id)
                    .map_or_else(|| body.role_id.clone(), |r| r.name.clone())
            });
            let path = principal.roles_path();
            let id = principal.id().to_owned();
            assign_write.about(audit_link("resource_id", &id)).run(
                async move { api::post_json::<serde_json::Value, _>(&path, &body).await },
                move |_| {
                    role_id.set(String::new());
                    assigned.reload();
                    toasts.push(Toast {
                        message: format!("{} now holds {role_name}.", name.get_untracked()),
                        audit_link: Some(audit_link("resource_id", &id)),
                    });
                },
            );
        }
    };
    let to_remove = RwSignal::new(None::<AssignedRole>);
    let remove_write = Write::new();
    let remove = delete_confirmed(
        to_remove,
        remove_write,
        {
            let principal = principal.clone();
            move |r: &AssignedRole| principal.role_path(&r.id)
        },
        {
            let id = principal.id().to_owned();
            move |_| id.clone()
        },
        move |r| format!("{} no longer holds {}.", name.get_untracked(), r.name),
        move || assigned.reload(),
    );
    let held = move || assigned.ok().map(|page| page.data).unwrap_or_default();
    let open_roles = move || {
        let held: Vec<String> = held().into_iter().map(|r| r.id).collect();
        roles
            .get()
            .into_iter()
            .filter(|r| !held.contains(&r.id))
            .collect::<Vec<_>>()
    };
    view! {
        {can_write.then(|| view! {
            <form class="card inline-form" on:submit=assign aria-label="Assign an organization role">
                <label for="assign-role">"Organization role"</label>
                <select id="assign-role" prop:value=role_id on:change=move |e| role_id.set(event_target_value(&e))>
                    <option value="">"Choose a role"</option>
                    {move || open_roles().into_iter().map(|r| view! { <option value=r.id.clone()>{r.name.clone()}</option> }).collect_view()}
                </select>
                <SubmitButton write=assign_write label="Assign role" pending_label="Assigning…"/>
                <FormError error=assign_write.error audit=assign_write.audit/>
            </form>
        })}
        {move || assigned.first_load().get().then(|| view! {
            <p class="loading" aria-busy="true"><span class="spinner" aria-hidden="true"></span>"Loading roles…"</p>
        })}
        {move || assigned.error().get().map(|error| view! { <ErrorNotice error=error/> })}
        <div class="listing" aria-busy=move || assigned.loading.get().to_string()>
            {move || assigned.ok().map(|page| view! {
                <AssignedRolesTable roles=page.data.clone() can_write=can_write
                    on_remove=Callback::new(move |r| { remove_write.reset(); to_remove.set(Some(r)); })/>
                {page.has_more.then(|| view! {
                    <p class="count">{format!("Only the first {ROLES_LIMIT_MAX} assignments are shown.")}</p>
                })}
            })}
        </div>
        {move || to_remove.get().map(|r| view! {
            <ConfirmDialog title="Unassign role"
                message=format!("Take {} away from {}?", r.name, name.get_untracked())
                consequence="Its permissions go at once, unless they are held another way."
                confirm_label="Unassign role" pending_label="Unassigning…"
                write=remove_write on_confirm=remove on_close=Callback::new(move |()| to_remove.set(None))/>
        })}
    }
}

/// The roles held, with an Unassign button each for owners.
#[component]
pub fn AssignedRolesTable(
    /// The roles.
    roles: Vec<AssignedRole>,
    /// Whether Unassign is offered.
    can_write: bool,
    /// Asks to unassign one.
    on_remove: Callback<AssignedRole>,
) -> impl IntoView {
    if roles.is_empty() {
        return view! { <p class="empty">"No organization roles assigned."</p> }.into_any();
    }
    view! {
        <table class="data">
            <caption class="visually-hidden">"Organization roles assigned"</caption>
            <thead><tr>
                <th scope="col">"Role"</th><th scope="col">"Description"</th><th scope="col">"Permissions"</th>
                {can_write.then(|| view! { <th scope="col">"Actions"</th> })}
            </tr></thead>
            <tbody>
                {roles.into_iter().map(|r| {
                    let label = format!("Unassign {}", r.name);
                    let for_remove = r.clone();
                    view! {
                        <tr data-id=r.id.clone()>
                            <td>{r.name.clone()}</td>
                            <td>{r.description.clone().unwrap_or_else(|| "—".into())}</td>
                            <td><PermissionList permissions=r.permissions.clone()/></td>
                            {can_write.then(|| view! {
                                <td class="actions">
                                    <button type="button" class="danger" aria-label=label
                                        on:click=move |_| on_remove.run(for_remove.clone())>"Unassign"</button>
                                </td>
                            })}
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
