//! `broadsheet`: import, list and read the archive from a terminal or a script.
//! The output formats are a contract (README, "CLI"); change them only additively.

mod output;

use std::path::PathBuf;
use std::process::ExitCode;

use broadsheet_import::{import_path, ImportOptions};
use broadsheet_model::{ArticleId, ArticleQuery, Filters, SearchQuery, SearchSort, SourceId};
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
        /// Skip this many results (the next page)
        #[arg(long, default_value_t = 0)]
        offset: u32,
        /// Newest first instead of most relevant first
        #[arg(long)]
        newest: bool,
        /// Print only the number of matches
        #[arg(long)]
        count: bool,
        #[arg(long)]
        json: bool,
    },
    /// Rebuild the search index
    Reindex,
    /// Rewrite the archive compactly (bodies deflated, 16 KiB pages, free space returned);
    /// with the app closed, and free disk for a copy of the archive
    Compact,
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
    /// Mark every article of a view read
    MarkAllRead {
        #[command(flatten)]
        filters: FilterArgs,
    },
    /// User tags with post counts
    UserTags {
        #[arg(long)]
        json: bool,
    },
    /// Rename a user tag (renaming onto an existing tag merges them)
    RenameTag { from: String, to: String },
    /// Delete a user tag from every post
    DeleteTag { name: String },
    /// Add a source: a Jekyll folder, a git repository URL, a feed URL, or a site URL whose feed is found
    AddSource {
        input: String,
        #[arg(long, value_enum)]
        kind: Option<KindArg>,
        #[arg(long)]
        name: Option<String>,
    },
    /// Save a web page for offline reading (its main content, images and metadata) in the
    /// "Saved" source; prints the article's id. Saving a URL again updates it.
    Save {
        url: String,
        /// A user tag to give it (repeatable)
        #[arg(long = "tag", value_name = "TAG")]
        tags: Vec<String>,
        /// Do not download its images now (the next sync does)
        #[arg(long)]
        no_images: bool,
    },
    /// Sync every source (or one), then download images
    Sync {
        #[arg(long, value_name = "ID")]
        source: Option<SourceId>,
        #[arg(long)]
        no_images: bool,
        /// Stop caching images once the cache holds this many MiB (this run only; default: the
        /// archive's limit, see `image-budget`, else 2048)
        #[arg(long, value_name = "MIB")]
        image_budget_mb: Option<u64>,
    },
    /// Your bookmarks, tags, read marks, feeds and settings on every computer, through a git
    /// remote or a synced folder
    Devices {
        #[command(subcommand)]
        command: DevicesCommand,
    },
    /// Show the image cache's limit and use, or set the limit (MiB) for every later sync
    ImageBudget { mib: Option<u64> },
    /// Set how often a source is synced (minutes, at least 5; default 30)
    Interval { id: SourceId, minutes: i64 },
    /// A source's other site addresses (a former domain): links to them open in the app too
    Alias {
        id: SourceId,
        /// An address to add (repeatable)
        #[arg(long)]
        add: Vec<String>,
        /// An address to forget (repeatable)
        #[arg(long)]
        remove: Vec<String>,
    },
    /// Sources with their article counts and sync health
    Sources {
        #[arg(long)]
        json: bool,
    },
    /// Stop a source; its bookmarked and tagged posts always stay
    RemoveSource {
        id: SourceId,
        /// Keep all of its posts, not only the marked ones
        #[arg(long)]
        keep_articles: bool,
    },
    /// Remove unmarked posts older than N days (shows what it would free unless --apply)
    Retention {
        #[arg(long)]
        days: u32,
        #[arg(long)]
        apply: bool,
    },
    /// Export the archive (or the selected posts)
    Export {
        #[arg(long, value_enum)]
        format: ExportFormat,
        #[arg(long, value_name = "PATH")]
        out: PathBuf,
        #[arg(long)]
        bookmarked: bool,
        #[arg(long, value_name = "TAG")]
        user_tag: Option<String>,
    },
    /// Restore a JSON backup into an empty archive
    ImportBackup { path: PathBuf },
    /// Add the feeds of an OPML file as sources
    ImportOpml { path: PathBuf },
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

