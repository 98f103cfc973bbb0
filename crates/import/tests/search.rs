//! Search over the real corpus, checked against a plain scan of the same text.

use broadsheet_import::{import_path, ImportOptions};
use broadsheet_model::{ArticleId, ArticleQuery, Filters, SearchQuery};
use broadsheet_store::{Store, StoreError};

struct Doc {
    id: ArticleId,
    /// Title and text, lower-cased.
    hay: String,
    /// Word tokens as the index sees them (CJK characters separate words).
    words: Vec<String>,
}

fn is_cjk(c: char) -> bool {
    broadsheet_store::search_tokens::is_cjk(c)
}

/// Words as a reader sees them: runs of letters and digits, each CJK character a word of its
/// own (so "Panorama 在我看来是 Metro" does not hold the phrase "panorama metro").
fn words_of(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    for c in s.chars() {
        if c.is_alphanumeric() && !is_cjk(c) {
            word.push(c);
            continue;
        }
        if !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
        if is_cjk(c) {
            out.push(c.to_string());
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

fn corpus_archive() -> (tempfile::TempDir, Store, Vec<Doc>) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("archive.sqlite3")).unwrap();
    let corpus = broadsheet_testkit::corpus();
    for site in ["finews", "jekyll-jekyll", "Huxpro-huxpro.github.io"] {
        import_path(&mut store, &corpus.join(site), ImportOptions::default(), &mut |_, _| {}).unwrap();
    }
    let all = store.list_articles(&ArticleQuery { limit: Some(1000), ..Default::default() }).unwrap();
    let docs = all
        .iter()
        .map(|a| {
            let d = store.article(a.id).unwrap();
            let hay = format!("{}\n{}", d.summary.title, d.text).to_lowercase();
            Doc { id: a.id, words: words_of(&hay), hay }
        })
        .collect();
    (dir, store, docs)
}

fn search_ids(store: &Store, q: &str) -> Vec<ArticleId> {
    let mut ids: Vec<ArticleId> = store
        .search(&SearchQuery { query: q.to_string(), limit: Some(1000), ..Default::default() })
        .unwrap_or_else(|e| panic!("{q:?}: {e}"))
        .iter()
        .map(|h| h.summary.id)
        .collect();
    ids.sort();
    ids
}

/// A small deterministic generator, so the query set is the same on every run.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

#[test]
fn search_finds_every_post_a_plain_scan_finds() {
    broadsheet_testkit::needs_corpus!();
    let (_dir, store, docs) = corpus_archive();
    let mut rng = Lcg(20261128);
    let mut cjk_queries = Vec::new();
    let mut word_queries = Vec::new();
    while cjk_queries.len() < 240 {
        let doc = &docs[rng.next(docs.len())];
        let chars: Vec<char> = doc.hay.chars().collect();
        let len = 1 + rng.next(4);
        if chars.len() <= len {
            continue;
        }
        let start = rng.next(chars.len() - len);
        let q: String = chars[start..start + len].iter().collect();
        if q.chars().all(is_cjk) {
            cjk_queries.push(q);
        }
    }
    let english: Vec<&Doc> = docs.iter().filter(|d| d.words.iter().filter(|w| w.len() > 3).count() > 50).collect();
    while word_queries.len() < 120 {
        let doc = english[rng.next(english.len())];
        let i = rng.next(doc.words.len() - 1);
        let (a, b) = (&doc.words[i], &doc.words[i + 1]);
        if a.len() < 3 || !a.chars().all(|c| c.is_ascii_alphabetic()) {
            continue;
        }
        word_queries.push(if word_queries.len() % 3 == 0 { format!("\"{a} {b}\"") } else { a.clone() });
    }

    for q in &cjk_queries {
        let mut expected: Vec<ArticleId> = docs.iter().filter(|d| d.hay.contains(q.as_str())).map(|d| d.id).collect();
        expected.sort();
        assert_eq!(search_ids(&store, q), expected, "CJK query {q:?}: search and scan disagree");
    }
    for q in &word_queries {
        let phrase: Vec<String> = q.trim_matches('"').split(' ').map(str::to_string).collect();
        let expected: Vec<ArticleId> = docs
            .iter()
            .filter(|d| d.words.windows(phrase.len()).any(|w| w == phrase.as_slice()))
            .map(|d| d.id)
            .collect();
        let found = search_ids(&store, q);
        let missed: Vec<&ArticleId> = expected.iter().filter(|id| !found.contains(id)).collect();
        assert!(missed.is_empty(), "word query {q:?} missed {missed:?}");
        assert!(!found.is_empty());
    }
}

#[test]
fn short_chinese_queries_and_mixed_queries_work() {
    broadsheet_testkit::needs_corpus!();
    let (_dir, store, docs) = corpus_archive();
    for q in ["股", "女性", "就业", "A股"] {
        let found = search_ids(&store, q);
        let scan: Vec<ArticleId> = docs.iter().filter(|d| d.hay.contains(&q.to_lowercase())).map(|d| d.id).collect();
        assert!(scan.iter().all(|id| found.contains(id)), "{q}");
    }
    let hits = store.search(&SearchQuery { query: "股".into(), limit: Some(5), ..Default::default() }).unwrap();
    assert!(hits.iter().all(|h| h.snippet.contains("<mark>股</mark>") || h.summary.title.contains('股')));
    assert!(hits.windows(2).all(|w| w[0].score >= w[1].score), "most relevant first");
}

#[test]
fn filters_narrow_results() {
    broadsheet_testkit::needs_corpus!();
    let (_dir, store, _) = corpus_archive();
    let q = |filters: Filters, since: Option<i64>| {
        store
            .search(&SearchQuery { query: "jekyll".into(), filters, since, limit: Some(1000), ..Default::default() })
            .unwrap()
    };
    let all = q(Filters::default(), None);
    let release = q(Filters { category: Some("release".into()), ..Default::default() }, None);
    assert!(!release.is_empty() && release.len() < all.len());
    assert!(release.iter().all(|h| h.summary.categories.contains(&"release".to_string())));
    let recent = q(Filters::default(), Some(1_600_000_000));
    assert!(recent.iter().all(|h| h.summary.timestamp >= 1_600_000_000) && recent.len() < all.len());
}

#[test]
fn hostile_queries_give_results_or_a_clear_error() {
    broadsheet_testkit::needs_corpus!();
    let (_dir, store, _) = corpus_archive();
    let long = "字".repeat(10_000);
    for q in [
        "",
        "   ",
        "\"",
        "\"\"",
        "NEAR(",
        "NEAR(a b",
        "a OR b",
        "title:x",
        "*",
        "^a",
        "-",
        "'",
        ")",
        "(((",
        "AND",
        long.as_str(),
    ] {
        match store.search(&SearchQuery { query: q.to_string(), ..Default::default() }) {
            Ok(_) | Err(StoreError::InvalidInput(_)) => {}
            Err(e) => panic!("{:?} gave {e}", q.chars().take(20).collect::<String>()),
        }
    }
    let empty = store.search(&SearchQuery { query: " ".into(), ..Default::default() }).unwrap_err();
    assert!(empty.to_string().contains("empty"), "{empty}");
}

#[test]
fn the_index_follows_updates_and_a_rebuild_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let posts = dir.path().join("site/_posts");
    std::fs::create_dir_all(&posts).unwrap();
    let post = |body: &str| format!("---\ntitle: \"标题\"\ndate: 2022-03-08 10:00:00 +0800\n---\n<p>{body}</p>");
    std::fs::write(posts.join("2022-03-08-a.md"), post("旧内容：蔚来汽车")).unwrap();
    let mut store = Store::open(&dir.path().join("archive.sqlite3")).unwrap();
    let site = dir.path().join("site");
    import_path(&mut store, &site, ImportOptions::default(), &mut |_, _| {}).unwrap();
    assert_eq!(search_ids(&store, "蔚来").len(), 1);

    std::fs::write(posts.join("2022-03-08-a.md"), post("新内容：比亚迪")).unwrap();
    import_path(&mut store, &site, ImportOptions::default(), &mut |_, _| {}).unwrap();
    assert!(search_ids(&store, "蔚来").is_empty(), "no ghost of the old text");
    assert_eq!(search_ids(&store, "比亚迪").len(), 1, "the new text is found");

    let before: Vec<Vec<ArticleId>> = ["比亚迪", "标题", "内容"].iter().map(|q| search_ids(&store, q)).collect();
    assert_eq!(store.reindex().unwrap(), 1);
    let after: Vec<Vec<ArticleId>> = ["比亚迪", "标题", "内容"].iter().map(|q| search_ids(&store, q)).collect();
    assert_eq!(before, after);
}

