//! Finding the same story carried twice, on a corpus with known copies: the same wire story
//! under other outlets and in another source, lightly edited, retitled, with bylines and back
//! links added; and many unrelated stories drawn from the same vocabulary.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use broadsheet_model::{ArticleId, ArticleQuery, Filters};
use broadsheet_store::{NewArticle, NewSource, Store};
use broadsheet_testkit::{Rng, HANZI};

const WORDS: &[&str] = &[
    "the",
    "council",
    "said",
    "on",
    "monday",
    "that",
    "bridge",
    "harbour",
    "repairs",
    "will",
    "cost",
    "more",
    "than",
    "expected",
    "after",
    "engineers",
    "found",
    "cracks",
    "in",
    "deck",
    "traffic",
    "was",
    "diverted",
    "through",
    "old",
    "town",
    "residents",
    "complained",
    "about",
    "noise",
    "and",
    "dust",
    "mayor",
    "promised",
    "review",
    "of",
    "budget",
    "next",
    "year",
    "while",
    "opposition",
    "called",
    "for",
    "inquiry",
    "into",
    "delays",
    "contract",
    "signed",
    "with",
    "firm",
    "last",
    "spring",
    "work",
    "began",
    "months",
    "ago",
    "is",
    "now",
    "due",
    "to",
    "finish",
    "by",
    "summer",
];

struct Story {
    title: String,
    text: String,
}

fn chinese(rng: &mut Rng, len: usize) -> String {
    let hanzi: Vec<char> = HANZI.chars().collect();
    (0..len).map(|_| hanzi[rng.skewed(hanzi.len() as u64) as usize]).collect()
}

fn english(rng: &mut Rng, words: usize) -> String {
    (0..words).map(|_| WORDS[rng.skewed(WORDS.len() as u64) as usize]).collect::<Vec<_>>().join(" ")
}

/// An outlet's copy of a story: a few characters or words changed, a byline or a dateline
/// in front, a back link after (what finews' outlets do to wire copy).
fn edited(rng: &mut Rng, text: &str, english_text: bool) -> String {
    let mut out = String::new();
    if english_text {
        let mut words: Vec<String> = text.split(' ').map(str::to_string).collect();
        for _ in 0..(words.len() / 20).max(1) {
            let i = rng.below(words.len() as u64) as usize;
            words[i] = WORDS[rng.below(WORDS.len() as u64) as usize].to_string();
        }
        out.push_str("By Staff Reporter. ");
        out.push_str(&words.join(" "));
        out.push_str(" Back to the news");
    } else {
        let mut chars: Vec<char> = text.chars().collect();
        let hanzi: Vec<char> = HANZI.chars().collect();
        for _ in 0..(chars.len() / 20).max(1) {
            let i = rng.below(chars.len() as u64) as usize;
            chars[i] = hanzi[rng.below(hanzi.len() as u64) as usize];
        }
        // A tenth cut from the end (an outlet's shorter version).
        chars.truncate(chars.len() - chars.len() / 10);
        out.push_str("（本报记者 张明）");
        out.extend(chars);
        out.push_str("返回新闻首页");
    }
    out
}

fn row(key: &str, title: &str, text: &str, outlet: usize, at: i64) -> NewArticle {
    let html = format!("<p>{}</p>", html_escape(text));
    let mut a = NewArticle {
        key: key.into(),
        title: title.into(),
        published_at: at,
        utc_offset_min: 480,
        url: None,
        lang: None,
        text: broadsheet_html_text(&html),
        html,
        text_derived: true,
        excerpt: String::new(),
        extra_json: "{}".into(),
        categories: vec![(format!("outlet{outlet}"), None)],
        tags: Vec::new(),
        images: Vec::new(),
        prepared: None,
    };
    a.prepare();
    a
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;")
}

/// What every ingest path stores as the text: the HTML's plain text (here one paragraph).
fn broadsheet_html_text(html: &str) -> String {
    html.trim_start_matches("<p>").trim_end_matches("</p>").replace("&lt;", "<").replace("&amp;", "&")
}

