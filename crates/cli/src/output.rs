//! What the commands print: text for people, `--json` for scripts.
//!
//! Everything printed comes from strangers (post titles, feed names, file contents, error
//! messages quoting them), so text for people goes through [`line`] or [`text`], which drop
//! terminal control sequences, and JSON escapes the characters a terminal could act on.

use std::borrow::Cow;
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
        eprintln!("skipped: {}: {}", line(path), line(reason));
    }
    for (path, message) in &report.warnings {
        eprintln!("warning: {}: {}", line(path), line(message));
    }
    if report.removed_upstream > 0 {
        eprintln!("note: {} archived posts are no longer in the source; they are kept", report.removed_upstream);
    }
    println!("{report}");
}

/// `list --json` rows: the documented fields, in this order.
#[derive(Serialize)]
struct ListRow<'a> {
    id: ArticleId,
    title: &'a str,
    date: &'a str,
    categories: &'a [String],
    tags: &'a [String],
    user_tags: &'a [String],
    bookmarked: bool,
    read: bool,
    source: &'a str,
    url: Option<&'a str>,
    /// Other posts of the same story.
    copies: u32,
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
            copies: a.copies,
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
    /// The ids of its copies (the same story elsewhere).
    duplicates: &'a [ArticleId],
    author: Option<&'a str>,
}

fn print_json(value: &impl Serialize) -> Result {
    let mut out = std::io::stdout().lock();
    json_to_writer(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

/// Pretty JSON, as `serde_json::to_writer_pretty` writes it, except that the characters
/// serde_json leaves raw but a terminal may obey or that hide text (DEL, C1 controls, line
/// and paragraph separators, bidi controls) are written as `\uXXXX` escapes: the same JSON
/// values, safe to print.
fn json_to_writer(out: &mut impl Write, value: &impl Serialize) -> serde_json::Result<()> {
    let mut ser =
        serde_json::Serializer::with_formatter(out, TerminalSafeJson(serde_json::ser::PrettyFormatter::new()));
    value.serialize(&mut ser)
}

struct TerminalSafeJson<'a>(serde_json::ser::PrettyFormatter<'a>);

macro_rules! delegate {
    ($($name:ident($($arg:ident: $ty:ty),*);)*) => {
        $(fn $name<W: ?Sized + Write>(&mut self, w: &mut W $(, $arg: $ty)*) -> std::io::Result<()> {
            self.0.$name(w $(, $arg)*)
        })*
    };
}

impl serde_json::ser::Formatter for TerminalSafeJson<'_> {
    delegate! {
        begin_array();
        end_array();
        begin_array_value(first: bool);
        end_array_value();
        begin_object();
        end_object();
        begin_object_key(first: bool);
        begin_object_value();
        end_object_value();
    }

    fn write_string_fragment<W: ?Sized + Write>(&mut self, w: &mut W, fragment: &str) -> std::io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if c.is_control() || is_hidden(c) {
                w.write_all(&fragment.as_bytes()[start..i])?;
                write!(w, "\\u{:04x}", u32::from(c))?;
                start = i + c.len_utf8();
            }
        }
        w.write_all(&fragment.as_bytes()[start..])
    }
}

/// Bidi embeddings, overrides and isolates (which reorder what follows them on the line)
/// and line or paragraph separators.
fn is_hidden(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}')
}

/// `s` for one line of a terminal: like [`text`], and tabs and line breaks become spaces,
/// so a value can't start a line that looks like another record.
pub fn line(s: &str) -> Cow<'_, str> {
    terminal_safe(s, false)
}

/// `s` for a terminal: escape sequences (CSI `ESC [ …`, OSC `ESC ] … BEL`, DCS, SOS, PM and
/// APC strings, two-character escapes, and their C1 forms) removed whole, and every other
/// C0 control but tab and line feed, DEL, C1 control and bidi control dropped.
pub fn text(s: &str) -> Cow<'_, str> {
    terminal_safe(s, true)
}

