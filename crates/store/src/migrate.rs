//! Dated, append-only `.sql` migrations, each applied in its own transaction.

use rusqlite::Connection;

use crate::{Result, StoreError};

/// A migration: its SQL, then optionally work in Rust in the same transaction (for data
/// SQL alone can't produce, such as search tokens).
struct Migration {
    name: &'static str,
    sql: &'static str,
    then: Option<fn(&rusqlite::Transaction<'_>) -> rusqlite::Result<()>>,
}

/// Every migration ever shipped, oldest first. Never edit or reorder: only append.
const MIGRATIONS: &[Migration] = &[
    Migration {
        name: "2026-11-28-0001-initial",
        sql: include_str!("../migrations/2026-11-28-0001-initial.sql"),
        then: None,
    },
    Migration {
        name: "2026-11-28-0002-search",
        sql: include_str!("../migrations/2026-11-28-0002-search.sql"),
        // Filled by 0010, which replaces this layout (the code here only writes the newest).
        then: None,
    },
    Migration {
        name: "2026-11-28-0003-source-removal",
        sql: include_str!("../migrations/2026-11-28-0003-source-removal.sql"),
        then: None,
    },
    Migration {
        name: "2026-11-28-0004-sync-state",
        sql: include_str!("../migrations/2026-11-28-0004-sync-state.sql"),
        then: None,
    },
    Migration {
        name: "2026-11-28-0005-settings",
        sql: include_str!("../migrations/2026-11-28-0005-settings.sql"),
        then: None,
    },
    Migration {
        name: "2026-11-28-0006-attempt-started",
        sql: include_str!("../migrations/2026-11-28-0006-attempt-started.sql"),
        then: None,
    },
    Migration {
        name: "2026-11-28-0007-user-added",
        sql: include_str!("../migrations/2026-11-28-0007-user-added.sql"),
        then: None,
    },
    Migration {
        name: "2026-11-28-0008-folder-stamps",
        sql: include_str!("../migrations/2026-11-28-0008-folder-stamps.sql"),
        then: None,
    },
    Migration {
        name: "2026-11-28-0009-category-order",
        sql: include_str!("../migrations/2026-11-28-0009-category-order.sql"),
        then: None,
    },
    Migration {
        name: "2026-11-28-0010-search-unigrams",
        sql: include_str!("../migrations/2026-11-28-0010-search-unigrams.sql"),
        // Not rebuilt here: at 100k posts that took half a minute before the window could
        // open. Articles without a `search_rowid` are indexed afterwards, a few at a time
        // (`Store::index_pending`), by the app in the background and by the CLI before a search.
        then: None,
    },
    Migration {
        name: "2026-12-06-0011-label-order",
        sql: include_str!("../migrations/2026-12-06-0011-label-order.sql"),
        then: None,
    },
    Migration {
        name: "2026-12-06-0012-search-key-spacing",
        sql: include_str!("../migrations/2026-12-06-0012-search-key-spacing.sql"),
        // Re-indexed afterwards, a few at a time (`Store::index_pending`), as after 0010.
        then: None,
    },
    Migration {
        name: "2026-12-07-0013-label-pages",
        sql: include_str!("../migrations/2026-12-07-0013-label-pages.sql"),
        then: None,
    },
    Migration {
        name: "2026-12-07-0014-devices",
        sql: include_str!("../migrations/2026-12-07-0014-devices.sql"),
        then: None,
    },
    Migration {
        name: "2026-12-07-0015-saved-pages",
        sql: include_str!("../migrations/2026-12-07-0015-saved-pages.sql"),
        then: None,
    },
    Migration {
        name: "2026-12-07-0016-duplicates",
        sql: include_str!("../migrations/2026-12-07-0016-duplicates.sql"),
        then: None,
    },
    Migration {
        name: "2026-12-07-0017-site-aliases",
        sql: include_str!("../migrations/2026-12-07-0017-site-aliases.sql"),
        then: None,
    },
    Migration {
        name: "2026-12-07-0018-search-one-column",
        sql: include_str!("../migrations/2026-12-07-0018-search-one-column.sql"),
        then: None,
    },
    Migration {
        name: "2026-12-07-0019-image-tables-without-rowid",
        sql: include_str!("../migrations/2026-12-07-0019-image-tables-without-rowid.sql"),
        then: None,
    },
];

pub(crate) fn apply(conn: &mut Connection) -> Result<()> {
    apply_first(conn, MIGRATIONS.len())
}

/// Applies only the first `n` migrations (upgrade tests start from old schemas).
pub(crate) fn apply_first(conn: &mut Connection, n: usize) -> Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)",
    )?;
    let done = applied(conn)?;
    if let Some(unknown) = done.iter().find(|n| !MIGRATIONS.iter().any(|m| m.name == n.as_str())) {
        return Err(StoreError::FromTheFuture { name: unknown.clone() });
    }
    for m in MIGRATIONS.iter().take(n) {
        let name = m.name;
        if done.iter().any(|n| n == name) {
            continue;
        }
        let wrap = |source| StoreError::Migration { name: name.to_string(), source };
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(wrap)?;
        tx.execute_batch(m.sql).map_err(wrap)?;
        if let Some(then) = m.then {
            then(&tx).map_err(wrap)?;
        }
        tx.execute(
            "INSERT INTO schema_migrations (name, applied_at) VALUES (?1, ?2)",
            rusqlite::params![name, crate::now()],
        )
        .map_err(wrap)?;
        tx.commit().map_err(wrap)?;
    }
    Ok(())
}

pub(crate) fn applied(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare("SELECT name FROM schema_migrations ORDER BY name")?;
    let names = stmt.query_map([], |r| r.get(0))?.collect::<Result<Vec<String>, _>>()?;
    Ok(names)
}
