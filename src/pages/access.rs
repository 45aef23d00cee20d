//! Effective access, as the BFF computes it (`admin_api::access`): who reaches what and why, in
//! tables a person can check, with an honest line about whether every list was read, a CSV of
//! the same answer and a way to read it again. Shared by the user page and the project's
//! Access tab.

use admin_api::access::{Access, AccessRow, OrganizationRoleRow, Path};
use leptos::prelude::*;
use leptos_router::params::ParamsMap;

use crate::api::{self, paths};
use crate::components::{ErrorNotice, Load};
use crate::format::date_time_utc;

/// Why a row gives access, in words: "directly", "through group Support", "as an organization
/// owner".
pub fn why(row: &AccessRow) -> String {
    match row.path {
        Path::Direct => "directly".into(),
        Path::Group => format!(
            "through group {}",
            group_label(&row.group_name, &row.group_id)
        ),
        Path::Owner => "as an organization owner".into(),
    }
}

/// How an organization role is held: "directly" or "through group Support".
pub fn how(row: &OrganizationRoleRow) -> String {
    match row.path {
        Path::Group => format!(
            "through group {}",
            group_label(&row.group_name, &row.group_id)
        ),
        _ => "directly".into(),
    }
}

fn group_label(name: &Option<String>, id: &Option<String>) -> String {
    name.clone()
        .or_else(|| id.clone())
        .unwrap_or_else(|| "(unknown)".into())
}

/// What a path filter option says.
pub fn path_label(path: Path) -> &'static str {
    match path {
        Path::Direct => "Directly",
        Path::Group => "Through a group",
        Path::Owner => "As an organization owner",
    }
}

/// A row's role, as the filter (and the BFF's `role` parameter) names it; none when upstream
/// did not say (a group grant Gatehouse did not record).
fn role_key(row: &AccessRow) -> Option<String> {
    row.role.clone()
}

/// A row's role, in words.
fn role_label(row: &AccessRow) -> String {
    row.role_name
        .clone()
        .or_else(|| row.role.clone())
        .unwrap_or_else(|| "Not recorded".into())
}

/// Which rows the Access tab shows, as its URL says (`?role=…&path=…`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccessFilter {
    /// A role id, or `owner`/`member`.
    pub role: Option<String>,
    pub path: Option<Path>,
}

impl AccessFilter {
    /// Reads `role` and `path` from the query string (an unknown path means any).
    pub fn from_query(query: &ParamsMap) -> Self {
        Self {
            role: query.get("role").filter(|r| !r.trim().is_empty()),
            path: query.get("path").and_then(|p| Path::parse(&p)),
        }
    }

    /// The parameters, as the tab's URL and the BFF both take them.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        pairs.extend(self.role.clone().map(|r| ("role", r)));
        pairs.extend(self.path.map(|p| ("path", p.as_str().to_owned())));
        pairs
    }

    /// The query string, with its `?` (empty when nothing is filtered).
    pub fn to_query(&self) -> String {
        let pairs = self.pairs();
        if pairs.is_empty() {
            String::new()
        } else {
            format!("?{}", admin_api::query::encode(pairs))
        }
    }

    /// Whether `row` passes.
    pub fn keeps(&self, row: &AccessRow) -> bool {
        self.path.is_none_or(|p| p == row.path)
            && self
                .role
                .as_ref()
                .is_none_or(|r| role_key(row).as_ref() == Some(r))
    }
}

/// The roles the rows hold, as (filter value, words), each once, in the order met.
pub fn role_options(rows: &[AccessRow]) -> Vec<(String, String)> {
    let mut options: Vec<(String, String)> = Vec::new();
    for row in rows {
        if let Some(key) = role_key(row)
            && !options.iter().any(|(k, _)| *k == key)
        {
            options.push((key, role_label(row)));
        }
    }
    options
}

/// "Complete: every list read." or "Incomplete: 3 of 5 lists read."
pub fn honesty_line(access: &Access) -> String {
    if access.complete {
        "Complete: every list read.".into()
    } else {
        format!(
            "Incomplete: {} of {} lists read.",
            access.lists_read, access.lists
        )
    }
}

/// What the rows are of: the first column names the other side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessOf {
    /// A user's access: one row per project.
    User,
    /// A project's: one row per person.
    Project,
}

