//! The Tokens page: your tokens for scripts that use the official OpenAI SDKs through
//! Gatehouse (owners see and may revoke everyone's). A new token's value is shown once, behind
//! the same copy-and-confirm gate as a new admin key.

use leptos::prelude::*;

use crate::api::{self, NewToken, TokenInfo};
use crate::app::Auth;
use crate::components::{
    ConfirmDialog, ErrorNotice, FormError, Load, Secret, SecretSlot, SubmitButton, Toast, Toasts,
    Write,
};
use crate::format::{date_time_utc, date_utc};

/// The Tokens page.
#[component]
pub fn TokensPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let toasts = expect_context::<Toasts>();
    let tokens = Load::new(api::list_tokens);
    let reload = Callback::new(move |()| tokens.reload());
    let to_revoke = RwSignal::new(None::<TokenInfo>);
    let revoke_write = Write::new();
    let revoke = Callback::new(move |()| {
        let Some(token) = to_revoke.get_untracked() else {
            return;
        };
        let id = token.id.clone();
        revoke_write.run(async move { api::revoke_token(&id).await }, move |_| {
            to_revoke.set(None);
            toasts.push(Toast {
                message: format!("Token {} revoked.", token.name),
                audit_link: None,
            });
            reload.run(());
        });
    });
    let is_owner = auth.can_write();
    view! {
        <section aria-labelledby="tokens-heading">
            <h1 id="tokens-heading">"Tokens"</h1>
            <p class="hint">"A token lets a script use the official OpenAI SDKs through Gatehouse, as you and never with more than your role, instead of the organization's admin key: "
                <code>"OpenAI(admin_api_key=\"ghtk_…\", base_url=\"" {window().location().origin().unwrap_or_default()} "/api/v1\")"</code></p>
            <CreateToken can_write=is_owner.get_untracked() on_created=reload/>
            {move || match tokens.value.get() {
                None => view! { <p class="loading" aria-busy="true">"Loading tokens…"</p> }.into_any(),
                Some(Err(error)) => view! { <ErrorNotice error=error/> }.into_any(),
                Some(Ok(list)) => view! {
                    <TokensTable tokens=list.data show_owner=is_owner.get()
                        on_revoke=Callback::new(move |t| { revoke_write.reset(); to_revoke.set(Some(t)); })/>
                    <p class="hint">{format!("Each token may make {} requests a second.", list.rate_limit_per_second)}</p>
                }.into_any(),
            }}
            {move || to_revoke.get().map(|t| view! {
                <ConfirmDialog title="Revoke token"
                    message=format!("Revoke token {} of {}?", t.name, t.username)
                    consequence="Every script using it is refused from its next request, on every replica. A revoked token cannot be restored."
                    confirm_label="Revoke token" pending_label="Revoking…"
                    write=revoke_write on_confirm=revoke on_close=Callback::new(move |()| to_revoke.set(None))/>
            })}
        </section>
    }
}

