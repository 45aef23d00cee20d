//! Key hygiene on the seeded organization: each rule finds exactly the ids the seed put there
//! for it, the report streams its progress, deletes are checked against upstream first, and
//! auditors read it without being able to delete.

mod common;

use std::collections::{BTreeSet, HashMap};

use axum::http::StatusCode;
use common::Harness;
use serde_json::{Value, json};

const DAY: i64 = 86_400;

/// The report's lines, parsed.
async fn report(harness: &Harness, cookie: &str, days: i64) -> Vec<Value> {
    let answer = harness
        .get(&format!("/api/hygiene?days={days}"), cookie)
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.headers["content-type"], "application/x-ndjson");
    answer
        .text
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect()
}

fn findings(lines: &[Value]) -> Vec<Value> {
    lines
        .iter()
        .filter_map(|l| l["findings"].as_array())
        .flatten()
        .cloned()
        .collect()
}

/// The ids of `kind` findings that carry `reason`.
fn with_reason(findings: &[Value], kind: &str, reason: &str) -> BTreeSet<String> {
    findings
        .iter()
        .filter(|f| {
            f["kind"] == kind
                && f["reasons"]
                    .as_array()
                    .expect("reasons")
                    .contains(&json!(reason))
        })
        .map(|f| f["id"].as_str().expect("id").to_owned())
        .collect()
}

