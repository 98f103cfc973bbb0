use time::{format_description::well_known::Rfc3339, OffsetDateTime, UtcOffset};

/// RFC 3339 text of `unix` seconds shown in the post's own offset.
///
/// Never panics, whatever the archive holds: an offset beyond ±18 hours (what RFC 3339
/// and a backup allow), or one that would carry the date out of range, is shown as UTC, and
/// an instant RFC 3339 cannot write (outside years 0000–9999) gives an empty string.
pub(crate) fn rfc3339(unix: i64, offset_min: impl Into<i64>) -> String {
    const MAX_OFFSET_MIN: i64 = 18 * 60;
    let Ok(utc) = OffsetDateTime::from_unix_timestamp(unix) else { return String::new() };
    let offset = Some(offset_min.into())
        .filter(|m| (-MAX_OFFSET_MIN..=MAX_OFFSET_MIN).contains(m))
        .and_then(|m| m.checked_mul(60))
        .and_then(|s| i32::try_from(s).ok())
        .and_then(|s| UtcOffset::from_whole_seconds(s).ok())
        .unwrap_or(UtcOffset::UTC);
    let local = utc.checked_to_offset(offset).unwrap_or(utc);
    local.format(&Rfc3339).or_else(|_| utc.format(&Rfc3339)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::rfc3339;

    #[test]
    fn ordinary_dates_keep_their_offset() {
        assert_eq!(rfc3339(1_646_704_800, 480), "2022-03-08T10:00:00+08:00");
        assert_eq!(rfc3339(0, 0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(0, -90), "1969-12-31T22:30:00-01:30");
    }

    #[test]
    fn extreme_values_never_panic() {
        let max_rfc3339 = 253_402_300_799; // 9999-12-31T23:59:59Z
        for unix in [i64::MIN, i64::MIN + 1, -377_705_116_800, -62_167_219_200, -1, 0, max_rfc3339, i64::MAX] {
            for offset in [i64::MIN, i64::from(i32::MIN), -100_000, -1560, -1080, 0, 1080, 1559, 100_000, i64::MAX] {
                let _ = rfc3339(unix, offset);
            }
        }
        // The last second RFC 3339 can write, pushed past year 9999 by a positive offset,
        // is shown in UTC rather than not at all.
        assert_eq!(rfc3339(max_rfc3339, 600), "9999-12-31T23:59:59Z");
        assert_eq!(rfc3339(0, i64::MAX), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(0, 100_000), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(0, 1081), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(0, -1080), "1969-12-31T06:00:00-18:00");
        assert_eq!(rfc3339(i64::MAX, 0), "");
    }
}
