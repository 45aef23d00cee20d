//! Query strings as upstream spells them: `limit`, `after`, `before` and repeated array keys such as
//! `emails[]=a&emails[]=b`.
//!
//! Written by hand on top of `form_urlencoded` because serde_urlencoded cannot read repeated keys,
//! and because every error has to name the offending parameter in upstream's error shape.

use crate::ApiError;

/// The smallest, default and largest page size upstream allows.
pub const LIMIT_MIN: u32 = 1;
pub const LIMIT_DEFAULT: u32 = 20;
pub const LIMIT_MAX: u32 = 100;

/// The most values one array parameter may carry. Upstream documents no bound; a filter with
/// thousands of ids is an attack on whoever answers it (every value is a bound parameter of a
/// database query), not a search.
pub const MANY_MAX: usize = 100;

/// Decoded `key=value` pairs of one query string, consumed by the typed parsers.
#[derive(Debug, Default)]
pub struct QueryPairs(Vec<(String, String)>);

impl QueryPairs {
    /// Decodes a raw query string (without the `?`).
    pub fn parse(raw: Option<&str>) -> Self {
        Self(
            form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// Takes a parameter that may appear at most once.
    pub fn one(&mut self, name: &str) -> Result<Option<String>, ApiError> {
        let mut values = self.take(&[name]);
        match values.len() {
            0 => Ok(None),
            1 => Ok(values.pop()),
            _ => Err(ApiError::invalid_request(
                format!("Parameter '{name}' was given more than once."),
                Some(name),
            )),
        }
    }

    /// Takes an array parameter, accepting both `name[]` and `name`, at most [`MANY_MAX`]
    /// values.
    pub fn many(&mut self, name: &str) -> Result<Vec<String>, ApiError> {
        let bracketed = format!("{name}[]");
        let values = self.take(&[name, &bracketed]);
        if values.len() > MANY_MAX {
            return Err(ApiError::invalid_request(
                format!(
                    "Too many values for '{bracketed}': {}. At most {MANY_MAX} are allowed.",
                    values.len()
                ),
                Some(&bracketed),
            ));
        }
        Ok(values)
    }

    /// Takes an integer parameter.
    pub fn integer(&mut self, name: &str) -> Result<Option<i64>, ApiError> {
        self.one(name)?
            .map(|v| {
                v.parse::<i64>().map_err(|_| {
                    ApiError::invalid_request(
                        format!("Invalid value for '{name}': expected an integer, got '{v}'."),
                        Some(name),
                    )
                })
            })
            .transpose()
    }

    /// Takes a `true`/`false` parameter (absent is `false`).
    pub fn flag(&mut self, name: &str) -> Result<bool, ApiError> {
        match self.one(name)?.as_deref() {
            None | Some("false") => Ok(false),
            Some("true") => Ok(true),
            Some(other) => Err(ApiError::invalid_request(
                format!("Invalid '{name}': '{other}'. Use true or false."),
                Some(name),
            )),
        }
    }

    /// Takes `limit`, checking upstream's range.
    pub fn limit(&mut self) -> Result<u32, ApiError> {
        match self.integer("limit")? {
            None => Ok(LIMIT_DEFAULT),
            Some(n) if (i64::from(LIMIT_MIN)..=i64::from(LIMIT_MAX)).contains(&n) => {
                Ok(u32::try_from(n).unwrap_or(LIMIT_DEFAULT))
            }
            Some(n) => Err(ApiError::invalid_request(
                format!("Invalid 'limit': {n}. It must be between {LIMIT_MIN} and {LIMIT_MAX}."),
                Some("limit"),
            )),
        }
    }

    /// Fails on the first parameter nobody took, naming it.
    pub fn deny_unknown(self) -> Result<(), ApiError> {
        match self.0.into_iter().next() {
            None => Ok(()),
            Some((name, _)) => Err(ApiError::invalid_request(
                format!("Unknown parameter: '{name}'."),
                Some(&name),
            )),
        }
    }

    fn take(&mut self, names: &[&str]) -> Vec<String> {
        let mut taken = Vec::new();
        self.0.retain(|(k, v)| {
            if names.contains(&k.as_str()) {
                taken.push(v.clone());
                false
            } else {
                true
            }
        });
        taken
    }
}

/// Builds a query string from pairs, encoding as upstream expects.
pub fn encode<'a>(pairs: impl IntoIterator<Item = (&'a str, String)>) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        out.append_pair(k, &v);
    }
    out.finish()
}

