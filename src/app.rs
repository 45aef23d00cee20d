//! The root: who is signed in, the shell with navigation, and the routes.

use leptos::prelude::*;
use leptos_router::components::{A, Redirect, Route, Router, Routes};
use leptos_router::path;

use crate::api::{self, SessionInfo};
use crate::components::{ThemePicker, ToastRegion, Toasts};
use crate::pages::{
    AdminKeysPage, AuditEventPage, AuditLogPage, HygienePage, InvitesPage, JournalPage, NotFound,
    OffboardPage, ProjectPage, ProjectsPage, SignInPage, TokensPage, UsersPage,
};

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
                <Route path=path!("/users/:id/offboard") view=OffboardPage/>
                <Route path=path!("/hygiene") view=HygienePage/>
                <Route path=path!("/invites") view=InvitesPage/>
                <Route path=path!("/projects") view=ProjectsPage/>
                <Route path=path!("/projects/:id") view=ProjectPage/>
                <Route path=path!("/projects/:id/:tab") view=ProjectPage/>
                <Route path=path!("/admin-keys") view=AdminKeysPage/>
                <Route path=path!("/audit-log") view=AuditLogPage/>
                <Route path=path!("/audit-log/event/:id") view=AuditEventPage/>
                <Route path=path!("/journal") view=JournalPage/>
                <Route path=path!("/tokens") view=TokensPage/>
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
    let sign_out = Action::new_local(move |(): &()| {
        async move {
            // Whatever the server says, the session is over for this tab.
            let _ = api::sign_out().await;
            auth.session.set(None);
        }
    });
    let label = move || {
        auth.session.with(|s| {
            s.as_ref()
                .map(|s| format!("{} ({})", s.username, s.role))
                .unwrap_or_default()
        })
    };
    let on_sign_out = move |_| {
        sign_out.dispatch_local(());
    };
    view! {
        <div class="session">
            <span class="who">{label}</span>
            <button type="button" on:click=on_sign_out disabled=move || sign_out.pending().get()>
                "Sign out"
            </button>
        </div>
    }
}
