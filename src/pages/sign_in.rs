//! The sign-in page; in demo mode it shows the demo accounts.

use leptos::prelude::*;

use crate::api;
use crate::app::Auth;
use crate::components::{FormError, Load, SubmitButton, Write};

/// Sign in with a portal account.
#[component]
pub fn SignInPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let meta = Load::new(api::meta);
    let demo = move || meta.ok().is_some_and(|m| m.demo);
    let write = Write::new();
    let submit = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        let (user, pass) = (username.get_untracked(), password.get_untracked());
        write.run(
            async move { api::sign_in(&user, &pass).await },
            move |session| {
                auth.session.set(Some(session));
            },
        );
    };
    view! {
        <main id="main" class="sign-in">
            <h1>"Sign in to Gatehouse"</h1>
            <form on:submit=submit>
                <label for="username">"Username"</label>
                <input id="username" name="username" autocomplete="username" required
                    prop:value=username on:input=move |e| username.set(event_target_value(&e))/>
                <label for="password">"Password"</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required
                    prop:value=password on:input=move |e| password.set(event_target_value(&e))/>
                <FormError error=write.error/>
                <SubmitButton write=write label="Sign in" pending_label="Signing in…"/>
            </form>
            <Show when=demo>
                <aside class="notice" aria-label="Demo accounts">
                    <p>"Demo mode: the portal runs on the built-in sandbox organization."</p>
                    <p>"Owner: " <code>"demo-owner"</code> " / " <code>"demo-owner"</code></p>
                    <p>"Auditor (read-only): " <code>"demo-auditor"</code> " / " <code>"demo-auditor"</code></p>
                </aside>
            </Show>
        </main>
    }
}
