use time::{format_description::well_known::Rfc3339, OffsetDateTime, UtcOffset};

/// RFC 3339 text of `unix` seconds shown in the post's own offset.
pub(crate) fn rfc3339(unix: i64, offset_min: i32) -> String {
    let offset = UtcOffset::from_whole_seconds(offset_min * 60).unwrap_or(UtcOffset::UTC);
    OffsetDateTime::from_unix_timestamp(unix)
        .map(|t| t.to_offset(offset))
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}
