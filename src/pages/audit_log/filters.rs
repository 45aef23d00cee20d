//! The filters a URL carries: what the audit log asks upstream or the archive for, read from and
//! written to the query string, and the time presets and `datetime-local` conversions they use.

use admin_api::audit_logs::{EffectiveAt, ListAuditLogsQuery};
use admin_api::query::Paging;
use leptos_router::params::ParamsMap;

use crate::api;
use crate::format::{Zone, day_key, time_of_day};

/// The time-range presets: query value, label, seconds back from now.
pub(super) const RANGES: &[(&str, &str, i64)] = &[
    ("1h", "Last hour", 3_600),
    ("24h", "Last 24 hours", 86_400),
    ("7d", "Last 7 days", 7 * 86_400),
    ("30d", "Last 30 days", 30 * 86_400),
];

/// How upstream's actor ids begin (users, API keys, service accounts).
const ACTOR_ID_PREFIXES: &[&str] = &["user-", "key_", "svc_acct"];

/// The filters a URL carries.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(super) struct Filters {
    pub(super) event_types: Vec<String>,
    pub(super) resource_id: Option<String>,
    /// An actor id (user, API key or service account), an email, or a portal user's name.
    /// In the archive, anything but an id means everything that person did: their own
    /// sessions' events and the portal-key events attributed to them.
    pub(super) actor: Option<String>,
    /// Any of these projects.
    pub(super) project_ids: Vec<String>,
    pub(super) range: Option<String>,
    /// A custom range (`range=custom`), in Unix seconds.
    pub(super) from: Option<i64>,
    pub(super) to: Option<i64>,
    /// Full-text search (the archive only).
    pub(super) q: Option<String>,
}

impl Filters {
    pub(super) fn from_query(query: &ParamsMap) -> Self {
        let get = |k: &str| query.get(k).filter(|v| !v.trim().is_empty());
        Self {
            event_types: query
                .get_all("event_type")
                .unwrap_or_default()
                .into_iter()
                .filter(|t| !t.trim().is_empty())
                .collect(),
            resource_id: get("resource_id"),
            actor: get("actor"),
            project_ids: query
                .get_all("project_id")
                .unwrap_or_default()
                .into_iter()
                .filter(|p| !p.trim().is_empty())
                .collect(),
            range: get("range").filter(|r| r == "custom" || RANGES.iter().any(|(v, _, _)| v == r)),
            from: get("from").and_then(|v| v.parse().ok()),
            to: get("to").and_then(|v| v.parse().ok()),
            q: get("q"),
        }
    }

    pub(super) fn to_href(&self) -> String {
        let mut pairs: Vec<(&str, String)> = self
            .event_types
            .iter()
            .map(|t| ("event_type", t.clone()))
            .collect();
        pairs.extend(self.project_ids.iter().map(|p| ("project_id", p.clone())));
        pairs.extend(
            [
                ("q", &self.q),
                ("resource_id", &self.resource_id),
                ("actor", &self.actor),
                ("range", &self.range),
            ]
            .into_iter()
            .filter_map(|(k, v)| Some((k, v.clone()?))),
        );
        if self.range.as_deref() == Some("custom") {
            pairs.extend(self.from.map(|f| ("from", f.to_string())));
            pairs.extend(self.to.map(|t| ("to", t.to_string())));
        }
        if pairs.is_empty() {
            "/audit-log".to_owned()
        } else {
            format!("/audit-log?{}", admin_api::query::encode(pairs))
        }
    }

    /// The actor, if it is an id (`user-…`, `key_…`, `svc_acct_…`) rather than a person.
    fn actor_id(&self) -> Option<String> {
        self.actor
            .clone()
            .filter(|a| ACTOR_ID_PREFIXES.iter().any(|p| a.starts_with(p)))
    }

    /// The actor as a portal user (a name or an email), for the archive's `portal_user`.
    pub(super) fn portal_user(&self) -> Option<String> {
        self.actor.clone().filter(|_| self.actor_id().is_none())
    }

    /// Whether only the archive can answer these filters: a search, or a portal user's name
    /// (upstream knows emails and ids only).
    pub(super) fn needs_archive(&self) -> bool {
        self.q.is_some() || self.portal_user().is_some_and(|u| !u.contains('@'))
    }

    /// The archive's own filters.
    pub(super) fn archive_filters(&self) -> api::ArchiveFilters {
        api::ArchiveFilters {
            q: self.q.clone(),
            portal_user: self.portal_user(),
        }
    }

    /// The query for the archive: as upstream's, but a person is asked as `portal_user`.
    pub(super) fn to_archive_query(&self, after: Option<String>) -> ListAuditLogsQuery {
        ListAuditLogsQuery {
            actor_emails: Vec::new(),
            ..self.to_query(after)
        }
    }

