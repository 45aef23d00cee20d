//! Portal accounts and server-side sessions.
//!
//! Sessions are kept by hand in a map rather than with tower-sessions: its ids are 128 bits, and
//! Gatehouse wants 256-bit ids, a CSRF token bound to each session, and both an idle and an
//! absolute limit checked on every request.
//!
//! Cookie sessions and the sessions of people an SSO proxy vouches for live in two tables: a
//! cookie can only ever name a session that a password sign-in created, never an identity's.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

pub use crate::accounts::{Account, Accounts, Role};

/// 256 random bits, hex-encoded: session ids and CSRF tokens.
pub fn random_token() -> String {
    let mut bytes = [0_u8; 32];
    // The OS random source failing is not recoverable; a predictable token would be worse.
    if let Err(e) = getrandom::fill(&mut bytes) {
        panic!("the operating system's random source failed: {e}");
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The time source of sessions and throttling. Production reads the system's monotonic clock;
/// tests move it forward to check expiry without waiting.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_ms: Arc<std::sync::atomic::AtomicU64>,
}

impl Clock {
    /// Now, plus however far the clock was moved.
    pub fn now(&self) -> Instant {
        Instant::now()
            + Duration::from_millis(self.offset_ms.load(std::sync::atomic::Ordering::SeqCst))
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
    /// The password hash the account had at sign-in; the session ends when the account store
    /// no longer holds it (the account was removed or its password changed). `None` for
    /// identities vouched for by an SSO proxy.
    pub credential: Option<String>,
    created: Instant,
    last_seen: Instant,
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

/// The two session tables: by cookie id, and by vouched-for identity.
#[derive(Default)]
struct Tables {
    by_cookie: HashMap<String, Session>,
    by_identity: HashMap<(Role, String), Session>,
}

/// The server-side session tables.
#[derive(Clone, Default)]
pub struct SessionStore {
    inner: Arc<Mutex<Tables>>,
    limits: SessionLimits,
    clock: Clock,
}

impl SessionStore {
    /// An empty store with the given limits.
    pub fn new(limits: SessionLimits) -> Self {
        Self::with_clock(limits, Clock::default())
    }

    /// An empty store reading time from `clock`.
    pub fn with_clock(limits: SessionLimits, clock: Clock) -> Self {
        Self {
            inner: Arc::default(),
            limits,
            clock,
        }
    }

    /// Starts a fresh session (a new id every sign-in) and returns its id.
    pub fn create(&self, account: &Account) -> (String, Session) {
        let now = self.clock.now();
        let session = Session {
            username: account.username.clone(),
            role: account.role,
            csrf_token: random_token(),
            credential: Some(account.password_hash.clone()),
            created: now,
            last_seen: now,
        };
        let id = random_token();
        let mut tables = self.lock();
        tables.by_cookie.retain(|_, s| self.alive(s, now));
        tables.by_identity.retain(|_, s| self.alive(s, now));
        tables.by_cookie.insert(id.clone(), session.clone());
        (id, session)
    }

    /// The live session a cookie names, refreshing its idle timer; expired ones are dropped.
    pub fn touch(&self, id: &str) -> Option<Session> {
        let now = self.clock.now();
        let mut tables = self.lock();
        let session = tables.by_cookie.get_mut(id)?;
        if !self.alive(session, now) {
            tables.by_cookie.remove(id);
            return None;
        }
        session.last_seen = now;
        Some(session.clone())
    }

    /// The session of a person a trusted proxy vouches for: one per identity and role, kept
    /// (with its CSRF token) while they stay active. It has no id at all, so no cookie can
    /// name it.
    pub fn for_identity(&self, email: &str, role: Role) -> Session {
        let now = self.clock.now();
        let mut tables = self.lock();
        let key = (role, email.to_owned());
        if let Some(session) = tables.by_identity.get_mut(&key)
            && self.alive(session, now)
        {
            session.last_seen = now;
            return session.clone();
        }
        let session = Session {
            username: email.to_owned(),
            role,
            csrf_token: random_token(),
            credential: None,
            created: now,
            last_seen: now,
        };
        tables.by_identity.insert(key, session.clone());
        session
    }

    /// Ends a cookie session on the server.
    pub fn remove(&self, id: &str) {
        self.lock().by_cookie.remove(id);
    }

    fn alive(&self, session: &Session, now: Instant) -> bool {
        now.duration_since(session.last_seen) < self.limits.idle
            && now.duration_since(session.created) < self.limits.absolute
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Tables> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
