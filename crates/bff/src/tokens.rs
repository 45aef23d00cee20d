//! Gatehouse tokens: how a script reaches the organization through Gatehouse with its person's
//! own scoped, expiring credential instead of the admin key.
//!
//! A token is `ghtk_` and 43 base62 characters (256 random bits). Only its SHA-256 is stored
//! (a fast hash is enough for a value that cannot be guessed); it is shown once, when made.
//! Every check is made against the shared store on every request, so a revocation holds at
//! once on every replica.
//!
//! A token's writes are made at most once however often a client retries them: the official
//! SDKs retry a write on their own when its answer does not come (a timeout, a reset) or is a
//! 429 or a 5xx, and they send no idempotency key, only `X-Stainless-Retry-Count`. So each
//! write is remembered by a *replay key*: the `Idempotency-Key` header when a client sends
//! one, otherwise the digest of method, path and body. A retry (retry count 1 or more) of a
//! write that was made is answered with the first answer, from [`Tokens::claim`], and never
//! sent again; a retry that arrives while the first attempt is still under way is told to wait.
//! A first attempt (retry count 0) is always a new write, since a person may well make the
//! same change twice on purpose.
//!
//! Written by hand: no crate covers scoped bearer tokens over a shared SQL store with replay.

use std::time::Duration;

use admin_api::ApiError;
use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::accounts::Role;
use crate::db::{Db, Sql};
use crate::session::Clock;

/// What every token starts with.
pub const PREFIX: &str = "ghtk_";

/// The base62 characters of a token's value.
const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Base62 characters in a value: 43 × log2(62) ≈ 256.03 bits.
const VALUE_CHARS: usize = 43;

/// The default lifetime, and the longest.
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(30 * 24 * 3600);
pub const MAX_LIFETIME: Duration = Duration::from_secs(365 * 24 * 3600);
/// The shortest lifetime: less is more likely a typo than a plan.
pub const MIN_LIFETIME: Duration = Duration::from_secs(3600);

/// The default rate limit of one token, in requests per second (`--token-rate-limit`).
pub const DEFAULT_RATE: u32 = 10;

/// The most address ranges one token may name.
pub const RANGES_MAX: usize = 32;

/// The longest token name.
pub const NAME_MAX: usize = 64;

/// How long a write is remembered for its retries: longer than the SDKs' longest timeout
/// (ten minutes) with all their retries.
pub const REPLAY_TTL: Duration = Duration::from_secs(60 * 60);

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Access {
    Read,
    Write,
}

impl Access {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
        }
    }

    /// The highest access a role may give a token: owners may write, auditors only read.
    pub fn highest_for(role: Role) -> Self {
        match role {
            Role::Owner => Self::Write,
            Role::Auditor => Self::Read,
        }
    }

    fn parse(text: &str) -> anyhow::Result<Self> {
        match text {
            "read" => Ok(Self::Read),
            "write" => Ok(Self::Write),
            other => anyhow::bail!("unknown token access '{other}'"),
        }
    }
}

/// Whose a token is: a portal account, or a person an SSO proxy vouches for (whose role comes
/// from the role map each time the token is used).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Account,
    Identity,
}

impl Source {
    fn as_str(self) -> &'static str {
        match self {
            Self::Account => "account",
            Self::Identity => "identity",
        }
    }
}

/// The token a request was made with, as a session and the journal carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenRef {
    pub id: String,
    pub name: String,
    pub access: Access,
}

/// A token as its lists show it (never its value).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Token {
    pub id: String,
    pub name: String,
    pub username: String,
    pub source: Source,
    pub access: Access,
    /// Address ranges it may be used from; empty for anywhere.
    pub allowed_from: Vec<String>,
    /// Unix seconds, as every time the API answers.
    pub created_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
    pub revoked_by: Option<String>,
    pub last_used_at: Option<i64>,
    pub last_used_from: Option<String>,
    pub calls: i64,
    /// `active`, `expired` or `revoked`, as of the answer.
    pub status: &'static str,
    #[serde(skip)]
    expires_ms: i64,
    #[serde(skip)]
    revoked_ms: Option<i64>,
}

impl Token {
    /// Its reference, for sessions and the journal.
    pub fn reference(&self) -> TokenRef {
        TokenRef {
            id: self.id.clone(),
            name: self.name.clone(),
            access: self.access,
        }
    }

