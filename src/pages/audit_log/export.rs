//! Export links: everything the current filters match as CSV or NDJSON, streamed by the BFF,
//! counted as it arrives, cancellable, with a link to the finished export's manifest.

use leptos::prelude::*;

use super::filters::Filters;
use crate::api;

/// Export of everything the current filters match. The BFF streams the file; the page reads the
/// stream to count events as they arrive, can cancel, and saves the file when it is complete.
#[component]
pub(super) fn ExportLinks(
    /// The filters in the URL.
    filters: Memo<Filters>,
) -> impl IntoView {
    let progress = RwSignal::new(None::<(String, usize)>);
    let outcome = RwSignal::new(None::<String>);
    // The finished export's manifest: its id, and its SHA-256 once the BFF has it.
    let manifest = RwSignal::new(None::<(String, Option<String>)>);
    let controller = StoredValue::new_local(None::<web_sys::AbortController>);
    let start = move |format: &'static str| {
        let current = filters.get_untracked();
        let mut query = current.to_query(None);
        // The export walks every page itself; the page size is not the file's length.
        query.paging.limit = None;
        // A person is matched by the export itself (their sessions and attributed events).
        query.actor_emails.clear();
        let mut query_string = query.to_query_string();
        if let Some(user) = current.portal_user() {
            if !query_string.is_empty() {
                query_string.push('&');
            }
            query_string.push_str(&admin_api::query::encode([("portal_user", user)]));
        }
        let sep = if query_string.is_empty() { "" } else { "&" };
        let url = format!("/api/audit_logs/export?format={format}{sep}{query_string}");
        let abort = web_sys::AbortController::new().ok();
        let signal = abort.as_ref().map(web_sys::AbortController::signal);
        controller.set_value(abort);
        progress.set(Some((format.to_owned(), 0)));
        outcome.set(None);
        manifest.set(None);
        leptos::task::spawn_local(async move {
            let result = crate::export::download(&url, format, signal.as_ref(), move |events| {
                progress.set(Some((format.to_owned(), events)));
            })
            .await;
            progress.set(None);
            outcome.set(Some(match &result {
                Ok(saved) => format!(
                    "Exported {} events as {}.",
                    saved.events,
                    format.to_ascii_uppercase()
                ),
                Err(error) => format!("The export did not finish: {error}"),
            }));
            if let Some(id) = result.ok().and_then(|saved| saved.export_id) {
                manifest.set(Some((id.clone(), None)));
                if let Ok(found) = api::export_manifest(&id).await {
                    manifest.set(Some((id, Some(found.sha256))));
                }
            }
        });
    };
    let cancel = move |_| {
        controller.with_value(|c| {
            if let Some(c) = c {
                c.abort();
            }
        });
    };
    let searching = move || filters.with(|f| f.q.is_some());
    view! {
        <Show when=searching>
            <p class="export hint">"Export reads OpenAI's own log, which has no full-text search: remove the search to export what the other filters match."</p>
        </Show>
        <div class="export" class:hidden=searching>
            <span>"Export everything these filters match: "</span>
            <button type="button" class="link" disabled=move || progress.with(Option::is_some) on:click=move |_| start("csv")>"CSV"</button>
            " · "
            <button type="button" class="link" disabled=move || progress.with(Option::is_some) on:click=move |_| start("ndjson")>"NDJSON"</button>
            <span role="status" class="export-status">
                {move || progress.get().map(|(format, events)| view! {
                    <span>{format!("Exporting {}: {events} events so far… ", format.to_ascii_uppercase())}</span>
                    <button type="button" on:click=cancel>"Cancel export"</button>
                })}
                {move || outcome.get()}
            </span>
            {move || manifest.get().map(|(id, sha256)| view! {
                <span class="manifest">
                    " "
                    <a href=format!("/api/audit_logs/export/{id}/manifest") download="">"Download the manifest"</a>
                    {sha256.map(|hash| view! { " · SHA-256 " <code class="sha256">{hash}</code> })}
                </span>
            })}
        </div>
    }
}
