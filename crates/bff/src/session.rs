//! Portal accounts and server-side sessions.
//!
//! Sessions are kept by hand in the shared store rather than with tower-sessions: its ids are
//! 128 bits, and Gatehouse wants 256-bit ids stored only as digests, a CSRF token bound to each
//! session, and both an idle and an absolute limit checked on every request.

use std::sync::Arc;
use std::time::Duration;

use sqlx::Row;

pub use crate::accounts::{Account, Accounts, Role};
use crate::db::{Db, Sql};

/// 256 random bits, hex-encoded: session ids and CSRF tokens.
pub fn random_token() -> String {
    let mut bytes = [0_u8; 32];
    // The OS random source failing is not recoverable; a predictable token would be worse.
    if let Err(e) = getrandom::fill(&mut bytes) {
        panic!("the operating system's random source failed: {e}");
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 of `text`, hex-encoded: how session ids and credentials are stored.
pub fn digest(text: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The time source of sessions and throttling: Unix milliseconds, which every replica reads
/// alike. Tests move it forward to check expiry without waiting.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_ms: Arc<std::sync::atomic::AtomicU64>,
}

impl Clock {
    /// Now in Unix milliseconds, plus however far the clock was moved.
    pub fn now_ms(&self) -> i64 {
        let offset = self.offset_ms.load(std::sync::atomic::Ordering::SeqCst);
        crate::db::now_ms().saturating_add(i64::try_from(offset).unwrap_or(i64::MAX))
    }

    /// Moves the clock forward (tests only need this).
    pub fn advance(&self, by: Duration) {
        let ms = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        self.offset_ms
            .fetch_add(ms, std::sync::atomic::Ordering::SeqCst);
    }
}

/// A signed-in portal user.
#[derive(Debug, Clone)]
pub struct Session {
    pub username: String,
    pub role: Role,
    pub csrf_token: String,
    /// The digest of the password hash the account had at sign-in; the session ends when the
    /// account store no longer holds that hash (the account was removed or its password
    /// changed). `None` for identities vouched for by an SSO proxy.
    pub credential: Option<String>,
    /// The token this request was made with, when a script made it (see `tokens`); such a
    /// "session" lives for one request and has no CSRF token.
    pub token: Option<crate::tokens::TokenRef>,
    created_ms: i64,
    last_seen_ms: i64,
}

impl Session {
    /// The one-request session of a token used by `username`, acting with `role`.
    pub fn for_token(username: &str, role: Role, token: crate::tokens::TokenRef) -> Self {
        Self {
            username: username.to_owned(),
            role,
            csrf_token: String::new(),
            credential: None,
            token: Some(token),
            created_ms: 0,
            last_seen_ms: 0,
        }
    }
}

/// How long a session lives.
#[derive(Debug, Clone, Copy)]
pub struct SessionLimits {
    pub idle: Duration,
    pub absolute: Duration,
}

impl Default for SessionLimits {
    fn default() -> Self {
        Self {
            idle: Duration::from_secs(30 * 60),
            absolute: Duration::from_secs(12 * 60 * 60),
        }
    }
}

/// A session's idle timer is written back at most this often: a page's burst of requests
/// costs one write, not one each.
const TOUCH_EVERY_MS: i64 = 5_000;

/// The server-side sessions, in the store every replica shares (table `sessions`): a restart
/// or a request on another replica finds them.
///
/// Cookie sessions are keyed by the SHA-256 of their id, so a dump of the table grants none.
/// Sessions of people an SSO proxy vouches for are keyed by role and email under another
/// `kind`: a cookie can only ever name a session that a password sign-in created.
#[derive(Clone)]
pub struct SessionStore {
    db: Db,
    limits: SessionLimits,
    clock: Clock,
}

const COOKIE: &str = "cookie";
const IDENTITY: &str = "identity";

impl SessionStore {
    /// The sessions in `db`, with these limits, reading time from `clock`.
    pub fn new(db: Db, limits: SessionLimits, clock: Clock) -> Self {
        Self { db, limits, clock }
    }

    /// Starts a fresh session (a new id every sign-in) and returns its id. Expired sessions
    /// are swept first.
    pub async fn create(&self, account: &Account) -> anyhow::Result<(String, Session)> {
        let now = self.clock.now_ms();
        self.sweep(now).await?;
        let session = Session {
            username: account.username.clone(),
            role: account.role,
            csrf_token: random_token(),
            credential: Some(digest(&account.password_hash)),
            token: None,
            created_ms: now,
            last_seen_ms: now,
        };
        let id = random_token();
        self.insert(COOKIE, &digest(&id), &session, false).await?;
        Ok((id, session))
    }

    /// The live session a cookie names, refreshing its idle timer; an expired one is removed.
    pub async fn touch(&self, id: &str) -> anyhow::Result<Option<Session>> {
        self.live(COOKIE, &digest(id)).await
    }

    /// The session of a person a trusted proxy vouches for: one per identity and role, kept
    /// (with its CSRF token) while they stay active, whichever replica they reach. It has no
    /// id at all, so no cookie can name it.
    pub async fn for_identity(&self, email: &str, role: Role) -> anyhow::Result<Session> {
        let key = format!("{}:{email}", role.as_str());
        if let Some(session) = self.live(IDENTITY, &key).await? {
            return Ok(session);
        }
        let now = self.clock.now_ms();
        let fresh = Session {
            username: email.to_owned(),
            role,
            csrf_token: random_token(),
            credential: None,
            token: None,
            created_ms: now,
            last_seen_ms: now,
        };
        // Two replicas may start it at once: the first insert wins, and both use it.
        self.insert(IDENTITY, &key, &fresh, true).await?;
        Ok(self.find(IDENTITY, &key).await?.unwrap_or(fresh))
    }

    /// Ends a cookie session on the server.
    pub async fn remove(&self, id: &str) -> anyhow::Result<()> {
        sqlx::query("DELETE FROM sessions WHERE kind = $1 AND key = $2")
            .bind(COOKIE)
            .bind(digest(id))
            .execute(&self.db.pool)
            .await?;
        Ok(())
    }

    /// Deletes every expired session; how many.
    pub async fn sweep(&self, now: i64) -> anyhow::Result<u64> {
        let (idle, absolute) = self.cutoffs(now);
        Ok(
            sqlx::query("DELETE FROM sessions WHERE last_seen_ms <= $1 OR created_ms <= $2")
                .bind(idle)
                .bind(absolute)
                .execute(&self.db.pool)
                .await?
                .rows_affected(),
        )
    }

    /// The last-seen and created times at or before which a session has expired.
    fn cutoffs(&self, now: i64) -> (i64, i64) {
        let ms = |d: Duration| i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
        (
            now.saturating_sub(ms(self.limits.idle)),
            now.saturating_sub(ms(self.limits.absolute)),
        )
    }

    async fn live(&self, kind: &str, key: &str) -> anyhow::Result<Option<Session>> {
        let now = self.clock.now_ms();
        let Some(mut session) = self.find(kind, key).await? else {
            return Ok(None);
        };
        let (idle, absolute) = self.cutoffs(now);
        if session.last_seen_ms <= idle || session.created_ms <= absolute {
            sqlx::query("DELETE FROM sessions WHERE kind = $1 AND key = $2 AND created_ms = $3")
                .bind(kind.to_owned())
                .bind(key.to_owned())
                .bind(session.created_ms)
                .execute(&self.db.pool)
                .await?;
            return Ok(None);
        }
        if now - session.last_seen_ms >= TOUCH_EVERY_MS {
            sqlx::query(
                "UPDATE sessions SET last_seen_ms = $3
                 WHERE kind = $1 AND key = $2 AND last_seen_ms < $3",
            )
            .bind(kind.to_owned())
            .bind(key.to_owned())
            .bind(now)
            .execute(&self.db.pool)
            .await?;
            session.last_seen_ms = now;
        }
        Ok(Some(session))
    }

    async fn find(&self, kind: &str, key: &str) -> anyhow::Result<Option<Session>> {
        let row = sqlx::query(
            "SELECT username, role, csrf_token, credential, created_ms, last_seen_ms
             FROM sessions WHERE kind = $1 AND key = $2",
        )
        .bind(kind.to_owned())
        .bind(key.to_owned())
        .fetch_optional(&self.db.pool)
        .await?;
        row.map(|row| {
            Ok(Session {
                username: row.try_get("username")?,
                role: row
                    .try_get::<String, _>("role")?
                    .parse()
                    .map_err(anyhow::Error::msg)?,
                csrf_token: row.try_get("csrf_token")?,
                credential: row.try_get("credential")?,
                token: None,
                created_ms: row.try_get("created_ms")?,
                last_seen_ms: row.try_get("last_seen_ms")?,
            })
        })
        .transpose()
    }

    async fn insert(
        &self,
        kind: &str,
        key: &str,
        session: &Session,
        keep_existing: bool,
    ) -> anyhow::Result<()> {
        let mut statement = Sql::new(
            "INSERT INTO sessions
                (kind, key, username, role, csrf_token, credential, created_ms, last_seen_ms)
             VALUES (",
        );
        statement
            .bind(kind.to_owned())
            .push(", ")
            .bind(key.to_owned())
            .push(", ")
            .bind(session.username.clone())
            .push(", ")
            .bind(session.role.as_str().to_owned())
            .push(", ")
            .bind(session.csrf_token.clone())
            .push(", ")
            .bind(session.credential.clone())
            .push(", ")
            .bind(session.created_ms)
            .push(", ")
            .bind(session.last_seen_ms)
            .push(")");
        if keep_existing {
            statement.push(" ON CONFLICT (kind, key) DO NOTHING");
        }
        statement.build().execute(&self.db.pool).await?;
        Ok(())
    }
}
