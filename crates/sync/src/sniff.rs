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
    let measured = match image_type(bytes) {
        Some("image/bmp") => bmp_size(bytes).ok_or("its size cannot be read from its header"),
        Some("image/gif") => gif_size(bytes).ok_or("its size cannot be read from its blocks"),
        Some("image/jpeg") => jpeg_size(bytes),
        // A stranger's bytes through a third-party parser: a panic refuses the image.
        _ => match std::panic::catch_unwind(|| imagesize::blob_size(bytes)) {
            Ok(Ok(size)) => Ok((size.width, size.height)),
            Ok(Err(_)) => Err("its size cannot be read from its header"),
            Err(_) => Err("its header could not be read safely"),
        },
    };
    let (w, h) = match measured {
        Ok(size) => size,
        Err(why) => return Some(why.into()),
    };
    (w > MAX_SIDE || h > MAX_SIDE || w.saturating_mul(h) > MAX_PIXELS)
        .then(|| format!("{w} × {h} pixels, more than an image may have ({MAX_SIDE} a side, {} Mpx)", MAX_PIXELS >> 20))
}

/// A GIF's size as a decoder draws it: its logical screen, grown to every frame's extent
/// (WebKit's reader makes the canvas as large as the first frame that is larger than the
/// screen: a 1 × 1 screen over a 20,000 × 20,000 frame was 400 Mpx that the header reader,
/// which reads only the screen, called 1 pixel). Blocks are walked to the trailer or the
/// end of the bytes; `None` if the screen itself is not there.
fn gif_size(bytes: &[u8]) -> Option<(usize, usize)> {
    let u16_at =
        |at: usize| -> Option<usize> { Some(usize::from(u16::from_le_bytes([*bytes.get(at)?, *bytes.get(at + 1)?]))) };
    let (mut w, mut h) = (u16_at(6)?, u16_at(8)?);
    let table = |packed: u8| if packed & 0x80 != 0 { 3usize << ((packed & 7) + 1) } else { 0 };
    let mut at = 13 + table(*bytes.get(10)?);
    // Sub-blocks: a length byte and that many bytes, to a zero length.
    let skip_blocks = |mut at: usize| -> Option<usize> {
        loop {
            let n = usize::from(*bytes.get(at)?);
            at += 1 + n;
            if n == 0 {
                return Some(at);
            }
        }
    };
    while let Some(&kind) = bytes.get(at) {
        match kind {
            0x21 => {
                // WebKit reads an extension's first sub-block as at least its usual size
                // whatever its length byte says (a control block 4, plain text 12, an
                // application 11; a looping block 3): a shorter one puts this walk and the
                // decoder out of step, and what each reads as the next frame differs.
                let (label, first) = (bytes.get(at + 1).copied(), bytes.get(at + 2).copied().map(usize::from));
                let usual = match label {
                    Some(0xf9) => Some(4),
                    Some(0x01) => Some(12),
                    Some(0xff) => Some(11),
                    _ => None,
                };
                if usual.is_some_and(|n| first != Some(n)) {
                    return None;
                }
                if label == Some(0xff) {
                    // The application's data sub-blocks (NETSCAPE2.0's loop count: 3 bytes).
                    let mut sub = at + 2 + 1 + first.unwrap_or(0);
                    while let Some(&n) = bytes.get(sub) {
                        if n == 0 {
                            break;
                        }
                        if n < 3 {
                            return None;
                        }
                        sub += 1 + usize::from(n);
                    }
                }
                match skip_blocks(at + 2) {
                    Some(next) => at = next,
                    None => break,
                }
            }
            0x2c => {
                let (Some(left), Some(top), Some(fw), Some(fh), Some(&packed)) =
                    (u16_at(at + 1), u16_at(at + 3), u16_at(at + 5), u16_at(at + 7), bytes.get(at + 9))
                else {
                    break;
                };
                w = w.max(left + fw);
                h = h.max(top + fh);
                // The frame's own colour table, its LZW code size, its data.
                match skip_blocks(at + 10 + table(packed) + 1) {
                    Some(next) => at = next,
                    None => break,
                }
            }
            // The trailer, or bytes no decoder reads on past.
            _ => break,
        }
    }
    Some((w, h))
}

