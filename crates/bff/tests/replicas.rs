//! What several replicas on one store share, shown with two replicas in one test process, each
//! with a pool of its own (`Harness::replica`): sessions, sign-in throttling, one journal chain,
//! one archive lease, and the schema's version. Run on SQLite by default and on PostgreSQL when
//! `GATEHOUSE_TEST_POSTGRES` names a server (`scripts/test.sh` runs both).

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use common::{Harness, ORIGIN, sign_in_body};
use gatehouse::db::Engine;
use gatehouse::journal::Journal;
use gatehouse::lease::Lease;
use serde_json::json;

#[tokio::test]
async fn a_session_made_on_one_replica_works_on_the_other_and_after_a_restart() {
    let one = Harness::new().await;
    let (cookie, csrf) = one.owner().await;
    let other = one.replica().await;
    let answer = other.get("/api/session", &cookie).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.json()["csrf_token"], csrf.as_str());

    // A write on the other replica passes its CSRF check with the token the first one issued.
    let created = other
        .send(
            "POST",
            "/api/v1/organization/projects",
            Some(&cookie),
            Some(&csrf),
            Some(r#"{"name":"From the other replica"}"#),
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.text);

    // Only a digest of the cookie's id is stored: a dump of the table grants no session.
    let stored: Vec<String> = sqlx::query_scalar("SELECT key FROM sessions WHERE kind = 'cookie'")
        .fetch_all(&one.db.pool)
        .await
        .expect("sessions");
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0], cookie);
    assert_eq!(stored[0], gatehouse::session::digest(&cookie));
    let forged = other.get("/api/session", &stored[0]).await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED);

    // Signing out on one replica ends the session on both.
    let out = one
        .send("DELETE", "/api/session", Some(&cookie), Some(&csrf), None)
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT, "{}", out.text);
    let after = other.get("/api/session", &cookie).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn expired_sessions_are_swept_from_the_store() {
    let harness = Harness::new().await;
    let (old, _) = harness.owner().await;
    harness.clock.advance(Duration::from_secs(31 * 60));
    let (_fresh, _) = harness.auditor().await;
    let left: Vec<String> = sqlx::query_scalar("SELECT key FROM sessions")
        .fetch_all(&harness.db.pool)
        .await
        .expect("sessions");
    assert_eq!(
        left,
        vec![gatehouse::session::digest(&_fresh)],
        "the idle session is gone"
    );
    assert_eq!(
        harness.get("/api/session", &old).await.status,
        StatusCode::UNAUTHORIZED
    );
}

/// Olive's sign-in with `password`, from `client`, on `replica`.
async fn sign_in_from(replica: &Harness, client: SocketAddr, password: &str) -> common::Answer {
    replica
        .send_with(
            "POST",
            "/api/session",
            &[("origin", ORIGIN)],
            Some(client),
            Some(&sign_in_body("olive", password)),
        )
        .await
}

