//! The Projects page: the list (archived ones on request, kept in the URL), create, rename,
//! archive with type-the-name confirmation, a name search that reads further pages on demand,
//! and "projects of one user" (`?member=`), which asks each project in turn.

use admin_api::ListPage;
use admin_api::project_users::ProjectUser;
use admin_api::projects::{Project, ProjectName};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::lookups::audit_link;
use crate::api::{self, ClientError, paths};
use crate::app::Auth;
use crate::components::{
    ConfirmDialog, FormError, Listing, PagedList, SubmitButton, TextDialog, Toast, Toasts, Write,
};
use crate::format::date_utc;

/// What the URL asks the page to show.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct View {
    archived: bool,
    /// A name search, across every page.
    search: Option<String>,
    /// The projects one user belongs to.
    member: Option<String>,
}

impl View {
    fn href(&self) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if self.archived {
            pairs.push(("archived", "1".into()));
        }
        pairs.extend(self.search.clone().map(|q| ("q", q)));
        pairs.extend(self.member.clone().map(|m| ("member", m)));
        if pairs.is_empty() {
            "/projects".into()
        } else {
            format!("/projects?{}", admin_api::query::encode(pairs))
        }
    }
}

/// The Projects page.
#[component]
pub fn ProjectsPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let toasts = expect_context::<Toasts>();
    let query = use_query_map();
    let view_of = Memo::new(move |_| {
        query.with(|q| View {
            archived: q.get("archived").is_some_and(|v| v == "1"),
            search: q.get("q").filter(|v| !v.trim().is_empty()),
            member: q.get("member").filter(|v| !v.trim().is_empty()),
        })
    });
    let listing = Listing::<Project>::new(move || {
        let mut pairs = vec![("limit", "20".to_owned())];
        if view_of.get().archived {
            pairs.push(("include_archived", "true".into()));
        }
        format!("{}?{}", paths::projects(), admin_api::query::encode(pairs))
    });
    let navigate = use_navigate();
    let toggle_archived = {
        let navigate = navigate.clone();
        move |e: web_sys::Event| {
            let mut next = view_of.get_untracked();
            next.archived = event_target_checked(&e);
            navigate(&next.href(), Default::default());
        }
    };
    let search_text = RwSignal::new(view_of.get_untracked().search.unwrap_or_default());
    let search = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        let mut next = view_of.get_untracked();
        next.search = Some(search_text.get_untracked().trim().to_owned()).filter(|s| !s.is_empty());
        navigate(&next.href(), Default::default());
    };
    let refresh = RwSignal::new(0_u32);
    let to_rename = RwSignal::new(None::<Project>);
    let to_archive = RwSignal::new(None::<Project>);
    let rename_write = Write::new();
    let archive_write = Write::new();
    let rename = Callback::new(move |name: String| {
        let Some(project) = to_rename.get_untracked() else {
            return;
        };
        let body = ProjectName { name };
        if let Err(error) = body.validate() {
            rename_write.refuse(error);
            return;
        }
        let path = paths::project(&project.id);
        rename_write
            .about(audit_link("project_id", &project.id))
            .run(
                async move { api::post_json::<Project, _>(&path, &body).await },
                move |renamed| {
                    to_rename.set(None);
                    listing.reload();
                    refresh.update(|n| *n += 1);
                    toasts.push(Toast {
                        message: format!(
                            "The project is now called {}.",
                            renamed.name.clone().unwrap_or_default()
                        ),
                        audit_link: Some(audit_link("project_id", &renamed.id)),
                    });
                },
            );
    });
    let archive = Callback::new(move |()| {
        let Some(project) = to_archive.get_untracked() else {
            return;
        };
        let path = paths::project_archive(&project.id);
        archive_write
            .about(audit_link("project_id", &project.id))
            .run(
                async move { api::post::<Project>(&path).await },
                move |archived| {
                    to_archive.set(None);
                    listing.reload();
                    refresh.update(|n| *n += 1);
                    toasts.push(Toast {
                        message: format!(
                            "{} is archived.",
                            archived.name.clone().unwrap_or_default()
                        ),
                        audit_link: Some(audit_link("project_id", &archived.id)),
                    });
                },
            );
    });
    let actions = ProjectActions {
        rename: Callback::new(move |p| {
            rename_write.reset();
            to_rename.set(Some(p));
        }),
        archive: Callback::new(move |p| {
            archive_write.reset();
            to_archive.set(Some(p));
        }),
    };
    let created = Callback::new(move |project: Project| {
        listing.reload();
        refresh.update(|n| *n += 1);
        toasts.push(Toast {
            message: format!(
                "Project {} created.",
                project.name.clone().unwrap_or_default()
            ),
            audit_link: Some(audit_link("project_id", &project.id)),
        });
    });
    let can_write = auth.can_write();
    view! {
        <section aria-labelledby="projects-heading">
            <h1 id="projects-heading">"Projects"</h1>
            <Show when=move || can_write.get()>
                <CreateProject on_created=created/>
            </Show>
            <div class="toolbar">
                <label class="check">
                    <input type="checkbox" prop:checked=move || view_of.get().archived on:change=toggle_archived/>
                    "Show archived projects"
                </label>
                <form class="filters" role="search" on:submit=search>
                    <label for="project-search">"Search by name"</label>
                    <input id="project-search" type="search" prop:value=search_text
                        on:input=move |e| search_text.set(event_target_value(&e))/>
                    <button type="submit">"Search"</button>
                </form>
            </div>
            {move || {
                // A rename, archive or new project redoes a search or a member scan too.
                refresh.track();
                let current = view_of.get();
                if let Some(user_id) = current.member.clone() {
                    view! { <MemberProjects user_id=user_id archived=current.archived can_write=can_write.get() actions=actions/> }.into_any()
                } else if let Some(q) = current.search.clone() {
                    view! { <SearchProjects query=q archived=current.archived can_write=can_write.get() actions=actions/> }.into_any()
                } else {
                    view! {
                        <PagedList listing=listing here=Signal::derive(move || view_of.get().href()) noun="projects" rows={move |projects| view! {
                            <ProjectsTable projects=projects can_write=can_write.get() actions=actions/>
                        }}/>
                    }.into_any()
                }
            }}
            {move || to_rename.get().map(|project| view! {
                <TextDialog title="Rename project" label="New name"
                    initial=project.name.clone().unwrap_or_default()
                    save_label="Rename" pending_label="Renaming…" write=rename_write
                    on_save=rename on_close=Callback::new(move |()| to_rename.set(None))/>
            })}
            {move || to_archive.get().map(|project| {
                let name = project.name.clone().unwrap_or_else(|| project.id.clone());
                view! {
                    <ConfirmDialog title="Archive project"
                        message=format!("Archive {name}?")
                        consequence="An archived project takes no new members, service accounts or API keys, and its name can no longer change. Its history stays. Gatehouse cannot undo this."
                        type_to_confirm=name confirm_label="Archive project" pending_label="Archiving…"
                        write=archive_write on_confirm=archive on_close=Callback::new(move |()| to_archive.set(None))/>
                }
            })}
        </section>
    }
}

