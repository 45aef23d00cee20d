//! The Admin keys page: the organization's admin API keys, creating one (its value is shown
//! once), and deleting one. The key Gatehouse itself runs on is marked, and the BFF refuses to
//! delete it, so nobody cuts the portal off by accident.

use admin_api::admin_api_keys::{AdminApiKey, AdminApiKeyCreate, AdminApiKeyCreated};
use leptos::prelude::*;

use super::lookups::audit_link;
use super::writes::delete_confirmed;
use crate::api::{self, paths};
use crate::app::Auth;
use crate::components::{
    ConfirmDialog, FormError, Listing, Load, PagedList, Secret, SecretSlot, SubmitButton, Toast,
    Toasts, Write,
};
use crate::format::date_utc;

/// The Admin keys page.
#[component]
pub fn AdminKeysPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let listing = Listing::<AdminApiKey>::new(paths::admin_keys);
    // Only marks the portal's own key; the BFF refuses to delete it whatever this says.
    let in_use = Load::new(api::admin_key_in_use);
    let created = Callback::new(move |()| listing.reload());
    let to_delete = RwSignal::new(None::<AdminApiKey>);
    let delete_write = Write::new();
    let delete = delete_confirmed(
        to_delete,
        delete_write,
        |k: &AdminApiKey| paths::admin_key(&k.id),
        |k| k.id.clone(),
        |k| format!("Admin key {} deleted.", k.redacted_value),
        move || listing.reload(),
    );
    let can_write = auth.can_write();
    view! {
        <section aria-labelledby="admin-keys-heading">
            <h1 id="admin-keys-heading">"Admin keys"</h1>
            <p class="hint">"Admin keys manage the whole organization. Give each tool its own, and delete the ones nobody uses."</p>
            <Show when=move || can_write.get()>
                <CreateAdminKey on_created=created/>
            </Show>
            <PagedList listing=listing here="/admin-keys" noun="admin keys" rows={move |keys| view! {
                <AdminKeysTable keys=keys in_use=in_use.ok().unwrap_or_default() can_write=can_write.get()
                    on_delete=Callback::new(move |k| { delete_write.reset(); to_delete.set(Some(k)); })/>
            }}/>
            {move || to_delete.get().map(|k| {
                let name = k.name.clone().unwrap_or_else(|| k.redacted_value.clone());
                view! {
                    <ConfirmDialog title="Delete admin key"
                        message=format!("Delete admin key {name} ({})?", k.redacted_value)
                        consequence="Every tool using it loses access to the organization's administration at once. A deleted key cannot be restored."
                        type_to_confirm=name confirm_label="Delete admin key" pending_label="Deleting…"
                        write=delete_write on_confirm=delete on_close=Callback::new(move |()| to_delete.set(None))/>
                }
            })}
        </section>
    }
}

/// The admin keys on this page.
#[component]
pub fn AdminKeysTable(
    keys: Vec<AdminApiKey>,
    /// The keys the portal itself may be using.
    in_use: Vec<String>,
    can_write: bool,
    on_delete: Callback<AdminApiKey>,
) -> impl IntoView {
    if keys.is_empty() {
        return view! { <p class="empty">"No admin keys on this page."</p> }.into_any();
    }
    view! {
        <table class="data">
            <caption class="visually-hidden">"Admin keys"</caption>
            <thead><tr>
                <th scope="col">"Name"</th><th scope="col">"Key"</th><th scope="col">"Owner"</th>
                <th scope="col">"Created (UTC)"</th><th scope="col">"Last used (UTC)"</th><th scope="col">"Expires (UTC)"</th>
                {can_write.then(|| view! { <th scope="col">"Actions"</th> })}
            </tr></thead>
            <tbody>
                {keys.into_iter().map(|k| {
                    let portal = in_use.contains(&k.id);
                    let name = k.name.clone().unwrap_or_else(|| "—".into());
                    let delete_label = format!("Delete admin key {name}");
                    let for_delete = k.clone();
                    view! {
                        <tr data-id=k.id.clone()>
                            <td>
                                {name.clone()}
                                {portal.then(|| view! { <span class="badge">"Used by this portal"</span> })}
                            </td>
                            <td><code>{k.redacted_value.clone()}</code></td>
                            <td>{k.owner.name.clone()}</td>
                            <td class="date">{date_utc(k.created_at)}</td>
                            <td class="date">{k.last_used_at.map_or_else(|| "never".to_owned(), date_utc)}</td>
                            <td class="date">{k.expires_at.map_or_else(|| "never".to_owned(), date_utc)}</td>
                            {can_write.then(|| if portal {
                                view! {
                                    <td class="actions">
                                        <span class="hint">"Gatehouse runs on this key. To retire it, give Gatehouse another key and restart it first."</span>
                                    </td>
                                }.into_any()
                            } else {
                                view! {
                                    <td class="actions">
                                        <button type="button" class="danger" aria-label=delete_label
                                            on:click=move |_| on_delete.run(for_delete.clone())>"Delete"</button>
                                    </td>
                                }.into_any()
                            })}
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// The form for a new admin key: a name and an optional lifetime in days.
#[component]
fn CreateAdminKey(on_created: Callback<()>) -> impl IntoView {
    let toasts = expect_context::<Toasts>();
    let secrets = expect_context::<SecretSlot>();
    let name = RwSignal::new(String::new());
    let days = RwSignal::new(String::new());
    let write = Write::new();
    let submit = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        let days_text = days.get_untracked();
        let expires_in_seconds = match days_text.trim() {
            "" => None,
            text => {
                match text.parse::<i64>() {
                    Ok(d) if d > 0 => Some(d * 86_400),
                    _ => {
                        write.refuse(admin_api::ApiError::invalid_request(
                        format!("Expires after must be a whole number of days above zero, not '{text}'."),
                        Some("expires_in_seconds"),
                    ));
                        return;
                    }
                }
            }
        };
        let body = AdminApiKeyCreate {
            name: name.get_untracked().trim().to_owned(),
            expires_in_seconds,
        };
        if let Err(error) = body.validate() {
            write.refuse(error);
            return;
        }
        write.run(
            async move {
                api::post_json::<AdminApiKeyCreated, _>(&paths::admin_keys(), &body).await
            },
            move |created: AdminApiKeyCreated| {
                // Shown by the shell, so it survives the person leaving this page meanwhile;
                // everything else here may be gone by now (`try_run`, `set` are no-ops then).
                let label = created
                    .key
                    .name
                    .clone()
                    .unwrap_or_else(|| created.key.id.clone());
                toasts.push(Toast {
                    message: format!("Admin key {label} created."),
                    audit_link: Some(audit_link("resource_id", &created.key.id)),
                });
                secrets.show(Secret {
                    what: format!("Admin key {label}"),
                    value: created.value,
                });
                name.set(String::new());
                days.set(String::new());
                on_created.try_run(());
            },
        );
    };
    view! {
        <form class="card inline-form" on:submit=submit aria-label="Create an admin key">
            <label for="admin-key-name">"New admin key"</label>
            <input id="admin-key-name" autocomplete="off" prop:value=name on:input=move |e| name.set(event_target_value(&e))/>
            <label for="admin-key-days">"Expires after (days, optional)"</label>
            <input id="admin-key-days" inputmode="numeric" class="short" prop:value=days on:input=move |e| days.set(event_target_value(&e))/>
            <SubmitButton write=write label="Create admin key" pending_label="Creating…"/>
            <FormError error=write.error audit=write.audit/>
        </form>
    }
}