    /// Whether a request from `ip` may use it.
    pub fn allows(&self, ip: Option<std::net::IpAddr>) -> bool {
        self.allowed_from.is_empty()
            || ip.is_some_and(|ip| {
                self.allowed_from
                    .iter()
                    .filter_map(|r| r.parse::<IpNet>().ok())
                    .any(|net| net.contains(&ip))
            })
    }
}

/// What a new token is to be.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub username: String,
    pub source: Source,
    /// The creator's role now: the token's access may not exceed it.
    pub role: Role,
    pub name: String,
    pub access: Access,
    pub lifetime: Duration,
    pub allowed_from: Vec<IpNet>,
}

impl NewToken {
    /// Checks the rules of a new token, naming the field that breaks one.
    pub fn validate(&self) -> Result<(), ApiError> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > NAME_MAX || name.chars().any(char::is_control)
        {
            return Err(ApiError::invalid_request(
                format!(
                    "A token's name is 1 to {NAME_MAX} characters, without control characters."
                ),
                Some("name"),
            ));
        }
        if self.access == Access::Write && self.role != Role::Owner {
            return Err(ApiError::invalid_request(
                "Your role (auditor) can only make read tokens: a token may not do more than its \
                 person.",
                Some("access"),
            )
            .with_code("access_above_role"));
        }
        if !(MIN_LIFETIME..=MAX_LIFETIME).contains(&self.lifetime) {
            return Err(ApiError::invalid_request(
                "A token lives between one hour and 365 days.",
                Some("expires_in_days"),
            ));
        }
        if self.allowed_from.len() > RANGES_MAX {
            return Err(ApiError::invalid_request(
                format!("A token names at most {RANGES_MAX} address ranges."),
                Some("allowed_from"),
            ));
        }
        Ok(())
    }
}

/// Parses address ranges as people write them: `10.0.0.0/8`, or one address (`203.0.113.7`,
/// taken as a /32 or /128).
pub fn parse_ranges<'a>(texts: impl IntoIterator<Item = &'a str>) -> Result<Vec<IpNet>, ApiError> {
    texts
        .into_iter()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|text| {
            text.parse::<IpNet>()
                .or_else(|_| text.parse::<std::net::IpAddr>().map(IpNet::from))
                .map(|net| net.trunc())
                .map_err(|_| {
                    ApiError::invalid_request(
                        format!("'{text}' is not an address or an address range (CIDR)."),
                        Some("allowed_from"),
                    )
                })
        })
        .collect()
}

/// Why a presented token was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not a token Gatehouse made (or not one at all).
    Unknown,
    /// It expired at this Unix second.
    Expired(i64),
    /// It was revoked at this Unix second.
    Revoked(i64),
}

/// What came of claiming a write for a token (see [`Tokens::claim`]).
#[derive(Debug)]
pub enum Claim {
    /// Make the write; settle or release the claim with this attempt id afterwards.
    Proceed(String),
    /// The same write is under way.
    UnderWay,
    /// The same write was made: its answer.
    Answered { status: u16, body: Vec<u8> },
    /// The client's idempotency key was used for another request.
    Mismatch,
}

/// The tokens, in the store every replica shares.
#[derive(Debug, Clone)]
pub struct Tokens {
    db: Db,
    clock: Clock,
    /// Requests per second one token may make.
    pub rate: u32,
}

impl Tokens {
    /// The tokens in `db`, reading time from `clock`, each allowed `rate` requests a second.
    pub fn new(db: Db, clock: Clock, rate: u32) -> Self {
        Self { db, clock, rate }
    }