#[tokio::test]
async fn each_rule_finds_exactly_what_the_seed_put_there_for_it() {
    let harness = Harness::new().await;
    let (cookie, _) = harness.owner().await;
    let lines = report(&harness, &cookie, 90).await;

    // Progress: the organization, then each active project in turn, then the end.
    assert_eq!(lines[0]["type"], "started", "{}", lines[0]);
    assert_eq!(lines[0]["projects"], 6);
    assert_eq!(lines[0]["archived_projects"], 2);
    let reads: Vec<i64> = lines
        .iter()
        .filter(|l| l["type"] == "project")
        .map(|l| l["read"].as_i64().expect("read"))
        .collect();
    assert_eq!(reads, [1, 2, 3, 4, 5, 6]);
    assert_eq!(lines.last().expect("lines")["type"], "complete");
    assert_eq!(lines.last().expect("lines")["read"], 6);

    let found = findings(&lines);
    let now = lines[0]["now"].as_i64().expect("now");
    let cutoff = now - 90 * DAY;
    let (expected, admin, invites) = harness.sandbox.read(|org| {
        let mut expected: HashMap<&str, BTreeSet<String>> = HashMap::new();
        let active = || {
            org.projects()
                .iter()
                .filter(|p| p.project.archived_at.is_none())
        };
        for project in active() {
            for key in &project.api_keys {
                let kind = match key.owner.kind.as_str() {
                    "service_account" => "service_account_key",
                    _ => "project_key",
                };
                match key.last_used_at {
                    None => expected
                        .entry(if kind == "project_key" {
                            "pk_never"
                        } else {
                            "sk_never"
                        })
                        .or_default()
                        .insert(key.id.clone()),
                    Some(at) if at < cutoff => expected
                        .entry(if kind == "project_key" {
                            "pk_stale"
                        } else {
                            "sk_stale"
                        })
                        .or_default()
                        .insert(key.id.clone()),
                    Some(_) => false,
                };
            }
        }
        let by_name = |name: &str| {
            active()
                .flat_map(|p| &p.api_keys)
                .find(|k| k.name == name || k.name.ends_with(name))
                .map(|k| k.id.clone())
                .expect(name)
        };
        expected.insert("left_org", [by_name("Contractor's key")].into());
        expected.insert("left_project", [by_name("'s old key")].into());
        let account = |name: &str| {
            active()
                .flat_map(|p| &p.service_accounts)
                .filter(|a| a.name == name)
                .map(|a| a.id.clone())
                .collect::<BTreeSet<_>>()
        };
        expected.insert("no_key", account("retired-exporter"));
        let stale_accounts: BTreeSet<String> = ["ci-bot", "nightly-evals", "support-sync"]
            .iter()
            .flat_map(|n| account(n))
            .collect();
        expected.insert("all_keys_stale", stale_accounts);
        let admin: HashMap<String, String> = org
            .admin_keys()
            .iter()
            .map(|k| (k.name.clone().unwrap_or_default(), k.id.clone()))
            .collect();
        let invites: BTreeSet<String> = org
            .invites()
            .iter()
            .filter(|i| i.status == "pending" && i.expires_at.is_some_and(|e| e < now))
            .map(|i| i.id.clone())
            .collect();
        (expected, admin, invites)
    });
    let e = |name: &str| expected.get(name).cloned().unwrap_or_default();
    assert_eq!(
        with_reason(&found, "project_key", "never_used"),
        e("pk_never")
    );
    assert_eq!(with_reason(&found, "project_key", "stale"), e("pk_stale"));
    assert!(
        !e("pk_never").is_empty() && !e("pk_stale").is_empty(),
        "the seed has both"
    );
    assert_eq!(
        with_reason(&found, "service_account_key", "stale"),
        e("sk_stale")
    );
    assert_eq!(
        with_reason(&found, "project_key", "owner_left_organization"),
        e("left_org")
    );
    assert_eq!(
        with_reason(&found, "project_key", "owner_left_project"),
        e("left_project")
    );
    assert_eq!(
        with_reason(&found, "service_account", "no_key"),
        e("no_key")
    );
    assert_eq!(
        with_reason(&found, "service_account", "all_keys_stale"),
        e("all_keys_stale")
    );
    assert_eq!(
        e("all_keys_stale").len(),
        7,
        "every seeded account but the two made for hygiene"
    );

    // Admin keys, by name: what the seed made each one for.
    let admin_ids = |names: &[&str]| {
        names
            .iter()
            .map(|n| admin[*n].clone())
            .collect::<BTreeSet<_>>()
    };
    assert_eq!(
        with_reason(&found, "admin_key", "old"),
        admin_ids(&["Terraform", "SIEM export"])
    );
    assert_eq!(
        with_reason(&found, "admin_key", "stale"),
        admin_ids(&["Terraform"])
    );
    assert_eq!(
        with_reason(&found, "admin_key", "never_used"),
        admin_ids(&["Ops laptop"])
    );
    assert_eq!(
        with_reason(&found, "admin_key", "no_expiry"),
        admin_ids(&["Gatehouse portal", "Terraform"])
    );
    let portal = found
        .iter()
        .find(|f| f["id"] == admin["Gatehouse portal"])
        .expect("the portal's key");
    assert_eq!(portal["portal_key"], true);
    assert_eq!(portal["deletable"], false);
    assert!(
        found.iter().all(|f| f["id"] != admin["Key rotation"]),
        "a key in use with an expiry is fine"
    );

    assert_eq!(invites.len(), 3);
    assert_eq!(with_reason(&found, "invite", "expired"), invites);

    // A longer window finds fewer stale keys, and the window is checked.
    let lenient = findings(&report(&harness, &cookie, 3_000).await);
    assert!(with_reason(&lenient, "project_key", "stale").is_empty());
    assert_eq!(
        with_reason(&lenient, "project_key", "never_used"),
        e("pk_never")
    );
    harness
        .get("/api/hygiene?days=0", &cookie)
        .await
        .assert_error(StatusCode::BAD_REQUEST, None);
    harness
        .get("/api/hygiene?days=90&all=1", &cookie)
        .await
        .assert_error(StatusCode::BAD_REQUEST, None);
}

fn finding<'a>(found: &'a [Value], kind: &str, reason: &str) -> &'a Value {
    found
        .iter()
        .find(|f| {
            f["kind"] == kind
                && f["reasons"]
                    .as_array()
                    .expect("reasons")
                    .contains(&json!(reason))
        })
        .unwrap_or_else(|| panic!("a {kind} finding for {reason}"))
}

fn delete_body(f: &Value, days: i64) -> String {
    json!({
        "kind": f["kind"],
        "id": f["id"],
        "project_id": f["project"]["id"],
        "version": f["version"],
        "days": days,
    })
    .to_string()
}

