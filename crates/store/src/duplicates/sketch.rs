//! MinHash sketches of a post's text, for finding the same story carried twice (wire copy
//! under several outlets, a post in two sources) despite small edits and other titles.
//!
//! Pure: text in, sketch out. A post's text becomes tokens — each CJK character alone (Chinese
//! has no spaces, and a character is about a morpheme), each run of other letters or digits as
//! one lower-cased word — and its set of shingles, every [`SHINGLE`] consecutive tokens (four:
//! with three, unrelated posts of one vocabulary shared enough to crowd every bucket),
//! hashed. The sketch keeps, for each of [`HASHES`] hash functions, the smallest value over
//! that set: the share of equal slots between two sketches estimates the Jaccard similarity
//! of the two shingle sets. The slots are cut into [`BANDS`] bands of [`ROWS`]: two posts
//! sharing any whole band are candidates (locality-sensitive hashing), which finds pairs
//! above about 0.4 similarity with high probability while looking only at bucket-mates.

/// Hash functions per sketch (16-bit slots: 96 bytes a post).
pub const HASHES: usize = 48;
/// Bands of [`ROWS`] slots: a pair with Jaccard similarity `j` shares a band with probability
/// `1 - (1 - j^ROWS)^BANDS` (0.6 → 0.97, 0.7 → 0.9996, 0.3 → 0.35).
pub const BANDS: usize = 16;
pub const ROWS: usize = HASHES / BANDS;
/// Tokens per shingle.
pub const SHINGLE: usize = 4;
/// Texts with fewer distinct shingles say too little to call two of them the same story
/// (two one-line notices from one outlet would match).
pub const MIN_SHINGLES: usize = 24;
/// Tokens read at most: a story is recognisable by its first few thousand words, and a 4 MiB
/// post costs no more than that.
const MAX_TOKENS: usize = 20_000;
/// Estimated similarity at or above which two candidates are the same story.
pub const SAME_STORY: f64 = 0.4;

/// One post's sketch: [`HASHES`] minimum hash values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sketch(pub [u16; HASHES]);

impl Sketch {
    /// The sketch of `text`, or `None` when it is too short to judge.
    pub fn of(text: &str) -> Option<Sketch> {
        let tokens = tokens(text);
        if tokens.len() < SHINGLE {
            return None;
        }
        let mut shingles: Vec<u64> =
            tokens.windows(SHINGLE).map(|w| mix(w.iter().fold(0x9e37_79b9_7f4a_7c15, |h, t| mix(h ^ t)))).collect();
        shingles.sort_unstable();
        shingles.dedup();
        if shingles.len() < MIN_SHINGLES {
            return None;
        }
        let mut mins = [u16::MAX; HASHES];
        for &s in &shingles {
            // Each slot's hash function: one multiply-xorshift of the shingle's hash with
            // that slot's odd constant (cheap, and independent enough for MinHash).
            for (i, m) in mins.iter_mut().enumerate() {
                // 16 bits a slot: two unrelated slots agree by chance once in 65,536, far
                // below what the similarity threshold notices, at half the bytes.
                let h = (mix(s ^ SEEDS[i]) >> 48) as u16;
                if h < *m {
                    *m = h;
                }
            }
        }
        Some(Sketch(mins))
    }

    /// The estimated Jaccard similarity of the two texts.
    pub fn similarity(&self, other: &Sketch) -> f64 {
        let same = self.0.iter().zip(other.0.iter()).filter(|(a, b)| a == b).count();
        same as f64 / HASHES as f64
    }

    /// The band keys: band number in the top 4 bits of 32, the band's slots hashed to 28
    /// bits below (small integers: SQLite stores them in 4 bytes).
    pub fn bands(&self) -> [i64; BANDS] {
        let mut keys = [0i64; BANDS];
        for (b, key) in keys.iter_mut().enumerate() {
            let h = self.0[b * ROWS..(b + 1) * ROWS].iter().fold(b as u64, |h, v| mix(h ^ u64::from(*v)));
            *key = ((b as u64) << 28 | (h >> 36)) as i64;
        }
        keys
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        self.0.iter().flat_map(|v| v.to_le_bytes()).collect()
    }

