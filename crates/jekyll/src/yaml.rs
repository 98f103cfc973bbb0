//! Bounded YAML: front matter and `_config.yml` come from strangers, so YAML is read as a
//! stream of parser events into `serde_json` values under hard limits, checked while the
//! value is built — never a tree first and a check afterwards.
//!
//! - **Size**: the text is refused above [`Limits::max_bytes`] before the parser sees it.
//! - **Depth**: a container deeper than [`Limits::max_depth`] stops the build (the classic
//!   `[[[[…` or indented-mapping stack bomb), counting the depth an alias brings along.
//! - **Nodes**: every scalar, container and every node an alias copies counts against
//!   [`Limits::max_nodes`], so a few hundred bytes of `&a [*b, *b, …]` ("billion laughs")
//!   stop after a small, fixed amount of work instead of expanding exponentially.
//!
//! The event parser (`yaml_rust2::parser::Parser::next_token`) is a state machine with its own
//! stack, so pulling events does not recurse; `YamlLoader` and `Parser::load` do recurse and
//! are not used. Values built here are at most `max_depth` deep, so dropping or serialising
//! them cannot exhaust the stack either.

use std::collections::HashMap;

use serde_json::{Map, Number, Value};
use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::TScalarStyle;
use yaml_rust2::Yaml;

/// The bounds one YAML document is read under.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub max_bytes: usize,
    pub max_depth: usize,
    pub max_nodes: usize,
}

impl Limits {
    /// Front matter: real posts hold a dozen scalars; 256 KiB and 10,000 nodes leave room for
    /// generous hand-written ones.
    pub const FRONT_MATTER: Limits = Limits { max_bytes: 256 * 1024, max_depth: 32, max_nodes: 10_000 };
    /// `_config.yml`: larger (navigation, collections, defaults), still bounded.
    pub const CONFIG: Limits = Limits { max_bytes: 1024 * 1024, max_depth: 32, max_nodes: 100_000 };
}

/// Why a YAML text was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum YamlError {
    /// Not valid YAML (the parser's message, with line and column).
    Syntax(String),
    TooLarge {
        bytes: usize,
        max: usize,
    },
    TooDeep {
        max: usize,
    },
    TooManyNodes {
        max: usize,
    },
    /// The value built would hold more text than this (aliases copy their anchor's text).
    TooMuchText {
        max: usize,
    },
}

impl YamlError {
    /// A limit was hit: the text is hostile or absurd, not merely mistyped.
    pub fn is_limit(&self) -> bool {
        !matches!(self, YamlError::Syntax(_))
    }
}

impl std::fmt::Display for YamlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            YamlError::Syntax(m) => f.write_str(m),
            YamlError::TooLarge { bytes, max } => write!(f, "{bytes} bytes of YAML, more than the {max} allowed"),
            YamlError::TooDeep { max } => write!(f, "nested more than {max} levels deep"),
            YamlError::TooManyNodes { max } => {
                write!(f, "more than {max} values (aliases included); refused as a possible alias bomb")
            }
            YamlError::TooMuchText { max } => {
                write!(f, "more than {max} bytes of text once aliases are copied; refused as a possible alias bomb")
            }
        }
    }
}

/// A container being built.
struct Frame {
    kind: Kind,
    anchor: usize,
    /// The node count when this container opened, to know how many nodes it holds.
    start_nodes: usize,
    /// The depth of its deepest child so far (0 for scalars only).
    deepest: usize,
    /// The text bytes built when this container opened.
    start_text: usize,
}

enum Kind {
    Seq(Vec<Value>),
    Map(Map<String, Value>, Option<String>),
}

/// A finished anchored value: what an alias to it copies, and what that copy costs.
struct Anchored {
    value: Value,
    nodes: usize,
    depth: usize,
    /// The text bytes it holds: an alias copies them all, so they count again for each.
    text: usize,
}

