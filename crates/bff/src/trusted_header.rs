//! Trusted-header sign-in, for deployments behind an SSO proxy such as oauth2-proxy: the proxy
//! authenticates people and names them in a header (`X-Forwarded-Email`); Gatehouse believes
//! that header only from the proxy's own addresses, and maps the email to a role.

use std::net::IpAddr;
use std::path::Path;

use anyhow::Context;
use ipnet::IpNet;
use serde::Deserialize;

use crate::accounts::Role;

/// Who may be which role: exact emails or `@domain` entries, per role.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RoleMap {
    #[serde(default)]
    pub owner: Vec<String>,
    #[serde(default)]
    pub auditor: Vec<String>,
}

impl RoleMap {
    /// Reads a JSON file such as `{"owner": ["alice@acme.example"], "auditor": ["@acme.example"]}`.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("--role-map {}: cannot read it", path.display()))?;
        serde_json::from_str(&text)
            .with_context(|| format!("--role-map {}: not a valid role map", path.display()))
    }

    /// The role for `email`: owner entries win over auditor entries, exact emails and domains
    /// alike; `None` if neither lists it.
    pub fn role_of(&self, email: &str) -> Option<Role> {
        let email = email.trim().to_ascii_lowercase();
        let domain = email.rsplit_once('@').map(|(_, d)| format!("@{d}"));
        let listed = |entries: &[String]| {
            entries.iter().any(|e| {
                let e = e.trim().to_ascii_lowercase();
                e == email || domain.as_deref() == Some(e.as_str())
            })
        };
        if listed(&self.owner) {
            Some(Role::Owner)
        } else if listed(&self.auditor) {
            Some(Role::Auditor)
        } else {
            None
        }
    }
}

/// The trusted-header configuration.
#[derive(Debug, Clone)]
pub struct TrustedHeader {
    /// The header naming the signed-in person (lowercase).
    pub header: String,
    /// The proxy's addresses; a header from anywhere else is ignored.
    pub proxies: Vec<IpNet>,
    pub roles: RoleMap,
}

impl TrustedHeader {
    /// The email the proxy vouches for, if `peer` is a trusted proxy and the header is present.
    pub fn identity<'a>(
        &self,
        peer: Option<IpAddr>,
        headers: &'a axum::http::HeaderMap,
    ) -> Option<&'a str> {
        let peer = peer?;
        if !self.proxies.iter().any(|net| net.contains(&peer)) {
            return None;
        }
        headers
            .get(self.header.as_str())?
            .to_str()
            .ok()
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_by_email_and_domain() {
        let map = RoleMap {
            owner: vec!["Alice@Acme.example".into()],
            auditor: vec!["@acme.example".into()],
        };
        assert_eq!(map.role_of("alice@acme.example"), Some(Role::Owner));
        assert_eq!(map.role_of("bob@acme.example"), Some(Role::Auditor));
        assert_eq!(map.role_of("eve@evil.example"), None);
        assert_eq!(map.role_of("eve@notacme.example"), None);
    }
}
