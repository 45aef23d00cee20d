//! Project rate limits: list, update (positive integers only).

use serde::{Deserialize, Serialize};

use crate::ApiError;

/// `project.rate_limit`: the limits of one model in one project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectRateLimit {
    pub object: String,
    pub id: String,
    pub model: String,
    pub max_requests_per_1_minute: i64,
    pub max_tokens_per_1_minute: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_images_per_1_minute: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_audio_megabytes_per_1_minute: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_requests_per_1_day: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_1_day_max_input_tokens: Option<i64>,
}

/// The body of `POST .../rate_limits/{id}`: any subset of the limits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct RateLimitUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_requests_per_1_minute: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_tokens_per_1_minute: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_images_per_1_minute: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_audio_megabytes_per_1_minute: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_requests_per_1_day: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_1_day_max_input_tokens: Option<i64>,
}

impl RateLimitUpdate {
    /// The fields upstream knows.
    pub const FIELDS: &'static [&'static str] = &[
        "max_requests_per_1_minute",
        "max_tokens_per_1_minute",
        "max_images_per_1_minute",
        "max_audio_megabytes_per_1_minute",
        "max_requests_per_1_day",
        "batch_1_day_max_input_tokens",
    ];

    /// The fields present, by name.
    pub fn fields(&self) -> [(&'static str, Option<i64>); 6] {
        [
            (Self::FIELDS[0], self.max_requests_per_1_minute),
            (Self::FIELDS[1], self.max_tokens_per_1_minute),
            (Self::FIELDS[2], self.max_images_per_1_minute),
            (Self::FIELDS[3], self.max_audio_megabytes_per_1_minute),
            (Self::FIELDS[4], self.max_requests_per_1_day),
            (Self::FIELDS[5], self.batch_1_day_max_input_tokens),
        ]
    }

    /// Every given limit must be a positive integer, and at least one must be given.
    pub fn validate(&self) -> Result<(), ApiError> {
        let given: Vec<_> = self
            .fields()
            .into_iter()
            .filter_map(|(name, value)| Some((name, value?)))
            .collect();
        if given.is_empty() {
            return Err(ApiError::invalid_request(
                "Give at least one limit to change.",
                Some(Self::FIELDS[0]),
            ));
        }
        match given.iter().find(|(_, value)| *value < 1) {
            Some((name, value)) => Err(ApiError::invalid_request(
                format!("'{name}' must be a positive integer, not {value}."),
                Some(name),
            )),
            None => Ok(()),
        }
    }

    /// Applies the given limits to `limit`.
    pub fn apply(&self, limit: &mut ProjectRateLimit) {
        let set = |target: &mut i64, value: Option<i64>| {
            if let Some(v) = value {
                *target = v;
            }
        };
        set(
            &mut limit.max_requests_per_1_minute,
            self.max_requests_per_1_minute,
        );
        set(
            &mut limit.max_tokens_per_1_minute,
            self.max_tokens_per_1_minute,
        );
        let set_opt = |target: &mut Option<i64>, value: Option<i64>| {
            if value.is_some() {
                *target = value;
            }
        };
        set_opt(
            &mut limit.max_images_per_1_minute,
            self.max_images_per_1_minute,
        );
        set_opt(
            &mut limit.max_audio_megabytes_per_1_minute,
            self.max_audio_megabytes_per_1_minute,
        );
        set_opt(
            &mut limit.max_requests_per_1_day,
            self.max_requests_per_1_day,
        );
        set_opt(
            &mut limit.batch_1_day_max_input_tokens,
            self.batch_1_day_max_input_tokens,
        );
    }
}

/// The query of `GET .../rate_limits`: forward with `after`, backward with `before`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListRateLimitsQuery {
    pub paging: crate::query::Paging,
    pub before: Option<String>,
}

impl ListRateLimitsQuery {
    /// Reads the query, leaving unknown parameters in `pairs`.
    pub fn take_from(pairs: &mut crate::query::QueryPairs) -> Result<Self, ApiError> {
        let paging = crate::query::Paging::take_from(pairs)?;
        let before = pairs.one("before")?;
        if let Some(before) = &before {
            crate::ids::rate_limit_id(before).map_err(|e| ApiError {
                param: Some("before".into()),
                ..e
            })?;
        }
        Ok(Self { paging, before })
    }

    /// The query string upstream expects.
    pub fn to_query_string(&self) -> String {
        let mut pairs = Vec::new();
        self.paging.push_pairs(&mut pairs);
        if let Some(before) = &self.before {
            pairs.push(("before", before.clone()));
        }
        crate::query::encode(pairs)
    }
}
