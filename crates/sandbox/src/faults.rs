//! Injected faults for resilience tests: added latency, a share of 5xx answers and a request
//! rate limit with upstream's 429. Draws come from a seeded generator, so a sequence of requests
//! meets the same faults in every run.

use std::str::FromStr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use admin_api::ApiError;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::Failure;

/// Which faults to inject: `latency=200ms,error_rate=0.1,rate_limit=20/s,seed=7`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Faults {
    /// Added to every request.
    pub latency: Duration,
    /// Share of requests (0–1) answered with a 500, 502 or 503 before anything is done.
    pub error_rate: f64,
    /// Requests allowed per second; more get a 429 with `Retry-After`.
    pub rate_limit: Option<u32>,
    /// Seed of the draws.
    pub seed: u64,
}

impl FromStr for Faults {
    type Err = String;

    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let mut faults = Self::default();
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, value) = part
                .split_once('=')
                .ok_or_else(|| format!("'{part}': expected name=value"))?;
            match name {
                "latency" => {
                    let ms = value
                        .strip_suffix("ms")
                        .and_then(|v| v.parse::<u64>().ok())
                        .ok_or_else(|| {
                            format!("latency '{value}': expected milliseconds such as 200ms")
                        })?;
                    faults.latency = Duration::from_millis(ms);
                }
                "error_rate" => {
                    faults.error_rate = value
                        .parse::<f64>()
                        .ok()
                        .filter(|r| (0.0..=1.0).contains(r))
                        .ok_or_else(|| {
                            format!("error_rate '{value}': expected a number from 0 to 1")
                        })?;
                }
                "rate_limit" => {
                    faults.rate_limit = Some(
                        value
                            .strip_suffix("/s")
                            .and_then(|v| v.parse::<u32>().ok())
                            .filter(|n| *n > 0)
                            .ok_or_else(|| format!("rate_limit '{value}': expected requests per second such as 20/s"))?,
                    );
                }
                "seed" => {
                    faults.seed = value
                        .parse()
                        .map_err(|_| format!("seed '{value}': expected a whole number"))?;
                }
                other => {
                    return Err(format!(
                        "unknown fault '{other}' (latency, error_rate, rate_limit, seed)"
                    ));
                }
            }
        }
        Ok(faults)
    }
}

/// The faults in force and their mutable draw state.
pub struct FaultState {
    faults: Faults,
    rng: Mutex<fastrand::Rng>,
    window: Mutex<(Instant, u32)>,
}

impl FaultState {
    /// Fresh state for `faults`.
    pub fn new(faults: Faults) -> Arc<Self> {
        Arc::new(Self {
            rng: Mutex::new(fastrand::Rng::with_seed(faults.seed)),
            window: Mutex::new((Instant::now(), 0)),
            faults,
        })
    }

    /// The wait before the next request is allowed, if this one is over the rate limit.
    fn over_limit(&self) -> Option<Duration> {
        let limit = self.faults.rate_limit?;
        let mut window = self.window.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        if now.duration_since(window.0) >= Duration::from_secs(1) {
            *window = (now, 0);
        }
        if window.1 >= limit {
            return Some(Duration::from_secs(1).saturating_sub(now.duration_since(window.0)));
        }
        window.1 += 1;
        None
    }

    /// The server error to answer with, if this request draws one.
    fn draw_error(&self) -> Option<StatusCode> {
        let mut rng = self.rng.lock().unwrap_or_else(PoisonError::into_inner);
        (rng.f64() < self.faults.error_rate).then(|| {
            [
                StatusCode::INTERNAL_SERVER_ERROR,
                StatusCode::BAD_GATEWAY,
                StatusCode::SERVICE_UNAVAILABLE,
            ][rng.usize(..3)]
        })
    }
}

/// Applies the faults in front of every emulated path.
pub async fn inject(
    State(state): State<Arc<FaultState>>,
    request: Request,
    next: Next,
) -> Response {
    if !state.faults.latency.is_zero() {
        tokio::time::sleep(state.faults.latency).await;
    }
    if let Some(wait) = state.over_limit() {
        let mut response = Failure {
            status: StatusCode::TOO_MANY_REQUESTS,
            error: ApiError {
                message: "Rate limit reached for requests. Please try again shortly.".into(),
                kind: "requests".into(),
                param: None,
                code: Some("rate_limit_exceeded".into()),
            },
        }
        .into_response();
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
        return response;
    }
    if let Some(status) = state.draw_error() {
        return Failure {
            status,
            error: ApiError {
                message: "The server had an error while processing your request. Sorry about that!"
                    .into(),
                kind: "server_error".into(),
                param: None,
                code: None,
            },
        }
        .into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_parse_and_reject_nonsense() {
        let faults: Faults = "latency=200ms,error_rate=0.1,rate_limit=20/s,seed=7"
            .parse()
            .expect("valid");
        assert_eq!(faults.latency, Duration::from_millis(200));
        assert!((faults.error_rate - 0.1).abs() < f64::EPSILON);
        assert_eq!(faults.rate_limit, Some(20));
        assert_eq!(faults.seed, 7);
        for bad in [
            "latency=2s",
            "error_rate=2",
            "rate_limit=0/s",
            "boom=1",
            "latency",
        ] {
            assert!(bad.parse::<Faults>().is_err(), "{bad}");
        }
    }

    #[test]
    fn draws_repeat_under_the_same_seed() {
        let faults = Faults {
            error_rate: 0.3,
            seed: 42,
            ..Faults::default()
        };
        let run = || {
            let state = FaultState::new(faults.clone());
            (0..200).map(|_| state.draw_error()).collect::<Vec<_>>()
        };
        let first = run();
        assert_eq!(first, run());
        let errors = first.iter().flatten().count();
        assert!(
            (30..=90).contains(&errors),
            "about 30% of 200, got {errors}"
        );
    }
}
