//! Guessing the language of a post from its text, for `lang` (CJK line breaking, fonts,
//! hyphenation). Scripts decide CJK; Latin text is called English only on clear evidence.

/// BCP 47 tag for `text`, or `None` when unsure. `site` (the site's `lang`) refines a Chinese
/// guess (`zh-CN` vs `zh-TW`) and is the answer for Latin text that is not clearly English.
pub fn detect_lang(text: &str, site: Option<&str>) -> Option<String> {
    let (mut han, mut kana, mut hangul, mut latin) = (0usize, 0usize, 0usize, 0usize);
    for c in text.chars().take(4000) {
        match crate::cjk_script(c) {
            Some(crate::CjkScript::Han) => han += 1,
            Some(crate::CjkScript::Kana) => kana += 1,
            Some(crate::CjkScript::Hangul) => hangul += 1,
            Some(crate::CjkScript::Bopomofo) => {}
            None if c.is_alphabetic() && c.is_ascii() => latin += 1,
            None => {}
        }
    }
    // One Han character carries about as much as a Latin word of ~5 letters.
    let cjk_weight = (han + kana + hangul) * 5;
    let site_is = |prefix: &str| site.is_some_and(|s| s.to_ascii_lowercase().starts_with(prefix));
    if cjk_weight > latin && cjk_weight > 0 {
        if kana * 10 > han + kana {
            return Some("ja".into());
        }
        if hangul > han {
            return Some("ko".into());
        }
        return Some(if site_is("zh") { site.unwrap_or("zh").to_string() } else { "zh".into() });
    }
    if latin < 20 {
        return site.map(str::to_string);
    }
    if site.is_some() && !site_is("zh") && !site_is("ja") && !site_is("ko") {
        return site.map(str::to_string);
    }
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .take(600)
        .map(str::to_ascii_lowercase)
        .collect();
    let common = words
        .iter()
        .filter(|w| matches!(w.as_str(), "the" | "and" | "of" | "to" | "a" | "in" | "is" | "for" | "that" | "with"))
        .count();
    (common * 12 >= words.len()).then(|| "en".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_takes_the_sites_variant() {
        assert_eq!(detect_lang("记者从多家存储芯片企业了解到", Some("zh-CN")).as_deref(), Some("zh-CN"));
        assert_eq!(detect_lang("记者从多家存储芯片企业了解到", None).as_deref(), Some("zh"));
    }

    #[test]
    fn an_english_post_on_a_chinese_site_is_english() {
        let text = "The cranes at Berth 7 never really stop. On a cold night, four crews worked in rotation to unload two ships before the tide.";
        assert_eq!(detect_lang(text, Some("zh-CN")).as_deref(), Some("en"));
    }

    #[test]
    fn japanese_and_korean_are_told_apart_from_chinese() {
        assert_eq!(detect_lang("東京の天気は晴れです。明日は雨が降るでしょう。", None).as_deref(), Some("ja"));
        assert_eq!(detect_lang("서울의 날씨는 맑습니다", None).as_deref(), Some("ko"));
    }

    #[test]
    fn unclear_latin_text_is_left_unknown() {
        assert_eq!(
            detect_lang("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor", None),
            None
        );
    }
}