fn terminal_safe(s: &str, multiline: bool) -> Cow<'_, str> {
    let clean = |c: char| !(c.is_control() || is_hidden(c)) || (multiline && matches!(c, '\n' | '\t'));
    if s.chars().all(clean) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' | '\t' if !multiline => out.push(' '),
            '\u{1b}' => match chars.peek().copied() {
                Some('[') => {
                    chars.next();
                    skip_csi(&mut chars);
                }
                Some(']' | 'P' | 'X' | '^' | '_') => {
                    chars.next();
                    skip_string(&mut chars);
                }
                Some(' '..='/') => {
                    // Intermediates, then the final character.
                    while chars.next_if(|c| matches!(c, ' '..='/')).is_some() {}
                    chars.next_if(|c| matches!(c, '0'..='~'));
                }
                Some('0'..='~') => {
                    chars.next();
                }
                _ => {}
            },
            '\u{9b}' => skip_csi(&mut chars),
            '\u{90}' | '\u{98}' | '\u{9d}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            c if clean(c) => out.push(c),
            _ => {}
        }
    }
    Cow::Owned(out)
}

/// The rest of a control sequence: parameters, intermediates, final character.
fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while chars.next_if(|c| matches!(c, '0'..='?')).is_some() {}
    while chars.next_if(|c| matches!(c, ' '..='/')).is_some() {}
    chars.next_if(|c| matches!(c, '@'..='~'));
}

/// The rest of a control string (OSC, DCS, …), up to and including its terminator: BEL,
/// ST (`ESC \` or U+009C), or a lone ESC (which ends it too).
fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => return,
            '\u{1b}' => {
                chars.next_if_eq(&'\\');
                return;
            }
            _ => {}
        }
    }
}

pub fn list(articles: &[ArticleSummary], json: bool) -> Result {
    if json {
        return print_json(&articles.iter().map(ListRow::from).collect::<Vec<_>>());
    }
    let mut out = std::io::stdout().lock();
    for a in articles {
        let flags = format!("{}{}", if a.read { ' ' } else { '•' }, if a.bookmarked { '★' } else { ' ' });
        let date = a.date.get(..16).unwrap_or(&a.date).replace('T', " ");
        writeln!(out, "{:>6} {flags} {}  [{}] {}", a.id, line(&date), line(&a.categories.join(" ")), line(&a.title))?;
    }
    Ok(())
}

pub fn show(a: &ArticleDetail, duplicates: &[ArticleId], json: bool) -> Result {
    if json {
        return print_json(&ShowRow {
            row: ListRow::from(&a.summary),
            html: &a.html,
            text: &a.text,
            images: &a.images,
            duplicates,
            author: a.author.as_deref(),
        });
    }
    let s = &a.summary;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}\n{} · {} · {}", line(&s.title), line(&s.source), line(&s.categories.join(" ")), line(&s.date))?;
    if let Some(url) = &s.url {
        writeln!(out, "{}", line(url))?;
    }
    if !duplicates.is_empty() {
        let ids: Vec<String> = duplicates.iter().map(|d| format!("#{d}")).collect();
        writeln!(out, "the same story: {}", ids.join(" "))?;
    }
    writeln!(out, "\n{}", text(&a.text))?;
    Ok(())
}

pub fn categories(cats: &[CategoryCount], json: bool) -> Result {
    if json {
        return print_json(&cats);
    }
    let mut out = std::io::stdout().lock();
    for c in cats {
        writeln!(out, "{:>7}  {}  ({})", c.count, line(&c.name), line(&c.slug))?;
    }
    Ok(())
}

pub fn tags(tags: &[TagCount], json: bool) -> Result {
    if json {
        return print_json(&tags);
    }
    let mut out = std::io::stdout().lock();
    for t in tags {
        writeln!(out, "{:>7}  {}", t.count, line(&t.name))?;
    }
    Ok(())
}

/// `search --json` rows: the documented fields.
#[derive(Serialize)]
struct SearchRow<'a> {
    id: ArticleId,
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
        writeln!(out, "{:>6}  {}  {}\n        {}", h.summary.id, line(date), line(&h.summary.title), line(&snippet))?;
    }
    Ok(())
}

pub fn changed(change: StateChange, id: ArticleId, what: &str) {
    changed_named(change, &format!("article {id}"), what);
}

