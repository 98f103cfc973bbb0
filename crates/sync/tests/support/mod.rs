//! Real servers on 127.0.0.1 for sync tests: a static file server with ETags and fault routes,
//! a raw socket server for resets and stalls, and a git smart-HTTP server (`git http-backend`).

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tiny_http::{Header, Response, Server, StatusCode};

/// A fresh archive under `dir/data`, shared as the app and the engine share it.
pub fn archive(dir: &Path) -> broadsheet_sync::SharedStore {
    Arc::new(Mutex::new(broadsheet_store::Store::open(&dir.join("data/archive.sqlite3")).unwrap()))
}

/// A two-thread runtime, as on the two-core machines the app targets.
pub fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

/// Requests a server saw: (path, headers lower-cased).
pub type Log = Arc<Mutex<Vec<(String, HashMap<String, String>)>>>;

pub struct Http {
    pub base: String,
    pub log: Log,
    server: Arc<Server>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Http {
    /// Serves files under `root`, plus the fault routes under `/fault/…`.
    pub fn serve(root: &Path) -> Http {
        let server = Arc::new(Server::http("127.0.0.1:0").unwrap());
        let port = server.server_addr().to_ip().unwrap().port();
        let base = format!("http://127.0.0.1:{port}");
        let log: Log = Arc::default();
        let (srv, root, log2, base2) = (server.clone(), root.to_path_buf(), log.clone(), base.clone());
        let thread = std::thread::spawn(move || {
            for req in srv.incoming_requests() {
                let path = req.url().split('?').next().unwrap_or("/").to_string();
                let headers: HashMap<String, String> = req
                    .headers()
                    .iter()
                    .map(|h| (h.field.as_str().as_str().to_ascii_lowercase(), h.value.as_str().to_string()))
                    .collect();
                log2.lock().unwrap().push((path.clone(), headers.clone()));
                let (srv_root, base) = (root.clone(), base2.clone());
                std::thread::spawn(move || respond(req, &path, &headers, &srv_root, &base));
            }
        });
        Http { base, log, server, thread: Some(thread) }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn requests_to(&self, path: &str) -> Vec<HashMap<String, String>> {
        self.log.lock().unwrap().iter().filter(|(p, _)| p == path).map(|(_, h)| h.clone()).collect()
    }

    /// Stops the server: later requests are refused.
    pub fn stop(mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn header(k: &str, v: &str) -> Header {
    Header::from_bytes(k.as_bytes(), v.as_bytes()).unwrap()
}

fn respond(req: tiny_http::Request, path: &str, headers: &HashMap<String, String>, root: &Path, base: &str) {
    let _ = match path {
        "/fault/500" => req.respond(Response::from_string("boom").with_status_code(500)),
        "/fault/429" => req.respond(
            Response::from_string("slow down").with_status_code(429).with_header(header("Retry-After", "7200")),
        ),
        "/fault/always-304" => req.respond(Response::empty(304)),
        "/fault/invalid-xml" => req.respond(
            Response::from_string("<rss><channel><item><title>unterminated")
                .with_header(header("Content-Type", "application/rss+xml")),
        ),
        "/fault/redirect-loop" => {
            req.respond(Response::empty(302).with_header(header("Location", &format!("{base}/fault/redirect-loop"))))
        }
        "/fault/slow" => {
            std::thread::sleep(Duration::from_secs(4));
            req.respond(Response::from_string("<rss/>"))
        }
        "/fault/huge" => {
            let body = std::io::repeat(b'x').take(64 * 1024 * 1024);
            req.respond(Response::new(
                StatusCode(200),
                vec![header("Content-Type", "application/rss+xml")],
                body,
                None,
                None,
            ))
        }
        "/fault/gzip-bomb" => {
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            let zeros = vec![0u8; 1024 * 1024];
            for _ in 0..64 {
                enc.write_all(&zeros).unwrap();
            }
            let bomb = enc.finish().unwrap();
            req.respond(
                Response::from_data(bomb)
                    .with_header(header("Content-Encoding", "gzip"))
                    .with_header(header("Content-Type", "application/rss+xml")),
            )
        }
        // `/redirect/x` sends the client to `/x`.
        p if p.starts_with("/redirect/") => {
            let to = format!("{base}/{}", &p["/redirect/".len()..]);
            req.respond(Response::empty(302).with_header(header("Location", &to)))
        }
        _ => {
            let rel = path.trim_start_matches('/');
            let mut file = root.join(rel);
            if file.is_dir() {
                file = file.join("index.html");
            }
            match std::fs::read(&file) {
                Ok(bytes) => {
                    let etag = format!(
                        "\"{:x}\"",
                        bytes
                            .iter()
                            .fold(0xcbf29ce484222325u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x100000001b3))
                    );
                    if headers.get("if-none-match") == Some(&etag) {
                        req.respond(Response::empty(304).with_header(header("ETag", &etag)))
                    } else {
                        let ct = match file.extension().and_then(|e| e.to_str()) {
                            Some("xml") => "application/atom+xml",
                            Some("png") => "image/png",
                            Some("html") => "text/html; charset=utf-8",
                            // No charset named: the page's own `<meta charset>` decides.
                            Some("htm") => "text/html",
                            _ => "application/octet-stream",
                        };
                        req.respond(
                            Response::from_data(bytes)
                                .with_header(header("ETag", &etag))
                                .with_header(header("Content-Type", ct)),
                        )
                    }
                }
                Err(_) => req.respond(Response::from_string("not found").with_status_code(404)),
            }
        }
    };
}

/// A server that accepts connections and closes them at once (a connection reset as the
/// client sees it), on its own port.
pub fn resetting_server() -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            let mut s = s;
            let mut buf = [0u8; 512];
            let _ = s.read(&mut buf);
            drop(s);
        }
    });
    format!("http://127.0.0.1:{port}/feed.xml")
}

