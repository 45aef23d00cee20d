//! One group (`/groups/{id}`): its name (rename, delete), its members (add, remove) and its
//! organization roles. A group managed by the identity provider through SCIM keeps its name
//! and members there, so those controls give way to the reason; its roles (and the projects it
//! is granted, on each project's Groups tab) stay editable here.

use admin_api::CursorPage;
use admin_api::groups::{
    Group, GroupBody, GroupUpdated, GroupUser, GroupUserAssignment, GroupUserBody,
};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use send_wrapper::SendWrapper;

use super::groups::group_href;
use super::lookups::{self, audit_link};
use super::role_assignments::{Principal, RoleAssignments};
use super::writes::delete_confirmed;
use crate::api::{self, paths};
use crate::app::Auth;
use crate::components::{
    ConfirmDialog, ErrorNotice, FormError, Listing, Load, PagedList, SubmitButton, TextDialog,
    Toast, Toasts, Write,
};
use crate::format::date_utc;

/// Why a SCIM-managed group's name and members cannot change here.
pub const SCIM_REASON: &str = "Managed by your identity provider (SCIM): change it there.";

/// `/groups/{id}`: the group in the URL, made afresh when the id changes.
#[component]
pub fn GroupPage() -> impl IntoView {
    let params = use_params_map();
    let group_id = Memo::new(move |_| params.with(|p| p.get("id")).unwrap_or_default());
    move || view! { <GroupView group_id=group_id.get()/> }
}

/// One group's page.
#[component]
fn GroupView(group_id: String) -> impl IntoView {
    let can_write = expect_context::<Auth>().can_write();
    let toasts = expect_context::<Toasts>();
    let group = {
        let path = paths::group(&group_id);
        Load::new(move || {
            let path = path.clone();
            async move { api::get::<Group>(&path).await }
        })
    };
    let current = Memo::new(move |_| group.ok());
    let name = Signal::derive(move || current.get().map(|g| g.name).unwrap_or_default());
    // Only a change of SCIM management re-creates the sections below (a rename does not).
    let scim = Memo::new(move |_| current.get().map(|g| g.is_scim_managed));
    let renaming = RwSignal::new(false);
    let rename_write = Write::new();
    let rename = {
        let group_id = group_id.clone();
        Callback::new(move |text: String| {
            let body = GroupBody { name: text };
            if let Err(error) = body.validate() {
                rename_write.refuse(error);
                return;
            }
            let path = paths::group(&group_id);
            rename_write
                .about(audit_link("resource_id", &group_id))
                .run(
                    async move { api::post_json::<GroupUpdated, _>(&path, &body).await },
                    move |updated| {
                        renaming.set(false);
                        group.reload();
                        toasts.push(Toast {
                            message: format!("The group is now called {}.", updated.name),
                            audit_link: Some(audit_link("resource_id", &updated.id)),
                        });
                    },
                );
        })
    };
    let to_delete = RwSignal::new(None::<Group>);
    let delete_write = Write::new();
    let navigate = SendWrapper::new(use_navigate());
    let delete = delete_confirmed(
        to_delete,
        delete_write,
        |g: &Group| paths::group(&g.id),
        |g| g.id.clone(),
        |g| format!("Group {} was deleted.", g.name),
        move || navigate("/groups", Default::default()),
    );
    let ask_rename = Callback::new(move |()| {
        rename_write.reset();
        renaming.set(true);
    });
    let ask_delete = Callback::new(move |g: Group| {
        delete_write.reset();
        to_delete.set(Some(g));
    });
    let principal = Principal::Group(group_id.clone());
    view! {
        <section aria-labelledby="group-heading">
            <p><a href="/groups">"← Groups"</a></p>
            {move || match group.value.get() {
                None => view! { <h1 id="group-heading">"Group"</h1><p class="loading" aria-busy="true">"Loading the group…"</p> }.into_any(),
                Some(Err(error)) => view! { <h1 id="group-heading">"Group"</h1><ErrorNotice error=error/> }.into_any(),
                Some(Ok(g)) => view! {
                    <h1 id="group-heading">{g.name.clone()}</h1>
                    <p class="hint">
                        <code>{g.id.clone()}</code>" · created "{date_utc(g.created_at)}" · "
                        <a href=audit_link("resource_id", &g.id)>"Audit log of this group"</a>
                    </p>
                    <GroupActions group=g can_write=can_write.get() on_rename=ask_rename on_delete=ask_delete/>
                }.into_any(),
            }}
            {move || scim.get().map(|scim| {
                let editable = can_write.get() && !scim;
                view! {
                    <h2>"Members"</h2>
                    {scim.then(|| view! { <p class="hint">{SCIM_REASON}</p> })}
                    <GroupMembers group_id=group_id.clone() name=name editable=editable/>
                    <h2>"Organization roles"</h2>
                    <RoleAssignments principal=principal.clone() name=name can_write=can_write.get()/>
                }
            })}
            <Show when=move || renaming.get()>
                <TextDialog title="Rename group" label="Group name" initial=name.get_untracked()
                    save_label="Rename" pending_label="Renaming…" write=rename_write on_save=rename
                    on_close=Callback::new(move |()| renaming.set(false))/>
            </Show>
            {move || to_delete.get().map(|g| view! {
                <ConfirmDialog title="Delete group"
                    message=format!("Delete the group {}?", g.name)
                    consequence="Its members lose the roles and project access the group gave them. This cannot be undone."
                    type_to_confirm=g.name.clone()
                    confirm_label="Delete group" pending_label="Deleting…"
                    write=delete_write on_confirm=delete on_close=Callback::new(move |()| to_delete.set(None))/>
            })}
        </section>
    }
}

