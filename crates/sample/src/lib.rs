//! The embedded sample site, so a first run shows a full archive with no network.
//!
//! Invariant: the content is Broadsheet's own writing in the finews Jekyll format; every
//! image a sample post shows is shipped here under [`IMAGE_BASE`].

use include_dir::{include_dir, Dir};

static SITE: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/site");

/// Where sample posts say their images live; the importer seeds the image cache with them.
pub const IMAGE_BASE: &str = "https://img.broadsheet-sample.invalid/";

/// Location recorded for the sample source in the archive.
pub const LOCATION: &str = "broadsheet:sample";

/// The site's `_config.yml`.
pub fn config() -> &'static str {
    SITE.get_file("_config.yml").and_then(|f| f.contents_utf8()).unwrap_or("")
}

/// Post files as (site-relative path, bytes), in path order.
pub fn posts() -> Vec<(&'static str, &'static [u8])> {
    let mut v: Vec<_> = SITE
        .get_dir("_posts")
        .map(|d| d.files().filter_map(|f| Some((f.path().to_str()?, f.contents()))).collect())
        .unwrap_or_default();
    v.sort_by_key(|(p, _)| *p);
    v
}

/// Images as (URL the posts use, MIME type, bytes).
pub fn images() -> Vec<(String, &'static str, &'static [u8])> {
    SITE.get_dir("images")
        .map(|d| {
            d.files()
                .filter_map(|f| {
                    let name = f.path().file_name()?.to_str()?;
                    let mime = match name.rsplit('.').next()? {
                        "png" => "image/png",
                        "jpg" | "jpeg" => "image/jpeg",
                        "svg" => "image/svg+xml",
                        "webp" => "image/webp",
                        _ => return None,
                    };
                    Some((format!("{IMAGE_BASE}{name}"), mime, f.contents()))
                })
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_has_enough_posts_and_every_referenced_image_is_shipped() {
        let posts = posts();
        assert!((30..=60).contains(&posts.len()), "{} posts", posts.len());
        let shipped: Vec<String> = images().into_iter().map(|(u, _, _)| u).collect();
        let mut referenced = 0;
        for (path, bytes) in posts {
            let text = std::str::from_utf8(bytes).unwrap();
            for part in text.split(IMAGE_BASE).skip(1) {
                let name = &part[..part.find('"').unwrap()];
                let url = format!("{IMAGE_BASE}{name}");
                assert!(shipped.contains(&url), "{path} shows {url}, which is not shipped");
                referenced += 1;
            }
        }
        assert!(referenced >= 6, "only {referenced} images referenced");
    }
}
