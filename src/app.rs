//! The root: who is signed in, the shell with navigation, and the routes.

use leptos::prelude::*;
use leptos_router::components::{A, ParentRoute, Redirect, Route, Router, Routes};
use leptos_router::path;

use crate::api::{self, SessionInfo};
use crate::components::{ThemePicker, ToastRegion, Toasts, Write};
// A split build names the pages in `lazy` instead.
#[cfg_attr(gatehouse_split, allow(unused_imports))]
use crate::pages::{
    AdminKeysPage, AuditEventPage, AuditLogPage, GroupPage, GroupsPage, HygienePage, InvitesPage,
    JournalPage, NotFound, OffboardPage, ProjectPage, ProjectsPage, RolesPage, SignInPage,
    TokensPage, UserPage, UsersPage, project,
};

/// The pages most people visit least, and the heaviest, load their code when first visited, in
/// a release build split by `scripts/split.sh` (`--cfg gatehouse_split`): the audit log and an
/// audit event (sentences, chart, timeline), key hygiene, offboarding, the journal and tokens,
/// and the access pages (groups, a group, roles, a user's effective access, and the project's
/// Groups and Access tabs: eager, they cost every page 35 KB).
/// The shell and the resource pages come first. wasm-split puts each lazy page's own code in a
/// chunk and the code several of them share in chunks of their own. Measured
/// (`cargo bench -p gatehouse --bench wire`): every page lazy made a cold `/users` 4% smaller
/// than this choice but 236 chunks, twice as slow to load; four lazy pages, 6% bigger. Other
/// builds (dev, the wasm tests) link every page in: `page!` names the view itself there.
#[cfg(gatehouse_split)]
#[allow(unsafe_code)]
mod lazy {
    use leptos::prelude::*;

    use crate::pages;

    macro_rules! lazy_pages {
        ($($route:ident => $view:expr;)*) => { $(
            #[derive(Debug)]
            pub struct $route;

            #[leptos_router::lazy_route]
            impl leptos_router::LazyRoute for $route {
                fn data() -> Self {
                    Self
                }

                fn view(_this: Self) -> AnyView {
                    $view.into_any()
                }
            }
        )* };
    }

    lazy_pages! {
        Offboard => pages::OffboardPage();
        Hygiene => pages::HygienePage();
        AuditLog => pages::AuditLogPage();
        AuditEvent => pages::AuditEventPage();
        Journal => pages::JournalPage();
        Tokens => pages::TokensPage();
        Groups => pages::GroupsPage();
        Group => pages::GroupPage();
        Roles => pages::RolesPage();
        User => pages::UserPage();
        ProjectGroups => pages::project::groups_route();
        ProjectAccess => pages::project::access_route();
    }
}

/// A route's view: lazy-loaded in a split build, the page itself otherwise.
#[cfg(gatehouse_split)]
macro_rules! page {
    ($route:ident, $view:expr) => {
        leptos_router::Lazy::<lazy::$route>::new()
    };
}
#[cfg(not(gatehouse_split))]
macro_rules! page {
    ($route:ident, $view:expr) => {
        $view
    };
}

/// The signed-in session, shared by every page.
#[derive(Debug, Clone, Copy)]
pub struct Auth {
    pub session: RwSignal<Option<SessionInfo>>,
}

impl Auth {
    /// Whether the signed-in user may change things.
    pub fn can_write(&self) -> Signal<bool> {
        let session = self.session;
        Signal::derive(move || session.with(|s| s.as_ref().is_some_and(SessionInfo::can_write)))
    }
}

/// The app: checks the session once, then shows sign-in or the portal.
#[component]
pub fn App() -> impl IntoView {
    let session = RwSignal::new(None::<SessionInfo>);
    let checked = RwSignal::new(false);
    provide_context(Auth { session });
    // Every write carries the session's CSRF token: the client keeps it, no page passes it.
    Effect::new(move |_| {
        session.with(|s| api::set_csrf_token(s.as_ref().map_or("", |s| s.csrf_token.as_str())));
    });
    provide_context(Toasts::new());
    provide_context(crate::components::SecretSlot::new());
    provide_context(crate::format::ZoneChoice::load());
    crate::components::theme_restore();
    leptos::task::spawn_local(async move {
        // Asked only when there is one: a signed-out visit's 401 would be a console error.
        let signed_in = api::meta().await.map_or(true, |m| m.signed_in);
        if signed_in {
            session.set(api::current_session().await.ok());
        }
        checked.set(true);
    });
    view! {
        <Router>
            <Show when=move || checked.get() fallback=|| view! { <p class="boot">"Loading Gatehouse…"</p> }>
                <Show when=move || session.with(Option::is_some) fallback=SignInPage>
                    <Shell/>
                </Show>
            </Show>
        </Router>
    }
}

