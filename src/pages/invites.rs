//! The Invites page: who has been invited, to what, and until when; inviting someone (with
//! optional projects, each with a role); deleting a pending invite; and, in demo mode only,
//! simulating the person's acceptance through the sandbox.

use admin_api::invites::{Invite, InviteProject, InviteRequest};
use admin_api::projects::Project;
use leptos::prelude::*;

use super::lookups::{self, audit_link, project_name};
use super::writes::delete_confirmed;
use crate::api::{self, paths};
use crate::app::Auth;
use crate::components::{
    ConfirmDialog, FormError, Listing, Load, PagedList, SubmitButton, Toast, Toasts, Write,
};
use crate::format::date_utc;

/// The Invites page.
#[component]
pub fn InvitesPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let toasts = expect_context::<Toasts>();
    let listing = Listing::<Invite>::new(paths::invites);
    let projects = lookups::projects();
    let meta = Load::new(api::meta);
    let to_delete = RwSignal::new(None::<Invite>);
    let delete_write = Write::new();
    let accept_write = Write::new();
    let delete = delete_confirmed(
        to_delete,
        delete_write,
        |i: &Invite| paths::invite(&i.id),
        |i| i.id.clone(),
        |i| format!("The invite to {} was deleted.", i.email),
        move || listing.reload(),
    );
    let accept = Callback::new(move |invite: Invite| {
        let path = paths::sandbox_invite_accept(&invite.id);
        accept_write.run(
            async move { api::post::<Invite>(&path).await },
            move |accepted| {
                listing.reload();
                toasts.push(Toast {
                    message: format!("{} accepted the invite (simulated).", accepted.email),
                    audit_link: Some(audit_link("resource_id", &accepted.id)),
                });
            },
        );
    });
    let invited = Callback::new(move |invite: Invite| {
        listing.reload();
        toasts.push(Toast {
            message: format!("{} was invited as {}.", invite.email, invite.role),
            audit_link: Some(audit_link("resource_id", &invite.id)),
        });
    });
    let can_write = auth.can_write();
    view! {
        <section aria-labelledby="invites-heading">
            <h1 id="invites-heading">"Invites"</h1>
            <Show when=move || can_write.get()>
                <InviteForm projects=projects on_invited=invited/>
            </Show>
            <FormError error=accept_write.error audit=accept_write.audit/>
            <PagedList listing=listing here="/invites" noun="invites" rows={move |invites| view! {
                <InvitesTable invites=invites projects=projects can_write=can_write.get()
                    demo=meta.ok().is_some_and(|m| m.demo) on_delete=Callback::new(move |i: Invite| {
                        delete_write.reset();
                        to_delete.set(Some(i));
                    })
                    on_accept=accept accepting=accept_write.pending/>
            }}/>
            {move || to_delete.get().map(|invite| view! {
                <ConfirmDialog title="Delete invite"
                    message=format!("Delete the pending invite to {}?", invite.email)
                    consequence="The link in their email stops working. You can invite them again later."
                    confirm_label="Delete invite" pending_label="Deleting…"
                    write=delete_write on_confirm=delete on_close=Callback::new(move |()| to_delete.set(None))/>
            })}
        </section>
    }
}

