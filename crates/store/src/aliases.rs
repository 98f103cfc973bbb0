//! A source's other site addresses (`source_aliases`): where the same site lived before or
//! also answers, so its posts' links there open in the app.

use rusqlite::params;

use crate::{Result, SourceId, Store, StoreError};

/// Addresses kept per source. A site that moved a few times has a handful; past this, the
/// oldest learned ones make way (a hostile tree rewriting its `CNAME` at every sync cannot
/// grow the table).
pub const MAX_ALIASES: usize = 32;

/// Who said an address is the site's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AliasOrigin {
    /// The source's site URL before it changed.
    Former,
    /// The site's own files (its `CNAME`).
    Site,
    /// The reader.
    User,
}

impl AliasOrigin {
    fn as_str(self) -> &'static str {
        match self {
            AliasOrigin::Former => "former",
            AliasOrigin::Site => "site",
            AliasOrigin::User => "user",
        }
    }
}

/// `url` as an alias is kept: an http(s) address the backup would accept, its host in lower
/// case and without a trailing slash; `None` when it is not a web address.
pub fn normal_alias(url: &str) -> Option<String> {
    let url = url.trim();
    let with_scheme = if url.contains("://") { url.to_string() } else { format!("https://{url}") };
    if !crate::backup::fits_url(&with_scheme) {
        return None;
    }
    let (scheme, rest) = with_scheme.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let (host, path) = rest.split_once('/').map_or((rest, ""), |(h, p)| (h, p));
    if host.is_empty() || host.contains(['@', '?', '#']) {
        return None;
    }
    let path = path.split(['?', '#']).next().unwrap_or("").trim_end_matches('/');
    let host = host.to_ascii_lowercase();
    Some(if path.is_empty() { format!("{scheme}://{host}") } else { format!("{scheme}://{host}/{path}") })
}

impl Store {
    /// A source's other addresses, oldest first.
    pub fn site_aliases(&self, source: SourceId) -> Result<Vec<String>> {
        Ok(self.site_aliases_with_origins(source)?.into_iter().map(|(url, _)| url).collect())
    }

