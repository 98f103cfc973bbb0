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

    #[test]
    fn date_inputs_become_midnights_and_back() {
        assert_eq!(local_midnight("1970-01-01"), Some(0));
        assert_eq!(local_midnight_after("2026-12-31", 1), local_midnight("2027-01-01"));
        assert_eq!(local_midnight("2026-12-01"), Some(1_796_083_200));
        assert_eq!(date_value(1_796_083_200), "2026-12-01");
        assert_eq!(date_value(1_796_083_200 + 86_399), "2026-12-01");
        for day in ["2000-02-29", "1999-12-31", "2026-03-01"] {
            assert_eq!(date_value(local_midnight(day).unwrap()), day);
        }
        for bad in ["", "2026-13-01", "2026-12", "yesterday", "0-01-01"] {
            assert_eq!(local_midnight(bad), None, "{bad}");
        }
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

/// `2026-12-01` (an `<input type="date">` value) → the Unix time of that day's local
/// midnight (UTC where no browser clock is available); `None` for anything else.
pub fn local_midnight(date: &str) -> Option<i64> {
    local_midnight_after(date, 0)
}

/// The local midnight `days` days after `date`'s (the end of a "To" day is the next day's
/// midnight, which a day of 23 or 25 hours puts elsewhere than 24 hours on).
pub fn local_midnight_after(date: &str, days: i32) -> Option<i64> {
    let mut parts = date.trim().splitn(3, '-');
    let y: i32 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    let d: u32 = parts.next()?.parse().ok()?;
    if !(1..=9999).contains(&y) || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    #[cfg(target_arch = "wasm32")]
    {
        let day = js_sys::Date::new_with_year_month_day(y as u32, m as i32 - 1, d as i32 + days);
        // `new Date(y, …)` reads years 0–99 as 1900–1999.
        if y < 100 {
            day.set_full_year(y as u32);
        }
        let t = day.get_time();
        (t.is_finite()).then(|| (t / 1000.0) as i64)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        // Days from the civil date (Howard Hinnant's algorithm), at UTC midnight.
        let (y, m) = if m <= 2 { (i64::from(y) - 1, i64::from(m) + 9) } else { (i64::from(y), i64::from(m) - 3) };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let doy = (153 * m + 2) / 5 + i64::from(d) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Some((era * 146_097 + doe - 719_468 + i64::from(days)) * 86_400)
    }
}

/// The `<input type="date">` value of a Unix time's local day (inverse of [`local_midnight`]).
pub fn date_value(timestamp: i64) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(timestamp as f64 * 1000.0));
        format!("{:04}-{:02}-{:02}", d.get_full_year(), d.get_month() + 1, d.get_date())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let days = timestamp.div_euclid(86_400);
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        format!("{y:04}-{m:02}-{d:02}")
    }
}

/// A moment in the reader's local time (`2026-11-27 09:12`; the UTC day outside a webview).
pub fn moment(timestamp: i64) -> String {
    let day = date_value(timestamp);
    local_datetime(timestamp, &day)
}