#[test]
fn copies_of_a_story_are_grouped_with_high_precision_and_recall_and_lists_collapse_them() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("archive.sqlite3")).unwrap();
    let wire = store
        .upsert_source(&NewSource {
            kind: "feed",
            location: "https://wire.example/feed",
            name: "Wire",
            site_url: None,
            lang: None,
        })
        .unwrap();
    let site = store
        .upsert_source(&NewSource {
            kind: "jekyll-folder",
            location: "/news",
            name: "News",
            site_url: None,
            lang: None,
        })
        .unwrap();
    let mut rng = Rng::new(20261207);

    // 1,500 stories, a fifth in English; every fourth has 1–4 copies. Every tenth is a
    // follow-up that opens with a third of an earlier story (a different story, though
    // related: not a copy).
    let mut stories: Vec<Story> = Vec::new();
    for i in 0..1500 {
        let en = i % 5 == 0;
        let len = rng.below(400) as usize;
        let mut text = if en { english(&mut rng, 60 + len / 2) } else { chinese(&mut rng, 80 + len) };
        if i % 10 == 3 && i >= 10 {
            let earlier: &str = &stories[i - 10].text;
            let chars: Vec<char> = earlier.chars().collect();
            let quoted: String = chars[..chars.len() / 3].iter().collect();
            text = if en { format!("{quoted} {text}") } else { format!("{quoted}{text}") };
        }
        stories.push(Story { title: format!("story {i}"), text });
    }
    let (mut wire_rows, mut site_rows) = (Vec::new(), Vec::new());
    let mut at = 1_700_000_000;
    for (i, s) in stories.iter().enumerate() {
        let key = format!("s{i}");
        wire_rows.push(row(&key, &s.title, &s.text, rng.below(40) as usize, at));
        at += 60;
        if i % 4 == 0 {
            for c in 0..(1 + rng.below(4)) {
                let key = format!("s{i}-copy{c}");
                let text = edited(&mut rng, &s.text, i % 5 == 0);
                site_rows.push(row(&key, &format!("{} (outlet copy {c})", s.title), &text, 40 + c as usize, at));
                at += 60;
            }
        }
    }
    let posts = wire_rows.len() + site_rows.len();
    for chunk in wire_rows.chunks(500) {
        store.upsert_articles(wire, chunk).unwrap();
    }
    for chunk in site_rows.chunks(500) {
        store.upsert_articles(site, chunk).unwrap();
    }
    let store = Mutex::new(store);
    let started = std::time::Instant::now();
    let step = broadsheet_import::find_duplicates(&store).unwrap();
    let took = started.elapsed();
    assert_eq!(step.looked_at, posts);

    // Pairs found vs. pairs that are the same story.
    let s = store.lock().unwrap();
    let keys: BTreeMap<ArticleId, String> = {
        let q = ArticleQuery { limit: Some(1000), ..Default::default() };
        let mut all = BTreeMap::new();
        let mut before = None;
        loop {
            let page = s.list_articles(&ArticleQuery { before, ..q.clone() }).unwrap();
            let Some(last) = page.last() else { break };
            before = Some(broadsheet_model::Cursor { timestamp: last.timestamp, id: last.id });
            for a in &page {
                all.insert(a.id, a.title.clone());
            }
        }
        all
    };
    assert_eq!(keys.len(), posts);
    let story_of = |id: ArticleId| -> usize {
        let title = &keys[&id];
        title.trim_start_matches("story ").split(' ').next().unwrap().parse().unwrap()
    };
    let pairs = |groups: &[Vec<ArticleId>]| -> BTreeSet<(ArticleId, ArticleId)> {
        let mut p = BTreeSet::new();
        for g in groups {
            for (i, a) in g.iter().enumerate() {
                for b in &g[i + 1..] {
                    p.insert((*a.min(b), *a.max(b)));
                }
            }
        }
        p
    };
    let mut by_story: BTreeMap<usize, Vec<ArticleId>> = BTreeMap::new();
    for id in keys.keys() {
        by_story.entry(story_of(*id)).or_default().push(*id);
    }
    let true_pairs = pairs(&by_story.into_values().collect::<Vec<_>>());
    let found = pairs(&s.duplicate_groups().unwrap());
    let right = found.intersection(&true_pairs).count();
    let precision = right as f64 / found.len().max(1) as f64;
    let recall = right as f64 / true_pairs.len().max(1) as f64;
    eprintln!(
        "duplicates: {posts} posts, {} true pairs, {} found: precision {precision:.3}, recall {recall:.3}; {:.1} µs per post",
        true_pairs.len(),
        found.len(),
        took.as_micros() as f64 / posts as f64
    );
    assert!(precision >= 0.95, "precision {precision:.3}");
    assert!(recall >= 0.95, "recall {recall:.3}");

    // A list collapses each story to one row, which says how many copies it has.
    let all = s.count_articles(&Filters::default()).unwrap();
    let collapsed = s.count_articles(&Filters { collapse_duplicates: true, ..Default::default() }).unwrap();
    let groups = s.duplicate_groups().unwrap();
    let hidden: usize = groups.iter().map(|g| g.len() - 1).sum();
    assert_eq!(collapsed, all - hidden as u64);
    let first = &groups[0];
    assert_eq!(s.duplicates_of(first[0]).unwrap(), first[1..]);
    let page = s
        .list_articles(&ArticleQuery {
            filters: Filters { collapse_duplicates: true, ..Default::default() },
            limit: Some(1000),
            ..Default::default()
        })
        .unwrap();
    for a in &page {
        let copies = s.duplicates_of(a.id).unwrap();
        assert_eq!(a.copies as usize, copies.len());
        assert!(copies.iter().all(|c| *c > a.id), "the row shown is the story's first post");
    }
}

