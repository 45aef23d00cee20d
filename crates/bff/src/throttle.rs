//! Sign-in throttling: after repeated failures, an account name and a client address are each
//! locked out for a while, doubling with every further failure. The lock applies whether or not
//! the account exists, so a 429 reveals nothing about which names are real.
//!
//! Written by hand: `governor` and `tower_governor` limit request rates, while this counts
//! failures per key and must be reset by a success.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::session::Clock;

/// Failures allowed before a lock.
pub const FREE_FAILURES: u32 = 5;
/// Failures older than this are forgotten.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// The first lock; each further failure doubles it, up to [`MAX_LOCK`].
pub const FIRST_LOCK: Duration = Duration::from_secs(30);
/// The longest lock.
pub const MAX_LOCK: Duration = Duration::from_secs(15 * 60);

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    first: Instant,
    locked_until: Option<Instant>,
}

/// Failure counts per key (`user:NAME`, `ip:ADDR`).
#[derive(Debug, Default)]
pub struct Throttle {
    failures: Mutex<HashMap<String, Failures>>,
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

    /// How long the caller must wait, if any of `keys` is locked.
    pub fn locked(&self, keys: &[String]) -> Option<Duration> {
        let now = self.clock.now();
        let failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        keys.iter()
            .filter_map(|k| failures.get(k)?.locked_until)
            .filter(|until| *until > now)
            .map(|until| until - now)
            .max()
    }

    /// Counts a failure against each key, locking those past the free allowance.
    pub fn failed(&self, keys: &[String]) {
        let now = self.clock.now();
        let mut failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
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
            if entry.count >= FREE_FAILURES {
                let doublings = (entry.count - FREE_FAILURES).min(10);
                let lock = FIRST_LOCK.saturating_mul(1 << doublings).min(MAX_LOCK);
                entry.locked_until = Some(now + lock);
            }
        }
    }

    /// Clears the keys after a successful sign-in.
    pub fn succeeded(&self, keys: &[String]) {
        let mut failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        for key in keys {
            failures.remove(key);
        }
    }
}