    pub(super) fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// The upstream query for this view.
    pub(super) fn to_query(&self, after: Option<String>) -> ListAuditLogsQuery {
        let now = (js_sys::Date::now() / 1000.0) as i64;
        let custom = self.range.as_deref() == Some("custom");
        let gte = if custom {
            self.from
        } else {
            self.range
                .as_ref()
                .and_then(|r| RANGES.iter().find(|(v, _, _)| v == r))
                .map(|(_, _, secs)| now - secs)
        };
        let lte = if custom { self.to } else { None };
        ListAuditLogsQuery {
            paging: Paging {
                limit: Some(admin_api::query::LIMIT_MAX),
                after,
            },
            effective_at: EffectiveAt {
                gte,
                lte,
                ..EffectiveAt::default()
            },
            event_types: self.event_types.clone(),
            resource_ids: self.resource_id.clone().into_iter().collect(),
            actor_emails: self
                .portal_user()
                .filter(|a| a.contains('@'))
                .into_iter()
                .collect(),
            actor_ids: self.actor_id().into_iter().collect(),
            project_ids: self.project_ids.clone(),
            ..ListAuditLogsQuery::default()
        }
    }
}

/// `2026-11-25T18:12` (a `datetime-local` value) for a Unix time, in `zone`.
pub(super) fn to_input(unix_seconds: i64, zone: Zone) -> String {
    format!(
        "{}T{}",
        day_key(unix_seconds, zone),
        &time_of_day(unix_seconds, zone)[..5]
    )
}

/// The Unix time of a `datetime-local` value read in `zone`.
pub(super) fn from_input(value: &str, zone: Zone) -> Option<i64> {
    let (date, time) = value.split_once('T')?;
    // Integers, not `f64`: parsing and printing floats costs the bundle some 20 KB.
    let mut d = date
        .split('-')
        .map(|p| p.parse::<u16>().ok().map(f64::from));
    let (year, month, day) = (d.next()??, d.next()??, d.next()??);
    let mut t = time
        .split(':')
        .map(|p| p.parse::<u16>().ok().map(f64::from));
    let (hour, minute) = (t.next()??, t.next()??);
    let millis = match zone {
        Zone::Utc => {
            js_sys::Date::utc(year, month - 1.0)
                + ((day - 1.0) * 86_400.0 + hour * 3_600.0 + minute * 60.0) * 1000.0
        }
        Zone::Local => js_sys::Date::new_with_year_month_day_hr_min(
            year as u32,
            month as i32 - 1,
            day as i32,
            hour as i32,
            minute as i32,
        )
        .get_time(),
    };
    millis.is_finite().then(|| (millis / 1000.0) as i64)
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    use super::*;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn an_actor_is_an_id_an_email_or_a_portal_user() {
        let with = |actor: &str| Filters {
            actor: Some(actor.into()),
            ..Filters::default()
        };
        let id = with("user-abc");
        assert_eq!(id.to_query(None).actor_ids, ["user-abc"]);
        assert_eq!(id.archive_filters().portal_user, None);
        assert!(!id.needs_archive());
        // An email: upstream matches its sessions; the archive also its attributed events.
        let email = with("ada@acme.example");
        assert_eq!(email.to_query(None).actor_emails, ["ada@acme.example"]);
        assert!(email.to_archive_query(None).actor_emails.is_empty());
        assert_eq!(
            email.archive_filters().portal_user.as_deref(),
            Some("ada@acme.example")
        );
        assert!(!email.needs_archive());
        // A portal user's name: only the archive knows it.
        let name = with("demo-owner");
        assert!(name.to_query(None).actor_emails.is_empty());
        assert!(name.to_query(None).actor_ids.is_empty());
        assert_eq!(
            name.archive_filters().portal_user.as_deref(),
            Some("demo-owner")
        );
        assert!(name.needs_archive());
    }

    #[wasm_bindgen_test]
    fn a_custom_range_round_trips_through_the_url_and_the_inputs() {
        assert_eq!(
            from_input("2026-09-21T14:13", Zone::Utc),
            Some(1_789_999_980)
        );
        assert_eq!(to_input(1_790_000_000, Zone::Utc), "2026-09-21T14:13");
        assert_eq!(from_input("yesterday", Zone::Utc), None);
        let filters = Filters {
            range: Some("custom".into()),
            from: Some(10),
            to: Some(20),
            event_types: vec!["login.failed".into(), "logout.failed".into()],
            ..Filters::default()
        };
        let query = filters.to_query(None);
        assert_eq!(
            (query.effective_at.gte, query.effective_at.lte),
            (Some(10), Some(20))
        );
        assert_eq!(query.event_types.len(), 2);
        assert_eq!(
            filters.to_href(),
            "/audit-log?event_type=login.failed&event_type=logout.failed&range=custom&from=10&to=20"
        );
    }
}