#[test]
fn a_copy_whose_text_changes_leaves_its_group_and_is_looked_at_again() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("archive.sqlite3")).unwrap();
    let src = store
        .upsert_source(&NewSource {
            kind: "feed",
            location: "https://x.example/feed",
            name: "X",
            site_url: None,
            lang: None,
        })
        .unwrap();
    let mut rng = Rng::new(7);
    let text = chinese(&mut rng, 300);
    let copy = edited(&mut rng, &text, false);
    let other = chinese(&mut rng, 300);
    let ids: Vec<ArticleId> = store
        .upsert_articles(src, &[row("a", "A", &text, 1, 1), row("b", "B", &copy, 2, 2)])
        .unwrap()
        .into_iter()
        .map(|o| match o {
            broadsheet_store::UpsertOutcome::Inserted(id) => id,
            other => panic!("{other:?}"),
        })
        .collect();
    let store = Mutex::new(store);
    broadsheet_import::find_duplicates(&store).unwrap();
    assert_eq!(store.lock().unwrap().duplicate_groups().unwrap(), std::slice::from_ref(&ids));
    let listed = store.lock().unwrap().list_articles(&ArticleQuery::default()).unwrap();
    assert!(listed.iter().all(|a| a.copies == 1), "{listed:?}");

    // b is rewritten into another story: no longer a copy, once looked at again.
    store.lock().unwrap().upsert_articles(src, &[row("b", "B", &other, 2, 2)]).unwrap();
    assert!(store.lock().unwrap().duplicate_groups().unwrap().is_empty());
    let step = broadsheet_import::find_duplicates(&store).unwrap();
    assert_eq!((step.looked_at, step.copies), (1, 0));
    assert!(store.lock().unwrap().duplicate_groups().unwrap().is_empty());
    // And back: grouped again.
    store.lock().unwrap().upsert_articles(src, &[row("b", "B", &copy, 2, 2)]).unwrap();
    broadsheet_import::find_duplicates(&store).unwrap();
    assert_eq!(store.lock().unwrap().duplicate_groups().unwrap(), [ids]);
}
