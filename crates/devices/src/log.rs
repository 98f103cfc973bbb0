//! A device's log file: what one archive publishes for the others, and the checks every log
//! read from a shared folder or a git remote passes before anything of it is merged.
//!
//! ```text
//! {"broadsheet-device-log":1,"device":"<16 hex>","name":"<computer>","ops":N}
//! ["<target>","<field>","<value>",<stamp>]        N lines, oldest first
//! {"end":N,"sha256":"<hex of every byte before this line>"}
//! ```
//!
//! The file is someone else's until proven otherwise: a sync tool may hand over half of it,
//! a shared folder may be written by anyone. So it is bounded before it is read (size, line
//! length, entries), checked whole (the closing line's digest catches truncation and
//! tampering by accident), and every entry is checked for the shape its field allows; one
//! bad entry refuses the file, naming the line, and nothing of it is merged.

use std::collections::HashSet;

use broadsheet_store::{DeviceOp, DEVICE_SETTINGS, MAX_IMAGE_BUDGET, MAX_TAG_CHARS};
use sha2::{Digest, Sha256};

/// The format's version (the first line's `broadsheet-device-log`).
pub const FORMAT_VERSION: u64 = 1;
/// The file name extension of a device's log.
pub const EXTENSION: &str = "bslog";
/// The largest log read (a device that marked a million posts read writes about 120 MB).
pub const MAX_LOG_BYTES: u64 = 256 * 1024 * 1024;
/// The most entries one log may hold.
pub const MAX_OPS: usize = 2_000_000;
/// The longest line (a `ui` setting is the longest value).
const MAX_LINE_BYTES: usize = 80 * 1024;
const MAX_TARGET_BYTES: usize = 9 * 1024;
const MAX_SETTING_BYTES: usize = 64 * 1024;
/// How far ahead of this computer's clock a stamp may be: a device whose clock runs a day
/// fast is someone's mistake; a stamp from the year 3000 is an attack that would win every
/// merge for ever.
const MAX_CLOCK_LEAD_MS: i64 = 24 * 3600 * 1000;

/// Why a log was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LogError {
    #[error("{bytes} bytes, more than the {max} a device log may have")]
    TooLarge { bytes: u64, max: u64 },
    #[error("cut short: it has no closing line (a sync tool may still be copying it)")]
    Truncated,
    #[error("its content does not match its closing line's checksum")]
    Checksum,
    #[error("line {line}: {why}")]
    Line { line: usize, why: String },
    #[error("it is the log of device {found}, not of {expected} as its name says")]
    WrongDevice { expected: String, found: String },
}

/// A log's first line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub device: String,
    pub name: String,
    pub ops: usize,
    /// The SHA-256 its closing line declares.
    pub digest: String,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct HeaderLine {
    #[serde(rename = "broadsheet-device-log")]
    version: u64,
    device: String,
    name: String,
    ops: usize,
}

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct EndLine {
    end: usize,
    sha256: String,
}