/// The invites on this page.
#[component]
pub fn InvitesTable(
    /// The invites.
    invites: Vec<Invite>,
    /// Project names, for the projects column.
    projects: Signal<Option<Vec<Project>>>,
    /// Whether the signed-in user may delete.
    can_write: bool,
    /// Whether the sandbox's acceptance control is available.
    #[prop(default = false)]
    demo: bool,
    /// Asks to delete an invite.
    on_delete: Callback<Invite>,
    /// Simulates acceptance (demo mode).
    on_accept: Callback<Invite>,
    /// Whether a simulated acceptance is on its way.
    #[prop(into, optional)]
    accepting: Option<Signal<bool>>,
) -> impl IntoView {
    let accepting = move || accepting.is_some_and(|a| a.get());
    if invites.is_empty() {
        return view! { <p class="empty">"No invites. Invited people appear here until they accept or the invite expires."</p> }.into_any();
    }
    view! {
        <table class="data">
            <caption class="visually-hidden">"Invites"</caption>
            <thead>
                <tr>
                    <th scope="col">"Email"</th>
                    <th scope="col">"Role"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"Invited (UTC)"</th>
                    <th scope="col">"Expires (UTC)"</th>
                    <th scope="col">"Projects"</th>
                    {can_write.then(|| view! { <th scope="col">"Actions"</th> })}
                </tr>
            </thead>
            <tbody>
                {invites.into_iter().map(|invite| {
                    let pending = invite.status == "pending";
                    let project_list = {
                        let list = invite.projects.clone();
                        move || projects.with(|all| {
                            if list.is_empty() {
                                return "—".to_owned();
                            }
                            list.iter()
                                .map(|p| format!("{} ({})", project_name(all, &p.id), p.role))
                                .collect::<Vec<_>>()
                                .join(", ")
                        })
                    };
                    let (for_delete, for_accept) = (invite.clone(), invite.clone());
                    let email = invite.email.clone();
                    view! {
                        <tr data-id=invite.id.clone()>
                            <td>{invite.email.clone()}</td>
                            <td>{invite.role.clone()}</td>
                            <td><span class=format!("status {}", invite.status)>{invite.status.clone()}</span></td>
                            <td class="date">{date_utc(invite.created_at)}</td>
                            <td class="date">{invite.expires_at.map_or_else(|| "—".to_owned(), date_utc)}</td>
                            <td>{project_list}</td>
                            {can_write.then(|| view! {
                                <td class="actions">
                                    {(pending && demo).then(|| view! {
                                        <button type="button" aria-label=format!("Simulate acceptance by {email}")
                                            disabled=accepting aria-busy=move || accepting().to_string()
                                            on:click=move |_| on_accept.run(for_accept.clone())>
                                            {move || if accepting() { "Accepting…" } else { "Simulate acceptance" }}
                                        </button>
                                    })}
                                    {pending.then(|| view! {
                                        <button type="button" class="danger" aria-label=format!("Delete the invite to {}", invite.email)
                                            on:click=move |_| on_delete.run(for_delete.clone())>"Delete"</button>
                                    })}
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

/// One project row of the invite form.
#[derive(Debug, Clone, Copy)]
struct ProjectChoice {
    key: usize,
    id: RwSignal<String>,
    role: RwSignal<String>,
}

/// The invite form: email, organization role, and optional projects each with a role. It is
/// checked with the same rules the BFF applies; on failure it keeps everything typed.
#[component]
pub fn InviteForm(
    /// The projects one can be invited to (archived ones are left out).
    projects: Signal<Option<Vec<Project>>>,
    /// Called with the new invite.
    on_invited: Callback<Invite>,
) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let role = RwSignal::new("reader".to_owned());
    let chosen = RwSignal::new(Vec::<ProjectChoice>::new());
    let next_key = StoredValue::new(0_usize);
    let write = Write::new();
    let add_project = move |_| {
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        chosen.update(|c| {
            c.push(ProjectChoice {
                key,
                id: RwSignal::new(String::new()),
                role: RwSignal::new("member".to_owned()),
            });
        });
    };
    let submit = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        let request = InviteRequest {
            email: email.get_untracked().trim().to_owned(),
            role: role.get_untracked(),
            projects: chosen
                .get_untracked()
                .iter()
                .map(|c| InviteProject {
                    id: c.id.get_untracked(),
                    role: c.role.get_untracked(),
                })
                .collect(),
        };
        if let Err(error) = request.validate() {
            write.refuse(error);
            return;
        }
        let body = request;
        write.run(
            async move { api::post_json::<Invite, _>(&paths::invites(), &body).await },
            move |invite| {
                email.set(String::new());
                chosen.set(Vec::new());
                on_invited.try_run(invite);
            },
        );
    };
    let open_projects = move || {
        projects
            .get()
            .unwrap_or_default()
            .into_iter()
            .filter(|p| !p.is_archived())
            .collect::<Vec<_>>()
    };
    view! {
        <form class="card invite-form" novalidate=true on:submit=submit aria-labelledby="invite-heading">
            <h2 id="invite-heading">"Invite someone"</h2>
            <div class="row">
                <div>
                    <label for="invite-email">"Email"</label>
                    <input id="invite-email" type="email" required=true autocomplete="off" prop:value=email
                        on:input=move |e| email.set(event_target_value(&e))/>
                </div>
                <div>
                    <label for="invite-role">"Organization role"</label>
                    <select id="invite-role" prop:value=role on:change=move |e| role.set(event_target_value(&e))>
                        <option value="reader">"Reader"</option>
                        <option value="owner">"Owner"</option>
                    </select>
                </div>
            </div>
            <fieldset class="projects">
                <legend>"Projects (optional)"</legend>
                <For each=move || chosen.get() key=|c| c.key let:choice>
                    {
                        let n = choice.key;
                        let remove = move |_| chosen.update(|c| c.retain(|x| x.key != n));
                        view! {
                            <div class="row project-choice">
                                <label for=format!("invite-project-{n}")>"Project"</label>
                                <select id=format!("invite-project-{n}") prop:value=choice.id
                                    on:change=move |e| choice.id.set(event_target_value(&e))>
                                    <option value="">"Choose a project"</option>
                                    {move || open_projects().into_iter().map(|p| {
                                        let name = p.name.clone().unwrap_or_else(|| p.id.clone());
                                        view! { <option value=p.id.clone()>{name}</option> }
                                    }).collect_view()}
                                </select>
                                <label for=format!("invite-project-role-{n}")>"Role there"</label>
                                <select id=format!("invite-project-role-{n}") prop:value=choice.role
                                    on:change=move |e| choice.role.set(event_target_value(&e))>
                                    <option value="member">"Member"</option>
                                    <option value="owner">"Owner"</option>
                                </select>
                                <button type="button" class="link" aria-label=format!("Remove project row {}", n + 1) on:click=remove>"Remove"</button>
                            </div>
                        }
                    }
                </For>
                <button type="button" on:click=add_project>"Add a project"</button>
            </fieldset>
            <FormError error=write.error audit=write.audit/>
            <SubmitButton write=write label="Send invite" pending_label="Inviting…"/>
        </form>
    }
}