    /// Makes a token; its description and its value, which is never seen again.
    pub async fn create(&self, new: &NewToken) -> Result<(Token, String), CreateError> {
        new.validate().map_err(CreateError::Invalid)?;
        let now = self.clock.now_ms();
        let name = new.name.trim().to_owned();
        let taken: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM api_tokens
             WHERE username = $1 AND name = $2 AND revoked_ms IS NULL AND expires_ms > $3",
        )
        .bind(new.username.clone())
        .bind(name.clone())
        .bind(now)
        .fetch_one(&self.db.pool)
        .await?;
        if taken > 0 {
            return Err(CreateError::Invalid(ApiError::invalid_request(
                format!("There is already a live token named '{name}': choose another name or revoke it first."),
                Some("name"),
            ).with_code("name_taken")));
        }
        let value = new_value();
        let id = format!("tok_{}", &crate::session::random_token()[..24]);
        let lifetime = i64::try_from(new.lifetime.as_millis()).unwrap_or(i64::MAX);
        let ranges: Vec<String> = new.allowed_from.iter().map(ToString::to_string).collect();
        let mut insert = Sql::new(
            "INSERT INTO api_tokens (id, hash, username, source, name, access, allowed_from,
                created_ms, expires_ms) VALUES (",
        );
        insert
            .bind(id.clone())
            .push(", ")
            .bind(crate::session::digest(&value))
            .push(", ")
            .bind(new.username.clone())
            .push(", ")
            .bind(new.source.as_str().to_owned())
            .push(", ")
            .bind(name)
            .push(", ")
            .bind(new.access.as_str().to_owned())
            .push(", ")
            .bind((!ranges.is_empty()).then(|| ranges.join(",")))
            .push(", ")
            .bind(now)
            .push(", ")
            .bind(now.saturating_add(lifetime))
            .push(")");
        insert.build().execute(&self.db.pool).await?;
        let token = self
            .find(&id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("the new token {id} is not in the store"))?;
        Ok((token, value))
    }

    /// Every token, or those of one person, newest first.
    pub async fn list(&self, username: Option<&str>) -> anyhow::Result<Vec<Token>> {
        let mut query = Sql::new(format!("SELECT {COLUMNS} FROM api_tokens"));
        if let Some(username) = username {
            query.push(" WHERE username = ").bind(username.to_owned());
        }
        query.push(" ORDER BY created_ms DESC, id");
        let rows = query.build().fetch_all(&self.db.pool).await?;
        let now = self.clock.now_ms();
        rows.iter().map(|row| from_row(row, now)).collect()
    }

    /// One token by id.
    pub async fn find(&self, id: &str) -> anyhow::Result<Option<Token>> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM api_tokens WHERE id = $1"))
            .bind(id.to_owned())
            .fetch_optional(&self.db.pool)
            .await?;
        let now = self.clock.now_ms();
        row.map(|row| from_row(&row, now)).transpose()
    }

    /// Revokes a token (at once, on every replica: each use reads the store). Whether it was
    /// live until now.
    pub async fn revoke(&self, id: &str, by: &str) -> anyhow::Result<bool> {
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_ms = $1, revoked_by = $2
             WHERE id = $3 AND revoked_ms IS NULL",
        )
        .bind(self.clock.now_ms())
        .bind(by.to_owned())
        .bind(id.to_owned())
        .execute(&self.db.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Revokes every live token of `username`; how many.
    pub async fn revoke_all_of(&self, username: &str, by: &str) -> anyhow::Result<u64> {
        Ok(sqlx::query(
            "UPDATE api_tokens SET revoked_ms = $1, revoked_by = $2
             WHERE username = $3 AND revoked_ms IS NULL",
        )
        .bind(self.clock.now_ms())
        .bind(by.to_owned())
        .bind(username.to_owned())
        .execute(&self.db.pool)
        .await?
        .rows_affected())
    }

    /// The token `value` names, if it is live.
    pub async fn authenticate(&self, value: &str) -> anyhow::Result<Result<Token, Refusal>> {
        if !looks_like_a_token(value) {
            return Ok(Err(Refusal::Unknown));
        }
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM api_tokens WHERE hash = $1"))
            .bind(crate::session::digest(value))
            .fetch_optional(&self.db.pool)
            .await?;
        let now = self.clock.now_ms();
        let Some(token) = row.map(|row| from_row(&row, now)).transpose()? else {
            return Ok(Err(Refusal::Unknown));
        };
        if let Some(revoked) = token.revoked_ms {
            return Ok(Err(Refusal::Revoked(revoked / 1000)));
        }
        if token.expires_ms <= now {
            return Ok(Err(Refusal::Expired(token.expires_ms / 1000)));
        }
        Ok(Ok(token))
    }

    /// Counts a call of token `id` from `client` against its rate limit: `Err(wait)` when
    /// this second's calls are used up (the call is then not counted as made). One statement,
    /// so replicas counting at once add up.
    pub async fn count_call(&self, id: &str, client: &str) -> anyhow::Result<Result<(), Duration>> {
        let now = self.clock.now_ms();
        let window = now - now.rem_euclid(1000);
        let rate = i64::from(self.rate);
        // Every expression of a SET reads the row as it was before the update.
        let calls: i64 = sqlx::query_scalar(
            "UPDATE api_tokens SET
                window_calls = CASE WHEN window_ms = $2 THEN window_calls + 1 ELSE 1 END,
                window_ms = $2,
                calls = calls + CASE WHEN window_ms = $2 AND window_calls >= $3 THEN 0 ELSE 1 END,
                last_used_ms = CASE WHEN window_ms = $2 AND window_calls >= $3
                                    THEN last_used_ms ELSE $4 END,
                last_used_from = CASE WHEN window_ms = $2 AND window_calls >= $3
                                      THEN last_used_from ELSE $5 END
             WHERE id = $1
             RETURNING window_calls",
        )
        .bind(id.to_owned())
        .bind(window)
        .bind(rate)
        .bind(now)
        .bind(client.to_owned())
        .fetch_one(&self.db.pool)
        .await?;
        if calls > rate {
            let wait = u64::try_from(window + 1000 - now).unwrap_or(1000);
            return Ok(Err(Duration::from_millis(wait.max(1))));
        }
        Ok(Ok(()))
    }

    /// Claims write `key` of token `token_id` (see the module's notes). `first_attempt`: the
    /// client says this is not a retry and sent no idempotency key, so it is a new write
    /// whatever came before.
    pub async fn claim(
        &self,
        token_id: &str,
        key: &str,
        fingerprint: &str,
        first_attempt: bool,
        seal: &SealKey,
    ) -> anyhow::Result<Claim> {
        let now = self.clock.now_ms();
        let ttl = i64::try_from(REPLAY_TTL.as_millis()).unwrap_or(i64::MAX);
        sqlx::query("DELETE FROM token_replays WHERE at_ms < $1")
            .bind(now.saturating_sub(ttl))
            .execute(&self.db.pool)
            .await?;
        let attempt = crate::session::random_token()[..32].to_owned();
        let mut insert = Sql::new(
            "INSERT INTO token_replays (token_id, key, attempt, fingerprint, at_ms) VALUES (",
        );
        insert
            .bind(token_id.to_owned())
            .push(", ")
            .bind(key.to_owned())
            .push(", ")
            .bind(attempt.clone())
            .push(", ")
            .bind(fingerprint.to_owned())
            .push(", ")
            .bind(now)
            .push(") ON CONFLICT (token_id, key) DO ");
        if first_attempt {
            insert.push(
                "UPDATE SET attempt = excluded.attempt, fingerprint = excluded.fingerprint,
                    at_ms = excluded.at_ms, status = NULL, sealed = NULL",
            );
        } else {
            insert.push("NOTHING");
        }
        if insert.build().execute(&self.db.pool).await?.rows_affected() > 0 {
            return Ok(Claim::Proceed(attempt));
        }
        let row = sqlx::query(
            "SELECT fingerprint, status, sealed FROM token_replays WHERE token_id = $1 AND key = $2",
        )
        .bind(token_id.to_owned())
        .bind(key.to_owned())
        .fetch_optional(&self.db.pool)
        .await?;
        let Some(row) = row else {
            // Settled and swept, or released, between the insert and this read: try again.
            return Ok(Claim::UnderWay);
        };
        if row.try_get::<String, _>("fingerprint")? != fingerprint {
            return Ok(Claim::Mismatch);
        }
        match (
            row.try_get::<Option<i64>, _>("status")?,
            row.try_get::<Option<String>, _>("sealed")?,
        ) {
            (Some(status), Some(sealed)) => Ok(Claim::Answered {
                status: u16::try_from(status).unwrap_or(500),
                body: seal.open(key, &sealed)?,
            }),
            _ => Ok(Claim::UnderWay),
        }
    }

    /// Keeps the answer of a claimed write for its retries.
    pub async fn settle(
        &self,
        token_id: &str,
        key: &str,
        attempt: &str,
        status: u16,
        body: &[u8],
        seal: &SealKey,
    ) -> anyhow::Result<()> {
        sqlx::query(
            "UPDATE token_replays SET status = $1, sealed = $2
             WHERE token_id = $3 AND key = $4 AND attempt = $5",
        )
        .bind(i64::from(status))
        .bind(seal.seal(key, body)?)
        .bind(token_id.to_owned())
        .bind(key.to_owned())
        .bind(attempt.to_owned())
        .execute(&self.db.pool)
        .await?;
        Ok(())
    }

    /// Forgets a claimed write that was never sent, so that a retry may send it.
    pub async fn release(&self, token_id: &str, key: &str, attempt: &str) -> anyhow::Result<()> {
        sqlx::query("DELETE FROM token_replays WHERE token_id = $1 AND key = $2 AND attempt = $3")
            .bind(token_id.to_owned())
            .bind(key.to_owned())
            .bind(attempt.to_owned())
            .execute(&self.db.pool)
            .await?;
        Ok(())
    }
}

