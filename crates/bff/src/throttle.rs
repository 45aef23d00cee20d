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

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

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
    fn limits(&self) -> Limits {
        match self {
            Self::Account(_) => ACCOUNT,
            Self::Address(_) => ADDRESS,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    first: Instant,
    locked_until: Option<Instant>,
}

impl Failures {
    /// Sets or lifts the lock for the current count.
    fn relock(&mut self, limits: Limits, now: Instant) {
        self.locked_until = (self.count >= limits.free).then(|| {
            let doublings = (self.count - limits.free).min(10);
            now + limits
                .first_lock
                .saturating_mul(1 << doublings)
                .min(limits.max_lock)
        });
    }
}

/// Failure counts per key.
#[derive(Debug, Default)]
pub struct Throttle {
    failures: Mutex<HashMap<Key, Failures>>,
    clock: Clock,
}

impl Throttle {
    /// A throttle reading time from `clock`.
    pub fn new(clock: Clock) -> Self {
        Self {
            failures: Mutex::default(),
            clock,
        }
    }

    /// Counts an attempt against each key before its password is checked, or refuses it with
    /// the wait if any key is locked (a refused attempt is not counted).
    pub fn begin(&self, keys: &[Key]) -> Result<(), Duration> {
        let now = self.clock.now();
        let mut failures = self.lock();
        let wait = keys
            .iter()
            .filter_map(|k| failures.get(k)?.locked_until)
            .filter(|until| *until > now)
            .map(|until| until - now)
            .max();
        if let Some(wait) = wait {
            return Err(wait);
        }
        failures.retain(|_, f| {
            now.duration_since(f.first) < WINDOW || f.locked_until.is_some_and(|u| u > now)
        });
        for key in keys {
            let entry = failures.entry(key.clone()).or_insert(Failures {
                count: 0,
                first: now,
                locked_until: None,
            });
            entry.count += 1;
            entry.relock(key.limits(), now);
        }
        Ok(())
    }

    /// After a successful sign-in: the account's failures are forgotten, and each address gets
    /// its attempt back and is unlocked, but its earlier failures still count, so the next
    /// failure from it locks it again at once.
    pub fn succeeded(&self, keys: &[Key]) {
        let mut failures = self.lock();
        for key in keys {
            match key {
                Key::Account(_) => {
                    failures.remove(key);
                }
                Key::Address(_) => {
                    if let Some(entry) = failures.get_mut(key) {
                        entry.count = entry.count.saturating_sub(1);
                        entry.locked_until = None;
                    }
                }
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Failures>> {
        self.failures.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
