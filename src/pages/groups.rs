//! The Groups page: the organization's groups of users, paged by upstream's `next` cursor, and
//! creating one. Each group's own page is `/groups/{id}` (src/pages/group.rs).

use admin_api::CursorPage;
use admin_api::groups::{Group, GroupBody};
use leptos::prelude::*;

use super::lookups::audit_link;
use crate::api::{self, paths};
use crate::app::Auth;
use crate::components::{FormError, Listing, PagedList, SubmitButton, Toast, Toasts, Write};
use crate::format::date_utc;

/// Where a group's own page is.
pub fn group_href(id: &str) -> String {
    format!("/groups/{}", paths::seg(id))
}

/// The Groups page.
#[component]
pub fn GroupsPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let toasts = expect_context::<Toasts>();
    let listing = Listing::<Group, CursorPage<Group>>::new(paths::groups);
    let created = Callback::new(move |group: Group| {
        listing.reload();
        toasts.push(Toast {
            message: format!("Group {} was created.", group.name),
            audit_link: Some(audit_link("resource_id", &group.id)),
        });
    });
    let can_write = auth.can_write();
    view! {
        <section aria-labelledby="groups-heading">
            <h1 id="groups-heading">"Groups"</h1>
            <Show when=move || can_write.get()>
                <GroupForm on_created=created/>
            </Show>
            <PagedList listing=listing here="/groups" noun="groups" rows=|groups| view! { <GroupsTable groups=groups/> }/>
        </section>
    }
}

/// The groups on this page, each linking to its own page.
#[component]
pub fn GroupsTable(
    /// The groups.
    groups: Vec<Group>,
) -> impl IntoView {
    if groups.is_empty() {
        return view! { <p class="empty">"No groups on this page."</p> }.into_any();
    }
    view! {
        <table class="data">
            <caption class="visually-hidden">"Groups"</caption>
            <thead><tr><th scope="col">"Name"</th><th scope="col">"Created (UTC)"</th></tr></thead>
            <tbody>
                {groups.into_iter().map(|g| view! {
                    <tr data-id=g.id.clone()>
                        <td>
                            <a href=group_href(&g.id)>{g.name.clone()}</a>
                            {g.is_scim_managed.then(|| view! { <span class="badge">"Identity provider"</span> })}
                        </td>
                        <td class="date">{date_utc(g.created_at)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// Creates a group; on failure upstream's error shows under the name, which stays as typed.
#[component]
pub fn GroupForm(
    /// Called with the new group.
    on_created: Callback<Group>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let write = Write::new();
    let create = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        let body = GroupBody {
            name: name.get_untracked().trim().to_owned(),
        };
        if let Err(error) = body.validate() {
            write.refuse(error);
            return;
        }
        write.run(
            async move { api::post_json::<Group, _>(&paths::groups(), &body).await },
            move |group| {
                name.set(String::new());
                on_created.try_run(group);
            },
        );
    };
    view! {
        <form class="card inline-form" novalidate=true on:submit=create aria-label="Create a group">
            <label for="group-name">"Group name"</label>
            <input id="group-name" autocomplete="off" required=true prop:value=name
                on:input=move |e| name.set(event_target_value(&e))/>
            <SubmitButton write=write label="Create group" pending_label="Creating…"/>
            <FormError error=write.error audit=write.audit/>
        </form>
    }
}