/// Why a token could not be made.
#[derive(Debug)]
pub enum CreateError {
    /// A rule of [`NewToken::validate`] or a name already taken.
    Invalid(ApiError),
    /// The store failed.
    Store(anyhow::Error),
}

impl From<sqlx::Error> for CreateError {
    fn from(error: sqlx::Error) -> Self {
        Self::Store(error.into())
    }
}

impl From<anyhow::Error> for CreateError {
    fn from(error: anyhow::Error) -> Self {
        Self::Store(error)
    }
}

impl std::fmt::Display for CreateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Invalid(error) => f.write_str(&error.message),
            Self::Store(error) => write!(f, "{error:#}"),
        }
    }
}

/// The key a token's replayed answers are sealed with: derived from the token's value, which
/// only its holder and the request in hand know.
pub struct SealKey([u8; 32]);

impl SealKey {
    /// The key of the token `value`.
    pub fn of(value: &str) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(b"gatehouse token replay\0");
        hasher.update(value.as_bytes());
        Self(hasher.finalize().into())
    }

    fn cipher(&self, key: &str) -> ChaCha20Poly1305 {
        let mut hasher = Sha256::new();
        hasher.update(self.0);
        hasher.update(key.as_bytes());
        let derived: [u8; 32] = hasher.finalize().into();
        ChaCha20Poly1305::new(Key::from_slice(&derived))
    }

    fn seal(&self, key: &str, body: &[u8]) -> anyhow::Result<String> {
        let mut nonce = [0_u8; 12];
        getrandom::fill(&mut nonce).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
        let sealed = self
            .cipher(key)
            .encrypt(Nonce::from_slice(&nonce), body)
            .map_err(|_| anyhow::anyhow!("cannot seal a replayed answer"))?;
        let mut bytes = nonce.to_vec();
        bytes.extend(sealed);
        Ok(base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    fn open(&self, key: &str, sealed: &str) -> anyhow::Result<Vec<u8>> {
        let bytes = base64::engine::general_purpose::STANDARD.decode(sealed)?;
        anyhow::ensure!(bytes.len() > 12, "a sealed answer is too short");
        let (nonce, sealed) = bytes.split_at(12);
        self.cipher(key)
            .decrypt(Nonce::from_slice(nonce), sealed)
            .map_err(|_| anyhow::anyhow!("a sealed answer does not open with its token"))
    }
}

impl std::fmt::Debug for SealKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealKey(..)")
    }
}

