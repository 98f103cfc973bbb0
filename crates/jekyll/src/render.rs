//! Markdown (with raw HTML) → sanitised HTML, plain text, excerpt and image list.

use pulldown_cmark::{html, Options, Parser};

/// A rendered body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rendered {
    /// Sanitised HTML (see `broadsheet_html::sanitize`).
    pub html: String,
    /// Plain text, one block per line, for search and excerpts.
    pub text: String,
    pub excerpt: String,
    /// Absolute URLs of the images the body shows, in order, without repeats.
    pub images: Vec<String>,
    /// What was rendered otherwise than written, and why (the post is still imported).
    pub warning: Option<String>,
}

/// More table cells than this in one body, and its tables are shown as the text they are
/// written as. GFM pads every short row to the header's width: 1,444 tables of 363 columns
/// over 723 one-character rows are 4 MiB of Markdown and 378 million cells, which
/// pulldown-cmark builds as nodes (about 20 GB) before writing any HTML. Its own cap
/// (2^18 padded cells) is per table; this one is per body, and counts every cell.
pub const MAX_TABLE_CELLS: usize = 1 << 18;

/// Renders a Markdown body. `site_url` resolves relative and protocol-relative links.
pub fn render_body(markdown: &str, site_url: Option<&str>) -> Rendered {
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    let mut opts = Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES;
    let cells = table_cells_at_most(markdown);
    let warning = if cells > MAX_TABLE_CELLS {
        Some(format!("tables shown as text: up to {cells} table cells (at most {MAX_TABLE_CELLS} are rendered)"))
    } else {
        opts |= Options::ENABLE_TABLES;
        None
    };
    html::push_html(&mut raw, Parser::new_ext(markdown, opts));
    let html = broadsheet_html::sanitize(&raw, site_url);
    let images = broadsheet_html::image_sources(&html);
    let text = broadsheet_html::plain_text(&html);
    let excerpt = broadsheet_html::excerpt(&text);
    Rendered { html, text, excerpt, images, warning }
}

/// An upper bound on the cells GFM tables in `markdown` can make, padding included: every
/// line that could be a table's delimiter row (`|`, `-`, `:`, spaces and what may prefix it
/// in a quote or list) opens a table as wide as its pipes allow, whose rows run to the next
/// blank line; each later line is a row of every table still open. Linear in the text, no
/// allocation. It overcounts what the parser would make (lines it would not take as a
/// table), never undercounts.
fn table_cells_at_most(markdown: &str) -> usize {
    let (mut total, mut open) = (0usize, 0usize);
    for line in markdown_lines(markdown) {
        // Only spaces, tabs and quote markers: a blank line (in a quote, or one that ends
        // it), which ends every table. A form feed is not blank to CommonMark: a row.
        if line.bytes().all(|b| matches!(b, b'>' | b' ' | b'\t')) {
            open = 0;
        } else if let Some(columns) = delimiter_columns(line) {
            // A row of every table open (`|-` under a wide header is one), and perhaps the
            // delimiter of a new one: its header above and itself.
            total = total.saturating_add(open).saturating_add(columns.saturating_mul(2));
            open = open.saturating_add(columns);
        } else {
            total = total.saturating_add(open);
        }
    }
    total
}

/// The lines of `markdown` as CommonMark ends them: at `\n`, `\r\n` or a lone `\r`
/// (`str::lines` keeps a lone `\r` inside a line, and the bound saw one line where the
/// parser saw thousands of rows).
fn markdown_lines(markdown: &str) -> impl Iterator<Item = &str> {
    markdown.split('\n').flat_map(|l| l.strip_suffix('\r').unwrap_or(l).split('\r'))
}