/// The tokens, newest first.
#[component]
pub fn TokensTable(
    /// The tokens to show.
    tokens: Vec<TokenInfo>,
    /// Whether to show whose each token is (an owner's list holds everyone's).
    show_owner: bool,
    /// Asks to revoke a live token.
    on_revoke: Callback<TokenInfo>,
) -> impl IntoView {
    if tokens.is_empty() {
        return view! { <p class="empty">"No tokens yet."</p> }.into_any();
    }
    view! {
        <table class="data">
            <caption class="visually-hidden">"Tokens for scripts"</caption>
            <thead><tr>
                <th scope="col">"Name"</th>
                {show_owner.then(|| view! { <th scope="col">"Owner"</th> })}
                <th scope="col">"Access"</th><th scope="col">"Status"</th>
                <th scope="col">"Created (UTC)"</th><th scope="col">"Expires (UTC)"</th>
                <th scope="col">"Last used (UTC)"</th><th scope="col">"Calls"</th>
                <th scope="col">"Actions"</th>
            </tr></thead>
            <tbody>
                {tokens.into_iter().map(|t| {
                    let last_used = match (t.last_used_at, &t.last_used_from) {
                        (Some(at), Some(from)) => format!("{} from {from}", date_time_utc(at)),
                        (Some(at), None) => date_time_utc(at),
                        _ => "never".to_owned(),
                    };
                    let status = match (&t.revoked_by, t.status.as_str()) {
                        (Some(by), "revoked") => format!("revoked by {by}"),
                        (_, status) => status.to_owned(),
                    };
                    let ranges = (!t.allowed_from.is_empty()).then(|| format!("from {}", t.allowed_from.join(", ")));
                    let label = format!("Revoke token {}", t.name);
                    let live = t.status == "active";
                    let for_revoke = t.clone();
                    view! {
                        <tr data-id=t.id.clone()>
                            <td>{t.name.clone()}{ranges.map(|r| view! { <span class="hint">" · "{r}</span> })}</td>
                            {show_owner.then(|| view! { <td>{t.username.clone()}</td> })}
                            <td>{t.access.clone()}</td>
                            <td>{status}</td>
                            <td class="date">{date_utc(t.created_at)}</td>
                            <td class="date">{date_utc(t.expires_at)}</td>
                            <td class="date">{last_used}</td>
                            <td>{t.calls}</td>
                            <td class="actions">{live.then(|| view! {
                                <button type="button" class="danger" aria-label=label
                                    on:click=move |_| on_revoke.run(for_revoke.clone())>"Revoke"</button>
                            })}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// The form for a new token: a name, its access, its lifetime and optional address ranges.
#[component]
fn CreateToken(
    /// Whether the person may make `write` tokens (owners).
    can_write: bool,
    /// Runs after a token is made.
    on_created: Callback<()>,
) -> impl IntoView {
    let secrets = expect_context::<SecretSlot>();
    let toasts = expect_context::<Toasts>();
    let name = RwSignal::new(String::new());
    let access = RwSignal::new("read".to_owned());
    let days = RwSignal::new("30".to_owned());
    let ranges = RwSignal::new(String::new());
    let write = Write::new();
    let submit = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        let days_text = days.get_untracked();
        let Some(expires_in_days) = days_text
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|d| (1..=365).contains(d))
        else {
            write.refuse(admin_api::ApiError::invalid_request(
                format!(
                    "Expires after is a whole number of days from 1 to 365, not '{}'.",
                    days_text.trim()
                ),
                Some("expires_in_days"),
            ));
            return;
        };
        let token = NewToken {
            name: name.get_untracked().trim().to_owned(),
            access: access.get_untracked(),
            expires_in_days,
            allowed_from: ranges
                .get_untracked()
                .split([',', ' ', '\n'])
                .filter(|r| !r.is_empty())
                .map(str::to_owned)
                .collect(),
        };
        write.run(
            async move { api::create_token(&token).await },
            move |created: api::CreatedToken| {
                toasts.push(Toast {
                    message: format!("Token {} made.", created.token.name),
                    audit_link: None,
                });
                secrets.show(Secret {
                    what: format!("Token {}", created.token.name),
                    value: created.value,
                });
                name.set(String::new());
                ranges.set(String::new());
                on_created.try_run(());
            },
        );
    };
    view! {
        <form class="card inline-form" on:submit=submit aria-label="Make a token">
            <label for="token-name">"New token"</label>
            <input id="token-name" autocomplete="off" prop:value=name on:input=move |e| name.set(event_target_value(&e))/>
            <label for="token-access">"Access"</label>
            <select id="token-access" prop:value=access on:change=move |e| access.set(event_target_value(&e))>
                <option value="read">"read"</option>
                {can_write.then(|| view! { <option value="write">"write"</option> })}
            </select>
            <label for="token-days">"Expires after (days)"</label>
            <input id="token-days" inputmode="numeric" class="short" prop:value=days on:input=move |e| days.set(event_target_value(&e))/>
            <label for="token-ranges">"Only from (address ranges, optional)"</label>
            <input id="token-ranges" autocomplete="off" placeholder="10.0.0.0/8" prop:value=ranges on:input=move |e| ranges.set(event_target_value(&e))/>
            <SubmitButton write=write label="Make token" pending_label="Making…"/>
            <FormError error=write.error audit=write.audit/>
        </form>
    }
}