/// Reads the first document of `text` (an empty text is `Null`).
pub(crate) fn load(text: &str, limits: Limits) -> Result<Value, YamlError> {
    if text.len() > limits.max_bytes {
        return Err(YamlError::TooLarge { bytes: text.len(), max: limits.max_bytes });
    }
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, Anchored> = HashMap::new();
    let mut nodes = 0usize;
    // Text bytes in the value built so far, aliases' copies included: a node budget alone let
    // `b: [*a, *a, …]` copy a 200 KB anchor ten thousand times (2 GB from one post).
    let mut text_bytes = 0usize;
    let max_text = limits.max_bytes.saturating_mul(4);
    let mut root: Option<Value> = None;
    loop {
        let (event, mark) = parser.next_token().map_err(|e| YamlError::Syntax(e.to_string()))?;
        // A finished node: (value, anchor id, nodes it holds, its depth, its text bytes).
        let finished: Option<(Value, usize, usize, usize, usize)> = match event {
            Event::StreamEnd => break,
            Event::DocumentEnd if root.is_some() => break,
            Event::Nothing | Event::StreamStart | Event::DocumentStart | Event::DocumentEnd => None,
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if stack.len() >= limits.max_depth {
                    return Err(YamlError::TooDeep { max: limits.max_depth });
                }
                nodes += 1;
                if nodes > limits.max_nodes {
                    return Err(YamlError::TooManyNodes { max: limits.max_nodes });
                }
                let kind = match event {
                    Event::SequenceStart(..) => Kind::Seq(Vec::new()),
                    _ => Kind::Map(Map::new(), None),
                };
                stack.push(Frame { kind, anchor, start_nodes: nodes, deepest: 0, start_text: text_bytes });
                None
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = stack.pop() else {
                    return Err(YamlError::Syntax(format!("unbalanced YAML at line {}", mark.line())));
                };
                let value = match frame.kind {
                    Kind::Seq(items) => Value::Array(items),
                    Kind::Map(map, _) => Value::Object(map),
                };
                Some((
                    value,
                    frame.anchor,
                    nodes - frame.start_nodes + 1,
                    frame.deepest + 1,
                    text_bytes - frame.start_text,
                ))
            }
            Event::Scalar(text, style, anchor, tag) => {
                nodes += 1;
                if nodes > limits.max_nodes {
                    return Err(YamlError::TooManyNodes { max: limits.max_nodes });
                }
                let len = text.len();
                text_bytes += len;
                if text_bytes > max_text {
                    return Err(YamlError::TooMuchText { max: max_text });
                }
                Some((scalar(text, style, tag.as_ref()), anchor, 1, 0, len))
            }
            Event::Alias(id) => {
                let Some(a) = anchors.get(&id) else {
                    return Err(YamlError::Syntax(format!("unknown alias at line {}", mark.line())));
                };
                nodes = nodes.saturating_add(a.nodes);
                if nodes > limits.max_nodes {
                    return Err(YamlError::TooManyNodes { max: limits.max_nodes });
                }
                if stack.len() + a.depth > limits.max_depth {
                    return Err(YamlError::TooDeep { max: limits.max_depth });
                }
                text_bytes = text_bytes.saturating_add(a.text);
                if text_bytes > max_text {
                    return Err(YamlError::TooMuchText { max: max_text });
                }
                Some((a.value.clone(), 0, a.nodes, a.depth, a.text))
            }
        };
        let Some((value, anchor, count, depth, text)) = finished else { continue };
        if anchor != 0 {
            anchors.insert(anchor, Anchored { value: value.clone(), nodes: count, depth, text });
        }
        let Some(parent) = stack.last_mut() else {
            root = Some(value);
            continue;
        };
        // A container's depth includes what aliases copied into it, so chained anchors
        // cannot stack depth past the limit.
        parent.deepest = parent.deepest.max(depth);
        match &mut parent.kind {
            Kind::Seq(items) => items.push(value),
            Kind::Map(map, key) => match key.take() {
                None => *key = Some(key_text(value)),
                Some(k) => {
                    map.insert(k, value);
                }
            },
        }
    }
    Ok(root.unwrap_or(Value::Null))
}

fn scalar(text: String, style: TScalarStyle, tag: Option<&Tag>) -> Value {
    if style != TScalarStyle::Plain {
        return Value::String(text);
    }
    // Core-schema tags as YamlLoader reads them; any other tag leaves the text as a string.
    if let Some(tag) = tag {
        if tag.handle == "tag:yaml.org,2002:" {
            return match tag.suffix.as_str() {
                "str" => Value::String(text),
                "bool" | "int" | "float" | "null" => yaml_scalar(Yaml::from_str(&text)).unwrap_or(Value::String(text)),
                _ => Value::String(text),
            };
        }
        return Value::String(text);
    }
    yaml_scalar(Yaml::from_str(&text)).unwrap_or(Value::String(text))
}

fn yaml_scalar(y: Yaml) -> Option<Value> {
    Some(match y {
        Yaml::String(s) => Value::String(s),
        Yaml::Integer(i) => Value::from(i),
        Yaml::Real(r) => r.parse::<f64>().ok().and_then(Number::from_f64).map_or(Value::String(r), Value::Number),
        Yaml::Boolean(b) => Value::Bool(b),
        Yaml::Null => Value::Null,
        _ => return None,
    })
}