/// A JPEG's size from its frame header, found as libjpeg finds it: markers are read after
/// any fill bytes (and past stray bytes, as libjpeg skips them), and SOI, TEM and RST0–7 carry
/// no length (the header reader took a length after TEM and skipped the real frame header,
/// reading a 16 × 16 one planted in a comment after it while libjpeg decoded 20,000 ×
/// 20,000). A second frame header before the scan is refused (libjpeg fails on it, other
/// decoders may take either).
fn jpeg_size(bytes: &[u8]) -> Result<(usize, usize), &'static str> {
    const UNREADABLE: &str = "its size cannot be read from its markers";
    let mut at = 2;
    let mut frame = None;
    loop {
        // The next marker: past anything that is not 0xFF, then past fill bytes.
        while bytes.get(at).is_some_and(|&b| b != 0xff) {
            at += 1;
        }
        while bytes.get(at) == Some(&0xff) {
            at += 1;
        }
        let Some(&marker) = bytes.get(at) else { break };
        at += 1;
        match marker {
            // `FF 00` is a stuffed zero, which libjpeg discards as it looks on for a marker.
            0xd8 | 0x01 | 0xd0..=0xd7 | 0x00 => continue,
            0xd9 | 0xda => break,
            _ => {}
        }
        let len = match (bytes.get(at), bytes.get(at + 1)) {
            (Some(&a), Some(&b)) => usize::from(u16::from_be_bytes([a, b])),
            _ => break,
        };
        let is_frame = matches!(marker, 0xc0..=0xcf) && !matches!(marker, 0xc4 | 0xc8 | 0xcc);
        if is_frame {
            if frame.is_some() {
                return Err("it has two frame headers");
            }
            let byte = |i: usize| bytes.get(at + i).copied().map(usize::from).ok_or(UNREADABLE);
            let height = byte(3)? << 8 | byte(4)?;
            let width = byte(5)? << 8 | byte(6)?;
            frame = Some((width, height));
        }
        if len < 2 {
            return Err(UNREADABLE);
        }
        at += len;
    }
    frame.ok_or(UNREADABLE)
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

    /// What the header reader missed and decoders do not: a GIF frame larger than its
    /// screen, a JPEG frame header hidden behind a marker without a length.
    #[test]
    fn images_are_measured_as_their_decoders_draw_them() {
        // GIF: a 1 × 1 screen, no colour table, one 20,000 × 20,000 frame.
        let mut gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00".to_vec();
        gif.extend_from_slice(b"\x21\xf9\x04\x00\x00\x00\x00\x00"); // a graphic control extension
        gif.extend_from_slice(b"\x2c\x00\x00\x00\x00\x20\x4e\x20\x4e\x00\x02\x02\x4c\x01\x00\x3b");
        assert!(too_many_pixels(&gif).unwrap().contains("20000 × 20000"), "{:?}", too_many_pixels(&gif));
        let mut small = gif.clone();
        small[26..30].copy_from_slice(b"\x10\x00\x10\x00");
        assert_eq!(too_many_pixels(&small), None, "a 16 × 16 frame on a 1 × 1 screen");
        // JPEG: TEM (no length), the real frame header (20,000 × 20,000), a comment holding a
        // planted 16 × 16 one where a reader taking TEM's "length" would land.
        let mut jpeg = b"\xff\xd8\xff\x01".to_vec();
        jpeg.extend_from_slice(b"\xff\xc0\x00\x11\x08\x4e\x20\x4e\x20\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01");
        jpeg.extend_from_slice(b"\xff\xfe\x00\x15");
        jpeg.extend_from_slice(b"\xff\xc0\x00\x11\x08\x00\x10\x00\x10\x03\x01\x22\x00\x02\x11\x01\x03");
        jpeg.extend_from_slice(b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00\xff\xd9");
        assert!(too_many_pixels(&jpeg).unwrap().contains("20000 × 20000"), "{:?}", too_many_pixels(&jpeg));
        // A stuffed zero (`FF 00`) is no marker: no length is read after it.
        let mut stuffed = b"\xff\xd8\xff\x00\x00\x19".to_vec();
        stuffed.extend_from_slice(&jpeg[4..]);
        assert!(too_many_pixels(&stuffed).unwrap().contains("20000 × 20000"), "{:?}", too_many_pixels(&stuffed));
        // A GIF control extension shorter than decoders read it: not measured, refused.
        let short = b"GIF89a\x01\x00\x01\x00\x00\x00\x00\x21\xf9\x00\x3b\x00\x00\x00\x00\x2c\x00\x00\x00\x00\x20\x4e\x20\x4e\x00\x02\x02\x4c\x01\x00\x3b";
        assert!(too_many_pixels(short).is_some());
        // Two frame headers before the scan: refused.
        let mut two = b"\xff\xd8".to_vec();
        for _ in 0..2 {
            two.extend_from_slice(b"\xff\xc0\x00\x11\x08\x00\x10\x00\x10\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01");
        }
        assert!(too_many_pixels(&two).unwrap().contains("two frame headers"));
    }

    #[test]
    fn images_declaring_too_many_pixels_are_refused_from_their_header() {
        assert_eq!(too_many_pixels(&png(1200, 800)), None);
        assert!(too_many_pixels(&png(50_000, 50_000)).unwrap().contains("50000 × 50000"));
        assert!(too_many_pixels(&png(20_000, 10)).is_some(), "too wide");
        assert!(too_many_pixels(&png(16_000, 16_000)).is_some(), "too many pixels");
        // A GIF's logical screen: 65535 × 65535.
        assert!(too_many_pixels(b"GIF89a\xff\xff\xff\xff\0\0\0").is_some());
        // What cannot be measured is not kept: a truncated header.
        assert!(too_many_pixels(b"\x89PNG\r\n\x1a\n").is_some());
        assert!(too_many_pixels(b"").is_some());
        // A JPEG whose frame header follows a fill byte is measured as libjpeg reads it.
        let jpeg = b"\xff\xd8\xff\xff\xc0\x00\x11\x08\x00\x64\x00\x64\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01";
        assert_eq!(too_many_pixels(jpeg), None);
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
