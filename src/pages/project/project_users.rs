//! A project's members: add an organization user, change a project role, remove.

use admin_api::project_users::{ProjectUser, ProjectUserCreate, ProjectUserUpdate};
use leptos::prelude::*;

use super::here;
use crate::api::{self, paths};
use crate::components::{
    ConfirmDialog, FormError, Listing, PagedList, SubmitButton, Toast, Toasts, Write,
};
use crate::format::date_utc;
use crate::pages::lookups::{self, audit_link};
use crate::pages::writes::delete_confirmed;

/// Members: add an organization user, change a role, remove.
#[component]
pub fn MembersTab(project_id: String, can_write: bool) -> impl IntoView {
    let toasts = expect_context::<Toasts>();
    let listing = Listing::<ProjectUser>::new({
        let base = paths::project_users(&project_id);
        move || base.clone()
    });
    let users = lookups::users();
    let user_id = RwSignal::new(String::new());
    let role = RwSignal::new("member".to_owned());
    let add_write = Write::new();
    let add = {
        let project_id = project_id.clone();
        move |event: web_sys::SubmitEvent| {
            event.prevent_default();
            let body = ProjectUserCreate {
                user_id: user_id.get_untracked(),
                role: role.get_untracked(),
            };
            if let Err(error) = body.validate() {
                add_write.refuse(error);
                return;
            }
            let path = paths::project_users(&project_id);
            add_write.run(
                async move { api::post_json::<ProjectUser, _>(&path, &body).await },
                move |member| {
                    user_id.set(String::new());
                    listing.reload();
                    toasts.push(Toast {
                        message: format!(
                            "{} joined the project as {}.",
                            member.email.clone().unwrap_or(member.id.clone()),
                            member.role
                        ),
                        audit_link: Some(audit_link("resource_id", &member.id)),
                    });
                },
            );
        }
    };
    let to_change = RwSignal::new(None::<ProjectUser>);
    let to_remove = RwSignal::new(None::<ProjectUser>);
    let change_write = Write::new();
    let remove_write = Write::new();
    let change = {
        let project_id = project_id.clone();
        Callback::new(move |()| {
            let Some(member) = to_change.get_untracked() else {
                return;
            };
            let role = if member.role == "owner" {
                "member"
            } else {
                "owner"
            };
            let path = paths::project_user(&project_id, &member.id);
            let body = ProjectUserUpdate { role: role.into() };
            change_write
                .about(audit_link("resource_id", &member.id))
                .run(
                    async move { api::post_json::<ProjectUser, _>(&path, &body).await },
                    move |updated| {
                        to_change.set(None);
                        listing.reload();
                        toasts.push(Toast {
                            message: format!(
                                "{} is now a project {}.",
                                updated.email.clone().unwrap_or(updated.id.clone()),
                                updated.role
                            ),
                            audit_link: Some(audit_link("resource_id", &updated.id)),
                        });
                    },
                );
        })
    };
    let remove = delete_confirmed(
        to_remove,
        remove_write,
        {
            let project_id = project_id.clone();
            move |m: &ProjectUser| paths::project_user(&project_id, &m.id)
        },
        |m| m.id.clone(),
        |m| {
            format!(
                "{} was removed from the project.",
                m.email.clone().unwrap_or(m.id.clone())
            )
        },
        move || listing.reload(),
    );
    let here = here(&project_id, "members");
    view! {
        {can_write.then(|| view! {
            <form class="card inline-form" on:submit=add aria-label="Add a member">
                <label for="member-user">"Organization user"</label>
                <select id="member-user" prop:value=user_id on:change=move |e| user_id.set(event_target_value(&e))>
                    <option value="">"Choose a user"</option>
                    {move || users.get().unwrap_or_default().into_iter().map(|u| {
                        let label = u.email.clone().unwrap_or_else(|| u.id.clone());
                        view! { <option value=u.id.clone()>{label}</option> }
                    }).collect_view()}
                </select>
                <label for="member-role">"Role"</label>
                <select id="member-role" prop:value=role on:change=move |e| role.set(event_target_value(&e))>
                    <option value="member">"Member"</option>
                    <option value="owner">"Owner"</option>
                </select>
                <SubmitButton write=add_write label="Add member" pending_label="Adding…"/>
                <FormError error=add_write.error audit=add_write.audit/>
            </form>
        })}
        <PagedList listing=listing here=here noun="members" rows={move |members| view! {
            <MembersTable members=members can_write=can_write
                on_change=Callback::new(move |m| { change_write.reset(); to_change.set(Some(m)); })
                on_remove=Callback::new(move |m| { remove_write.reset(); to_remove.set(Some(m)); })/>
        }}/>
        {move || to_change.get().map(|m| {
            let next = if m.role == "owner" { "member" } else { "owner" };
            view! {
                <ConfirmDialog title="Change project role" class="primary"
                    message=format!("Make {} a project {next}?", m.email.clone().unwrap_or(m.id.clone()))
                    consequence="Project owners manage the project's members, service accounts, keys and limits."
                    confirm_label="Change role" pending_label="Changing…"
                    write=change_write on_confirm=change on_close=Callback::new(move |()| to_change.set(None))/>
            }
        })}
        {move || to_remove.get().map(|m| view! {
            <ConfirmDialog title="Remove member"
                message=format!("Remove {} from this project?", m.email.clone().unwrap_or(m.id.clone()))
                consequence="They lose access to the project. Their API keys in this project stop working."
                confirm_label="Remove member" pending_label="Removing…"
                write=remove_write on_confirm=remove on_close=Callback::new(move |()| to_remove.set(None))/>
        })}
    }
}

/// The members on this page.
#[component]
pub fn MembersTable(
    members: Vec<ProjectUser>,
    can_write: bool,
    on_change: Callback<ProjectUser>,
    on_remove: Callback<ProjectUser>,
) -> impl IntoView {
    if members.is_empty() {
        return view! { <p class="empty">"No members on this page."</p> }.into_any();
    }
    view! {
        <table class="data">
            <caption class="visually-hidden">"Project members"</caption>
            <thead><tr>
                <th scope="col">"Name"</th><th scope="col">"Email"</th><th scope="col">"Role"</th>
                <th scope="col">"Added (UTC)"</th>
                {can_write.then(|| view! { <th scope="col">"Actions"</th> })}
            </tr></thead>
            <tbody>
                {members.into_iter().map(|m| {
                    let who = m.email.clone().unwrap_or_else(|| m.id.clone());
                    let next = if m.role == "owner" { "member" } else { "owner" };
                    let (for_change, for_remove) = (m.clone(), m.clone());
                    let change_label = format!("Make {who} a project {next}");
                    let remove_label = format!("Remove {who} from the project");
                    view! {
                        <tr data-id=m.id.clone()>
                            <td>{m.name.clone().unwrap_or_else(|| "—".into())}</td>
                            <td>{m.email.clone().unwrap_or_else(|| "—".into())}</td>
                            <td class="role">{m.role.clone()}</td>
                            <td class="date">{date_utc(m.added_at)}</td>
                            {can_write.then(|| view! {
                                <td class="actions">
                                    <button type="button" aria-label=change_label on:click=move |_| on_change.run(for_change.clone())>{format!("Make {next}")}</button>
                                    <button type="button" class="danger" aria-label=remove_label on:click=move |_| on_remove.run(for_remove.clone())>"Remove"</button>
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
