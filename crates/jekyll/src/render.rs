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
}

/// Renders a Markdown body. `site_url` resolves relative and protocol-relative links.
pub fn render_body(markdown: &str, site_url: Option<&str>) -> Rendered {
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    let opts = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES;
    html::push_html(&mut raw, Parser::new_ext(markdown, opts));
    let html = broadsheet_html::sanitize(&raw, site_url);
    let images = broadsheet_html::image_sources(&html);
    let text = broadsheet_html::plain_text(&html);
    let excerpt = broadsheet_html::excerpt(&text);
    Rendered { html, text, excerpt, images }
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
}
