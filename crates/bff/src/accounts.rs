//! Portal accounts: who may sign in, with which role. Stored in the database (`gatehouse user
//! ...` manages them) plus, in demo mode, the two demo accounts held in memory. Passwords are
//! argon2id hashes (the `argon2` crate, RustCrypto).

use std::collections::HashMap;

use anyhow::{Context, bail};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::db::Db;

/// What a portal user may do: an owner may write, an auditor only reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Owner,
    Auditor,
}

impl Role {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Auditor => "auditor",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value {
            "owner" => Ok(Self::Owner),
            "auditor" => Ok(Self::Auditor),
            other => Err(format!("unknown role '{other}': use owner or auditor")),
        }
    }
}

/// One portal account.
#[derive(Debug, Clone)]
pub struct Account {
    pub username: String,
    pub password_hash: String,
    pub role: Role,
}

/// The accounts that may sign in.
#[derive(Debug)]
pub struct Accounts {
    db: Option<Db>,
    in_memory: HashMap<String, Account>,
    /// Verified against when the account does not exist, so that a missing account costs the
    /// same time as a wrong password and timing does not reveal which it was. Always a real
    /// argon2id hash with the same parameters as every account's.
    decoy_hash: String,
}

impl Default for Accounts {
    /// No accounts yet, with a real decoy hash (one argon2 hash is computed here).
    fn default() -> Self {
        Self {
            db: None,
            in_memory: HashMap::new(),
            decoy_hash: decoy_hash(),
        }
    }
}

/// A hash of a random password nobody knows, so every unknown name costs one real argon2 check.
fn decoy_hash() -> String {
    match hash_password(&crate::session::random_token()) {
        Ok(hash) => hash,
        // The OS random source failing is not recoverable (see `random_token`).
        Err(e) => panic!("cannot make the decoy password hash: {e}"),
    }
}

impl Accounts {
    /// In-memory accounts from `(username, password, role)` (demo mode and tests).
    pub fn with_passwords(entries: &[(&str, &str, Role)]) -> anyhow::Result<Self> {
        let mut in_memory = HashMap::new();
        for (username, password, role) in entries {
            let account = Account {
                username: (*username).to_owned(),
                password_hash: hash_password(password)?,
                role: *role,
            };
            in_memory.insert(account.username.clone(), account);
        }
        Ok(Self {
            in_memory,
            ..Self::default()
        })
    }

    /// The demo accounts: each with its own name as its password.
    pub fn demo() -> anyhow::Result<Self> {
        Self::with_passwords(&[
            ("demo-owner", "demo-owner", Role::Owner),
            ("demo-auditor", "demo-auditor", Role::Auditor),
        ])
    }

    /// These accounts, plus those stored in `db`.
    #[must_use]
    pub fn and_database(mut self, db: Db) -> Self {
        self.db = Some(db);
        self
    }

    /// The password hash `username` has now, if the account exists: a session whose account
    /// no longer has the hash it signed in with has been revoked (`gatehouse user remove` or
    /// `passwd`, possibly run by another process on the same data dir).
    pub async fn current_hash(&self, username: &str) -> anyhow::Result<Option<String>> {
        if let Some(account) = self.in_memory.get(username) {
            return Ok(Some(account.password_hash.clone()));
        }
        match &self.db {
            Some(db) => Ok(find(db, username).await?.map(|a| a.password_hash)),
            None => Ok(None),
        }
    }

    /// The role `username` has now, if the account exists (a token's access is narrowed to it
    /// on every use).
    pub async fn role_of(&self, username: &str) -> anyhow::Result<Option<Role>> {
        if let Some(account) = self.in_memory.get(username) {
            return Ok(Some(account.role));
        }
        match &self.db {
            Some(db) => role_of(db, username).await,
            None => Ok(None),
        }
    }

