//! `broadsheet`: import, list and read the archive from a terminal or a script.
//! The output formats are a contract (README, "CLI"); change them only additively.

mod output;

use std::path::PathBuf;
use std::process::ExitCode;

use broadsheet_import::{import_path, ImportOptions};
use broadsheet_model::{ArticleId, ArticleQuery};
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
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[arg(long)]
        json: bool,
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
        Command::List { category, tag, user_tag, bookmarked, unread, limit, json } => {
            let store = open()?;
            let q = ArticleQuery { category, tag, user_tag, bookmarked, unread, limit: Some(limit), ..Default::default() };
            output::list(&store.list_articles(&q)?, json)?;
        }
        Command::Show { id, json } => output::show(&open()?.article(id)?, json)?,
        Command::Categories { json } => output::categories(&open()?.categories()?, json)?,
        Command::Tags { json } => output::tags(&open()?.site_tags()?, json)?,
    }
    Ok(())
}