/// Whether `id` is a device id (16 lowercase hex digits).
pub fn is_device_id(id: &str) -> bool {
    id.len() == 16 && id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The file name of a device's log.
pub fn file_name(device: &str) -> String {
    format!("{device}.{EXTENSION}")
}

/// The device a log's file name names, if it is one.
pub fn device_of_file(name: &str) -> Option<&str> {
    name.strip_suffix(EXTENSION).and_then(|n| n.strip_suffix('.')).filter(|d| is_device_id(d))
}

/// This device's log, as bytes to publish.
pub fn encode(device: &str, name: &str, ops: &[DeviceOp]) -> Vec<u8> {
    let head = HeaderLine { version: FORMAT_VERSION, device: device.into(), name: name.into(), ops: ops.len() };
    let mut out = serde_json::to_vec(&head).unwrap_or_default();
    out.push(b'\n');
    for op in ops {
        let line = (&op.target, &op.field, &op.value, op.stamp);
        out.extend(serde_json::to_vec(&line).unwrap_or_default());
        out.push(b'\n');
    }
    let digest = hex(&Sha256::digest(&out));
    out.extend(serde_json::to_vec(&EndLine { end: ops.len(), sha256: digest }).unwrap_or_default());
    out.push(b'\n');
    out
}

/// Checks a whole log (read from a file named for `expected`): its header, its closing
/// line and every entry. Nothing is kept but the header: [`entries`] reads the entries of a
/// checked log, in batches, as they are merged.
pub fn check(bytes: &[u8], expected: &str, now_ms: i64) -> Result<Header, LogError> {
    if bytes.len() as u64 > MAX_LOG_BYTES {
        return Err(LogError::TooLarge { bytes: bytes.len() as u64, max: MAX_LOG_BYTES });
    }
    // The closing line: the last line, after a newline that ends the one before.
    let body = bytes.strip_suffix(b"\n").ok_or(LogError::Truncated)?;
    let cut = body.iter().rposition(|&b| b == b'\n').ok_or(LogError::Truncated)? + 1;
    let (content, end) = body.split_at(cut);
    let end: EndLine = serde_json::from_slice(end).map_err(|_| LogError::Truncated)?;
    if hex(&Sha256::digest(content)) != end.sha256 {
        return Err(LogError::Checksum);
    }
    let mut lines = content.split(|&b| b == b'\n');
    let first = lines.next().unwrap_or_default();
    let head: HeaderLine = parse_line(first, 1)?;
    if head.version != FORMAT_VERSION {
        return Err(LogError::Line {
            line: 1,
            why: format!("format version {} (this Broadsheet reads {FORMAT_VERSION}: update it)", head.version),
        });
    }
    if !is_device_id(&head.device) {
        return Err(LogError::Line { line: 1, why: "the device id is not 16 hex digits".into() });
    }
    if head.device != expected {
        return Err(LogError::WrongDevice { expected: expected.into(), found: head.device });
    }
    if head.ops != end.end || head.ops > MAX_OPS {
        return Err(LogError::Line { line: 1, why: format!("{} entries declared, at most {MAX_OPS}", head.ops) });
    }
    let mut seen = HashSet::new();
    let mut count = 0;
    for (i, line) in lines.filter(|l| !l.is_empty()).enumerate() {
        let op = entry(line, i + 2, now_ms)?;
        // Each device keeps one entry per (target, field): a second is not a log this code wrote.
        if !seen.insert(digest_of(&op)) {
            return Err(LogError::Line { line: i + 2, why: "a second entry for the same post and field".into() });
        }
        count += 1;
    }
    if count != head.ops {
        return Err(LogError::Line { line: count + 2, why: format!("{count} entries, {} declared", head.ops) });
    }
    let name: String = head.name.chars().filter(|c| !c.is_control()).take(100).collect();
    Ok(Header { device: head.device, name, ops: count, digest: end.sha256 })
}

/// The entries of a log [`check`] accepted, oldest first, `batch` at a time.
pub fn entries(bytes: &[u8], batch: usize) -> impl Iterator<Item = Vec<DeviceOp>> + '_ {
    let content = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    let content = &content[..content.iter().rposition(|&b| b == b'\n').unwrap_or(0)];
    let mut lines = content.split(|&b| b == b'\n').skip(1).filter(|l| !l.is_empty());
    std::iter::from_fn(move || {
        let chunk: Vec<DeviceOp> =
            lines.by_ref().take(batch.max(1)).filter_map(|l| entry(l, 0, i64::MAX).ok()).collect();
        (!chunk.is_empty()).then_some(chunk)
    })
}

fn parse_line<T: serde::de::DeserializeOwned>(line: &[u8], n: usize) -> Result<T, LogError> {
    if line.len() > MAX_LINE_BYTES {
        return Err(LogError::Line { line: n, why: format!("{} bytes, at most {MAX_LINE_BYTES}", line.len()) });
    }
    serde_json::from_slice(line).map_err(|e| LogError::Line { line: n, why: broadsheet_model::shown(e) })
}

