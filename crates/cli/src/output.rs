//! What the commands print: text for people, `--json` for scripts.

use std::io::{IsTerminal, Write};

use broadsheet_import::ImportReport;
use broadsheet_model::{ArticleDetail, ArticleId, ArticleSummary, CategoryCount, SearchHit, SourceInfo, TagCount};
use broadsheet_store::StateChange;
use serde::Serialize;

type Result = std::result::Result<(), Box<dyn std::error::Error>>;

/// A progress bar on stderr, only when stderr is a terminal.
pub fn progress_bar() -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(0);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} posts {elapsed}") {
        bar.set_style(style);
    }
    Some(bar)
}

pub fn import_report(report: &ImportReport) {
    for (path, reason) in &report.skipped {
        eprintln!("skipped: {path}: {reason}");
    }
    for (path, message) in &report.warnings {
        eprintln!("warning: {path}: {message}");
    }
    if report.removed_upstream > 0 {
        eprintln!("note: {} archived posts are no longer in the source; they are kept", report.removed_upstream);
    }
    println!("{report}");
}

/// `list --json` rows: the documented fields, in this order.
#[derive(Serialize)]
struct ListRow<'a> {
    id: i64,
    title: &'a str,
    date: &'a str,
    categories: &'a [String],
    tags: &'a [String],
    user_tags: &'a [String],
    bookmarked: bool,
    read: bool,
    source: &'a str,
    url: Option<&'a str>,
}

impl<'a> From<&'a ArticleSummary> for ListRow<'a> {
    fn from(a: &'a ArticleSummary) -> Self {
        ListRow {
            id: a.id,
            title: &a.title,
            date: &a.date,
            categories: &a.categories,
            tags: &a.tags,
            user_tags: &a.user_tags,
            bookmarked: a.bookmarked,
            read: a.read,
            source: &a.source,
            url: a.url.as_deref(),
        }
    }
}

#[derive(Serialize)]
struct ShowRow<'a> {
    #[serde(flatten)]
    row: ListRow<'a>,
    html: &'a str,
    text: &'a str,
    images: &'a [String],
}

fn print_json(value: &impl Serialize) -> Result {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

pub fn list(articles: &[ArticleSummary], json: bool) -> Result {
    if json {
        return print_json(&articles.iter().map(ListRow::from).collect::<Vec<_>>());
    }
    let mut out = std::io::stdout().lock();
    for a in articles {
        let flags = format!("{}{}", if a.read { ' ' } else { '•' }, if a.bookmarked { '★' } else { ' ' });
        let date = a.date.get(..16).unwrap_or(&a.date).replace('T', " ");
        writeln!(out, "{:>6} {flags} {date}  [{}] {}", a.id, a.categories.join(" "), a.title)?;
    }
    Ok(())
}

pub fn show(a: &ArticleDetail, json: bool) -> Result {
    if json {
        return print_json(&ShowRow {
            row: ListRow::from(&a.summary),
            html: &a.html,
            text: &a.text,
            images: &a.images,
        });
    }
    let s = &a.summary;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}\n{} · {} · {}", s.title, s.source, s.categories.join(" "), s.date)?;
    if let Some(url) = &s.url {
        writeln!(out, "{url}")?;
    }
    writeln!(out, "\n{}", a.text)?;
    Ok(())
}

pub fn categories(cats: &[CategoryCount], json: bool) -> Result {
    if json {
        return print_json(&cats);
    }
    let mut out = std::io::stdout().lock();
    for c in cats {
        writeln!(out, "{:>7}  {}  ({})", c.count, c.name, c.slug)?;
    }
    Ok(())
}

pub fn tags(tags: &[TagCount], json: bool) -> Result {
    if json {
        return print_json(&tags);
    }
    let mut out = std::io::stdout().lock();
    for t in tags {
        writeln!(out, "{:>7}  {}", t.count, t.name)?;
    }
    Ok(())
}

/// `search --json` rows: the documented fields.
#[derive(Serialize)]
struct SearchRow<'a> {
    id: i64,
    title: &'a str,
    date: &'a str,
    snippet: &'a str,
    score: f64,
}

pub fn search(hits: &[SearchHit], json: bool) -> Result {
    if json {
        let rows: Vec<SearchRow<'_>> = hits
            .iter()
            .map(|h| SearchRow {
                id: h.summary.id,
                title: &h.summary.title,
                date: &h.summary.date,
                snippet: &h.snippet,
                score: h.score,
            })
            .collect();
        return print_json(&rows);
    }
    let mut out = std::io::stdout().lock();
    for h in hits {
        let date = h.summary.date.get(..10).unwrap_or(&h.summary.date);
        let snippet = h
            .snippet
            .replace("<mark>", "[")
            .replace("</mark>", "]")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&");
        writeln!(out, "{:>6}  {date}  {}\n        {snippet}", h.summary.id, h.summary.title)?;
    }
    Ok(())
}

pub fn changed(change: StateChange, id: ArticleId, what: &str) {
    changed_named(change, &format!("article {id}"), what);
}

pub fn changed_named(change: StateChange, subject: &str, what: &str) {
    match change {
        StateChange::Changed => println!("{subject}: {what}"),
        StateChange::Unchanged => println!("{subject}: already so"),
    }
}

pub fn sources(sources: &[SourceInfo], json: bool) -> Result {
    if json {
        return print_json(&sources);
    }
    let mut out = std::io::stdout().lock();
    for s in sources {
        let removed = if s.removed { " (removed)" } else { "" };
        writeln!(
            out,
            "{:>4}  {:<14} {:>7} posts  {}{removed}\n      {}",
            s.id, s.kind, s.articles, s.name, s.location
        )?;
        if let Some(err) = &s.health.last_error {
            writeln!(out, "      last attempt failed: {err}")?;
        } else if let Some(status) = &s.health.last_status {
            writeln!(out, "      last sync: {status}, {} new, {} updated", s.health.last_new, s.health.last_updated)?;
        }
    }
    Ok(())
}

/// Progress of a sync: a bar on a terminal, one line per source otherwise.
pub fn sync_progress() -> std::sync::Arc<dyn Fn(broadsheet_model::SyncEvent) + Send + Sync> {
    use broadsheet_model::SyncEvent;
    let bar = progress_bar();
    std::sync::Arc::new(move |e| match e {
        SyncEvent::Started { sources } => {
            if let Some(b) = &bar {
                b.set_length(sources as u64);
            }
        }
        SyncEvent::SourceFinished { name, new, updated, error, done, .. } => {
            let line = match error {
                None => format!("ok    {name}: {new} new, {updated} updated"),
                Some(e) => format!("FAIL  {name}: {e}"),
            };
            match &bar {
                Some(b) => {
                    b.set_position(done as u64);
                    b.println(line);
                }
                None => eprintln!("{line}"),
            }
        }
        SyncEvent::Images { done, total, .. } => {
            if let Some(b) = &bar {
                b.set_length(total as u64);
                b.set_position(done as u64);
                b.set_message("images");
            }
        }
        SyncEvent::Finished { .. } => {
            if let Some(b) = &bar {
                b.finish_and_clear();
            }
        }
        SyncEvent::SourceStarted { .. } => {}
    })
}

pub fn sync_report(r: &broadsheet_sync::SyncReport) {
    println!(
        "synced {} sources: {} new, {} updated, {} images cached, {} failed{}",
        r.sources,
        r.new,
        r.updated,
        r.images,
        r.failures.len(),
        if r.cancelled { " (cancelled)" } else { "" }
    );
}
