//! Who is on the other end of a request: the peer's address, and, when the peer is one of the
//! trusted proxies (`--trusted-proxy`), the client that proxy names in `X-Forwarded-For`.
//!
//! Resolved once per request by the outermost middleware, so throttling, the journal's
//! `client`, the logs and the trusted-header sign-in all see the same answer. Headers that only
//! a proxy may set (`X-Forwarded-For`, `X-Request-Id`) are believed only from a trusted peer.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;

use crate::middleware::REQUEST_ID;

/// The longest request id a trusted proxy may set.
const REQUEST_ID_MAX: usize = 128;

/// The client of a request, as far as Gatehouse can tell.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClientAddr {
    /// The client's address: the peer's, or the one a trusted peer forwarded for.
    pub ip: Option<IpAddr>,
    /// Whether the peer itself is a trusted proxy (its identity headers are believed).
    pub via_trusted_proxy: bool,
}

impl ClientAddr {
    /// The address as text, or `unknown`.
    pub fn label(&self) -> String {
        self.ip
            .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string())
    }

    /// The client of a request from `peer` with `headers`, given the trusted proxies: for a
    /// trusted peer, walking `X-Forwarded-For` from the right, the first entry that is not
    /// itself trusted (the entries left of it could be anything the client wrote); otherwise
    /// the peer. An entry that is not an address ends the walk at the last trusted hop, since
    /// nothing left of it can be believed.
    pub fn resolve(peer: Option<IpAddr>, headers: &HeaderMap, proxies: &[IpNet]) -> Self {
        let peer = peer.map(canonical);
        let trusted = |ip: &IpAddr| proxies.iter().any(|net| net.contains(ip));
        let Some(mut client) = peer.filter(|ip| trusted(ip)) else {
            return Self {
                ip: peer,
                via_trusted_proxy: false,
            };
        };
        let entries: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .collect();
        for entry in entries.iter().rev() {
            let Some(ip) = address_of(entry) else { break };
            client = ip;
            if !trusted(&ip) {
                break;
            }
        }
        Self {
            ip: Some(client),
            via_trusted_proxy: true,
        }
    }

    /// The throttling key of this client: the address, or for IPv6 its /64, which one host
    /// usually holds whole (counting single addresses would let it rotate through them).
    pub fn throttle_label(&self) -> String {
        match self.ip {
            Some(IpAddr::V6(v6)) => ipnet::Ipv6Net::new(v6, 64)
                .map_or_else(|_| v6.to_string(), |net| net.trunc().to_string()),
            _ => self.label(),
        }
    }
}

/// The address in one `X-Forwarded-For` entry: a bare address, or one with a port
/// (`203.0.113.5:443`, `[2001:db8::1]:443`), as some proxies write them.
fn address_of(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    entry
        .parse::<IpAddr>()
        .or_else(|_| entry.parse::<SocketAddr>().map(|a| a.ip()))
        .ok()
        .map(canonical)
}

/// An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`, as a dual-stack listener sees IPv4 peers)
/// as the IPv4 address it is.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V4(_) => ip,
    }
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<Self>().copied().unwrap_or_default())
    }
}

/// The middleware: resolves the client, keeps it as an extension, and drops a request id that
/// did not come from a trusted proxy (or that no log line should carry), so that Gatehouse
/// makes its own.
pub async fn identify(
    State(proxies): State<Arc<[IpNet]>>,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip());
    let client = ClientAddr::resolve(peer, request.headers(), &proxies);
    let believed = client.via_trusted_proxy
        && request.headers().get_all(REQUEST_ID).iter().count() == 1
        && request.headers().get(REQUEST_ID).is_some_and(|id| {
            (1..=REQUEST_ID_MAX).contains(&id.len())
                && id.as_bytes().iter().all(u8::is_ascii_graphic)
        });
    if !believed {
        request.headers_mut().remove(REQUEST_ID);
    }
    request.extensions_mut().insert(client);
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(peer: &str, forwarded: &str) -> ClientAddr {
        let proxies: Vec<IpNet> = vec!["10.0.0.0/8".parse().expect("cidr")];
        let mut headers = HeaderMap::new();
        if !forwarded.is_empty() {
            headers.insert("x-forwarded-for", forwarded.parse().expect("header"));
        }
        ClientAddr::resolve(Some(peer.parse().expect("ip")), &headers, &proxies)
    }

    #[test]
    fn the_right_most_untrusted_forwarded_address_is_the_client() {
        assert_eq!(resolve("10.0.0.1", "198.51.100.7").label(), "198.51.100.7");
        assert_eq!(
            resolve("10.0.0.1", "1.2.3.4, 198.51.100.7, 10.0.0.9").label(),
            "198.51.100.7"
        );
        assert_eq!(resolve("10.0.0.1", "").label(), "10.0.0.1");
        assert_eq!(
            resolve("10.0.0.1", "10.0.0.2, 10.0.0.3").label(),
            "10.0.0.2"
        );
        assert_eq!(
            resolve("10.0.0.1", "junk, 198.51.100.7").label(),
            "198.51.100.7",
            "junk left of the client does not matter"
        );
        assert_eq!(
            resolve("10.0.0.1", "198.51.100.7, junk, 10.0.0.2").label(),
            "10.0.0.2",
            "junk ends the walk at the last trusted hop"
        );
        assert_eq!(
            resolve("10.0.0.1", "198.51.100.7:443, 10.0.0.2:80").label(),
            "198.51.100.7",
            "ports are dropped"
        );
        assert_eq!(
            resolve("10.0.0.1", "[2001:db8::7]:443").label(),
            "2001:db8::7"
        );
        assert!(resolve("10.0.0.1", "").via_trusted_proxy);
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let client = resolve("192.0.2.1", "10.0.0.5");
        assert_eq!(client.label(), "192.0.2.1");
        assert!(!client.via_trusted_proxy);
    }

    #[test]
    fn ipv6_clients_are_throttled_by_their_slash_64() {
        let a = resolve("2001:db8:1:2::a", "");
        let b = resolve("2001:db8:1:2:ffff::b", "");
        assert_eq!(a.throttle_label(), "2001:db8:1:2::/64");
        assert_eq!(a.throttle_label(), b.throttle_label());
        assert_eq!(resolve("192.0.2.1", "").throttle_label(), "192.0.2.1");
    }

    #[test]
    fn ipv4_mapped_peers_match_ipv4_ranges() {
        let client = resolve("::ffff:10.1.2.3", "");
        assert!(client.via_trusted_proxy);
        assert_eq!(client.label(), "10.1.2.3");
    }
}