/// What a row's buttons ask for.
#[derive(Debug, Clone, Copy)]
pub struct ProjectActions {
    pub rename: Callback<Project>,
    pub archive: Callback<Project>,
}

/// The project form: a name, checked before it is sent; on failure it stays as typed.
#[component]
fn CreateProject(
    /// Called with the new project.
    on_created: Callback<Project>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let write = Write::new();
    let submit = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        let body = ProjectName {
            name: name.get_untracked().trim().to_owned(),
        };
        if let Err(error) = body.validate() {
            write.refuse(error);
            return;
        }
        write.run(
            async move { api::post_json::<Project, _>(&paths::projects(), &body).await },
            move |project| {
                name.set(String::new());
                on_created.try_run(project);
            },
        );
    };
    view! {
        <form class="card inline-form" on:submit=submit aria-label="Create a project">
            <label for="new-project">"New project"</label>
            <input id="new-project" autocomplete="off" prop:value=name on:input=move |e| name.set(event_target_value(&e))/>
            <SubmitButton write=write label="Create project" pending_label="Creating…"/>
            <FormError error=write.error audit=write.audit/>
        </form>
    }
}

/// A table of projects.
#[component]
pub fn ProjectsTable(
    /// The projects.
    projects: Vec<Project>,
    /// Whether rename and archive are offered.
    can_write: bool,
    /// What the buttons ask for.
    actions: ProjectActions,
    /// A column with each project's role for one user (`?member=`).
    #[prop(optional)]
    roles: Option<Vec<String>>,
) -> impl IntoView {
    if projects.is_empty() {
        return view! { <p class="empty">"No projects here."</p> }.into_any();
    }
    let with_roles = roles.is_some();
    let roles = roles.unwrap_or_default();
    view! {
        <table class="data">
            <caption class="visually-hidden">"Projects"</caption>
            <thead>
                <tr>
                    <th scope="col">"Name"</th>
                    {with_roles.then(|| view! { <th scope="col">"Their role"</th> })}
                    <th scope="col">"Status"</th>
                    <th scope="col">"Created (UTC)"</th>
                    <th scope="col">"Activity"</th>
                    {can_write.then(|| view! { <th scope="col">"Actions"</th> })}
                </tr>
            </thead>
            <tbody>
                {projects.into_iter().enumerate().map(|(i, project)| {
                    let name = project.name.clone().unwrap_or_else(|| project.id.clone());
                    let archived = project.is_archived();
                    let status = match project.archived_at {
                        Some(at) => format!("archived {}", date_utc(at)),
                        None => "active".into(),
                    };
                    let (for_rename, for_archive) = (project.clone(), project.clone());
                    let role = roles.get(i).cloned();
                    let audit_label = format!("Audit log of {name}");
                    let rename_label = format!("Rename {name}");
                    let archive_label = format!("Archive {name}");
                    view! {
                        <tr data-id=project.id.clone()>
                            <td><A href=format!("/projects/{}/members", project.id)>{name.clone()}</A></td>
                            {role.map(|r| view! { <td>{r}</td> })}
                            <td><span class="status" class:archived=archived>{status}</span></td>
                            <td class="date">{date_utc(project.created_at)}</td>
                            <td><A href=audit_link("project_id", &project.id) attr:aria-label=audit_label>"Audit log"</A></td>
                            {can_write.then(|| view! {
                                <td class="actions">
                                    {(!archived).then(|| view! {
                                        <button type="button" aria-label=rename_label on:click=move |_| actions.rename.run(for_rename.clone())>"Rename"</button>
                                        <button type="button" class="danger" aria-label=archive_label on:click=move |_| actions.archive.run(for_archive.clone())>"Archive"</button>
                                    })}
                                </td>
                            })}
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// Reads every page of projects (100 at a time), calling `each` with each page, until the end
/// or until `each` says stop (its page is gone).
async fn each_project_page(
    archived: bool,
    mut each: impl FnMut(Vec<Project>) -> bool,
) -> Result<(), ClientError> {
    let mut after: Option<String> = None;
    loop {
        let mut pairs = vec![("limit", admin_api::query::LIMIT_MAX.to_string())];
        if archived {
            pairs.push(("include_archived", "true".into()));
        }
        pairs.extend(after.clone().map(|a| ("after", a)));
        let page = api::get::<ListPage<Project>>(&format!(
            "{}?{}",
            paths::projects(),
            admin_api::query::encode(pairs)
        ))
        .await?;
        let more = page.has_more && page.last_id.is_some();
        after = page.last_id.clone();
        if !each(page.data) || !more {
            return Ok(());
        }
    }
}

/// Name search: upstream cannot search projects, so this reads every page and filters, saying
/// how far it has got; it only says "all" once it has read them all.
#[component]
fn SearchProjects(
    query: String,
    archived: bool,
    can_write: bool,
    actions: ProjectActions,
) -> impl IntoView {
    let found = RwSignal::new(Vec::<Project>::new());
    let scanned = RwSignal::new(0_usize);
    let done = RwSignal::new(false);
    let failed = RwSignal::new(None::<ClientError>);
    // The browser's own lower-casing: Rust's would add its Unicode tables to the bundle.
    let lower = |text: &str| String::from(js_sys::JsString::from(text).to_lower_case());
    let needle = lower(&query);
    // Scoped: a new search, or leaving the page, stops this one.
    leptos::task::spawn_local_scoped_with_cancellation(async move {
        let result = each_project_page(archived, |page| {
            // `try_` writes: if the reader has left the page, the search stops.
            scanned.try_update(|n| *n += page.len()).is_some()
                && found
                    .try_update(|f| {
                        f.extend(page.into_iter().filter(|p| {
                            lower(p.name.as_deref().unwrap_or_default()).contains(&needle)
                                || lower(&p.id).contains(&needle)
                        }));
                    })
                    .is_some()
        })
        .await;
        done.try_set(true);
        if let Err(error) = result {
            failed.try_set(Some(error));
        }
    });
    view! {
        <p class="count" role="status">{move || {
            let (n, of) = (found.with(Vec::len), scanned.get());
            match (done.get(), failed.with(Option::is_some)) {
                (true, false) => format!("{n} projects match “{query}” among all {of} projects."),
                (true, true) => format!("{n} projects match “{query}” among the first {of}; the search stopped (below)."),
                (false, _) => format!("Searching… {n} matches in the first {of} projects so far."),
            }
        }}</p>
        {move || failed.get().map(|error| view! { <crate::components::ErrorNotice error=error/> })}
        {move || view! { <ProjectsTable projects=found.get() can_write=can_write actions=actions/> }}
    }
}

/// The projects one user belongs to. Upstream has no such query: this asks each project for
/// the user, one by one, and shows its progress.
#[component]
fn MemberProjects(
    user_id: String,
    archived: bool,
    can_write: bool,
    actions: ProjectActions,
) -> impl IntoView {
    let found = RwSignal::new(Vec::<(Project, String)>::new());
    let checked = RwSignal::new(0_usize);
    let total = RwSignal::new(0_usize);
    let done = RwSignal::new(false);
    let failed = RwSignal::new(None::<ClientError>);
    let who = user_id.clone();
    // Scoped: leaving the page, or another user's scan, stops this one.
    leptos::task::spawn_local_scoped_with_cancellation(async move {
        let mut all = Vec::new();
        let listed = each_project_page(archived, |page| {
            let alive = total.try_update(|t| *t += page.len()).is_some();
            all.extend(page);
            alive
        })
        .await;
        if let Err(error) = listed {
            failed.try_set(Some(error));
            done.try_set(true);
            return;
        }
        for project in all {
            let path = paths::project_user(&project.id, &who);
            match api::get::<ProjectUser>(&path).await {
                Ok(member) => {
                    found.try_update(|f| f.push((project, member.role)));
                }
                Err(error) if error.status() == Some(404) => {}
                Err(error) => {
                    failed.try_set(Some(error));
                    break;
                }
            }
            // `try_`: if the reader has left the page, stop asking.
            if checked.try_update(|c| *c += 1).is_none() {
                return;
            }
        }
        done.try_set(true);
    });
    view! {
        <p class="count" role="status">{move || {
            let n = found.with(Vec::len);
            match (done.get(), failed.with(Option::is_some)) {
                (true, false) => format!("{user_id} is a member of {n} of all {} projects.", total.get()),
                (true, true) => format!("{user_id} is a member of {n} of the {} projects checked before an error (below).", checked.get()),
                (false, _) => format!("Checking projects… {} of {} so far; {n} with {user_id}.", checked.get(), total.get()),
            }
        }}</p>
        {move || failed.get().map(|error| view! { <crate::components::ErrorNotice error=error/> })}
        {move || {
            let (projects, roles): (Vec<Project>, Vec<String>) = found.get().into_iter().unzip();
            view! { <ProjectsTable projects=projects roles=roles can_write=can_write actions=actions/> }
        }}
    }
}
