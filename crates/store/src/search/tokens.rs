//! Text → the index's token stream, and a user's query → an FTS5 expression over it.
//!
//! CJK text has no spaces, so SQLite's unicode61 tokenizer would make a whole sentence one
//! token. Each CJK character is made a token of its own here (a unigram, with its position),
//! so a one-character query is a term and a longer one a phrase of consecutive characters,
//! which matches exactly where the string occurs. Everything else stays as written for
//! unicode61 to split into words and case-fold (no stemming). A separator token ends every
//! CJK run, so a phrase never matches across punctuation or a word (`公司，训练` does not hold
//! `司训`).
//!
//! Unigrams with positions, not unigrams *and* bigrams: the bigram vocabulary (millions of
//! distinct pairs) made the index 2.5× the posts and most of an import's time (see
//! docs/performance.md); phrase queries over unigrams cost a little more per query instead.

/// Han (with extensions and compatibility ideographs), kana, hangul, bopomofo: the one
/// table, `broadsheet_html::cjk_script`.
pub use broadsheet_html::is_cjk;

/// Ends a CJK run in the token stream. A private-use character: unicode61 keeps it as a
/// token, and queries never contain it (it is stripped from them).
pub const SEPARATOR: char = '\u{E000}';

/// The index text of a title or a body (indexed together, a separator between them): CJK characters spaced apart, a separator
/// after each CJK run, everything else as it was (private-use U+E000 removed).
pub fn index_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let mut in_run = false;
    for c in text.chars() {
        if is_cjk(c) {
            out.push(' ');
            out.push(c);
            in_run = true;
        } else {
            if in_run {
                out.push(' ');
                out.push(SEPARATOR);
                out.push(' ');
                in_run = false;
            }
            if c != SEPARATOR {
                out.push(c);
            }
        }
    }
    if in_run {
        out.push(' ');
        out.push(SEPARATOR);
    }
    out
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

/// FTS5 sub-expressions for one term (ANDed by the caller): a phrase of characters per CJK
/// run, a phrase of words for the rest. Titles and bodies are one indexed text.
fn term_expr(term: &Term) -> Vec<String> {
    let mut out = Vec::new();
    let mut segment: Vec<char> = Vec::new();
    let mut words = String::new();
    let push_cjk = |seg: &mut Vec<char>, out: &mut Vec<String>| {
        if !seg.is_empty() {
            let chars: Vec<String> = seg.iter().map(char::to_string).collect();
            out.push(quote(&chars.join(" ")));
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
    let tokens: Vec<String> = words
        .split(|c: char| !c.is_alphanumeric() || c == SEPARATOR)
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    if !tokens.is_empty() {
        let phrase = quote(&tokens.join(" "));
        let star = if term.prefix && !term.text.ends_with(is_cjk) { " *" } else { "" };
        out.push(format!("{phrase}{star}"));
    }
    out
}

/// The most tokens in one phrase of the query's FTS5 expression (a CJK word of two
/// characters is a phrase of two).
pub(crate) fn longest_phrase(terms: &[Term]) -> usize {
    terms
        .iter()
        .flat_map(term_expr)
        .map(|part| part.trim_end_matches(" *").trim_matches('"').split(' ').filter(|t| !t.is_empty()).count())
        .max()
        .unwrap_or(0)
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_characters_become_tokens_and_each_run_ends_with_a_separator() {
        let t = index_text("A股公司，AI 训练师");
        let tokens: Vec<&str> = t.split_whitespace().collect();
        assert_eq!(tokens, ["A", "股", "公", "司", "\u{E000}", "，AI", "训", "练", "师", "\u{E000}"]);
        assert_eq!(index_text("plain words, no change"), "plain words, no change");
        assert!(!index_text("x\u{E000}y").contains(SEPARATOR), "a separator in the text is not kept");
    }

    #[test]
    fn queries_map_to_character_phrases_and_word_phrases() {
        assert_eq!(parse_query("股").unwrap().0, "\"股\"");
        assert_eq!(parse_query("就业").unwrap().0, "\"就 业\"");
        assert_eq!(parse_query("AI 训练师").unwrap().0, "\"ai\" AND \"训 练 师\"");
        assert_eq!(parse_query("A股").unwrap().0, "\"股\" AND \"a\"");
        assert_eq!(parse_query("jek*").unwrap().0, "\"jek\" *");
        assert_eq!(parse_query("\"release notes\"").unwrap().0, "\"release notes\"");
        assert_eq!(parse_query("\u{E000}").unwrap_err(), QueryError::Empty);
    }

    #[test]
    fn the_longest_phrase_of_a_query_counts_its_tokens() {
        let longest = |q: &str| longest_phrase(&parse_query(q).unwrap().1);
        assert_eq!(longest("股"), 1);
        assert_eq!(longest("AI 股"), 1);
        assert_eq!(longest("就业 AI"), 2);
        assert_eq!(longest("\"release notes now\""), 3);
        assert_eq!(longest("A股公司"), 3);
    }

    #[test]
    fn fts_syntax_in_a_query_is_only_text() {
        let (expr, _) = parse_query("NEAR(a b) OR \"x\" col:y ^z").unwrap();
        assert!(expr.starts_with("\"near a\" AND"), "{expr}");
        assert!(expr.contains("\"col y\""), "{expr}");
        assert_eq!(parse_query("  \"\" ** ").unwrap_err(), QueryError::Empty);
        assert!(matches!(parse_query(&"字".repeat(10_000)), Err(QueryError::TooLong { .. })));
    }
}
