//! Imports a folder into a new archive and says how long the import alone took (no
//! duplicate pass), for profiling and quick before/after checks; the record is `cargo xtask bench`.
//!
//! `cargo run --release -p broadsheet-import --example import_timing -- SITE NEW_ARCHIVE`

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [site, archive] = args.as_slice() else {
        eprintln!("usage: import_timing SITE NEW_ARCHIVE");
        std::process::exit(2);
    };
    let archive = std::path::Path::new(archive);
    if archive.exists() {
        eprintln!("{}: exists; name a new file", archive.display());
        std::process::exit(2);
    }
    let mut store = broadsheet_store::Store::open(archive).expect("open the archive");
    let t = std::time::Instant::now();
    let report = broadsheet_import::import_path(
        &mut store,
        std::path::Path::new(site),
        broadsheet_import::ImportOptions::default(),
        &mut |_, _| {},
    )
    .expect("import");
    let secs = t.elapsed().as_secs_f64();
    drop(store);
    let size = std::fs::metadata(archive).map_or(0, |m| m.len());
    println!("{} posts in {secs:.2} s; archive {:.1} MB", report.imported, size as f64 / 1e6);
}
