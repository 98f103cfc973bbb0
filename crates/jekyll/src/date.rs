//! Post dates: front matter first, then the file name, then the file's modification time.

use jiff::{civil, tz::TimeZone};
use serde_json::Value;

use crate::{name::PostName, SiteConfig, Warning};

/// Returns (Unix seconds, the post's UTC offset in minutes).
pub(crate) fn resolve(
    value: Option<Value>,
    name: &PostName,
    modified: Option<i64>,
    site: &SiteConfig,
    warnings: &mut Vec<Warning>,
) -> (i64, i32) {
    let zone = site_zone(site, warnings);
    match value {
        Some(Value::String(s)) if !s.trim().is_empty() => match parse(&s, &zone) {
            Some(d) => {
                if s.split_whitespace().count() > 3 {
                    warnings.push(Warning::new(format!("date {:?} has stray text; read as {}", s.trim(), d.1)));
                }
                return d;
            }
            None => warnings.push(Warning::new(format!("unreadable date {:?}; using the file name's date", s.trim()))),
        },
        Some(Value::Null) | None => {}
        Some(other) => warnings.push(Warning::new(format!("unreadable date {other}; using the file name's date"))),
    }
    if let Some((y, m, d)) = name.date {
        let midnight = i16::try_from(y)
            .ok()
            .and_then(|y| civil::Date::new(y, m as i8, d as i8).ok())
            .and_then(|date| date.to_datetime(civil::Time::midnight()).to_zoned(zone.clone()).ok());
        if let Some(z) = midnight {
            return (z.timestamp().as_second(), z.offset().seconds() / 60);
        }
    }
    match modified {
        Some(t) => {
            warnings
                .push(Warning::new("no date in the front matter or the file name; using the file's modification time"));
            let offset = jiff::Timestamp::from_second(t).map_or(0, |ts| zone.to_offset(ts).seconds() / 60);
            (t, offset)
        }
        None => {
            warnings.push(Warning::new("no date anywhere; dated 1970-01-01"));
            (0, 0)
        }
    }
}

/// Jekyll builds permalinks from the date in the site's `timezone`; without one, from the
/// post's own offset (Jekyll would use the building machine's zone, which is arbitrary).
pub(crate) fn url_offset_min(site: &SiteConfig, timestamp: i64, own_offset_min: i32) -> i32 {
    let zone = site.timezone.as_deref().and_then(|z| TimeZone::get(z).ok());
    match (zone, jiff::Timestamp::from_second(timestamp)) {
        (Some(zone), Ok(ts)) => zone.to_offset(ts).seconds() / 60,
        _ => own_offset_min,
    }
}

fn site_zone(site: &SiteConfig, warnings: &mut Vec<Warning>) -> TimeZone {
    match site.timezone.as_deref() {
        Some(name) => TimeZone::get(name).unwrap_or_else(|_| {
            warnings.push(Warning::new(format!("unknown timezone {name:?} in _config.yml; using UTC")));
            TimeZone::UTC
        }),
        None => TimeZone::UTC,
    }
}

/// Reads the date forms Jekyll accepts: `2014-10-1`, `2021-12-08 10:02:03 +0800`,
/// `2013-05-06T02:12:52+02:00`, `… Z`, `… UTC`.
pub(crate) fn parse(s: &str, zone: &TimeZone) -> Option<(i64, i32)> {
    let s = s.trim();
    let (date_part, rest) = s.split_once([' ', 'T']).map_or((s, ""), |(d, r)| (d, r.trim()));
    let mut it = date_part.split('-');
    let y: i16 = it.next()?.parse().ok()?;
    let m: i8 = it.next()?.parse().ok()?;
    let d: i8 = it.next()?.parse().ok()?;
    if it.next().is_some() {
        return None;
    }
    let date = civil::Date::new(y, m, d).ok()?;

    // The time, then an offset, possibly glued on ("10:02:03+08:00", "10:02Z") or after
    // stray tokens that Ruby's Time.parse ignores ("18:30:22 2023 -0800").
    let (time_part, tail) = match rest.find(['+', '-', 'Z', ' ']) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let mut offset_part = "";
    for token in tail.split_whitespace() {
        if parse_offset(token).is_some() {
            offset_part = token;
            break;
        }
        if !token.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
    }
    let time = if time_part.is_empty() {
        civil::Time::midnight()
    } else {
        let mut t = time_part.split(':');
        let h: i8 = t.next()?.trim().parse().ok()?;
        let mi: i8 = t.next().unwrap_or("0").trim().parse().ok()?;
        let sec = t.next().unwrap_or("0").trim();
        let sec: i8 = sec.split('.').next()?.parse().ok()?;
        civil::Time::new(h, mi, sec, 0).ok()?
    };
    let dt = date.to_datetime(time);
    let offset_part = offset_part.trim();
    if offset_part.is_empty() {
        let z = dt.to_zoned(zone.clone()).ok()?;
        return Some((z.timestamp().as_second(), z.offset().seconds() / 60));
    }
    let minutes = parse_offset(offset_part)?;
    let offset = jiff::tz::Offset::from_seconds(minutes * 60).ok()?;
    let ts = offset.to_timestamp(dt).ok()?;
    Some((ts.as_second(), minutes))
}

fn parse_offset(s: &str) -> Option<i32> {
    if s.eq_ignore_ascii_case("z") || s.eq_ignore_ascii_case("utc") || s.eq_ignore_ascii_case("gmt") {
        return Some(0);
    }
    let (sign, digits) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    let digits: String = digits.chars().filter(|c| *c != ':').collect();
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let h: i32 = digits[..2].parse().ok()?;
    let m: i32 = digits[2..].parse().ok()?;
    (h <= 18 && m < 60).then_some(sign * (h * 60 + m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_is_kept() {
        let (t, off) = parse("2021-12-08 10:02:03 +0800", &TimeZone::UTC).unwrap();
        assert_eq!(off, 480);
        assert_eq!(t, 1_638_928_923);
    }

    #[test]
    fn missing_offset_uses_site_zone() {
        let tz = TimeZone::get("Asia/Shanghai").unwrap();
        assert_eq!(parse("2021-12-08 10:02:03", &tz), Some((1_638_928_923, 480)));
    }

    #[test]
    fn loose_forms_parse() {
        assert_eq!(parse("2014-10-1 12:00:00", &TimeZone::UTC).map(|d| d.1), Some(0));
        assert_eq!(parse("2013-05-06T02:12:52+02:00", &TimeZone::UTC).map(|d| d.1), Some(120));
        assert!(parse("  +0800", &TimeZone::UTC).is_none());
        assert!(parse("2021-13-40", &TimeZone::UTC).is_none());
        assert_eq!(parse("2023-01-29 18:30:22 2023 -0800", &TimeZone::UTC).map(|d| d.1), Some(-480));
        assert!(parse("2023-01-29 18:30:22 soon", &TimeZone::UTC).is_none());
    }
}
