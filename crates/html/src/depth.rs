//! Bounds applied before the HTML parser sees the text, in one linear scan.
//!
//! HTML5 tree building checks "is there a `p` in button scope?" and similar on many start
//! tags by walking the stack of open elements, so 100,000 nested `<div>`s (or Markdown `>`
//! quotes, which become nested `<blockquote>`s) cost time quadratic in the depth: minutes for
//! one small post. Browsers bound the depth of the tree they build for the same reason
//! (WebKit: 512). And HTML5 re-creates formatting elements (`<b>`, `<a>`, `<font>`…) that an
//! ancestor's end closed before each later run of text, attributes and all: 200 of them
//! turned 240 KB of `<div>x</div>` into 74 MB. This pass follows the tree the parser will
//! build closely enough to bound both: a stack of the elements it keeps open (HTML's `/>`
//! closes nothing outside SVG and MathML; an end tag closes only an element that is open and
//! in scope; a few start tags close their own kind, as `<p>` does), and the formatting
//! elements left to be re-created. Past [`MAX_DEPTH`] open elements, further start tags are
//! dropped (their text kept) with their end tags; at most [`MAX_OPEN_FORMATTING`] formatting
//! elements are open or waiting to be re-created; and the bytes re-creation costs are budgeted
//! at about the input's size, past which the waiting ones are closed (an end tag for each,
//! which removes it from the parser's list) and no more are kept. It only removes tags or
//! adds end tags, and its output still goes through the sanitiser, so it cannot make
//! anything more dangerous.

use std::collections::HashMap;

/// Deeper than any real article (finews: under 10).
pub(crate) const MAX_DEPTH: usize = 256;

/// Formatting elements open or waiting to be re-created, at most. Real articles leave two
/// or three open.
pub(crate) const MAX_OPEN_FORMATTING: usize = 8;

/// HTML5's formatting elements, the ones it re-creates.
const FORMATTING: &[&str] =
    &["a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u"];

/// Elements that never hold content, so they do not deepen the tree.
const VOID: &[&str] =
    &["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"];

/// Elements an end tag's search for its element stops at (HTML's scope boundaries, and the
/// lists and tables within which `<li>`, `<td>` and the like close their own kind).
const SCOPE: &[&str] = &[
    "applet", "caption", "html", "marquee", "object", "table", "td", "th", "template", "svg", "math", "ul", "ol", "dl",
    "select",
];

/// Start tags before which the parser does not re-create formatting elements (HTML's
/// block-level start tags); text and other start tags make it re-create them.
const BLOCK: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "center",
    "details",
    "dialog",
    "dir",
    "div",
    "dl",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "header",
    "hgroup",
    "main",
    "menu",
    "nav",
    "ol",
    "section",
    "summary",
    "ul",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "pre",
    "listing",
    "form",
    "table",
    "caption",
    "colgroup",
    "html",
    "body",
];

/// Start tags that close an open element of their own kind first (`<p>` in a `<p>`).
const CLOSE_OWN_KIND: &[&str] = &["p", "li", "dt", "dd", "option", "tr", "td", "th", "tbody", "thead", "tfoot"];

/// An element the parser keeps open, as far as this scan can tell.
struct Open {
    name: String,
    /// Its index in [`FORMATTING`] and its start tag's length, for a formatting element.
    formatting: Option<(usize, usize)>,
}

