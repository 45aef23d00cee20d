//! One project, with a tab per part, each a nested route (`/projects/{id}/{tab}`) in a file of
//! its own: members, groups, access, service accounts, API keys and rate limits. An archived project says what
//! that means up front; its forms stay, so upstream's own refusal is what the person sees if
//! they try.

mod api_keys;
mod project_access;
mod project_groups;
mod project_users;
mod rate_limits;
mod service_accounts;

use admin_api::projects::Project;
use leptos::prelude::*;
use leptos_router::components::{A, Outlet};
use leptos_router::hooks::{use_location, use_params_map};

pub use api_keys::ApiKeysTab;
pub use project_access::{AccessFilters, AccessTab};
pub use project_groups::{GroupsTab, ProjectGroupsTable};
pub use project_users::{MembersTab, MembersTable};
pub use rate_limits::{RateLimitsTab, RateLimitsTable, rate_limit_update};
pub use service_accounts::ServiceAccountsTab;

use super::lookups::audit_link;
use crate::api::{self, paths};
use crate::app::Auth;
use crate::components::{ErrorNotice, Load};
use crate::format::date_utc;

/// The tabs: URL segment and label. `/projects/{id}` itself shows the first.
const TABS: &[(&str, &str)] = &[
    ("members", "Members"),
    ("groups", "Groups"),
    ("access", "Access"),
    ("service-accounts", "Service accounts"),
    ("api-keys", "API keys"),
    ("rate-limits", "Rate limits"),
];

/// The project id in the URL.
fn project_id() -> Memo<String> {
    let params = use_params_map();
    Memo::new(move |_| params.with(|p| p.get("id")).unwrap_or_default())
}

/// `/projects/{id}`: the project's heading and tabs, and the tab's route below them.
#[component]
pub fn ProjectPage() -> impl IntoView {
    let project_id = project_id();
    let location = use_location();
    let tab = Memo::new(move |_| {
        location.pathname.with(|path| {
            TABS.iter()
                .map(|(slug, _)| *slug)
                .find(|slug| path.strip_suffix(slug).is_some_and(|p| p.ends_with('/')))
                .unwrap_or(TABS[0].0)
        })
    });
    // A newer id aborts the older request: project A's answer never lands on B's page.
    let project = Load::new(move || {
        let path = paths::project(&project_id.get());
        async move { api::get::<Project>(&path).await }
    });
    view! {
        <section aria-labelledby="project-heading">
            <p><A href="/projects">"← Projects"</A></p>
            // The last answer stays while the next loads; it is shown only for the project in the
            // URL, so project A's heading never sits over B's tabs.
            {move || match project.value.get().filter(|p| p.as_ref().map_or(true, |p| p.id == project_id.get())) {
                None => view! { <h1 id="project-heading">"Project"</h1><p class="loading" aria-busy="true">"Loading the project…"</p> }.into_any(),
                Some(Err(error)) => view! { <h1 id="project-heading">"Project"</h1><ErrorNotice error=error/> }.into_any(),
                Some(Ok(p)) => {
                    let name = p.name.clone().unwrap_or_else(|| p.id.clone());
                    let archived = p.archived_at;
                    view! {
                        <h1 id="project-heading">{name}</h1>
                        <p class="hint">
                            <code>{p.id.clone()}</code>" · created "{date_utc(p.created_at)}" · "
                            <A href=audit_link("project_id", &p.id)>"Audit log of this project"</A>
                        </p>
                        {archived.map(|at| view! {
                            <div class="notice" role="note">
                                {format!("Archived on {}. OpenAI refuses new members, service accounts and API keys here, and the name can no longer change.", date_utc(at))}
                            </div>
                        })}
                    }.into_any()
                }
            }}
            <nav class="tabs" aria-label="Project sections">
                {move || {
                    let id = project_id.get();
                    TABS.iter().map(|(slug, label)| {
                        let current = tab.get() == *slug;
                        view! {
                            <a href=here(&id, slug) aria-current=current.then_some("page")>{*label}</a>
                        }
                    }).collect_view()
                }}
            </nav>
            <Outlet/>
        </section>
    }
}

/// A tab's route view: the tab for the project in the URL, made afresh when the id changes (the
/// router keeps a nested route's view when only its parameters change).
fn in_project<V: IntoView + 'static>(
    tab: impl Fn(String, bool) -> V + Send + Sync + 'static,
) -> impl IntoView {
    let project_id = project_id();
    let can_write = expect_context::<Auth>().can_write();
    move || tab(project_id.get(), can_write.get())
}

/// The route view of `/projects/{id}` and `/projects/{id}/members`.
pub fn members_route() -> impl IntoView {
    in_project(
        |project_id, can_write| view! { <MembersTab project_id=project_id can_write=can_write/> },
    )
}

/// The route view of `/projects/{id}/groups`.
pub fn groups_route() -> impl IntoView {
    in_project(
        |project_id, can_write| view! { <GroupsTab project_id=project_id can_write=can_write/> },
    )
}

/// The route view of `/projects/{id}/access`.
pub fn access_route() -> impl IntoView {
    in_project(|project_id, _| view! { <AccessTab project_id=project_id/> })
}

/// The route view of `/projects/{id}/service-accounts`.
pub fn service_accounts_route() -> impl IntoView {
    in_project(
        |project_id, can_write| view! { <ServiceAccountsTab project_id=project_id can_write=can_write/> },
    )
}

/// The route view of `/projects/{id}/api-keys`.
pub fn api_keys_route() -> impl IntoView {
    in_project(
        |project_id, can_write| view! { <ApiKeysTab project_id=project_id can_write=can_write/> },
    )
}

/// The route view of `/projects/{id}/rate-limits`.
pub fn rate_limits_route() -> impl IntoView {
    in_project(
        |project_id, can_write| view! { <RateLimitsTab project_id=project_id can_write=can_write/> },
    )
}

/// A tab's own path (its link, and its pager's).
fn here(project_id: &str, tab: &str) -> String {
    format!("/projects/{}/{tab}", paths::seg(project_id))
}
