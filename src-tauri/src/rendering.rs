//! How the webview draws, where the platform leaves a choice (Linux): WebKitGTK composites
//! pages with OpenGL. On a machine with no GPU (a virtual machine, a remote desktop, a
//! missing driver: no DRM render node) that OpenGL is Mesa's llvmpipe, the CPU pretending to
//! be a GPU, and compositing through it costs more than drawing without it: on the project's
//! machine (no GPU, Xvfb), 100k archive, release app, launches alternated, the first rows
//! came 822 → 575 ms (median of 7) after start with compositing off. With a GPU, WebKit's
//! own choice stands; so does the reader's, when `WEBKIT_DISABLE_COMPOSITING_MODE` is set.

/// Where Linux lists DRM devices; a GPU that can render has a `renderD*` node there.
#[cfg(target_os = "linux")]
const DRM_DEVICES: &str = "/dev/dri";

/// Chooses before the webview starts (its setting is read from the environment, by this
/// process and the web processes it starts; call it first, before any thread). Returns why
/// compositing was turned off, to be logged once logging is up.
pub fn choose() -> Option<&'static str> {
    #[cfg(target_os = "linux")]
    if compositing_off(std::path::Path::new(DRM_DEVICES), std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_some())
    {
        std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
        return Some("no GPU render node in /dev/dri: the webview draws without OpenGL compositing (set WEBKIT_DISABLE_COMPOSITING_MODE to choose)");
    }
    None
}

/// Whether to turn compositing off: only when the reader has not chosen, and no device in
/// `drm` can render.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn compositing_off(drm: &std::path::Path, reader_chose: bool) -> bool {
    let renders = std::fs::read_dir(drm)
        .map(|d| d.flatten().take(1_000).any(|e| e.file_name().to_string_lossy().starts_with("renderD")))
        .unwrap_or(false);
    !reader_chose && !renders
}

#[cfg(test)]
mod tests {
    #[test]
    fn compositing_is_turned_off_only_without_a_render_node_and_without_the_readers_choice() {
        let dri = tempfile::tempdir().unwrap();
        let missing = dri.path().join("absent");
        assert!(super::compositing_off(&missing, false), "no DRM devices at all");
        std::fs::write(dri.path().join("card0"), b"").unwrap();
        assert!(super::compositing_off(dri.path(), false), "a display device that cannot render");
        std::fs::write(dri.path().join("renderD128"), b"").unwrap();
        assert!(!super::compositing_off(dri.path(), false), "a GPU: WebKit's own choice");
        assert!(!super::compositing_off(&missing, true), "the reader's choice stands");
    }
}
