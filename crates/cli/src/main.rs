//! `broadsheet`: import, list and read the archive from a terminal or a script.
//! The output formats are a contract (README, "CLI"); change them only additively.

mod output;

use std::path::PathBuf;
use std::process::ExitCode;

use broadsheet_import::{import_path, ImportOptions};
use broadsheet_model::{ArticleId, ArticleQuery, Filters, SearchQuery};
use broadsheet_store::Store;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "broadsheet", version, about = "Offline archive of news sites")]
struct Cli {
    /// Archive file [default: the desktop app's archive in the platform data directory]
    #[arg(long, global = true, env = "BROADSHEET_DB", value_name = "PATH")]
    db: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Import a Jekyll site root, a _posts folder or one post file
    Import {
        path: PathBuf,
        /// Also import _drafts
        #[arg(long)]
        drafts: bool,
    },
    /// List articles, newest first
    List {
        #[command(flatten)]
        filters: FilterArgs,
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
    /// Full-text search (Chinese included): terms are ANDed, "quoted phrases", prefix*
    Search {
        query: String,
        #[command(flatten)]
        filters: FilterArgs,
        /// Only posts published on or after this date (YYYY-MM-DD, UTC, or RFC 3339)
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        since: Option<i64>,
        /// Only posts published before this date (YYYY-MM-DD, UTC, or RFC 3339)
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        until: Option<i64>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
    /// Rebuild the search index
    Reindex,
    /// Bookmark an article (or remove the bookmark with --off)
    Bookmark {
        id: ArticleId,
        #[arg(long)]
        off: bool,
    },
    /// Add user tags to an article
    Tag {
        id: ArticleId,
        #[arg(required = true)]
        tags: Vec<String>,
    },
    /// Remove user tags from an article
    Untag {
        id: ArticleId,
        #[arg(required = true)]
        tags: Vec<String>,
    },
    /// Mark an article read (or unread with --unread)
    Read {
        id: ArticleId,
        #[arg(long)]
        unread: bool,
    },
    /// Show one article
    Show {
        id: ArticleId,
        #[arg(long)]
        json: bool,
    },
    /// Categories with post counts
    Categories {
        #[arg(long)]
        json: bool,
    },
    /// Site tags with post counts
    Tags {
        #[arg(long)]
        json: bool,
    },
}

/// Filters shared by `list` and `search`.
#[derive(clap::Args)]
struct FilterArgs {
    #[arg(long, value_name = "SLUG")]
    category: Option<String>,
    /// A site tag
    #[arg(long)]
    tag: Option<String>,
    #[arg(long, value_name = "TAG")]
    user_tag: Option<String>,
    #[arg(long)]
    bookmarked: bool,
    #[arg(long)]
    unread: bool,
}

impl From<FilterArgs> for Filters {
    fn from(f: FilterArgs) -> Self {
        Filters {
            category: f.category,
            tag: f.tag,
            user_tag: f.user_tag,
            bookmarked: f.bookmarked,
            unread: f.unread,
            source: None,
        }
    }
}

/// `2022-03-08` (midnight UTC) or an RFC 3339 instant → Unix seconds.
fn parse_date(s: &str) -> std::result::Result<i64, String> {
    use time::format_description::well_known::Rfc3339;
    if let Ok(t) = time::OffsetDateTime::parse(s, &Rfc3339) {
        return Ok(t.unix_timestamp());
    }
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s, &fmt)
        .map(|d| d.midnight().assume_utc().unix_timestamp())
        .map_err(|_| format!("{s:?} is not a date (YYYY-MM-DD or RFC 3339)"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("broadsheet: {e}");
            ExitCode::FAILURE
        }
    }
}

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

/// The desktop app's archive: `<platform data dir>/app.broadsheet.reader/archive.sqlite3`,
/// the same folder Tauri's `app_data_dir()` gives the app.
fn default_db() -> Result<PathBuf> {
    let dirs = directories::BaseDirs::new().ok_or("no home directory; pass --db PATH")?;
    Ok(dirs.data_dir().join(broadsheet_store::APP_IDENTIFIER).join(broadsheet_store::ARCHIVE_FILE))
}

fn run(cli: Cli) -> Result {
    let db = match cli.db {
        Some(p) => p,
        None => default_db()?,
    };
    let open = || Store::open(&db);
    match cli.command {
        Command::Import { path, drafts } => {
            if !path.exists() {
                return Err(format!("{}: no such file or folder", path.display()).into());
            }
            let mut store = open()?;
            let bar = output::progress_bar();
            let mut progress = |done: usize, total: usize| {
                if let Some(b) = &bar {
                    b.set_length(total as u64);
                    b.set_position(done as u64);
                }
            };
            let report = import_path(&mut store, &path, ImportOptions { drafts }, &mut progress)?;
            if let Some(b) = bar {
                b.finish_and_clear();
            }
            output::import_report(&report);
        }
        Command::List { filters, limit, json } => {
            let q = ArticleQuery { filters: filters.into(), limit: Some(limit), ..Default::default() };
            output::list(&open()?.list_articles(&q)?, json)?;
        }
        Command::Search { query, filters, since, until, limit, json } => {
            let q = SearchQuery { query, filters: filters.into(), since, until, limit: Some(limit) };
            output::search(&open()?.search(&q)?, json)?;
        }
        Command::Reindex => {
            let n = open()?.reindex()?;
            println!("reindexed {n} articles");
        }
        Command::Bookmark { id, off } => output::changed(open()?.set_bookmark(id, !off)?, id, if off { "unbookmarked" } else { "bookmarked" }),
        Command::Read { id, unread } => output::changed(open()?.set_read(id, !unread)?, id, if unread { "marked unread" } else { "marked read" }),
        Command::Tag { id, tags } => {
            let tags: Vec<&str> = tags.iter().map(String::as_str).collect();
            output::changed(open()?.tag_article(id, &tags)?, id, "tagged");
        }
        Command::Untag { id, tags } => {
            let tags: Vec<&str> = tags.iter().map(String::as_str).collect();
            output::changed(open()?.untag_article(id, &tags)?, id, "untagged");
        }
        Command::Show { id, json } => output::show(&open()?.article(id)?, json)?,
        Command::Categories { json } => output::categories(&open()?.categories()?, json)?,
        Command::Tags { json } => output::tags(&open()?.site_tags()?, json)?,
    }
    Ok(())
}
