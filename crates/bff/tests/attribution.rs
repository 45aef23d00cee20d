//! Who really did it: upstream's audit events, which name the portal's admin key, joined to
//! the journal's writes, which name the person; in the archive (stored) and on upstream reads
//! (on the fly), in the `portal_user` filter and in exports.

mod common;

use std::collections::HashMap;

use axum::http::{Method, StatusCode};
use common::{Harness, ids, writes};
use serde_json::{Value, json};

/// The owner makes every write the portal offers (archiving the project last, since an
/// archived project refuses the rest); returns each one's result row.
async fn every_write(harness: &Harness) -> Vec<gatehouse::journal::Entry> {
    let ids = ids(harness);
    let (cookie, csrf) = harness.owner().await;
    let mut all = writes(&ids);
    let archive = all.remove(6);
    all.push(archive);
    for (method, uri, body) in &all {
        let answer = harness
            .send(method, uri, Some(&cookie), Some(&csrf), body.as_deref())
            .await;
        assert!(
            answer.status.is_success(),
            "{method} {uri}: {} {}",
            answer.status,
            answer.text
        );
    }
    let rows = harness.journal_rows(200).await;
    let results: Vec<_> = rows.into_iter().filter(|r| r.phase == "result").collect();
    assert_eq!(results.len(), all.len(), "one result row per write");
    results
}

