//! A project's API keys: see them (redacted), with their owners, and delete one.

use admin_api::api_keys::ProjectApiKey;
use leptos::prelude::*;
use leptos_router::components::A;

use super::here;
use crate::api::paths;
use crate::components::{ConfirmDialog, Listing, PagedList, Write};
use crate::format::date_utc;
use crate::pages::lookups::audit_link;
use crate::pages::writes::delete_confirmed;

/// Who owns a key, in words.
fn owner_of(key: &ProjectApiKey) -> String {
    match (&key.owner.user, &key.owner.service_account) {
        (Some(user), _) => format!("user {}", user.email),
        (None, Some(account)) => format!("service account {}", account.name),
        (None, None) => key.owner.kind.clone(),
    }
}

/// API keys: see them (redacted) and delete one.
#[component]
pub fn ApiKeysTab(project_id: String, can_write: bool) -> impl IntoView {
    let listing = Listing::<ProjectApiKey>::new({
        let base = paths::project_api_keys(&project_id);
        move || base.clone()
    });
    let to_delete = RwSignal::new(None::<ProjectApiKey>);
    let delete_write = Write::new();
    let delete = delete_confirmed(
        to_delete,
        delete_write,
        {
            let project_id = project_id.clone();
            move |k: &ProjectApiKey| paths::project_api_key(&project_id, &k.id)
        },
        |k| k.id.clone(),
        |k| format!("API key {} deleted.", k.name),
        move || listing.reload(),
    );
    let here = here(&project_id, "api-keys");
    view! {
        <p class="hint">"New project keys are made by their owners in OpenAI's dashboard, or for a service account when it is created."</p>
        <PagedList listing=listing here=here noun="API keys" rows={move |keys: Vec<ProjectApiKey>| {
                let empty = keys.is_empty();
                let rows = keys.into_iter().map(|k| {
                    let for_delete = k.clone();
                    let delete_label = format!("Delete API key {}", k.name);
                    view! {
                        <tr data-id=k.id.clone()>
                            <td>{k.name.clone()}</td>
                            <td><code>{k.redacted_value.clone()}</code></td>
                            <td>{owner_of(&k)}</td>
                            <td class="date">{date_utc(k.created_at)}</td>
                            <td class="date">{k.last_used_at.map_or_else(|| "never".to_owned(), date_utc)}</td>
                            <td><A href=audit_link("resource_id", &k.id) attr:aria-label=format!("Audit log of {}", k.name)>"Audit log"</A></td>
                            {can_write.then(|| view! {
                                <td class="actions">
                                    <button type="button" class="danger" aria-label=delete_label on:click=move |_| { delete_write.reset(); to_delete.set(Some(for_delete.clone())); }>"Delete"</button>
                                </td>
                            })}
                        </tr>
                    }
                }).collect_view();
                view! {
                    {empty.then(|| view! { <p class="empty">"No API keys on this page."</p> })}
                    <table class="data" class:hidden=empty>
                        <caption class="visually-hidden">"API keys"</caption>
                        <thead><tr>
                            <th scope="col">"Name"</th><th scope="col">"Key"</th><th scope="col">"Owner"</th>
                            <th scope="col">"Created (UTC)"</th><th scope="col">"Last used (UTC)"</th><th scope="col">"Activity"</th>
                            {can_write.then(|| view! { <th scope="col">"Actions"</th> })}
                        </tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                }
            }}/>
        {move || to_delete.get().map(|k| view! {
            <ConfirmDialog title="Delete API key"
                message=format!("Delete API key {} ({}), owned by {}?", k.name, k.redacted_value, owner_of(&k))
                consequence="Anything using this key stops working at once. A deleted key cannot be restored."
                confirm_label="Delete API key" pending_label="Deleting…"
                write=delete_write on_confirm=delete on_close=Callback::new(move |()| to_delete.set(None))/>
        })}
    }
}
