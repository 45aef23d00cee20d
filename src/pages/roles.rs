//! The Roles page: the organization's roles (built-in and custom, organization and project
//! scope) with their permissions; creating, editing and deleting custom ones. Upstream lists
//! no permissions of its own, so the vocabulary to pick from is every permission the
//! organization's roles name, and a new one can be typed.

use std::collections::BTreeSet;

use admin_api::CursorPage;
use admin_api::roles::{ORGANIZATION_ROLE, PROJECT_ROLE, Role, RoleCreate, RoleUpdate};
use leptos::prelude::*;

use super::lookups::{self, audit_link};
use super::writes::delete_confirmed;
use crate::api::{self, paths};
use crate::app::Auth;
use crate::components::{
    ConfirmDialog, FormError, Listing, Modal, PagedList, SubmitButton, Toast, Toasts, Write,
};

/// Why a built-in role has no controls.
pub const BUILT_IN_REASON: &str = "Built in: OpenAI manages this role, so it is read-only.";

/// Every permission `roles` name, each once, sorted.
pub fn permission_vocabulary(roles: &[Role]) -> Vec<String> {
    roles
        .iter()
        .flat_map(|r| r.permissions.iter().cloned())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// "Organization" or "Project", from a role's `resource_type`.
pub fn scope_label(resource_type: &str) -> String {
    match resource_type {
        ORGANIZATION_ROLE => "Organization".into(),
        PROJECT_ROLE => "Project".into(),
        other => other.to_owned(),
    }
}

/// The Roles page.
#[component]
pub fn RolesPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let toasts = expect_context::<Toasts>();
    let listing = Listing::<Role, CursorPage<Role>>::new(paths::roles);
    let all_roles = lookups::roles();
    let vocabulary =
        Signal::derive(move || permission_vocabulary(&all_roles.get().unwrap_or_default()));
    let editing = RwSignal::new(None::<Role>);
    let to_delete = RwSignal::new(None::<Role>);
    let delete_write = Write::new();
    let delete = delete_confirmed(
        to_delete,
        delete_write,
        |r: &Role| paths::role(&r.id),
        |r| r.id.clone(),
        |r| format!("The role {} was deleted.", r.name),
        move || listing.reload(),
    );
    let saved = move |verb: &'static str| {
        Callback::new(move |role: Role| {
            editing.set(None);
            listing.reload();
            toasts.push(Toast {
                message: format!("The role {} was {verb}.", role.name),
                audit_link: Some(audit_link("resource_id", &role.id)),
            });
        })
    };
    let (created, updated) = (saved("created"), saved("saved"));
    let can_write = auth.can_write();
    view! {
        <section aria-labelledby="roles-heading">
            <h1 id="roles-heading">"Roles"</h1>
            <Show when=move || can_write.get()>
                <details class="card">
                    <summary>"Create a custom role"</summary>
                    <RoleForm vocabulary=vocabulary on_saved=created/>
                </details>
            </Show>
            <PagedList listing=listing here="/roles" noun="roles" rows=move |roles| view! {
                <RolesTable roles=roles can_write=can_write.get()
                    on_edit=Callback::new(move |r| editing.set(Some(r)))
                    on_delete=Callback::new(move |r| { delete_write.reset(); to_delete.set(Some(r)); })/>
            }/>
            {move || editing.get().map(|r| view! {
                <Modal title=format!("Edit {}", r.name) on_close=Callback::new(move |()| editing.set(None))>
                    <RoleForm role=r vocabulary=vocabulary on_saved=updated
                        on_cancel=Callback::new(move |()| editing.set(None))/>
                </Modal>
            })}
            {move || to_delete.get().map(|r| view! {
                <ConfirmDialog title="Delete role"
                    message=format!("Delete the role {}?", r.name)
                    consequence="Everyone who holds it, directly or through a group, loses its permissions. This cannot be undone."
                    type_to_confirm=r.name.clone()
                    confirm_label="Delete role" pending_label="Deleting…"
                    write=delete_write on_confirm=delete on_close=Callback::new(move |()| to_delete.set(None))/>
            })}
        </section>
    }
}

