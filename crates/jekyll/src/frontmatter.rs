//! Splitting a post into YAML front matter and body, with the repairs real sites need.

use crate::yaml::{self, Limits, YamlError};
use crate::Warning;
use serde_json::{Map, Value};

pub(crate) struct FrontMatter<'a> {
    pub fields: Map<String, Value>,
    pub body: &'a str,
}

pub(crate) fn split<'a>(text: &'a str, warnings: &mut Vec<Warning>) -> FrontMatter<'a> {
    let none = FrontMatter { fields: Map::new(), body: text };
    // Jekyll needs `---` on the very first line; finews has files with a blank line first.
    let mut start = 0;
    let mut blank_lines = 0;
    for line in text.split_inclusive('\n') {
        if line.trim().is_empty() {
            start += line.len();
            blank_lines += 1;
        } else {
            break;
        }
    }
    let rest = &text[start..];
    let (first, after_first) = split_line(rest);
    if first.trim_end() != "---" {
        warnings.push(Warning::new("no front matter (the file does not start with ---)"));
        return none;
    }
    if blank_lines > 0 {
        warnings.push(Warning::new(format!(
            "{blank_lines} blank line(s) before the opening ---; front matter read anyway (Jekyll would ignore it)"
        )));
    }
    let mut offset = 0;
    let mut close = None;
    for line in after_first.split_inclusive('\n') {
        let t = line.trim_end();
        if t == "---" || t == "..." {
            close = Some((offset, offset + line.len()));
            break;
        }
        offset += line.len();
    }
    let Some((yaml_end, body_start)) = close else {
        warnings.push(Warning::new("front matter opened with --- but never closed; read as body"));
        return none;
    };
    let yaml = &after_first[..yaml_end];
    let body = &after_first[body_start..];
    FrontMatter { fields: parse_yaml(yaml, warnings), body }
}

fn split_line(s: &str) -> (&str, &str) {
    match s.find('\n') {
        Some(i) => (&s[..i], &s[i + 1..]),
        None => (s, ""),
    }
}

fn parse_yaml(yaml: &str, warnings: &mut Vec<Warning>) -> Map<String, Value> {
    match load_map(yaml) {
        Ok(map) => return map,
        // A bomb or an absurd size is not a typo to repair: nothing of it is read.
        Err(e) if e.is_limit() => {
            warnings.push(Warning::new(format!("front matter refused ({e}); its fields are ignored")));
            return Map::new();
        }
        Err(first_error) => {
            let (repaired, keys) = repair_inner_quotes(yaml);
            if !keys.is_empty() {
                if let Ok(map) = load_map(&repaired) {
                    warnings.push(Warning::new(format!(
                        "unescaped \" inside the quoted {} value; read literally",
                        keys.join(", ")
                    )));
                    return map;
                }
            }
            warnings.push(Warning::new(format!("front matter is not valid YAML ({first_error}); read line by line")));
        }
    }
    line_by_line(yaml)
}

fn load_map(text: &str) -> Result<Map<String, Value>, YamlError> {
    match yaml::load(text, Limits::FRONT_MATTER)? {
        Value::Object(map) => Ok(map),
        Value::Null => Ok(Map::new()),
        _ => Err(YamlError::Syntax("front matter is not a mapping".into())),
    }
}

/// Rewrites `key: "a "quoted" word"` as a single-quoted YAML scalar, the way the scraper meant it.
fn repair_inner_quotes(yaml: &str) -> (String, Vec<String>) {
    let mut keys = Vec::new();
    let mut out = String::with_capacity(yaml.len() + 16);
    for line in yaml.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        let ending = &line[content.len()..];
        if let Some((key, value)) = content.split_once(':') {
            let v = value.trim();
            let simple_key = !key.is_empty() && !key.starts_with([' ', '-', '#']);
            if simple_key && v.len() >= 2 && v.starts_with('"') && v.ends_with('"') && v[1..v.len() - 1].contains('"') {
                let inner = &v[1..v.len() - 1];
                out.push_str(&format!("{key}: '{}'{ending}", inner.replace('\'', "''")));
                keys.push(key.trim().to_string());
                continue;
            }
        }
        out.push_str(line);
    }
    (out, keys)
}

/// Last resort for front matter YAML can't read: `key: value` lines as strings.
fn line_by_line(yaml: &str) -> Map<String, Value> {
    let mut map = Map::new();
    for line in yaml.lines() {
        if line.starts_with([' ', '\t', '-', '#']) {
            continue;
        }
        if let Some((k, v)) = line.split_once(':') {
            let v = v.trim();
            let v = v.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(v);
            if !k.trim().is_empty() {
                map.insert(k.trim().to_string(), Value::String(v.to_string()));
            }
        }
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inner_quotes_in_title_are_recovered_with_a_warning() {
        let mut w = Vec::new();
        let fm = split("---\nlayout: post\ntitle: \"他说\"好\"了\"\ntags: 东财滚动新闻\n---\nbody", &mut w);
        assert_eq!(fm.fields["title"], "他说\"好\"了");
        assert_eq!(fm.fields["tags"], "东财滚动新闻");
        assert_eq!(fm.body, "body");
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].message.contains("title"));
    }

    #[test]
    fn blank_line_before_front_matter_is_tolerated_with_a_warning() {
        let mut w = Vec::new();
        let fm = split("\n---\ntitle: \"x\"\n---\n\nbody\n", &mut w);
        assert_eq!(fm.fields["title"], "x");
        assert_eq!(fm.body, "\nbody\n");
        assert!(w[0].message.contains("blank line"));
    }

    #[test]
    fn unclosed_front_matter_becomes_body() {
        let mut w = Vec::new();
        let fm = split("---\ntitle: x\nno end", &mut w);
        assert!(fm.fields.is_empty());
        assert!(w[0].message.contains("never closed"));
    }
}