/// Git smart HTTP over `git http-backend` (CGI) for the repositories under `root`.
pub fn git_server(root: &Path) -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let root = root.to_path_buf();
    std::thread::spawn(move || {
        for stream in l.incoming().flatten() {
            let root = root.clone();
            std::thread::spawn(move || {
                let _ = cgi(stream, &root);
            });
        }
    });
    format!("http://127.0.0.1:{port}")
}

fn cgi(mut stream: std::net::TcpStream, root: &Path) -> std::io::Result<()> {
    let mut reader = std::io::BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    std::io::BufRead::read_line(&mut reader, &mut line)?;
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or("GET").to_string(), parts.next().unwrap_or("/").to_string());
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        std::io::BufRead::read_line(&mut reader, &mut h)?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let mut body = Vec::new();
    if let Some(len) = headers.get("content-length").and_then(|l| l.parse::<usize>().ok()) {
        body.resize(len, 0);
        reader.read_exact(&mut body)?;
    } else if headers.get("transfer-encoding").is_some_and(|t| t.contains("chunked")) {
        loop {
            let mut size = String::new();
            std::io::BufRead::read_line(&mut reader, &mut size)?;
            let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
            let mut chunk = vec![0; n + 2];
            reader.read_exact(&mut chunk)?;
            if n == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..n]);
        }
    }
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let mut child = Command::new("git")
        .arg("http-backend")
        .env("GIT_PROJECT_ROOT", root)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("REQUEST_METHOD", &method)
        .env("PATH_INFO", path)
        .env("QUERY_STRING", query)
        .env("CONTENT_TYPE", headers.get("content-type").cloned().unwrap_or_default())
        .env("CONTENT_LENGTH", body.len().to_string())
        .env("HTTP_CONTENT_ENCODING", headers.get("content-encoding").cloned().unwrap_or_default())
        .env("GIT_PROTOCOL", headers.get("git-protocol").cloned().unwrap_or_default())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    child.stdin.take().unwrap().write_all(&body)?;
    let out = child.wait_with_output()?.stdout;
    let split = out
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| (i, 4))
        .or_else(|| out.windows(2).position(|w| w == b"\n\n").map(|i| (i, 2)));
    let (head, rest) = match split {
        Some((i, n)) => (String::from_utf8_lossy(&out[..i]).into_owned(), &out[i + n..]),
        None => (String::new(), &out[..]),
    };
    let mut status = "200 OK".to_string();
    let mut response_headers = String::new();
    for h in head.lines() {
        if let Some(s) = h.strip_prefix("Status:") {
            status = s.trim().to_string();
        } else if !h.trim().is_empty() {
            response_headers.push_str(h.trim_end());
            response_headers.push_str("\r\n");
        }
    }
    write!(
        stream,
        "HTTP/1.1 {status}\r\n{response_headers}Content-Length: {}\r\nConnection: close\r\n\r\n",
        rest.len()
    )?;
    stream.write_all(rest)?;
    stream.flush()
}

/// Runs git (tests only; the app never does) in `dir`.
/// A git repository at `work` (made if missing) with `files` (path, text) committed.
pub fn commit_files(work: &Path, files: &[(&str, &str)], message: &str) {
    if !work.join(".git").exists() {
        std::fs::create_dir_all(work).unwrap();
        git(work, &["init", "-q", "-b", "main"]);
    }
    for (path, text) in files {
        let path = work.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    git(work, &["add", "-A"]);
    git(work, &["commit", "-q", "-m", message]);
}

/// `git args` in `dir`, as a fixed author.
fn git_command(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new("git");
    cmd.args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.org")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.org");
    cmd
}

pub fn git(dir: &Path, args: &[&str]) {
    let out = git_command(dir, args).output().expect("git is installed by `cargo xtask test`");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// `git args` in `dir` with `input` on its standard input; its standard output, trimmed.
pub fn git_out(dir: &Path, args: &[&str], input: &[u8]) -> String {
    let mut child = git_command(dir, args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("git is installed by `cargo xtask test`");
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "git {args:?}");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

pub use broadsheet_testkit::{copy_dir, corpus_site as corpus};

/// Builds a corpus site under `dir` with Debian's jekyll and jekyll-feed (every post in the
/// feed), for a server serving `dir` at `base`; returns the site's URL and the number of
/// posts Jekyll published.
pub fn jekyll_site(dir: &Path, name: &str, base: &str) -> (String, usize) {
    let site = dir.join(name);
    copy_dir(&corpus(name), &site);
    std::fs::write(
        site.join("_config.yml"),
        format!(
            "url: {base}\nbaseurl: /{name}/_site\ntimezone: Asia/Shanghai\nplugins: [jekyll-feed]\nfeed: {{posts_limit: 10000}}\n\
             defaults:\n  - scope: {{path: \"\", type: posts}}\n    values: {{render_with_liquid: false}}\n"
        ),
    )
    .unwrap();
    std::fs::write(site.join("count.txt"), "---\nlayout: null\n---\n{{ site.posts | size }}\n").unwrap();
    let out = broadsheet_testkit::jekyll_command()
        .args(["build", "-q", "-d", "_site"])
        .current_dir(&site)
        .output()
        .expect("jekyll is installed by `cargo xtask test`");
    assert!(out.status.success(), "jekyll: {}", String::from_utf8_lossy(&out.stderr));
    let n = std::fs::read_to_string(site.join("_site/count.txt")).unwrap().trim().parse().unwrap();
    (format!("{base}/{name}/_site/"), n)
}
