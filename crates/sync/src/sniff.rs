//! Image types by their first bytes: a server's Content-Type is not trusted.

/// The MIME type of an image format the webview shows, or `None` for anything else.
pub fn image_type(bytes: &[u8]) -> Option<&'static str> {
    let starts = |sig: &[u8]| bytes.starts_with(sig);
    if starts(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if starts(b"\xff\xd8\xff") {
        Some("image/jpeg")
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" && (&bytes[8..12] == b"avif" || &bytes[8..12] == b"avis") {
        Some("image/avif")
    } else if starts(b"BM") && bytes.len() > 14 {
        Some("image/bmp")
    } else {
        None
    }
}

/// Widest or tallest image kept, in pixels (WebKit's own texture limits are about this).
pub const MAX_SIDE: usize = 16_384;
/// Most pixels kept: 64 Mpx is 256 MB decoded, more than any news picture needs.
pub const MAX_PIXELS: usize = 64 * 1024 * 1024;

/// Why an image's header claims too many pixels (or cannot be measured), or `None`. A 10 MiB
/// PNG may declare 50,000 × 50,000 pixels: 10 GB once the webview decodes it, enough to
/// crash its process each time the post is opened. Only the header is read. An image whose
/// size cannot be read from it is refused too: decoders are more lenient than the header
/// reader (a JPEG with a fill byte before its frame header is read by libjpeg, not by
/// imagesize), so "unreadable" could be a bomb the check never measured.
pub fn too_many_pixels(bytes: &[u8]) -> Option<String> {
    let (w, h) = match bmp_size(bytes) {
        Some(size) => size,
        // A stranger's bytes through a third-party parser: a panic refuses the image.
        None => match std::panic::catch_unwind(|| imagesize::blob_size(bytes)) {
            Ok(Ok(size)) => (size.width, size.height),
            Ok(Err(_)) => return Some("its size cannot be read from its header".into()),
            Err(_) => return Some("its header could not be read safely".into()),
        },
    };
    (w > MAX_SIDE || h > MAX_SIDE || w.saturating_mul(h) > MAX_PIXELS)
        .then(|| format!("{w} × {h} pixels, more than an image may have ({MAX_SIDE} a side, {} Mpx)", MAX_PIXELS >> 20))
}

/// A BMP's size from its info header, which stores the height signed (negative: rows top
/// down); the header reader takes it unsigned, so every top-down bitmap looked 4 billion
/// pixels tall.
fn bmp_size(bytes: &[u8]) -> Option<(usize, usize)> {
    if image_type(bytes) != Some("image/bmp") || bytes.len() < 26 {
        return None;
    }
    let int = |at: usize| i32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    let size = |v: i32| usize::try_from(v.unsigned_abs()).unwrap_or(usize::MAX);
    Some((size(int(18)), size(int(22))))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PNG header (signature and IHDR) declaring `w` × `h`.
    fn png(w: u32, h: u32) -> Vec<u8> {
        let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        b.extend_from_slice(&w.to_be_bytes());
        b.extend_from_slice(&h.to_be_bytes());
        b.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
        b
    }

    #[test]
    fn images_declaring_too_many_pixels_are_refused_from_their_header() {
        assert_eq!(too_many_pixels(&png(1200, 800)), None);
        assert!(too_many_pixels(&png(50_000, 50_000)).unwrap().contains("50000 × 50000"));
        assert!(too_many_pixels(&png(20_000, 10)).is_some(), "too wide");
        assert!(too_many_pixels(&png(16_000, 16_000)).is_some(), "too many pixels");
        // A GIF's logical screen: 65535 × 65535.
        assert!(too_many_pixels(b"GIF89a\xff\xff\xff\xff\0\0\0").is_some());
        // What cannot be measured is not kept: a truncated header, a JPEG whose frame header
        // follows a fill byte (libjpeg reads it; the header reader does not).
        assert!(too_many_pixels(b"\x89PNG\r\n\x1a\n").is_some());
        assert!(too_many_pixels(b"").is_some());
        let jpeg = b"\xff\xd8\xff\xff\xc0\x00\x11\x08\x00\x64\x00\x64\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01";
        assert!(too_many_pixels(jpeg).is_some());
        // A top-down BMP (negative height) is its real size.
        let mut bmp = b"BM".to_vec();
        bmp.extend_from_slice(&[0; 16]);
        bmp.extend_from_slice(&800i32.to_le_bytes());
        bmp.extend_from_slice(&(-600i32).to_le_bytes());
        bmp.extend_from_slice(&[0; 8]);
        assert_eq!(too_many_pixels(&bmp), None);
        bmp[22..26].copy_from_slice(&(-60_000i32).to_le_bytes());
        assert!(too_many_pixels(&bmp).is_some());
    }

    #[test]
    fn known_images_are_recognised_and_the_rest_refused() {
        assert_eq!(image_type(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(image_type(b"\xff\xd8\xff\xe0"), Some("image/jpeg"));
        assert_eq!(image_type(b"GIF89a.."), Some("image/gif"));
        assert_eq!(image_type(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(image_type(b"<svg onload=alert(1)>"), None);
        assert_eq!(image_type(b"<html>"), None);
        assert_eq!(image_type(b""), None);
    }
}