/// The roles on this page; custom ones have Edit and Delete for owners.
#[component]
pub fn RolesTable(
    /// The roles.
    roles: Vec<Role>,
    /// Whether the signed-in user may change roles.
    can_write: bool,
    /// Asks to edit one.
    on_edit: Callback<Role>,
    /// Asks to delete one.
    on_delete: Callback<Role>,
) -> impl IntoView {
    if roles.is_empty() {
        return view! { <p class="empty">"No roles on this page."</p> }.into_any();
    }
    view! {
        <table class="data">
            <caption class="visually-hidden">"Roles"</caption>
            <thead><tr>
                <th scope="col">"Name"</th><th scope="col">"Description"</th><th scope="col">"Scope"</th>
                <th scope="col">"Kind"</th><th scope="col">"Permissions"</th>
                {can_write.then(|| view! { <th scope="col">"Actions"</th> })}
            </tr></thead>
            <tbody>
                {roles.into_iter().map(|r| {
                    let (for_edit, for_delete) = (r.clone(), r.clone());
                    let (edit_label, delete_label) = (format!("Edit {}", r.name), format!("Delete {}", r.name));
                    let built_in = r.predefined_role;
                    view! {
                        <tr data-id=r.id.clone()>
                            <td>{r.name.clone()}</td>
                            <td>{r.description.clone().unwrap_or_else(|| "—".into())}</td>
                            <td class="scope">{scope_label(&r.resource_type)}</td>
                            <td class="kind">{if built_in { "Built-in" } else { "Custom" }}</td>
                            <td><PermissionList permissions=r.permissions.clone()/></td>
                            {can_write.then(|| if built_in {
                                view! { <td class="actions"><span class="hint">{BUILT_IN_REASON}</span></td> }.into_any()
                            } else {
                                view! {
                                    <td class="actions">
                                        <button type="button" aria-label=edit_label on:click=move |_| on_edit.run(for_edit.clone())>"Edit"</button>
                                        <button type="button" class="danger" aria-label=delete_label on:click=move |_| on_delete.run(for_delete.clone())>"Delete"</button>
                                    </td>
                                }.into_any()
                            })}
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// A role's permissions, as a list.
#[component]
pub fn PermissionList(
    /// The permissions.
    permissions: Vec<String>,
) -> impl IntoView {
    view! {
        <ul class="permissions">
            {permissions.into_iter().map(|p| view! { <li><code>{p}</code></li> }).collect_view()}
        </ul>
    }
}

/// Creates a role, or edits `role`: name, description and permissions. Upstream's error (or
/// the same check made first) shows in the form, which keeps what was typed.
#[component]
pub fn RoleForm(
    /// The role to edit; none for a new one.
    #[prop(optional)]
    role: Option<Role>,
    /// The permissions to pick from.
    #[prop(into)]
    vocabulary: Signal<Vec<String>>,
    /// Called with the saved role.
    on_saved: Callback<Role>,
    /// Offered as Cancel (in the edit dialog).
    #[prop(optional)]
    on_cancel: Option<Callback<()>>,
) -> impl IntoView {
    let prefix = if role.is_some() {
        "role-edit"
    } else {
        "role-new"
    };
    let editing = role.as_ref().map(|r| r.id.clone());
    let name = RwSignal::new(role.as_ref().map(|r| r.name.clone()).unwrap_or_default());
    let description = RwSignal::new(
        role.as_ref()
            .and_then(|r| r.description.clone())
            .unwrap_or_default(),
    );
    let chosen = RwSignal::new(role.map(|r| r.permissions).unwrap_or_default());
    let write = Write::new();
    let save = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        let role_name = name.get_untracked().trim().to_owned();
        let text = description.get_untracked().trim().to_owned();
        let permissions = chosen.get_untracked();
        let is_new = editing.is_none();
        let done = move |role: Role| {
            if is_new {
                name.set(String::new());
                description.set(String::new());
                chosen.set(Vec::new());
            }
            on_saved.try_run(role);
        };
        match editing.clone() {
            None => {
                let body = RoleCreate {
                    role_name,
                    permissions,
                    description: (!text.is_empty()).then_some(text),
                };
                if let Err(error) = body.validate() {
                    write.refuse(error);
                    return;
                }
                write.run(
                    async move { api::post_json::<Role, _>(&paths::roles(), &body).await },
                    done,
                );
            }
            Some(id) => {
                let body = RoleUpdate {
                    permissions: Some(permissions),
                    description: Some(text),
                    role_name: Some(role_name),
                };
                if let Err(error) = body.validate() {
                    write.refuse(error);
                    return;
                }
                let path = paths::role(&id);
                write.about(audit_link("resource_id", &id)).run(
                    async move { api::post_json::<Role, _>(&path, &body).await },
                    done,
                );
            }
        }
    };
    let (save_label, pending_label) = if prefix == "role-edit" {
        ("Save role", "Saving…")
    } else {
        ("Create role", "Creating…")
    };
    view! {
        <form class="role-form" novalidate=true on:submit=save>
            <label for=format!("{prefix}-name")>"Name"</label>
            <input id=format!("{prefix}-name") autocomplete="off" prop:value=name on:input=move |e| name.set(event_target_value(&e))/>
            <label for=format!("{prefix}-description")>"Description (optional)"</label>
            <input id=format!("{prefix}-description") autocomplete="off" prop:value=description
                on:input=move |e| description.set(event_target_value(&e))/>
            <PermissionPicker vocabulary=vocabulary chosen=chosen id=prefix/>
            <FormError error=write.error audit=write.audit/>
            <div class="buttons">
                {on_cancel.map(|cancel| view! { <button type="button" on:click=move |_| cancel.run(())>"Cancel"</button> })}
                <SubmitButton write=write label=save_label pending_label=pending_label/>
            </div>
        </form>
    }
}

/// Checkboxes for the vocabulary and whatever is already chosen, and a field to add a
/// permission no role names yet.
#[component]
pub fn PermissionPicker(
    /// The permissions the organization's roles name.
    #[prop(into)]
    vocabulary: Signal<Vec<String>>,
    /// The chosen ones, in the order chosen.
    chosen: RwSignal<Vec<String>>,
    /// A prefix for the element ids, unique on the page.
    id: &'static str,
) -> impl IntoView {
    let typed = RwSignal::new(String::new());
    let offered = move || {
        let mut all: BTreeSet<String> = vocabulary.get().into_iter().collect();
        all.extend(chosen.get());
        all.into_iter().collect::<Vec<_>>()
    };
    let toggle = move |permission: String, on: bool| {
        chosen.update(|c| {
            c.retain(|p| *p != permission);
            if on {
                c.push(permission);
            }
        });
    };
    let add_typed = move || {
        let permission = typed.get_untracked().trim().to_owned();
        if permission.is_empty() {
            return;
        }
        chosen.update(|c| {
            if !c.contains(&permission) {
                c.push(permission);
            }
        });
        typed.set(String::new());
    };
    let new_id = format!("{id}-new-permission");
    view! {
        <fieldset class="permissions-picker">
            <legend>"Permissions"</legend>
            <p class="hint">{move || format!("{} chosen.", chosen.with(Vec::len))}</p>
            <For each=offered key=|p| p.clone() let:permission>
                {
                    let for_checked = permission.clone();
                    let for_toggle = permission.clone();
                    view! {
                        <label class="check">
                            <input type="checkbox" value=permission.clone()
                                prop:checked=move || chosen.with(|c| c.contains(&for_checked))
                                on:change=move |e| toggle(for_toggle.clone(), event_target_checked(&e))/>
                            <code>{permission}</code>
                        </label>
                    }
                }
            </For>
            <div class="inline-form">
                <label for=new_id.clone()>"Another permission"</label>
                <input id=new_id autocomplete="off" placeholder="api.groups.read" prop:value=typed
                    on:input=move |e| typed.set(event_target_value(&e))
                    on:keydown=move |e: web_sys::KeyboardEvent| if e.key() == "Enter" {
                        // Enter adds the permission here; it does not send the whole form.
                        e.prevent_default();
                        add_typed();
                    }/>
                <button type="button" on:click=move |_| add_typed()>"Add permission"</button>
            </div>
        </fieldset>
    }
}