/// The cursor parameters every list takes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Paging {
    pub limit: Option<u32>,
    pub after: Option<String>,
}

impl Paging {
    /// Reads `limit` and `after` from the pairs.
    pub fn take_from(pairs: &mut QueryPairs) -> Result<Self, ApiError> {
        let limit = pairs.limit()?;
        Ok(Self {
            limit: (limit != LIMIT_DEFAULT).then_some(limit),
            after: pairs.one("after")?,
        })
    }

    /// The page size in force.
    pub fn limit_or_default(&self) -> usize {
        self.limit.unwrap_or(LIMIT_DEFAULT) as usize
    }

    /// The query string of the cursor parameters alone.
    pub fn to_query_string(&self) -> String {
        let mut pairs = Vec::new();
        self.push_pairs(&mut pairs);
        encode(pairs)
    }

    /// Appends the cursor parameters to `out`.
    pub fn push_pairs(&self, out: &mut Vec<(&'static str, String)>) {
        if let Some(limit) = self.limit {
            out.push(("limit", limit.to_string()));
        }
        if let Some(after) = &self.after {
            out.push(("after", after.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_is_checked_and_named() {
        assert_eq!(QueryPairs::parse(None).limit().ok(), Some(20));
        assert_eq!(QueryPairs::parse(Some("limit=100")).limit().ok(), Some(100));
        for bad in ["limit=0", "limit=101", "limit=x", "limit=1&limit=2"] {
            let err = QueryPairs::parse(Some(bad)).limit().expect_err(bad);
            assert_eq!(err.param.as_deref(), Some("limit"), "{bad}");
        }
    }

    #[test]
    fn arrays_accept_brackets_and_unknown_names_are_reported() {
        let mut pairs = QueryPairs::parse(Some("emails%5B%5D=a%40x.com&emails=b%40x.com&foo=1"));
        assert_eq!(
            pairs.many("emails").expect("few"),
            vec!["a@x.com", "b@x.com"]
        );
        let err = pairs.deny_unknown().expect_err("foo is unknown");
        assert_eq!(err.param.as_deref(), Some("foo"));
    }

    #[test]
    fn encode_round_trips() {
        let raw = encode([
            ("emails[]", "a+b@x.com".to_owned()),
            ("after", "user-1".into()),
        ]);
        let mut pairs = QueryPairs::parse(Some(&raw));
        assert_eq!(pairs.many("emails").expect("few"), vec!["a+b@x.com"]);
        assert_eq!(pairs.one("after").ok().flatten().as_deref(), Some("user-1"));
    }
}

/// The cursor parameters of the newer lists: `limit` in `0..=max` (each operation has its own
/// bound and default), `after` (the previous page's `next`) and `order` (`asc` or `desc`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CursorQuery {
    pub limit: Option<u32>,
    pub after: Option<String>,
    pub order: Option<String>,
}

impl CursorQuery {
    /// Reads the three parameters, checking `limit` against `max` and `order`.
    pub fn take_from(pairs: &mut QueryPairs, max: u32) -> Result<Self, ApiError> {
        let limit = match pairs.integer("limit")? {
            None => None,
            Some(n) if (0..=i64::from(max)).contains(&n) => u32::try_from(n).ok(),
            Some(n) => {
                return Err(ApiError::invalid_request(
                    format!("Invalid 'limit': {n}. It must be between 0 and {max}."),
                    Some("limit"),
                ));
            }
        };
        let order = pairs.one("order")?;
        if let Some(order) = &order {
            crate::validate::one_of(order, &["asc", "desc"], "order")?;
        }
        Ok(Self {
            limit,
            after: pairs.one("after")?,
            order,
        })
    }

    /// The query string upstream expects, without the `?`.
    pub fn to_query_string(&self) -> String {
        let mut pairs = Vec::new();
        if let Some(limit) = self.limit {
            pairs.push(("limit", limit.to_string()));
        }
        if let Some(after) = &self.after {
            pairs.push(("after", after.clone()));
        }
        if let Some(order) = &self.order {
            pairs.push(("order", order.clone()));
        }
        encode(pairs)
    }

    /// Whether the list runs newest first (`order=desc`), given the operation's default.
    pub fn descending(&self, default_desc: bool) -> bool {
        self.order
            .as_deref()
            .map_or(default_desc, |order| order == "desc")
    }
}