    /// Every source's other addresses, oldest first, in one read (for the source list).
    pub(crate) fn all_site_aliases(&self) -> Result<std::collections::HashMap<SourceId, Vec<String>>> {
        let mut stmt =
            self.conn.prepare_cached("SELECT source_id, url FROM source_aliases ORDER BY source_id, rowid")?;
        let mut all: std::collections::HashMap<SourceId, Vec<String>> = std::collections::HashMap::new();
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            all.entry(r.get(0)?).or_default().push(r.get(1)?);
        }
        Ok(all)
    }

    /// The source's other addresses with how each was learned (`former`, `site`, `user`),
    /// in the order they were learned.
    pub(crate) fn site_aliases_with_origins(&self, source: SourceId) -> Result<Vec<(String, String)>> {
        let mut stmt =
            self.conn.prepare_cached("SELECT url, origin FROM source_aliases WHERE source_id = ?1 ORDER BY rowid")?;
        let rows = stmt.query_map([source], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Adds an address of the source's site. Its own site URL is no alias (false); a reader's
    /// address that is not a web address is refused.
    pub fn add_site_alias(&self, source: SourceId, url: &str, origin: AliasOrigin) -> Result<bool> {
        let Some(alias) = normal_alias(url) else {
            return Err(StoreError::InvalidInput(format!("{url:?} is not a web address")));
        };
        let site: Option<Option<String>> = {
            use rusqlite::OptionalExtension;
            self.conn.query_row("SELECT site_url FROM sources WHERE id = ?1", [source], |r| r.get(0)).optional()?
        };
        let Some(site) = site else { return Err(StoreError::InvalidInput(format!("no source {source}"))) };
        if site.is_some_and(|s| broadsheet_model::web::site_key(&s) == broadsheet_model::web::site_key(&alias)) {
            return Ok(false);
        }
        let known: Vec<String> = self.site_aliases(source)?;
        if known.iter().any(|k| broadsheet_model::web::site_key(k) == broadsheet_model::web::site_key(&alias)) {
            return Ok(false);
        }
        if known.len() >= MAX_ALIASES {
            // The reader's own stay; a learned one makes way — one the site's files name
            // first (the next sync names it again), a former address last (nothing would bring
            // it back), the oldest of its kind. A full list of the reader's own refuses more.
            let freed = self.conn.execute(
                "DELETE FROM source_aliases WHERE rowid = (SELECT rowid FROM source_aliases
                   WHERE source_id = ?1 AND origin <> 'user'
                   ORDER BY origin = 'former', rowid LIMIT 1)",
                [source],
            )?;
            if freed == 0 {
                // A learned address that finds no room is simply not kept: refusing it would
                // fail every sync of a source whose list the reader (or a backup) filled.
                if origin != AliasOrigin::User {
                    return Ok(false);
                }
                return Err(StoreError::InvalidInput(format!("a source keeps at most {MAX_ALIASES} addresses")));
            }
        }
        self.conn.execute(
            "INSERT OR IGNORE INTO source_aliases (source_id, url, origin) VALUES (?1, ?2, ?3)",
            params![source, alias, origin.as_str()],
        )?;
        Ok(true)
    }

    /// Forgets one of the source's other addresses (true when it was there).
    pub fn remove_site_alias(&self, source: SourceId, url: &str) -> Result<bool> {
        let alias = normal_alias(url).unwrap_or_else(|| url.to_string());
        Ok(self.conn.execute(
            "DELETE FROM source_aliases WHERE source_id = ?1 AND (url = ?2 OR url = ?3)",
            params![source, alias, url],
        )? > 0)
    }

    /// What a sync learned of the site: its current address (the one before becomes an
    /// alias) and the other addresses its files name. Nothing changes when nothing is new.
    pub fn note_site(&self, source: SourceId, site_url: Option<&str>, aliases: &[String]) -> Result<()> {
        if let Some(url) = site_url.filter(|u| crate::backup::fits_url(u)) {
            let before: Option<String> =
                self.conn.query_row("SELECT site_url FROM sources WHERE id = ?1", [source], |r| r.get(0))?;
            if before.as_deref() != Some(url) {
                // Read before the savepoint, which then begins with a write: a deferred
                // transaction that reads first fails at once if another connection wrote since.
                self.atomically(|| {
                    self.conn.execute("UPDATE sources SET site_url = ?2 WHERE id = ?1", params![source, url])?;
                    self.site_moved(source, before.as_deref(), url)
                })?;
            }
        }
        for alias in aliases {
            // A file's address that is no web address is simply not one of the site's.
            if normal_alias(alias).is_some() {
                self.add_site_alias(source, alias, AliasOrigin::Site)?;
            }
        }
        Ok(())
    }

    /// Runs `f` in a savepoint (on its own or inside a caller's transaction): a site's move is
    /// its new address and the old one kept as an alias together, so a crash between the
    /// writes cannot lose the address it had. `f` should write first (see `note_site`).
    pub(crate) fn atomically<T>(&self, f: impl FnOnce() -> Result<T>) -> Result<T> {
        self.conn.execute_batch("SAVEPOINT site_move")?;
        match f() {
            Ok(v) => {
                self.conn.execute_batch("RELEASE site_move")?;
                Ok(v)
            }
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK TO site_move; RELEASE site_move");
                Err(e)
            }
        }
    }

    /// The source's site URL changed from `before` to `now`: the old address becomes an
    /// alias, and the new one, if it was an alias, is the site itself now.
    pub(crate) fn site_moved(&self, source: SourceId, before: Option<&str>, now: &str) -> Result<()> {
        if let Some(old) = before.filter(|b| normal_alias(b).is_some()) {
            self.add_site_alias(source, old, AliasOrigin::Former)?;
        }
        let new = broadsheet_model::web::site_key(now);
        for known in self.site_aliases(source)? {
            if broadsheet_model::web::site_key(&known) == new {
                self.remove_site_alias(source, &known)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NewSource;

    fn archive() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a.sqlite3")).unwrap();
        (dir, store)
    }

    fn source(store: &Store, site: Option<&str>) -> SourceId {
        store
            .upsert_source(&NewSource {
                kind: "jekyll-folder",
                location: "/site",
                name: "s",
                site_url: site,
                lang: None,
            })
            .unwrap()
    }

    #[test]
    fn a_site_that_moves_keeps_its_old_address_as_an_alias() {
        let (_dir, store) = archive();
        let id = source(&store, Some("https://finews.zning.me"));
        store.note_site(id, Some("https://finews.withounder.com"), &["finews.zning.me".to_string()]).unwrap();
        assert_eq!(store.site_aliases(id).unwrap(), ["https://finews.zning.me"]);
        // A folder whose `_config.yml` changed its `url` moves the same way.
        assert_eq!(source(&store, Some("https://third.example")), id);
        assert_eq!(store.site_aliases(id).unwrap(), ["https://finews.zning.me", "https://finews.withounder.com"]);
        store.remove_site_alias(id, "https://finews.withounder.com").unwrap();
        source(&store, Some("https://finews.withounder.com"));
        store.remove_site_alias(id, "https://third.example").unwrap();
        // Moving back: the current address is no alias of itself, the other one is.
        store.note_site(id, Some("https://finews.zning.me"), &[]).unwrap();
        assert_eq!(store.site_aliases(id).unwrap(), ["https://finews.withounder.com"]);
    }

    #[test]
    fn the_reader_adds_and_removes_addresses_and_bad_ones_are_refused() {
        let (_dir, store) = archive();
        let id = source(&store, Some("https://site.example"));
        assert!(store.add_site_alias(id, "Old.Example/blog/", AliasOrigin::User).unwrap());
        assert!(!store.add_site_alias(id, "https://www.site.example/", AliasOrigin::User).unwrap(), "itself");
        assert!(!store.add_site_alias(id, "http://old.example/blog", AliasOrigin::User).unwrap(), "twice");
        for bad in ["javascript:alert(1)", "https://", "a b", "https://user@host.example", ""] {
            assert!(store.add_site_alias(id, bad, AliasOrigin::User).is_err(), "{bad}");
        }
        assert_eq!(store.site_aliases(id).unwrap(), ["https://old.example/blog"]);
        assert!(store.remove_site_alias(id, "https://old.example/blog/").unwrap());
        assert!(store.site_aliases(id).unwrap().is_empty());
    }

    #[test]
    fn a_flood_of_learned_addresses_stays_bounded_and_keeps_the_readers_own() {
        let (_dir, store) = archive();
        let id = source(&store, Some("https://site.example"));
        store.add_site_alias(id, "mine.example", AliasOrigin::User).unwrap();
        store.add_site_alias(id, "before.example", AliasOrigin::Former).unwrap();
        for i in 0..200 {
            store.note_site(id, None, &[format!("flood{i}.example")]).unwrap();
        }
        let kept = store.site_aliases(id).unwrap();
        assert_eq!(kept.len(), MAX_ALIASES);
        assert!(kept.contains(&"https://mine.example".to_string()));
        assert!(kept.contains(&"https://before.example".to_string()), "a former address outlasts what files name");
        assert!(kept.contains(&"https://flood199.example".to_string()), "the newest learned one is kept");
    }

    #[test]
    fn a_list_full_of_the_readers_own_addresses_refuses_theirs_but_never_fails_a_sync() {
        let (_dir, store) = archive();
        let id = source(&store, Some("https://site.example"));
        for i in 0..MAX_ALIASES {
            store.add_site_alias(id, &format!("mine{i}.example"), AliasOrigin::User).unwrap();
        }
        assert!(store.add_site_alias(id, "one-more.example", AliasOrigin::User).is_err());
        store.note_site(id, Some("https://moved.example"), &["cname.example".to_string()]).unwrap();
        assert_eq!(source(&store, Some("https://moved-again.example")), id);
        let kept = store.site_aliases(id).unwrap();
        assert_eq!(kept.len(), MAX_ALIASES);
        assert!(kept.iter().all(|a| a.starts_with("https://mine")), "{kept:?}");
    }
}
