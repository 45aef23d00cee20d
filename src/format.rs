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
