//! A nesting bound applied before the HTML parser sees the text.
//!
//! HTML5 tree building checks "is there a `p` in button scope?" and similar on many start
//! tags by walking the stack of open elements, so 100,000 nested `<div>`s (or Markdown `>`
//! quotes, which become nested `<blockquote>`s) cost time quadratic in the depth: minutes for
//! one small post. Browsers bound the depth of the tree they build for the same reason
//! (WebKit: 512). This pass does the same in one linear scan: past [`MAX_DEPTH`] open
//! elements, further start tags are dropped (their text is kept) together with as many end
//! tags. It only removes tags, never adds any, and its output still goes through the
//! sanitiser, so it cannot make anything more dangerous.

/// Deeper than any real article (finews: under 10).
pub(crate) const MAX_DEPTH: usize = 256;

/// Formatting elements left open (start tags not yet matched by their own end tag) kept.
/// HTML5 keeps such elements on its list of active formatting elements even after their
/// parent closes, and re-creates every one of them (attributes and all) before each later run
/// of text: 200 of them, with distinct attributes, turned 240 KB of `<div>x</div>` into 74 MB
/// of output and a tree of 20 nodes per input byte. Real articles leave two or three open.
pub(crate) const MAX_OPEN_FORMATTING: usize = 8;

/// HTML5's formatting elements, the ones it re-creates.
const FORMATTING: &[&str] =
    &["a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u"];

/// Elements that never hold content, so they do not deepen the tree.
const VOID: &[&str] =
    &["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"];

/// `html` made safe for the tree builder, in one linear scan that only removes tags or adds
/// end tags:
/// - start tags past the nesting bound are removed (their text kept), with as many end tags;
/// - at most [`MAX_OPEN_FORMATTING`] formatting elements are open at once (further ones are
///   removed with their end tags);
/// - the bytes the parser could spend re-creating open formatting elements (their tags'
///   length at each other tag while they are open) are budgeted at about the input's size:
///   past it, the open ones are closed where they stand and no formatting element is kept
///   open any more, so the tree stays proportional to the input whatever the attributes.
///
/// Borrowed unchanged when nothing is reached, which is every real article.
pub(crate) fn bound(html: &str) -> std::borrow::Cow<'_, str> {
    let bytes = html.as_bytes();
    let mut out = String::new();
    let mut copied = 0; // html[copied..at] is still to be copied
    let mut depth = 0usize;
    let mut dropped = 0usize; // start tags removed and not yet matched by a removed end tag
    let mut i = 0;
    let mut changed = false;
    // Kept formatting elements still open (their name's index, their tag's length), and per
    // name, removed (or closed early) ones whose end tags are still to be removed, so that
    // the depth count stays exact.
    let mut fmt_open: Vec<(usize, usize)> = Vec::new();
    let mut fmt_dropped = [0usize; FORMATTING.len()];
    let mut recreate_budget = html.len() / 2 + 64 * 1024;
    let mut formatting_allowed = true;
    while let Some(off) = html[i..].find('<') {
        let at = i + off;
        let Some(tag) = scan_tag(bytes, at) else {
            i = at + 1;
            continue;
        };
        let name = &html[tag.name.0..tag.name.1];
        let formatting = match tag.kind {
            Kind::Start | Kind::End => FORMATTING.iter().position(|f| f.eq_ignore_ascii_case(name)),
            Kind::Other => None,
        };
        if formatting.is_none() && tag.kind != Kind::Other && !fmt_open.is_empty() {
            let cost: usize = fmt_open.iter().map(|&(_, len)| len).sum();
            match recreate_budget.checked_sub(cost) {
                Some(left) => recreate_budget = left,
                None => {
                    // Close the open formatting elements here, innermost first.
                    out.push_str(&html[copied..at]);
                    copied = at;
                    changed = true;
                    for (f, _) in fmt_open.drain(..).rev() {
                        out.push_str("</");
                        out.push_str(FORMATTING[f]);
                        out.push('>');
                        fmt_dropped[f] += 1;
                        depth = depth.saturating_sub(1);
                    }
                    formatting_allowed = false;
                }
            }
        }
        let keep = match tag.kind {
            Kind::Start if !tag.self_closing && !is_void(name) => {
                if depth >= MAX_DEPTH {
                    dropped += 1;
                    false
                } else if let Some(f) =
                    formatting.filter(|_| !formatting_allowed || fmt_open.len() >= MAX_OPEN_FORMATTING)
                {
                    fmt_dropped[f] += 1;
                    false
                } else {
                    if let Some(f) = formatting {
                        fmt_open.push((f, tag.end - at));
                    }
                    depth += 1;
                    true
                }
            }
            Kind::End if formatting.is_some_and(|f| fmt_dropped[f] > 0) => {
                if let Some(f) = formatting {
                    fmt_dropped[f] -= 1;
                }
                false
            }
            Kind::End => {
                if let Some(f) = formatting {
                    if let Some(k) = fmt_open.iter().rposition(|&(g, _)| g == f) {
                        fmt_open.remove(k);
                    }
                }
                if dropped > 0 {
                    dropped -= 1;
                    false
                } else {
                    depth = depth.saturating_sub(1);
                    true
                }
            }
            _ => true,
        };
        if !keep {
            out.push_str(&html[copied..at]);
            copied = tag.end;
            changed = true;
        }
        i = tag.end;
    }
    if !changed {
        return std::borrow::Cow::Borrowed(html);
    }
    out.push_str(&html[copied..]);
    std::borrow::Cow::Owned(out)
}

