//! Request bodies: JSON objects whose fields are checked against the operation's known fields
//! before they are decoded, so that an unknown field is named in upstream's words.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::ApiError;

/// Decodes a JSON object body, refusing fields outside `known`.
pub fn parse<T: DeserializeOwned>(bytes: &[u8], known: &[&str]) -> Result<T, ApiError> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
        ApiError::invalid_request(
            format!("We could not parse the JSON body of your request: {e}."),
            None,
        )
    })?;
    let Value::Object(fields) = &value else {
        return Err(ApiError::invalid_request(
            "The request body must be a JSON object.",
            None,
        ));
    };
    if let Some(unknown) = fields.keys().find(|k| !known.contains(&k.as_str())) {
        return Err(ApiError::invalid_request(
            format!("Unrecognized request argument supplied: {unknown}"),
            Some(unknown),
        ));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        // The path names the field whose value is wrong (`projects[0].role` → `projects`);
        // a missing field has an empty path, and serde names it in the message instead.
        let path = e.path().to_string();
        let message = e.inner().to_string();
        let top = path
            .split(['.', '['])
            .next()
            .filter(|p| !p.is_empty() && *p != "?");
        let param = top.map(str::to_owned).or_else(|| {
            known
                .iter()
                .find(|k| message.contains(&format!("`{k}`")))
                .map(|k| (*k).to_owned())
        });
        ApiError::invalid_request(
            format!("Invalid request body: {message}."),
            param.as_deref(),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::users::UserRoleUpdate;

    #[test]
    fn unknown_and_invalid_fields_are_named() {
        let err = parse::<UserRoleUpdate>(br#"{"role":"owner","admin":true}"#, &["role"])
            .expect_err("unknown field");
        assert_eq!(err.param.as_deref(), Some("admin"));
        let err = parse::<UserRoleUpdate>(br#"{"role":"god"}"#, &["role"]).expect_err("bad role");
        assert_eq!(err.param.as_deref(), Some("role"));
        let err = parse::<UserRoleUpdate>(br#"{"role":7}"#, &["role"]).expect_err("wrong type");
        assert_eq!(err.param.as_deref(), Some("role"));
        let err = parse::<UserRoleUpdate>(b"{}", &["role"]).expect_err("missing");
        assert_eq!(err.param.as_deref(), Some("role"));
        let err = parse::<UserRoleUpdate>(b"[1]", &["role"]).expect_err("not an object");
        assert_eq!(err.param, None);
        assert!(parse::<UserRoleUpdate>(br#"{"role":"reader"}"#, &["role"]).is_ok());
    }
}
