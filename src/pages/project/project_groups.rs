//! The groups granted a project: grant a group a project role, revoke a grant.

use admin_api::CursorPage;
use admin_api::project_groups::{ProjectGroup, ProjectGroupGrant};
use admin_api::roles::PROJECT_ROLE;
use leptos::prelude::*;

use super::here;
use crate::api::{self, paths};
use crate::components::{
    ConfirmDialog, FormError, Listing, PagedList, SubmitButton, Toast, Toasts, Write,
};
use crate::format::date_utc;
use crate::pages::groups::group_href;
use crate::pages::lookups::{self, audit_link};
use crate::pages::writes::delete_confirmed;

/// Groups: grant one a project role, revoke.
#[component]
pub fn GroupsTab(project_id: String, can_write: bool) -> impl IntoView {
    let listing = Listing::<ProjectGroup, CursorPage<ProjectGroup>>::new({
        let base = paths::project_groups(&project_id);
        move || base.clone()
    });
    let to_revoke = RwSignal::new(None::<ProjectGroup>);
    let revoke_write = Write::new();
    let revoke = delete_confirmed(
        to_revoke,
        revoke_write,
        {
            let project_id = project_id.clone();
            move |g: &ProjectGroup| paths::project_group(&project_id, &g.group_id)
        },
        |g| g.group_id.clone(),
        |g| format!("{} no longer has access to the project.", g.group_name),
        move || listing.reload(),
    );
    let here = here(&project_id, "groups");
    view! {
        {can_write.then(|| view! { <GrantForm project_id=project_id.clone() on_granted=Callback::new(move |()| listing.reload())/> })}
        <PagedList listing=listing here=here noun="groups" rows=move |groups| view! {
            <ProjectGroupsTable groups=groups can_write=can_write
                on_revoke=Callback::new(move |g| { revoke_write.reset(); to_revoke.set(Some(g)); })/>
        }/>
        {move || to_revoke.get().map(|g| view! {
            <ConfirmDialog title="Revoke group access"
                message=format!("Revoke {}'s access to this project?", g.group_name)
                consequence="Its members lose the access this group gave them; access they hold another way stays."
                confirm_label="Revoke access" pending_label="Revoking…"
                write=revoke_write on_confirm=revoke on_close=Callback::new(move |()| to_revoke.set(None))/>
        })}
    }
}

/// Grants a group one of the organization's project roles here.
#[component]
fn GrantForm(
    /// The project.
    project_id: String,
    /// Called after a grant.
    on_granted: Callback<()>,
) -> impl IntoView {
    let toasts = expect_context::<Toasts>();
    let groups = lookups::groups();
    let roles = lookups::roles_of(lookups::roles(), PROJECT_ROLE);
    let group_id = RwSignal::new(String::new());
    let role = RwSignal::new(String::new());
    let write = Write::new();
    let grant = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        let body = ProjectGroupGrant {
            group_id: group_id.get_untracked(),
            role: role.get_untracked(),
        };
        if let Err(error) = body.validate() {
            write.refuse(error);
            return;
        }
        let role_name = roles.with_untracked(|all| {
            all.iter()
                .find(|r| r.id == body.role)
                .map_or_else(|| body.role.clone(), |r| r.name.clone())
        });
        let path = paths::project_groups(&project_id);
        write.run(
            async move { api::post_json::<ProjectGroup, _>(&path, &body).await },
            move |granted| {
                group_id.set(String::new());
                on_granted.try_run(());
                toasts.push(Toast {
                    message: format!("{} now has the project as {role_name}.", granted.group_name),
                    audit_link: Some(audit_link("resource_id", &granted.group_id)),
                });
            },
        );
    };
    view! {
        <form class="card inline-form" on:submit=grant aria-label="Grant a group access">
            <label for="project-group">"Group"</label>
            <select id="project-group" prop:value=group_id on:change=move |e| group_id.set(event_target_value(&e))>
                <option value="">"Choose a group"</option>
                {move || groups.get().unwrap_or_default().into_iter().map(|g| view! { <option value=g.id.clone()>{g.name.clone()}</option> }).collect_view()}
            </select>
            <label for="project-group-role">"Project role"</label>
            <select id="project-group-role" prop:value=role on:change=move |e| role.set(event_target_value(&e))>
                <option value="">"Choose a role"</option>
                {move || roles.get().into_iter().map(|r| view! { <option value=r.id.clone()>{r.name.clone()}</option> }).collect_view()}
            </select>
            <SubmitButton write=write label="Grant access" pending_label="Granting…"/>
            <FormError error=write.error audit=write.audit/>
        </form>
    }
}

/// The groups granted this project, on this page.
#[component]
pub fn ProjectGroupsTable(
    /// The grants.
    groups: Vec<ProjectGroup>,
    /// Whether Revoke is offered.
    can_write: bool,
    /// Asks to revoke one.
    on_revoke: Callback<ProjectGroup>,
) -> impl IntoView {
    if groups.is_empty() {
        return view! { <p class="empty">"No groups have access to this project."</p> }.into_any();
    }
    view! {
        <table class="data">
            <caption class="visually-hidden">"Groups with access to the project"</caption>
            <thead><tr>
                <th scope="col">"Group"</th><th scope="col">"Granted (UTC)"</th>
                {can_write.then(|| view! { <th scope="col">"Actions"</th> })}
            </tr></thead>
            <tbody>
                {groups.into_iter().map(|g| {
                    let label = format!("Revoke {}'s access", g.group_name);
                    let for_revoke = g.clone();
                    view! {
                        <tr data-id=g.group_id.clone()>
                            <td><a href=group_href(&g.group_id)>{g.group_name.clone()}</a></td>
                            <td class="date">{date_utc(g.created_at)}</td>
                            {can_write.then(|| view! {
                                <td class="actions">
                                    <button type="button" class="danger" aria-label=label
                                        on:click=move |_| on_revoke.run(for_revoke.clone())>"Revoke"</button>
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