/// A character in every post of a generated archive larger than the ranked window: pages in
/// either order list every match exactly once; newest first is by date; the count is the
/// number of matches; the first page is the best-ranked part of the newest matches.
#[test]
fn common_terms_page_through_every_match_once_in_either_order() {
    use broadsheet_model::SearchSort;
    let dir = tempfile::tempdir().unwrap();
    let posts = 1_300usize;
    broadsheet_testkit::generate_site(&dir.path().join("site"), posts, 40, 7);
    let mut store = Store::open(&dir.path().join("archive.sqlite3")).unwrap();
    import_path(&mut store, &dir.path().join("site"), ImportOptions::default(), &mut |_, _| {}).unwrap();
    // The most common character of the generated text.
    let all = store.list_articles(&ArticleQuery { limit: Some(1000), ..Default::default() }).unwrap();
    let mut freq = std::collections::HashMap::<char, usize>::new();
    for a in all.iter().take(50) {
        let d = store.article(a.id).unwrap();
        let mut seen = std::collections::HashSet::new();
        for c in d.text.chars().filter(|c| is_cjk(*c)) {
            if seen.insert(c) {
                *freq.entry(c).or_default() += 1;
            }
        }
    }
    let common = freq.into_iter().max_by_key(|(_, n)| *n).unwrap().0.to_string();
    let query = |sort: SearchSort, offset: u32, limit: u32| SearchQuery {
        query: common.clone(),
        limit: Some(limit),
        offset: Some(offset),
        sort,
        ..Default::default()
    };
    let total = store.search_count(&query(SearchSort::Relevance, 0, 1)).unwrap() as usize;
    assert!(total > broadsheet_store::RANKED_WINDOW as usize, "the test needs more matches than the window: {total}");

    for sort in [SearchSort::Relevance, SearchSort::Newest] {
        let mut seen = Vec::new();
        let mut offset = 0;
        loop {
            // 170 does not divide the window: one page straddles its end.
            let page = store.search(&query(sort, offset, 170)).unwrap();
            if page.is_empty() {
                break;
            }
            offset += page.len() as u32;
            seen.extend(page);
        }
        let mut ids: Vec<ArticleId> = seen.iter().map(|h| h.summary.id).collect();
        assert_eq!(ids.len(), total, "{sort:?}: every match listed");
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), total, "{sort:?}: no match listed twice");
        let dates: Vec<i64> = seen.iter().map(|h| h.summary.timestamp).collect();
        let window = broadsheet_store::RANKED_WINDOW as usize;
        let newest_part = if sort == SearchSort::Newest { &dates[..] } else { &dates[window..] };
        assert!(newest_part.windows(2).all(|w| w[0] >= w[1]), "{sort:?}: newest first where it should be");
        if sort == SearchSort::Relevance {
            // The window holds exactly the newest matches, best score first.
            let oldest_in_window = dates[..window].iter().min().unwrap();
            assert!(dates[window..].iter().all(|d| d <= oldest_in_window));
            let scores: Vec<f64> = seen[..window].iter().map(|h| h.score).collect();
            assert!(scores.windows(2).all(|w| w[0] >= w[1]), "ranked best first");
        }
    }
}