#[tokio::test]
async fn bad_guesses_spread_over_two_replicas_count_together() {
    let one = Harness::new().await;
    let other = one.replica().await;
    let mallory: SocketAddr = "198.51.100.23:4000".parse().expect("addr");
    // Five failures are free per address: alternate replicas.
    for n in 0..5 {
        let replica = if n % 2 == 0 { &one } else { &other };
        let answer = sign_in_from(replica, mallory, "not-her-password").await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "guess {n}");
    }
    // The fifth locked the address, on both replicas alike: even her real password is refused.
    for replica in [&one, &other] {
        let answer = sign_in_from(replica, mallory, "olive-password").await;
        assert_eq!(
            answer.status,
            StatusCode::TOO_MANY_REQUESTS,
            "{}",
            answer.text
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn appends_from_two_replicas_at_once_keep_one_chain() {
    let one = Harness::new().await;
    let other = one.replica().await;
    let journals = [one.journal.clone(), other.journal.clone()];
    let mut tasks = Vec::new();
    for n in 0..50 {
        let journal: Arc<Journal> = journals[n % 2].clone();
        tasks.push(tokio::spawn(async move {
            journal
                .record_system("POST", "/test/append", &json!({ "n": n }))
                .await
        }));
    }
    for task in tasks {
        task.await.expect("task").expect("append");
    }
    // Both replicas see the same 50 rows, chained one after another.
    assert_eq!(one.journal.verify().await.expect("verify"), Ok(50));
    assert_eq!(other.journal.verify().await.expect("verify"), Ok(50));
    let mut bodies: Vec<i64> = one
        .journal_rows(100)
        .await
        .iter()
        .map(|row| {
            let body: serde_json::Value =
                serde_json::from_str(row.body.as_deref().expect("body")).expect("json");
            body["n"].as_i64().expect("n")
        })
        .collect();
    bodies.sort_unstable();
    assert_eq!(bodies, (0..50).collect::<Vec<_>>(), "each append once");
}

#[tokio::test]
async fn one_replica_holds_the_archive_lease_until_it_runs_out_or_is_given_up() {
    let one = Harness::new().await;
    let other = one.replica().await;
    let first = Lease::new(one.db.clone(), "test_lease");
    let second = Lease::new(other.db.clone(), "test_lease");
    assert!(first.try_hold().await.expect("take"));
    assert!(!second.try_hold().await.expect("refused"), "one holder");
    assert!(first.try_hold().await.expect("renew"), "the holder renews");

    // The holder dies: its lease runs out, and the other takes it over.
    sqlx::query("UPDATE leases SET expires_ms = expires_ms - $1 WHERE name = 'test_lease'")
        .bind(i64::try_from(gatehouse::lease::TTL.as_millis()).expect("ms") + 1)
        .execute(&one.db.pool)
        .await
        .expect("age the lease");
    assert!(second.try_hold().await.expect("take over"));
    assert!(
        !first.try_hold().await.expect("refused"),
        "the old holder is out"
    );

    // A clean stop gives it up at once.
    second.release().await.expect("release");
    assert!(first.try_hold().await.expect("take again"));
    assert!(
        gatehouse::lease::RENEW_EVERY + gatehouse::lease::TTL <= Duration::from_secs(60),
        "another replica takes over within a minute of a holder's death"
    );
}

#[tokio::test]
async fn an_older_gatehouse_refuses_a_schema_a_newer_one_migrated() {
    let harness = Harness::new().await;
    let newer = gatehouse::db::schema_version() + 1;
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         VALUES ($1, 'from a newer gatehouse', TRUE, $2, 1)",
    )
    .bind(newer)
    .bind(vec![0_u8; 48])
    .execute(&harness.db.pool)
    .await
    .expect("a newer migration");
    let refused = harness.db.reopen().await.expect_err("refused");
    let message = format!("{refused:#}");
    assert!(
        message.contains(&format!(
            "schema is version {newer}, newer than this Gatehouse"
        )),
        "{message}"
    );
}

#[tokio::test]
async fn migrate_copies_a_deployment_into_an_empty_store_and_refuses_a_full_one() {
    // The source is always the embedded file, as in a move to PostgreSQL.
    let source_dir = common::tempdir();
    let source = gatehouse::db::Db::open(&source_dir).await.expect("source");
    let from = format!("sqlite://{}", source_dir.join("gatehouse.db").display());
    gatehouse::accounts::add(
        &source,
        "olive",
        "olive-password-long",
        gatehouse::session::Role::Owner,
    )
    .await
    .expect("account");
    let journal = Journal::new(source.clone());
    for n in 0..7 {
        journal
            .record_system("POST", "/test/migrate", &json!({ "n": n }))
            .await
            .expect("append");
    }
    let harness = Harness::new().await;
    harness.archive.sync_once().await.expect("sync");
    let archived: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events")
        .fetch_one(&harness.db.pool)
        .await
        .expect("count");
    assert!(archived > 0);

    // The target: an empty store on this run's engine.
    let tokens = |db: &gatehouse::db::Db| {
        gatehouse::tokens::Tokens::new(db.clone(), harness.clock.clone(), 10)
    };
    let (_, script_token) = tokens(&source)
        .create(&gatehouse::tokens::NewToken {
            username: "olive".into(),
            source: gatehouse::tokens::Source::Account,
            role: gatehouse::session::Role::Owner,
            name: "nightly".into(),
            access: gatehouse::tokens::Access::Write,
            lifetime: gatehouse::tokens::DEFAULT_LIFETIME,
            allowed_from: Vec::new(),
        })
        .await
        .expect("a token");
    let target_dir = common::tempdir();
    let to = match harness.db.engine {
        Engine::Sqlite => format!("sqlite://{}", target_dir.join("gatehouse.db").display()),
        Engine::Postgres => {
            let server = std::env::var(common::POSTGRES_ENV).expect("server");
            common::fresh_postgres_database(&server).await
        }
    };
    let run = |from: &str, to: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_gatehouse"))
            .args(["migrate", "--from", from, "--to", to])
            .output()
            .expect("run gatehouse migrate")
    };
    let copied = run(&from, &to);
    let said = String::from_utf8_lossy(&copied.stdout).into_owned()
        + &String::from_utf8_lossy(&copied.stderr);
    assert!(copied.status.success(), "{said}");
    assert!(
        said.contains("Copied 1 accounts, 7 journal rows (hash chain verified"),
        "{said}"
    );
    let target = gatehouse::db::Db::connect(&to).await.expect("target");
    assert_eq!(
        Journal::new(target.clone()).verify().await.expect("verify"),
        Ok(7)
    );
    let signed_in = gatehouse::accounts::Accounts::default()
        .and_database(target.clone())
        .verify("olive", "olive-password-long")
        .await
        .expect("verify");
    assert!(signed_in.is_some(), "the copied account signs in");
    let found = tokens(&target)
        .authenticate(&script_token)
        .await
        .expect("authenticate");
    assert!(found.is_ok(), "the copied token still works: {found:?}");
    assert!(said.contains("and 1 tokens"), "{said}");

    // Again onto the now full target: refused, and nothing changes.
    let again = run(&from, &to);
    let said = String::from_utf8_lossy(&again.stderr).into_owned();
    assert!(!again.status.success());
    assert!(said.contains("never overwrites"), "{said}");
    assert_eq!(Journal::new(target).verify().await.expect("verify"), Ok(7));

    // The archive copies too, search text and all.
    let archive_from = match harness.db.engine {
        Engine::Sqlite => format!(
            "sqlite://{}",
            harness.data_dir.join("gatehouse.db").display()
        ),
        Engine::Postgres => std::fs::read_to_string(harness.data_dir.join("database-url"))
            .expect("the harness's database"),
    };
    let archive_to = format!("sqlite://{}", common::tempdir().join("copy.db").display());
    let copied = run(&archive_from, &archive_to);
    assert!(
        copied.status.success(),
        "{}",
        String::from_utf8_lossy(&copied.stderr)
    );
    let copy = gatehouse::db::Db::connect(&archive_to).await.expect("copy");
    let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events")
        .fetch_one(&copy.pool)
        .await
        .expect("count");
    assert_eq!(events, archived);
    let searchable: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events_fts")
        .fetch_one(&copy.pool)
        .await
        .expect("count");
    assert_eq!(searchable, archived);
}
