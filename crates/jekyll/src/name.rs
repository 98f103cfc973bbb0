//! Post file names: `YYYY-MM-DD-slug.ext`, and the odd ones real sites have.

/// The extensions Jekyll reads posts from: its default Markdown extensions and HTML.
const POST_EXTENSIONS: &[&str] = &["md", "markdown", "mdown", "mkdn", "mkd", "html", "htm"];

/// Top-level folders Jekyll itself never reads posts from (its output, caches, vendored
/// gems). Like Jekyll's own excludes they count at the site's root only: `_posts/vendor/`
/// is a category folder of posts.
pub const SKIP_DIRS: &[&str] = &["_site", ".git", "node_modules", "vendor", ".jekyll-cache", ".sass-cache"];

/// Top-level folders where a site keeps posts it no longer publishes (finews moves older
/// posts from `_posts` to `old_post/`). Jekyll does not read them; Broadsheet does — keeping
/// what the site stopped showing is the point of an archive (a deliberate difference).
pub const ARCHIVE_DIRS: &[&str] = &["old_post"];

/// Whether `rel`, a path relative to a site's root with `/` separators, is a post: a post
/// extension, inside a `_posts` folder at any depth (Jekyll reads `cat/_posts/` too), a
/// `_drafts` folder when `drafts`, or a top-level [`ARCHIVE_DIRS`] folder — and not under a
/// top-level [`SKIP_DIRS`] folder nor any `.git`, nor with a `\\` in its name (a
/// separator on Windows, a character in a git tree). The one rule of folder import and git
/// sync, so the same site read either way gives the same posts.
pub fn is_post_path(rel: &str, drafts: bool) -> bool {
    if !has_post_extension(rel) || rel.contains('\\') {
        return false;
    }
    let Some((dirs, _file)) = rel.rsplit_once('/') else { return false };
    let dirs: Vec<&str> = dirs.split('/').collect();
    if SKIP_DIRS.contains(&dirs[0]) || dirs.contains(&".git") {
        return false;
    }
    dirs.iter().any(|d| *d == "_posts" || (drafts && *d == "_drafts")) || ARCHIVE_DIRS.contains(&dirs[0])
}

/// A post's slug from its file stem: without a leading `YYYY-MM-DD-` date (or, undated,
/// without leading dashes); the stem itself when nothing is left.
pub fn post_slug(stem: &str) -> &str {
    if let Some((_, slug)) = split_date(stem) {
        return slug;
    }
    match stem.trim_start_matches('-') {
        "" => stem,
        slug => slug,
    }
}