/// The owner makes `user` an owner through the portal.
async fn promote(harness: &Harness, cookie: &str, csrf: &str, user: &str) {
    let answer = harness
        .send(
            "POST",
            &format!("/api/v1/organization/users/{user}"),
            Some(cookie),
            Some(csrf),
            Some(r#"{"role":"owner"}"#),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
}

/// Every archived event with the portal user the archive attributes it to.
async fn archived_with_attributions(
    harness: &Harness,
    cookie: &str,
    query: &str,
) -> Vec<(Value, Value)> {
    let mut found = Vec::new();
    let mut after = String::new();
    loop {
        let page = harness
            .get(
                &format!("/api/archive/audit_logs?limit=100{query}{after}"),
                cookie,
            )
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        let page = page.json();
        for event in page["data"].as_array().expect("data") {
            let id = event["id"].as_str().expect("id");
            found.push((event.clone(), page["attributions"][id].clone()));
        }
        match page["last_id"].as_str() {
            Some(last) if page["has_more"] == true => after = format!("&after={last}"),
            _ => return found,
        }
    }
}

#[tokio::test]
async fn every_portal_write_is_attributed_to_its_own_journal_row() {
    let harness = Harness::new().await;
    let results = every_write(&harness).await;
    harness.archive.sync_once().await.expect("sync");
    let (cookie, _) = harness.auditor().await;
    let events = archived_with_attributions(&harness, &cookie, "").await;
    let by_seq: HashMap<i64, &gatehouse::journal::Entry> =
        results.iter().map(|r| (r.seq, r)).collect();
    let attributed: Vec<&(Value, Value)> = events.iter().filter(|(_, a)| !a.is_null()).collect();
    for (event, by) in &attributed {
        let seq = by["journal_seq"].as_i64().expect("seq");
        let row = by_seq
            .get(&seq)
            .unwrap_or_else(|| panic!("{event} is attributed to row {seq}, which is no write"));
        // A role assignment's event is about its principal (its own id is never shown).
        let kind = event["type"].as_str().expect("type");
        let payload = &event[kind];
        let resource = if kind.starts_with("role.assignment.") {
            payload["principal_id"].as_str()
        } else {
            payload["id"].as_str()
        };
        assert_eq!(resource, row.object_id.as_deref(), "{event} ~ {row:?}");
        assert_eq!(by["username"], "olive");
        assert_eq!(by["role"], "owner");
    }
    // A group's members change without an audit event (the spec has none for them): those
    // two writes are the only ones that name no object, so none is expected of them.
    let (audited, unaudited): (Vec<_>, Vec<_>) = results.iter().partition(|r| r.is_portal_write());
    let unaudited: Vec<(&str, bool)> = unaudited
        .iter()
        .map(|r| {
            (
                r.method.as_str(),
                r.path.contains("/groups/") && r.path.contains("/users"),
            )
        })
        .collect();
    assert_eq!(unaudited, [("DELETE", true), ("POST", true)]);
    for row in &audited {
        let events_of_row = attributed
            .iter()
            .filter(|(_, by)| by["journal_seq"] == row.seq)
            .count();
        assert_eq!(
            events_of_row, 1,
            "{} {} made {events_of_row} attributed events",
            row.method, row.path
        );
    }
    // Nothing the seed made (sessions and other keys) is attributed.
    assert_eq!(attributed.len(), audited.len());
}

#[tokio::test]
async fn upstream_reads_attribute_on_the_fly() {
    let harness = Harness::without_archive(common::small_sandbox(common::CANARY_KEY)).await;
    let ids = ids(&harness);
    let (cookie, csrf) = harness.owner().await;
    promote(&harness, &cookie, &csrf, &ids.user).await;
    let page = harness
        .get("/api/v1/organization/audit_logs?limit=5", &cookie)
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    let page = page.json();
    let newest = &page["data"][0];
    assert_eq!(newest["type"], "user.updated");
    let by = &page["attributions"][newest["id"].as_str().expect("id")];
    assert_eq!(by["username"], "olive", "{page}");
    let row = &harness.journal_rows(1).await[0];
    assert_eq!(by["journal_seq"], row.seq);
    assert!(
        newest.get("gatehouse").is_none(),
        "the event stays as upstream wrote it"
    );
}

#[tokio::test]
async fn a_change_made_with_the_same_key_outside_the_portal_is_not_attributed() {
    let harness = Harness::new().await;
    let ids = ids(&harness);
    let (cookie, csrf) = harness.owner().await;
    // A portal write, so there is a journal row close by in time...
    promote(&harness, &cookie, &csrf, &ids.user).await;
    // ...and a script using the very same admin key, straight to upstream.
    let script = harness
        .upstream
        .send(
            Method::POST,
            &format!("/organization/projects/{}", ids.project),
            "",
            Some(json!({"name": "Renamed by a script"})),
        )
        .await
        .expect("the script's write");
    assert_eq!(script.status(), StatusCode::OK);
    harness.archive.sync_once().await.expect("sync");
    let events = archived_with_attributions(&harness, &cookie, "").await;
    let of = |kind: &str| {
        events
            .iter()
            .find(|(e, _)| e["type"] == kind)
            .expect(kind)
            .1
            .clone()
    };
    assert_eq!(of("user.updated")["username"], "olive");
    assert!(of("project.updated").is_null(), "the script's change");
}

#[tokio::test]
async fn two_writes_on_one_object_a_second_apart_are_each_attributed_to_their_own_row() {
    let harness = Harness::new().await;
    let ids = ids(&harness);
    let (cookie, csrf) = harness.owner().await;
    let path = format!("/api/v1/organization/users/{}", ids.user);
    for role in ["owner", "reader"] {
        let answer = harness
            .send(
                "POST",
                &path,
                Some(&cookie),
                Some(&csrf),
                Some(&format!(r#"{{"role":"{role}"}}"#)),
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    }
    harness.archive.sync_once().await.expect("sync");
    let results: Vec<i64> = harness
        .journal_rows(4)
        .await
        .iter()
        .filter(|r| r.phase == "result")
        .map(|r| r.seq)
        .collect();
    let events =
        archived_with_attributions(&harness, &cookie, &format!("&resource_ids[]={}", ids.user))
            .await;
    // Newest first on both sides: the second write made the newer event.
    let seqs: Vec<Value> = events
        .iter()
        .map(|(_, by)| by["journal_seq"].clone())
        .collect();
    assert_eq!(
        seqs,
        vec![json!(results[0]), json!(results[1])],
        "{events:?}"
    );
}

#[tokio::test]
async fn an_event_outside_the_writes_window_is_not_attributed() {
    let harness = Harness::new().await;
    let ids = ids(&harness);
    let (cookie, csrf) = harness.owner().await;
    promote(&harness, &cookie, &csrf, &ids.user).await;
    let now = harness.sandbox.read(sandbox::Org::now);
    // The same key on the same user, half a minute later: not the portal's write.
    let late = harness.sandbox.record_audit_event(
        now + 30,
        "user.updated",
        json!({"id": ids.user, "changes_requested": {"role": "reader"}}),
    );
    harness.archive.sync_once().await.expect("sync");
    let events =
        archived_with_attributions(&harness, &cookie, &format!("&resource_ids[]={}", ids.user))
            .await;
    let late_by = &events
        .iter()
        .find(|(e, _)| e["id"] == late.id)
        .expect("late")
        .1;
    assert!(late_by.is_null(), "{late_by}");
    assert_eq!(events.iter().filter(|(_, by)| !by.is_null()).count(), 1);
}

#[tokio::test]
async fn attributions_survive_a_restart_and_answer_the_portal_user_filter() {
    let harness = Harness::new().await;
    let ids = ids(&harness);
    let (cookie, csrf) = harness.owner().await;
    for (method, path, body) in [
        (
            "POST",
            format!("/api/v1/organization/users/{}", ids.user),
            Some(r#"{"role":"owner"}"#),
        ),
        (
            "DELETE",
            format!("/api/v1/organization/invites/{}", ids.invite),
            None,
        ),
    ] {
        let answer = harness
            .send(method, &path, Some(&cookie), Some(&csrf), body)
            .await;
        assert!(answer.status.is_success(), "{}", answer.text);
    }
    harness.archive.sync_once().await.expect("sync");

    // A new process on the same data dir: the attributions are read, not recomputed.
    let db = harness.db.reopen().await.expect("db");
    let reopened = gatehouse::archive::Archive::new(
        db,
        harness.upstream.clone(),
        None,
        gatehouse::archive::Settings::default(),
    );
    let (auditor, _) = harness.auditor().await;
    let olives = archived_with_attributions(&harness, &auditor, "&portal_user=olive").await;
    let mut types: Vec<&str> = olives
        .iter()
        .map(|(e, _)| e["type"].as_str().expect("type"))
        .collect();
    types.sort_unstable();
    assert_eq!(types, ["invite.deleted", "user.updated"]);
    let ids_found: Vec<&str> = olives
        .iter()
        .map(|(e, _)| e["id"].as_str().expect("id"))
        .collect();
    let stored = reopened.attributions_of(&ids_found).await.expect("read");
    assert_eq!(stored.len(), 2);
    assert!(stored.values().all(|a| a.username == "olive"));
    let journal_seqs: Vec<i64> = harness
        .journal_rows(4)
        .await
        .iter()
        .filter(|r| r.phase == "result")
        .map(|r| r.seq)
        .collect();
    assert!(
        stored
            .values()
            .all(|a| journal_seqs.contains(&a.journal_seq))
    );
    // Nobody else did anything through the portal.
    assert!(
        archived_with_attributions(&harness, &auditor, "&portal_user=audrey")
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn exports_name_the_portal_user_behind_each_event() {
    let harness = Harness::new().await;
    let ids = ids(&harness);
    let (cookie, csrf) = harness.owner().await;
    promote(&harness, &cookie, &csrf, &ids.user).await;
    let seq = harness.journal_rows(1).await[0].seq;
    let filter = format!("&resource_ids[]={}", ids.user);

    let csv = harness
        .get(
            &format!("/api/audit_logs/export?format=csv{filter}"),
            &cookie,
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.text);
    let mut reader = csv::Reader::from_reader(csv.text.as_bytes());
    let headers = reader.headers().expect("headers").clone();
    let column = |name: &str| headers.iter().position(|h| h == name).expect(name);
    let (user, role, journal) = (
        column("portal_user"),
        column("portal_role"),
        column("journal_seq"),
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    let ours = rows
        .iter()
        .find(|r| &r[column("type")] == "user.updated")
        .expect("the event");
    assert_eq!(&ours[user], "olive");
    assert_eq!(&ours[role], "owner");
    assert_eq!(ours[journal], seq.to_string());

    let ndjson = harness
        .get(
            &format!("/api/audit_logs/export?format=ndjson{filter}"),
            &cookie,
        )
        .await;
    let lines: Vec<Value> = ndjson
        .text
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    let ours = lines
        .iter()
        .find(|l| l["type"] == "user.updated")
        .expect("the event");
    assert_eq!(ours["gatehouse"]["username"], "olive");
    assert_eq!(ours["gatehouse"]["journal_seq"], seq);
    let id = ndjson.headers["x-gatehouse-export-id"]
        .to_str()
        .expect("id")
        .to_owned();
    let manifest = harness
        .get(&format!("/api/audit_logs/export/{id}/manifest"), &cookie)
        .await
        .json();
    assert_eq!(manifest["attribution"], true, "{manifest}");

    // Only what olive did: upstream cannot filter by a portal user, so the export does.
    let hers = harness
        .get(
            "/api/audit_logs/export?format=ndjson&portal_user=olive",
            &cookie,
        )
        .await;
    assert_eq!(hers.status, StatusCode::OK, "{}", hers.text);
    let lines: Vec<Value> = hers
        .text
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["type"], "user.updated");
    let id = hers.headers["x-gatehouse-export-id"]
        .to_str()
        .expect("id")
        .to_owned();
    let manifest = harness
        .get(&format!("/api/audit_logs/export/{id}/manifest"), &cookie)
        .await
        .json();
    assert_eq!(manifest["event_count"], 1);
    assert!(
        manifest["filters"]
            .as_array()
            .expect("filters")
            .contains(&json!(["portal_user", "olive"])),
        "{manifest}"
    );
}

#[tokio::test]
async fn the_journal_links_writes_to_their_events_and_flags_a_missing_one() {
    let mut harness = Harness::new().await;
    // No grace time: the test cannot wait the 15 minutes upstream is given by default.
    let archive = std::sync::Arc::new(gatehouse::archive::Archive::new(
        harness.db.clone(),
        harness.upstream.clone(),
        Some(harness.journal.clone()),
        gatehouse::archive::Settings {
            event_grace: std::time::Duration::ZERO,
            ..gatehouse::archive::Settings::default()
        },
    ));
    harness.archive = archive.clone();
    harness.reconfigure(|state| state.archive = Some(archive));
    let ids = ids(&harness);
    let (cookie, csrf) = harness.owner().await;
    promote(&harness, &cookie, &csrf, &ids.user).await;
    // A success the journal recorded but upstream never logged (as if its event were lost).
    harness
        .journal
        .record_outcome(
            &gatehouse::journal::Request {
                request_id: "lost-event".into(),
                username: "olive".into(),
                role: "owner".into(),
                client: "127.0.0.1".into(),
                method: "POST".into(),
                path: format!("/organization/projects/{}", ids.project),
                ..Default::default()
            },
            &gatehouse::journal::Outcome {
                status: 200,
                object_id: Some(ids.project.clone()),
                ..Default::default()
            },
        )
        .await;
    let row_of = |page: &Value, request_id: &str| {
        page["data"]
            .as_array()
            .expect("rows")
            .iter()
            .find(|r| r["phase"] == "result" && r["request_id"] == request_id)
            .cloned()
            .expect("row")
    };
    let written = harness.journal_rows(3).await;
    let real_request = written
        .iter()
        .find(|r| r.request_id != "lost-event")
        .expect("the real write")
        .request_id
        .clone();
    // One poll: too early to call an event missing.
    harness.archive.sync_once().await.expect("sync");
    let page = harness.get("/api/journal?limit=5", &cookie).await.json();
    assert_eq!(row_of(&page, &real_request)["events"], 1);
    assert_eq!(row_of(&page, "lost-event")["missing_event"], false);
    // Two polls later it is.
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    harness.archive.sync_once().await.expect("sync");
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    harness.archive.sync_once().await.expect("sync");
    let page = harness.get("/api/journal?limit=5", &cookie).await.json();
    assert_eq!(row_of(&page, "lost-event")["events"], 0);
    assert_eq!(row_of(&page, "lost-event")["missing_event"], true);
    assert_eq!(row_of(&page, &real_request)["missing_event"], false);
}
