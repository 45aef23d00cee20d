//! A project's service accounts: create one (its key is shown once), rename, delete.

use admin_api::service_accounts::{
    ServiceAccount, ServiceAccountCreate, ServiceAccountCreated, ServiceAccountUpdate,
};
use leptos::prelude::*;
use leptos_router::components::A;

use super::here;
use crate::api::{self, paths};
use crate::components::{
    ConfirmDialog, FormError, Listing, PagedList, Secret, SecretSlot, SubmitButton, TextDialog,
    Toast, Toasts, Write,
};
use crate::format::date_utc;
use crate::pages::lookups::audit_link;
use crate::pages::writes::delete_confirmed;

/// Service accounts: create (its key is shown once), rename, delete.
#[component]
pub fn ServiceAccountsTab(project_id: String, can_write: bool) -> impl IntoView {
    let toasts = expect_context::<Toasts>();
    let listing = Listing::<ServiceAccount>::new({
        let base = paths::service_accounts(&project_id);
        move || base.clone()
    });
    let name = RwSignal::new(String::new());
    let create_write = Write::new();
    // The new key's value goes to the shell's slot, which outlives this page, until the person
    // confirms they copied it; then it is dropped.
    let secrets = expect_context::<SecretSlot>();
    let create = {
        let project_id = project_id.clone();
        move |event: web_sys::SubmitEvent| {
            event.prevent_default();
            let body = ServiceAccountCreate {
                name: name.get_untracked().trim().to_owned(),
            };
            if let Err(error) = body.validate() {
                create_write.refuse(error);
                return;
            }
            let path = paths::service_accounts(&project_id);
            create_write.run(
                async move { api::post_json::<ServiceAccountCreated, _>(&path, &body).await },
                move |created| {
                    name.set(String::new());
                    listing.reload();
                    toasts.push(Toast {
                        message: format!("Service account {} created.", created.name),
                        audit_link: Some(audit_link("resource_id", &created.id)),
                    });
                    if let Some(key) = created.api_key {
                        secrets.show(Secret {
                            what: format!("API key of service account {}", created.name),
                            value: key.value,
                        });
                    }
                },
            );
        }
    };
    let to_rename = RwSignal::new(None::<ServiceAccount>);
    let to_delete = RwSignal::new(None::<ServiceAccount>);
    let rename_write = Write::new();
    let delete_write = Write::new();
    let rename = {
        let project_id = project_id.clone();
        Callback::new(move |new_name: String| {
            let Some(account) = to_rename.get_untracked() else {
                return;
            };
            let body = ServiceAccountUpdate {
                name: Some(new_name),
                role: None,
            };
            if let Err(error) = body.validate() {
                rename_write.refuse(error);
                return;
            }
            let path = paths::service_account(&project_id, &account.id);
            rename_write
                .about(audit_link("resource_id", &account.id))
                .run(
                    async move { api::post_json::<ServiceAccount, _>(&path, &body).await },
                    move |renamed| {
                        to_rename.set(None);
                        listing.reload();
                        toasts.push(Toast {
                            message: format!("The service account is now called {}.", renamed.name),
                            audit_link: Some(audit_link("resource_id", &renamed.id)),
                        });
                    },
                );
        })
    };
    let delete = delete_confirmed(
        to_delete,
        delete_write,
        {
            let project_id = project_id.clone();
            move |a: &ServiceAccount| paths::service_account(&project_id, &a.id)
        },
        |a| a.id.clone(),
        |a| format!("Service account {} deleted, with its API keys.", a.name),
        move || listing.reload(),
    );
    let here = here(&project_id, "service-accounts");
    view! {
        {can_write.then(|| view! {
            <form class="card inline-form" on:submit=create aria-label="Create a service account">
                <label for="account-name">"New service account"</label>
                <input id="account-name" autocomplete="off" prop:value=name on:input=move |e| name.set(event_target_value(&e))/>
                <SubmitButton write=create_write label="Create service account" pending_label="Creating…"/>
                <FormError error=create_write.error audit=create_write.audit/>
            </form>
        })}
        <PagedList listing=listing here=here noun="service accounts" rows={move |accounts: Vec<ServiceAccount>| {
                let empty = accounts.is_empty();
                let rows = accounts.into_iter().map(|a| {
                    let (for_rename, for_delete) = (a.clone(), a.clone());
                    let rename_label = format!("Rename {}", a.name);
                    let delete_label = format!("Delete {}", a.name);
                    view! {
                        <tr data-id=a.id.clone()>
                            <td>{a.name.clone()}</td>
                            <td>{a.role.clone()}</td>
                            <td class="date">{date_utc(a.created_at)}</td>
                            <td><A href=audit_link("resource_id", &a.id) attr:aria-label=format!("Audit log of {}", a.name)>"Audit log"</A></td>
                            {can_write.then(|| view! {
                                <td class="actions">
                                    <button type="button" aria-label=rename_label on:click=move |_| { rename_write.reset(); to_rename.set(Some(for_rename.clone())); }>"Rename"</button>
                                    <button type="button" class="danger" aria-label=delete_label on:click=move |_| { delete_write.reset(); to_delete.set(Some(for_delete.clone())); }>"Delete"</button>
                                </td>
                            })}
                        </tr>
                    }
                }).collect_view();
                view! {
                    {empty.then(|| view! { <p class="empty">"No service accounts on this page."</p> })}
                    <table class="data" class:hidden=empty>
                        <caption class="visually-hidden">"Service accounts"</caption>
                        <thead><tr>
                            <th scope="col">"Name"</th><th scope="col">"Role"</th><th scope="col">"Created (UTC)"</th>
                            <th scope="col">"Activity"</th>
                            {can_write.then(|| view! { <th scope="col">"Actions"</th> })}
                        </tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                }
            }}/>
        {move || to_rename.get().map(|a| view! {
            <TextDialog title="Rename service account" label="New name" initial=a.name.clone()
                save_label="Rename" pending_label="Renaming…" write=rename_write
                on_save=rename on_close=Callback::new(move |()| to_rename.set(None))/>
        })}
        {move || to_delete.get().map(|a| view! {
            <ConfirmDialog title="Delete service account"
                message=format!("Delete service account {}?", a.name)
                consequence="Its API keys are deleted with it: anything using them stops working at once."
                type_to_confirm=a.name.clone()
                confirm_label="Delete service account" pending_label="Deleting…"
                write=delete_write on_confirm=delete on_close=Callback::new(move |()| to_delete.set(None))/>
        })}
    }
}