/// Whether a file's name (or path, `/` or `\\` separated) has a post extension, in any case.
/// Part of [`is_post_path`]; alone, for a folder the reader named as a folder of posts.
pub fn has_post_extension(path: &str) -> bool {
    let file = path.rsplit(['/', '\\']).next().unwrap_or(path);
    match file.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => POST_EXTENSIONS.iter().any(|e| e.eq_ignore_ascii_case(ext)),
        _ => false,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PostName {
    /// File name without its extension.
    pub stem: String,
    pub slug: String,
    pub date: Option<(i32, u8, u8)>,
    pub warning: Option<String>,
}

/// A post's key in its source: the file name without its extension, whatever folder it is
/// in — a post moved from `_posts/` to `old_post/` is the same post.
pub fn post_key(path: &str) -> &str {
    let file = path.rsplit(['/', '\\']).next().unwrap_or(path);
    match file.rfind('.') {
        Some(i) if i > 0 => &file[..i],
        _ => file,
    }
}

impl PostName {
    pub fn parse(path: &str) -> PostName {
        let file = path.rsplit(['/', '\\']).next().unwrap_or(path);
        let stem = post_key(path);
        if let Some((date, slug)) = split_date(stem) {
            return PostName { stem: stem.to_string(), slug: slug.to_string(), date: Some(date), warning: None };
        }
        PostName {
            stem: stem.to_string(),
            slug: post_slug(stem).to_string(),
            date: None,
            warning: Some(format!("file name {file:?} does not start with a YYYY-MM-DD- date (Jekyll would skip it)")),
        }
    }

    /// Jekyll's title for a post without one: the slug's words, capitalised.
    pub fn title_from_slug(&self) -> String {
        self.slug
            .split('-')
            .filter(|w| !w.is_empty())
            .map(|w| {
                let mut c = w.chars();
                match c.next() {
                    Some(f) => f.to_uppercase().chain(c).collect::<String>(),
                    None => String::new(),
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn split_date(stem: &str) -> Option<((i32, u8, u8), &str)> {
    let mut parts = stem.splitn(4, '-');
    let y = parts.next()?;
    let m = parts.next()?;
    let d = parts.next()?;
    let slug = parts.next()?;
    if y.len() != 4 || !(1..=2).contains(&m.len()) || !(1..=2).contains(&d.len()) || slug.is_empty() {
        return None;
    }
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !(all_digits(y) && all_digits(m) && all_digits(d)) {
        return None;
    }
    let (y, m, d) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    Some(((y, m, d), slug))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn post_paths_are_under_posts_drafts_when_asked_or_archive_folders_and_never_under_skipped_ones() {
        for yes in [
            "_posts/2021-12-08-a.md",
            "old_post/2021-12-08-a.md",
            "docs/_posts/x.markdown",
            "_posts/sub/y.html",
            "_posts/z.mkd",
            "_posts/w.HTM",
            "old_post/sub/v.mkdn",
            "_posts/vendor/2024-01-02-x.md",
            "docs/node_modules/_posts/y.md",
        ] {
            assert!(is_post_path(yes, false), "{yes}");
        }
        for no in [
            "README.md",
            "2021-12-08-a.md",
            "_layouts/post.html",
            "category/emnews.html",
            "_posts/img.png",
            "_posts/.md",
            "x/old_post/a.md",
            "_drafts/a.md",
            "_site/_posts/a.md",
            "vendor/gem/_posts/a.md",
            "_posts/.git/a.md",
            "_posts\\a.md",
            "_posts/b\\a.md",
            "",
        ] {
            assert!(!is_post_path(no, false), "{no}");
        }
        assert!(is_post_path("_drafts/a.md", true));
        assert!(is_post_path("cat/_drafts/a.md", true));
        assert!(!is_post_path("_site/_drafts/a.md", true));
    }

    #[test]
    fn a_slug_is_the_stem_without_its_date_or_leading_dashes() {
        assert_eq!(post_slug("2021-12-08-a-b"), "a-b");
        assert_eq!(post_slug("2021-1-8-x"), "x");
        assert_eq!(post_slug("--x"), "x");
        assert_eq!(post_slug("---"), "---");
        assert_eq!(post_slug("2021-13-08-x"), "2021-13-08-x");
        assert_eq!(post_slug("2021-12-08-"), "2021-12-08-");
    }

    #[test]
    fn post_extensions_are_jekylls_in_any_case_and_need_a_name() {
        for yes in
            ["a.md", "_posts/x/2021-01-01-a.MKD", "b.markdown", "c.mdown", "d.mkdn", "e.html", "f.HTM", "dir\\g.md"]
        {
            assert!(has_post_extension(yes), "{yes}");
        }
        for no in ["README", ".md", "_posts/.md", "a.png", "a.md.bak", "a.", "a.mdx"] {
            assert!(!has_post_extension(no), "{no}");
        }
    }

    #[test]
    fn dated_name_gives_date_and_slug() {
        let n = PostName::parse("_posts/sub/2021-12-08-202112082206672930.md");
        assert_eq!(n.date, Some((2021, 12, 8)));
        assert_eq!(n.slug, "202112082206672930");
        assert_eq!(n.stem, "2021-12-08-202112082206672930");
        assert!(n.warning.is_none());
    }

    #[test]
    fn dash_prefixed_name_is_kept_with_a_warning() {
        let n = PostName::parse("_posts/-202205262391921712.md");
        assert_eq!(n.date, None);
        assert_eq!(n.slug, "202205262391921712");
        assert!(n.warning.unwrap().contains("-202205262391921712.md"));
    }

    #[test]
    fn title_from_slug_capitalises_words() {
        assert_eq!(PostName::parse("2014-01-01-hello-big-world.markdown").title_from_slug(), "Hello Big World");
    }
}
