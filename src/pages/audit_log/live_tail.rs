//! Live tail: while the reader waits at the top of the list, a count of newer events, polled
//! every ten seconds and shown behind a button.

use admin_api::audit_logs::AuditLog;
use leptos::prelude::*;

use super::filters::Filters;
use crate::api;

/// How often the first page looks for newer events.
const TAIL_EVERY: std::time::Duration = std::time::Duration::from_secs(10);

/// While the reader is at the top of an open-ended range, asks every [`TAIL_EVERY`] how many
/// events are newer than the top one (same filters, same source). The count waits behind a
/// button, so the list never moves under the reader's eyes; showing them reloads the list.
pub(super) fn live_tail(
    filters: Memo<Filters>,
    events: RwSignal<Vec<AuditLog>>,
    source: StoredValue<bool>,
    coverage: RwSignal<Option<api::Coverage>>,
) -> RwSignal<usize> {
    let count = RwSignal::new(0_usize);
    Effect::new(move |_| {
        events.with(|_| count.set(0));
    });
    let poll = move || {
        let filters = filters.get_untracked();
        // A range with an end has nothing new to show.
        if filters.range.as_deref() == Some("custom") && filters.to.is_some() {
            return;
        }
        // Only at the top: further down, the reader is reading, not waiting.
        if window().scroll_y().unwrap_or(0.0) > 200.0 {
            return;
        }
        let Some(first) = events.with_untracked(|e| e.first().map(|e| e.id.clone())) else {
            return;
        };
        let from_archive = source.get_value();
        let mut query = if from_archive {
            filters.to_archive_query(None)
        } else {
            filters.to_query(None)
        };
        let first_seen = first.clone();
        query.before = Some(first);
        query.paging.limit = Some(admin_api::query::LIMIT_MAX);
        leptos::task::spawn_local(async move {
            let newer = if from_archive {
                api::list_archived(&query, &filters.archive_filters())
                    .await
                    .map(|page| {
                        coverage.try_set(Some(page.coverage));
                        (page.data.len(), page.has_more)
                    })
            } else {
                api::list_audit_logs(&query)
                    .await
                    .map(|answer| (answer.page.data.len(), answer.page.has_more))
            };
            // Only if the list is still the one asked about (a reload may have come between).
            let same = events.try_with_untracked(|e| e.first().map(|e| e.id.clone()))
                == Some(Some(first_seen));
            if let (Ok((n, more)), true) = (newer, same) {
                count.try_set(n + usize::from(more));
            }
        });
    };
    if let Ok(handle) = set_interval_with_handle(poll, TAIL_EVERY) {
        on_cleanup(move || handle.clear());
    }
    count
}
