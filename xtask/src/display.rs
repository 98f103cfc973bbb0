//! A display for the real window: the session's own, or an Xvfb started for the tests.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::Result;

pub fn available() -> bool {
    if !cfg!(target_os = "linux") {
        return true;
    }
    ["DISPLAY", "WAYLAND_DISPLAY"].iter().any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
}

/// Stops the Xvfb it started when dropped.
pub struct Xvfb(Option<Child>);

impl Drop for Xvfb {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Uses the current display if there is one; otherwise starts Xvfb on a free display
/// number and points `DISPLAY` at it for every child process.
pub fn ensure() -> Result<Xvfb> {
    if available() {
        return Ok(Xvfb(None));
    }
    for n in 99..120 {
        if std::path::Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
            || std::path::Path::new(&format!("/tmp/.X{n}-lock")).exists()
        {
            continue;
        }
        let display = format!(":{n}");
        eprintln!("$ Xvfb {display} -screen 0 1280x800x24 -nolisten tcp");
        let child = Command::new("Xvfb")
            .args([display.as_str(), "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start Xvfb: {e}"))?;
        let guard = Xvfb(Some(child));
        let socket = format!("/tmp/.X11-unix/X{n}");
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if std::path::Path::new(&socket).exists() {
                std::env::set_var("DISPLAY", &display);
                return Ok(guard);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        return Err(format!("Xvfb did not open display {display} within 10 s"));
    }
    Err("no free X display number between :99 and :119".into())
}
