//! The write behind every "Delete …?" dialog, once: the five resource pages that delete
//! something differ only in the path, the words of the toast and the list to reload.

use std::sync::Arc;

use leptos::prelude::*;

use super::lookups::audit_link;
use crate::api;
use crate::components::{Toast, Toasts, Write};

/// Deletes `path_of(item)` for the item the dialog in `subject` is open on. On success the
/// dialog closes, `reload` runs, and a toast says `done(item)` with a link to the audit-log
/// events of resource `id_of(item)`; on failure the dialog stays with upstream's error.
pub fn delete_confirmed<T>(
    subject: RwSignal<Option<T>>,
    write: Write,
    path_of: impl Fn(&T) -> String + Send + Sync + 'static,
    id_of: impl Fn(&T) -> String + Send + Sync + 'static,
    done: impl Fn(&T) -> String + Send + Sync + 'static,
    reload: impl Fn() + Send + Sync + 'static,
) -> Callback<()>
where
    T: Clone + Send + Sync + 'static,
{
    let toasts = expect_context::<Toasts>();
    let after = Arc::new((id_of, done, reload));
    Callback::new(move |()| {
        let Some(item) = subject.get_untracked() else {
            return;
        };
        let path = path_of(&item);
        let after = Arc::clone(&after);
        write
            .about(audit_link("resource_id", &(after.0)(&item)))
            .run(
                async move { api::delete::<serde_json::Value>(&path).await },
                move |_| {
                    let (id_of, done, reload) = &*after;
                    subject.set(None);
                    reload();
                    toasts.push(Toast {
                        message: done(&item),
                        audit_link: Some(audit_link("resource_id", &id_of(&item))),
                    });
                },
            );
    })
}