/// One entry, checked for the shape its field allows.
fn entry(line: &[u8], n: usize, now_ms: i64) -> Result<DeviceOp, LogError> {
    let (target, field, value, stamp): (String, String, String, i64) = parse_line(line, n)?;
    let bad = |why: &str| Err(LogError::Line { line: n, why: why.to_string() });
    let newest = now_ms.saturating_add(MAX_CLOCK_LEAD_MS).saturating_mul(65_536).saturating_add(65_535);
    if stamp <= 0 || stamp > newest {
        return bad("a stamp in the future (is that computer's clock right?) or before 1970");
    }
    if target.len() > MAX_TARGET_BYTES {
        return bad("a target over 9 KiB");
    }
    let single_line = |s: &str| !s.chars().any(char::is_control);
    let post_target = |t: &str| match t.split_once('\n') {
        Some((place, key)) => single_line(place) && single_line(key) && !place.is_empty() && !key.is_empty(),
        None => false,
    };
    let ok = if let Some(url) = target.strip_prefix("url:") {
        (url.starts_with("http://") || url.starts_with("https://"))
            && single_line(url)
            // A saved page is named by its address alone.
            && (post_field(&field, &value) || (field == "saved" && value == "1"))
    } else if let Some(rest) = target.strip_prefix("folder:") {
        post_target(rest) && post_field(&field, &value)
    } else if let Some(rest) = target.strip_prefix("source:") {
        if rest.contains('\n') {
            post_target(rest) && post_field(&field, &value)
        } else {
            !rest.is_empty() && single_line(rest) && rest.len() <= 4096 && source_field(&field, &value)
        }
    } else if let Some(key) = target.strip_prefix("setting:") {
        DEVICE_SETTINGS.contains(&key) && field == "value" && setting_value(key, &value)
    } else {
        false
    };
    if !ok {
        return bad("an entry this format does not allow");
    }
    Ok(DeviceOp { target, field, value, stamp })
}

/// A post's field: a bookmark or read mark (`1`/`0`), or a tag added/removed (`+Name`/`-Name`,
/// under `tag:<name lowercased>`).
fn post_field(field: &str, value: &str) -> bool {
    match field {
        "bookmark" | "read" => matches!(value, "0" | "1"),
        _ => {
            let Some(key) = field.strip_prefix("tag:") else { return false };
            let Some(name) = value.strip_prefix('+').or_else(|| value.strip_prefix('-')) else { return false };
            !name.trim().is_empty()
                && name.chars().count() <= MAX_TAG_CHARS
                && !name.chars().any(char::is_control)
                && name.to_ascii_lowercase() == key
        }
    }
}

fn source_field(field: &str, value: &str) -> bool {
    match field {
        "interval" => value.parse::<i64>().is_ok_and(|m| (5..=366 * 24 * 60).contains(&m)),
        "source" => {
            if value.len() > 2048 {
                return false;
            }
            let Ok(v) = serde_json::from_str::<serde_json::Value>(value) else { return false };
            v["kind"]
                .as_str()
                .and_then(broadsheet_model::SourceKind::parse)
                .is_some_and(broadsheet_model::SourceKind::is_shared_between_devices)
                && v["name"].as_str().is_some()
                && (v["removed"].is_boolean() || v["removed"].as_i64().is_some_and(|r| r == 0 || r == 1))
        }
        _ => false,
    }
}

fn setting_value(key: &str, value: &str) -> bool {
    match key {
        "image_budget_bytes" => value.parse::<u64>().is_ok_and(|b| b <= MAX_IMAGE_BUDGET),
        // The window's settings: a JSON object (the window keeps what it understands).
        _ => {
            value.len() <= MAX_SETTING_BYTES
                && serde_json::from_str::<serde_json::Value>(value).is_ok_and(|v| v.is_object())
        }
    }
}

