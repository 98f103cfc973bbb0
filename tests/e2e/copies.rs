//! The same story carried twice, in the real window: the list says so, the reader links the
//! copies, reading one reads both, and the list can show the story once.

use crate::harness::App;

const STORY: &str = "国家统计局27日发布数据显示，十月份全国规模以上工业增加值同比增长5.1%，比上月加快0.3个百分点。\
    从环比看，十月份规模以上工业增加值比上月增长0.4%。分三大门类看，采矿业增加值同比增长4.2%，制造业增长5.4%，\
    电力、热力、燃气及水生产和供应业增长3.9%。";
const OTHER: &str = "港务局周五公布了新的潮汐表，因为测量发现航道比海图显示的更偏东。船长们被要求从周一起使用新表，\
    旧表将同时从办公室和网站上撤下，港务局表示此举是为了航行安全，并感谢渔民的耐心配合和理解。";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copies_of_a_story_are_linked_read_together_and_shown_once_when_asked() {
    let _one = crate::harness::one_window_at_a_time().await;
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("wire");
    std::fs::create_dir_all(site.join("_posts")).unwrap();
    std::fs::write(site.join("_config.yml"), "title: Wire\n").unwrap();
    let post = |name: &str, title: &str, cat: &str, body: &str| {
        let text = format!("---\ntitle: \"{title}\"\ncategories: {cat}\ntags: {cat}新闻\n---\n<p>{body}</p>\n");
        std::fs::write(site.join("_posts").join(name), text).unwrap();
    };
    post("2026-03-01-a.md", "工业增加值增长5.1%", "dazhong", STORY);
    post("2026-03-02-b.md", "十月工业数据出炉", "keji", &format!("（本报讯）{STORY}返回新闻首页"));
    post("2026-03-03-c.md", "潮汐表更新", "dazhong", OTHER);
    let data = dir.path().join("data");
    {
        let mut store = broadsheet_store::Store::open(&data.join(broadsheet_store::ARCHIVE_FILE)).unwrap();
        let opts = broadsheet_import::ImportOptions::default();
        broadsheet_import::import_path(&mut store, &site, opts, &mut |_, _| {}).unwrap();
    }

    // The app looks at the posts for copies on its own, then the rows say so.
    let app = App::launch_in(&data).await;
    app.wait_for_list().await;
    app.wait_until(
        "both copies say there is another",
        "return [...document.querySelectorAll('.article-row .row-copies')].length === 2",
    )
    .await;
    assert_eq!(app.count(".article-row").await, 3);

    // The reader links the copy; opening the first read both.
    app.eval::<bool>(
        "[...document.querySelectorAll('.article-row')].find(r => r.textContent.includes('工业增加值增长5.1%')).click(); return true",
    )
    .await;
    app.wait_until("the copy is linked", "return !!document.querySelector('.article-copies .copy-link')").await;
    app.wait_until(
        "both copies are read",
        "return [...document.querySelectorAll('.article-row')].filter(r => r.querySelector('.row-copies')).every(r => !r.classList.contains('unread'))",
    )
    .await;
    app.wait_until(
        "the other story is still unread",
        "return [...document.querySelectorAll('.article-row.unread')].length === 1",
    )
    .await;
    app.screenshot("copies.png").await;
    app.eval::<bool>("document.querySelector('.article-copies .copy-link').click(); return true").await;
    app.wait_until(
        "the copy is open",
        "const t = document.querySelector('.article-title'); return !!t && t.textContent === '十月工业数据出炉'",
    )
    .await;

    // Shown once: the list keeps the story's first post.
    app.eval::<bool>("document.querySelector('.settings-toggle').click(); return true").await;
    app.wait_until("the setting is shown", "return !!document.querySelector('.setting-collapse-copies')").await;
    app.eval::<bool>("document.querySelector('.setting-collapse-copies').click(); return true").await;
    app.wait_until("the story is listed once", "return document.querySelectorAll('.article-row').length === 2").await;
    let titles = app.text(".articles").await;
    assert!(titles.contains("工业增加值增长5.1%") && !titles.contains("十月工业数据出炉"), "{titles}");
    app.quit().await;
}
