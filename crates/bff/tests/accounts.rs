//! Portal accounts: `gatehouse user ...` manages them (passwords from stdin, never argv), the
//! portal signs them in, throttles repeated failures and expires sessions.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use axum::http::StatusCode;
use common::{Harness, ORIGIN, gatehouse_cli as gatehouse, sign_in_body};

#[tokio::test]
async fn accounts_added_with_the_cli_sign_in() {
    let harness = Harness::new().await;
    let dir = &harness.data_dir;
    let added = gatehouse(
        dir,
        &["user", "add", "alice", "--role", "auditor"],
        "a long passphrase\n",
    );
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let short = gatehouse(dir, &["user", "add", "bob", "--role", "owner"], "short\n");
    assert!(!short.status.success(), "short passwords are refused");
    let twice = gatehouse(
        dir,
        &["user", "add", "alice", "--role", "owner"],
        "another long one\n",
    );
    assert!(!twice.status.success(), "names are unique");
    let listed = gatehouse(dir, &["user", "list"], "");
    assert_eq!(String::from_utf8_lossy(&listed.stdout), "alice\tauditor\n");

    let answer = harness
        .send(
            "POST",
            "/api/session",
            None,
            None,
            Some(&sign_in_body("alice", "a long passphrase")),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.json()["role"], "auditor");

    let changed = gatehouse(dir, &["user", "passwd", "alice"], "a newer passphrase\n");
    assert!(changed.status.success());
    let old = harness
        .send(
            "POST",
            "/api/session",
            None,
            None,
            Some(&sign_in_body("alice", "a long passphrase")),
        )
        .await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
    let new = harness
        .send(
            "POST",
            "/api/session",
            None,
            None,
            Some(&sign_in_body("alice", "a newer passphrase")),
        )
        .await;
    assert_eq!(new.status, StatusCode::OK);

    // The stored hash is argon2id, never the password.
    let hash: String =
        sqlx::query_scalar("SELECT password_hash FROM accounts WHERE username = 'alice'")
            .fetch_one(&harness.db.pool)
            .await
            .expect("alice's hash");
    assert!(hash.starts_with("$argon2id$") && !hash.contains("passphrase"));

    let removed = gatehouse(dir, &["user", "remove", "alice"], "");
    assert!(removed.status.success());
    let gone = harness
        .send(
            "POST",
            "/api/session",
            None,
            None,
            Some(&sign_in_body("alice", "a newer passphrase")),
        )
        .await;
    assert_eq!(gone.status, StatusCode::UNAUTHORIZED);
    if let Ok(file) = std::fs::read(dir.join("gatehouse.db")) {
        assert!(!String::from_utf8_lossy(&file).contains("a newer passphrase"));
    }
}

