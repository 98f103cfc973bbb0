//! Snapshots of how real posts are read: front matter, dates, warnings and the shape of the
//! rendered HTML. The corpus's prose stays out of the repository: text runs are replaced by
//! their length, so a snapshot records structure, links and images, never the articles.

use broadsheet_jekyll::{parse_config, parse_post, Parsed, PostFile};

/// A spread of the corpus, quirks included (see ../shared/corpus/README.md).
const FILES: &[(&str, &str)] = &[
    // finews: dash-named with an empty date and `<>` link; its dated twin (long HTML with
    // digest, K-line chart, centred image); the media-category format; a blank line before
    // the front matter; the first post (no offset, trailing newline).
    ("finews", "_posts/-202205262391921712.md"),
    ("finews", "_posts/2022-05-26-202205262391921712.md"),
    ("finews", "_posts/2022-03-08-NW202203082301008920.md"),
    ("finews", "_posts/2021-12-08-202112082206703990.md"),
    ("finews", "_posts/2021-12-01-init.md"),
    // jekyll/jekyll: {% highlight %}, {% post_url %}, {% link %}, {{ site.repository }}.
    ("jekyll-jekyll", "_posts/2014-03-27-jekyll-1-5-1-released.markdown"),
    ("jekyll-jekyll", "_posts/2014-05-06-jekyll-turns-2-0-0.markdown"),
    ("jekyll-jekyll", "_posts/2017-03-09-jekyll-3-4-2-released.markdown"),
    ("jekyll-jekyll", "_posts/2013-05-08-jekyll-1-0-1-released.markdown"),
    // Hux blog: an <iframe>, lang: en, published: false, a sub-folder post.
    ("Huxpro-huxpro.github.io", "_posts/hidden/2020-05-05-pl-chart.md"),
    ("Huxpro-huxpro.github.io", "_posts/2017-05-28-sw-precache.md"),
    ("Huxpro-huxpro.github.io", "_posts/cs_idols/2019-09-13-peter-john-landin.md"),
    ("Huxpro-huxpro.github.io", "_posts/read_sf_lf/2019-01-01-sf-lf-01-basics.md"),
];

const CONFIG: &str = "url: https://example.org\ntimezone: Asia/Shanghai\nrepository: jekyll/jekyll\n";

/// HTML with every text run replaced by `[N]` (its length in characters).
fn shape(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        let text = &rest[..i];
        if !text.trim().is_empty() {
            out.push_str(&format!("[{}]", text.chars().count()));
        }
        let end = rest[i..].find('>').map_or(rest.len(), |e| i + e + 1);
        out.push_str(&rest[i..end]);
        rest = &rest[end..];
    }
    if !rest.trim().is_empty() {
        out.push_str(&format!("[{}]", rest.chars().count()));
    }
    out.replace("><", ">\n<")
}

#[test]
fn corpus_posts_read_as_snapshotted() {
    broadsheet_testkit::needs_corpus!();
    let corpus = broadsheet_testkit::corpus();
    let (site, _) = parse_config(CONFIG);
    for (dir, path) in FILES {
        if broadsheet_testkit::corpus_gap(&format!("{dir}/{path}")) {
            eprintln!("{dir}/{path}: not in this fetched corpus (no pinned commit); its snapshot is not checked");
            continue;
        }
        let bytes = std::fs::read(corpus.join(dir).join(path)).unwrap_or_else(|e| panic!("{dir}/{path}: {e}"));
        let (parsed, warnings) = parse_post(&PostFile { path, bytes: &bytes, modified: Some(1_700_000_000) }, &site);
        let warnings: Vec<String> = warnings.into_iter().map(|w| w.message).collect();
        let report = match parsed {
            Parsed::Skipped(skip) => format!("skipped: {}\nwarnings: {warnings:#?}\n", skip.reason),
            Parsed::Post(p) => {
                let mut extra: Vec<&String> = p.extra.keys().collect();
                extra.sort();
                format!(
                    "key: {}\ntitle chars: {}\ntimestamp: {} (offset {} min)\nurl: {}\ncategories: {:?}\ntags: {:?}\nlang: {:?}\n\
                     extra fields: {:?}\nimages: {:#?}\ntext chars: {}\nexcerpt chars: {}\nwarnings: {warnings:#?}\n\nhtml shape:\n{}\n",
                    p.key,
                    p.title.chars().count(),
                    p.timestamp,
                    p.utc_offset_min,
                    p.url,
                    p.categories,
                    p.tags,
                    p.lang,
                    extra,
                    p.images,
                    p.text.chars().count(),
                    p.excerpt.chars().count(),
                    shape(&p.html)
                )
            }
        };
        let name = format!("{dir}__{}", path.trim_start_matches("_posts/").replace('/', "__"));
        insta::assert_snapshot!(name, report);
    }
}
