//! Target IDs: the keys of a lockfile entry's `targets` and `target_provenance` maps.
//!
//! A target ID is `provider/kind/identifier` (spec §2.5). The reference builds it with a
//! Python f-string, so a non-string identifier is written the way Python's `str()` prints
//! it (`None`, `True`, `1.5`, `['a', 1]`); this module reproduces that so lockfiles written
//! by either implementation name the same targets. The rules, checked against the
//! reference's `SyncEngine._build_target_id`:
//!
//! - `kind: file`: the raw `config.path` (`local/file/.env`); a missing path gives
//!   `local/file/`, a `null` path gives `local/file/None`.
//! - any other kind: the first *truthy* value (Python truthiness: not `null`, `false`, `0`,
//!   `""`, `[]`, `{}`) of `config.target_id`, `record_uid`, `name`, `path`, `title`, else
//!   empty: a `local/template` target is `local/template/`.
//!
//! Older lockfiles recorded every file target as `provider/file/`; the reference still
//! accepts that legacy ID as valid for any file target ([`valid_target_ids`]).

use crate::model::{Data, Target};
use crate::pyjson::float_repr;

/// The config keys tried, in order, for the identifier of a non-file target.
pub const IDENTIFIER_KEYS: [&str; 5] = ["target_id", "record_uid", "name", "path", "title"];

/// The lockfile target ID of `target` (`provider/kind/identifier`).
///
/// ```
/// use secretzero_agent::{target_id::target_id, Target};
/// let mut t = Target { provider: "local".into(), kind: "file".into(), ..Default::default() };
/// t.config.insert("path".into(), ".env".into());
/// assert_eq!(target_id(&t), "local/file/.env");
/// ```
pub fn target_id(target: &Target) -> String {
    let identifier = if target.kind == "file" {
        target
            .config
            .get("path")
            .map(python_str)
            .unwrap_or_default()
    } else {
        IDENTIFIER_KEYS
            .iter()
            .filter_map(|k| target.config.get(*k))
            .find(|v| truthy(v))
            .map(python_str)
            .unwrap_or_default()
    };
    format!("{}/{}/{}", target.provider, target.kind, identifier)
}

/// The legacy ID `provider/file/` that older lockfiles used for every file target, when
/// `target` is a file target.
pub fn legacy_file_target_id(target: &Target) -> Option<String> {
    (target.kind == "file").then(|| format!("{}/file/", target.provider))
}

/// Every lockfile target ID that is valid for a secret with these targets now: each
/// target's ID plus, for file targets, the legacy `provider/file/` ID. Deduplicated, in
/// target order. A tracked ID outside this list is stale (see
/// [`crate::lockfile::Lockfile::refresh`]).
pub fn valid_target_ids(targets: &[Target]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in targets {
        for id in std::iter::once(target_id(t)).chain(legacy_file_target_id(t)) {
            if !out.contains(&id) {
                out.push(id);
            }
        }
    }
    out
}

/// Python truthiness of a JSON value.
pub fn truthy(v: &Data) -> bool {
    match v {
        Data::Null => false,
        Data::Bool(b) => *b,
        Data::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Data::String(s) => !s.is_empty(),
        Data::Array(a) => !a.is_empty(),
        Data::Object(o) => !o.is_empty(),
    }
}

/// Python's `str()` of a JSON value as the reference holds it: strings as they are,
/// `None`/`True`/`False`, integers in decimal, floats as `repr()`, lists and dicts as their
/// `repr()` (`['a', 1]`, `{'k': None}`).
pub fn python_str(v: &Data) -> String {
    match v {
        Data::String(s) => s.clone(),
        other => python_repr(other),
    }
}

/// Python's `repr()` of a JSON value.
pub fn python_repr(v: &Data) -> String {
    let mut out = String::new();
    write_repr(v, &mut out);
    out
}

fn write_repr(v: &Data, out: &mut String) {
    match v {
        Data::Null => out.push_str("None"),
        Data::Bool(true) => out.push_str("True"),
        Data::Bool(false) => out.push_str("False"),
        Data::Number(n) => {
            if n.is_i64() || n.is_u64() {
                out.push_str(&n.to_string());
            } else {
                out.push_str(&float_repr(n.as_f64().unwrap_or(f64::NAN)));
            }
        }
        Data::String(s) => out.push_str(&repr_str(s)),
        Data::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_repr(item, out);
            }
            out.push(']');
        }
        Data::Object(map) => {
            out.push('{');
            for (i, (k, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&repr_str(k));
                out.push_str(": ");
                write_repr(item, out);
            }
            out.push('}');
        }
    }
}

