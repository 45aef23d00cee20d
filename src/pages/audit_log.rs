//! The audit log, first cut: upstream's events newest first, filtered by resource id and event
//! type from the URL, paged by cursor. The full timeline (grouping, sentences, drawer, live tail,
//! export) builds on this page.

use admin_api::audit_logs::{AuditLog, ListAuditLogsQuery};
use admin_api::query::Paging;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api;
use crate::components::{CursorTrail, ErrorNotice, Pager};
use crate::format::date_time_utc;

/// The audit-log page.
#[component]
pub fn AuditLogPage() -> impl IntoView {
    let query = use_query_map();
    let filter = Memo::new(move |_| {
        query.with(|q| ListAuditLogsQuery {
            paging: Paging {
                limit: None,
                after: CursorTrail::from_query(q).after,
            },
            resource_ids: q.get("resource_id").into_iter().collect(),
            event_types: q.get("event_type").into_iter().collect(),
            ..ListAuditLogsQuery::default()
        })
    });
    let trail = Memo::new(move |_| query.with(CursorTrail::from_query));
    let events = LocalResource::new(move || {
        let filter = filter.get();
        async move { api::list_audit_logs(&filter).await }
    });
    let description = move || {
        let f = filter.get();
        match (f.resource_ids.first(), f.event_types.first()) {
            (Some(r), _) => format!("Events on resource {r}, newest first."),
            (None, Some(t)) => format!("Events of type {t}, newest first."),
            (None, None) => "All events, newest first.".to_owned(),
        }
    };
    view! {
        <section aria-labelledby="audit-heading">
            <h1 id="audit-heading">"Audit log"</h1>
            <p class="hint">{description}</p>
            <Transition fallback=|| view! { <p class="loading" aria-busy="true">"Loading events…"</p> }>
                {move || Suspend::new(async move {
                    match events.await {
                        Ok(page) => view! {
                            <AuditTable events=page.data.clone()/>
                            <Pager path="/audit-log" trail=trail.get_untracked()
                                last_id=page.last_id.clone() has_more=page.has_more/>
                        }.into_any(),
                        Err(error) => view! { <ErrorNotice error=error/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// A table of audit events.
#[component]
fn AuditTable(
    /// The events, newest first.
    events: Vec<AuditLog>,
) -> impl IntoView {
    if events.is_empty() {
        return view! { <p class="empty">"No events match."</p> }.into_any();
    }
    view! {
        <table class="data">
            <caption class="visually-hidden">"Audit events"</caption>
            <thead>
                <tr>
                    <th scope="col">"Time (UTC)"</th>
                    <th scope="col">"Event"</th>
                    <th scope="col">"Actor"</th>
                    <th scope="col">"Resource"</th>
                    <th scope="col">"Project"</th>
                </tr>
            </thead>
            <tbody>
                {events.into_iter().map(|event| view! {
                    <tr>
                        <td>{date_time_utc(event.effective_at)}</td>
                        <td class="event-type">{event.event_type.clone()}</td>
                        <td>{actor(&event)}</td>
                        <td><code>{event.resource_id().unwrap_or("—").to_owned()}</code></td>
                        <td>{event.project.as_ref().map(|p| p.name.clone().unwrap_or_else(|| p.id.clone())).unwrap_or_else(|| "—".into())}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// Who did it, in a few words.
fn actor(event: &AuditLog) -> String {
    let Some(actor) = &event.actor else {
        return "—".into();
    };
    if let Some(session) = &actor.session {
        let who = session
            .user
            .as_ref()
            .and_then(|u| u.email.clone())
            .unwrap_or_default();
        let ip = session.ip_address.clone().unwrap_or_default();
        return format!("{who} (session, {ip})");
    }
    if let Some(key) = &actor.api_key {
        let owner = key
            .user
            .as_ref()
            .and_then(|u| u.email.clone())
            .or_else(|| key.service_account.as_ref().map(|s| s.id.clone()))
            .unwrap_or_default();
        return format!("API key {} ({owner})", key.id.clone().unwrap_or_default());
    }
    actor.kind.clone()
}
