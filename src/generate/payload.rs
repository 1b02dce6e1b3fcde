//! Static payloads: where the value is, whether a person must supply it, how it is
//! normalised to the stored string, and `validation` patterns (Python `re.match`).

use regex_lite::Regex;
use serde_json::Value;

use crate::diagnostic::{Diagnostic, ErrorCode};
use crate::model::{Data, DataMap};

/// The payload of a static-like secret: `config.default` if that key exists (even when it
/// is null or empty), otherwise `config.value` (`None` when neither exists).
pub fn static_payload(config: &DataMap) -> Option<&Data> {
    config.get("default").or_else(|| config.get("value"))
}

pub(super) fn payload_key(config: &DataMap) -> &'static str {
    if config.contains_key("default") {
        "default"
    } else {
        "value"
    }
}

/// Whether a static payload still needs a person (spec §2.3): it is absent or null; or a
/// string that is exactly one `${...}` placeholder (Python `re.match(r"^\$\{[^}]+\}$")`, so
/// `${A}${B}` and `x-${A}` are values); or, anywhere inside a mapping or list, a leaf that
/// is null, such a placeholder, or blank. A top-level empty or blank string is a deliberate
/// value; numbers and booleans never need a prompt.
pub fn needs_prompt(payload: Option<&Data>) -> bool {
    let Some(root) = payload else {
        return true;
    };
    first_missing(root).is_some()
}

/// The first leaf (in document order) that needs a person, with its path below the payload
/// (`""` for the payload itself, `.db.password`, `[2]`).
pub(super) fn first_missing(root: &Data) -> Option<(String, &Data)> {
    // An explicit stack: payloads may come from JS with any nesting depth.
    let mut stack: Vec<(String, &Data, bool)> = vec![(String::new(), root, false)];
    while let Some((path, value, nested)) = stack.pop() {
        match value {
            Value::Object(map) => {
                for (k, v) in map.iter().rev() {
                    stack.push((format!("{path}.{k}"), v, true));
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate().rev() {
                    stack.push((format!("{path}[{i}]"), v, true));
                }
            }
            Value::Null => return Some((path, value)),
            Value::String(s) if is_placeholder(s) || (nested && is_blank(s)) => {
                return Some((path, value));
            }
            _ => {}
        }
    }
    None
}

/// Python `re.match(r"^\$\{[^}]+\}$", s)`: `$` also matches before one final `\n`.
pub(super) fn is_placeholder(s: &str) -> bool {
    let s = s.strip_suffix('\n').unwrap_or(s);
    s.strip_prefix("${")
        .and_then(|rest| rest.strip_suffix('}'))
        .is_some_and(|inner| !inner.is_empty() && !inner.contains('}'))
}

/// Python `not s.strip()`: empty, or only characters for which `str.isspace()` is true
/// (Unicode White_Space plus the separators U+001C..U+001F).
fn is_blank(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c))
}

/// The string stored for a value, as the reference's `_normalize_secret_value`: strings as
/// they are; mappings and lists as compact JSON with sorted keys; other scalars as Python's
/// `str()` (`True`, `False`, `None`, `1.0`, `493`).
pub fn normalize_value(value: &Data) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Object(_) | Value::Array(_) => crate::pyjson::dumps_canonical(value),
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.to_string()
            } else if let Some(u) = n.as_u64() {
                u.to_string()
            } else {
                crate::pyjson::float_repr(n.as_f64().unwrap_or(f64::NAN))
            }
        }
    }
}

/// Compile a Python `validation` pattern for use with `re.match` semantics.
pub(super) fn compile_validation(pattern: &str) -> Result<Regex, Diagnostic> {
    let translated = translate_python_regex(pattern);
    Regex::new(&translated).map_err(|e| {
        let detail = e.to_string();
        let detail = detail.lines().last().unwrap_or("").trim();
        Diagnostic::error(
            ErrorCode::InvalidRegex,
            format!(
                "`validation` is not a regular expression this implementation can run: {detail}"
            ),
        )
        .with_hint(
            "write a Python-style pattern without look-around (`(?=`, `(?!`, `(?<=`) or \
             back-references (`\\1`); `re.match` semantics apply: it is anchored at the start",
        )
    })
}

