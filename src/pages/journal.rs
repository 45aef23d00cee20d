//! The Journal page: who made which change through the portal. OpenAI's audit log names the
//! admin key; this names the person, their address and what upstream answered.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::api::{self, JournalEntry};
use crate::components::{CursorTrail, ErrorNotice, Load, Pager};
use crate::format::date_time_utc;

/// The journal page, filtered by portal user from the URL (`?user=`).
#[component]
pub fn JournalPage() -> impl IntoView {
    let query = use_query_map();
    let user = Memo::new(move |_| query.with(|q| q.get("user")).filter(|u| !u.is_empty()));
    let trail = Memo::new(move |_| query.with(CursorTrail::from_query));
    // A newer filter or page aborts the older request.
    let entries = Load::new(move || {
        let (user, after) = (user.get(), trail.get().after);
        async move { api::list_journal(user.as_deref(), after.as_deref()).await }
    });
    let typed = RwSignal::new(user.get_untracked().unwrap_or_default());
    let navigate = use_navigate();
    let filter = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        let value = typed.get_untracked();
        let target = if value.trim().is_empty() {
            "/journal".to_owned()
        } else {
            format!(
                "/journal?{}",
                admin_api::query::encode([("user", value.trim().to_owned())])
            )
        };
        navigate(&target, Default::default());
    };
    let path = move || {
        user.get()
            .map(|u| format!("/journal?{}", admin_api::query::encode([("user", u)])))
            .unwrap_or_else(|| "/journal".to_owned())
    };
    view! {
        <section aria-labelledby="journal-heading">
            <h1 id="journal-heading">"Journal"</h1>
            <p class="hint">"Every change made through Gatehouse, recorded before it is sent to OpenAI and again with OpenAI's answer. Rows are hash-chained; " <code>"gatehouse journal verify"</code> " checks them."</p>
            <form class="filters" on:submit=filter>
                <label for="journal-user">"Portal user"</label>
                <input id="journal-user" prop:value=typed on:input=move |e| typed.set(event_target_value(&e))/>
                <button type="submit">"Filter"</button>
            </form>
            {move || {
                    match entries.value.get() {
                        None => view! { <p class="loading" aria-busy="true">"Loading the journal…"</p> }.into_any(),
                        Some(Ok(page)) => {
                            let pager_path = path();
                            let trail = trail.get_untracked();
                            view! {
                                <JournalTable entries=page.data.clone()/>
                                <Pager path=pager_path trail=trail last_id=page.last_id.clone() has_more=page.has_more/>
                            }.into_any()
                        }
                        Some(Err(error)) => view! { <ErrorNotice error=error/> }.into_any(),
                    }
                }}
        </section>
    }
}

/// What OpenAI's audit log shows of a write: a link to the events attributed to it, or a flag
/// when a successful write's event has not arrived after two archive polls (OpenAI logs every
/// authenticated admin request, so that is worth a look).
fn audit_cell(entry: &JournalEntry) -> AnyView {
    let href = |id: &str| {
        format!(
            "/audit-log?{}",
            admin_api::query::encode([("resource_id", id.to_owned())])
        )
    };
    match (entry.events, entry.object_id.as_deref()) {
        (Some(n), Some(id)) if n > 0 => {
            let label = if n == 1 {
                "1 event".to_owned()
            } else {
                format!("{n} events")
            };
            view! { <a href=href(id)>{label}</a> }.into_any()
        }
        (Some(_), Some(id)) if entry.missing_event => view! {
            <strong class="warning">"No audit event after two polls"</strong>
            " · " <a href=href(id)>"look"</a>
        }
        .into_any(),
        (Some(_), _) => view! { <span class="hint">"not yet"</span> }.into_any(),
        _ => ().into_any(),
    }
}

/// The journal rows, newest first.
#[component]
pub fn JournalTable(
    /// The rows to show.
    entries: Vec<JournalEntry>,
) -> impl IntoView {
    if entries.is_empty() {
        return view! { <p class="empty">"No changes recorded."</p> }.into_any();
    }
    view! {
        <table class="data">
            <caption class="visually-hidden">"Journal of changes made through the portal"</caption>
            <thead>
                <tr>
                    <th scope="col">"#"</th>
                    <th scope="col">"Time (UTC)"</th>
                    <th scope="col">"Who"</th>
                    <th scope="col">"From"</th>
                    <th scope="col">"Change"</th>
                    <th scope="col">"Outcome"</th>
                    <th scope="col">"Audit log"</th>
                </tr>
            </thead>
            <tbody>
                {entries.into_iter().map(|entry| {
                    let outcome = match (entry.phase.as_str(), entry.status, entry.outcome.as_deref()) {
                        ("request", _, _) => "sent to OpenAI".to_owned(),
                        (_, _, Some("unknown")) => "no answer: it may have been made".to_owned(),
                        (_, _, Some("not_sent")) => "not sent: OpenAI unreachable".to_owned(),
                        (_, Some(status), _) => match &entry.object_id {
                            Some(id) => format!("{status} · {id}"),
                            None => status.to_string(),
                        },
                        _ => "—".to_owned(),
                    };
                    let audit = audit_cell(&entry);
                    view! {
                        <tr>
                            <td>{entry.seq}</td>
                            <td>{date_time_utc(entry.at)}</td>
                            <td>{match &entry.token_name {
                                Some(token) => format!("{} ({}) via token \"{token}\"", entry.username, entry.role),
                                None => format!("{} ({})", entry.username, entry.role),
                            }}</td>
                            <td>{entry.client.clone()}</td>
                            <td><code>{format!("{} {}", entry.method, entry.path)}</code></td>
                            <td class="outcome">{outcome}</td>
                            <td class="audit">{audit}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
