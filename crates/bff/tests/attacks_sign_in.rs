//! Attacks on signing in, each asserting what the attacker sees: forged SSO cookies, a burst of
//! guesses, timing, spoofed client addresses, doubled identity headers, sessions that outlive
//! their account, and the cookie's name over https.

mod common;

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use common::{Answer, Harness, OUTSIDER, PROXY, addr, sign_in_body};

async fn sign_in_from(harness: &Harness, user: &str, password: &str, from: &str) -> Answer {
    harness
        .send_with(
            "POST",
            "/api/session",
            &[],
            Some(addr(from)),
            Some(&sign_in_body(user, password)),
        )
        .await
}

/// The admin keys upstream holds.
fn admin_key_count(harness: &Harness) -> usize {
    harness.sandbox.read(|org| org.admin_keys().len())
}

#[tokio::test]
async fn a_forged_sso_cookie_names_no_session() {
    let harness = common::sso().await;
    // Alice really is signed in through the proxy, so her session exists on the server.
    let alice = harness
        .send_with(
            "GET",
            "/api/session",
            &[("x-forwarded-email", "alice@acme.example")],
            Some(addr(PROXY)),
            None,
        )
        .await;
    assert_eq!(alice.status, StatusCode::OK, "{}", alice.text);
    let csrf = alice.json()["csrf_token"]
        .as_str()
        .expect("csrf")
        .to_owned();

    // An outsider names the session in a cookie, as the review did.
    let forged = format!(
        "{}=header:owner:alice@acme.example",
        gatehouse::SESSION_COOKIE
    );
    let read = harness
        .send_with(
            "GET",
            "/api/session",
            &[("cookie", &forged)],
            Some(addr(OUTSIDER)),
            None,
        )
        .await;
    read.assert_error(StatusCode::UNAUTHORIZED, Some("unauthenticated"));
    assert!(!read.text.contains(&csrf), "the CSRF token leaked");

    let keys_before = admin_key_count(&harness);
    let write = harness
        .send_with(
            "POST",
            "/api/v1/organization/admin_api_keys",
            &[("cookie", &forged), ("x-csrf-token", &csrf)],
            Some(addr(OUTSIDER)),
            Some(r#"{"name":"backdoor"}"#),
        )
        .await;
    write.assert_error(StatusCode::UNAUTHORIZED, Some("unauthenticated"));
    assert_eq!(admin_key_count(&harness), keys_before, "no key was made");
}

#[tokio::test]
async fn thirty_concurrent_guesses_get_at_most_five_password_checks() {
    let harness = Harness::new().await;
    let guesses = (0..30).map(|i| {
        let harness = &harness;
        async move { sign_in_from(harness, "olive", &format!("guess-{i}"), "198.51.100.9:1").await }
    });
    let answers = futures_util::future::join_all(guesses).await;
    let unauthorized = answers
        .iter()
        .filter(|a| a.status == StatusCode::UNAUTHORIZED)
        .count();
    let throttled = answers
        .iter()
        .filter(|a| a.status == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert!(unauthorized <= 5, "{unauthorized} guesses were checked");
    assert_eq!(unauthorized + throttled, 30, "every other answer is a 429");
    for answer in answers
        .iter()
        .filter(|a| a.status != StatusCode::UNAUTHORIZED)
    {
        answer.assert_error(StatusCode::TOO_MANY_REQUESTS, None);
        assert!(answer.headers.get("retry-after").is_some());
    }
}

#[tokio::test]
async fn the_lockout_counts_guesses_however_many_checks_may_run_at_once() {
    let mut harness = Harness::new().await;
    // Room for every guess at once: only the lockout's count can stop them.
    harness.reconfigure(|state| {
        state.sign_in_permits = std::sync::Arc::new(tokio::sync::Semaphore::new(64));
    });
    let guesses = (0..30).map(|i| {
        let harness = &harness;
        async move { sign_in_from(harness, "olive", &format!("guess-{i}"), "198.51.100.9:1").await }
    });
    let answers = futures_util::future::join_all(guesses).await;
    let unauthorized = answers
        .iter()
        .filter(|a| a.status == StatusCode::UNAUTHORIZED)
        .count();
    assert_eq!(unauthorized, 5, "exactly the free allowance was checked");
}

#[tokio::test]
async fn a_flood_of_sign_ins_beyond_the_password_checks_is_refused() {
    let harness = Harness::new().await;
    // Different names from different addresses: no lockout applies, only the bound on
    // password checks running at once.
    let guesses = (0..30).map(|i| {
        let harness = &harness;
        async move {
            sign_in_from(
                harness,
                &format!("user{i}"),
                "guess",
                &format!("198.51.100.{i}:1"),
            )
            .await
        }
    });
    let answers = futures_util::future::join_all(guesses).await;
    let busy: Vec<&Answer> = answers
        .iter()
        .filter(|a| a.status == StatusCode::TOO_MANY_REQUESTS)
        .collect();
    assert!(!busy.is_empty(), "30 argon2 checks at once were all run");
    for answer in busy {
        answer.assert_error(StatusCode::TOO_MANY_REQUESTS, Some("sign_in_busy"));
        assert_eq!(answer.headers["retry-after"], "1");
    }
}

#[tokio::test]
async fn a_huge_user_name_is_refused_before_it_is_counted() {
    let harness = Harness::new().await;
    let name = "a".repeat(300);
    let answer = sign_in_from(&harness, &name, "x", "198.51.100.9:1").await;
    answer.assert_error(StatusCode::BAD_REQUEST, None);
    assert_eq!(answer.json()["error"]["param"], "username");
}

/// The median of some durations.
fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

#[tokio::test]
async fn unknown_names_take_as_long_as_wrong_passwords() {
    // The accounts exactly as `gatehouse serve` builds them for a real organization.
    let dir = common::tempdir();
    let db = gatehouse::db::Db::open(&dir).await.expect("db");
    gatehouse::accounts::add(
        &db,
        "olive",
        "olive-password-long",
        gatehouse::session::Role::Owner,
    )
    .await
    .expect("add");
    let accounts = gatehouse::session::Accounts::default().and_database(db);
    let (mut known, mut unknown) = (Vec::new(), Vec::new());
    for _ in 0..7 {
        let started = Instant::now();
        let found = accounts.verify("olive", "wrong").await.expect("verify");
        known.push(started.elapsed());
        assert!(found.is_none());
        let started = Instant::now();
        let found = accounts.verify("nobody", "wrong").await.expect("verify");
        unknown.push(started.elapsed());
        assert!(found.is_none());
    }
    let (known, unknown) = (median(known), median(unknown));
    let ratio = unknown.as_secs_f64() / known.as_secs_f64();
    println!("median: known name {known:?}, unknown name {unknown:?}, ratio {ratio:.2}");
    assert!(
        (0.5..=2.0).contains(&ratio),
        "an unknown name answers in {unknown:?}, a known one in {known:?}"
    );
}

#[tokio::test]
async fn a_spoofed_forwarded_for_from_outside_the_proxy_range_is_ignored() {
    let harness = common::behind_proxy().await;
    // An outsider rotates X-Forwarded-For to dodge the per-address lock: it is not believed.
    for i in 0..5 {
        let answer = harness
            .send_with(
                "POST",
                "/api/session",
                &[("x-forwarded-for", &format!("203.0.113.{i}"))],
                Some(addr(OUTSIDER)),
                Some(&sign_in_body(&format!("name{i}"), "guess")),
            )
            .await;
        answer.assert_error(StatusCode::UNAUTHORIZED, None);
    }
    let locked = harness
        .send_with(
            "POST",
            "/api/session",
            &[("x-forwarded-for", "203.0.113.99")],
            Some(addr(OUTSIDER)),
            Some(&sign_in_body("olive", "olive-password")),
        )
        .await;
    locked.assert_error(StatusCode::TOO_MANY_REQUESTS, Some("too_many_sign_ins"));
}

#[tokio::test]
async fn one_bad_client_behind_the_proxy_does_not_lock_everyone_out() {
    let harness = common::behind_proxy().await;
    let from_behind_proxy =
        |forwarded: &'static str, user: &'static str, password: &'static str| {
            let harness = &harness;
            async move {
                harness
                    .send_with(
                        "POST",
                        "/api/session",
                        &[("x-forwarded-for", forwarded)],
                        Some(addr(PROXY)),
                        Some(&sign_in_body(user, password)),
                    )
                    .await
            }
        };
    for _ in 0..5 {
        from_behind_proxy("198.51.100.7", "nobody", "guess")
            .await
            .assert_error(StatusCode::UNAUTHORIZED, None);
    }
    from_behind_proxy("198.51.100.7", "olive", "olive-password")
        .await
        .assert_error(StatusCode::TOO_MANY_REQUESTS, Some("too_many_sign_ins"));
    // Another person behind the same proxy signs in; the client spoofs the left of the chain,
    // and the right-most address the proxy did not add is theirs.
    let other = from_behind_proxy("198.51.100.7, 198.51.100.8", "audrey", "audrey-password").await;
    assert_eq!(other.status, StatusCode::OK, "{}", other.text);
    // The proxy seen as IPv4-mapped IPv6 (`--listen [::]:…`) is the same proxy.
    let mapped = harness
        .send_with(
            "POST",
            "/api/session",
            &[("x-forwarded-for", "198.51.100.9")],
            Some(addr("[::ffff:10.1.2.3]:4000")),
            Some(&sign_in_body("olive", "olive-password")),
        )
        .await;
    assert_eq!(mapped.status, StatusCode::OK, "{}", mapped.text);
}

#[tokio::test]
async fn the_journal_names_the_client_behind_the_proxy() {
    let harness = common::behind_proxy().await;
    let write = harness
        .owner_writes_from(
            &[("x-forwarded-for", "192.0.2.1, 198.51.100.9, 10.9.9.9")],
            addr(PROXY),
        )
        .await;
    assert_eq!(write.status, StatusCode::OK, "{}", write.text);
    let rows = harness.journal_rows(2).await;
    assert!(
        rows.iter().all(|r| r.client == "198.51.100.9"),
        "{:?}",
        rows.iter().map(|r| &r.client).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn a_stranger_cannot_keep_an_owner_locked_out_for_long() {
    let harness = Harness::new().await;
    // Five wrong guesses for olive, each from its own address: the per-account allowance is
    // looser than the per-address one, so olive still signs in.
    for i in 0..5 {
        sign_in_from(&harness, "olive", "guess", &format!("203.0.113.{i}:1"))
            .await
            .assert_error(StatusCode::UNAUTHORIZED, None);
    }
    let olive = sign_in_from(&harness, "olive", "olive-password", "192.0.2.200:1").await;
    assert_eq!(olive.status, StatusCode::OK, "{}", olive.text);
    // Many more guesses do lock the account, but never for long.
    for i in 0..40 {
        sign_in_from(&harness, "olive", "guess", &format!("198.51.100.{i}:1")).await;
        harness.clock.advance(Duration::from_secs(1));
    }
    let locked = sign_in_from(&harness, "olive", "olive-password", "192.0.2.201:1").await;
    locked.assert_error(StatusCode::TOO_MANY_REQUESTS, Some("too_many_sign_ins"));
    let wait: u64 = locked.headers["retry-after"]
        .to_str()
        .expect("text")
        .parse()
        .expect("seconds");
    assert!(wait <= 120, "the account is locked for {wait} s");
}

#[tokio::test]
async fn an_identity_header_sent_twice_is_refused() {
    let harness = common::sso().await;
    let answer = harness
        .send_with(
            "GET",
            "/api/session",
            &[
                ("x-forwarded-email", "alice@acme.example"),
                ("x-forwarded-email", "bob@acme.example"),
            ],
            Some(addr(PROXY)),
            None,
        )
        .await;
    answer.assert_error(StatusCode::UNAUTHORIZED, None);
    // A proxy that folds the client's own value into its header with a comma.
    let folded = harness
        .send_with(
            "GET",
            "/api/session",
            &[("x-forwarded-email", "alice@acme.example, eve@acme.example")],
            Some(addr(PROXY)),
            None,
        )
        .await;
    folded.assert_error(StatusCode::UNAUTHORIZED, Some("ambiguous_identity"));
    // One person whatever the case the proxy writes.
    let shouted = harness
        .send_with(
            "GET",
            "/api/session",
            &[("x-forwarded-email", "Alice@ACME.example")],
            Some(addr(PROXY)),
            None,
        )
        .await;
    assert_eq!(shouted.json()["username"], "alice@acme.example");
}

/// Runs `gatehouse ARGS --data-dir DIR` with `stdin`, and fails unless it succeeds.
fn gatehouse(data_dir: &std::path::Path, args: &[&str], stdin: &str) {
    let out = common::gatehouse_cli(data_dir, args, stdin);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Polls `GET /api/session` with `cookie` until it is refused; fails after `within`.
async fn refused_within(harness: &Harness, cookie: &str, within: Duration) {
    let deadline = Instant::now() + within;
    loop {
        let answer = harness.get("/api/session", cookie).await;
        if answer.status == StatusCode::UNAUTHORIZED {
            return;
        }
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        assert!(Instant::now() < deadline, "the session still works");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_removed_account_loses_its_open_sessions() {
    let harness = Harness::new().await;
    let dir = &harness.data_dir;
    gatehouse(
        dir,
        &["user", "add", "rita", "--role", "owner"],
        "rita-password-long\n",
    );
    let (cookie, _) = harness.sign_in("rita", "rita-password-long").await;
    assert_eq!(
        harness.get("/api/session", &cookie).await.status,
        StatusCode::OK
    );
    gatehouse(dir, &["user", "remove", "rita"], "");
    refused_within(&harness, &cookie, Duration::from_secs(5)).await;
}

#[tokio::test]
async fn a_changed_password_ends_the_old_sessions() {
    let harness = Harness::new().await;
    let dir = &harness.data_dir;
    gatehouse(
        dir,
        &["user", "add", "paula", "--role", "auditor"],
        "paula-password-long\n",
    );
    let (cookie, _) = harness.sign_in("paula", "paula-password-long").await;
    gatehouse(dir, &["user", "passwd", "paula"], "paula-password-newer\n");
    refused_within(&harness, &cookie, Duration::from_secs(5)).await;
    // The new password signs in, and that session works.
    let (fresh, _) = harness.sign_in("paula", "paula-password-newer").await;
    assert_eq!(
        harness.get("/api/session", &fresh).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn over_https_the_session_cookie_is_host_prefixed() {
    let mut harness = Harness::new().await;
    harness.reconfigure(|state| state.secure_cookies = true);
    let answer = harness
        .send(
            "POST",
            "/api/session",
            None,
            None,
            Some(&sign_in_body("olive", "olive-password")),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let cookie = answer.set_cookie().expect("cookie");
    assert!(cookie.starts_with("__Host-gatehouse_session="), "{cookie}");
    assert!(cookie.contains("Secure"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
    assert!(!cookie.to_ascii_lowercase().contains("domain"), "{cookie}");
    let pair = cookie.split(';').next().expect("pair");
    let me = harness
        .send_with("GET", "/api/session", &[("cookie", pair)], None, None)
        .await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.text);
    // The unprefixed name, which a sibling subdomain could set, names nothing.
    let value = pair.split_once('=').expect("value").1;
    let unprefixed = format!("gatehouse_session={value}");
    harness
        .send_with(
            "GET",
            "/api/session",
            &[("cookie", &unprefixed)],
            None,
            None,
        )
        .await
        .assert_error(StatusCode::UNAUTHORIZED, Some("unauthenticated"));
}
