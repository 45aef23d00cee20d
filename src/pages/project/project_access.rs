//! Everyone who can reach the project, and why (the BFF's effective access), filtered by role
//! and by path in the URL (`?role=…&path=…`), so a filtered view can be shared.

use admin_api::access::Path;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::here;
use crate::api::paths;
use crate::pages::access::{
    AccessFilter, AccessOf, AccessPanel, AccessRead, AccessTable, csv_href, path_label,
    role_options,
};

/// Access: who reaches the project, with filters.
#[component]
pub fn AccessTab(project_id: String) -> impl IntoView {
    let query = use_query_map();
    let filter = Memo::new(move |_| query.with(AccessFilter::from_query));
    let path = paths::access_project(&project_id);
    let csv = Signal::derive({
        let path = path.clone();
        move || csv_href(&path, &filter.get())
    });
    let access = AccessRead::new(path);
    let roles = Signal::derive(move || {
        access.load.value.with(|v| match v {
            Some(Ok(a)) => role_options(&a.rows),
            _ => Vec::new(),
        })
    });
    view! {
        <AccessFilters filter=filter roles=roles here=here(&project_id, "access")/>
        <AccessPanel access=access csv=csv label="the project's access" body=move |a| view! {
            <AccessTable rows=a.rows of=AccessOf::Project filter=filter.get()/>
        }/>
    }
}

/// The role and path filters; a change goes to the URL.
#[component]
pub fn AccessFilters(
    /// The filters in the URL.
    #[prop(into)]
    filter: Signal<AccessFilter>,
    /// The roles the rows hold: (filter value, words).
    #[prop(into)]
    roles: Signal<Vec<(String, String)>>,
    /// The tab's path, without a query.
    here: String,
) -> impl IntoView {
    let navigate = use_navigate();
    let go = {
        let here = here.clone();
        move |next: AccessFilter| {
            navigate(&format!("{here}{}", next.to_query()), Default::default())
        }
    };
    let go_role = {
        let go = go.clone();
        move |e: web_sys::Event| {
            let value = event_target_value(&e);
            go(AccessFilter {
                role: (!value.is_empty()).then_some(value),
                ..filter.get_untracked()
            });
        }
    };
    let go_path = move |e: web_sys::Event| {
        go(AccessFilter {
            path: Path::parse(&event_target_value(&e)),
            ..filter.get_untracked()
        });
    };
    let role_value = move || filter.get().role.unwrap_or_default();
    let path_value = move || filter.get().path.map(|p| p.as_str()).unwrap_or_default();
    view! {
        <form class="filters audit-filters" role="search" aria-label="Filter access" on:submit=|e| e.prevent_default()>
            <div>
                <label for="access-role">"Role"</label>
                <select id="access-role" prop:value=role_value on:change=go_role>
                    <option value="">"Any role"</option>
                    {move || roles.get().into_iter().map(|(value, words)| {
                        let selected = filter.with(|f| f.role.as_deref() == Some(value.as_str()));
                        view! { <option value=value selected=selected>{words}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div>
                <label for="access-path">"Why"</label>
                <select id="access-path" prop:value=path_value on:change=go_path>
                    <option value="">"Any way"</option>
                    {Path::ALL.into_iter().map(|p| view! { <option value=p.as_str()>{path_label(p)}</option> }).collect_view()}
                </select>
            </div>
            <Show when=move || filter.get() != AccessFilter::default()>
                <a href=here.clone()>"Clear filters"</a>
            </Show>
        </form>
    }
}