/// Rename and delete for owners; for a SCIM-managed group, the reason they are not here.
#[component]
pub fn GroupActions(
    /// The group.
    group: Group,
    /// Whether the signed-in user may change things.
    can_write: bool,
    /// Asks to rename.
    on_rename: Callback<()>,
    /// Asks to delete.
    on_delete: Callback<Group>,
) -> impl IntoView {
    if group.is_scim_managed {
        return view! {
            <div class="notice" role="note"><span class="badge">"Identity provider"</span>" "{SCIM_REASON}</div>
        }
        .into_any();
    }
    if !can_write {
        return ().into_any();
    }
    let (rename_label, delete_label) = (
        format!("Rename {}", group.name),
        format!("Delete {}", group.name),
    );
    view! {
        <div class="toolbar">
            <button type="button" aria-label=rename_label on:click=move |_| on_rename.run(())>"Rename"</button>
            <button type="button" class="danger" aria-label=delete_label on:click=move |_| on_delete.run(group.clone())>"Delete"</button>
        </div>
    }
    .into_any()
}

/// The group's members: the list, and for an editable group, add and remove.
#[component]
fn GroupMembers(
    /// The group.
    group_id: String,
    /// Its name, for the dialog and toasts.
    name: Signal<String>,
    /// Owner and not SCIM-managed.
    editable: bool,
) -> impl IntoView {
    let toasts = expect_context::<Toasts>();
    let listing = Listing::<GroupUser, CursorPage<GroupUser>>::new({
        let base = paths::group_users(&group_id);
        move || base.clone()
    });
    let added = Callback::new(move |(who, _): (String, GroupUserAssignment)| {
        listing.reload();
        toasts.push(Toast {
            message: format!("{who} joined {}. (OpenAI's audit log records no event for a group's members; the journal has it.)", name.get_untracked()),
            audit_link: None,
        });
    });
    let to_remove = RwSignal::new(None::<GroupUser>);
    let remove_write = Write::new();
    let remove = delete_confirmed(
        to_remove,
        remove_write,
        {
            let group_id = group_id.clone();
            move |u: &GroupUser| paths::group_user(&group_id, &u.id)
        },
        |u| u.id.clone(),
        move |u| format!("{} left {}.", member_label(u), name.get_untracked()),
        move || listing.reload(),
    );
    let here = group_href(&group_id);
    view! {
        {editable.then(|| view! { <AddMember group_id=group_id.clone() on_added=added/> })}
        <PagedList listing=listing here=here noun="members" rows=move |members| view! {
            <GroupMembersTable members=members editable=editable
                on_remove=Callback::new(move |u| { remove_write.reset(); to_remove.set(Some(u)); })/>
        }/>
        {move || to_remove.get().map(|u| view! {
            <ConfirmDialog title="Remove member"
                message=format!("Remove {} from {}?", member_label(&u), name.get_untracked())
                consequence="They lose the roles and project access that come through this group."
                confirm_label="Remove member" pending_label="Removing…"
                write=remove_write on_confirm=remove on_close=Callback::new(move |()| to_remove.set(None))/>
        })}
    }
}

