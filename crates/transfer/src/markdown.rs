//! Markdown export: a Jekyll site (`_config.yml`, `_posts/<category>/…md`, `assets/`) that
//! Jekyll, or Broadsheet itself, can read back with the same titles, dates and categories.

use std::collections::HashMap;
use std::path::Path;

use broadsheet_store::{BackupArticle, Store};

use crate::{filenames::UniqueNames, io, Selection, TransferError};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MarkdownReport {
    pub posts: usize,
    pub images: usize,
}

pub fn export_markdown(store: &Store, selection: &Selection, out: &Path) -> Result<MarkdownReport, TransferError> {
    let posts_dir = out.join("_posts");
    let assets = out.join("assets");
    std::fs::create_dir_all(&posts_dir).map_err(io(&posts_dir))?;
    std::fs::write(
        out.join("_config.yml"),
        "# Exported by Broadsheet. Dates carry their own offsets.\ntitle: Broadsheet export\n",
    )
    .map_err(io(out))?;

    let mut folders = UniqueNames::default();
    let mut folder_of: HashMap<String, String> = HashMap::new();
    let mut files_in: HashMap<String, UniqueNames> = HashMap::new();
    let mut written_assets: HashMap<String, String> = HashMap::new();
    let mut report = MarkdownReport::default();
    // One post at a time, as the archive streams them: memory stays flat at any size.
    store.backup_stream(|a: BackupArticle| -> Result<(), TransferError> {
        if !selection.keeps(&a) {
            return Ok(());
        }
        let a = &a;
        let category = a.categories.first().map_or("uncategorized", |c| c.slug.as_str()).to_string();
        let folder = folder_of.entry(category.clone()).or_insert_with(|| folders.claim(&category)).clone();
        let dir = posts_dir.join(&folder);
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;

        // Images the archive holds are written once into assets/ and linked relatively.
        let mut local = HashMap::new();
        for url in &a.images {
            if let Some(path) = written_assets.get(url) {
                local.insert(url.clone(), path.clone());
                continue;
            }
            // Only raster images: an SVG served from the user's own site could run script.
            if let Some(img) = store.image(url)?.filter(|img| extension(&img.mime).is_some()) {
                std::fs::create_dir_all(&assets).map_err(io(&assets))?;
                let name = format!("{:016x}.{}", fnv(&img.bytes), extension(&img.mime).unwrap_or("bin"));
                let path = assets.join(&name);
                std::fs::write(&path, &img.bytes).map_err(io(&path))?;
                let rel = format!("/assets/{name}");
                written_assets.insert(url.clone(), rel.clone());
                local.insert(url.clone(), rel);
                report.images += 1;
            }
        }
        let html =
            broadsheet_html::for_export(&a.html, move |u| local.get(u).cloned().unwrap_or_else(|| u.to_string()));

        let name = files_in.entry(folder).or_default().claim(&format!("{}-{}.md", date_prefix(a), slug(&a.key)));
        let path = dir.join(name);
        std::fs::write(&path, format!("{}{}\n", front_matter(a), inert_body(&html))).map_err(io(&path))?;
        report.posts += 1;
        Ok(())
    })?;
    Ok(report)
}

/// The body as Jekyll must leave it: sanitised HTML that neither Liquid nor kramdown (nor
/// any CommonMark reader) will touch. Every `{` and `}` becomes a character reference, so no
/// Liquid tag (`{{ … }}`, `{% … %}`) or kramdown extension (`{: …}`, `{::options/}`,
/// `{::nomarkdown}`) is left; the body is one `<div markdown="0">` block, which kramdown
/// passes through raw, and holds no blank line, which would end an HTML block for CommonMark
/// readers and let Markdown link syntax in the text come alive. Browsers show the same text.
pub(crate) fn inert_body(html: &str) -> String {
    let mut out = String::with_capacity(html.len() + 32);
    out.push_str("<div markdown=\"0\">\n");
    for (i, line) in html.split('\n').enumerate() {
        if i > 0 {
            // A blank line keeps its newline as a reference, joined to the line before.
            out.push_str(if line.trim().is_empty() { "&#10;" } else { "\n" });
        }
        for c in line.chars() {
            match c {
                '{' => out.push_str("&#123;"),
                '}' => out.push_str("&#125;"),
                c => out.push(c),
            }
        }
    }
    out.push_str("\n</div>");
    out
}