#[tokio::test]
async fn a_finding_is_deleted_only_as_the_report_showed_it() {
    let harness = Harness::new().await;
    let (cookie, csrf) = harness.owner().await;
    let found = findings(&report(&harness, &cookie, 90).await);
    let delete = |body: String| {
        let (cookie, csrf) = (cookie.clone(), csrf.clone());
        let harness = &harness;
        async move {
            harness
                .send(
                    "POST",
                    "/api/hygiene/delete",
                    Some(&cookie),
                    Some(&csrf),
                    Some(&body),
                )
                .await
        }
    };

    // A departed owner's key: deleted upstream, journaled as the owner's write.
    let key = finding(&found, "project_key", "owner_left_organization");
    let answer = delete(delete_body(key, 90)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.json()["deleted"], true);
    let key_id = key["id"].as_str().expect("id");
    assert!(harness.sandbox.read(|org| {
        org.projects()
            .iter()
            .all(|p| p.api_keys.iter().all(|k| k.id != key_id))
    }));
    let rows = harness.journal_rows(2).await;
    assert!(
        rows.iter()
            .any(|r| r.path.ends_with(key_id) && r.username == "olive" && r.status == Some(200))
    );
    // Asked again, it is no longer a finding: skipped, nothing sent.
    let again = delete(delete_body(key, 90)).await;
    again.assert_error(StatusCode::CONFLICT, Some("changed_since_report"));

    // A service account that got a key after the report: skipped, not deleted.
    let account = finding(&found, "service_account", "no_key");
    let account_id = account["id"].as_str().expect("id");
    let project_id = account["project"]["id"].as_str().expect("project");
    let made = harness
        .send(
            "POST",
            &format!(
                "/api/v1/organization/projects/{project_id}/service_accounts/{account_id}/api_keys"
            ),
            Some(&cookie),
            Some(&csrf),
            Some("{}"),
        )
        .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.text);
    let skipped = delete(delete_body(account, 90)).await;
    skipped.assert_error(StatusCode::CONFLICT, Some("changed_since_report"));
    assert!(harness.sandbox.read(|org| {
        org.projects()
            .iter()
            .any(|p| p.service_accounts.iter().any(|a| a.id == account_id))
    }));

    // A stale service account goes with its keys.
    let stale = finding(&found, "service_account", "all_keys_stale");
    let goes_with: Vec<String> = stale["goes_with"]
        .as_array()
        .expect("goes_with")
        .iter()
        .map(|k| k.as_str().expect("id").to_owned())
        .collect();
    assert!(!goes_with.is_empty());
    let answer = delete(delete_body(stale, 90)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert!(harness.sandbox.read(|org| {
        org.projects()
            .iter()
            .all(|p| p.api_keys.iter().all(|k| !goes_with.contains(&k.id)))
    }));

    // A forged version is refused the same way.
    let invite = finding(&found, "invite", "expired");
    let mut forged: Value = serde_json::from_str(&delete_body(invite, 90)).expect("json");
    forged["version"] = json!("0000000000000000");
    delete(forged.to_string())
        .await
        .assert_error(StatusCode::CONFLICT, Some("changed_since_report"));
    let answer = delete(delete_body(invite, 90)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);

    // The portal's own key is never deleted from here, whatever the request says.
    let portal = found
        .iter()
        .find(|f| f["portal_key"] == true)
        .expect("portal key");
    delete(delete_body(portal, 90))
        .await
        .assert_error(StatusCode::CONFLICT, Some("not_deletable"));
    // A service account's key alone cannot go (OpenAI deletes it with its account).
    let account_key = found
        .iter()
        .find(|f| f["kind"] == "service_account_key" && f["owner_id"] != stale["id"])
        .expect("a key of an account still there");
    delete(delete_body(account_key, 90))
        .await
        .assert_error(StatusCode::CONFLICT, Some("not_deletable"));

    // Writes need the CSRF token, like every write.
    let no_csrf = harness
        .send(
            "POST",
            "/api/hygiene/delete",
            Some(&cookie),
            None,
            Some(&delete_body(invite, 90)),
        )
        .await;
    no_csrf.assert_error(StatusCode::FORBIDDEN, Some("csrf_failed"));
}

#[tokio::test]
async fn auditors_read_the_report_and_cannot_delete() {
    let harness = Harness::new().await;
    let (cookie, csrf) = harness.auditor().await;
    let found = findings(&report(&harness, &cookie, 90).await);
    let key = finding(&found, "project_key", "owner_left_project");
    let before = harness.hits();
    let answer = harness
        .send(
            "POST",
            "/api/hygiene/delete",
            Some(&cookie),
            Some(&csrf),
            Some(&delete_body(key, 90)),
        )
        .await;
    answer.assert_error(StatusCode::FORBIDDEN, Some("insufficient_role"));
    assert_eq!(harness.hits(), before, "nothing reached upstream");

    // Signed out, nothing at all.
    let answer = harness.send("GET", "/api/hygiene", None, None, None).await;
    answer.assert_error(StatusCode::UNAUTHORIZED, None);
}

