//! Snippets: a window of the text around the first match, matches wrapped in `<mark>`,
//! everything else HTML-escaped.

use super::tokens::Term;

const BEFORE: usize = 24;
const LENGTH: usize = 120;

pub(crate) fn make(title: &str, text: &str, terms: &[Term]) -> String {
    let chars: Vec<char> = text.chars().collect();
    let lower: Vec<char> = chars.iter().map(|c| c.to_lowercase().next().unwrap_or(*c)).collect();
    let needles: Vec<Vec<char>> =
        terms.iter().map(|t| t.text.to_lowercase().chars().collect()).filter(|n: &Vec<char>| !n.is_empty()).collect();
    let matches = find_all(&lower, &needles);
    if matches.is_empty() {
        // The match was in the title only: show the start of the text.
        let _ = title;
        return escape(&chars.iter().take(LENGTH).collect::<String>());
    }
    let start = matches[0].0.saturating_sub(BEFORE);
    let end = (start + LENGTH).min(chars.len());
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    let mut i = start;
    for &(s, e) in matches.iter().filter(|(s, _)| *s >= start && *s < end) {
        if s < i {
            continue;
        }
        out.push_str(&escape(&chars[i..s].iter().collect::<String>()));
        out.push_str("<mark>");
        out.push_str(&escape(&chars[s..e.min(chars.len())].iter().collect::<String>()));
        out.push_str("</mark>");
        i = e;
    }
    if i < end {
        out.push_str(&escape(&chars[i..end].iter().collect::<String>()));
    }
    if end < chars.len() {
        out.push('…');
    }
    out.replace('\n', " ")
}

/// Non-overlapping (start, end) char ranges of any needle, in order.
fn find_all(hay: &[char], needles: &[Vec<char>]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < hay.len() {
        if let Some(n) = needles.iter().filter(|n| hay[i..].starts_with(n)).max_by_key(|n| n.len()) {
            out.push((i, i + n.len()));
            i += n.len();
        } else {
            i += 1;
        }
    }
    out
}

use broadsheet_html::escape;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_are_marked_and_text_escaped() {
        let terms = [Term { text: "就业".into(), prefix: false }];
        let s = make("t", "女性<就业>率上升，就业人数增加", &terms);
        assert_eq!(s, "女性&lt;<mark>就业</mark>&gt;率上升，<mark>就业</mark>人数增加");
    }

    #[test]
    fn a_long_text_is_cut_around_the_first_match() {
        let text = format!("{}目标{}", "前".repeat(100), "后".repeat(300));
        let s = make("t", &text, &[Term { text: "目标".into(), prefix: false }]);
        assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
        assert!(s.contains("<mark>目标</mark>"));
        assert!(s.chars().count() < 140);
    }
}
