//! Trusted-header sign-in, for deployments behind an SSO proxy such as oauth2-proxy: the proxy
//! authenticates people and names them in a header (`X-Forwarded-Email`); Gatehouse believes
//! that header only from the proxy's own addresses (`--trusted-proxy`), and maps the email to a
//! role.

use std::path::Path;

use anyhow::Context;
use serde::Deserialize;

use crate::AppError;
use crate::accounts::Role;
use crate::client::ClientAddr;

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

/// The trusted-header configuration. The proxies it is believed from are the deployment's
/// trusted proxies (`AppState::trusted_proxies`).
#[derive(Debug, Clone)]
pub struct TrustedHeader {
    /// The header naming the signed-in person (lowercase).
    pub header: String,
    pub roles: RoleMap,
}

impl TrustedHeader {
    /// The email the proxy vouches for (lowercased), if the request came straight from a
    /// trusted proxy and the header is present. The header twice, or a value that is not one
    /// address, is a 401: a proxy that appends rather than replaces would otherwise let the
    /// client's own value win.
    pub fn identity(
        &self,
        client: ClientAddr,
        headers: &axum::http::HeaderMap,
    ) -> Result<Option<String>, AppError> {
        if !client.via_trusted_proxy {
            return Ok(None);
        }
        let mut values = headers.get_all(self.header.as_str()).iter();
        let (Some(value), None) = (values.next(), values.next()) else {
            return match headers.contains_key(self.header.as_str()) {
                true => Err(AppError::new_unauthorized(
                    "The sign-in proxy named more than one person in this request, so it was refused.",
                    "ambiguous_identity",
                )),
                false => Ok(None),
            };
        };
        let Some(value) = value.to_str().ok().map(str::trim).filter(|v| !v.is_empty()) else {
            return Ok(None);
        };
        // One address, nothing else: a proxy that folds the client's own value into its
        // header with a comma must not let the client choose a prefix.
        let single = value.bytes().filter(|b| *b == b'@').count() == 1
            && !value
                .bytes()
                .any(|b| b == b',' || b.is_ascii_whitespace() || b.is_ascii_control());
        if !single {
            return Err(AppError::new_unauthorized(
                "The sign-in proxy's header does not name exactly one person, so it was refused.",
                "ambiguous_identity",
            ));
        }
        // Emails are matched without regard to case, so one person is one identity.
        Ok(Some(value.to_ascii_lowercase()))
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
