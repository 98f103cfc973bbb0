//! Text → index columns, and a user's query → an FTS5 expression over them.
//!
//! CJK text has no spaces, so SQLite's unicode61 tokenizer would make a whole sentence one
//! token. Runs of CJK characters are indexed here instead as unigrams (one column) and
//! overlapping bigrams (another): a one-character query matches a unigram; a longer one is a
//! phrase of consecutive bigrams, which matches exactly where the string occurs. Everything
//! else goes to a words column that unicode61 splits and case-folds (no stemming).

/// Han (with extensions and compatibility ideographs), kana, hangul, bopomofo.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x3100..=0x312F | 0x31A0..=0x31BF | 0x31F0..=0x31FF |
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xAC00..=0xD7AF |
        0x1100..=0x11FF | 0x3130..=0x318F | 0x20000..=0x2FA1F)
}

/// The three index columns for one field (title or body).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Columns {
    pub words: String,
    pub uni: String,
    pub bi: String,
}

pub fn columns(text: &str) -> Columns {
    let mut cols = Columns::default();
    let mut run: Vec<char> = Vec::new();
    let flush = |run: &mut Vec<char>, cols: &mut Columns| {
        for c in run.iter() {
            cols.uni.push(*c);
            cols.uni.push(' ');
        }
        for pair in run.windows(2) {
            cols.bi.push(pair[0]);
            cols.bi.push(pair[1]);
            cols.bi.push(' ');
        }
        run.clear();
    };
    for c in text.chars() {
        if is_cjk(c) {
            run.push(c);
            cols.words.push(' ');
        } else {
            flush(&mut run, &mut cols);
            cols.words.push(c);
        }
    }
    flush(&mut run, &mut cols);
    cols
}

/// Why a query can't be searched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryError {
    Empty,
    TooLong { chars: usize, max: usize },
}

impl std::fmt::Display for QueryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            QueryError::Empty => f.write_str("the search query is empty"),
            QueryError::TooLong { chars, max } => {
                write!(f, "the search query is {chars} characters long; at most {max} are searched")
            }
        }
    }
}

pub const MAX_QUERY_CHARS: usize = 1000;

/// One term of a query as the user wrote it, for highlighting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub text: String,
    pub prefix: bool,
}

/// Parses a query: terms separated by spaces are ANDed; `"quoted phrases"` stay together;
/// a trailing `*` makes a word a prefix. Every token is quoted in the FTS5 expression, so
/// FTS syntax in the query (`NEAR(`, `OR`, `^`, `:`) is searched as text, never obeyed.
pub fn parse_query(q: &str) -> Result<(String, Vec<Term>), QueryError> {
    let chars = q.chars().count();
    if chars > MAX_QUERY_CHARS {
        return Err(QueryError::TooLong { chars, max: MAX_QUERY_CHARS });
    }
    let mut terms = Vec::new();
    let mut rest = q.trim();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('"') {
            let end = after.find('"').unwrap_or(after.len());
            terms.push(Term { text: after[..end].to_string(), prefix: false });
            rest = after.get(end + 1..).unwrap_or("").trim_start();
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            let word = &rest[..end];
            let (text, prefix) = match word.strip_suffix('*') {
                Some(w) if !w.is_empty() => (w, true),
                _ => (word, false),
            };
            terms.push(Term { text: text.to_string(), prefix });
            rest = rest[end..].trim_start();
        }
    }
    let mut parts = Vec::new();
    for term in &terms {
        parts.extend(term_expr(term));
    }
    if parts.is_empty() {
        return Err(QueryError::Empty);
    }
    terms.retain(|t| t.text.chars().any(char::is_alphanumeric));
    Ok((parts.join(" AND "), terms))
}

/// FTS5 sub-expressions for one term (ANDed by the caller).
fn term_expr(term: &Term) -> Vec<String> {
    let mut out = Vec::new();
    let mut segment: Vec<char> = Vec::new();
    let mut words = String::new();
    let push_cjk = |seg: &mut Vec<char>, out: &mut Vec<String>| {
        match seg.len() {
            0 => {}
            1 => out.push(format!("{{title_uni body_uni}} : {}", quote(&seg[0].to_string()))),
            _ => {
                let bigrams: Vec<String> = seg.windows(2).map(|p| p.iter().collect()).collect();
                out.push(format!("{{title_bi body_bi}} : {}", quote(&bigrams.join(" "))));
            }
        }
        seg.clear();
    };
    for c in term.text.chars() {
        if is_cjk(c) {
            segment.push(c);
            words.push(' ');
        } else {
            push_cjk(&mut segment, &mut out);
            words.push(c);
        }
    }
    push_cjk(&mut segment, &mut out);
    // Word characters as unicode61 sees them; the rest separates words.
    let tokens: Vec<String> =
        words.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect();
    if !tokens.is_empty() {
        let phrase = quote(&tokens.join(" "));
        let star = if term.prefix && !term.text.ends_with(is_cjk) { " *" } else { "" };
        out.push(format!("{{title_words body_words}} : {phrase}{star}"));
    }
    out
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_runs_become_unigrams_and_bigrams_and_the_rest_words() {
        let c = columns("A股公司，AI 训练师");
        assert_eq!(c.uni.split_whitespace().collect::<Vec<_>>(), ["股", "公", "司", "训", "练", "师"]);
        assert_eq!(c.bi.split_whitespace().collect::<Vec<_>>(), ["股公", "公司", "训练", "练师"]);
        assert_eq!(c.words.split_whitespace().collect::<Vec<_>>(), ["A", "，AI"]);
    }

    #[test]
    fn queries_map_to_unigram_bigram_and_word_matches() {
        assert_eq!(parse_query("股").unwrap().0, "{title_uni body_uni} : \"股\"");
        assert_eq!(parse_query("就业").unwrap().0, "{title_bi body_bi} : \"就业\"");
        assert_eq!(
            parse_query("AI 训练师").unwrap().0,
            "{title_words body_words} : \"ai\" AND {title_bi body_bi} : \"训练 练师\""
        );
        assert_eq!(parse_query("jek*").unwrap().0, "{title_words body_words} : \"jek\" *");
        assert_eq!(parse_query("\"release notes\"").unwrap().0, "{title_words body_words} : \"release notes\"");
    }

    #[test]
    fn fts_syntax_in_a_query_is_only_text() {
        let (expr, _) = parse_query("NEAR(a b) OR \"x\" col:y ^z").unwrap();
        assert!(expr.starts_with("{title_words body_words} : \"near a\" AND"), "{expr}");
        assert!(expr.contains(": \"col y\""), "{expr}");
        assert_eq!(parse_query("  \"\" ** ").unwrap_err(), QueryError::Empty);
        assert!(matches!(parse_query(&"字".repeat(10_000)), Err(QueryError::TooLong { .. })));
    }
}
