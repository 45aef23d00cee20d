//! Tokens for scripts: every rule of `/api/tokens` and of `Authorization: Bearer ghtk_…`, as
//! a script or an attacker would meet them.

mod common;

use std::time::Duration;

use axum::http::StatusCode;
use common::{Answer, Harness, addr};
use serde_json::{Value, json};

/// Makes a token on the Tokens route as the person of `cookie`; its answer.
async fn make(harness: &Harness, cookie: &str, csrf: &str, body: &Value) -> Answer {
    harness
        .send(
            "POST",
            "/api/tokens",
            Some(cookie),
            Some(csrf),
            Some(&body.to_string()),
        )
        .await
}

/// The owner's token with `access` (and more of `extra`): its id and value.
async fn token(harness: &Harness, access: &str, extra: Value) -> (String, String) {
    let (cookie, csrf) = harness.owner().await;
    let mut body = json!({ "name": format!("script-{}", fastrand::u32(..)), "access": access });
    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        body.extend(extra.clone());
    }
    let answer = make(harness, &cookie, &csrf, &body).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    let created = answer.json();
    (
        created["token"]["id"].as_str().expect("id").to_owned(),
        created["value"].as_str().expect("value").to_owned(),
    )
}

/// A request with the token `value` (and extra headers), from `client` if given.
async fn with_token(
    harness: &Harness,
    method: &str,
    uri: &str,
    value: &str,
    extra: &[(&str, &str)],
    body: Option<&str>,
) -> Answer {
    let bearer = format!("Bearer {value}");
    let mut headers = vec![("authorization", bearer.as_str())];
    headers.extend_from_slice(extra);
    harness
        .send_with(method, uri, &headers, Some(addr("203.0.113.9:5000")), body)
        .await
}

/// The tokens the owner's list shows.
async fn listed(harness: &Harness) -> Vec<Value> {
    let (cookie, _) = harness.owner().await;
    let answer = harness.get("/api/tokens", &cookie).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    answer.json()["data"].as_array().expect("data").clone()
}