/// The frame around every page: navigation, who is signed in, sign-out, toasts.
#[component]
fn Shell() -> impl IntoView {
    view! {
        <a class="skip" href="#main">"Skip to content"</a>
        <header class="topbar">
            <span class="brand">"Gatehouse"</span>
            <nav aria-label="Resources">
                <A href="/users">"Users"</A>
                <A href="/invites">"Invites"</A>
                <A href="/projects">"Projects"</A>
                <A href="/groups">"Groups"</A>
                <A href="/roles">"Roles"</A>
                <A href="/admin-keys">"Admin keys"</A>
                <A href="/hygiene">"Hygiene"</A>
                <A href="/audit-log">"Audit log"</A>
                <A href="/journal">"Journal"</A>
                <A href="/tokens">"Tokens"</A>
            </nav>
            <ThemePicker/>
            <SessionMenu/>
        </header>
        <main id="main">
            <Routes fallback=NotFound>
                <Route path=path!("/") view=|| view! { <Redirect path="/users"/> }/>
                <Route path=path!("/users") view=UsersPage/>
                <Route path=path!("/users/:id") view={page!(User, UserPage)}/>
                <Route path=path!("/users/:id/offboard") view={page!(Offboard, OffboardPage)}/>
                <Route path=path!("/groups") view={page!(Groups, GroupsPage)}/>
                <Route path=path!("/groups/:id") view={page!(Group, GroupPage)}/>
                <Route path=path!("/roles") view={page!(Roles, RolesPage)}/>
                <Route path=path!("/hygiene") view={page!(Hygiene, HygienePage)}/>
                <Route path=path!("/invites") view=InvitesPage/>
                <Route path=path!("/projects") view=ProjectsPage/>
                <ParentRoute path=path!("/projects/:id") view=ProjectPage>
                    <Route path=path!("") view=project::members_route/>
                    <Route path=path!("members") view=project::members_route/>
                    <Route path=path!("groups") view={page!(ProjectGroups, project::groups_route)}/>
                    <Route path=path!("access") view={page!(ProjectAccess, project::access_route)}/>
                    <Route path=path!("service-accounts") view=project::service_accounts_route/>
                    <Route path=path!("api-keys") view=project::api_keys_route/>
                    <Route path=path!("rate-limits") view=project::rate_limits_route/>
                </ParentRoute>
                <Route path=path!("/admin-keys") view=AdminKeysPage/>
                <Route path=path!("/audit-log") view={page!(AuditLog, AuditLogPage)}/>
                <Route path=path!("/audit-log/event/:id") view={page!(AuditEvent, AuditEventPage)}/>
                <Route path=path!("/journal") view={page!(Journal, JournalPage)}/>
                <Route path=path!("/tokens") view={page!(Tokens, TokensPage)}/>
            </Routes>
        </main>
        <ToastRegion/>
        <crate::components::SecretRegion/>
    }
}

/// The signed-in user's name and role, and the sign-out button.
#[component]
fn SessionMenu() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let sign_out = Write::new();
    let label = move || {
        auth.session.with(|s| {
            s.as_ref()
                .map(|s| format!("{} ({})", s.username, s.role))
                .unwrap_or_default()
        })
    };
    let on_sign_out = move |_| {
        // Whatever the server says, the session is over for this tab.
        sign_out.run(
            async move {
                let _ = api::sign_out().await;
                Ok(())
            },
            move |()| auth.session.set(None),
        );
    };
    view! {
        <div class="session">
            <span class="who">{label}</span>
            <button type="button" on:click=on_sign_out disabled=move || sign_out.pending.get()>
                "Sign out"
            </button>
        </div>
    }
}