fn digest_of(op: &DeviceOp) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(op.target.as_bytes());
    h.update([0]);
    h.update(op.field.as_bytes());
    h.finalize().into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000_000;
    const DEV: &str = "0123456789abcdef";

    fn op(target: &str, field: &str, value: &str) -> DeviceOp {
        DeviceOp { target: target.into(), field: field.into(), value: value.into(), stamp: NOW * 65_536 }
    }

    fn sample() -> Vec<DeviceOp> {
        vec![
            op("url:https://example.com/a", "bookmark", "1"),
            op("folder:Site\n2026-01-01-a", "tag:rust", "+Rust"),
            op("source:https://example.com/feed.xml", "source", r#"{"kind":"feed","name":"Ex","removed":0}"#),
            op("setting:ui", "value", r#"{"theme":"dark"}"#),
        ]
    }

    #[test]
    fn a_log_reads_back_as_it_was_written() {
        let bytes = encode(DEV, "laptop", &sample());
        let head = check(&bytes, DEV, NOW).unwrap();
        assert_eq!((head.device.as_str(), head.name.as_str(), head.ops), (DEV, "laptop", 4));
        let back: Vec<DeviceOp> = entries(&bytes, 3).flatten().collect();
        assert_eq!(back, sample());
    }

    #[test]
    fn a_log_cut_anywhere_is_refused_as_truncated_or_tampered() {
        let bytes = encode(DEV, "laptop", &sample());
        for cut in 0..bytes.len() {
            let err = check(&bytes[..cut], DEV, NOW).unwrap_err();
            assert!(matches!(err, LogError::Truncated | LogError::Checksum), "cut at {cut}: {err}");
        }
        let mut flipped = bytes.clone();
        flipped[60] ^= 1;
        assert!(check(&flipped, DEV, NOW).is_err());
    }

    #[test]
    fn entries_a_device_could_never_have_written_refuse_the_whole_log() {
        let future = DeviceOp { stamp: (NOW + 2 * 24 * 3600 * 1000) * 65_536, ..op("url:https://a.b/c", "read", "1") };
        let cases: Vec<(DeviceOp, &str)> = vec![
            (future, "future"),
            (op("url:javascript:alert(1)", "read", "1"), "allow"),
            (op("url:https://a.b/c", "read", "yes"), "allow"),
            (op("url:https://a.b/c", "tag:rust", "+Go"), "allow"),
            (op("url:https://a.b/c", "tag:x", "+x\u{0}"), "allow"),
            (op("setting:devices_remote", "value", "/tmp"), "allow"),
            (op("setting:image_budget_bytes", "value", "99999999999999999999"), "allow"),
            (op("source:file:///etc", "source", r#"{"kind":"jekyll-folder","name":"x","removed":0}"#), "allow"),
            (op("nonsense", "read", "1"), "allow"),
            (op(&format!("url:https://a.b/{}", "x".repeat(10_000)), "read", "1"), "9 KiB"),
        ];
        for (bad, why) in cases {
            let mut ops = sample();
            ops.push(bad.clone());
            let err = check(&encode(DEV, "x", &ops), DEV, NOW).unwrap_err();
            assert!(matches!(err, LogError::Line { line: 6, .. }), "{bad:?}: {err}");
            assert!(err.to_string().contains(why), "{bad:?}: {err}");
        }
        let mut twice = sample();
        twice.push(sample()[0].clone());
        assert!(check(&encode(DEV, "x", &twice), DEV, NOW).unwrap_err().to_string().contains("second entry"));
    }

    #[test]
    fn a_log_under_another_devices_name_is_refused() {
        let bytes = encode(DEV, "laptop", &sample());
        assert_eq!(
            check(&bytes, "fedcba9876543210", NOW),
            Err(LogError::WrongDevice { expected: "fedcba9876543210".into(), found: DEV.into() })
        );
        assert_eq!(device_of_file("0123456789abcdef.bslog"), Some(DEV));
        assert_eq!(device_of_file("../0123456789abcdef.bslog"), None);
        assert_eq!(device_of_file("0123456789ABCDEF.bslog"), None);
    }

    #[test]
    fn oversized_lines_and_logs_are_refused_before_parsing() {
        let mut ops = sample();
        ops.push(op("setting:ui", "value", &format!("{{\"x\":\"{}\"}}", "a".repeat(100_000))));
        ops.remove(3);
        let err = check(&encode(DEV, "x", &ops), DEV, NOW).unwrap_err();
        assert!(err.to_string().contains("at most"), "{err}");
    }
}