/// Whether `value` has the shape of a token: checked before any lookup.
pub fn looks_like_a_token(value: &str) -> bool {
    value.strip_prefix(PREFIX).is_some_and(|rest| {
        rest.len() == VALUE_CHARS && rest.bytes().all(|b| b.is_ascii_alphanumeric())
    })
}

/// A fresh value: `ghtk_` and 43 base62 characters, each drawn uniformly (random bytes of
/// 248 or more are dropped, so that `% 62` favours no character).
fn new_value() -> String {
    let mut value = String::with_capacity(PREFIX.len() + VALUE_CHARS);
    value.push_str(PREFIX);
    let mut bytes = [0_u8; 64];
    while value.len() < PREFIX.len() + VALUE_CHARS {
        // The OS random source failing is not recoverable (see `random_token`).
        if let Err(e) = getrandom::fill(&mut bytes) {
            panic!("the operating system's random source failed: {e}");
        }
        for b in bytes {
            if b < 248 && value.len() < PREFIX.len() + VALUE_CHARS {
                value.push(char::from(ALPHABET[usize::from(b % 62)]));
            }
        }
    }
    value
}

const COLUMNS: &str = "id, username, source, name, access, allowed_from, created_ms, expires_ms,
    revoked_ms, revoked_by, last_used_ms, last_used_from, calls";