#[derive(Subcommand)]
enum DevicesCommand {
    /// Sync through this folder (Syncthing, Dropbox, iCloud Drive, a USB disk) or git remote
    /// (https://, ssh://, file://, user@host:path, a path ending in .git); "" stops
    SetRemote { remote: String },
    /// Publish this device's changes and apply the other devices'
    Sync,
    /// This device, where it syncs, and the other devices it has heard of
    Status {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum KindArg {
    JekyllGit,
    JekyllFolder,
    Feed,
}

impl From<KindArg> for broadsheet_sync::SourceKind {
    fn from(k: KindArg) -> Self {
        match k {
            KindArg::JekyllGit => broadsheet_sync::SourceKind::JekyllGit,
            KindArg::JekyllFolder => broadsheet_sync::SourceKind::JekyllFolder,
            KindArg::Feed => broadsheet_sync::SourceKind::Feed,
        }
    }
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ExportFormat {
    /// Full backup: sources, posts, user state
    Json,
    /// A Jekyll site of Markdown posts with their images
    Markdown,
    /// OPML 2 of the sources
    Opml,
    /// Netscape bookmarks HTML of bookmarked posts
    Bookmarks,
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
    /// One row per story: copies of the same story (other outlets, other sources) shown once
    #[arg(long)]
    collapse_duplicates: bool,
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
            collapse_duplicates: f.collapse_duplicates,
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
            eprintln!("broadsheet: {}", output::text(&e.to_string()));
            ExitCode::FAILURE
        }
    }
}

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

/// The desktop app's archive, found the way the app finds it: the home folder is
/// `BROADSHEET_DATA_DIR`, else `<platform data dir>/app.broadsheet.reader/` (the folder Tauri's
/// `app_data_dir()` gives the app: `directories` and Tauri both follow XDG on Linux,
/// `~/Library/Application Support` on macOS and the roaming AppData folder on Windows); the
/// archive is the one the reader switched to in the window, if any, else the home's own.
fn default_db() -> Result<PathBuf> {
    let home = match std::env::var_os("BROADSHEET_DATA_DIR").filter(|d| !d.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => {
            let dirs = directories::BaseDirs::new().ok_or("no home directory; pass --db PATH")?;
            dirs.data_dir().join(broadsheet_store::APP_IDENTIFIER)
        }
    };
    // A choice that cannot be honoured is an error, not a quiet write into another archive.
    let refuse = |why: String| -> Box<dyn std::error::Error> {
        format!(
            "{why}; the archive chosen in the window cannot be opened (pass --db PATH, or remove {})",
            home.join(broadsheet_store::location::LOCATION_FILE).display()
        )
        .into()
    };
    match broadsheet_store::location::chosen(&home).map_err(refuse)? {
        Some(dir) if dir.join(broadsheet_store::ARCHIVE_FILE).is_file() => {
            return Ok(dir.join(broadsheet_store::ARCHIVE_FILE));
        }
        Some(dir) => return Err(refuse(format!("{}: no archive there", dir.display()))),
        None => {}
    }
    Ok(home.join(broadsheet_store::ARCHIVE_FILE))
}

/// Looks at the posts that arrived for copies of the same story; says what it found on
/// stderr (stdout keeps the command's own contract).
fn find_duplicates(store: Store) -> Result {
    let store = std::sync::Mutex::new(store);
    let step = broadsheet_import::find_duplicates(&store)?;
    if step.looked_at > 0 {
        eprintln!("duplicates: {} posts looked at, {} copies of another story", step.looked_at, step.copies);
    }
    Ok(())
}

/// One device sync, its result on stdout and each refused log on stderr (a refused log is a
/// warning: the other devices' changes are applied).
fn devices_sync(store: Store, data_dir: &std::path::Path) -> Result {
    let store = std::sync::Arc::new(std::sync::Mutex::new(store));
    let report = broadsheet_devices::sync(&store, data_dir)?;
    for peer in &report.peers {
        if let Some(e) = &peer.error {
            eprintln!("broadsheet: warning: the log of device {} was refused: {}", peer.device, output::text(e));
        }
    }
    println!("devices: {report}");
    // Pages another device saved: fetched here (the log carries only their addresses), then
    // the marks made on them there are applied.
    if report.wanted_pages > 0 {
        let engine = broadsheet_sync::Engine::new(store.clone(), broadsheet_sync::SyncOptions::new(data_dir));
        let rt = tokio::runtime::Runtime::new()?;
        let (saved, failed) = rt.block_on(engine.save_wanted_pages());
        let applied = broadsheet_devices::apply_waiting(&store)?;
        let noop: broadsheet_sync::EventSink = std::sync::Arc::new(|_| {});
        rt.block_on(engine.run_images(broadsheet_sync::CancellationToken::new(), noop));
        println!("devices: {saved} pages saved on other devices fetched ({failed} failed), {applied} changes applied");
    }
    Ok(())
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
            find_duplicates(store)?;
        }
        Command::List { filters, limit, json } => {
            let q = ArticleQuery { filters: filters.into(), limit: Some(limit), ..Default::default() };
            output::list(&open()?.list_articles(&q)?, json)?;
        }
        Command::Search { query, filters, since, until, limit, offset, newest, count, json } => {
            let sort = if newest { SearchSort::Newest } else { SearchSort::Relevance };
            let q = SearchQuery {
                query,
                filters: filters.into(),
                since,
                until,
                limit: Some(limit),
                offset: Some(offset),
                sort,
            };
            let mut store = open()?;
            // An archive upgraded from the bigram index is indexed again on first use; the
            // app does it in the background, a search here cannot wait for that.
            let pending = store.unindexed_count()?;
            if pending > 0 {
                eprintln!("note: indexing {pending} posts for search (once, after an upgrade)…");
                while store.index_pending(2000)? > 0 {}
            }
            if count {
                let n = store.search_count(&q)?;
                println!("{}", if json { format!("{{\"count\":{n}}}") } else { n.to_string() });
            } else {
                output::search(&store.search(&q)?, json)?;
            }
        }
        Command::Compact => {
            let (packed, before, after) = open()?.compact()?;
            println!(
                "packed {packed} bodies; the archive went from {} to {} MB",
                before / 1_000_000,
                after / 1_000_000
            );
        }
        Command::Reindex => {
            let n = open()?.reindex()?;
            println!("reindexed {n} articles");
        }
        Command::Bookmark { id, off } => {
            output::changed(open()?.set_bookmark(id, !off)?, id, if off { "unbookmarked" } else { "bookmarked" })
        }
        Command::Read { id, unread } => {
            output::changed(open()?.set_read(id, !unread)?, id, if unread { "marked unread" } else { "marked read" })
        }
        Command::Tag { id, tags } => {
            let tags: Vec<&str> = tags.iter().map(String::as_str).collect();
            output::changed(open()?.tag_article(id, &tags)?, id, "tagged");
        }
        Command::MarkAllRead { filters } => {
            println!("marked {} articles read", open()?.mark_all_read(&filters.into())?)
        }
        Command::UserTags { json } => output::tags(&open()?.user_tags()?, json)?,
        Command::RenameTag { from, to } => {
            open()?.rename_user_tag(&from, &to)?;
            println!("renamed {} to {}", output::line(&format!("{from:?}")), output::line(&format!("{to:?}")));
        }
        Command::DeleteTag { name } => {
            output::changed_named(open()?.delete_user_tag(&name)?, &format!("user tag {name:?}"), "deleted")
        }
        Command::AddSource { input, kind, name } => {
            let store = std::sync::Arc::new(std::sync::Mutex::new(open()?));
            let rt = tokio::runtime::Runtime::new()?;
            let id = rt.block_on(broadsheet_sync::add_source(&store, &input, kind.map(Into::into), name.as_deref()))?;
            let s = store.lock().unwrap_or_else(|p| p.into_inner()).sync_source(id)?;
            println!(
                "source {id}: {} ({}) {}",
                output::line(&s.name),
                output::line(&s.kind),
                output::line(&s.location)
            );
        }
        Command::Sync { source, no_images, image_budget_mb } => {
            let data_dir = db.parent().map_or_else(|| PathBuf::from("."), PathBuf::from);
            let store = std::sync::Arc::new(std::sync::Mutex::new(open()?));
            let mut opts = broadsheet_sync::SyncOptions::new(&data_dir);
            opts.images = !no_images;
            if let Some(mb) = image_budget_mb {
                opts.image_budget_bytes = mb.saturating_mul(1024 * 1024);
                opts.image_budget_fixed = true;
            }
            let engine = broadsheet_sync::Engine::new(store, opts);
            let rt = tokio::runtime::Runtime::new()?;
            let report = rt.block_on(engine.run(
                broadsheet_sync::Trigger::Now(source.map(|s| vec![s])),
                broadsheet_sync::CancellationToken::new(),
                output::sync_progress(),
            ));
            output::sync_report(&report);
            find_duplicates(open()?)?;
            // What the reader did travels after each sync, when a place for it is set.
            let store = open()?;
            if broadsheet_devices::remote_of(&store)?.is_some() {
                // Offline is normal: the posts are synced; the devices wait for the next time.
                if let Err(e) = devices_sync(store, &data_dir) {
                    eprintln!("broadsheet: warning: devices not synced: {}", output::text(&e.to_string()));
                }
            }
        }
        Command::Save { url, tags, no_images } => {
            let data_dir = db.parent().map_or_else(|| PathBuf::from("."), PathBuf::from);
            let store = std::sync::Arc::new(std::sync::Mutex::new(open()?));
            let engine = broadsheet_sync::Engine::new(store, broadsheet_sync::SyncOptions::new(&data_dir));
            let rt = tokio::runtime::Runtime::new()?;
            let saved = rt.block_on(engine.save_page(&url, &tags))?;
            for w in &saved.warnings {
                eprintln!("broadsheet: warning: {}", output::text(w));
            }
            let verb = if saved.again { "updated" } else { "saved" };
            eprintln!("{verb}: {} ({})", output::text(&saved.title), output::text(&saved.url));
            if !no_images {
                let (stored, failed) = rt.block_on(
                    engine.run_images(broadsheet_sync::CancellationToken::new(), std::sync::Arc::new(|_| {})),
                );
                if stored + failed > 0 {
                    eprintln!("images: {stored} stored, {failed} failed");
                }
            }
            // The id alone on stdout, for scripts.
            println!("{}", saved.id);
        }
        Command::Devices { command } => {
            let data_dir = db.parent().map_or_else(|| PathBuf::from("."), PathBuf::from);
            let store = open()?;
            match command {
                DevicesCommand::SetRemote { remote } => match broadsheet_devices::set_remote(&store, Some(&remote))? {
                    Some(r) => println!("devices sync through {}", output::text(&r.describe())),
                    None => println!("devices sync stopped"),
                },
                DevicesCommand::Sync => devices_sync(store, &data_dir)?,
                DevicesCommand::Status { json } => output::devices_status(&broadsheet_devices::status(&store)?, json),
            }
        }
        Command::ImageBudget { mib } => {
            let store = open()?;
            if let Some(mib) = mib {
                store.set_image_budget(mib.saturating_mul(1024 * 1024))?;
            }
            let limit = store.image_budget()?.unwrap_or(broadsheet_sync::DEFAULT_IMAGE_BUDGET);
            println!("image cache: {} MiB used of {} MiB", store.image_bytes()? / (1024 * 1024), limit / (1024 * 1024));
        }
        Command::Interval { id, minutes } => {
            let store = open()?;
            store.set_sync_interval(id, minutes)?;
            println!("source {id}: synced every {} minutes", store.sync_source(id)?.health.interval_min);
        }
        Command::Alias { id, add, remove } => {
            let store = open()?;
            store.sync_source(id)?;
            for url in &add {
                store.add_site_alias(id, url, broadsheet_store::AliasOrigin::User)?;
            }
            for url in &remove {
                store.remove_site_alias(id, url)?;
            }
            for alias in store.site_aliases(id)? {
                println!("{alias}");
            }
        }
        Command::Sources { json } => output::sources(&open()?.sources()?, json)?,
        Command::RemoveSource { id, keep_articles } => {
            let r = open()?.remove_source(id, keep_articles)?;
            println!("source {id} removed: {} articles deleted, {} kept", r.deleted_articles, r.kept_articles);
        }
        Command::Retention { days, apply } => {
            let mut store = open()?;
            let plan = if apply { store.apply_retention(days)? } else { store.retention_preview(days)? };
            let verb = if apply { "removed" } else { "would remove" };
            println!(
                "{verb} {} posts older than {days} days and {} images ({:.1} MiB); bookmarked and tagged posts are kept",
                plan.articles,
                plan.images,
                plan.image_bytes as f64 / 1_048_576.0
            );
        }
        Command::Export { format, out, bookmarked, user_tag } => {
            let store = open()?;
            let sel = broadsheet_transfer::Selection { bookmarked, user_tag };
            let what = match format {
                ExportFormat::Json => format!("{} posts", broadsheet_transfer::export_json(&store, &sel, &out)?),
                ExportFormat::Markdown => {
                    let r = broadsheet_transfer::export_markdown(&store, &sel, &out)?;
                    format!("{} posts and {} images", r.posts, r.images)
                }
                ExportFormat::Opml => format!("{} sources", broadsheet_transfer::export_opml(&store, &out)?),
                ExportFormat::Bookmarks => {
                    format!("{} bookmarks", broadsheet_transfer::export_bookmarks(&store, &sel, &out)?)
                }
            };
            println!("exported {what} to {}", output::line(&out.display().to_string()));
        }
        Command::ImportBackup { path } => {
            let n = broadsheet_transfer::import_backup(&mut open()?, &path)?;
            println!("restored {n} posts");
            // Restored posts are looked at for copies like imported ones.
            find_duplicates(open()?)?;
        }
        Command::ImportOpml { path } => {
            let r = broadsheet_transfer::import_opml(&mut open()?, &path)?;
            println!("added {} feeds, {} already present", r.added, r.already_present);
        }
        Command::Untag { id, tags } => {
            let tags: Vec<&str> = tags.iter().map(String::as_str).collect();
            output::changed(open()?.untag_article(id, &tags)?, id, "untagged");
        }
        Command::Show { id, json } => {
            let store = open()?;
            output::show(&store.article(id)?, &store.duplicates_of(id)?, json)?
        }
        Command::Categories { json } => output::categories(&open()?.categories()?, json)?,
        Command::Tags { json } => output::tags(&open()?.site_tags()?, json)?,
    }
    Ok(())
}
