//! What the archive stores is what its own backup accepts. A backup is checked field by field
//! before a restore writes anything (`backup.rs`), so a value the import let in — a stranger's
//! year 0 or 99999, a 20 KiB title, a `javascript:` site URL, `lang: zh cn` — would make the
//! reader's own backup refuse to restore. Every row is fitted to the same rules on its way in:
//! dates clamped, text cut at a character boundary, bad URLs and language tags dropped,
//! over-long labels and image URLs left out. Real posts pass through untouched (and uncopied).

use crate::backup::{
    fits_lang, fits_url, MAX_BODY_BYTES, MAX_CATEGORIES, MAX_EXCERPT_BYTES, MAX_EXTRA_BYTES, MAX_IMAGES, MAX_KEY_BYTES,
    MAX_NAME_BYTES, MAX_TAGS, MAX_TITLE_BYTES, MAX_URL_BYTES,
};
use crate::{Backup, NewArticle};

/// `a` fitted to the archive's rules, or `None` when it already fits (the common case).
pub(crate) fn fit_article(a: &NewArticle) -> Option<NewArticle> {
    if fits(a) {
        return None;
    }
    let mut a = a.clone();
    if a.key.len() > MAX_KEY_BYTES {
        // Cut, with a hash of the whole key so that two long keys stay two posts.
        let hash = crate::articles::hex(&<sha2::Sha256 as sha2::Digest>::digest(a.key.as_bytes())[..8]);
        a.key = format!("{}-{hash}", cut(&a.key, MAX_KEY_BYTES - 17));
    }
    a.title = cut(&a.title, MAX_TITLE_BYTES).to_string();
    a.published_at = a.published_at.clamp(Backup::EARLIEST, Backup::LATEST);
    if a.utc_offset_min.unsigned_abs() > Backup::MAX_OFFSET_MIN.unsigned_abs() {
        a.utc_offset_min = 0;
    }
    a.url = a.url.filter(|u| fits_url(u));
    a.lang = a.lang.filter(|l| fits_lang(l));
    a.excerpt = cut(&a.excerpt, MAX_EXCERPT_BYTES).to_string();
    // Only a post the sanitiser grew past 16 MiB; display and restore sanitise what is left.
    if a.html.len() > MAX_BODY_BYTES {
        a.html = cut(&a.html, MAX_BODY_BYTES).to_string();
        a.text_derived = false; // the text is cut on its own below
    }
    a.text = cut(&a.text, MAX_BODY_BYTES).to_string();
    if a.extra_json.len() > MAX_EXTRA_BYTES / 2 {
        // The backup measures it re-serialised, which may escape more: keep well under.
        a.extra_json = "{}".into();
    }
    a.categories.retain(|(slug, name)| {
        !slug.is_empty() && slug.len() <= MAX_NAME_BYTES && name.as_ref().is_none_or(|n| n.len() <= MAX_NAME_BYTES)
    });
    a.categories.truncate(MAX_CATEGORIES);
    a.tags.retain(|t| !t.is_empty() && t.len() <= MAX_NAME_BYTES);
    a.tags.truncate(MAX_TAGS);
    a.images.retain(|u| u.len() <= MAX_URL_BYTES && fits_url(u));
    a.images.truncate(MAX_IMAGES);
    Some(a)
}

fn fits(a: &NewArticle) -> bool {
    a.key.len() <= MAX_KEY_BYTES
        && a.title.len() <= MAX_TITLE_BYTES
        && (Backup::EARLIEST..=Backup::LATEST).contains(&a.published_at)
        && a.utc_offset_min.unsigned_abs() <= Backup::MAX_OFFSET_MIN.unsigned_abs()
        && a.url.as_deref().is_none_or(fits_url)
        && a.lang.as_deref().is_none_or(fits_lang)
        && a.excerpt.len() <= MAX_EXCERPT_BYTES
        && a.html.len() <= MAX_BODY_BYTES
        && a.text.len() <= MAX_BODY_BYTES
        && a.extra_json.len() <= MAX_EXTRA_BYTES / 2
        && a.categories.len() <= MAX_CATEGORIES
        && a.categories.iter().all(|(s, n)| {
            !s.is_empty() && s.len() <= MAX_NAME_BYTES && n.as_ref().is_none_or(|n| n.len() <= MAX_NAME_BYTES)
        })
        && a.tags.len() <= MAX_TAGS
        && a.tags.iter().all(|t| !t.is_empty() && t.len() <= MAX_NAME_BYTES)
        && a.images.len() <= MAX_IMAGES
        && a.images.iter().all(|u| u.len() <= MAX_URL_BYTES && fits_url(u))
}

/// A source's name, site URL and language fitted likewise.
pub(crate) fn fit_source<'a>(
    name: &'a str,
    site_url: Option<&'a str>,
    lang: Option<&'a str>,
) -> (&'a str, Option<&'a str>, Option<&'a str>) {
    (cut(name, MAX_NAME_BYTES), site_url.filter(|u| fits_url(u)), lang.filter(|l| fits_lang(l)))
}

/// `s` cut to at most `max` bytes at a character boundary.
fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_rows_are_not_copied_and_hostile_ones_fit_the_backup_rules() {
        let ok = NewArticle {
            key: "2024-01-01-a".into(),
            title: "标题".into(),
            published_at: 1_700_000_000,
            url: Some("https://a.example/x.html".into()),
            lang: Some("zh-CN".into()),
            extra_json: "{}".into(),
            categories: vec![("news".into(), None)],
            tags: vec!["新闻".into()],
            images: vec!["https://img.example/a.jpg".into()],
            ..Default::default()
        };
        assert!(fit_article(&ok).is_none());
        let bad = NewArticle {
            key: "k".repeat(10_000),
            title: "字".repeat(10_000),
            published_at: i64::MAX,
            utc_offset_min: 5000,
            url: Some("javascript:alert(1)".into()),
            lang: Some("zh cn".into()),
            categories: vec![("c".repeat(5000), None), ("ok".into(), Some("n".repeat(5000)))],
            tags: vec![String::new(), "t".into()],
            images: vec!["https://a b/".into(), format!("https://x.example/{}", "a".repeat(9000))],
            ..ok.clone()
        };
        let fitted = fit_article(&bad).expect("changed");
        assert!(fits(&fitted));
        assert!(fitted.key.len() <= MAX_KEY_BYTES && fitted.key.starts_with("kkk"));
        assert!(fitted.title.len() <= MAX_TITLE_BYTES && fitted.title.chars().all(|c| c == '字'));
        assert_eq!((fitted.published_at, fitted.utc_offset_min), (Backup::LATEST, 0));
        assert_eq!((fitted.url, fitted.lang), (None, None));
        assert!(fitted.categories.is_empty() && fitted.tags == ["t"] && fitted.images.is_empty());
    }
}