fn from_row(row: &sqlx::any::AnyRow, now: i64) -> anyhow::Result<Token> {
    let expires_ms: i64 = row.try_get("expires_ms")?;
    let revoked_ms: Option<i64> = row.try_get("revoked_ms")?;
    let status = match (revoked_ms, expires_ms <= now) {
        (Some(_), _) => "revoked",
        (None, true) => "expired",
        (None, false) => "active",
    };
    Ok(Token {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        username: row.try_get("username")?,
        source: match row.try_get::<String, _>("source")?.as_str() {
            "identity" => Source::Identity,
            _ => Source::Account,
        },
        access: Access::parse(&row.try_get::<String, _>("access")?)?,
        allowed_from: row
            .try_get::<Option<String>, _>("allowed_from")?
            .map(|r| r.split(',').map(str::to_owned).collect())
            .unwrap_or_default(),
        created_at: row.try_get::<i64, _>("created_ms")? / 1000,
        expires_at: expires_ms / 1000,
        revoked_at: revoked_ms.map(|ms| ms / 1000),
        revoked_by: row.try_get("revoked_by")?,
        last_used_at: row
            .try_get::<Option<i64>, _>("last_used_ms")?
            .map(|ms| ms / 1000),
        last_used_from: row.try_get("last_used_from")?,
        calls: row.try_get("calls")?,
        status,
        expires_ms,
        revoked_ms,
    })
}

/// The replay key and fingerprint of a write: the digest of method, path and body, and the
/// key (the client's `Idempotency-Key` digest if it sent one, else the fingerprint).
pub fn replay_key(
    method: &str,
    path: &str,
    body: Option<&serde_json::Value>,
    idempotency_key: Option<&str>,
) -> (String, String) {
    let mut hasher = Sha256::new();
    for part in [method, path] {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part.as_bytes());
    }
    if let Some(body) = body {
        hasher.update(body.to_string().as_bytes());
    }
    let fingerprint: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let key = match idempotency_key {
        Some(key) => format!("key:{}", crate::session::digest(key)),
        None => format!("body:{fingerprint}"),
    };
    (key, fingerprint)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_prefixed_base62_of_256_bits_and_differ() {
        let a = new_value();
        let b = new_value();
        assert!(looks_like_a_token(&a), "{a}");
        assert_eq!(a.len(), PREFIX.len() + VALUE_CHARS);
        assert_ne!(a, b);
        assert!(!looks_like_a_token("ghtk_short"));
        assert!(!looks_like_a_token(&a.replace("ghtk_", "sk-admin-")));
        assert!(!looks_like_a_token(&format!("{a}!")));
    }

    #[test]
    fn a_sealed_answer_opens_only_with_its_token_and_key() {
        let seal = SealKey::of("ghtk_one");
        let sealed = seal
            .seal("body:k", b"{\"value\":\"sk-secret\"}")
            .expect("seal");
        assert!(!sealed.contains("sk-secret"));
        assert_eq!(
            seal.open("body:k", &sealed).expect("open"),
            b"{\"value\":\"sk-secret\"}"
        );
        assert!(SealKey::of("ghtk_two").open("body:k", &sealed).is_err());
        assert!(seal.open("body:other", &sealed).is_err());
    }

    #[test]
    fn ranges_accept_addresses_and_cidrs_and_name_a_bad_one() {
        let ranges =
            parse_ranges(["10.1.2.3/8", " 203.0.113.7 ", "", "2001:db8::/32"]).expect("ranges");
        let shown: Vec<String> = ranges.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["10.0.0.0/8", "203.0.113.7/32", "2001:db8::/32"]);
        let error = parse_ranges(["10.0.0.0/8", "office"]).expect_err("bad range");
        assert!(error.message.contains("'office'"), "{}", error.message);
        assert_eq!(error.param.as_deref(), Some("allowed_from"));
    }
}
