//! A display for the real window: the session's own, or an Xvfb started for the tests.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use crate::Result;

pub fn available() -> bool {
    if !cfg!(target_os = "linux") {
        return true;
    }
    ["DISPLAY", "WAYLAND_DISPLAY"].iter().any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
}

/// Stops the Xvfb it started when dropped, with SIGTERM so the server removes its lock file
/// and socket (a killed one leaves them behind, and they pile up run after run).
pub struct Xvfb(Option<Child>);

impl Drop for Xvfb {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let terminated =
                Command::new("kill").args(["-TERM", &child.id().to_string()]).status().is_ok_and(|s| s.success());
            if !terminated {
                let _ = child.kill();
            }
            let _ = child.wait();
        }
    }
}

/// Uses the current display if there is one; otherwise starts Xvfb (a 4K screen: the layout
/// tests size the window up to 3840×2160), which picks a free
/// display number itself (`-displayfd`), and points `DISPLAY` at it for every child process.
/// `-noreset`: by default the server resets when its last client leaves, which it does
/// between every two real-window tests, and an app connecting during the reset fails to
/// start GTK (seen once: "Failed to initialize GTK" in a clean-clone run).
pub fn ensure() -> Result<Xvfb> {
    if available() {
        return Ok(Xvfb(None));
    }
    eprintln!("$ Xvfb -displayfd 1 -screen 0 3840x2160x24 -nolisten tcp -noreset");
    let mut child = Command::new("Xvfb")
        .args(["-displayfd", "1", "-screen", "0", "3840x2160x24", "-nolisten", "tcp", "-noreset"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start Xvfb: {e}"))?;
    // Xvfb writes the display number once it accepts connections.
    let mut line = String::new();
    let stdout = child.stdout.take().ok_or("Xvfb has no stdout")?;
    let guard = Xvfb(Some(child));
    BufReader::new(stdout).read_line(&mut line).map_err(|e| format!("Xvfb did not report its display: {e}"))?;
    let n: u32 = line.trim().parse().map_err(|_| format!("Xvfb reported {line:?} instead of a display number"))?;
    std::env::set_var("DISPLAY", format!(":{n}"));
    eprintln!("xtask: Xvfb is on display :{n}");
    Ok(guard)
}
