//! One project, with a tab per part, each in the URL (`/projects/{id}/{tab}`): members, service
//! accounts, API keys and rate limits. An archived project says what that means up front; its
//! forms stay, so upstream's own refusal is what the person sees if they try.

use admin_api::api_keys::ProjectApiKey;
use admin_api::project_users::{ProjectUser, ProjectUserCreate, ProjectUserUpdate};
use admin_api::projects::Project;
use admin_api::rate_limits::{ProjectRateLimit, RateLimitUpdate};
use admin_api::service_accounts::{
    ServiceAccount, ServiceAccountCreate, ServiceAccountCreated, ServiceAccountUpdate,
};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::lookups::{self, audit_link};
use super::writes::delete_confirmed;
use crate::api::{self, ClientError};
use crate::app::Auth;
use crate::components::{
    ConfirmDialog, CursorTrail, ErrorNotice, FormError, Listing, ListingStatus, Pager, Secret,
    SecretSlot, SubmitButton, TextDialog, Toast, Toasts, Write, page_summary,
};
use crate::format::date_utc;

/// The tabs: URL segment and label.
const TABS: &[(&str, &str)] = &[
    ("members", "Members"),
    ("service-accounts", "Service accounts"),
    ("api-keys", "API keys"),
    ("rate-limits", "Rate limits"),
];

/// `/projects/{id}/{tab}`.
#[component]
pub fn ProjectPage() -> impl IntoView {
    let params = use_params_map();
    let project_id = Memo::new(move |_| params.with(|p| p.get("id")).unwrap_or_default());
    let tab = Memo::new(move |_| {
        params
            .with(|p| p.get("tab"))
            .filter(|t| TABS.iter().any(|(s, _)| s == t))
            .unwrap_or_else(|| "members".into())
    });
    let project = RwSignal::new(None::<Result<Project, ClientError>>);
    Effect::new(move |_| {
        let id = project_id.get();
        project.set(None);
        // Cancelled when the id changes again: project A's answer never lands on B's page.
        leptos::task::spawn_local_scoped_with_cancellation(async move {
            let answer = api::get::<Project>(&format!("/organization/projects/{id}")).await;
            project.try_set(Some(answer));
        });
    });
    let auth = expect_context::<Auth>();
    let can_write = auth.can_write();
    view! {
        <section aria-labelledby="project-heading">
            <p><A href="/projects">"← Projects"</A></p>
            {move || match project.get() {
                None => view! { <h1 id="project-heading">"Project"</h1><p class="loading" aria-busy="true">"Loading the project…"</p> }.into_any(),
                Some(Err(error)) => view! { <h1 id="project-heading">"Project"</h1><ErrorNotice error=error/> }.into_any(),
                Some(Ok(p)) => {
                    let name = p.name.clone().unwrap_or_else(|| p.id.clone());
                    let archived = p.archived_at;
                    view! {
                        <h1 id="project-heading">{name}</h1>
                        <p class="hint">
                            <code>{p.id.clone()}</code>" · created "{date_utc(p.created_at)}" · "
                            <A href=audit_link("project_id", &p.id)>"Audit log of this project"</A>
                        </p>
                        {archived.map(|at| view! {
                            <div class="notice" role="note">
                                {format!("Archived on {}. OpenAI refuses new members, service accounts and API keys here, and the name can no longer change.", date_utc(at))}
                            </div>
                        })}
                    }.into_any()
                }
            }}
            <nav class="tabs" aria-label="Project sections">
                {move || {
                    let id = project_id.get();
                    TABS.iter().map(|(slug, label)| {
                        let current = tab.get() == *slug;
                        view! {
                            <a href=format!("/projects/{id}/{slug}") aria-current=current.then_some("page")>{*label}</a>
                        }
                    }).collect_view()
                }}
            </nav>
            {move || {
                let id = project_id.get();
                let write = can_write.get();
                match tab.get().as_str() {
                    "service-accounts" => view! { <ServiceAccountsTab project_id=id can_write=write/> }.into_any(),
                    "api-keys" => view! { <ApiKeysTab project_id=id can_write=write/> }.into_any(),
                    "rate-limits" => view! { <RateLimitsTab project_id=id can_write=write/> }.into_any(),
                    _ => view! { <MembersTab project_id=id can_write=write/> }.into_any(),
                }
            }}
        </section>
    }
}

