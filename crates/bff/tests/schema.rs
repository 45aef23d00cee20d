//! The schema's versions on the embedded file: a data dir written before the schema was
//! versioned is upgraded in place, keeping what it holds. (The refusal of a newer schema is in
//! `replicas.rs`, on both engines.)

mod common;

use gatehouse::journal::Journal;

/// What Gatehouse created before its schema was versioned, as those releases wrote it.
const BEFORE_VERSIONS: &str = "
CREATE TABLE IF NOT EXISTS accounts (
    username      TEXT PRIMARY KEY NOT NULL,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('owner', 'auditor')),
    created_at    INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS journal (
    seq                 INTEGER PRIMARY KEY NOT NULL,
    at                  INTEGER NOT NULL,
    phase               TEXT NOT NULL CHECK (phase IN ('request', 'result')),
    request_id          TEXT NOT NULL,
    username            TEXT NOT NULL,
    role                TEXT NOT NULL,
    client              TEXT NOT NULL,
    method              TEXT NOT NULL,
    path                TEXT NOT NULL,
    body                TEXT,
    status              INTEGER,
    upstream_request_id TEXT,
    object_id           TEXT,
    prev_hash           TEXT NOT NULL,
    hash                TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS journal_by_user ON journal (username, seq);
CREATE INDEX IF NOT EXISTS journal_by_time ON journal (at);
CREATE INDEX IF NOT EXISTS journal_by_request ON journal (request_id);
CREATE INDEX IF NOT EXISTS journal_by_object ON journal (object_id);
CREATE TABLE IF NOT EXISTS portal_keys (
    key_id     TEXT PRIMARY KEY NOT NULL,
    first_seen INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS audit_events (
    id           TEXT PRIMARY KEY NOT NULL,
    seq          INTEGER NOT NULL UNIQUE,
    effective_at INTEGER NOT NULL,
    type         TEXT NOT NULL,
    family       TEXT NOT NULL,
    project_id   TEXT,
    resource_id  TEXT,
    json         TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_events_by_time ON audit_events (effective_at, seq, family);
CREATE INDEX IF NOT EXISTS audit_events_by_type ON audit_events (type, effective_at, seq);
CREATE INDEX IF NOT EXISTS audit_events_by_family ON audit_events (family, effective_at, seq);
CREATE INDEX IF NOT EXISTS audit_events_by_project ON audit_events (project_id, effective_at, seq);
CREATE INDEX IF NOT EXISTS audit_events_by_resource ON audit_events (resource_id, effective_at, seq);
CREATE TABLE IF NOT EXISTS audit_event_actors (
    kind     TEXT NOT NULL CHECK (kind IN ('id', 'email')),
    value    TEXT NOT NULL,
    event_id TEXT NOT NULL,
    PRIMARY KEY (kind, value, event_id)
);
CREATE INDEX IF NOT EXISTS audit_event_actors_by_event ON audit_event_actors (event_id);
CREATE VIRTUAL TABLE IF NOT EXISTS audit_events_fts USING fts5 (text, tokenize = 'unicode61');
CREATE TABLE IF NOT EXISTS audit_attributions (
    event_id    TEXT PRIMARY KEY NOT NULL,
    journal_seq INTEGER NOT NULL,
    username    TEXT NOT NULL,
    role        TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_attributions_by_user ON audit_attributions (username);
CREATE INDEX IF NOT EXISTS audit_attributions_by_write ON audit_attributions (journal_seq);
CREATE TABLE IF NOT EXISTS sync_state (
    id                INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    backfill_cursor   TEXT,
    backfill_complete INTEGER NOT NULL DEFAULT 0,
    backfill_events   INTEGER NOT NULL DEFAULT 0,
    newest_at         INTEGER,
    last_sync         INTEGER
);
INSERT INTO sync_state (id) VALUES (1) ON CONFLICT (id) DO NOTHING;
";

/// A connection to `gatehouse.db` in `dir`, created with the schema from before versions.
async fn old_data_dir(dir: &std::path::Path) -> sqlx::sqlite::SqliteConnection {
    use sqlx::Connection;
    let url = format!("sqlite://{}?mode=rwc", dir.join("gatehouse.db").display());
    let mut old = sqlx::sqlite::SqliteConnection::connect(&url)
        .await
        .expect("old file");
    sqlx::raw_sql(BEFORE_VERSIONS)
        .execute(&mut old)
        .await
        .expect("old schema");
    old
}

#[tokio::test]
async fn a_data_dir_from_before_versioning_is_upgraded_in_place() {
    let dir = common::tempdir();
    {
        let mut old = old_data_dir(&dir).await;
        sqlx::query(
            "INSERT INTO accounts (username, password_hash, role, created_at)
             VALUES ('olive', 'a-hash', 'owner', 1)",
        )
        .execute(&mut old)
        .await
        .expect("an old account");
    }
    let db = gatehouse::db::Db::open(&dir).await.expect("upgraded");
    let versions: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&db.pool)
            .await
            .expect("versions");
    assert_eq!(
        versions,
        (1..=gatehouse::db::schema_version()).collect::<Vec<_>>()
    );
    let kept: String =
        sqlx::query_scalar("SELECT password_hash FROM accounts WHERE username = 'olive'")
            .fetch_one(&db.pool)
            .await
            .expect("the account is kept");
    assert_eq!(kept, "a-hash");
    // The later columns are there: a write's outcome, the archive's cycle times.
    let journal = Journal::new(db.clone());
    journal
        .record_system("POST", "/test/upgrade", &serde_json::json!({}))
        .await
        .expect("append");
    assert_eq!(journal.verify().await.expect("verify"), Ok(1));
    sqlx::query("UPDATE sync_state SET cycle_started = 1, previous_cycle_started = 0")
        .execute(&db.pool)
        .await
        .expect("cycle columns");
    // And opening it again changes nothing.
    drop(db);
    let again = gatehouse::db::Db::open(&dir).await.expect("reopened");
    assert_eq!(Journal::new(again).verify().await.expect("verify"), Ok(1));
}

/// An archive written under the old order (`seq` a counter, ordered after `effective_at`) is
/// renumbered into the one-key order: the same events in the same order, each findable by
/// its words and actors, counted per hour and in all.
#[tokio::test]
async fn an_archive_of_the_old_schema_keeps_its_order_words_actors_and_counts() {
    let dir = common::tempdir();
    {
        let mut old = old_data_dir(&dir).await;
        // Newest first as upstream lists them: two in one second (upstream's order between
        // them is their seq), one an hour earlier.
        let events = [
            (
                "audit_log-c",
                3,
                7_203_600,
                "login.failed",
                "ada@acme.example",
            ),
            (
                "audit_log-b",
                2,
                7_203_600,
                "login.succeeded",
                "bob@acme.example",
            ),
            (
                "audit_log-a",
                -1,
                7_200_000,
                "login.succeeded",
                "ada@acme.example",
            ),
        ];
        for (id, seq, at, kind, email) in events {
            let json = serde_json::json!({"id": id, "type": kind, "effective_at": at}).to_string();
            sqlx::query(
                "INSERT INTO audit_events (id, seq, effective_at, type, family, json)
                 VALUES ($1, $2, $3, $4, 'login', $5)",
            )
            .bind(id)
            .bind(seq)
            .bind(at)
            .bind(kind)
            .bind(json)
            .execute(&mut old)
            .await
            .expect("an old event");
            sqlx::query(
                "INSERT INTO audit_event_actors (kind, value, event_id) VALUES ('email', $1, $2)",
            )
            .bind(email)
            .bind(id)
            .execute(&mut old)
            .await
            .expect("its actor");
            sqlx::query("INSERT INTO audit_events_fts (rowid, text) VALUES ($1, $2)")
                .bind(seq)
                .bind(format!("{id}\n{kind}\n{email}\n"))
                .execute(&mut old)
                .await
                .expect("its words");
        }
    }
    let db = gatehouse::db::Db::open(&dir).await.expect("upgraded");
    let order: Vec<String> = sqlx::query_scalar("SELECT id FROM audit_events ORDER BY seq DESC")
        .fetch_all(&db.pool)
        .await
        .expect("order");
    assert_eq!(order, ["audit_log-c", "audit_log-b", "audit_log-a"]);
    let seconds: Vec<i64> =
        sqlx::query_scalar("SELECT seq / 1048576 FROM audit_events ORDER BY seq DESC")
            .fetch_all(&db.pool)
            .await
            .expect("seconds");
    assert_eq!(
        seconds,
        [7_203_600, 7_203_600, 7_200_000],
        "seq leads with the second"
    );
    let found: Vec<String> = sqlx::query_scalar(
        "SELECT e.id FROM audit_events_fts f JOIN audit_events e ON e.seq = f.rowid
         WHERE audit_events_fts MATCH '\"bob\"*'",
    )
    .fetch_all(&db.pool)
    .await
    .expect("words");
    assert_eq!(found, ["audit_log-b"]);
    let ada: Vec<String> = sqlx::query_scalar(
        "SELECT e.id FROM audit_event_actors a JOIN audit_events e ON e.seq = a.seq
         WHERE a.kind = 'email' AND a.value = 'ada@acme.example' ORDER BY a.seq DESC",
    )
    .fetch_all(&db.pool)
    .await
    .expect("actors");
    assert_eq!(ada, ["audit_log-c", "audit_log-a"]);
    let hours: Vec<(i64, String, i64)> =
        sqlx::query_as("SELECT hour, type, events FROM audit_histogram ORDER BY hour, type")
            .fetch_all(&db.pool)
            .await
            .expect("hours");
    assert_eq!(
        hours,
        [
            (7_200_000, "login.succeeded".to_owned(), 1),
            (7_203_600, "login.failed".to_owned(), 1),
            (7_203_600, "login.succeeded".to_owned(), 1),
        ]
    );
    let counted: i64 = sqlx::query_scalar("SELECT archived_events FROM sync_state")
        .fetch_one(&db.pool)
        .await
        .expect("count");
    assert_eq!(counted, 3);
}
