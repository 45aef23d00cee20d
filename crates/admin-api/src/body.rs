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
    serde_json::from_value(value).map_err(|e| {
        // serde names the field in its message; the known field list is short, so find it there.
        let message = e.to_string();
        let param = known
            .iter()
            .find(|k| message.contains(&format!("`{k}`")))
            .or_else(|| known.first().filter(|_| known.len() == 1))
            .copied();
        ApiError::invalid_request(format!("Invalid request body: {message}."), param)
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
        let err = parse::<UserRoleUpdate>(b"[1]", &["role"]).expect_err("not an object");
        assert_eq!(err.param, None);
        assert!(parse::<UserRoleUpdate>(br#"{"role":"reader"}"#, &["role"]).is_ok());
    }
}