    /// The account, if `username` exists and `password` is right. Hashing runs off the async
    /// workers; it is deliberately slow.
    pub async fn verify(&self, username: &str, password: &str) -> anyhow::Result<Option<Account>> {
        let account = match self.in_memory.get(username) {
            Some(account) => Some(account.clone()),
            None => match &self.db {
                Some(db) => find(db, username).await?,
                None => None,
            },
        };
        let hash = account
            .as_ref()
            .map_or_else(|| self.decoy_hash.clone(), |a| a.password_hash.clone());
        let password = password.to_owned();
        let ok = tokio::task::spawn_blocking(move || {
            PasswordHash::new(&hash).is_ok_and(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
        })
        .await?;
        Ok(account.filter(|_| ok))
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

/// The shortest password `gatehouse user add` accepts.
pub const PASSWORD_MIN: usize = 12;

fn check_new(username: &str, password: &str) -> anyhow::Result<()> {
    let valid_name = (1..=64).contains(&username.len())
        && username
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'@'));
    if !valid_name {
        bail!("user names are 1–64 letters, digits, '-', '_', '.' or '@'");
    }
    if password.chars().count() < PASSWORD_MIN {
        bail!("the password must be at least {PASSWORD_MIN} characters");
    }
    Ok(())
}

async fn find(db: &Db, username: &str) -> anyhow::Result<Option<Account>> {
    let row = sqlx::query("SELECT username, password_hash, role FROM accounts WHERE username = $1")
        .bind(username)
        .fetch_optional(&db.pool)
        .await?;
    row.map(|row| {
        Ok(Account {
            username: row.get("username"),
            password_hash: row.get("password_hash"),
            role: row
                .get::<String, _>("role")
                .parse()
                .map_err(anyhow::Error::msg)?,
        })
    })
    .transpose()
}

/// The role of the stored account `username`, if it exists.
pub async fn role_of(db: &Db, username: &str) -> anyhow::Result<Option<Role>> {
    Ok(find(db, username).await?.map(|a| a.role))
}

/// Adds an account.
pub async fn add(db: &Db, username: &str, password: &str, role: Role) -> anyhow::Result<()> {
    check_new(username, password)?;
    if find(db, username).await?.is_some() {
        bail!("the account '{username}' already exists");
    }
    let hash = hash_password(password)?;
    sqlx::query(
        "INSERT INTO accounts (username, password_hash, role, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(username)
    .bind(hash)
    .bind(role.as_str())
    .bind(crate::journal::now())
    .execute(&db.pool)
    .await
    .context("cannot store the account")?;
    Ok(())
}

/// Sets a new password.
pub async fn set_password(db: &Db, username: &str, password: &str) -> anyhow::Result<()> {
    check_new(username, password)?;
    let hash = hash_password(password)?;
    let done = sqlx::query("UPDATE accounts SET password_hash = $1 WHERE username = $2")
        .bind(hash)
        .bind(username)
        .execute(&db.pool)
        .await?;
    if done.rows_affected() == 0 {
        bail!("no account '{username}'");
    }
    Ok(())
}

/// Removes an account.
pub async fn remove(db: &Db, username: &str) -> anyhow::Result<()> {
    let done = sqlx::query("DELETE FROM accounts WHERE username = $1")
        .bind(username)
        .execute(&db.pool)
        .await?;
    if done.rows_affected() == 0 {
        bail!("no account '{username}'");
    }
    // Its tokens go with it (a token is also refused whenever its account is missing; this
    // makes the list say so).
    sqlx::query(
        "UPDATE api_tokens SET revoked_ms = $1, revoked_by = $2
         WHERE username = $3 AND source = 'account' AND revoked_ms IS NULL",
    )
    .bind(crate::db::now_ms())
    .bind("gatehouse (account removed)")
    .bind(username)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// Every account: name and role.
pub async fn list(db: &Db) -> anyhow::Result<Vec<(String, Role)>> {
    let rows = sqlx::query("SELECT username, role FROM accounts ORDER BY username")
        .fetch_all(&db.pool)
        .await?;
    rows.iter()
        .map(|row| {
            let role = row
                .get::<String, _>("role")
                .parse()
                .map_err(anyhow::Error::msg)?;
            Ok((row.get("username"), role))
        })
        .collect()
}