fn front_matter(a: &BackupArticle) -> String {
    let list =
        |items: &mut dyn Iterator<Item = &str>| format!("[{}]", items.map(yaml_str).collect::<Vec<_>>().join(", "));
    let mut fm = format!("---\nlayout: post\ntitle: {}\ndate: {}\n", yaml_str(&a.title), jekyll_date(a));
    fm.push_str(&format!("categories: {}\n", list(&mut a.categories.iter().map(|c| c.slug.as_str()))));
    if !a.tags.is_empty() {
        fm.push_str(&format!("tags: {}\n", list(&mut a.tags.iter().map(String::as_str))));
    }
    if let Some(lang) = &a.lang {
        fm.push_str(&format!("lang: {}\n", yaml_str(lang)));
    }
    if let Some(url) = &a.url {
        fm.push_str(&format!("original_url: {}\n", yaml_str(url)));
    }
    if a.bookmarked_at.is_some() || a.read_at.is_some() || !a.user_tags.is_empty() {
        fm.push_str(&format!(
            "broadsheet: {{bookmarked: {}, read: {}, user_tags: {}}}\n",
            a.bookmarked_at.is_some(),
            a.read_at.is_some(),
            list(&mut a.user_tags.iter().map(String::as_str))
        ));
    }
    fm.push_str("---\n");
    fm
}

/// `s` as a YAML double-quoted scalar on one line: quotes and backslashes escaped, and every
/// control character (C0, DEL, C1), line or paragraph separator, byte-order mark,
/// non-character and bidi control written as an escape, so a value can never end the
/// scalar, start a new key, close the front matter or hide what it says.
pub(crate) fn yaml_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control()
                || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}')
                || matches!(c, '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') =>
            {
                out.push_str(&format!("\\u{:04X}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `2021-12-08 13:16:19 +0800`, in the post's own offset. Values the archive should never
/// hold (an offset beyond ±18 h, an instant outside years 1–9999) are written in UTC, or as
/// the Unix epoch, rather than failing the export.
fn jekyll_date(a: &BackupArticle) -> String {
    let utc = time::OffsetDateTime::from_unix_timestamp(a.published_at)
        .ok()
        .filter(|t| (1..=9999).contains(&t.year()))
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let local = Some(a.utc_offset_min)
        .filter(|m| m.unsigned_abs() <= 18 * 60)
        .and_then(|m| m.checked_mul(60))
        .and_then(|s| time::UtcOffset::from_whole_seconds(s).ok())
        .and_then(|o| utc.checked_to_offset(o))
        .filter(|t| (1..=9999).contains(&t.year()))
        .unwrap_or(utc);
    let offset_min = i32::from(local.offset().whole_minutes());
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02} {}{:02}{:02}",
        local.year(),
        u8::from(local.month()),
        local.day(),
        local.hour(),
        local.minute(),
        local.second(),
        if offset_min < 0 { '-' } else { '+' },
        (offset_min / 60).abs(),
        (offset_min % 60).abs()
    )
}

fn date_prefix(a: &BackupArticle) -> String {
    jekyll_date(a)[..10].to_string()
}

/// The post's slug: its key (a file stem) without a leading date, as the jekyll crate reads
/// one; `post` when nothing is left.
fn slug(key: &str) -> &str {
    match broadsheet_jekyll::post_slug(key) {
        "" => "post",
        s => s,
    }
}

/// File extensions of the image types an export writes (raster only).
fn extension(mime: &str) -> Option<&'static str> {
    match mime {
        "image/png" => Some("png"),
        "image/jpeg" => Some("jpg"),
        "image/gif" => Some("gif"),
        "image/webp" => Some("webp"),
        "image/avif" => Some("avif"),
        "image/bmp" => Some("bmp"),
        _ => None,
    }
}

/// A stable short name for image bytes (collisions only cost a duplicate file name check).
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf29ce484222325u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x100000001b3))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_has_no_braces_and_no_blank_lines() {
        let body = inert_body("<p>{{ x }}</p>\n\n  \n<pre>{% raw %}\n\n{: .x}</pre>");
        assert_eq!(
            body,
            "<div markdown=\"0\">\n<p>&#123;&#123; x &#125;&#125;</p>&#10;&#10;  \n\
             <pre>&#123;% raw %&#125;&#10;\n&#123;: .x&#125;</pre>\n</div>"
        );
    }

    #[test]
    fn yaml_strings_stay_on_one_line_and_in_their_quotes() {
        assert_eq!(yaml_str("a \"b\" \\ c"), r#""a \"b\" \\ c""#);
        assert_eq!(
            yaml_str("x\n---\ny: z\r\u{85}\u{2028}\u{202e}\u{1b}"),
            r#""x\n---\ny: z\u000D\u0085\u2028\u202E\u001B""#
        );
        assert_eq!(yaml_str("金融消息"), "\"金融消息\"");
    }
}
