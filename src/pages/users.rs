//! The Users page: the organization's members, paged by cursor, with role change and removal.

use admin_api::query::Paging;
use admin_api::users::{ListUsersQuery, User, UserRole};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::lookups::audit_link;
use crate::api::{self, paths};
use crate::app::Auth;
use crate::components::{ConfirmDialog, Listing, PagedList, Toast, Toasts, Write};
use crate::format::date_utc;

/// A role change waiting for confirmation.
type RoleChange = (User, UserRole);

/// The Users page.
#[component]
pub fn UsersPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let toasts = expect_context::<Toasts>();
    let query = use_query_map();
    // Upstream's own filter: exact emails, several at once (comma-separated here).
    let emails = Memo::new(move |_| {
        query
            .with(|q| q.get("emails"))
            .map(|e| {
                e.split(',')
                    .map(|x| x.trim().to_owned())
                    .filter(|x| !x.is_empty())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    });
    let users = Listing::<User>::new(move || {
        let query = ListUsersQuery {
            paging: Paging::default(),
            emails: emails.get(),
        };
        format!("{}?{}", paths::users(), query.to_query_string())
    });
    let confirm_role = RwSignal::new(None::<RoleChange>);
    let confirm_delete = RwSignal::new(None::<User>);
    let role_write = Write::new();
    let delete_write = Write::new();
    let change_role = Callback::new(move |()| {
        let Some((user, role)) = confirm_role.get_untracked() else {
            return;
        };
        role_write.about(audit_link("resource_id", &user.id)).run(
            async move { api::update_user_role(&user.id, role).await },
            move |user| {
                confirm_role.set(None);
                users.reload();
                toasts.push(Toast {
                    message: format!(
                        "{} is now {}.",
                        label(&user),
                        user.role.clone().unwrap_or_default()
                    ),
                    audit_link: Some(audit_link("resource_id", &user.id)),
                });
            },
        );
    });
    let remove = Callback::new(move |()| {
        let Some(user) = confirm_delete.get_untracked() else {
            return;
        };
        delete_write.about(audit_link("resource_id", &user.id)).run(
            async move { api::delete_user(&user.id).await },
            move |deleted| {
                confirm_delete.set(None);
                users.reload();
                toasts.push(Toast {
                    message: "The user was removed from the organization.".into(),
                    audit_link: Some(audit_link("resource_id", &deleted.id)),
                });
            },
        );
    });
    let ask_role = Callback::new(move |change: RoleChange| {
        role_write.reset();
        confirm_role.set(Some(change));
    });
    let ask_delete = Callback::new(move |user: User| {
        delete_write.reset();
        confirm_delete.set(Some(user));
    });

    let typed = RwSignal::new(emails.get_untracked().join(", "));
    let navigate = leptos_router::hooks::use_navigate();
    let search = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        let text = typed.get_untracked();
        let target = if text.trim().is_empty() {
            "/users".to_owned()
        } else {
            format!(
                "/users?{}",
                admin_api::query::encode([("emails", text.trim().to_owned())])
            )
        };
        navigate(&target, Default::default());
    };
    let pager_path = move || {
        let list = emails.get();
        if list.is_empty() {
            "/users".to_owned()
        } else {
            format!(
                "/users?{}",
                admin_api::query::encode([("emails", list.join(","))])
            )
        }
    };
    view! {
        <section aria-labelledby="users-heading">
            <h1 id="users-heading">"Users"</h1>
            <form class="filters" role="search" on:submit=search>
                <label for="user-emails">"Find by email"</label>
                <input id="user-emails" type="search" placeholder="ada@acme.example, bob@acme.example"
                    prop:value=typed on:input=move |e| typed.set(event_target_value(&e))/>
                <button type="submit">"Find"</button>
                <Show when=move || !emails.get().is_empty()>
                    <leptos_router::components::A href="/users">"Show everyone"</leptos_router::components::A>
                </Show>
            </form>
            <p class="hint">"OpenAI matches whole email addresses; separate several with commas."</p>
            <PagedList listing=users here=Signal::derive(pager_path) noun="users" rows={move |list: Vec<User>| view! {
                <UsersTable users=list can_write=auth.can_write()
                    on_change_role=ask_role on_delete=ask_delete/>
            }}/>
            {move || confirm_role.get().map(|(user, role)| view! {
                <ConfirmDialog title="Change role" class="primary"
                    message=format!(
                        "Change {}'s organization role from {} to {}?",
                        label(&user), user.role.clone().unwrap_or_else(|| "none".into()), role.as_str()
                    )
                    consequence=role_consequence(role)
                    confirm_label="Change role" pending_label="Changing…"
                    write=role_write on_confirm=change_role on_close=Callback::new(move |()| confirm_role.set(None))/>
            })}
            {move || confirm_delete.get().map(|user| view! {
                <ConfirmDialog title="Remove user"
                    message=format!("Remove {} from the organization?", label(&user))
                    consequence="The user loses access to the organization and all its projects. Their API keys stop working."
                    type_to_confirm=user.email.clone().unwrap_or_else(|| user.id.clone())
                    confirm_label="Remove user" pending_label="Removing…"
                    write=delete_write on_confirm=remove on_close=Callback::new(move |()| confirm_delete.set(None))/>
            })}
        </section>
    }
}