fn is_void(name: &str) -> bool {
    VOID.iter().any(|v| v.eq_ignore_ascii_case(name))
}

#[derive(PartialEq)]
enum Kind {
    Start,
    End,
    /// Comments, doctypes, processing instructions: they do not nest.
    Other,
}

struct Tag {
    kind: Kind,
    /// Byte range of the tag name.
    name: (usize, usize),
    self_closing: bool,
    /// Just past the closing `>`.
    end: usize,
}

/// The tag starting at `bytes[at] == b'<'`, or `None` when this `<` is text. Linear in the
/// tag's length; quoted attribute values may hold `>`.
fn scan_tag(bytes: &[u8], at: usize) -> Option<Tag> {
    let mut j = at + 1;
    let kind = match bytes.get(j)? {
        b'/' => {
            j += 1;
            Kind::End
        }
        b'!' | b'?' => Kind::Other,
        c if c.is_ascii_alphabetic() => Kind::Start,
        _ => return None,
    };
    if kind == Kind::Other {
        // A comment ends at `-->`, anything else at the next `>`.
        let rest = &bytes[at..];
        let end = if rest.starts_with(b"<!--") {
            find(rest, b"-->").map(|e| at + e + 3)
        } else {
            rest.iter().position(|&b| b == b'>').map(|e| at + e + 1)
        };
        return Some(Tag { kind, name: (at, at), self_closing: false, end: end.unwrap_or(bytes.len()) });
    }
    if !bytes.get(j)?.is_ascii_alphabetic() {
        return None;
    }
    let name_start = j;
    while j < bytes.len() && !matches!(bytes[j], b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'/' | b'>') {
        j += 1;
    }
    let name = (name_start, j);
    let mut quote: Option<u8> = None;
    let mut last = 0u8;
    while j < bytes.len() {
        let b = bytes[j];
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if b == b'>' => {
                return Some(Tag { kind, name, self_closing: last == b'/', end: j + 1 });
            }
            None => {}
        }
        if !b.is_ascii_whitespace() {
            last = b;
        }
        j += 1;
    }
    // An unclosed tag runs to the end of the text, as the HTML parser reads it.
    Some(Tag { kind, name, self_closing: false, end: bytes.len() })
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_html_is_borrowed_unchanged() {
        let html = "<p>a <b>b</b> <img src=\"x>y\"><br></p>".repeat(100);
        assert!(matches!(bound(&html), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn nesting_past_the_bound_keeps_text_and_drops_tags() {
        let n = 10_000;
        let html = format!("{}text{}", "<div>".repeat(n), "</div>".repeat(n));
        let out = bound(&html);
        assert_eq!(out.matches("<div>").count(), MAX_DEPTH);
        assert_eq!(out.matches("</div>").count(), MAX_DEPTH);
        assert!(out.contains("text"));
        let unclosed = "<span>".repeat(n);
        assert_eq!(bound(&unclosed).matches("<span>").count(), MAX_DEPTH);
    }

    #[test]
    fn formatting_elements_left_open_past_the_bound_are_dropped_with_their_end_tags() {
        let html = format!("{}{}<p>x</p>", "<b title=1>".repeat(300), "</b>".repeat(300));
        let out = bound(&html);
        assert_eq!(out.matches("<b ").count(), MAX_OPEN_FORMATTING);
        assert_eq!(out.matches("</b>").count(), MAX_OPEN_FORMATTING, "as many end tags as start tags kept");
        // Closed ones do not count: a long article of bold words keeps all of them.
        let words = "<b>word</b> <i>x</i> <a href=\"#\">y</a> ".repeat(300);
        assert!(matches!(bound(&words), std::borrow::Cow::Borrowed(_)));
        // A mismatched end tag does not close another element's count.
        let mismatched = "<b title=1></i>".repeat(300);
        assert_eq!(bound(&mismatched).matches("<b ").count(), MAX_OPEN_FORMATTING);
    }

    #[test]
    fn void_and_self_closing_elements_and_comments_do_not_count() {
        let html = format!("{}<p>x</p>", "<br><img src=a><x/><!-- <div> -->".repeat(1000));
        assert!(matches!(bound(&html), std::borrow::Cow::Borrowed(_)));
    }
}
