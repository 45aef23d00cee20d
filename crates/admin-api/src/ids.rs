//! Id patterns of upstream objects. Both the sandbox and the BFF check ids against them, so that a
//! path segment such as `..` or `a%2Fb` can never travel upstream as an id.

use crate::ApiError;

/// Checks that `id` is `prefix` followed by 1–64 ASCII letters, digits, `_`, `-` or `.` (the
/// prefix keeps a segment from ever being `.` or `..`).
pub fn check(id: &str, prefixes: &[&str], param: &str) -> Result<(), ApiError> {
    let valid = prefixes.iter().any(|prefix| {
        id.strip_prefix(prefix).is_some_and(|rest| {
            (1..=64).contains(&rest.len())
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
        })
    });
    if valid {
        Ok(())
    } else {
        Err(ApiError::invalid_request(
            format!("Invalid {param}: '{}'.", truncate(id)),
            Some(param),
        ))
    }
}

/// Keeps error messages short when someone sends a huge id.
fn truncate(id: &str) -> String {
    id.chars().take(80).collect()
}

/// A user id: `user-…` (upstream's examples also show `user_…`).
pub fn user_id(id: &str) -> Result<(), ApiError> {
    check(id, &["user-", "user_"], "user_id")
}

/// An invite id: `invite-…`.
pub fn invite_id(id: &str) -> Result<(), ApiError> {
    check(id, &["invite-"], "invite_id")
}

/// A project id: `proj_…`.
pub fn project_id(id: &str) -> Result<(), ApiError> {
    check(id, &["proj_"], "project_id")
}

/// A service account id: `svc_acct_…`.
pub fn service_account_id(id: &str) -> Result<(), ApiError> {
    check(id, &["svc_acct_"], "service_account_id")
}

/// A project API key id: `key_…`.
pub fn api_key_id(id: &str) -> Result<(), ApiError> {
    check(id, &["key_"], "api_key_id")
}

/// An admin API key id: `key_…`.
pub fn admin_key_id(id: &str) -> Result<(), ApiError> {
    check(id, &["key_"], "key_id")
}

/// A rate limit id: `rl-…` (upstream's examples also show `rl_…`).
pub fn rate_limit_id(id: &str) -> Result<(), ApiError> {
    check(id, &["rl-", "rl_"], "rate_limit_id")
}

/// A group id: `group_…`.
pub fn group_id(id: &str) -> Result<(), ApiError> {
    check(id, &["group_"], "group_id")
}

/// A role id: `role_…`.
pub fn role_id(id: &str) -> Result<(), ApiError> {
    check(id, &["role_"], "role_id")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_ids_follow_the_pattern() {
        assert!(user_id("user-abc123").is_ok());
        assert!(user_id("user_abc").is_ok());
        for bad in [
            "user-",
            "..",
            "user-a/b",
            "user-a%2Fb",
            "proj_abc",
            "user-ä",
            "",
        ] {
            let err = user_id(bad).expect_err(bad);
            assert_eq!(err.param.as_deref(), Some("user_id"));
        }
        assert!(user_id(&format!("user-{}", "a".repeat(65))).is_err());
    }
}