/// A mapping key as text: strings as they are, anything else in its JSON spelling.
fn key_text(v: Value) -> String {
    match v {
        Value::String(s) => s,
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fm(text: &str) -> Result<Value, YamlError> {
        load(text, Limits::FRONT_MATTER)
    }

    #[test]
    fn ordinary_front_matter_reads_like_yaml() {
        let v =
            fm("title: \"a\"\ndate: 2021-12-08 13:16:19 +0800\ncategories: [x, y]\ncount: 3\nok: true\nn: ~\nf: 1.5\n")
                .unwrap();
        assert_eq!(v["title"], "a");
        assert_eq!(v["date"], "2021-12-08 13:16:19 +0800");
        assert_eq!(v["categories"], serde_json::json!(["x", "y"]));
        assert_eq!(v["count"], 3);
        assert_eq!(v["ok"], true);
        assert_eq!(v["n"], Value::Null);
        assert_eq!(v["f"], 1.5);
    }

    #[test]
    fn anchors_and_small_aliases_still_work() {
        let v = fm("base: &b {lang: zh}\npost: *b\nlist: [&x 1, *x]\n").unwrap();
        assert_eq!(v["post"]["lang"], "zh");
        assert_eq!(v["list"], serde_json::json!([1, 1]));
    }

    #[test]
    fn a_billion_laughs_is_refused_quickly() {
        let mut y = String::from("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        let names = ["b", "c", "d", "e", "f", "g", "h", "i", "j"];
        let mut prev = "a";
        for n in names {
            y.push_str(&format!(
                "{n}: &{n} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
            ));
            prev = n;
        }
        assert!(y.len() < 1000, "a small input: {} bytes", y.len());
        let e = fm(&y).unwrap_err();
        assert!(matches!(e, YamlError::TooManyNodes { .. }), "{e:?}");
        assert!(e.is_limit());
    }

    #[test]
    fn aliases_of_a_long_text_are_refused_before_they_copy_it_thousands_of_times() {
        let big = "字".repeat(60_000); // 180 KB, under the 256 KiB front-matter cap
        let aliases = vec!["*a"; 9_000].join(",");
        let y = format!("a: &a \"{big}\"\nb: [{aliases}]\n");
        assert!(y.len() < Limits::FRONT_MATTER.max_bytes);
        let e = fm(&y).unwrap_err();
        assert!(matches!(e, YamlError::TooMuchText { .. }), "{e:?}");
        assert!(e.is_limit());
        // A few copies of a long text are fine.
        assert!(fm(&format!("a: &a \"{big}\"\nb: [*a, *a]\n")).is_ok());
    }

    #[test]
    fn deep_flow_and_block_nesting_is_refused() {
        for deep in ["[".repeat(100_000), "{a: ".repeat(50_000)] {
            let e = fm(&format!("x: {deep}")).unwrap_err();
            assert!(matches!(e, YamlError::TooDeep { .. } | YamlError::Syntax(_)), "{e:?}");
        }
        let mut block = String::new();
        for i in 0..600 {
            block.push_str(&" ".repeat(i));
            block.push_str("k:\n");
        }
        assert!(matches!(fm(&block).unwrap_err(), YamlError::TooDeep { .. }));
        // Exactly at the limit is fine.
        let ok = format!("x: {}1{}", "[".repeat(31), "]".repeat(31));
        assert!(fm(&ok).is_ok());
    }

    #[test]
    fn aliases_cannot_stack_depth_past_the_limit() {
        // Each anchor is 20 deep; nesting aliases inside new 20-deep containers would grow
        // without bound if alias depth were not counted.
        let d20 = |inner: &str| format!("{}{inner}{}", "[".repeat(20), "]".repeat(20));
        let y = format!("a: &a {}\nb: &b {}\nc: &c {}\n", d20("1"), d20("*a"), d20("*b"));
        assert!(matches!(fm(&y).unwrap_err(), YamlError::TooDeep { .. }));
    }

    #[test]
    fn oversized_text_is_refused_before_parsing() {
        let big = format!("title: \"{}\"\n", "x".repeat(300 * 1024));
        assert!(matches!(fm(&big).unwrap_err(), YamlError::TooLarge { .. }));
    }

    #[test]
    fn unknown_aliases_and_bad_syntax_are_errors_not_panics() {
        assert!(fm("a: *nope\n").is_err());
        assert!(fm("a: [unclosed\n").is_err());
        assert!(!fm("a: [unclosed\n").unwrap_err().is_limit());
    }
}