/// `html` made safe for the tree builder (see the module comment). Borrowed unchanged when
/// no bound is reached, which is every real article.
pub(crate) fn bound(html: &str) -> std::borrow::Cow<'_, str> {
    let bytes = html.as_bytes();
    let mut out = String::new();
    let mut copied = 0; // html[copied..at] is still to be copied
    let mut changed = false;
    let mut stack: Vec<Open> = Vec::new();
    // Formatting elements an ancestor's end closed: the parser re-creates them before the
    // next content (name index, start tag length).
    let mut waiting: Vec<(usize, usize)> = Vec::new();
    // Start tags dropped (past the depth bound, by name; formatting ones per index), whose
    // end tags are dropped with them.
    let mut dropped: HashMap<String, usize> = HashMap::new();
    let mut fmt_dropped = [0usize; FORMATTING.len()];
    let mut recreate_budget = html.len() / 2 + 64 * 1024;
    let mut formatting_allowed = true;
    let mut foreign = 0usize; // open <svg>/<math>, where `/>` does close
    let mut i = 0;
    let mut text_from = 0; // where the text since the last tag began
    while let Some(off) = html[i..].find('<') {
        let at = i + off;
        let Some(tag) = scan_tag(bytes, at) else {
            i = at + 1;
            continue;
        };
        let raw_name = &html[tag.name.0..tag.name.1];
        let name = raw_name.chars().take(32).collect::<String>().to_ascii_lowercase();
        let formatting = match tag.kind {
            Kind::Start | Kind::End => FORMATTING.iter().position(|f| *f == name),
            Kind::Other => None,
        };
        // Content (text, or a start tag) after formatting elements were closed by an ancestor:
        // the parser re-creates them here, at their tags' cost.
        let content = !html[text_from..at].is_empty()
            || (tag.kind == Kind::Start && !BLOCK.contains(&name.as_str()) && !CLOSE_OWN_KIND.contains(&name.as_str()));
        if content && !waiting.is_empty() {
            let cost: usize = waiting.iter().map(|&(_, len)| len).sum();
            match recreate_budget.checked_sub(cost) {
                Some(left) => {
                    recreate_budget = left;
                    for (f, len) in waiting.drain(..) {
                        stack.push(Open { name: FORMATTING[f].to_string(), formatting: Some((f, len)) });
                    }
                }
                None => {
                    // An end tag for each takes it off the parser's list before it is re-created.
                    let at_text = text_from.max(copied);
                    out.push_str(&html[copied..at_text]);
                    for (f, _) in waiting.drain(..).rev() {
                        out.push_str("</");
                        out.push_str(FORMATTING[f]);
                        out.push('>');
                    }
                    copied = at_text;
                    changed = true;
                    formatting_allowed = false;
                }
            }
        }
        let keep = match tag.kind {
            Kind::Start if is_void(&name) || (tag.self_closing && foreign > 0) => true,
            Kind::Start => {
                if CLOSE_OWN_KIND.contains(&name.as_str()) {
                    close_to(&mut stack, &mut waiting, &mut foreign, &name);
                }
                let open_formatting = stack.iter().filter(|o| o.formatting.is_some()).count() + waiting.len();
                if stack.len() >= MAX_DEPTH {
                    *dropped.entry(name).or_default() += 1;
                    false
                } else if let Some(f) =
                    formatting.filter(|_| !formatting_allowed || open_formatting >= MAX_OPEN_FORMATTING)
                {
                    fmt_dropped[f] += 1;
                    false
                } else {
                    if name == "svg" || name == "math" {
                        foreign += 1;
                    }
                    stack.push(Open { name, formatting: formatting.map(|f| (f, tag.end - at)) });
                    true
                }
            }
            Kind::End => {
                if let Some(f) = formatting.filter(|&f| fmt_dropped[f] > 0) {
                    fmt_dropped[f] -= 1;
                    false
                } else if let Some(k) = formatting.and_then(|f| waiting.iter().rposition(|&(g, _)| g == f)) {
                    // Not open any more: the parser takes it off its list.
                    waiting.remove(k);
                    true
                } else if close_to(&mut stack, &mut waiting, &mut foreign, &name) {
                    true
                } else if let Some(n) = dropped.get_mut(&name).filter(|n| **n > 0) {
                    *n -= 1;
                    false
                } else {
                    // Nothing of that name is open: the parser ignores it, and so does the count.
                    true
                }
            }
            Kind::Other => true,
        };
        if !keep {
            out.push_str(&html[copied..at]);
            copied = tag.end;
            changed = true;
        }
        i = tag.end;
        text_from = tag.end;
    }
    if !changed {
        return std::borrow::Cow::Borrowed(html);
    }
    out.push_str(&html[copied..]);
    std::borrow::Cow::Owned(out)
}

/// Closes the innermost open `name`, as an end tag does, unless a scope boundary stands in
/// between (then the parser ignores the end tag); formatting elements closed on the way wait
/// to be re-created. Whether it was open.
fn close_to(stack: &mut Vec<Open>, waiting: &mut Vec<(usize, usize)>, foreign: &mut usize, name: &str) -> bool {
    let Some(k) = stack.iter().rposition(|o| o.name == name || SCOPE.contains(&o.name.as_str())) else {
        return false;
    };
    if stack[k].name != name {
        return false;
    }
    for (n, o) in stack.drain(k..).enumerate() {
        if o.name == "svg" || o.name == "math" {
            *foreign = foreign.saturating_sub(1);
        }
        if let (Some(f), true) = (o.formatting, n > 0) {
            if waiting.len() < 4 * MAX_OPEN_FORMATTING {
                waiting.push(f);
            }
        }
    }
    true
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
    fn void_elements_comments_and_svg_self_closing_do_not_count() {
        let html = format!("{}<p>x</p>", "<br><img src=a><!-- <div> -->".repeat(1000));
        assert!(matches!(bound(&html), std::borrow::Cow::Borrowed(_)));
        let svg = format!("<svg>{}</svg><p>x</p>", "<path d=\"M0\"/>".repeat(1000));
        assert!(matches!(bound(&svg), std::borrow::Cow::Borrowed(_)), "in SVG, `/>` closes");
    }

    /// HTML's `/>` closes nothing (`<div/>` opens a div), and an end tag closes only what is
    /// open: neither can make the count fall behind the parser's tree.
    #[test]
    fn self_closing_syntax_and_stray_end_tags_cannot_hide_nesting() {
        let slashed = format!("{}text", "<div/>".repeat(10_000));
        assert_eq!(bound(&slashed).matches("<div/>").count(), MAX_DEPTH);
        let stray = format!("{}text", "<div></i>".repeat(10_000));
        assert_eq!(bound(&stray).matches("<div>").count(), MAX_DEPTH);
        let formatting = format!("<div>{}</div>{}", "<b title=1/>".repeat(300), "<div>x</div>".repeat(100));
        assert!(bound(&formatting).matches("<b ").count() <= MAX_OPEN_FORMATTING);
    }

    /// Unclosed paragraphs and list items close their own kind, as the parser does: a long
    /// old-style article of `<p>` without `</p>` keeps all its tags.
    #[test]
    fn implicitly_closed_paragraphs_do_not_deepen_the_tree() {
        let html = "<p>para <a href=\"https://x.example/a\">link</a> <b>bold</b>\n".repeat(2000);
        assert!(matches!(bound(&html), std::borrow::Cow::Borrowed(_)));
        let list = format!("<ul>{}</ul>", "<li>item <i>x</i>".repeat(2000));
        assert!(matches!(bound(&list), std::borrow::Cow::Borrowed(_)));
    }

    /// Properly closed formatting costs nothing: a long article of links keeps every one.
    #[test]
    fn closed_formatting_elements_cost_nothing() {
        let link = format!("<a href=\"https://x.example/{}\">", "q".repeat(2000));
        let html = format!("<p>{link}x</a></p>").repeat(2000);
        assert!(matches!(bound(&html), std::borrow::Cow::Borrowed(_)));
    }
}