#[tokio::test]
async fn repeated_failures_lock_the_account_and_the_address() {
    let harness = Harness::new().await;
    let mallory: SocketAddr = "198.51.100.9:5555".parse().expect("addr");
    let elsewhere: SocketAddr = "203.0.113.4:6666".parse().expect("addr");
    let attempt = |user: &'static str, password: &'static str, from: SocketAddr| {
        let harness = &harness;
        async move {
            harness
                .send_with(
                    "POST",
                    "/api/session",
                    &[],
                    Some(from),
                    Some(&sign_in_body(user, password)),
                )
                .await
        }
    };
    for _ in 0..5 {
        assert_eq!(
            attempt("olive", "wrong", mallory).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    // The account's allowance is looser than an address's (ten failures): five more, each
    // from another address, use it up.
    for i in 0..5 {
        let from: SocketAddr = format!("198.51.100.{}:5555", 20 + i).parse().expect("addr");
        assert_eq!(
            attempt("olive", "wrong", from).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let locked = attempt("olive", "olive-password", elsewhere).await;
    locked.assert_error(StatusCode::TOO_MANY_REQUESTS, Some("too_many_sign_ins"));
    assert_eq!(
        locked.headers["retry-after"], "30",
        "the account is locked even with the right password"
    );

    // The address is locked too, for every name, real or not, with the same answer.
    let real = attempt("audrey", "audrey-password", mallory).await;
    let unknown = attempt("nobody", "whatever", mallory).await;
    real.assert_error(StatusCode::TOO_MANY_REQUESTS, None);
    assert_eq!(
        real.text, unknown.text,
        "a 429 does not tell real names from unknown ones"
    );

    // Unknown names are throttled like real ones.
    for i in 0..10 {
        let from: SocketAddr = format!("198.51.100.{}:5555", 40 + i).parse().expect("addr");
        attempt("ghost", "x", from).await;
    }
    attempt("ghost", "x", "192.0.2.1:1".parse().expect("addr"))
        .await
        .assert_error(StatusCode::TOO_MANY_REQUESTS, None);

    harness.clock.advance(Duration::from_secs(31));
    let released = attempt(
        "olive",
        "olive-password",
        "192.0.2.200:1".parse().expect("addr"),
    )
    .await;
    assert_eq!(
        released.status,
        StatusCode::OK,
        "the lock is released: {}",
        released.text
    );
}

#[tokio::test]
async fn sessions_expire_when_idle_and_after_the_absolute_limit() {
    let harness = Harness::new().await;
    let (cookie, _) = harness.owner().await;
    let me = |cookie: String| {
        let harness = &harness;
        async move { harness.get("/api/session", &cookie).await.status }
    };
    harness.clock.advance(Duration::from_secs(29 * 60));
    assert_eq!(
        me(cookie.clone()).await,
        StatusCode::OK,
        "29 idle minutes are fine"
    );
    harness.clock.advance(Duration::from_secs(31 * 60));
    assert_eq!(
        me(cookie).await,
        StatusCode::UNAUTHORIZED,
        "31 idle minutes end it"
    );

    let (busy, _) = harness.owner().await;
    for _ in 0..(12 * 3 - 1) {
        harness.clock.advance(Duration::from_secs(20 * 60));
        assert_eq!(me(busy.clone()).await, StatusCode::OK);
    }
    harness.clock.advance(Duration::from_secs(20 * 60));
    assert_eq!(
        me(busy).await,
        StatusCode::UNAUTHORIZED,
        "12 hours end even a busy session"
    );
}

#[tokio::test]
async fn writes_from_another_origin_are_refused() {
    let harness = Harness::new().await;
    let (cookie, csrf) = harness.owner().await;
    let id = harness.sandbox.read(|org| org.users()[6].id.clone());
    let uri = format!("/api/v1/organization/users/{id}");
    let cookie_header = format!("{}={cookie}", gatehouse::SESSION_COOKIE);
    let body = Some(r#"{"role":"owner"}"#);
    let evil = harness
        .send_with(
            "POST",
            &uri,
            &[
                ("cookie", &cookie_header),
                ("x-csrf-token", &csrf),
                ("origin", "https://evil.example"),
            ],
            None,
            body,
        )
        .await;
    evil.assert_error(StatusCode::FORBIDDEN, Some("origin_mismatch"));
    let ours = harness
        .send_with(
            "POST",
            &uri,
            &[
                ("cookie", &cookie_header),
                ("x-csrf-token", &csrf),
                ("origin", ORIGIN),
            ],
            None,
            body,
        )
        .await;
    assert_eq!(ours.status, StatusCode::OK, "{}", ours.text);
    let sign_in = harness
        .send_with(
            "POST",
            "/api/session",
            &[("origin", "https://evil.example")],
            None,
            Some(&sign_in_body("olive", "olive-password")),
        )
        .await;
    sign_in.assert_error(StatusCode::FORBIDDEN, Some("origin_mismatch"));
}

#[tokio::test]
async fn a_trusted_proxy_header_signs_people_in_with_mapped_roles() {
    use gatehouse::trusted_header::{RoleMap, TrustedHeader};
    let trusted = TrustedHeader {
        header: "x-forwarded-email".into(),
        roles: RoleMap {
            owner: vec!["alice@acme.example".into()],
            auditor: vec!["@acme.example".into()],
        },
    };
    let mut harness = Harness::around_with(
        common::small_sandbox(common::CANARY_KEY),
        gatehouse::upstream::Policy::default(),
        Some(trusted),
    )
    .await;
    harness.reconfigure(|state| {
        state.trusted_proxies = vec!["10.0.0.0/8".parse().expect("cidr")].into();
    });
    let proxy: SocketAddr = "10.1.2.3:4000".parse().expect("addr");
    let outsider: SocketAddr = "192.0.2.50:4000".parse().expect("addr");
    let me = |email: &'static str, from: SocketAddr| {
        let harness = &harness;
        async move {
            harness
                .send_with(
                    "GET",
                    "/api/session",
                    &[("x-forwarded-email", email)],
                    Some(from),
                    None,
                )
                .await
        }
    };
    let alice = me("alice@acme.example", proxy).await;
    assert_eq!(alice.status, StatusCode::OK, "{}", alice.text);
    assert_eq!(alice.json()["role"], "owner");
    assert_eq!(
        me("bob@acme.example", proxy).await.json()["role"],
        "auditor"
    );
    me("eve@evil.example", proxy)
        .await
        .assert_error(StatusCode::FORBIDDEN, Some("no_role"));
    // The same header from outside the proxy's range is ignored: no session.
    me("alice@acme.example", outsider)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, Some("unauthenticated"));

    // Alice writes through the proxy with her session's CSRF token.
    let csrf = alice.json()["csrf_token"]
        .as_str()
        .expect("csrf")
        .to_owned();
    let id = harness.sandbox.read(|org| org.users()[7].id.clone());
    let write = harness
        .send_with(
            "POST",
            &format!("/api/v1/organization/users/{id}"),
            &[
                ("x-forwarded-email", "alice@acme.example"),
                ("x-csrf-token", &csrf),
            ],
            Some(proxy),
            Some(r#"{"role":"owner"}"#),
        )
        .await;
    assert_eq!(write.status, StatusCode::OK, "{}", write.text);
    let journal = harness
        .journal
        .list(&gatehouse::journal::Filter {
            limit: 1,
            ..Default::default()
        })
        .await
        .expect("journal")
        .0;
    assert_eq!(
        journal[0].username, "alice@acme.example",
        "the journal names the person"
    );
}
