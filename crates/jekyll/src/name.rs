//! Post file names: `YYYY-MM-DD-slug.ext`, and the odd ones real sites have.

/// The extensions Jekyll reads posts from: its default Markdown extensions and HTML.
const POST_EXTENSIONS: &[&str] = &["md", "markdown", "mdown", "mkdn", "mkd", "html", "htm"];

/// Whether a file's name (or path, `/` or `\\` separated) has a post extension, in any case.
/// The one rule for every reader of posts: folder import, git sync.
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

impl PostName {
    pub fn parse(path: &str) -> PostName {
        let file = path.rsplit(['/', '\\']).next().unwrap_or(path);
        let stem = match file.rfind('.') {
            Some(i) if i > 0 => &file[..i],
            _ => file,
        };
        if let Some((date, slug)) = split_date(stem) {
            return PostName { stem: stem.to_string(), slug: slug.to_string(), date: Some(date), warning: None };
        }
        let slug = stem.trim_start_matches('-');
        PostName {
            stem: stem.to_string(),
            slug: if slug.is_empty() { stem.to_string() } else { slug.to_string() },
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
