//! Cursor paging kept in the URL. Upstream pages forward only (`after`), so the cursors of the
//! earlier pages travel along in `back`: a URL reproduces the page, and Previous needs no memory.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::params::ParamsMap;

/// Where in a forward-only list the reader is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CursorTrail {
    /// The cursor of this page (`None` on the first page).
    pub after: Option<String>,
    /// The cursors of the pages before this one, oldest first (the first page has none).
    pub back: Vec<String>,
}

impl CursorTrail {
    /// Reads `after` and `back` from the query string.
    pub fn from_query(query: &ParamsMap) -> Self {
        let after = query.get("after").filter(|a| !a.is_empty());
        let back = query
            .get("back")
            .map(|b| {
                b.split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        Self { after, back }
    }

    /// The page after this one, which starts after `last_id`.
    pub fn next(&self, last_id: &str) -> Self {
        let mut back = self.back.clone();
        back.extend(self.after.clone());
        Self {
            after: Some(last_id.to_owned()),
            back,
        }
    }

    /// The page before this one, if this is not the first.
    pub fn previous(&self) -> Option<Self> {
        self.after.as_ref()?;
        let mut back = self.back.clone();
        let after = back.pop();
        Some(Self { after, back })
    }

    /// 1 for the first page.
    pub fn page_number(&self) -> usize {
        if self.after.is_some() {
            self.back.len() + 2
        } else {
            1
        }
    }

    /// The query string for this position, with the leading `?` (empty on the first page).
    pub fn to_query(&self) -> String {
        let mut pairs = Vec::new();
        if let Some(after) = &self.after {
            pairs.push(("after", after.clone()));
        }
        if !self.back.is_empty() {
            pairs.push(("back", self.back.join(",")));
        }
        if pairs.is_empty() {
            String::new()
        } else {
            format!("?{}", admin_api::query::encode(pairs))
        }
    }
}

/// Previous/Next links for a cursor-paged list, with the page number stated.
#[component]
pub fn Pager(
    /// The path the links point to, with any filter query it needs.
    #[prop(into)]
    path: String,
    /// Where the reader is.
    trail: CursorTrail,
    /// The last id on this page (the next page's cursor).
    last_id: Option<String>,
    /// Whether upstream says there is more.
    has_more: bool,
) -> impl IntoView {
    // `path` may carry a query of its own (filters); the cursors join it.
    let link = |query: String| match (path.contains('?'), query.strip_prefix('?')) {
        (true, Some(rest)) => format!("{path}&{rest}"),
        _ => format!("{path}{query}"),
    };
    let previous = trail.previous().map(|p| link(p.to_query()));
    let next = last_id
        .filter(|_| has_more)
        .map(|last| link(trail.next(&last).to_query()));
    let page = trail.page_number();
    view! {
        <nav class="pager" aria-label="Pages">
            {match previous {
                Some(href) => view! { <A href=href attr:rel="prev">"← Previous"</A> }.into_any(),
                None => view! { <span class="disabled" aria-disabled="true">"← Previous"</span> }.into_any(),
            }}
            <span class="page-number">{format!("Page {page}")}</span>
            {match next {
                Some(href) => view! { <A href=href attr:rel="next">"Next →"</A> }.into_any(),
                None => view! { <span class="disabled" aria-disabled="true">"Next →"</span> }.into_any(),
            }}
        </nav>
    }
}

/// An honest count for one page of a list upstream gives no total for: "Page 2: 20 invites;
/// more on the next page." or "Page 1: 7 invites, all there are."
pub fn page_summary(count: usize, noun: &str, trail: &CursorTrail, has_more: bool) -> String {
    let page = trail.page_number();
    let tail = match (has_more, page) {
        (true, _) => "; more on the next page.",
        (false, 1) => ", all there are.",
        (false, _) => "; this is the last page.",
    };
    // Every noun the lists use is a plain plural ("members", "API keys").
    let noun = match noun.strip_suffix('s') {
        Some(one) if count == 1 => one,
        _ => noun,
    };
    format!("Page {page}: {count} {noun}{tail}")
}
