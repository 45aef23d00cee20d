//! One event in full: the dialog the timeline opens (with the journal's side of a write made
//! through Gatehouse), the body it shares with the permalink page, and that page.

use admin_api::audit_logs::AuditLog;
use admin_api::audit_sentences::describe;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api;
use crate::components::{ErrorNotice, Modal};

/// The event in a dialog, opened from the timeline.
#[component]
pub(super) fn EventDetails(
    /// The event.
    event: AuditLog,
    /// Who made it through the portal, if the journal says.
    by: Option<api::Attribution>,
    /// Its sentence, as the dialog's title.
    title: String,
    /// Closes the dialog.
    on_close: Callback<()>,
) -> impl IntoView {
    let close = move |_| on_close.run(());
    view! {
        <Modal title=title on_close=on_close>
            {by.map(|by| view! { <JournalWrite by=by on_leave=on_close/> })}
            <EventBody event=event on_leave=on_close/>
            <div class="buttons">
                <button type="button" class="primary" on:click=close>"Close"</button>
            </div>
        </Modal>
    }
}

/// The journal's side of an attributed event: the person, and the write as the journal
/// recorded it (fetched when shown), linking to its row.
#[component]
fn JournalWrite(
    /// Who made the event through the portal.
    by: api::Attribution,
    /// Called when the link is followed (the dialog closes itself).
    on_leave: Callback<()>,
) -> impl IntoView {
    let row = RwSignal::new(None::<api::JournalEntry>);
    let seq = by.journal_seq;
    leptos::task::spawn_local_scoped_with_cancellation(async move {
        if let Ok(found) = api::journal_row(seq).await {
            row.try_set(found);
        }
    });
    let leave = move |_| on_leave.run(());
    view! {
        <dl class="details through-gatehouse">
            <dt>"Through Gatehouse"</dt>
            <dd>
                {by.label()} " · "
                <A href=by.journal_href() on:click=leave>{format!("journal row {seq}")}</A>
            </dd>
            {move || row.get().map(|r| view! {
                <dt>"Journal"</dt>
                <dd>{format!(
                    "{} {} from {} · {} · answered {}",
                    r.method,
                    r.path,
                    r.client,
                    crate::format::date_time_utc(r.at),
                    r.status.map(|s| s.to_string()).unwrap_or_else(|| "—".to_owned())
                )}</dd>
            })}
        </dl>
    }
}

/// The full event: when, who, the actor's session, links to related events and to itself, and
/// its JSON with a copy button.
#[component]
pub fn EventBody(
    /// The event.
    event: AuditLog,
    /// Called when one of the links is followed (a dialog closes itself).
    #[prop(optional)]
    on_leave: Option<Callback<()>>,
) -> impl IntoView {
    let json = serde_json::to_string_pretty(&event).unwrap_or_default();
    let copied = RwSignal::new(false);
    let to_copy = json.clone();
    let copy = move |_| {
        let _ = window().navigator().clipboard().write_text(&to_copy);
        copied.set(true);
    };
    let link = |key: &str, value: String| {
        format!("/audit-log?{}", admin_api::query::encode([(key, value)]))
    };
    let session = event.actor.as_ref().and_then(|a| a.session.clone());
    let actor = event.actor.as_ref();
    let actor_email = session
        .as_ref()
        .and_then(|s| s.user.as_ref()?.email.clone())
        .or_else(|| actor?.api_key.as_ref()?.user.as_ref()?.email.clone());
    let mut related: Vec<(&'static str, String)> = Vec::new();
    related.extend(actor_email.map(|email| ("All events by this actor", link("actor", email))));
    related.extend(event.resource_id().map(|id| {
        (
            "All events on this resource",
            link("resource_id", id.to_owned()),
        )
    }));
    related.extend(event.project.as_ref().map(|p| {
        (
            "All events in this project",
            link("project_id", p.id.clone()),
        )
    }));
    related.push((
        "Permalink",
        format!(
            "/audit-log/event/{}?{}",
            event.id,
            admin_api::query::encode([("at", event.effective_at.to_string())])
        ),
    ));
    let leave = move |_| {
        if let Some(on_leave) = on_leave {
            on_leave.run(());
        }
    };
    view! {
        <dl class="details">
            <dt>"When"</dt><dd>{crate::format::date_time_utc(event.effective_at)}</dd>
            <dt>"Event id"</dt><dd><code>{event.id.clone()}</code></dd>
            {session.map(|s| view! {
                <dt>"Session"</dt>
                <dd>{format!(
                    "{} · {} · {}",
                    s.ip_address.unwrap_or_default(),
                    s.ip_address_details.and_then(|d| Some(format!("{}, {}", d.city?, d.country?))).unwrap_or_default(),
                    s.user_agent.unwrap_or_default()
                )}</dd>
            })}
        </dl>
        <nav class="related" aria-label="Related events">
            {related.into_iter().map(|(label, href)| view! { <A href=href on:click=leave>{label}</A> }).collect_view()}
        </nav>
        <pre class="json" tabindex="0" aria-label="The event as JSON">{json}</pre>
        <p class="copy-row">
            <button type="button" on:click=copy>"Copy JSON"</button>
            <span role="status">{move || if copied.get() { "Copied." } else { "" }}</span>
        </p>
    }
}

/// `/audit-log/event/{id}?at=T`: one event by permalink. Upstream cannot fetch an event by id,
/// so the BFF looks in the second it happened.
#[component]
pub fn AuditEventPage() -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    let query = use_query_map();
    let event = RwSignal::new(None::<Result<AuditLog, api::ClientError>>);
    Effect::new(move |_| {
        let id = params.with(|p| p.get("id")).unwrap_or_default();
        let at = query
            .with(|q| q.get("at"))
            .and_then(|a| a.parse::<i64>().ok());
        event.set(None);
        leptos::task::spawn_local(async move {
            event.try_set(Some(api::find_audit_event(&id, at).await));
        });
    });
    view! {
        <section aria-labelledby="event-heading">
            <p><A href="/audit-log">"← Audit log"</A></p>
            {move || match event.get() {
                None => view! { <h1 id="event-heading">"Audit event"</h1><p class="loading" aria-busy="true">"Finding the event…"</p> }.into_any(),
                Some(Ok(event)) => {
                    let sentence = describe(&event, &|_| None);
                    view! {
                        <h1 id="event-heading">{sentence}</h1>
                        <EventBody event=event/>
                    }.into_any()
                }
                Some(Err(error)) => view! { <h1 id="event-heading">"Audit event"</h1><ErrorNotice error=error/> }.into_any(),
            }}
        </section>
    }
}
