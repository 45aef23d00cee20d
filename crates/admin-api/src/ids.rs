//! Id patterns of upstream objects. Both the sandbox and the BFF check ids against them, so that a
//! path segment such as `..` or `a%2Fb` can never travel upstream as an id.

use crate::ApiError;

/// Checks that `id` is `prefix` followed by 1–64 ASCII letters, digits, `_` or `-`.
pub fn check(id: &str, prefixes: &[&str], param: &str) -> Result<(), ApiError> {
    let valid = prefixes.iter().any(|prefix| {
        id.strip_prefix(prefix).is_some_and(|rest| {
            (1..=64).contains(&rest.len())
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
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