/// Adds an organization user to the group.
#[component]
fn AddMember(
    /// The group.
    group_id: String,
    /// Called with the member's label and upstream's answer.
    on_added: Callback<(String, GroupUserAssignment)>,
) -> impl IntoView {
    let users = lookups::users();
    let user_id = RwSignal::new(String::new());
    let write = Write::new();
    let add = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        let body = GroupUserBody {
            user_id: user_id.get_untracked(),
        };
        if let Err(error) = body.validate() {
            write.refuse(error);
            return;
        }
        let who = users.with_untracked(|all| {
            all.iter()
                .flatten()
                .find(|u| u.id == body.user_id)
                .and_then(|u| u.email.clone().or(u.name.clone()))
                .unwrap_or_else(|| body.user_id.clone())
        });
        let path = paths::group_users(&group_id);
        write.run(
            async move { api::post_json::<GroupUserAssignment, _>(&path, &body).await },
            move |answer| {
                user_id.set(String::new());
                on_added.try_run((who, answer));
            },
        );
    };
    view! {
        <form class="card inline-form" on:submit=add aria-label="Add a member">
            <label for="group-member-user">"Organization user"</label>
            <select id="group-member-user" prop:value=user_id on:change=move |e| user_id.set(event_target_value(&e))>
                <option value="">"Choose a user"</option>
                {move || users.get().unwrap_or_default().into_iter().map(|u| {
                    let label = u.email.clone().or(u.name.clone()).unwrap_or_else(|| u.id.clone());
                    view! { <option value=u.id.clone()>{label}</option> }
                }).collect_view()}
            </select>
            <SubmitButton write=write label="Add member" pending_label="Adding…"/>
            <FormError error=write.error audit=write.audit/>
        </form>
    }
}

/// The members on this page; Remove only where the group is editable.
#[component]
pub fn GroupMembersTable(
    /// The members.
    members: Vec<GroupUser>,
    /// Whether Remove is offered.
    editable: bool,
    /// Asks to remove one.
    on_remove: Callback<GroupUser>,
) -> impl IntoView {
    if members.is_empty() {
        return view! { <p class="empty">"No members on this page."</p> }.into_any();
    }
    view! {
        <table class="data">
            <caption class="visually-hidden">"Group members"</caption>
            <thead><tr>
                <th scope="col">"Name"</th><th scope="col">"Email"</th>
                {editable.then(|| view! { <th scope="col">"Actions"</th> })}
            </tr></thead>
            <tbody>
                {members.into_iter().map(|u| {
                    let label = format!("Remove {} from the group", member_label(&u));
                    let for_remove = u.clone();
                    view! {
                        <tr data-id=u.id.clone()>
                            <td><a href=format!("/users/{}", paths::seg(&u.id))>{u.name.clone()}</a></td>
                            <td>{u.email.clone().unwrap_or_else(|| "—".into())}</td>
                            {editable.then(|| view! {
                                <td class="actions">
                                    <button type="button" class="danger" aria-label=label
                                        on:click=move |_| on_remove.run(for_remove.clone())>"Remove"</button>
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

fn member_label(user: &GroupUser) -> String {
    user.email.clone().unwrap_or_else(|| user.name.clone())
}