#[tokio::test]
async fn the_csv_has_one_row_per_finding() {
    let harness = Harness::new().await;
    let (cookie, _) = harness.auditor().await;
    let found = findings(&report(&harness, &cookie, 90).await);
    let answer = harness.get("/api/hygiene.csv?days=90", &cookie).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert!(
        answer.headers["content-type"]
            .to_str()
            .expect("type")
            .starts_with("text/csv")
    );
    assert!(
        answer.headers["content-disposition"]
            .to_str()
            .expect("name")
            .contains("key-hygiene-90-days")
    );
    let mut reader = csv::Reader::from_reader(answer.text.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), found.len());
    let ids: BTreeSet<&str> = rows.iter().map(|r| &r[1]).collect();
    assert!(
        found
            .iter()
            .all(|f| ids.contains(f["id"].as_str().expect("id")))
    );
}

/// A report opened and not read holds its turn until its reader goes away.
async fn open_report(harness: &Harness, cookie: &str) -> axum::response::Response {
    use tower::ServiceExt;
    let request = axum::http::Request::get("/api/hygiene?days=90")
        .header("cookie", format!("{}={cookie}", gatehouse::SESSION_COOKIE))
        .body(axum::body::Body::empty())
        .expect("request");
    harness
        .app
        .clone()
        .oneshot(request)
        .await
        .expect("infallible")
}

#[tokio::test]
async fn a_flood_of_reports_is_refused_rather_than_spending_the_rate_limit() {
    let harness = Harness::new().await;
    let (cookie, _) = harness.auditor().await;
    let first = open_report(&harness, &cookie).await;
    let second = open_report(&harness, &cookie).await;
    assert_eq!(
        (first.status(), second.status()),
        (StatusCode::OK, StatusCode::OK)
    );
    let third = harness.get("/api/hygiene?days=90", &cookie).await;
    third.assert_error(StatusCode::TOO_MANY_REQUESTS, Some("reports_busy"));
    assert_eq!(third.headers["retry-after"], "5");
    harness
        .get("/api/hygiene.csv?days=90", &cookie)
        .await
        .assert_error(StatusCode::TOO_MANY_REQUESTS, Some("reports_busy"));
    // The readers leave: their reads stop, and the next report is read whole.
    drop((first, second));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let answer = harness.get("/api/hygiene?days=90", &cookie).await;
        if answer.status == StatusCode::OK {
            assert!(
                answer
                    .text
                    .trim_end()
                    .ends_with(r#"{"type":"complete","read":6,"of":6}"#),
                "{}",
                answer.text
            );
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the turns were never given back"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_token_reads_the_report_but_never_deletes() {
    let harness = Harness::new().await;
    let (cookie, csrf) = harness.owner().await;
    let made = harness
        .send(
            "POST",
            "/api/tokens",
            Some(&cookie),
            Some(&csrf),
            Some(r#"{"name":"hygiene-script","access":"write","expires_in_days":1}"#),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    let token = made.json()["value"]
        .as_str()
        .expect("the token's value")
        .to_owned();
    let bearer = format!("Bearer {token}");
    let read = harness
        .send_with(
            "GET",
            "/api/hygiene?days=90",
            &[("authorization", &bearer)],
            None,
            None,
        )
        .await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text);
    let found = findings(
        &read
            .text
            .lines()
            .map(|l| serde_json::from_str(l).expect("line"))
            .collect::<Vec<_>>(),
    );
    let invite = finding(&found, "invite", "expired");
    let before = harness.hits();
    let refused = harness
        .send_with(
            "POST",
            "/api/hygiene/delete",
            &[("authorization", &bearer)],
            None,
            Some(&delete_body(invite, 90)),
        )
        .await;
    refused.assert_error(StatusCode::FORBIDDEN, Some("token_not_accepted"));
    assert_eq!(harness.hits(), before, "nothing reached upstream");
    let refused = harness
        .send_with(
            "POST",
            "/api/offboardings/off_x/next",
            &[("authorization", &bearer)],
            None,
            Some("{}"),
        )
        .await;
    refused.assert_error(StatusCode::FORBIDDEN, Some("token_not_accepted"));
}
