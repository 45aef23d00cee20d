//! The sign-in page; in demo mode it shows the demo accounts.

use leptos::prelude::*;

use crate::api;
use crate::app::Auth;
use crate::components::FormError;

/// Sign in with a portal account.
#[component]
pub fn SignInPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let demo = RwSignal::new(false);
    leptos::task::spawn_local(async move {
        demo.try_set(api::meta().await.is_ok_and(|m| m.demo));
    });
    let sign_in = Action::new_local(move |(user, pass): &(String, String)| {
        let (user, pass) = (user.clone(), pass.clone());
        async move {
            let session = api::sign_in(&user, &pass).await?;
            auth.session.set(Some(session));
            Ok(())
        }
    });
    let error = Signal::derive(move || sign_in.value().get().and_then(Result::err));
    let submit = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        sign_in.dispatch_local((username.get_untracked(), password.get_untracked()));
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
                <FormError error=error/>
                <button type="submit" disabled=move || sign_in.pending().get()
                    aria-busy=move || sign_in.pending().get().to_string()>
                    {move || if sign_in.pending().get() { "Signing in…" } else { "Sign in" }}
                </button>
            </form>
            <Show when=move || demo.get()>
                <aside class="notice" aria-label="Demo accounts">
                    <p>"Demo mode: the portal runs on the built-in sandbox organization."</p>
                    <p>"Owner: " <code>"demo-owner"</code> " / " <code>"demo-owner"</code></p>
                    <p>"Auditor (read-only): " <code>"demo-auditor"</code> " / " <code>"demo-auditor"</code></p>
                </aside>
            </Show>
        </main>
    }
}
