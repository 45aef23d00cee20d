//! Names for ids, loaded once per page: project names (archived ones too) and the
//! organization's users. Upstream lists 100 per page at most; these read the first 100, which
//! is what a picker can show, and the ids still read where a name is missing. The groups read
//! the same first 100; the roles are read whole (upstream's largest page, 1000), since their
//! permissions are the vocabulary a new role is made from. A failed read is said in a toast,
//! never swallowed.

use admin_api::groups::{GROUPS_LIMIT_MAX, Group};
use admin_api::projects::Project;
use admin_api::query::LIMIT_MAX;
use admin_api::roles::{ROLES_LIMIT_MAX, Role};
use admin_api::users::User;
use admin_api::{CursorPage, ListPage};
use leptos::prelude::*;

use crate::api::{self, paths};
use crate::components::{Load, Paged, Toast, Toasts};

/// The first page of `path`'s list, once loaded. A failure is said once, in a toast, and the
/// list is then empty: the page goes on with ids where names would be.
fn lookup<P: Paged>(path: String, what: &'static str) -> Signal<Option<Vec<P::Item>>> {
    let toasts = use_context::<Toasts>();
    let list = Load::new(move || {
        let path = path.clone();
        async move { api::get::<P>(&path).await }
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
                .map(|r| r.as_ref().map(|p| p.items().to_vec()).unwrap_or_default())
        })
    })
}

/// The organization's projects (first 100, archived included), once loaded.
pub fn projects() -> Signal<Option<Vec<Project>>> {
    lookup::<ListPage<Project>>(
        format!(
            "{}?limit={LIMIT_MAX}&include_archived=true",
            paths::projects()
        ),
        "Project names",
    )
}

/// The organization's users (first 100), once loaded.
pub fn users() -> Signal<Option<Vec<User>>> {
    lookup::<ListPage<User>>(
        format!("{}?limit={LIMIT_MAX}", paths::users()),
        "User names",
    )
}

/// The organization's groups (first 100), once loaded.
pub fn groups() -> Signal<Option<Vec<Group>>> {
    lookup::<CursorPage<Group>>(
        format!("{}?limit={GROUPS_LIMIT_MAX}", paths::groups()),
        "Group names",
    )
}

/// The organization's roles (up to 1000, all there usually are), once loaded.
pub fn roles() -> Signal<Option<Vec<Role>>> {
    lookup::<CursorPage<Role>>(
        format!("{}?limit={ROLES_LIMIT_MAX}", paths::roles()),
        "Roles",
    )
}

/// The roles of one scope (`admin_api::roles::ORGANIZATION_ROLE` or `PROJECT_ROLE`), for a
/// picker.
pub fn roles_of(
    roles: Signal<Option<Vec<Role>>>,
    resource_type: &'static str,
) -> Signal<Vec<Role>> {
    Signal::derive(move || {
        roles
            .get()
            .unwrap_or_default()
            .into_iter()
            .filter(|r| r.resource_type == resource_type)
            .collect()
    })
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