/// Python `re.match`: some match starts at 0 (iff the leftmost match does).
pub(super) fn matches_at_start(re: &Regex, value: &str) -> bool {
    re.find(value).is_some_and(|m| m.start() == 0)
}

/// Python-only syntax regex-lite spells differently: `\Z` (end of text) is `\z`.
fn translate_python_regex(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('Z') => out.push_str("\\z"),
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Check a value against a `validation` pattern with Python `re.match` semantics: the
/// pattern must match at the start of `value` (not necessarily to its end; write `$` for
/// that). An empty pattern accepts everything (the reference skips a falsy pattern).
///
/// Used for values a person or the environment supplies and for static payloads.
///
/// # Errors
/// `INVALID_REGEX` if the pattern cannot be compiled; `VALIDATION_FAILED` if the value does
/// not match. Neither message contains the value.
pub fn check_validation(pattern: &str, value: &str) -> Result<(), Diagnostic> {
    if pattern.is_empty() {
        return Ok(());
    }
    let re = compile_validation(pattern)?;
    if matches_at_start(&re, value) {
        Ok(())
    } else {
        Err(Diagnostic::error(
            ErrorCode::ValidationFailed,
            "the value does not match the secret's `validation` pattern",
        )
        .with_hint(format!(
            "supply a value that matches `{}` from its first character",
            clip(pattern, 200)
        )))
    }
}

/// At most `max` characters of `s`, with `…` when cut.
pub(super) fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max).collect();
        out.push('…');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Every vector checked against the reference's `static_payload_needs_prompt(v)` (0.14.23,
    /// run in its venv); the expected column is its output.
    #[test]
    fn needs_prompt_matches_the_reference() {
        let cases = [
            (json!(null), true),
            (json!(""), false),
            (json!("  "), false),
            (json!("x"), false),
            (json!("${A}"), true),
            (json!("${A}\n"), true),
            (json!("${A}\n\n"), false),
            (json!("${}"), false),
            (json!("${A}${B}"), false),
            (json!("x-${A}"), false),
            (json!("${A"), false),
            (json!("$A"), false),
            (json!("${A\nB}"), true),
            (json!(" ${A}"), false),
            (json!("${A} "), false),
            (json!(0), false),
            (json!(1.5), false),
            (json!(true), false),
            (json!(false), false),
            (json!({}), false),
            (json!([]), false),
            (json!({"a": "x"}), false),
            (json!({"a": null}), true),
            (json!({"a": ""}), true),
            (json!({"a": " \t"}), true),
            (json!({"a": "\u{1c}"}), true),
            (json!({"a": "\u{200b}"}), false),
            (json!({"a": {"b": "${X}"}}), true),
            (json!({"a": 0}), false),
            (json!({"a": false}), false),
            (json!(["x"]), false),
            (json!([null]), true),
            (json!([""]), true),
            (json!(["x", "  "]), true),
            (json!({"a": [{"b": ""}]}), true),
            (json!("\u{1c}"), false),
        ];
        for (v, expected) in cases {
            assert_eq!(needs_prompt(Some(&v)), expected, "{v}");
        }
        assert!(needs_prompt(None));
    }

    #[test]
    fn payload_is_default_when_present_even_if_null() {
        let m = |v: serde_json::Value| v.as_object().cloned().unwrap();
        assert_eq!(
            static_payload(&m(json!({"default": null, "value": "v"}))),
            Some(&json!(null))
        );
        assert_eq!(
            static_payload(&m(json!({"default": "", "value": "v"}))),
            Some(&json!(""))
        );
        assert_eq!(static_payload(&m(json!({"value": "v"}))), Some(&json!("v")));
        assert_eq!(static_payload(&m(json!({"other": 1}))), None);
        assert_eq!(
            payload_key(&m(json!({"value": 1, "default": 2}))),
            "default"
        );
        assert_eq!(payload_key(&m(json!({}))), "value");
    }

    #[test]
    fn first_missing_names_the_leaf() {
        let v = json!({"a": "x", "db": {"user": "u", "pass": null}, "z": null});
        assert_eq!(
            first_missing(&v).map(|(p, _)| p),
            Some(".db.pass".to_string())
        );
        let v = json!(["x", {"k": "${K}"}]);
        assert_eq!(first_missing(&v).map(|(p, _)| p), Some("[1].k".to_string()));
        // Deep nesting does not recurse on the call stack.
        let mut deep = json!(null);
        for _ in 0..10_000 {
            let mut m = DataMap::new();
            m.insert("a".into(), deep);
            deep = Value::Object(m);
        }
        assert!(needs_prompt(Some(&deep)));
        std::mem::forget(deep); // serde_json's recursive Drop would overflow the test stack
    }

    /// Python's `str.isspace()` over all of Unicode (3.11):
    /// `[hex(c) for c in range(0x110000) if chr(c).isspace()]`.
    #[test]
    fn blank_is_python_isspace() {
        let python: Vec<u32> = vec![
            0x9, 0xa, 0xb, 0xc, 0xd, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000,
            0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028,
            0x2029, 0x202f, 0x205f, 0x3000,
        ];
        let ours: Vec<u32> = (0..=0x10ffffu32)
            .filter_map(char::from_u32)
            .filter(|c| is_blank(c.encode_utf8(&mut [0; 4])))
            .map(u32::from)
            .collect();
        assert_eq!(ours, python);
        assert!(is_blank(""));
    }

    /// Expected strings from the reference's `SyncEngine._normalize_secret_value`.
    #[test]
    fn normalisation_matches_the_reference() {
        for (v, expected) in [
            (json!(true), "True"),
            (json!(false), "False"),
            (json!(1.0), "1.0"),
            (json!(493), "493"),
            (json!(null), "None"),
            (json!(90), "90"),
            (json!(1e16), "1e+16"),
            (json!(0.1), "0.1"),
            (json!(-0.0), "-0.0"),
            (json!(u64::MAX), "18446744073709551615"),
            (json!(-5), "-5"),
            (
                json!({"b": 1, "a": {"y": [1, "é"], "x": null}}),
                r#"{"a":{"x":null,"y":[1,"\u00e9"]},"b":1}"#,
            ),
            (json!([3, {"z": 1, "a": 2}]), r#"[3,{"a":2,"z":1}]"#),
            (json!("é"), "é"),
            (json!("  keep  "), "  keep  "),
        ] {
            assert_eq!(normalize_value(&v), expected, "{v}");
        }
    }

    /// Expected results from Python's `bool(re.match(pattern, value))`.
    #[test]
    fn validation_is_re_match() {
        for (pattern, value, ok) in [
            ("abc", "abcdef", true),
            ("abc", "xabc", false),
            ("^abc", "abcdef", true),
            ("b", "abc", false),
            ("a|b", "ba", true),
            (r"\d+$", "12a", false),
            (r"\d+$", "12", true),
            (r"\d+\Z", "12", true),
            (r"\d+\Z", "12a", false),
            ("(?i)SK_", "sk_x", true),
            ("x*", "abc", true),
            ("", "abc", true),
            (r"[a-z]+@[a-z]+\.com$", "me@x.com", true),
        ] {
            assert_eq!(
                check_validation(pattern, value).is_ok(),
                ok,
                "{pattern} {value}"
            );
        }
        // Known differences (module docs): Python's `$` also matches before a final newline
        // and its `\w` is Unicode; regex-lite's are not.
        let e = check_validation("^x", "y").unwrap_err();
        assert_eq!(e.code, ErrorCode::ValidationFailed);
        assert!(e.hint.unwrap().contains("`^x`"));
    }

    #[test]
    fn unsupported_or_broken_patterns_are_invalid_regex() {
        for pattern in ["(", "[a-", "(?=x)x", r"(a)\1", "a{2,1}"] {
            let e = check_validation(pattern, "x").unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidRegex, "{pattern}");
            assert!(
                e.message.starts_with("`validation` is not"),
                "{}",
                e.message
            );
        }
        assert_eq!(translate_python_regex(r"a\Z\\Z\d"), r"a\z\\Z\d");
        assert_eq!(translate_python_regex("\\"), "\\");
    }

    #[test]
    fn clip_cuts_long_text() {
        assert_eq!(clip("abc", 3), "abc");
        assert_eq!(clip("abcd", 3), "abc…");
        assert_eq!(clip("ééé", 2), "éé…");
    }
}