pub fn changed_named(change: StateChange, subject: &str, what: &str) {
    let subject = line(subject);
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
            s.id,
            line(&s.kind),
            s.articles,
            line(&s.name),
            line(&s.location)
        )?;
        if let Some(err) = &s.health.last_error {
            writeln!(out, "      last attempt failed: {}", line(err))?;
        } else if let Some(status) = &s.health.last_status {
            writeln!(
                out,
                "      last sync: {}, {} new, {} updated",
                line(status),
                s.health.last_new,
                s.health.last_updated
            )?;
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
            let name = line(&name);
            let msg = match error {
                None => format!("ok    {name}: {new} new, {updated} updated"),
                Some(e) => format!("FAIL  {name}: {}", line(&e)),
            };
            match &bar {
                Some(b) => {
                    b.set_position(done as u64);
                    b.println(msg);
                }
                None => eprintln!("{msg}"),
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

/// `devices status`: this device, where it syncs, each other device (one line each, or JSON).
pub fn devices_status(s: &broadsheet_devices::Status, json: bool) {
    let when = |t: Option<i64>| t.map_or_else(|| "never".to_string(), date_time_utc);
    if json {
        let peers: Vec<serde_json::Value> = s
            .peers
            .iter()
            .map(|p| {
                serde_json::json!({
                    "device": p.device, "name": p.name, "changes": p.ops,
                    "seen_at": p.seen_at, "error": p.error,
                })
            })
            .collect();
        let v = serde_json::json!({
            "device": s.device, "name": s.name, "remote": s.remote, "last_sync": s.last_sync,
            "changes": s.own_changes, "waiting": s.waiting, "peers": peers,
        });
        println!("{v}");
        return;
    }
    println!("this device: {} ({}), {} changes logged", text(&s.name), s.device, s.own_changes);
    match &s.remote {
        Some(r) => println!("syncs through: {}, last {}", text(r), when(s.last_sync)),
        None => println!("syncs through: nothing yet (broadsheet devices set-remote FOLDER_OR_GIT_URL)"),
    }
    if s.waiting > 0 {
        println!("waiting: {} changes for posts not in this archive yet", s.waiting);
    }
    for p in &s.peers {
        let name = if p.name.is_empty() { "?" } else { &p.name };
        let state = match &p.error {
            Some(e) => format!("refused: {}", text(e)),
            None => format!("{} changes", p.ops),
        };
        println!("device {} ({}): seen {}, {state}", p.device, text(name), when(p.seen_at));
    }
}

fn date_time_utc(t: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .and_then(|d| d.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_else(|| t.to_string())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_go_whole_and_text_stays() {
        let cases = [
            ("\u{1b}[31mred\u{1b}[0m", "red"),
            ("\u{1b}[?1049h\u{1b}[2J\u{1b}[1;1Hx", "x"),
            ("a\u{1b}]0;title\u{7}b", "ab"),
            ("a\u{1b}]8;;https://x.example/\u{1b}\\link\u{1b}]8;;\u{1b}\\b", "alinkb"),
            ("a\u{1b}P1$r\u{1b}\\b", "ab"),
            ("a\u{1b}_apc\u{9c}b", "ab"),
            ("a\u{1b}cb\u{1b}7c\u{1b}(0d", "abcd"),
            ("a\u{9b}2Jb\u{9d}0;t\u{7}c", "abc"),
            ("a\u{202e}b\u{2066}c\u{2069}\u{202c}", "abc"),
            ("a\rb\u{8}c\u{7f}d\u{0}e\u{85}f", "abcdef"),
            ("unterminated \u{1b}]0;swallows the rest", "unterminated "),
            ("trailing escape \u{1b}", "trailing escape "),
            ("金融消息 · ok", "金融消息 · ok"),
        ];
        for (raw, want) in cases {
            assert_eq!(line(raw), want, "{raw:?}");
        }
        assert_eq!(line("a\nb\tc"), "a b c");
        assert_eq!(text("a\nb\tc\r\n"), "a\nb\tc\n");
        assert!(matches!(line("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn json_escapes_what_a_terminal_would_obey_and_keeps_the_values() {
        let value = serde_json::json!({"t\u{9b}": "a\u{1b}[2J\u{9b}31m\u{202e}\u{7f}\u{2028}b 金"});
        let mut out = Vec::new();
        json_to_writer(&mut out, &value).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(!text.chars().any(|c| (c.is_control() && c != '\n') || is_hidden(c)), "{text}");
        assert!(text.contains(r"a\u001b[2J\u009b31m\u202e\u007f\u2028b 金"), "{text}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&text).unwrap(), value);
    }
}
