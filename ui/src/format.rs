//! Dates for people: local time in lists, the post's own offset on hover.

/// `2026-11-27 09:12` in the reader's local time zone (in the webview), or the post's own
/// wall-clock time where no browser clock is available.
pub fn local_datetime(timestamp: i64, rfc3339: &str) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        let _ = rfc3339;
        let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(timestamp as f64 * 1000.0));
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}",
            d.get_full_year(),
            d.get_month() + 1,
            d.get_date(),
            d.get_hours(),
            d.get_minutes()
        )
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = timestamp;
        own_wall_clock(rfc3339)
    }
}

/// `2026-11-27T09:12:00+08:00` → `2026-11-27 09:12`.
pub fn own_wall_clock(rfc3339: &str) -> String {
    match (rfc3339.get(..10), rfc3339.get(11..16)) {
        (Some(d), Some(t)) => format!("{d} {t}"),
        _ => rfc3339.to_string(),
    }
}

/// Hover text: the exact time as the source published it, offset included.
pub fn original_time_hint(rfc3339: &str) -> String {
    let offset = rfc3339.get(19..).unwrap_or("");
    let offset = if offset == "Z" { "UTC".to_string() } else { format!("UTC{offset}") };
    format!("{} ({offset})", own_wall_clock(rfc3339))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn original_time_keeps_the_offset() {
        assert_eq!(original_time_hint("2026-11-27T09:12:00+08:00"), "2026-11-27 09:12 (UTC+08:00)");
        assert_eq!(original_time_hint("2026-11-27T01:12:00Z"), "2026-11-27 01:12 (UTC)");
    }
}

/// A count with thousands separators: `12345` → `12,345` (the same in 简体中文 UIs).
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod count_tests {
    #[test]
    fn counts_get_thousands_separators() {
        assert_eq!(super::count(0), "0");
        assert_eq!(super::count(999), "999");
        assert_eq!(super::count(1000), "1,000");
        assert_eq!(super::count(1234567), "1,234,567");
    }
}
