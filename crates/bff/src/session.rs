//! Portal accounts and server-side sessions.
//!
//! Sessions are kept by hand in a map rather than with tower-sessions: its ids are 128 bits, and
//! Gatehouse wants 256-bit ids, a CSRF token bound to each session, and both an idle and an
//! absolute limit checked on every request.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use serde::{Deserialize, Serialize};

/// What a portal user may do: an owner may write, an auditor only reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Owner,
    Auditor,
}

/// One portal account: the argon2id hash of its password and its role.
#[derive(Debug, Clone)]
pub struct Account {
    pub username: String,
    pub password_hash: String,
    pub role: Role,
}

/// The accounts that may sign in.
#[derive(Debug, Default)]
pub struct Accounts {
    by_name: HashMap<String, Account>,
    /// A hash to verify against when the account does not exist, so that a missing account costs
    /// the same time as a wrong password and timing does not reveal which it was.
    decoy_hash: String,
}

impl Accounts {
    /// Accounts from `(username, password, role)`, hashing each password with argon2id.
    pub fn with_passwords(entries: &[(&str, &str, Role)]) -> anyhow::Result<Self> {
        let mut by_name = HashMap::new();
        for (username, password, role) in entries {
            let account = Account {
                username: (*username).to_owned(),
                password_hash: hash_password(password)?,
                role: *role,
            };
            by_name.insert(account.username.clone(), account);
        }
        Ok(Self {
            by_name,
            decoy_hash: hash_password(&random_token())?,
        })
    }

    /// The demo accounts: each with its own name as its password.
    pub fn demo() -> anyhow::Result<Self> {
        Self::with_passwords(&[
            ("demo-owner", "demo-owner", Role::Owner),
            ("demo-auditor", "demo-auditor", Role::Auditor),
        ])
    }

    /// The account, if `username` exists and `password` is right.
    pub fn verify(&self, username: &str, password: &str) -> Option<&Account> {
        let account = self.by_name.get(username);
        let hash = account.map_or(self.decoy_hash.as_str(), |a| a.password_hash.as_str());
        let ok = PasswordHash::new(hash).is_ok_and(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        });
        account.filter(|_| ok)
    }
}

/// Hashes a password with argon2id and a random salt (PHC string).
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let mut salt = [0_u8; 16];
    getrandom::fill(&mut salt).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("hashing: {e}"))?
        .to_string())
}

/// 256 random bits, hex-encoded: session ids and CSRF tokens.
pub fn random_token() -> String {
    let mut bytes = [0_u8; 32];
    // The OS random source failing is not recoverable; a predictable token would be worse.
    if let Err(e) = getrandom::fill(&mut bytes) {
        panic!("the operating system's random source failed: {e}");
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A signed-in portal user.
#[derive(Debug, Clone)]
pub struct Session {
    pub username: String,
    pub role: Role,
    pub csrf_token: String,
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

/// The server-side session table.
#[derive(Clone, Default)]
pub struct SessionStore {
    inner: Arc<Mutex<HashMap<String, Session>>>,
    limits: SessionLimits,
}

impl SessionStore {
    /// An empty store with the given limits.
    pub fn new(limits: SessionLimits) -> Self {
        Self {
            inner: Arc::default(),
            limits,
        }
    }

    /// Starts a fresh session (a new id every sign-in) and returns its id.
    pub fn create(&self, account: &Account) -> (String, Session) {
        let now = Instant::now();
        let session = Session {
            username: account.username.clone(),
            role: account.role,
            csrf_token: random_token(),
            created: now,
            last_seen: now,
        };
        let id = random_token();
        let mut sessions = self.lock();
        sessions.retain(|_, s| self.alive(s, now));
        sessions.insert(id.clone(), session.clone());
        (id, session)
    }

    /// The live session with this id, refreshing its idle timer; expired ones are dropped.
    pub fn touch(&self, id: &str) -> Option<Session> {
        let now = Instant::now();
        let mut sessions = self.lock();
        let session = sessions.get_mut(id)?;
        if !self.alive(session, now) {
            sessions.remove(id);
            return None;
        }
        session.last_seen = now;
        Some(session.clone())
    }

    /// Ends a session on the server.
    pub fn remove(&self, id: &str) {
        self.lock().remove(id);
    }

    fn alive(&self, session: &Session, now: Instant) -> bool {
        now.duration_since(session.last_seen) < self.limits.idle
            && now.duration_since(session.created) < self.limits.absolute
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
