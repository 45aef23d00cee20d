//! Input checks shared by the sandbox (which answers as upstream would) and the BFF (which refuses
//! bad input before it travels): each names the offending parameter.

use crate::ApiError;

/// Longest name accepted for projects, service accounts and keys. Upstream does not document a
/// limit; 128 characters is generous for a label and keeps tables readable.
pub const NAME_MAX: usize = 128;

/// A plausible email address: one `@`, a non-empty local part, a dotted domain, no spaces.
/// Deliberately simple: upstream sends the invitation, which is the real check.
pub fn email(value: &str, param: &str) -> Result<(), ApiError> {
    let valid = value.len() <= 254
        && !value.chars().any(char::is_whitespace)
        && value.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.split('.').count() >= 2
                && domain.split('.').all(|label| !label.is_empty())
        });
    if valid {
        Ok(())
    } else {
        Err(ApiError::invalid_request(
            format!("Invalid email address: '{value}'."),
            Some(param),
        ))
    }
}

/// A name: not blank, at most [`NAME_MAX`] characters.
pub fn name(value: &str, param: &str) -> Result<(), ApiError> {
    if value.trim().is_empty() {
        return Err(ApiError::invalid_request(
            format!("'{param}' must not be empty."),
            Some(param),
        ));
    }
    if value.chars().count() > NAME_MAX {
        return Err(ApiError::invalid_request(
            format!("'{param}' is too long: at most {NAME_MAX} characters."),
            Some(param),
        ));
    }
    Ok(())
}

/// One of the allowed values.
pub fn one_of(value: &str, allowed: &[&str], param: &str) -> Result<(), ApiError> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(ApiError::invalid_request(
            format!(
                "Invalid '{param}': '{value}'. It must be one of: {}.",
                allowed.join(", ")
            ),
            Some(param),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        for ok in ["a@b.co", "first.last+tag@sub.example.com"] {
            assert!(email(ok, "email").is_ok(), "{ok}");
        }
        for bad in [
            "", "a", "a@", "@b.co", "a@b", "a b@c.de", "a@b..c", "a@b@c.de",
        ] {
            assert_eq!(
                email(bad, "email").expect_err(bad).param.as_deref(),
                Some("email")
            );
        }
    }

    #[test]
    fn names() {
        assert!(name("Alpha", "name").is_ok());
        assert!(name("  ", "name").is_err());
        assert!(name(&"x".repeat(NAME_MAX + 1), "name").is_err());
        assert!(name(&"é".repeat(NAME_MAX), "name").is_ok());
    }
}