/// The cursor of the tab's list, from the URL, and a listing of `path` that follows it.
fn tab_listing<T>(path: String) -> (Memo<CursorTrail>, Listing<T>)
where
    T: serde::de::DeserializeOwned + Clone + Send + Sync + 'static,
{
    let query = use_query_map();
    let trail = Memo::new(move |_| query.with(CursorTrail::from_query));
    let listing = Listing::<T>::new(move || {
        let after = trail.get().after;
        format!(
            "{path}?{}",
            admin_api::query::encode(after.map(|a| ("after", a)))
        )
    });
    (trail, listing)
}

/// The page's own path (for the pager's links).
fn here(project_id: &str, tab: &str) -> String {
    format!("/projects/{project_id}/{tab}")
}

/// Members: add an organization user, change a role, remove.
#[component]
pub fn MembersTab(project_id: String, can_write: bool) -> impl IntoView {
    let toasts = expect_context::<Toasts>();
    let base = format!("/organization/projects/{project_id}/users");
    let (trail, listing) = tab_listing::<ProjectUser>(base.clone());
    let users = lookups::users();
    let user_id = RwSignal::new(String::new());
    let role = RwSignal::new("member".to_owned());
    let add_write = Write::new();
    let add = {
        let base = base.clone();
        move |event: web_sys::SubmitEvent| {
            event.prevent_default();
            let body = ProjectUserCreate {
                user_id: user_id.get_untracked(),
                role: role.get_untracked(),
            };
            if let Err(error) = body.validate() {
                add_write.refuse(error);
                return;
            }
            let path = base.clone();
            add_write.run(
                async move { api::post_json::<ProjectUser, _>(&path, &body).await },
                move |member| {
                    user_id.set(String::new());
                    listing.reload();
                    toasts.push(Toast {
                        message: format!(
                            "{} joined the project as {}.",
                            member.email.clone().unwrap_or(member.id.clone()),
                            member.role
                        ),
                        audit_link: Some(audit_link("resource_id", &member.id)),
                    });
                },
            );
        }
    };
    let to_change = RwSignal::new(None::<ProjectUser>);
    let to_remove = RwSignal::new(None::<ProjectUser>);
    let change_write = Write::new();
    let remove_write = Write::new();
    let change = {
        let base = base.clone();
        Callback::new(move |()| {
            let Some(member) = to_change.get_untracked() else {
                return;
            };
            let role = if member.role == "owner" {
                "member"
            } else {
                "owner"
            };
            let path = format!("{base}/{}", member.id);
            let body = ProjectUserUpdate { role: role.into() };
            change_write
                .about(audit_link("resource_id", &member.id))
                .run(
                    async move { api::post_json::<ProjectUser, _>(&path, &body).await },
                    move |updated| {
                        to_change.set(None);
                        listing.reload();
                        toasts.push(Toast {
                            message: format!(
                                "{} is now a project {}.",
                                updated.email.clone().unwrap_or(updated.id.clone()),
                                updated.role
                            ),
                            audit_link: Some(audit_link("resource_id", &updated.id)),
                        });
                    },
                );
        })
    };
    let remove = delete_confirmed(
        to_remove,
        remove_write,
        move |m: &ProjectUser| format!("{base}/{}", m.id),
        |m| m.id.clone(),
        |m| {
            format!(
                "{} was removed from the project.",
                m.email.clone().unwrap_or(m.id.clone())
            )
        },
        move || listing.reload(),
    );
    let here = here(&project_id, "members");
    view! {
        {can_write.then(|| view! {
            <form class="card inline-form" on:submit=add aria-label="Add a member">
                <label for="member-user">"Organization user"</label>
                <select id="member-user" prop:value=user_id on:change=move |e| user_id.set(event_target_value(&e))>
                    <option value="">"Choose a user"</option>
                    {move || users.get().unwrap_or_default().into_iter().map(|u| {
                        let label = u.email.clone().unwrap_or_else(|| u.id.clone());
                        view! { <option value=u.id.clone()>{label}</option> }
                    }).collect_view()}
                </select>
                <label for="member-role">"Role"</label>
                <select id="member-role" prop:value=role on:change=move |e| role.set(event_target_value(&e))>
                    <option value="member">"Member"</option>
                    <option value="owner">"Owner"</option>
                </select>
                <SubmitButton write=add_write label="Add member" pending_label="Adding…"/>
                <FormError error=add_write.error audit=add_write.audit/>
            </form>
        })}
        <ListingStatus first_load=listing.first_load() error=listing.error() noun="members"/>
        <div class="listing" aria-busy=move || listing.loading.get().to_string()>
            {move || listing.page.with(|p| matches!(p, Some(Ok(_)))).then(|| {
                let (has_more, last_id) = listing.more();
                let members = listing.items();
                let summary = page_summary(members.len(), "members", &trail.get(), has_more);
                view! {
                    <MembersTable members=members can_write=can_write
                        on_change=Callback::new(move |m| { change_write.reset(); to_change.set(Some(m)); })
                        on_remove=Callback::new(move |m| { remove_write.reset(); to_remove.set(Some(m)); })/>
                    <p class="count">{summary}</p>
                    <Pager path=here.clone() trail=trail.get() last_id=last_id has_more=has_more/>
                }
            })}
        </div>
        {move || to_change.get().map(|m| {
            let next = if m.role == "owner" { "member" } else { "owner" };
            view! {
                <ConfirmDialog title="Change project role" class="primary"
                    message=format!("Make {} a project {next}?", m.email.clone().unwrap_or(m.id.clone()))
                    consequence="Project owners manage the project's members, service accounts, keys and limits."
                    confirm_label="Change role" pending_label="Changing…"
                    write=change_write on_confirm=change on_close=Callback::new(move |()| to_change.set(None))/>
            }
        })}
        {move || to_remove.get().map(|m| view! {
            <ConfirmDialog title="Remove member"
                message=format!("Remove {} from this project?", m.email.clone().unwrap_or(m.id.clone()))
                consequence="They lose access to the project. Their API keys in this project stop working."
                confirm_label="Remove member" pending_label="Removing…"
                write=remove_write on_confirm=remove on_close=Callback::new(move |()| to_remove.set(None))/>
        })}
    }
}