/// The table of users; write controls only for owners.
#[component]
pub fn UsersTable(
    /// The users on this page.
    #[prop(into)]
    users: Signal<Vec<User>>,
    /// Whether the signed-in portal user may change roles and remove users.
    #[prop(into)]
    can_write: Signal<bool>,
    /// Asks to change a user's role.
    on_change_role: Callback<RoleChange>,
    /// Asks to remove a user.
    on_delete: Callback<User>,
) -> impl IntoView {
    view! {
        <Show when=move || !users.with(Vec::is_empty)
            fallback=|| view! { <p class="empty">"No users on this page."</p> }>
            <table class="data">
                <caption class="visually-hidden">"Organization users"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Email"</th>
                        <th scope="col">"Role"</th>
                        <th scope="col">"Added (UTC)"</th>
                        <th scope="col">"Projects"</th>
                        <th scope="col">"Activity"</th>
                        <Show when=move || can_write.get()>
                            <th scope="col">"Actions"</th>
                        </Show>
                    </tr>
                </thead>
                <tbody>
                    <For each=move || users.get() key=|u| (u.id.clone(), u.role.clone()) let:user>
                        <UserRow user=user can_write=can_write on_change_role=on_change_role on_delete=on_delete/>
                    </For>
                </tbody>
            </table>
        </Show>
    }
}

/// One user's row.
#[component]
fn UserRow(
    /// The user.
    user: User,
    /// Whether write controls are shown.
    can_write: Signal<bool>,
    /// Asks to change the role.
    on_change_role: Callback<RoleChange>,
    /// Asks to remove the user.
    on_delete: Callback<User>,
) -> impl IntoView {
    let other_role = if user.role.as_deref() == Some("owner") {
        UserRole::Reader
    } else {
        UserRole::Owner
    };
    let name = label(&user);
    let role_label = format!("Make {name} {}", with_article(other_role));
    let remove_label = format!("Remove {name}");
    let offboard_label = format!("Offboard {name}");
    let offboard = format!("/users/{}/offboard", user.id);
    let page = format!("/users/{}", paths::seg(&user.id));
    let page_label = format!("{name}: roles and access");
    let activity_label = format!("Audit log of {name}");
    let projects_label = format!("Projects of {name}");
    let projects = format!(
        "/projects?{}",
        admin_api::query::encode([("member", user.id.clone())])
    );
    let activity = format!(
        "/audit-log?{}",
        admin_api::query::encode([(
            "actor",
            user.email.clone().unwrap_or_else(|| user.id.clone())
        )])
    );
    let (for_role, for_delete) = (user.clone(), user.clone());
    let change_role = move |_| on_change_role.run((for_role.clone(), other_role));
    let delete = move |_| on_delete.run(for_delete.clone());
    view! {
        <tr>
            <td><a href=page aria-label=page_label>{user.name.clone().unwrap_or_else(|| "—".into())}</a></td>
            <td>{user.email.clone().unwrap_or_else(|| "—".into())}</td>
            <td class="role">{user.role.clone().unwrap_or_else(|| "—".into())}</td>
            <td class="date">{date_utc(user.added_at)}</td>
            <td><a href=projects aria-label=projects_label>"Projects"</a></td>
            <td><a href=activity aria-label=activity_label>"Audit log"</a></td>
            <Show when=move || can_write.get()>
                <td class="actions">
                    <button type="button" aria-label=role_label.clone() on:click=change_role.clone()>
                        {format!("Make {}", other_role.as_str())}
                    </button>
                    <button type="button" class="danger" aria-label=remove_label.clone() on:click=delete.clone()>
                        "Remove"
                    </button>
                    <a href=offboard.clone() aria-label=offboard_label.clone()>"Offboard…"</a>
                </td>
            </Show>
        </tr>
    }
}

fn role_consequence(role: UserRole) -> &'static str {
    match role {
        UserRole::Owner => {
            "Owners can manage members, projects, billing and keys of the whole organization."
        }
        UserRole::Reader => {
            "Readers can use the organization's projects but cannot manage the organization."
        }
    }
}

fn with_article(role: UserRole) -> &'static str {
    match role {
        UserRole::Owner => "an owner",
        UserRole::Reader => "a reader",
    }
}

/// A user's name, or email, or id: whatever identifies them best.
fn label(user: &User) -> String {
    user.name
        .clone()
        .or_else(|| user.email.clone())
        .unwrap_or_else(|| user.id.clone())
}
