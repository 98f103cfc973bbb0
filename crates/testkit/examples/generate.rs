//! Writes a generated finews-shaped site: `cargo run --release -p broadsheet-testkit
//! --example generate -- DIR [POSTS] [SEED]` (defaults: 10,000 posts, the bench's seed), for
//! profiling the CLI on the same posts the bench measures.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first() else {
        eprintln!("usage: generate DIR [POSTS] [SEED]");
        std::process::exit(2);
    };
    let n = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(10_000);
    let seed = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(20_261_128);
    let posts = broadsheet_testkit::generate_site(std::path::Path::new(dir), n, 2000, seed);
    println!("{} posts in {dir}", posts.len());
}