/// The table of access rows that pass `filter`.
#[component]
pub fn AccessTable(
    /// The rows.
    rows: Vec<AccessRow>,
    /// Whose access it is.
    of: AccessOf,
    /// Which rows to show.
    #[prop(optional)]
    filter: AccessFilter,
) -> impl IntoView {
    let total = rows.len();
    let shown: Vec<AccessRow> = rows.into_iter().filter(|r| filter.keeps(r)).collect();
    let count = (filter != AccessFilter::default()).then(|| {
        format!(
            "{} of {total} shown: the filters hide the rest.",
            shown.len()
        )
    });
    if shown.is_empty() {
        let words = if total == 0 {
            "No access found."
        } else {
            "No access matches these filters."
        };
        return view! { <p class="empty">{words}</p> }.into_any();
    }
    let (first, caption) = match of {
        AccessOf::User => ("Project", "Projects this user can reach"),
        AccessOf::Project => ("Person", "People who can reach this project"),
    };
    view! {
        <table class="data access">
            <caption class="visually-hidden">{caption}</caption>
            <thead><tr>
                <th scope="col">{first}</th><th scope="col">"Role"</th><th scope="col">"Why"</th>
            </tr></thead>
            <tbody>
                {shown.into_iter().map(|row| {
                    let subject = match of {
                        AccessOf::User => {
                            let href = format!("/projects/{}", paths::seg(&row.project_id));
                            view! { <a href=href>{row.project_name.clone()}</a> }.into_any()
                        }
                        AccessOf::Project => {
                            let href = format!("/users/{}", paths::seg(&row.user_id));
                            let name = row.user_name.clone().or_else(|| row.user_email.clone()).unwrap_or_else(|| row.user_id.clone());
                            view! {
                                <a href=href>{name}</a>
                                {row.user_email.clone().filter(|_| row.user_name.is_some()).map(|e| view! { <span class="hint">" "{e}</span> })}
                            }.into_any()
                        }
                    };
                    view! {
                        <tr data-path=row.path.as_str()>
                            <td>{subject}</td>
                            <td class="role">{role_label(&row)}</td>
                            <td class="why">{why(&row)}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        {count.map(|c| view! { <p class="count">{c}</p> })}
    }
    .into_any()
}

/// The table of a user's organization roles and how each is held.
#[component]
pub fn OrganizationRolesTable(
    /// The roles.
    rows: Vec<OrganizationRoleRow>,
) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="empty">"No organization roles."</p> }.into_any();
    }
    view! {
        <table class="data">
            <caption class="visually-hidden">"Organization roles held"</caption>
            <thead><tr><th scope="col">"Role"</th><th scope="col">"How"</th></tr></thead>
            <tbody>
                {rows.into_iter().map(|row| view! {
                    <tr data-path=row.path.as_str()>
                        <td>{row.role_name.clone()}</td>
                        <td class="how">{how(&row)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// Whether the answer is whole, what could not be read, and when it was read.
#[component]
pub fn AccessHonesty(
    /// The answer.
    access: Access,
) -> impl IntoView {
    let class = if access.complete {
        "honesty complete"
    } else {
        "honesty notice"
    };
    let failures = access.failures.clone();
    view! {
        <div class=class role="status">
            <p>
                <strong>{honesty_line(&access)}</strong>
                " "<span class="hint">{format!("Read {}.", date_time_utc(access.computed_at))}</span>
            </p>
            {access.archived.then(|| view! {
                <p>"This project is archived: nobody can use it, so nobody reaches it."</p>
            })}
            {(!failures.is_empty()).then(|| view! {
                <ul class="failures" aria-label="Lists that could not be read">
                    {failures.into_iter().map(|f| view! { <li>{f}</li> }).collect_view()}
                </ul>
            })}
        </div>
    }
}

/// Where the answer at `path` downloads as CSV, with the same filters.
pub fn csv_href(path: &str, filter: &AccessFilter) -> String {
    let mut pairs = vec![("format", "csv".to_owned())];
    pairs.extend(filter.pairs());
    format!("/api/v1{path}?{}", admin_api::query::encode(pairs))
}

/// An effective-access answer being read, with how far the BFF has read (`progress=true`):
/// the BFF keeps upstream's lists briefly, so Refresh asks it to read upstream again
/// (`refresh=true`), while a first read may take what it has.
#[derive(Debug, Clone, Copy)]
pub struct AccessRead {
    pub load: Load<Access>,
    fresh: StoredValue<bool>,
    /// `(lists read, lists known so far)` of the read under way.
    pub progress: RwSignal<Option<(u32, u32)>>,
}

impl AccessRead {
    /// Reads the answer at `path` (a BFF path under `/api/v1`) now.
    pub fn new(path: String) -> Self {
        let fresh = StoredValue::new(false);
        let progress = RwSignal::new(None);
        let load = Load::new(move || {
            let path = if fresh.get_value() {
                fresh.set_value(false);
                format!("{path}?refresh=true")
            } else {
                path.clone()
            };
            progress.set(None);
            async move {
                api::access_with_progress(&path, move |read, of| {
                    progress.try_set(Some((read, of)));
                })
                .await
            }
        });
        Self {
            load,
            fresh,
            progress,
        }
    }

    /// Reads upstream again.
    pub fn refresh(&self) {
        self.fresh.set_value(true);
        self.load.reload();
    }
}

/// What the loading line says: how many of the lists known so far are read.
pub fn reading_line(progress: Option<(u32, u32)>) -> String {
    match progress {
        None => "Reading who has access…".into(),
        Some((read, of)) => format!("Reading who has access… {read} of {of} lists read so far."),
    }
}

/// An effective-access answer: Refresh, the CSV link, the loading line or error, then the
/// honesty line and `body`'s drawing of the loaded answer.
#[component]
pub fn AccessPanel<B, V>(
    /// The answer being read.
    access: AccessRead,
    /// The CSV link ([`csv_href`]).
    #[prop(into)]
    csv: Signal<String>,
    /// What the CSV is of, for the link's accessible name ("this user's effective access").
    #[prop(into)]
    label: String,
    /// Draws the answer.
    body: B,
) -> impl IntoView
where
    B: Fn(Access) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let refresh = move |_| access.refresh();
    let load = access.load;
    let loading = load.loading;
    let progress = access.progress;
    view! {
        <div class="toolbar">
            <button type="button" on:click=refresh disabled=move || loading.get()
                aria-busy=move || loading.get().to_string()>
                {move || if loading.get() { "Reading…" } else { "Refresh" }}
            </button>
            <a href=csv download="" aria-label=format!("Download CSV of {label}")>"Download CSV"</a>
        </div>
        {move || loading.get().then(|| view! {
            <p class="loading" aria-busy="true" role="status"><span class="spinner" aria-hidden="true"></span>{move || reading_line(progress.get())}</p>
        })}
        {move || load.error().get().map(|error| view! { <ErrorNotice error=error/> })}
        <div class="listing" aria-busy=move || loading.get().to_string()>
            {move || load.ok().map(|a| view! { <AccessHonesty access=a.clone()/>{body(a)} })}
        </div>
    }
}
