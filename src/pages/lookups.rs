//! Names for ids, loaded once per page: project names (archived ones too) and the
//! organization's users. Upstream lists 100 per page at most; these read the first 100, which
//! is what a picker can show, and the ids still read where a name is missing. A failed read is
//! said in a toast, never swallowed.

use admin_api::ListPage;
use admin_api::projects::Project;
use admin_api::query::LIMIT_MAX;
use admin_api::users::User;
use leptos::prelude::*;

use crate::api::{self, paths};
use crate::components::{Load, Toast, Toasts};

/// The first page of `path`'s list, once loaded. A failure is said once, in a toast, and the
/// list is then empty: the page goes on with ids where names would be.
fn lookup<T>(path: String, what: &'static str) -> Signal<Option<Vec<T>>>
where
    T: serde::de::DeserializeOwned + Clone + Send + Sync + 'static,
{
    let toasts = use_context::<Toasts>();
    let list = Load::new(move || {
        let path = path.clone();
        async move { api::get::<ListPage<T>>(&path).await }
    });
    Effect::new(move |_| {
        if let (Some(error), Some(toasts)) = (list.error().get(), toasts) {
            toasts.push(Toast {
                message: format!("{what} could not be loaded: {error} Ids are shown instead."),
                audit_link: None,
            });
        }
    });
    Signal::derive(move || {
        list.value.with(|v| {
            v.as_ref()
                .map(|r| r.as_ref().map(|p| p.data.clone()).unwrap_or_default())
        })
    })
}

/// The organization's projects (first 100, archived included), once loaded.
pub fn projects() -> Signal<Option<Vec<Project>>> {
    lookup(
        format!(
            "{}?limit={LIMIT_MAX}&include_archived=true",
            paths::projects()
        ),
        "Project names",
    )
}

/// The organization's users (first 100), once loaded.
pub fn users() -> Signal<Option<Vec<User>>> {
    lookup(
        format!("{}?limit={LIMIT_MAX}", paths::users()),
        "User names",
    )
}

/// The name of project `id`, or the id.
pub fn project_name(projects: &Option<Vec<Project>>, id: &str) -> String {
    projects
        .iter()
        .flatten()
        .find(|p| p.id == id)
        .and_then(|p| p.name.clone())
        .unwrap_or_else(|| id.to_owned())
}

/// The audit log filtered to events on one resource.
pub fn audit_link(key: &str, value: &str) -> String {
    format!(
        "/audit-log?{}",
        admin_api::query::encode([(key, value.to_owned())])
    )
}