/// The most columns `line` could give a table if it is a delimiter row (`|:--|--:|`).
fn delimiter_columns(line: &str) -> Option<usize> {
    let (mut pipes, mut dash) = (0usize, false);
    for b in line.bytes() {
        match b {
            b'|' => pipes += 1,
            b'-' => dash = true,
            b':' | b' ' | b'\t' | b'>' | b'*' | b'+' | b'.' | b')' | b'0'..=b'9' => {}
            _ => return None,
        }
    }
    (pipes > 0 && dash).then_some(pipes + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_autolinks_and_raw_html_paragraphs_render() {
        let r = render_body(
            "> 摘要\n\n<p>正文<strong>小标题</strong></p>\n\n<http://finance.eastmoney.com/news/1344,1.html>\n\n[返回首页](//finews.withounder.com/)",
            None,
        );
        assert!(r.html.contains("<blockquote>"), "{}", r.html);
        assert!(r.html.contains("<strong>小标题</strong>"), "{}", r.html);
        assert!(r.html.contains("href=\"http://finance.eastmoney.com/news/1344,1.html\""), "{}", r.html);
        assert!(r.html.contains("href=\"https://finews.withounder.com/\""), "{}", r.html);
        assert!(r.text.starts_with("摘要\n正文小标题"), "{}", r.text);
    }

    #[test]
    fn tables_render_and_a_body_of_padded_tables_is_shown_as_text() {
        let small = render_body("|a|b|\n|-|-|\n|1|2|\n|3|\n", None);
        assert!(small.html.contains("<table>") && small.html.contains("<td>3</td>"), "{}", small.html);
        assert_eq!(small.warning, None);

        // Each table stays under pulldown-cmark's own per-table cap; together they would be
        // hundreds of millions of cells. Smaller here (the test's memory), the same shape.
        let header = format!("{}\n{}\n", "|a".repeat(300), "|-".repeat(300));
        let table = format!("{header}{}\n", "x\n".repeat(400));
        let cells = 300 * 402 * 4;
        let hostile = table.repeat(4);
        assert!(table_cells_at_most(&hostile) >= cells, "{}", table_cells_at_most(&hostile));
        let r = render_body(&hostile, None);
        assert!(!r.html.contains("<table>"), "rendered as text");
        assert!(r.html.len() < hostile.len() * 2, "{} bytes", r.html.len());
        assert!(r.warning.as_deref().is_some_and(|w| w.contains("tables shown as text")), "{:?}", r.warning);
    }

    fn cells_made(md: &str) -> usize {
        Parser::new_ext(md, Options::ENABLE_TABLES)
            .filter(|e| matches!(e, pulldown_cmark::Event::Start(pulldown_cmark::Tag::TableCell)))
            .count()
    }

    #[test]
    fn the_cell_bound_never_undercounts_what_the_parser_makes() {
        // Tables inside quotes and lists, rows longer and shorter than the header, rows that
        // look like delimiters, lone `\r` line ends.
        for md in [
            "|a|b|c|\n|-|-|-|\n|1|\n|1|2|3|4|\n",
            "> |a|b|\n> |:-|-:|\n> |1|2|\n",
            "- |a|b|\n  |-|-|\n  |1|\n",
            "a|b\n-|-\n1\n2\n\nc\n",
            &format!("{}\n{}\n{}", "|a".repeat(20), "|-".repeat(20), "|-\n".repeat(30)),
            "|a|b|c|\r|-|-|-|\rx\ry\r",
            "|a|b|\r\n|-|-|\r\nx\r\n\x0c\r\ny\n",
        ] {
            let made = cells_made(md);
            assert!(made > 0, "{md:?} is a table");
            assert!(table_cells_at_most(md) >= made, "{md:?}: bound {} < {made}", table_cells_at_most(md));
        }
    }

    #[test]
    fn the_cell_bound_holds_over_thousands_of_generated_documents() {
        // Lines an attacker would mix: headers, delimiters (plain, aligned, in quotes and
        // list items), short rows, blank-looking lines, with every line ending CommonMark has.
        const LINES: &[&str] = &[
            "|a|b|c|",
            "|-|-|-|",
            "|a|b|c|d|e|f|g|h|i|",
            "|-|-|-|-|-|-|-|-|-|",
            "|:-|-:|:-:|",
            "a|b",
            "-|-",
            "|-",
            "-",
            "x",
            "|x|",
            "",
            " ",
            "\t",
            ">",
            "> |a|b|",
            "> |-|-|",
            "> x",
            ">> |a|",
            ">> |-|",
            "- |a|b|",
            "  |-|-|",
            "  x",
            "1. |a|",
            "   |-|",
            "\x0c",
            "    |a|",
            "    |-|",
            "* |-|-|",
            "|a\\|b|",
            "| - | - |",
            "***",
            "# h",
            "```",
            "<div>",
        ];
        const ENDS: &[&str] = &["\n", "\r\n", "\r"];
        let mut rng = broadsheet_testkit::Rng::new(0x2545_f491_4f6c_dd1d);
        let mut next = |n: usize| rng.below(n as u64) as usize;
        for _ in 0..3_000 {
            let mut md = String::new();
            for _ in 0..1 + next(24) {
                md.push_str(LINES[next(LINES.len())]);
                md.push_str(ENDS[next(ENDS.len())]);
            }
            let made = cells_made(&md);
            assert!(table_cells_at_most(&md) >= made, "{md:?}: bound {} < {made}", table_cells_at_most(&md));
        }
    }
}
