//! One user (`/users/{id}`): who they are, the organization roles assigned to them directly
//! (assign, unassign), and their effective access as the BFF computes it: every organization
//! role and every project they reach, and why.

use admin_api::users::User;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::access::{
    AccessFilter, AccessOf, AccessPanel, AccessRead, AccessTable, OrganizationRolesTable, csv_href,
};
use super::lookups::audit_link;
use super::role_assignments::{Principal, RoleAssignments};
use crate::api::{self, paths};
use crate::app::Auth;
use crate::components::{ErrorNotice, Load};
use crate::format::date_utc;

/// `/users/{id}`: the user in the URL, made afresh when the id changes.
#[component]
pub fn UserPage() -> impl IntoView {
    let params = use_params_map();
    let user_id = Memo::new(move |_| params.with(|p| p.get("id")).unwrap_or_default());
    move || view! { <UserView user_id=user_id.get()/> }
}

/// One user's page.
#[component]
fn UserView(user_id: String) -> impl IntoView {
    let can_write = expect_context::<Auth>().can_write();
    let user = {
        let path = paths::user(&user_id);
        Load::new(move || {
            let path = path.clone();
            async move { api::get::<User>(&path).await }
        })
    };
    let name = Signal::derive(move || {
        user.ok()
            .map(|u| u.name.or(u.email).unwrap_or(u.id))
            .unwrap_or_default()
    });
    let access_path = paths::access_user(&user_id);
    let csv = csv_href(&access_path, &AccessFilter::default());
    let access = AccessRead::new(access_path);
    let offboard = format!("/users/{}/offboard", paths::seg(&user_id));
    view! {
        <section aria-labelledby="user-heading">
            <p><a href="/users">"← Users"</a></p>
            {move || match user.value.get() {
                None => view! { <h1 id="user-heading">"User"</h1><p class="loading" aria-busy="true">"Loading the user…"</p> }.into_any(),
                Some(Err(error)) => view! { <h1 id="user-heading">"User"</h1><ErrorNotice error=error/> }.into_any(),
                Some(Ok(u)) => view! { <UserSummary user=u/> }.into_any(),
            }}
            <Show when=move || can_write.get()>
                <p><a href=offboard.clone()>"Offboard this user…"</a></p>
            </Show>
            <h2>"Organization roles assigned directly"</h2>
            <RoleAssignments principal=Principal::User(user_id.clone()) name=name can_write=can_write.get_untracked()/>
            <h2>"Effective access"</h2>
            <AccessPanel access=access csv=csv label="this user's effective access" body=|a| view! {
                <h3>"Organization roles"</h3>
                <OrganizationRolesTable rows=a.organization_roles/>
                <h3>"Projects"</h3>
                <AccessTable rows=a.rows of=AccessOf::User/>
            }/>
        </section>
    }
}

/// The heading and facts of one user.
#[component]
fn UserSummary(
    /// The user.
    user: User,
) -> impl IntoView {
    let name = user
        .name
        .clone()
        .or(user.email.clone())
        .unwrap_or(user.id.clone());
    view! {
        <h1 id="user-heading">{name}</h1>
        <dl class="details">
            <dt>"Email"</dt><dd>{user.email.clone().unwrap_or_else(|| "—".into())}</dd>
            <dt>"Organization role"</dt><dd class="role">{user.role.clone().unwrap_or_else(|| "—".into())}</dd>
            <dt>"Added (UTC)"</dt><dd>{date_utc(user.added_at)}</dd>
            <dt>"Id"</dt><dd><code>{user.id.clone()}</code></dd>
        </dl>
        <p><a href=audit_link("resource_id", &user.id)>"Audit log of this user"</a></p>
    }
}
