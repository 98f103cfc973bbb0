//! Saving a web page from the window: typed into "Save a page", pasted or dropped anywhere.

use crate::harness::{page_server, App};

fn page(title: &str, sentence: &str) -> String {
    format!(
        r#"<!DOCTYPE html><html lang="en"><head><title>{title} | Example News</title>
<meta property="og:title" content="{title}"><meta property="og:site_name" content="Example News"></head>
<body><nav><a href="/">Home</a> <a href="/sport">NAVIGATION-LINK</a></nav>
<div class="advertisement">ADVERTISEMENT-TEXT</div>
<article><h1>{title}</h1><p>{sentence} The council met for three hours on Tuesday evening and agreed the plan in a vote of seven to two.</p>
<p>Residents who spoke at the meeting said the change was overdue, and the works are expected to begin next spring after a final consultation.</p>
<p>A spokesperson for the council said the budget had been set aside last year and that no further approval was needed.</p></article>
<section id="comments" class="comments"><p>COMMENT-TEXT: great news</p></section></body></html>"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_saved_from_the_window_opens_without_its_clutter_and_pasted_or_dropped_addresses_are_saved_too() {
    let _one = crate::harness::one_window_at_a_time().await;
    let base = page_server(&[
        ("/council.html", page("Council approves the new cycle lanes", "The first lane will run along the river.")),
        ("/pasted.html", page("Library opens on Sundays", "Opening hours grow from next month.")),
        ("/dropped.html", page("Ferry timetable changes", "Boats will leave every twenty minutes.")),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let app = App::launch_in(&dir.path().join("data")).await;
    app.wait_for_list().await;

    app.fill_and_click(".save-page-input", &format!("{base}/council.html"), ".save-page-button").await;
    app.wait_until(
        "the saved page is open",
        "const t = document.querySelector('.article-title'); return !!t && t.textContent === 'Council approves the new cycle lanes'",
    )
    .await;
    let body = app.text(".article-body").await;
    assert!(body.contains("The first lane will run along the river."), "{body}");
    for clutter in ["NAVIGATION-LINK", "ADVERTISEMENT-TEXT", "COMMENT-TEXT"] {
        assert!(!body.contains(clutter), "kept {clutter}: {body}");
    }
    app.wait_until(
        "the Saved source is listed",
        "return [...document.querySelectorAll('.source-item .nav-label')].some(e => e.textContent === 'Saved')",
    )
    .await;
    app.screenshot("saved-page.png").await;

    // An address pasted outside any text box is saved the same way.
    let pasted = serde_json::to_string(&format!("{base}/pasted.html")).unwrap();
    app.eval::<bool>(&format!(
        "document.activeElement && document.activeElement.blur(); \
         const d = new DataTransfer(); d.setData('text/plain', {pasted}); \
         window.dispatchEvent(new ClipboardEvent('paste', {{clipboardData: d, bubbles: true, cancelable: true}})); return true"
    ))
    .await;
    app.wait_until(
        "the pasted page is open",
        "const t = document.querySelector('.article-title'); return !!t && t.textContent === 'Library opens on Sundays'",
    )
    .await;
    // A link dropped on the window (as from a browser's address bar) is saved too.
    let dropped = serde_json::to_string(&format!("{base}/dropped.html")).unwrap();
    app.eval::<bool>(&format!(
        "const d = new DataTransfer(); d.setData('text/uri-list', {dropped}); \
         document.querySelector('.list').dispatchEvent(new DragEvent('drop', {{dataTransfer: d, bubbles: true, cancelable: true}})); return true"
    ))
    .await;
    app.wait_until(
        "the dropped page is open",
        "const t = document.querySelector('.article-title'); return !!t && t.textContent === 'Ferry timetable changes'",
    )
    .await;
    app.wait_until(
        "all three are in the Saved source",
        "const s = [...document.querySelectorAll('.source-item')].find(e => e.querySelector('.nav-label').textContent === 'Saved'); \
         return !!s && s.querySelector('.nav-count').textContent === '3'",
    )
    .await;
    app.quit().await;
}
