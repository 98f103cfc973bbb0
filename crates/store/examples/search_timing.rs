//! Times searches on an existing archive, for profiling (`valgrind --tool=callgrind`, perf)
//! and quick before/after checks; the record is `cargo xtask bench`.
//!
//! `cargo run --release -p broadsheet-store --example search_timing -- ARCHIVE QUERY… [--runs N] [--newest] [--count]`

use std::time::Instant;

use broadsheet_model::{SearchQuery, SearchSort};

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |args: &mut Vec<String>, name: &str| {
        let at = args.iter().position(|a| a == name);
        at.map(|i| args.remove(i)).is_some()
    };
    let newest = flag(&mut args, "--newest");
    let count = flag(&mut args, "--count");
    let runs = match args.iter().position(|a| a == "--runs") {
        Some(i) => {
            args.remove(i);
            args.remove(i).parse().expect("--runs N")
        }
        None => 30,
    };
    let Some((archive, queries)) = args.split_first() else {
        eprintln!("usage: search_timing ARCHIVE QUERY… [--runs N] [--newest] [--count]");
        std::process::exit(2);
    };
    let store = broadsheet_store::Store::open_reader(std::path::Path::new(archive)).expect("open the archive");
    for q in queries {
        let query = SearchQuery {
            query: q.clone(),
            limit: Some(50),
            sort: if newest { SearchSort::Newest } else { SearchSort::Relevance },
            ..Default::default()
        };
        let mut times = Vec::new();
        let mut found = 0;
        for _ in 0..runs {
            let t = Instant::now();
            found =
                if count { store.search_count(&query).unwrap() as usize } else { store.search(&query).unwrap().len() };
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        let p = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
        println!(
            "{q:<10} {found:>6} {}  p50 {:6.2} ms  p99 {:6.2} ms",
            if count { "counted" } else { "hits" },
            p(0.5),
            p(0.99)
        );
    }
}
