//! File names that work on Windows, macOS and Linux alike.

use std::collections::HashSet;

/// Names Windows reserves whatever the extension.
const RESERVED: &[&str] = &[
    "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "COM0", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7",
    "COM8", "COM9", "COM¹", "COM²", "COM³", "LPT0", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8",
    "LPT9", "LPT¹", "LPT²", "LPT³",
];
const MAX_BYTES: usize = 120;

/// `name` made safe as one path component: no separators or characters Windows forbids, no
/// control characters, spaces and brackets replaced, no trailing dots or spaces, not a
/// reserved device name, at most 120 bytes. Never empty.
pub fn safe_file_name(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut out = String::with_capacity(name.len());
    // Composed (NFC), as Windows and Linux show it and most tools write it.
    for c in name.nfc() {
        let bad = c.is_control()
            || matches!(
                c,
                '<' | '>' | ':' | '"' | '/' | '\\' | '|' | '?' | '*' | '[' | ']' | '(' | ')' | '{' | '}' | '#' | '%'
            );
        out.push(if bad || c.is_whitespace() { '-' } else { c });
    }
    let mut out = out.trim_matches(['.', ' ', '-']).to_string();
    while out.len() > MAX_BYTES {
        out.pop();
    }
    // Cutting may leave a trailing dot or space, which Windows drops silently (two names
    // would then clash on disk).
    let mut out = out.trim_end_matches(['.', ' ', '-']).to_string();
    if out.is_empty() {
        out.push('_');
    }
    let stem = out.split('.').next().unwrap_or("").to_ascii_uppercase();
    if RESERVED.contains(&stem.as_str()) {
        out.insert(0, '_');
    }
    out
}

/// A name as case- and normalisation-insensitive file systems compare it: `é` composed and
/// `e` + combining accent are one name on APFS and HFS+, as `TechWeb` and `Techweb` are on
/// macOS and Windows.
fn folded(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    name.nfd().collect::<String>().to_lowercase()
}

/// Hands out names that differ in more than letter case or Unicode normalisation (macOS and
/// Windows file systems fold case: finews has both `TechWeb` and `Techweb`; macOS's also
/// treat composed and decomposed accents as one).
#[derive(Default)]
pub struct UniqueNames {
    taken: HashSet<String>,
    /// Per base name (lower-cased), the next number to try: a thousand posts wanting one
    /// name would otherwise each count up from 2 (quadratic).
    next: std::collections::HashMap<String, usize>,
}

impl UniqueNames {
    pub fn claim(&mut self, wanted: &str) -> String {
        let base = safe_file_name(wanted);
        let (stem, ext) = match base.rfind('.') {
            Some(i) if i > 0 => (&base[..i], &base[i..]),
            _ => (base.as_str(), ""),
        };
        let mut candidate = base.clone();
        let key = folded(&base);
        let mut n = self.next.get(&key).copied().unwrap_or(2);
        while !self.taken.insert(folded(&candidate)) {
            candidate = format!("{stem}-{n}{ext}");
            n += 1;
        }
        self.next.insert(key, n);
        candidate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_equal_under_normalisation_or_case_are_told_apart() {
        let mut names = UniqueNames::default();
        let composed = names.claim("2024-01-01-caf\u{e9}.md");
        let decomposed = names.claim("2024-01-01-cafe\u{301}.md");
        let upper = names.claim("2024-01-01-CAF\u{c9}.md");
        assert_eq!(composed, "2024-01-01-caf\u{e9}.md");
        assert_eq!(decomposed, "2024-01-01-caf\u{e9}-2.md", "written composed, and numbered");
        assert_eq!(upper, "2024-01-01-CAF\u{c9}-3.md");
    }

    #[test]
    fn hostile_and_reserved_names_become_safe() {
        assert_eq!(safe_file_name("21shijijingjibaodao 21caijingAPP"), "21shijijingjibaodao-21caijingAPP");
        assert_eq!(safe_file_name("anxinguojizhengquan(xianggang)"), "anxinguojizhengquan-xianggang");
        assert_eq!(safe_file_name("CON"), "_CON");
        assert_eq!(safe_file_name("nul.md"), "_nul.md");
        assert_eq!(safe_file_name("a/b\\c:d?.."), "a-b-c-d");
        assert_eq!(safe_file_name(""), "_");
        assert!(safe_file_name(&"长".repeat(100)).len() <= 120);
        assert_eq!(safe_file_name("COM¹.txt"), "_COM¹.txt");
        assert_eq!(safe_file_name("conout$"), "_conout$");
        let cut = safe_file_name(&format!("{}.{}", "a".repeat(119), "b"));
        assert!(!cut.ends_with('.') && cut.len() <= 120, "{cut}");
    }

    #[test]
    fn case_only_clashes_get_distinct_names() {
        let mut names = UniqueNames::default();
        assert_eq!(names.claim("TechWeb"), "TechWeb");
        assert_eq!(names.claim("Techweb"), "Techweb-2");
        assert_eq!(names.claim("a.md"), "a.md");
        assert_eq!(names.claim("A.md"), "A-2.md");
    }
}
