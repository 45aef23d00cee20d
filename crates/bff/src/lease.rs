//! Leases: a job that only one replica may do at a time (the archive's sync) is done by the
//! replica holding its row in `leases`. The holder renews it every [`RENEW_EVERY`]; a holder
//! that dies stops renewing, and once its lease has run out (after [`TTL`]) the next replica
//! to try takes it over, within a minute of the death. A replica that stops cleanly gives its
//! leases up at once.
//!
//! Written by hand: a lease is one conditional upsert, the same on SQLite and PostgreSQL, and
//! its times are the replicas' wall clocks (kept in step by NTP, as TLS already needs).

use std::time::Duration;

use tokio::sync::watch;

use crate::db::Db;

/// How long a lease lasts without renewal.
pub const TTL: Duration = Duration::from_secs(30);

/// How often the holder renews, and others try to take it.
pub const RENEW_EVERY: Duration = Duration::from_secs(10);

/// One named lease, as one replica sees it.
#[derive(Debug, Clone)]
pub struct Lease {
    db: Db,
    name: &'static str,
    /// This replica: random per process.
    holder: String,
}

impl Lease {
    /// The lease `name` in `db`, for this process.
    pub fn new(db: Db, name: &'static str) -> Self {
        Self {
            db,
            name,
            holder: crate::session::random_token()[..16].to_owned(),
        }
    }

    /// Takes the lease if it is free or has run out, or renews it if this replica holds it;
    /// whether this replica holds it now.
    pub async fn try_hold(&self) -> anyhow::Result<bool> {
        let now = crate::db::now_ms();
        let ttl = i64::try_from(TTL.as_millis()).unwrap_or(i64::MAX);
        let taken = sqlx::query(
            "INSERT INTO leases (name, holder, expires_ms) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,
                 expires_ms = excluded.expires_ms
             WHERE leases.holder = excluded.holder OR leases.expires_ms < $4",
        )
        .bind(self.name)
        .bind(self.holder.clone())
        .bind(now.saturating_add(ttl))
        .bind(now)
        .execute(&self.db.pool)
        .await?
        .rows_affected();
        Ok(taken > 0)
    }

    /// Gives the lease up, if this replica holds it.
    pub async fn release(&self) -> anyhow::Result<()> {
        sqlx::query("DELETE FROM leases WHERE name = $1 AND holder = $2")
            .bind(self.name)
            .bind(self.holder.clone())
            .execute(&self.db.pool)
            .await?;
        Ok(())
    }

    /// Keeps trying to hold the lease, every [`RENEW_EVERY`], until the process ends; the
    /// receiver says whether this replica holds it. A failed renewal counts as not holding:
    /// another replica may take over once the lease runs out.
    pub fn keep(self) -> watch::Receiver<bool> {
        let (tx, rx) = watch::channel(false);
        tokio::spawn(async move {
            loop {
                let held = match self.try_hold().await {
                    Ok(held) => held,
                    Err(error) => {
                        tracing::warn!(error = %format!("{error:#}"), lease = self.name, "cannot renew a lease");
                        false
                    }
                };
                if held != *tx.borrow() {
                    match held {
                        true => {
                            tracing::info!(lease = self.name, holder = %self.holder, "this replica took the lease")
                        }
                        false => {
                            tracing::info!(lease = self.name, holder = %self.holder, "this replica no longer holds the lease")
                        }
                    }
                }
                tx.send_replace(held);
                if tx.is_closed() {
                    let _ = self.release().await;
                    return;
                }
                tokio::time::sleep(RENEW_EVERY).await;
            }
        });
        rx
    }
}
