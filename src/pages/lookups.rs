//! Names for ids, loaded once per page: project names (archived ones too) and the
//! organization's users. Upstream lists 100 per page at most; these read the first 100, which
//! is what a picker can show, and the ids still read where a name is missing.

use admin_api::ListPage;
use admin_api::projects::Project;
use admin_api::query::LIMIT_MAX;
use admin_api::users::User;
use leptos::prelude::*;

use crate::api;

/// The organization's projects (first 100, archived included), once loaded.
pub fn projects() -> Signal<Option<Vec<Project>>> {
    let list = RwSignal::new(None);
    leptos::task::spawn_local(async move {
        let page = api::get::<ListPage<Project>>(&format!(
            "/organization/projects?limit={LIMIT_MAX}&include_archived=true"
        ))
        .await;
        list.set(Some(page.map(|p| p.data).unwrap_or_default()));
    });
    list.into()
}

/// The organization's users (first 100), once loaded.
pub fn users() -> Signal<Option<Vec<User>>> {
    let list = RwSignal::new(None);
    leptos::task::spawn_local(async move {
        let page =
            api::get::<ListPage<User>>(&format!("/organization/users?limit={LIMIT_MAX}")).await;
        list.set(Some(page.map(|p| p.data).unwrap_or_default()));
    });
    list.into()
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
