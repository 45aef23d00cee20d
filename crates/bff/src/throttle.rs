//! Sign-in throttling: after repeated failures, an account name and a client address are each
//! locked out for a while, doubling with every further failure. The lock applies whether or not
//! the account exists, so a 429 reveals nothing about which names are real.
//!
//! Every attempt is counted *before* its password is checked, so a burst of simultaneous
//! guesses cannot all slip in ahead of the lock; a success then refunds its attempt.
//!
//! The per-address limit is strict. The per-account one is looser and its lock short, because
//! anyone can fail sign-ins for a name they know: a stranger must not keep an owner out for long.
//!
//! Written by hand: `governor` and `tower_governor` limit request rates, while this counts
//! failures per key and must be reset by a success.

use std::time::Duration;

use sqlx::Row;

use crate::db::{Db, Lock};
use crate::session::Clock;

/// How many failures a key is allowed, and how long it is then locked.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Failures allowed before a lock.
    pub free: u32,
    /// The first lock; each further failure doubles it, up to `max_lock`.
    pub first_lock: Duration,
    /// The longest lock.
    pub max_lock: Duration,
}

/// A client address: 5 failures, then 30 s doubling up to 15 minutes.
pub const ADDRESS: Limits = Limits {
    free: 5,
    first_lock: Duration::from_secs(30),
    max_lock: Duration::from_secs(15 * 60),
};

/// An account name: 10 failures, then 30 s doubling up to 2 minutes.
pub const ACCOUNT: Limits = Limits {
    free: 10,
    first_lock: Duration::from_secs(30),
    max_lock: Duration::from_secs(2 * 60),
};

/// Failures older than this are forgotten.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

/// What is throttled.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Key {
    Account(String),
    Address(String),
}

impl Key {
    /// The key as stored.
    fn stored(&self) -> String {
        match self {
            Self::Account(name) => format!("account:{name}"),
            Self::Address(label) => format!("address:{label}"),
        }
    }

    fn limits(&self) -> Limits {
        match self {
            Self::Account(_) => ACCOUNT,
            Self::Address(_) => ADDRESS,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: i64,
    first_ms: i64,
    locked_until_ms: Option<i64>,
}

impl Failures {
    /// Sets or lifts the lock for the current count.
    fn relock(&mut self, limits: Limits, now: i64) {
        let free = i64::from(limits.free);
        self.locked_until_ms = (self.count >= free).then(|| {
            let doublings = u32::try_from((self.count - free).min(10)).unwrap_or(10);
            let lock = limits
                .first_lock
                .saturating_mul(1 << doublings)
                .min(limits.max_lock);
            now.saturating_add(i64::try_from(lock.as_millis()).unwrap_or(i64::MAX))
        });
    }
}

/// Failure counts per key, in the store every replica shares (table `sign_in_failures`):
/// five bad guesses spread over two replicas count as five. Each check and its count are one
/// transaction under the throttle's lock, so simultaneous attempts on several replicas are
/// counted one after another.
#[derive(Debug, Clone)]
pub struct Throttle {
    db: Db,
    clock: Clock,
}

impl Throttle {
    /// The throttle in `db`, reading time from `clock`.
    pub fn new(db: Db, clock: Clock) -> Self {
        Self { db, clock }
    }

    /// Counts an attempt against each key before its password is checked, or refuses it with
    /// the wait if any key is locked (a refused attempt is not counted).
    pub async fn begin(&self, keys: &[Key]) -> anyhow::Result<Result<(), Duration>> {
        let now = self.clock.now_ms();
        let mut tx = self.db.begin_locked(Lock::Throttle).await?;
        let window = i64::try_from(WINDOW.as_millis()).unwrap_or(i64::MAX);
        sqlx::query(
            "DELETE FROM sign_in_failures
             WHERE first_ms <= $1 AND (locked_until_ms IS NULL OR locked_until_ms <= $2)",
        )
        .bind(now.saturating_sub(window))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let mut found = Vec::with_capacity(keys.len());
        for key in keys {
            found.push(failures(&mut tx, key).await?);
        }
        let wait = found
            .iter()
            .filter_map(|f| f.as_ref()?.locked_until_ms)
            .filter(|until| *until > now)
            .map(|until| until - now)
            .max();
        if let Some(wait) = wait {
            tx.commit().await?;
            return Ok(Err(Duration::from_millis(
                u64::try_from(wait).unwrap_or(u64::MAX),
            )));
        }
        for (key, found) in keys.iter().zip(found) {
            let mut entry = found.unwrap_or(Failures {
                count: 0,
                first_ms: now,
                locked_until_ms: None,
            });
            entry.count += 1;
            entry.relock(key.limits(), now);
            store(&mut tx, key, entry).await?;
        }
        tx.commit().await?;
        Ok(Ok(()))
    }

    /// How long until every key is unlocked, if one is locked now. Reads only: for checks
    /// that count only their failures (see `begin`), such as tokens.
    pub async fn locked(&self, keys: &[Key]) -> anyhow::Result<Option<Duration>> {
        let now = self.clock.now_ms();
        let mut wait = None;
        let mut conn = self.db.pool.acquire().await?;
        for key in keys {
            if let Some(until) = failures(&mut conn, key)
                .await?
                .and_then(|f| f.locked_until_ms)
                .filter(|until| *until > now)
            {
                wait = wait.max(Some(until - now));
            }
        }
        Ok(wait.map(|ms| Duration::from_millis(u64::try_from(ms).unwrap_or(u64::MAX))))
    }

    /// After a successful sign-in: the account's failures are forgotten, and each address gets
    /// its attempt back and is unlocked, but its earlier failures still count, so the next
    /// failure from it locks it again at once.
    pub async fn succeeded(&self, keys: &[Key]) -> anyhow::Result<()> {
        let mut tx = self.db.begin_locked(Lock::Throttle).await?;
        for key in keys {
            match key {
                Key::Account(_) => {
                    sqlx::query("DELETE FROM sign_in_failures WHERE key = $1")
                        .bind(key.stored())
                        .execute(&mut *tx)
                        .await?;
                }
                Key::Address(_) => {
                    sqlx::query(
                        "UPDATE sign_in_failures
                         SET count = CASE WHEN count > 0 THEN count - 1 ELSE 0 END,
                             locked_until_ms = NULL
                         WHERE key = $1",
                    )
                    .bind(key.stored())
                    .execute(&mut *tx)
                    .await?;
                }
            }
        }
        tx.commit().await?;
        Ok(())
    }
}

async fn failures(conn: &mut sqlx::AnyConnection, key: &Key) -> anyhow::Result<Option<Failures>> {
    let row =
        sqlx::query("SELECT count, first_ms, locked_until_ms FROM sign_in_failures WHERE key = $1")
            .bind(key.stored())
            .fetch_optional(&mut *conn)
            .await?;
    row.map(|row| {
        Ok(Failures {
            count: row.try_get("count")?,
            first_ms: row.try_get("first_ms")?,
            locked_until_ms: row.try_get("locked_until_ms")?,
        })
    })
    .transpose()
}

async fn store(conn: &mut sqlx::AnyConnection, key: &Key, entry: Failures) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO sign_in_failures (key, count, first_ms, locked_until_ms)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (key) DO UPDATE SET count = excluded.count, first_ms = excluded.first_ms,
             locked_until_ms = excluded.locked_until_ms",
    )
    .bind(key.stored())
    .bind(entry.count)
    .bind(entry.first_ms)
    .bind(entry.locked_until_ms)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
