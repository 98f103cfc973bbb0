//! The HTML parser's own amplifications: a small input must never become a huge tree.

/// Formatting elements (`<b>`, `<i>`, `<a>`, …) left open when their parent closes stay on the
/// parser's list of active formatting elements, and HTML5 re-creates every one of them before
/// each later run of text. With distinct attributes (which defeat the parser's own limit of
/// three identical entries) 200 of them were re-created per `<div>x</div>`: 240 KB became
/// 74 MB. Long attributes, implicit closes (`<p>`) and every formatting name are tried too.
#[test]
fn formatting_elements_left_open_are_not_recreated_without_bound() {
    let distinct: String = (0..200).map(|i| format!("<b title=\"{i}\">")).collect();
    let long_attribute = format!("<a href=\"https://x.example/{}\">", "a".repeat(100_000));
    let every_name: String =
        ["b", "i", "em", "strong", "u", "s", "small", "big", "code", "tt", "font", "nobr", "strike"]
            .iter()
            .map(|n| format!("<div><{n}></div>").repeat(3))
            .collect();
    let attacks = [
        format!("<div>{distinct}</div>{}", "<div>x</div>".repeat(20_000)),
        format!("<p>{long_attribute}{}", "<p>x".repeat(50_000)),
        format!("{every_name}{}", "<div>x</div>".repeat(20_000)),
        format!("<table>{distinct}{}</table>", "<td>x".repeat(20_000)),
        // `/>` closes nothing in HTML, and stray end tags close nothing either.
        format!("<div>{}</div>{}", distinct.replace("\">", "\"/>"), "<div>x</div>".repeat(20_000)),
        format!("<div>{distinct}</i></u></div>{}", "<div>x</div>".repeat(20_000)),
        format!("{}{}", "<div><b title=\"".to_string() + &"t".repeat(500) + "\">", "</div>x".repeat(50_000)),
        // The adoption agency clones a formatting element (attributes too) at each misnested end.
        format!("<b title=\"{}\">{}", "l".repeat(100_000), "<span><div></b></span>".repeat(20_000)),
        // Formatting elements hidden from a scan of tags by comments, lists or raw text.
        format!(
            "<div>{}</div>{}",
            (0..200).map(|i| format!("<!----!><b title={i}>-->")).collect::<String>(),
            "<div>x</div>".repeat(20_000)
        ),
        format!(
            "<div><ul>{}</div>{}",
            (0..8).map(|i| format!("<b title=\"{i}{}\">", "k".repeat(10_000))).collect::<String>(),
            "<div>x</div>".repeat(5_000)
        ),
        format!(
            "<div>{}{}{}",
            (0..200).map(|i| format!("<b title={i}><div></b>")).collect::<String>(),
            "</div>".repeat(201),
            "<div>x</div>".repeat(20_000)
        ),
    ];
    for html in &attacks {
        let out = broadsheet_html::sanitize(html, None);
        eprintln!("{} bytes in, {} out", html.len(), out.len());
        assert!(out.len() < 3 * html.len(), "{} bytes in became {} out: {:.80}", html.len(), out.len(), html);
        assert!(!html.contains(">x") || out.contains('x'), "the text is kept");
        let shown = broadsheet_html::for_display(html, "bsimg", |u| u.to_string(), Default::default());
        assert!(shown.len() < 3 * html.len(), "on display: {} bytes in became {} out", html.len(), shown.len());
    }
}

/// Ordinary unclosed formatting — a paragraph's bold left open — is kept as the parser reads it.
#[test]
fn a_few_formatting_elements_left_open_still_carry_over() {
    let out = broadsheet_html::sanitize("<div><b>bold</div><p>still bold</p>", None);
    assert!(out.contains("<p><b>still bold</b></p>"), "{out}");
}
