//! A project's rate limits: a row per model, edited in place; only what changed is sent.

use admin_api::rate_limits::{ProjectRateLimit, RateLimitUpdate};
use leptos::prelude::*;

use super::here;
use crate::api::{self, paths};
use crate::components::{FormError, Listing, PagedList, Toast, Toasts, Write};
use crate::pages::lookups::audit_link;

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
    let base = paths::rate_limits(&project_id);
    let listing = Listing::<ProjectRateLimit>::new({
        let base = base.clone();
        move || base.clone()
    });
    let here = here(&project_id, "rate-limits");
    view! {
        <PagedList listing=listing here=here noun="rate limits" count_noun="models" rows={move |limits| view! {
            <RateLimitsTable limits=limits base=base.clone() can_write=can_write/>
        }}/>
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
            let path = format!("{base}/{}", current.with_untracked(|l| paths::seg(&l.id)));
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