#[tokio::test]
async fn a_token_is_shown_once_stored_as_a_hash_and_reads_with_its_calls_counted() {
    let harness = Harness::new().await;
    let (id, value) = token(&harness, "read", json!({})).await;
    assert!(value.starts_with("ghtk_") && value.len() == 48, "{value}");
    let list = listed(&harness).await;
    let text = serde_json::to_string(&list).expect("json");
    assert!(!text.contains(&value), "a list never shows the value");
    let stored: Vec<String> = sqlx::query_scalar("SELECT hash FROM api_tokens")
        .fetch_all(&harness.db.pool)
        .await
        .expect("hashes");
    assert_eq!(stored, [gatehouse::session::digest(&value)]);

    let answer = with_token(
        &harness,
        "GET",
        "/api/v1/organization/users?limit=2",
        &value,
        &[],
        None,
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.json()["data"].as_array().map(Vec::len), Some(2));
    // The SDKs' own headers and their array encoding pass.
    let sdk_headers = [
        ("x-stainless-lang", "js"),
        ("x-stainless-retry-count", "0"),
        ("openai-organization", "org-123"),
        ("openai-project", "proj_abc"),
        ("user-agent", "OpenAI/JS 7.59.0"),
    ];
    let answer = with_token(
        &harness,
        "GET",
        "/api/v1/organization/users?emails%5B%5D=nobody%40example.com",
        &value,
        &sdk_headers,
        None,
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    // An unknown parameter is still refused by name.
    let answer = with_token(
        &harness,
        "GET",
        "/api/v1/organization/users?colour=red",
        &value,
        &[],
        None,
    )
    .await;
    answer.assert_error(StatusCode::BAD_REQUEST, None);
    assert!(answer.text.contains("colour"), "{}", answer.text);

    let list = listed(&harness).await;
    let mine = list.iter().find(|t| t["id"] == id).expect("listed");
    assert_eq!(mine["calls"], 3, "{mine}");
    assert_eq!(mine["last_used_from"], "203.0.113.9");
    assert_eq!(mine["status"], "active");
    assert_eq!(mine["access"], "read");
}

#[tokio::test]
async fn a_token_is_refused_on_the_portals_session_account_and_token_routes() {
    let harness = Harness::new().await;
    let (_, value) = token(&harness, "write", json!({})).await;
    let before = listed(&harness).await.len();
    let mint = json!({ "name": "minted", "access": "write" }).to_string();
    for (method, uri, body) in [
        ("GET", "/api/tokens", None),
        ("POST", "/api/tokens", Some(mint.as_str())),
        ("GET", "/api/session", None),
        ("DELETE", "/api/session", None),
        ("GET", "/api/journal", None),
        ("GET", "/api/admin_key_in_use", None),
    ] {
        let answer = with_token(&harness, method, uri, &value, &[], body).await;
        answer.assert_error(StatusCode::FORBIDDEN, Some("token_not_accepted"));
    }
    // Not even beside a live session and its CSRF token.
    let (cookie, csrf) = harness.owner().await;
    let cookie = format!("{}={cookie}", gatehouse::SESSION_COOKIE);
    let bearer = format!("Bearer {value}");
    let headers = [
        ("cookie", cookie.as_str()),
        ("x-csrf-token", csrf.as_str()),
        ("authorization", bearer.as_str()),
    ];
    let answer = harness
        .send_with("POST", "/api/tokens", &headers, None, Some(&mint))
        .await;
    answer.assert_error(StatusCode::FORBIDDEN, Some("token_not_accepted"));
    assert_eq!(listed(&harness).await.len(), before, "no token was minted");
}

#[tokio::test]
async fn a_cookie_and_a_token_together_are_refused_before_upstream() {
    let harness = Harness::new().await;
    let (_, value) = token(&harness, "write", json!({})).await;
    let (cookie, csrf) = harness.owner().await;
    let cookie = format!("{}={cookie}", gatehouse::SESSION_COOKIE);
    let hits = harness.hits();
    let answer = with_token(
        &harness,
        "POST",
        "/api/v1/organization/projects",
        &value,
        &[("cookie", cookie.as_str()), ("x-csrf-token", csrf.as_str())],
        Some(r#"{"name":"Both"}"#),
    )
    .await;
    answer.assert_error(StatusCode::BAD_REQUEST, Some("ambiguous_credentials"));
    assert_eq!(harness.hits(), hits);
}

#[tokio::test]
async fn access_levels_read_tokens_never_write_and_nobody_makes_a_token_above_their_role() {
    let harness = Harness::new().await;
    let (_, read) = token(&harness, "read", json!({})).await;
    let hits = harness.hits();
    let answer = with_token(
        &harness,
        "POST",
        "/api/v1/organization/projects",
        &read,
        &[],
        Some(r#"{"name":"Nope"}"#),
    )
    .await;
    answer.assert_error(StatusCode::FORBIDDEN, Some("token_read_only"));
    assert_eq!(
        harness.hits(),
        hits,
        "a refused write never reaches upstream"
    );

    let (cookie, csrf) = harness.auditor().await;
    let answer = make(
        &harness,
        &cookie,
        &csrf,
        &json!({"name": "mine", "access": "write"}),
    )
    .await;
    answer.assert_error(StatusCode::BAD_REQUEST, Some("access_above_role"));
    let answer = make(
        &harness,
        &cookie,
        &csrf,
        &json!({"name": "mine", "access": "read"}),
    )
    .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    // Without the CSRF token, nothing is made.
    let answer = harness
        .send(
            "POST",
            "/api/tokens",
            Some(&cookie),
            None,
            Some(r#"{"name":"x","access":"read"}"#),
        )
        .await;
    answer.assert_error(StatusCode::FORBIDDEN, Some("csrf_failed"));
    // An auditor sees only their own tokens; the owner sees everyone's.
    let mine = harness.get("/api/tokens", &cookie).await.json()["data"].clone();
    assert_eq!(mine.as_array().map(Vec::len), Some(1), "{mine}");
    assert_eq!(mine[0]["username"], "audrey");
    assert_eq!(listed(&harness).await.len(), 2);
    // Bad input is named and loses nothing.
    let (cookie, csrf) = harness.owner().await;
    for (body, param) in [
        (json!({"name": "", "access": "read"}), "name"),
        (
            json!({"name": "x", "access": "read", "expires_in_days": 366}),
            "expires_in_days",
        ),
        (
            json!({"name": "x", "access": "read", "allowed_from": ["office"]}),
            "allowed_from",
        ),
        (
            json!({"name": "x", "access": "read", "colour": "red"}),
            "colour",
        ),
    ] {
        let answer = make(&harness, &cookie, &csrf, &body).await;
        answer.assert_error(StatusCode::BAD_REQUEST, None);
        assert_eq!(answer.json()["error"]["param"], param, "{}", answer.text);
    }
}

#[tokio::test]
async fn an_admin_key_is_never_made_with_a_token() {
    let harness = Harness::new().await;
    let (_, value) = token(&harness, "write", json!({})).await;
    let hits = harness.hits();
    let answer = with_token(
        &harness,
        "POST",
        "/api/v1/organization/admin_api_keys",
        &value,
        &[],
        Some(r#"{"name":"escalate"}"#),
    )
    .await;
    answer.assert_error(StatusCode::FORBIDDEN, Some("token_cannot_make_admin_keys"));
    assert_eq!(harness.hits(), hits);
}

#[tokio::test]
async fn wrong_expired_and_revoked_tokens_say_which_and_never_echo_the_token() {
    let harness = Harness::new().await;
    let (id, value) = token(&harness, "read", json!({ "expires_in_days": 1 })).await;
    let users = "/api/v1/organization/users";
    let wrong = format!("ghtk_{}", "A".repeat(43));
    let answer = with_token(&harness, "GET", users, &wrong, &[], None).await;
    answer.assert_error(StatusCode::UNAUTHORIZED, Some("invalid_token"));
    assert!(!answer.text.contains(&wrong));
    let answer = with_token(&harness, "GET", users, "sk-admin-not-ours", &[], None).await;
    answer.assert_error(StatusCode::UNAUTHORIZED, Some("invalid_token"));
    assert!(!answer.text.contains("sk-admin-not-ours"));
    let answer = harness.send_with("GET", users, &[], None, None).await;
    answer.assert_error(StatusCode::UNAUTHORIZED, Some("unauthenticated"));

    harness.clock.advance(Duration::from_secs(24 * 3600 + 1));
    let answer = with_token(&harness, "GET", users, &value, &[], None).await;
    answer.assert_error(StatusCode::UNAUTHORIZED, Some("token_expired"));
    assert!(!answer.text.contains(&value));

    let (_, live) = token(&harness, "read", json!({})).await;
    let answer = with_token(&harness, "GET", users, &live, &[], None).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    // Revoked on another replica: refused here from the next request.
    let other = harness.replica().await;
    let (cookie, csrf) = other.owner().await;
    let live_id = listed(&harness)
        .await
        .into_iter()
        .find(|t| t["id"] != id)
        .and_then(|t| t["id"].as_str().map(str::to_owned))
        .expect("the live token");
    let uri = format!("/api/tokens/{live_id}");
    let answer = other
        .send("DELETE", &uri, Some(&cookie), Some(&csrf), None)
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.json()["status"], "revoked");
    assert_eq!(answer.json()["revoked_by"], "olive");
    let answer = with_token(&harness, "GET", users, &live, &[], None).await;
    answer.assert_error(StatusCode::UNAUTHORIZED, Some("token_revoked"));
    // Revoking again changes nothing and is answered alike.
    let again = other
        .send("DELETE", &uri, Some(&cookie), Some(&csrf), None)
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text);
    // An auditor may not revoke the owner's token, and does not learn it exists.
    let (cookie, csrf) = harness.auditor().await;
    let (owners, _) = token(&harness, "read", json!({})).await;
    let answer = harness
        .send(
            "DELETE",
            &format!("/api/tokens/{owners}"),
            Some(&cookie),
            Some(&csrf),
            None,
        )
        .await;
    answer.assert_error(StatusCode::NOT_FOUND, Some("token_not_found"));
}

#[tokio::test]
async fn a_token_with_address_ranges_works_only_from_them() {
    let harness = Harness::new().await;
    let (_, value) = token(
        &harness,
        "read",
        json!({ "allowed_from": ["10.0.0.0/8", "2001:db8::/32"] }),
    )
    .await;
    let bearer = format!("Bearer {value}");
    let headers = [("authorization", bearer.as_str())];
    let users = "/api/v1/organization/users";
    let inside = harness
        .send_with("GET", users, &headers, Some(addr("10.9.8.7:1234")), None)
        .await;
    assert_eq!(inside.status, StatusCode::OK, "{}", inside.text);
    let outside = harness
        .send_with("GET", users, &headers, Some(addr("192.0.2.50:1234")), None)
        .await;
    outside.assert_error(StatusCode::FORBIDDEN, Some("token_address_refused"));
    assert!(outside.text.contains("192.0.2.50"), "{}", outside.text);
}

#[tokio::test]
async fn a_write_token_writes_and_the_journal_names_the_person_and_the_token() {
    let harness = Harness::new().await;
    let (cookie, csrf) = harness.owner().await;
    let answer = make(
        &harness,
        &cookie,
        &csrf,
        &json!({"name": "ci-onboarding", "access": "write"}),
    )
    .await;
    let value = answer.json()["value"].as_str().expect("value").to_owned();
    let answer = with_token(
        &harness,
        "POST",
        "/api/v1/organization/projects",
        &value,
        &[],
        Some(r#"{"name":"By script"}"#),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let project = answer.json()["id"].as_str().expect("id").to_owned();
    let journal = harness.get("/api/journal?limit=10", &cookie).await.json();
    let rows = journal["data"].as_array().expect("rows");
    let result = rows
        .iter()
        .find(|r| r["phase"] == "result" && r["object_id"] == project.as_str())
        .expect("the write's result row");
    assert_eq!(result["username"], "olive");
    assert_eq!(result["token_name"], "ci-onboarding");
    assert!(
        result["token_id"]
            .as_str()
            .is_some_and(|id| id.starts_with("tok_"))
    );
    let made = rows
        .iter()
        .find(|r| r["path"] == "/api/tokens")
        .expect("the token's making is journaled");
    assert!(
        !made.to_string().contains(&value),
        "the journal never holds the value"
    );
    let verified = harness.journal.verify().await.expect("verify");
    assert!(verified.is_ok(), "{verified:?}");
}

#[tokio::test]
async fn a_retried_write_is_answered_from_its_first_attempt_and_made_once() {
    let harness = Harness::new().await;
    let (_, value) = token(&harness, "write", json!({})).await;
    let body = r#"{"name":"Retried once"}"#;
    let projects = "/api/v1/organization/projects";
    let first = with_token(
        &harness,
        "POST",
        projects,
        &value,
        &[("x-stainless-retry-count", "0")],
        Some(body),
    )
    .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    let hits = harness.hits();
    // The SDK lost the answer and retries.
    let retry = with_token(
        &harness,
        "POST",
        projects,
        &value,
        &[("x-stainless-retry-count", "1")],
        Some(body),
    )
    .await;
    assert_eq!(retry.status, StatusCode::OK, "{}", retry.text);
    assert_eq!(retry.json(), first.json(), "the first attempt's answer");
    assert_eq!(retry.headers["x-gatehouse-replayed"], "true");
    assert_eq!(harness.hits(), hits, "the retry never reached upstream");
    // A new attempt of the same change is a new change: people may mean it.
    let again = with_token(
        &harness,
        "POST",
        projects,
        &value,
        &[("x-stainless-retry-count", "0")],
        Some(body),
    )
    .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text);
    assert_ne!(again.json()["id"], first.json()["id"]);
    // An Idempotency-Key holds across every attempt, and only for the same request.
    let key = [("idempotency-key", "rotate-2026-12-02")];
    let one = with_token(
        &harness,
        "POST",
        projects,
        &value,
        &key,
        Some(r#"{"name":"Keyed"}"#),
    )
    .await;
    let two = with_token(
        &harness,
        "POST",
        projects,
        &value,
        &key,
        Some(r#"{"name":"Keyed"}"#),
    )
    .await;
    assert_eq!(one.json()["id"], two.json()["id"]);
    let other = with_token(
        &harness,
        "POST",
        projects,
        &value,
        &key,
        Some(r#"{"name":"Other"}"#),
    )
    .await;
    other.assert_error(StatusCode::BAD_REQUEST, Some("idempotency_key_reused"));
    let listed = with_token(
        &harness,
        "GET",
        "/api/v1/organization/projects?limit=100",
        &value,
        &[],
        None,
    )
    .await;
    let names: Vec<Value> = listed.json()["data"]
        .as_array()
        .expect("projects")
        .iter()
        .map(|p| p["name"].clone())
        .collect();
    assert_eq!(names.iter().filter(|n| *n == "Retried once").count(), 2);
    assert_eq!(names.iter().filter(|n| *n == "Keyed").count(), 1);
}

#[tokio::test]
async fn a_replayed_secret_is_the_same_and_is_stored_only_sealed() {
    let harness = Harness::new().await;
    let (_, value) = token(&harness, "write", json!({})).await;
    let projects = with_token(
        &harness,
        "GET",
        "/api/v1/organization/projects?limit=1",
        &value,
        &[],
        None,
    )
    .await;
    let project = projects.json()["data"][0]["id"]
        .as_str()
        .expect("a project")
        .to_owned();
    let uri = format!("/api/v1/organization/projects/{project}/service_accounts");
    let body = r#"{"name":"deploy-bot"}"#;
    let first = with_token(&harness, "POST", &uri, &value, &[], Some(body)).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    let secret = first.json()["api_key"]["value"]
        .as_str()
        .expect("the one-time key")
        .to_owned();
    let retry = with_token(
        &harness,
        "POST",
        &uri,
        &value,
        &[("x-stainless-retry-count", "2")],
        Some(body),
    )
    .await;
    assert_eq!(retry.json()["api_key"]["value"], secret.as_str());
    let sealed: Vec<Option<String>> = sqlx::query_scalar("SELECT sealed FROM token_replays")
        .fetch_all(&harness.db.pool)
        .await
        .expect("replays");
    assert!(!sealed.is_empty());
    for row in sealed.iter().flatten() {
        assert!(!row.contains(&secret) && !row.contains("sk-"), "{row}");
    }
}

#[tokio::test]
async fn a_token_over_its_rate_is_told_to_wait() {
    let harness = Harness::new().await;
    let (_, value) = token(&harness, "read", json!({})).await;
    let mut state = harness.state.clone();
    state.tokens = std::sync::Arc::new(gatehouse::tokens::Tokens::new(
        harness.db.clone(),
        harness.clock.clone(),
        1,
    ));
    let app = gatehouse::app(state);
    let mut statuses = Vec::new();
    let mut limited = None;
    // Three calls at a rate of one a second cannot all fit unless they span three seconds.
    for _ in 0..3 {
        let request = axum::http::Request::get("/api/v1/organization/users?limit=1")
            .header("authorization", format!("Bearer {value}"))
            .body(axum::body::Body::empty())
            .expect("request");
        let response = tower::ServiceExt::oneshot(app.clone(), request)
            .await
            .expect("answer");
        statuses.push(response.status());
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(response.headers().clone());
        }
    }
    let headers = limited.unwrap_or_else(|| panic!("no call was limited: {statuses:?}"));
    assert_eq!(statuses[0], StatusCode::OK);
    assert_eq!(headers["retry-after"], "1");
}

#[tokio::test]
async fn many_wrong_tokens_lock_the_address_like_failed_sign_ins() {
    let harness = Harness::new().await;
    let (_, value) = token(&harness, "read", json!({})).await;
    let users = "/api/v1/organization/users";
    for i in 0..5 {
        let wrong = format!("ghtk_{:0>43}", i);
        let answer = with_token(&harness, "GET", users, &wrong, &[], None).await;
        answer.assert_error(StatusCode::UNAUTHORIZED, Some("invalid_token"));
    }
    let answer = with_token(&harness, "GET", users, &value, &[], None).await;
    answer.assert_error(StatusCode::TOO_MANY_REQUESTS, Some("too_many_sign_ins"));
    assert!(answer.headers.contains_key("retry-after"));
    // Sign-in from that address is locked too; another address is not.
    let body = common::sign_in_body("olive", "olive-password");
    let locked = harness
        .send_with(
            "POST",
            "/api/session",
            &[],
            Some(addr("203.0.113.9:6000")),
            Some(&body),
        )
        .await;
    locked.assert_error(StatusCode::TOO_MANY_REQUESTS, None);
    let elsewhere = harness
        .send_with(
            "GET",
            users,
            &[("authorization", &format!("Bearer {value}"))],
            Some(addr("198.51.100.1:1")),
            None,
        )
        .await;
    assert_eq!(elsewhere.status, StatusCode::OK, "{}", elsewhere.text);
}

#[tokio::test]
async fn removing_an_account_revokes_its_tokens_and_a_lower_role_narrows_them() {
    let harness = Harness::new().await;
    for name in ["dora", "eddie"] {
        gatehouse::accounts::add(
            &harness.db,
            name,
            "a-long-password",
            gatehouse::session::Role::Owner,
        )
        .await
        .expect("account");
    }
    let mut values = Vec::new();
    for name in ["dora", "eddie"] {
        let (cookie, csrf) = harness.sign_in(name, "a-long-password").await;
        let answer = make(
            &harness,
            &cookie,
            &csrf,
            &json!({"name": "nightly", "access": "write"}),
        )
        .await;
        values.push(answer.json()["value"].as_str().expect("value").to_owned());
    }
    gatehouse::accounts::remove(&harness.db, "dora")
        .await
        .expect("remove");
    let users = "/api/v1/organization/users";
    let answer = with_token(&harness, "GET", users, &values[0], &[], None).await;
    answer.assert_error(StatusCode::UNAUTHORIZED, Some("token_revoked"));
    let dora = listed(&harness)
        .await
        .into_iter()
        .find(|t| t["username"] == "dora")
        .expect("listed");
    assert_eq!(dora["status"], "revoked");

    sqlx::query("UPDATE accounts SET role = 'auditor' WHERE username = 'eddie'")
        .execute(&harness.db.pool)
        .await
        .expect("demote");
    let read = with_token(&harness, "GET", users, &values[1], &[], None).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text);
    let hits = harness.hits();
    let write = with_token(
        &harness,
        "POST",
        "/api/v1/organization/projects",
        &values[1],
        &[],
        Some(r#"{"name":"x"}"#),
    )
    .await;
    write.assert_error(StatusCode::FORBIDDEN, Some("insufficient_role"));
    assert_eq!(harness.hits(), hits);
}

#[tokio::test]
async fn the_archive_and_exports_take_a_token() {
    let harness = Harness::new().await;
    let (_, value) = token(&harness, "read", json!({})).await;
    let answer = with_token(&harness, "GET", "/api/archive/status", &value, &[], None).await;
    assert_ne!(answer.status, StatusCode::UNAUTHORIZED, "{}", answer.text);
    assert_ne!(answer.status, StatusCode::FORBIDDEN, "{}", answer.text);
    let answer = with_token(
        &harness,
        "GET",
        "/api/audit_logs/export?format=ndjson",
        &value,
        &[],
        None,
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
}

#[tokio::test]
async fn the_cli_makes_lists_and_revokes_tokens_printing_only_the_token() {
    let harness = Harness::new().await;
    let dir = harness.data_dir.clone();
    let out = common::gatehouse_cli(
        &dir,
        &["user", "add", "ci-bot", "--role", "owner"],
        "a-long-password\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = common::gatehouse_cli(
        &dir,
        &[
            "token",
            "create",
            "--user",
            "ci-bot",
            "--name",
            "nightly",
            "--access",
            "write",
            "--expires",
            "7d",
        ],
        "",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    assert!(
        gatehouse::tokens::looks_like_a_token(stdout.trim_end()),
        "{stdout:?}"
    );
    assert_eq!(stdout.lines().count(), 1, "only the token on stdout");
    let value = stdout.trim_end().to_owned();
    let answer = with_token(
        &harness,
        "GET",
        "/api/v1/organization/users?limit=1",
        &value,
        &[],
        None,
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let out = common::gatehouse_cli(
        &dir,
        &[
            "token", "create", "--user", "nobody", "--name", "x", "--access", "read",
        ],
        "",
    );
    assert!(!out.status.success());
    let out = common::gatehouse_cli(&dir, &["token", "list"], "");
    let list = String::from_utf8(out.stdout).expect("utf-8");
    assert!(list.contains("ci-bot\tnightly\twrite\tactive"), "{list}");
    assert!(!list.contains(&value));
    let id = list.split('\t').next().expect("id").to_owned();
    let out = common::gatehouse_cli(&dir, &["token", "revoke", &id], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answer = with_token(
        &harness,
        "GET",
        "/api/v1/organization/users?limit=1",
        &value,
        &[],
        None,
    )
    .await;
    answer.assert_error(StatusCode::UNAUTHORIZED, Some("token_revoked"));
}

#[tokio::test]
async fn behind_an_sso_proxy_its_own_authorization_header_is_not_taken_for_a_token() {
    let harness = common::sso().await;
    let headers = [
        ("x-forwarded-email", "alice@acme.example"),
        ("authorization", "Bearer the-proxys-own-oidc-token"),
    ];
    let answer = harness
        .send_with(
            "GET",
            "/api/v1/organization/users?limit=1",
            &headers,
            Some(addr(common::PROXY)),
            None,
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    // A person the proxy vouches for makes a token, which a script uses without the proxy.
    let session = harness
        .send_with(
            "GET",
            "/api/session",
            &headers[..1],
            Some(addr(common::PROXY)),
            None,
        )
        .await;
    let csrf = session.json()["csrf_token"]
        .as_str()
        .expect("csrf")
        .to_owned();
    let made = harness
        .send_with(
            "POST",
            "/api/tokens",
            &[headers[0], ("x-csrf-token", &csrf)],
            Some(addr(common::PROXY)),
            Some(r#"{"name":"sso-script","access":"write"}"#),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    assert_eq!(made.json()["token"]["source"], "identity");
    let value = made.json()["value"].as_str().expect("value").to_owned();
    let bearer = format!("Bearer {value}");
    let used = harness
        .send_with(
            "GET",
            "/api/v1/organization/users?limit=1",
            &[("authorization", &bearer)],
            Some(addr(common::OUTSIDER)),
            None,
        )
        .await;
    assert_eq!(used.status, StatusCode::OK, "{}", used.text);
}
