//! Display formats: dates in UTC, stated as such, using the browser's own `Date` so that no date
//! crate has to ship in the wasm.

/// `2026-11-25` for a Unix time in seconds (UTC).
pub fn date_utc(unix_seconds: i64) -> String {
    iso(unix_seconds).chars().take(10).collect()
}

/// `2026-11-25 18:12:38 UTC` for a Unix time in seconds.
pub fn date_time_utc(unix_seconds: i64) -> String {
    let iso = iso(unix_seconds);
    format!(
        "{} {} UTC",
        &iso[..10.min(iso.len())],
        iso.get(11..19).unwrap_or_default()
    )
}

fn iso(unix_seconds: i64) -> String {
    // f64 holds every second of the next 285,000 years exactly.
    #[allow(clippy::cast_precision_loss)]
    let millis = unix_seconds as f64 * 1000.0;
    js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(millis))
        .to_iso_string()
        .as_string()
        .unwrap_or_default()
}

/// `Wednesday, 25 November 2026` for a Unix time in seconds, as a UTC calendar day.
pub fn day_heading_utc(unix_seconds: i64) -> String {
    let options = js_sys::Object::new();
    for (key, value) in [
        ("weekday", "long"),
        ("year", "numeric"),
        ("month", "long"),
        ("day", "numeric"),
        ("timeZone", "UTC"),
    ] {
        let _ = js_sys::Reflect::set(&options, &key.into(), &value.into());
    }
    #[allow(clippy::cast_precision_loss)]
    let millis = unix_seconds as f64 * 1000.0;
    js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(millis))
        .to_locale_date_string("en-GB", &options)
        .as_string()
        .unwrap_or_else(|| date_utc(unix_seconds))
}

/// `18:12:38` (UTC) for a Unix time in seconds.
pub fn time_utc(unix_seconds: i64) -> String {
    iso(unix_seconds).get(11..19).unwrap_or_default().to_owned()
}

/// The zone times are shown in: UTC, or the browser's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Zone {
    #[default]
    Utc,
    Local,
}

/// The chosen zone, provided by the app and kept in local storage.
#[derive(Debug, Clone, Copy)]
pub struct ZoneChoice(pub RwSignal<Zone>);

use leptos::prelude::{GetUntracked, RwSignal, Set};

const ZONE_KEY: &str = "gatehouse.time_zone";

impl ZoneChoice {
    /// The choice stored in this browser, UTC if none.
    pub fn load() -> Self {
        let stored = storage().and_then(|s| s.get_item(ZONE_KEY).ok().flatten());
        Self(RwSignal::new(if stored.as_deref() == Some("local") {
            Zone::Local
        } else {
            Zone::Utc
        }))
    }

    /// Switches zone and remembers it.
    pub fn set(&self, zone: Zone) {
        self.0.set(zone);
        if let Some(storage) = storage() {
            let _ = storage.set_item(ZONE_KEY, if zone == Zone::Local { "local" } else { "utc" });
        }
    }

    /// The zone now, without tracking.
    pub fn current(&self) -> Zone {
        self.0.get_untracked()
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The zone's name: `UTC`, or the browser's IANA zone such as `Europe/Berlin`.
pub fn zone_name(zone: Zone) -> String {
    match zone {
        Zone::Utc => "UTC".to_owned(),
        Zone::Local => {
            let options =
                js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new())
                    .resolved_options();
            js_sys::Reflect::get(&options, &"timeZone".into())
                .ok()
                .and_then(|v| v.as_string())
                .unwrap_or_else(|| "local time".to_owned())
        }
    }
}

fn date(unix_seconds: i64) -> js_sys::Date {
    #[allow(clippy::cast_precision_loss)]
    let millis = unix_seconds as f64 * 1000.0;
    js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(millis))
}

/// `2026-11-25` in `zone`: the calendar day events are grouped by.
pub fn day_key(unix_seconds: i64, zone: Zone) -> String {
    match zone {
        Zone::Utc => date_utc(unix_seconds),
        Zone::Local => {
            let d = date(unix_seconds);
            format!(
                "{:04}-{:02}-{:02}",
                d.get_full_year(),
                d.get_month() + 1,
                d.get_date()
            )
        }
    }
}

/// `Wednesday, 25 November 2026` in `zone`.
pub fn day_heading(unix_seconds: i64, zone: Zone) -> String {
    match zone {
        Zone::Utc => day_heading_utc(unix_seconds),
        Zone::Local => {
            let options = js_sys::Object::new();
            for (key, value) in [
                ("weekday", "long"),
                ("year", "numeric"),
                ("month", "long"),
                ("day", "numeric"),
            ] {
                let _ = js_sys::Reflect::set(&options, &key.into(), &value.into());
            }
            date(unix_seconds)
                .to_locale_date_string("en-GB", &options)
                .as_string()
                .unwrap_or_else(|| day_key(unix_seconds, zone))
        }
    }
}

/// `18:12:38` in `zone`.
pub fn time_of_day(unix_seconds: i64, zone: Zone) -> String {
    match zone {
        Zone::Utc => time_utc(unix_seconds),
        Zone::Local => {
            let d = date(unix_seconds);
            format!(
                "{:02}:{:02}:{:02}",
                d.get_hours(),
                d.get_minutes(),
                d.get_seconds()
            )
        }
    }
}