/// The members on this page.
#[component]
pub fn MembersTable(
    members: Vec<ProjectUser>,
    can_write: bool,
    on_change: Callback<ProjectUser>,
    on_remove: Callback<ProjectUser>,
) -> impl IntoView {
    if members.is_empty() {
        return view! { <p class="empty">"No members on this page."</p> }.into_any();
    }
    view! {
        <table class="data">
            <caption class="visually-hidden">"Project members"</caption>
            <thead><tr>
                <th scope="col">"Name"</th><th scope="col">"Email"</th><th scope="col">"Role"</th>
                <th scope="col">"Added (UTC)"</th>
                {can_write.then(|| view! { <th scope="col">"Actions"</th> })}
            </tr></thead>
            <tbody>
                {members.into_iter().map(|m| {
                    let who = m.email.clone().unwrap_or_else(|| m.id.clone());
                    let next = if m.role == "owner" { "member" } else { "owner" };
                    let (for_change, for_remove) = (m.clone(), m.clone());
                    let change_label = format!("Make {who} a project {next}");
                    let remove_label = format!("Remove {who} from the project");
                    view! {
                        <tr data-id=m.id.clone()>
                            <td>{m.name.clone().unwrap_or_else(|| "—".into())}</td>
                            <td>{m.email.clone().unwrap_or_else(|| "—".into())}</td>
                            <td class="role">{m.role.clone()}</td>
                            <td class="date">{date_utc(m.added_at)}</td>
                            {can_write.then(|| view! {
                                <td class="actions">
                                    <button type="button" aria-label=change_label on:click=move |_| on_change.run(for_change.clone())>{format!("Make {next}")}</button>
                                    <button type="button" class="danger" aria-label=remove_label on:click=move |_| on_remove.run(for_remove.clone())>"Remove"</button>
                                </td>
                            })}
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// Service accounts: create (its key is shown once), rename, delete.
#[component]
pub fn ServiceAccountsTab(project_id: String, can_write: bool) -> impl IntoView {
    let toasts = expect_context::<Toasts>();
    let base = format!("/organization/projects/{project_id}/service_accounts");
    let (trail, listing) = tab_listing::<ServiceAccount>(base.clone());
    let name = RwSignal::new(String::new());
    let create_write = Write::new();
    // The new key's value goes to the shell's slot, which outlives this page, until the person
    // confirms they copied it; then it is dropped.
    let secrets = expect_context::<SecretSlot>();
    let create = {
        let base = base.clone();
        move |event: web_sys::SubmitEvent| {
            event.prevent_default();
            let body = ServiceAccountCreate {
                name: name.get_untracked().trim().to_owned(),
            };
            if let Err(error) = body.validate() {
                create_write.refuse(error);
                return;
            }
            let path = base.clone();
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
        let base = base.clone();
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
            let path = format!("{base}/{}", account.id);
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
        move |a: &ServiceAccount| format!("{base}/{}", a.id),
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
        <ListingStatus first_load=listing.first_load() error=listing.error() noun="service accounts"/>
        <div class="listing" aria-busy=move || listing.loading.get().to_string()>
            {move || listing.page.with(|p| matches!(p, Some(Ok(_)))).then(|| {
                let (has_more, last_id) = listing.more();
                let accounts = listing.items();
                let summary = page_summary(accounts.len(), "service accounts", &trail.get(), has_more);
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
                    <p class="count">{summary}</p>
                    <Pager path=here.clone() trail=trail.get() last_id=last_id has_more=has_more/>
                }
            })}
        </div>
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
    let base = format!("/organization/projects/{project_id}/api_keys");
    let (trail, listing) = tab_listing::<ProjectApiKey>(base.clone());
    let to_delete = RwSignal::new(None::<ProjectApiKey>);
    let delete_write = Write::new();
    let delete = delete_confirmed(
        to_delete,
        delete_write,
        move |k: &ProjectApiKey| format!("{base}/{}", k.id),
        |k| k.id.clone(),
        |k| format!("API key {} deleted.", k.name),
        move || listing.reload(),
    );
    let here = here(&project_id, "api-keys");
    view! {
        <p class="hint">"New project keys are made by their owners in OpenAI's dashboard, or for a service account when it is created."</p>
        <ListingStatus first_load=listing.first_load() error=listing.error() noun="API keys"/>
        <div class="listing" aria-busy=move || listing.loading.get().to_string()>
            {move || listing.page.with(|p| matches!(p, Some(Ok(_)))).then(|| {
                let (has_more, last_id) = listing.more();
                let keys = listing.items();
                let summary = page_summary(keys.len(), "API keys", &trail.get(), has_more);
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
                    <p class="count">{summary}</p>
                    <Pager path=here.clone() trail=trail.get() last_id=last_id has_more=has_more/>
                }
            })}
        </div>
        {move || to_delete.get().map(|k| view! {
            <ConfirmDialog title="Delete API key"
                message=format!("Delete API key {} ({}), owned by {}?", k.name, k.redacted_value, owner_of(&k))
                consequence="Anything using this key stops working at once. A deleted key cannot be restored."
                confirm_label="Delete API key" pending_label="Deleting…"
                write=delete_write on_confirm=delete on_close=Callback::new(move |()| to_delete.set(None))/>
        })}
    }
}

/// The limits a row shows, in order, with their column headings.
const LIMITS: &[(&str, &str)] = &[
    ("max_requests_per_1_minute", "Requests / min"),
    ("max_tokens_per_1_minute", "Tokens / min"),
    ("max_images_per_1_minute", "Images / min"),
    ("max_audio_megabytes_per_1_minute", "Audio MB / min"),
    ("max_requests_per_1_day", "Requests / day"),
    ("batch_1_day_max_input_tokens", "Batch input tokens / day"),
];

/// The value of limit `index` (of [`LIMITS`]) in `limit`.
fn limit_value(limit: &ProjectRateLimit, index: usize) -> Option<i64> {
    match index {
        0 => Some(limit.max_requests_per_1_minute),
        1 => Some(limit.max_tokens_per_1_minute),
        2 => limit.max_images_per_1_minute,
        3 => limit.max_audio_megabytes_per_1_minute,
        4 => limit.max_requests_per_1_day,
        _ => limit.batch_1_day_max_input_tokens,
    }
}

/// Parses the edited cells into an update of the changed limits. A cell that is not a whole
/// number above zero is an error naming the limit, in upstream's error shape.
pub fn rate_limit_update(
    limit: &ProjectRateLimit,
    typed: &[String],
) -> Result<RateLimitUpdate, admin_api::ApiError> {
    let mut update = RateLimitUpdate::default();
    for (index, text) in typed.iter().enumerate() {
        let text = text.trim();
        let before = limit_value(limit, index);
        if text.is_empty() && before.is_none() {
            continue;
        }
        let (field, label) = LIMITS[index];
        let value = text.parse::<i64>().ok().filter(|v| *v > 0).ok_or_else(|| {
            admin_api::ApiError::invalid_request(
                format!("{label} must be a whole number above zero, not '{text}'."),
                Some(field),
            )
        })?;
        if Some(value) == before {
            continue;
        }
        let slot = match index {
            0 => &mut update.max_requests_per_1_minute,
            1 => &mut update.max_tokens_per_1_minute,
            2 => &mut update.max_images_per_1_minute,
            3 => &mut update.max_audio_megabytes_per_1_minute,
            4 => &mut update.max_requests_per_1_day,
            _ => &mut update.batch_1_day_max_input_tokens,
        };
        *slot = Some(value);
    }
    update.validate()?;
    Ok(update)
}

/// Rate limits: a row per model, edited in place.
#[component]
pub fn RateLimitsTab(project_id: String, can_write: bool) -> impl IntoView {
    let base = format!("/organization/projects/{project_id}/rate_limits");
    let (trail, listing) = tab_listing::<ProjectRateLimit>(base.clone());
    let here = here(&project_id, "rate-limits");
    view! {
        <ListingStatus first_load=listing.first_load() error=listing.error() noun="rate limits"/>
        <div class="listing" aria-busy=move || listing.loading.get().to_string()>
            {move || listing.page.with(|p| matches!(p, Some(Ok(_)))).then(|| {
                let (has_more, last_id) = listing.more();
                let limits = listing.items();
                let summary = page_summary(limits.len(), "models", &trail.get(), has_more);
                view! {
                    <RateLimitsTable limits=limits base=base.clone() can_write=can_write/>
                    <p class="count">{summary}</p>
                    <Pager path=here.clone() trail=trail.get() last_id=last_id has_more=has_more/>
                }
            })}
        </div>
    }
}

/// The table of rate limits, each row editable in place.
#[component]
pub fn RateLimitsTable(
    limits: Vec<ProjectRateLimit>,
    /// `/organization/projects/{id}/rate_limits`.
    base: String,
    can_write: bool,
) -> impl IntoView {
    if limits.is_empty() {
        return view! { <p class="empty">"No rate limits on this page."</p> }.into_any();
    }
    view! {
        <table class="data rate-limits">
            <caption class="visually-hidden">"Rate limits per model"</caption>
            <thead><tr>
                <th scope="col">"Model"</th>
                {LIMITS.iter().map(|(_, label)| view! { <th scope="col" class="number">{*label}</th> }).collect_view()}
                {can_write.then(|| view! { <th scope="col">"Actions"</th> })}
            </tr></thead>
            <tbody>
                {limits.into_iter().map(|limit| view! { <RateLimitRow limit=limit base=base.clone() can_write=can_write/> }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// One model's limits; "Edit" turns its cells into inputs, "Save" sends only what changed.
#[component]
fn RateLimitRow(limit: ProjectRateLimit, base: String, can_write: bool) -> impl IntoView {
    let toasts = expect_context::<Toasts>();
    let current = RwSignal::new(limit);
    let editing = RwSignal::new(false);
    let typed: Vec<RwSignal<String>> = (0..LIMITS.len())
        .map(|_| RwSignal::new(String::new()))
        .collect();
    let write = Write::new();
    let start = {
        let typed = typed.clone();
        move |_| {
            current.with_untracked(|l| {
                for (i, cell) in typed.iter().enumerate() {
                    cell.set(limit_value(l, i).map(|v| v.to_string()).unwrap_or_default());
                }
            });
            write.reset();
            editing.set(true);
        }
    };
    let save = {
        let typed = typed.clone();
        move |_| {
            let texts: Vec<String> = typed.iter().map(|t| t.get_untracked()).collect();
            let update = match current.with_untracked(|l| rate_limit_update(l, &texts)) {
                Ok(update) => update,
                Err(error) => {
                    write.refuse(error);
                    return;
                }
            };
            let path = format!("{base}/{}", current.with_untracked(|l| l.id.clone()));
            let body = update;
            write.run(
                async move { api::post_json::<ProjectRateLimit, _>(&path, &body).await },
                move |saved| {
                    toasts.push(Toast {
                        message: format!("Rate limits of {} saved.", saved.model),
                        audit_link: Some(audit_link("resource_id", &saved.id)),
                    });
                    current.set(saved);
                    editing.set(false);
                },
            );
        }
    };
    let model = move || current.with(|l| l.model.clone());
    let cells = typed.iter().copied().enumerate().map(|(i, cell)| {
        view! {
            <td class="number">
                {move || if editing.get() {
                    let label = format!("{} for {}", LIMITS[i].1, model());
                    view! {
                        <input type="text" inputmode="numeric" class="number" aria-label=label prop:value=cell
                            on:input=move |e| cell.set(event_target_value(&e))/>
                    }.into_any()
                } else {
                    let text = current.with(|l| limit_value(l, i).map_or_else(|| "—".to_owned(), |v| v.to_string()));
                    view! { {text} }.into_any()
                }}
            </td>
        }
    }).collect_view();
    view! {
        <tr data-model=model>
            <th scope="row">{model}</th>
            {cells}
            {can_write.then(|| view! {
                <td class="actions">
                    <Show when=move || editing.get() fallback=move || view! {
                        <button type="button" aria-label=move || format!("Edit the limits of {}", model()) on:click=start.clone()>"Edit"</button>
                    }>
                        <button type="button" class="primary" disabled=move || write.pending.get()
                            aria-label=move || format!("Save the limits of {}", model()) on:click=save.clone()>
                            {move || if write.pending.get() { "Saving…" } else { "Save" }}
                        </button>
                        <button type="button" on:click=move |_| { write.reset(); editing.set(false); }>"Cancel"</button>
                    </Show>
                    <FormError error=write.error audit=write.audit/>
                </td>
            })}
        </tr>
    }
}
