//! The HTTP server loop: hyper's HTTP/1 with a header-read timeout (which also closes a
//! kept-alive connection left idle), a bound on connections served at once and on those from
//! one client address, a timeout on request bodies, and a graceful shutdown that lets open
//! requests finish.
//!
//! Not `axum::serve`: it offers none of these limits. The loop is hyper-util's building blocks
//! (`TokioIo`, `TokioTimer`, `GracefulShutdown`) put together, with a semaphore for the bound.

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;
use tower_http::timeout::RequestBodyTimeoutLayer;

/// How connections are bounded.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// How long a client may take to send a request's headers, and to start the next request
    /// on a kept-alive connection.
    pub header_timeout: Duration,
    /// How long a client may take to send a request's body: one that trickles in would hold
    /// its connection, and its place under the bounds, for ever.
    pub body_timeout: Duration,
    /// Connections served at once; further ones wait in the listen backlog.
    pub max_connections: usize,
    /// Connections one client address may hold open; more are closed as they arrive, so no one
    /// address can take every place. Trusted proxies, which carry everyone, are exempt.
    pub max_per_client: usize,
}

/// Open connections per client address.
#[derive(Default)]
struct PerClient(Mutex<HashMap<IpAddr, usize>>);

/// One connection's place in [`PerClient`], given back when it closes.
struct Place {
    table: Arc<PerClient>,
    ip: IpAddr,
}

impl PerClient {
    /// A place for a connection from `ip`, unless it holds `max` already.
    fn take(self: &Arc<Self>, ip: IpAddr, max: usize) -> Option<Place> {
        let mut open = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let count = open.entry(ip).or_insert(0);
        if *count >= max {
            return None;
        }
        *count += 1;
        Some(Place {
            table: Arc::clone(self),
            ip,
        })
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        let mut open = self.table.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = open.get_mut(&self.ip) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

/// A request body that must arrive whole within a deadline from the request's start.
/// tower-http's `RequestBodyTimeout` restarts at every frame (an idle timeout), so a body that
/// drips one byte just inside it is never cut off; this deadline never restarts. Written here
/// because neither tower-http nor http-body-util has a total deadline for a body.
struct DeadlineBody {
    inner: axum::body::Body,
    deadline: std::pin::Pin<Box<tokio::time::Sleep>>,
}

impl DeadlineBody {
    fn new(inner: axum::body::Body, limit: Duration) -> Self {
        Self {
            inner,
            deadline: Box::pin(tokio::time::sleep(limit)),
        }
    }
}

impl hyper::body::Body for DeadlineBody {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Self::Data>, Self::Error>>> {
        if self.deadline.as_mut().poll(cx).is_ready() {
            return std::task::Poll::Ready(Some(Err(axum::Error::new(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the request body did not arrive in time",
            )))));
        }
        std::pin::Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.inner.size_hint()
    }
}

/// How long shutdown waits for open requests before giving up on them.
pub const DRAIN: Duration = Duration::from_secs(30);

/// The pause after a failed accept (out of file descriptors, say) before the next one.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// Serves `app` on `listener` until `shutdown` completes, then drains open connections.
/// Connections from `trusted_proxies` are not counted per address.
pub async fn run(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    trusted_proxies: Arc<[ipnet::IpNet]>,
    shutdown: impl Future<Output = ()>,
) {
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let per_client = Arc::new(PerClient::default());
    let body_timeout = limits.body_timeout;
    let app = app.layer(RequestBodyTimeoutLayer::new(body_timeout)).layer(
        tower::util::MapRequestLayer::new(move |request: axum::extract::Request| {
            request.map(|body| axum::body::Body::new(DeadlineBody::new(body, body_timeout)))
        }),
    );
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_closed) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let ip = crate::client::canonical(peer.ip());
        let place = if trusted_proxies.iter().any(|net| net.contains(&ip)) {
            None
        } else {
            match per_client.take(ip, limits.max_per_client) {
                Some(place) => Some(place),
                None => {
                    tracing::warn!(client = %ip, "closing a connection: that address holds too many already");
                    continue;
                }
            }
        };
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "cannot set TCP_NODELAY");
        }
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request
                .extensions_mut()
                .insert(ConnectInfo::<SocketAddr>(peer));
            app.clone().oneshot(request.map(axum::body::Body::new))
        });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "a connection ended with an error");
            }
            drop((permit, place));
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(DRAIN) => {
            tracing::warn!("shutting down with requests still open after {DRAIN:?}");
        }
    }
}
