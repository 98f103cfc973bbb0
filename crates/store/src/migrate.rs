//! Dated, append-only `.sql` migrations, each applied in its own transaction.

use rusqlite::Connection;

use crate::{Result, StoreError};

/// Every migration ever shipped, oldest first. Never edit or reorder: only append.
const MIGRATIONS: &[(&str, &str)] = &[(
    "2026-11-28-0001-initial",
    include_str!("../migrations/2026-11-28-0001-initial.sql"),
)];

pub(crate) fn apply(conn: &mut Connection) -> Result<()> {
    apply_first(conn, MIGRATIONS.len())
}

/// Applies only the first `n` migrations (upgrade tests start from old schemas).
pub(crate) fn apply_first(conn: &mut Connection, n: usize) -> Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)",
    )?;
    let done = applied(conn)?;
    if let Some(unknown) = done.iter().find(|n| !MIGRATIONS.iter().any(|(m, _)| m == n)) {
        return Err(StoreError::FromTheFuture { name: unknown.clone() });
    }
    for (name, sql) in MIGRATIONS.iter().take(n) {
        if done.iter().any(|n| n == name) {
            continue;
        }
        let wrap = |source| StoreError::Migration { name: name.to_string(), source };
        let tx = conn.transaction().map_err(wrap)?;
        tx.execute_batch(sql).map_err(wrap)?;
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