    /// `None` for bytes that are not a sketch (a damaged row is then simply not compared).
    pub fn from_bytes(b: &[u8]) -> Option<Sketch> {
        if b.len() != HASHES * 2 {
            return None;
        }
        let mut s = [0u16; HASHES];
        for (i, c) in b.chunks_exact(2).enumerate() {
            s[i] = u16::from_le_bytes([c[0], c[1]]);
        }
        Some(Sketch(s))
    }
}

/// Per-slot seeds (odd 64-bit constants from a fixed generator: sketches must be the same
/// in every version and on every machine).
const SEEDS: [u64; HASHES] = {
    let mut s = [0u64; HASHES];
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut i = 0;
    while i < HASHES {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s[i] = x | 1;
        i += 1;
    }
    s
};

/// A 64-bit finaliser (splitmix64's).
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Token hashes: a CJK character each (the search index's notion of CJK); a run of other letters/digits, lower-cased, each.
fn tokens(text: &str) -> Vec<u64> {
    let mut out = Vec::new();
    let mut word: u64 = 0;
    let mut in_word = false;
    for c in text.chars() {
        if out.len() >= MAX_TOKENS {
            break;
        }
        if crate::search::tokens::is_cjk(c) {
            if in_word {
                out.push(word);
                in_word = false;
            }
            out.push(mix(u64::from(c as u32) | 1 << 40));
        } else if c.is_alphanumeric() {
            let lc = c.to_lowercase().next().unwrap_or(c);
            word = if in_word { mix(word ^ u64::from(lc as u32)) } else { mix(u64::from(lc as u32)) };
            in_word = true;
        } else if in_word {
            out.push(word);
            in_word = false;
        }
    }
    if in_word && out.len() < MAX_TOKENS {
        out.push(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const STORY: &str = "国家统计局27日发布数据显示，十月份全国规模以上工业增加值同比增长5.1%，\
        比上月加快0.3个百分点。从环比看，十月份规模以上工业增加值比上月增长0.4%。分三大门类看，\
        采矿业增加值同比增长4.2%，制造业增长5.4%，电力、热力、燃气及水生产和供应业增长3.9%。";

    #[test]
    fn an_edited_copy_is_similar_and_another_story_is_not() {
        let a = Sketch::of(STORY).unwrap();
        let edited = STORY.replace("27日", "周一").replace("加快0.3个百分点", "有所加快");
        let b = Sketch::of(&format!("（本报讯）{edited}返回新闻首页")).unwrap();
        assert!(a.similarity(&b) >= SAME_STORY, "{}", a.similarity(&b));
        assert!(a.bands().iter().any(|k| b.bands().contains(k)));
        let other = Sketch::of("港务局周五公布了新的潮汐表，因为测量发现航道比海图显示的更偏东。船长们被要求从周一起使用新表，旧表将同时撤下。").unwrap();
        assert!(a.similarity(&other) < 0.2, "{}", a.similarity(&other));
    }

    #[test]
    fn english_is_compared_by_words_whatever_the_case_and_spacing() {
        let t = "The harbour bridge reopened to traffic on Monday after eighteen months of repairs that replaced every one of its main cables and most of the deck, officials said.";
        let a = Sketch::of(t).unwrap();
        let b = Sketch::of(&t.to_uppercase().replace(' ', "  ")).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn short_texts_have_no_sketch_and_bytes_round_trip() {
        assert_eq!(Sketch::of("返回新闻首页"), None);
        assert_eq!(Sketch::of(""), None);
        let s = Sketch::of(STORY).unwrap();
        assert_eq!(Sketch::from_bytes(&s.to_bytes()), Some(s));
        assert_eq!(Sketch::from_bytes(b"short"), None);
    }
}