/// Python's `repr()` of a string: single quotes unless the text has `'` and no `"`;
/// `\\`, the quote, `\t`, `\n`, `\r` escaped; non-printable characters as `\xNN`, `\uNNNN`
/// or `\UNNNNNNNN`.
pub fn repr_str(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if !is_printable(c) => {
                let n = u32::from(c);
                if n < 0x100 {
                    out.push_str(&format!("\\x{n:02x}"));
                } else if n < 0x10000 {
                    out.push_str(&format!("\\u{n:04x}"));
                } else {
                    out.push_str(&format!("\\U{n:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Python's `str.isprintable()` for one character, for the categories that matter in
/// practice: controls (Cc), separators other than the space (Zs, Zl, Zp), format
/// characters (Cf), private use (Co) and noncharacters. Unassigned code points (Cn) other
/// than noncharacters are treated as printable (Python escapes them; we have no tables).
fn is_printable(c: char) -> bool {
    let n = u32::from(c);
    let not_printable = matches!(n,
        0x00..=0x1f | 0x7f..=0xa0 | 0xad
        | 0x0600..=0x0605 | 0x061c | 0x06dd | 0x070f | 0x0890..=0x0891 | 0x08e2
        | 0x1680 | 0x180e | 0x2000..=0x200f | 0x2028..=0x202f | 0x205f..=0x2064
        | 0x2066..=0x206f | 0x3000 | 0xe000..=0xf8ff | 0xfdd0..=0xfdef | 0xfeff
        | 0xfff9..=0xfffb | 0x110bd | 0x110cd | 0x13430..=0x13438 | 0x1bca0..=0x1bca3
        | 0x1d173..=0x1d17a | 0xe0001 | 0xe0020..=0xe007f | 0xf0000..=0x10ffff)
        || (n & 0xfffe) == 0xfffe;
    !not_printable
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn target(provider: &str, kind: &str, config: Data) -> Target {
        Target {
            provider: provider.into(),
            kind: kind.into(),
            config: config.as_object().cloned().unwrap_or_default(),
            identity_policies: Vec::new(),
        }
    }

    /// Vectors from the reference: `SyncEngine._build_target_id(TargetConfig(...))` run in
    /// the reference CLI's Python (secretzero 0.14.23), printed with `json.dumps`.
    #[test]
    fn matches_reference_build_target_id() {
        let cases: Vec<(&str, &str, Data, &str)> = vec![
            ("local", "file", json!({"path": ".env"}), "local/file/.env"),
            ("local", "file", json!({}), "local/file/"),
            ("local", "file", json!({"path": null}), "local/file/None"),
            ("local", "file", json!({"path": 123}), "local/file/123"),
            ("local", "file", json!({"path": 1.5}), "local/file/1.5"),
            ("local", "file", json!({"path": true}), "local/file/True"),
            ("local", "file", json!({"path": ""}), "local/file/"),
            (
                "local",
                "file",
                json!({"path": "dir/\u{e9}.env"}),
                "local/file/dir/\u{e9}.env",
            ),
            (
                "local",
                "template",
                json!({"template_path": "t.j2", "output_path": "o"}),
                "local/template/",
            ),
            (
                "local",
                "template",
                json!({"template_path": "t.j2", "output_path": "o", "name": "n"}),
                "local/template/n",
            ),
            (
                "aws",
                "ssm_parameter",
                json!({"name": "/app/db"}),
                "aws/ssm_parameter//app/db",
            ),
            (
                "aws",
                "ssm_parameter",
                json!({"target_id": "tid", "record_uid": "r", "name": "n", "path": "p", "title": "t"}),
                "aws/ssm_parameter/tid",
            ),
            (
                "aws",
                "ssm_parameter",
                json!({"target_id": "", "record_uid": null, "name": 0, "path": false, "title": "t"}),
                "aws/ssm_parameter/t",
            ),
            (
                "vault",
                "vault_kv",
                json!({"path": "secret/x", "name": ""}),
                "vault/vault_kv/secret/x",
            ),
            (
                "keeper",
                "keeper_record",
                json!({"record_uid": "abc", "title": "T"}),
                "keeper/keeper_record/abc",
            ),
            (
                "k",
                "kind",
                json!({"name": ["a", 1, null, true, 1.0, {"k": "v"}]}),
                "k/kind/['a', 1, None, True, 1.0, {'k': 'v'}]",
            ),
            (
                "k",
                "kind",
                json!({"name": {"a": "it's", "b": "say \"hi\"", "c": "both ' \""}}),
                "k/kind/{'a': \"it's\", 'b': 'say \"hi\"', 'c': 'both \\' \"'}",
            ),
            (
                "k",
                "kind",
                json!({"name": "tab\tnl\nbs\\"}),
                "k/kind/tab\tnl\nbs\\",
            ),
            (
                "k",
                "kind",
                json!({"name": ["tab\tnl\nbs\\\u{1}\u{7f}\u{80}\u{e9}\u{a0}\u{2028}\u{1F600}\u{feff}"]}),
                "k/kind/['tab\\tnl\\nbs\\\\\\x01\\x7f\\x80\u{e9}\\xa0\\u2028\u{1F600}\\ufeff']",
            ),
            ("k", "kind", json!({"name": []}), "k/kind/"),
            (
                "k",
                "kind",
                json!({"name": {}, "path": 0.0, "title": -2}),
                "k/kind/-2",
            ),
            (
                "k",
                "kind",
                json!({"name": 1e16, "path": 0.0}),
                "k/kind/1e+16",
            ),
            ("k", "kind", json!({}), "k/kind/"),
            ("k", "", json!({"name": "x"}), "k//x"),
            ("", "file", json!({"path": "p"}), "/file/p"),
        ];
        for (provider, kind, config, want) in cases {
            let t = target(provider, kind, config.clone());
            assert_eq!(target_id(&t), want, "{provider}/{kind} {config}");
        }
    }

    #[test]
    fn valid_ids_include_legacy_file_ids_once() {
        let ts = vec![
            target("local", "file", json!({"path": "a.env"})),
            target("local", "file", json!({"path": "b.env"})),
            target("local", "template", json!({"output_path": "o"})),
        ];
        assert_eq!(
            valid_target_ids(&ts),
            vec![
                "local/file/a.env",
                "local/file/",
                "local/file/b.env",
                "local/template/"
            ]
        );
    }

    #[test]
    fn repr_str_quotes_like_python() {
        assert_eq!(repr_str("plain"), "'plain'");
        assert_eq!(repr_str("it's"), "\"it's\"");
        assert_eq!(repr_str("\"q\""), "'\"q\"'");
        assert_eq!(repr_str("a'b\"c"), "'a\\'b\"c'");
        assert_eq!(repr_str("\u{10ffff}\u{e000}"), "'\\U0010ffff\\ue000'");
    }
}
