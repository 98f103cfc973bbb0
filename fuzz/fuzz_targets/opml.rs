//! `broadsheet_transfer::parse_opml` on arbitrary text. Seeds: `fuzz/seeds/opml` and OPML
//! lists written at seeding time.
//!
//! Checks: no panic; what it accepts keeps its documented promises (only http(s) feed URLs,
//! trimmed; site URLs http(s); titles not blank).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(feeds) = broadsheet_transfer::parse_opml(&text) {
        for f in feeds {
            let lower = f.url.to_ascii_lowercase();
            assert!(lower.starts_with("http://") || lower.starts_with("https://"), "feed URL {:?}", f.url);
            assert_eq!(f.url, f.url.trim(), "untrimmed feed URL");
            if let Some(site) = &f.site_url {
                assert!(site.starts_with("http://") || site.starts_with("https://"), "site URL {site:?}");
            }
            if let Some(title) = &f.title {
                assert!(!title.trim().is_empty(), "blank title kept");
            }
        }
    }
});
