//! Parsing and checking generator options: one pass that yields every problem and, when
//! there is no error, the [`Plan`] that [`super::generate`] executes.

use regex_lite::Regex;
use serde_json::Value;

use super::payload::{clip, compile_validation, is_placeholder, matches_at_start, payload_key};
use super::{
    ALPHA, ALPHANUMERIC, ConfigProblem, DEFAULT_LENGTH, DIGITS, HEX, LOWER, MAX_LENGTH, NUMERIC,
    PUNCTUATION, UPPER, is_static_like, static_payload,
};
use crate::diagnostic::{Diagnostic, ErrorCode};
use crate::model::{Data, DataMap};
use crate::suggest::did_you_mean;

const PASSWORD_KEYS: &[&str] = &[
    "length",
    "upper",
    "lower",
    "number",
    "special",
    "exclude_characters",
];
const STRING_KEYS: &[&str] = &["length", "charset"];
const STATIC_KEYS: &[&str] = &["default", "value", "validation", "prompt_on_empty"];
const CHARSETS: &[&str] = &["alphanumeric", "alpha", "numeric", "hex"];

/// What [`super::generate`] will do, once the options are parsed.
pub(super) enum Plan {
    /// `length` independent uniform picks from `charset`.
    Chars { charset: Vec<char>, length: usize },
    /// A v4 UUID.
    Uuid,
    /// The static payload (its `validation` already checked by [`plan`]).
    Static,
    /// Not a kind this module produces.
    Unsupported,
}

/// Collects problems while the options are parsed.
struct Checker<'a> {
    config: &'a DataMap,
    problems: Vec<ConfigProblem>,
    failed: bool,
}

impl<'a> Checker<'a> {
    fn push(&mut self, key: Option<&str>, diagnostic: Diagnostic) {
        self.failed |= diagnostic.is_error();
        self.problems.push(ConfigProblem {
            key: key.map(str::to_string),
            diagnostic,
        });
    }

    /// `length`: an integer in 1..=MAX_LENGTH (default 32).
    fn length(&mut self) -> Option<usize> {
        let Some(v) = self.config.get("length") else {
            return Some(DEFAULT_LENGTH);
        };
        let key = Some("length");
        let example = "write a whole number, e.g. `length: 32` (the default)";
        match v {
            Value::Number(n) if n.is_f64() => {
                let f = n.as_f64().unwrap_or(f64::NAN);
                let hint = if f.fract() == 0.0 && f.abs() < 1e9 {
                    format!("write `length: {}` without the decimal part", f as i64)
                } else {
                    example.to_string()
                };
                self.push(
                    key,
                    Diagnostic::error(
                        ErrorCode::WrongType,
                        "`length` must be a whole number, not a float",
                    )
                    .with_hint(hint),
                );
                None
            }
            Value::Number(n) => {
                let length = n.as_i64().map_or(i128::from(u64::MAX), i128::from);
                if length < 1 {
                    self.push(
                        key,
                        Diagnostic::error(
                            ErrorCode::UnsatisfiableGenerator,
                            format!("`length` is {length}; a generated secret needs at least 1 character"),
                        )
                        .with_hint("set `length` to 1 or more (the default is 32)"),
                    );
                    None
                } else if length > MAX_LENGTH as i128 {
                    self.push(
                        key,
                        Diagnostic::error(
                            ErrorCode::InvalidValue,
                            format!("`length` {} is above the maximum of {MAX_LENGTH}", n),
                        )
                        .with_hint(format!("set `length` to at most {MAX_LENGTH}")),
                    );
                    None
                } else {
                    usize::try_from(length).ok()
                }
            }
            Value::String(s) => {
                let hint = match s.trim().parse::<i64>() {
                    Ok(n) => format!("write `length: {n}` without quotes"),
                    Err(_) => example.to_string(),
                };
                self.push(
                    key,
                    Diagnostic::error(
                        ErrorCode::WrongType,
                        "`length` must be a whole number, not a string",
                    )
                    .with_hint(hint),
                );
                None
            }
            other => {
                self.push(
                    key,
                    Diagnostic::error(
                        ErrorCode::WrongType,
                        format!("`length` must be a whole number, not {}", type_name(other)),
                    )
                    .with_hint(example),
                );
                None
            }
        }
    }

    /// A boolean option (default true) that must be a YAML boolean.
    fn flag(&mut self, key: &str) -> Option<bool> {
        let v = match self.config.get(key) {
            None => return Some(true),
            Some(Value::Bool(b)) => return Some(*b),
            Some(v) => v,
        };
        let hint = match v {
            Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                "false" | "no" | "off" | "n" | "0" => format!(
                    "write `{key}: false` without quotes: quoted, it is a non-empty string, which \
                     the reference CLI reads as true"
                ),
                "true" | "yes" | "on" | "y" | "1" => {
                    format!("write `{key}: true` without quotes")
                }
                _ => format!("write `{key}: true` or `{key}: false`"),
            },
            Value::Number(_) => {
                format!("write `{key}: true` or `{key}: false` instead of a number")
            }
            Value::Null => format!(
                "write `{key}: true` or `{key}: false`, or remove the key (the default is true)"
            ),
            _ => format!("write `{key}: true` or `{key}: false`"),
        };
        self.push(
            Some(key),
            Diagnostic::error(
                ErrorCode::WrongType,
                format!("`{key}` must be a boolean, not {}", type_name(v)),
            )
            .with_hint(hint),
        );
        None
    }

    /// `exclude_characters`: a string (null or absent: nothing excluded).
    fn exclusions(&mut self) -> Option<String> {
        match self.config.get("exclude_characters") {
            None | Some(Value::Null) => Some(String::new()),
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => {
                self.push(
                    Some("exclude_characters"),
                    Diagnostic::error(
                        ErrorCode::WrongType,
                        format!(
                            "`exclude_characters` must be a string, not {}",
                            type_name(other)
                        ),
                    )
                    .with_hint(
                        "write the characters to leave out as one string, e.g. \
                         `exclude_characters: \"0OlI1\"`",
                    ),
                );
                None
            }
        }
    }

    /// `charset` of `random_string`: unknown names fall back to alphanumeric (warning).
    fn charset(&mut self) -> Option<&'static str> {
        let alphanumeric = ALPHANUMERIC;
        let name = match self.config.get("charset") {
            None => return Some(alphanumeric),
            Some(Value::String(s)) => s.as_str(),
            Some(Value::Null) => {
                self.push(
                    Some("charset"),
                    Diagnostic::warning(
                        ErrorCode::UnknownValue,
                        "`charset` is empty; alphanumeric is used",
                    )
                    .with_hint(charset_choices()),
                );
                return Some(alphanumeric);
            }
            Some(other) => {
                self.push(
                    Some("charset"),
                    Diagnostic::error(
                        ErrorCode::WrongType,
                        format!("`charset` must be a string, not {}", type_name(other)),
                    )
                    .with_hint(charset_choices()),
                );
                return None;
            }
        };
        match name {
            "alphanumeric" => Some(alphanumeric),
            "alpha" => Some(ALPHA),
            "numeric" => Some(NUMERIC),
            "hex" => Some(HEX),
            other => {
                let hint = match other.to_ascii_lowercase().as_str() {
                    "base64" | "base64url" => "there is no base64 charset (the docs list one; \
                        the reference also falls back to alphanumeric): choose one of \
                        `alphanumeric`, `alpha`, `numeric`, `hex`"
                        .to_string(),
                    "uppercase" | "lowercase" | "upper" | "lower" => "there is no single-case \
                        charset: `alpha` is letters of both cases; for one case only use kind \
                        `random_password` with the other classes set to false"
                        .to_string(),
                    _ => match did_you_mean(other, CHARSETS) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => charset_choices(),
                    },
                };
                self.push(
                    Some("charset"),
                    Diagnostic::warning(
                        ErrorCode::UnknownValue,
                        format!(
                            "unknown `charset` `{}`; alphanumeric is used",
                            clip(other, 40)
                        ),
                    )
                    .with_hint(hint),
                );
                Some(alphanumeric)
            }
        }
    }

    /// `validation`: a pattern string (null or empty: none).
    fn validation(&mut self) -> Option<Option<Regex>> {
        match self.config.get("validation") {
            None | Some(Value::Null) => Some(None),
            Some(Value::String(s)) if s.is_empty() => Some(None),
            Some(Value::String(s)) => match compile_validation(s) {
                Ok(re) => Some(Some(re)),
                Err(d) => {
                    self.push(Some("validation"), d);
                    None
                }
            },
            Some(other) => {
                self.push(
                    Some("validation"),
                    Diagnostic::error(
                        ErrorCode::WrongType,
                        format!(
                            "`validation` must be a regular expression string, not {}",
                            type_name(other)
                        ),
                    )
                    .with_hint("quote the pattern, e.g. `validation: '^sk_[A-Za-z0-9]+$'`"),
                );
                None
            }
        }
    }

    /// Warn about every key the kind does not read.
    fn unknown_keys(&mut self, kind: &str, known: &[&str]) {
        let unknown: Vec<&String> = self
            .config
            .keys()
            .filter(|k| !known.contains(&k.as_str()))
            .collect();
        for key in unknown {
            let hint = unknown_key_hint(kind, key, known);
            let mut d = Diagnostic::warning(
                ErrorCode::UnknownKey,
                format!(
                    "unknown option `{}` for kind `{kind}`; it is ignored",
                    clip(key, 60)
                ),
            );
            if let Some(h) = hint {
                d = d.with_hint(h);
            }
            self.problems.push(ConfigProblem {
                key: Some(key.clone()),
                diagnostic: d,
            });
        }
    }
}

fn unknown_key_hint(kind: &str, key: &str, known: &[&str]) -> Option<String> {
    let lower = key.to_ascii_lowercase();
    let special = match (kind, lower.as_str()) {
        ("random_password", "uppercase" | "upper_case" | "uppercase_letters") => Some("upper"),
        ("random_password", "lowercase" | "lower_case" | "lowercase_letters") => Some("lower"),
        ("random_password", "numbers" | "numeric" | "digits" | "digit") => Some("number"),
        (
            "random_password",
            "symbols" | "symbol" | "specials" | "special_characters" | "special_chars"
            | "punctuation",
        ) => Some("special"),
        (
            "random_password",
            "exclude" | "exclude_chars" | "excluded_characters" | "exclude_character",
        ) => Some("exclude_characters"),
        ("random_password", "charset") => {
            return Some(
                "random_password has no `charset`: choose classes with `upper`, `lower`, \
                 `number`, `special` (and `exclude_characters`), or use kind `random_string`"
                    .into(),
            );
        }
        ("random_string", "uppercase" | "lowercase") => {
            return Some(format!(
                "random_string has no `{lower}` option (the docs list it; the generator ignores \
                 it): `charset: alpha` gives letters of both cases; for one case only use kind \
                 `random_password` with the other classes set to false"
            ));
        }
        ("random_string", "upper" | "lower" | "number" | "special" | "exclude_characters") => {
            return Some(format!(
                "only `random_password` reads `{lower}`; random_string reads `length` and `charset`"
            ));
        }
        (k, "regex" | "pattern") if is_static_like(k) => Some("validation"),
        ("uuid", _) => return Some("`uuid` takes no options".into()),
        _ => None,
    };
    if let Some(s) = special {
        return Some(format!("did you mean `{s}`?"));
    }
    match did_you_mean(key, known) {
        Some(s) => Some(format!("did you mean `{s}`?")),
        None if known.is_empty() => None,
        None => Some(format!(
            "`{kind}` reads {}",
            known
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

fn charset_choices() -> String {
    "choose one of `alphanumeric` (the default), `alpha`, `numeric`, `hex`".into()
}

fn type_name(v: &Data) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_f64() => "a float",
        Value::Number(_) => "an integer",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// Whether a mapping payload holds a list anywhere below mappings (the reference's static
/// generator rejects those: "dict values do not support list entries").
fn map_holds_list(map: &DataMap) -> bool {
    let mut stack: Vec<&DataMap> = vec![map];
    while let Some(m) = stack.pop() {
        for v in m.values() {
            match v {
                Value::Array(_) => return true,
                Value::Object(inner) => stack.push(inner),
                _ => {}
            }
        }
    }
    false
}

/// Parse and check the options of `kind`; `None` when they cannot be used.
pub(super) fn plan(
    kind: &str,
    config: &DataMap,
    problems: &mut Vec<ConfigProblem>,
) -> Option<Plan> {
    let mut c = Checker {
        config,
        problems: Vec::new(),
        failed: false,
    };
    let plan = match kind {
        "random_password" => {
            let length = c.length();
            let flags = [
                c.flag("upper"),
                c.flag("lower"),
                c.flag("number"),
                c.flag("special"),
            ];
            let exclude = c.exclusions();
            c.unknown_keys(kind, PASSWORD_KEYS);
            match (length, flags, exclude) {
                (Some(length), [Some(u), Some(l), Some(n), Some(s)], Some(exclude)) => {
                    password_charset(&mut c, [u, l, n, s], &exclude)
                        .map(|charset| Plan::Chars { charset, length })
                }
                _ => None,
            }
        }
        "random_string" => {
            let length = c.length();
            let charset = c.charset();
            c.unknown_keys(kind, STRING_KEYS);
            match (length, charset) {
                (Some(length), Some(cs)) => Some(Plan::Chars {
                    charset: cs.chars().collect(),
                    length,
                }),
                _ => None,
            }
        }
        "uuid" => {
            c.unknown_keys(kind, &[]);
            Some(Plan::Uuid)
        }
        k if is_static_like(k) => {
            let validation = c.validation();
            if let Some(v) = config.get("prompt_on_empty")
                && !v.is_boolean()
            {
                c.push(
                    Some("prompt_on_empty"),
                    Diagnostic::warning(
                        ErrorCode::WrongType,
                        format!("`prompt_on_empty` must be a boolean, not {}", type_name(v)),
                    )
                    .with_hint(
                        "write `prompt_on_empty: true` or `false` (the sync decides when to ask \
                         a person either way)",
                    ),
                );
            }
            let key = payload_key(config);
            if let Some(Value::Object(map)) = static_payload(config)
                && map_holds_list(map)
            {
                c.push(
                    Some(key),
                    Diagnostic::error(
                        ErrorCode::InvalidValue,
                        format!("a static mapping `{key}` cannot contain lists"),
                    )
                    .with_hint(
                        "use nested mappings and scalars inside a mapping value (a list is \
                         allowed only as the whole value)",
                    ),
                );
            }
            if let (Some(Some(re)), Some(Value::String(s))) = (&validation, static_payload(config))
                && !s.is_empty()
                && !is_placeholder(s)
                && !matches_at_start(re, s)
            {
                c.push(
                    Some(key),
                    Diagnostic::error(
                        ErrorCode::ValidationFailed,
                        format!(
                            "the static `{key}` does not match the secret's `validation` pattern"
                        ),
                    )
                    .with_hint(
                        "fix the value or the pattern (`re.match` semantics: the pattern must \
                         match from the first character)",
                    ),
                );
            }
            c.unknown_keys(kind, STATIC_KEYS);
            validation.map(|_| Plan::Static)
        }
        _ => Some(Plan::Unsupported),
    };
    let failed = c.failed;
    problems.append(&mut c.problems);
    if failed { None } else { plan }
}

/// The `random_password` alphabet in the reference's order, minus exclusions.
fn password_charset(c: &mut Checker<'_>, classes: [bool; 4], exclude: &str) -> Option<Vec<char>> {
    let parts = [UPPER, LOWER, DIGITS, PUNCTUATION];
    let mut charset: Vec<char> = classes
        .iter()
        .zip(parts)
        .filter(|(on, _)| **on)
        .flat_map(|(_, p)| p.chars())
        .collect();
    if charset.is_empty() {
        c.push(
            None,
            Diagnostic::error(
                ErrorCode::UnsatisfiableGenerator,
                "every character class of `random_password` is turned off",
            )
            .with_hint("set at least one of `upper`, `lower`, `number`, `special` to true (each defaults to true)"),
        );
        return None;
    }
    charset.retain(|ch| !exclude.contains(*ch));
    if charset.is_empty() {
        c.push(
            Some("exclude_characters"),
            Diagnostic::error(
                ErrorCode::UnsatisfiableGenerator,
                "`exclude_characters` removes every character the enabled classes provide",
            )
            .with_hint("exclude fewer characters or turn another class on"),
        );
        return None;
    }
    Some(charset)
}

#[cfg(test)]
mod tests {
    use super::super::check_config;
    use super::*;
    use crate::diagnostic::Severity;
    use serde_json::json;

    fn check(kind: &str, config: serde_json::Value) -> Vec<ConfigProblem> {
        check_config(kind, config.as_object().unwrap())
    }

    /// (code, severity, key, hint) of each problem.
    fn summary(
        kind: &str,
        config: serde_json::Value,
    ) -> Vec<(ErrorCode, Severity, Option<String>, String)> {
        check(kind, config)
            .into_iter()
            .map(|p| {
                (
                    p.diagnostic.code,
                    p.diagnostic.severity,
                    p.key,
                    p.diagnostic.hint.unwrap_or_default(),
                )
            })
            .collect()
    }

    fn one(kind: &str, config: serde_json::Value) -> (ErrorCode, Severity, Option<String>, String) {
        let mut s = summary(kind, config.clone());
        assert_eq!(s.len(), 1, "{kind} {config}: {s:?}");
        s.remove(0)
    }

    #[test]
    fn valid_configurations_have_no_problems() {
        for (kind, config) in [
            ("random_password", json!({})),
            (
                "random_password",
                json!({"length": 64, "upper": true, "lower": true, "number": false,
                       "special": true, "exclude_characters": "\"'`\\"}),
            ),
            (
                "random_password",
                json!({"length": 1, "exclude_characters": null}),
            ),
            ("random_password", json!({"length": MAX_LENGTH})),
            ("random_string", json!({})),
            ("random_string", json!({"length": 16, "charset": "hex"})),
            ("uuid", json!({})),
            ("static", json!({})),
            (
                "static",
                json!({"value": "${DB}", "validation": "^postgres://"}),
            ),
            (
                "static",
                json!({"default": "", "validation": "^x", "prompt_on_empty": false}),
            ),
            (
                "static",
                json!({"value": {"a": {"b": 1}}, "validation": null}),
            ),
            ("static", json!({"value": [1, [2]], "validation": ""})),
            (
                "azure_app_reg",
                json!({"value": {"tenant_id": "t", "client_secret": null}}),
            ),
        ] {
            assert_eq!(summary(kind, config.clone()), vec![], "{kind} {config}");
        }
    }

    #[test]
    fn other_kinds_are_not_checked_here() {
        for kind in [
            "script",
            "github_pat",
            "templates.db",
            "provider_backed",
            "whatever",
        ] {
            assert!(check(kind, json!({"length": "x", "anything": 1})).is_empty());
        }
    }

    #[test]
    fn wrong_types_are_errors_with_hints() {
        let s = summary(
            "random_password",
            json!({"length": "24", "special": "false"}),
        );
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].0, ErrorCode::WrongType);
        assert_eq!(s[0].2.as_deref(), Some("length"));
        assert!(s[0].3.contains("`length: 24` without quotes"), "{}", s[0].3);
        assert_eq!(s[1].2.as_deref(), Some("special"));
        assert!(
            s[1].3.contains("`special: false` without quotes"),
            "{}",
            s[1].3
        );
        assert!(s[1].3.contains("reads as true"));
        for (config, key, hint) in [
            (
                json!({"length": 24.0}),
                "length",
                "`length: 24` without the decimal part",
            ),
            (json!({"length": 2.5}), "length", "whole number"),
            (json!({"length": true}), "length", "whole number"),
            (json!({"length": null}), "length", "whole number"),
            (json!({"length": [1]}), "length", "whole number"),
            (json!({"length": "long"}), "length", "e.g. `length: 32`"),
            (json!({"upper": 1}), "upper", "instead of a number"),
            (json!({"upper": null}), "upper", "remove the key"),
            (
                json!({"lower": "yes"}),
                "lower",
                "`lower: true` without quotes",
            ),
            (
                json!({"number": "maybe"}),
                "number",
                "`number: true` or `number: false`",
            ),
            (
                json!({"number": {}}),
                "number",
                "`number: true` or `number: false`",
            ),
            (
                json!({"exclude_characters": 5}),
                "exclude_characters",
                "as one string",
            ),
            (
                json!({"exclude_characters": ["a"]}),
                "exclude_characters",
                "as one string",
            ),
        ] {
            let (code, severity, k, h) = one("random_password", config.clone());
            assert_eq!(
                (code, severity),
                (ErrorCode::WrongType, Severity::Error),
                "{config}"
            );
            assert_eq!(k.as_deref(), Some(key));
            assert!(h.contains(hint), "{config}: {h}");
        }
        let (code, severity, key, _) = one("random_string", json!({"charset": 16}));
        assert_eq!((code, severity), (ErrorCode::WrongType, Severity::Error));
        assert_eq!(key.as_deref(), Some("charset"));
        let (code, _, key, _) = one("static", json!({"value": "x", "validation": 5}));
        assert_eq!(
            (code, key.as_deref()),
            (ErrorCode::WrongType, Some("validation"))
        );
        // `prompt_on_empty` has no effect on a sync, so a wrong type is only a warning.
        let (code, severity, _, _) = one("static", json!({"value": "x", "prompt_on_empty": "no"}));
        assert_eq!((code, severity), (ErrorCode::WrongType, Severity::Warning));
    }

    #[test]
    fn unsatisfiable_options_are_errors() {
        let all_off = json!({"upper": false, "lower": false, "number": false, "special": false});
        let (code, _, key, hint) = one("random_password", all_off);
        assert_eq!((code, key), (ErrorCode::UnsatisfiableGenerator, None));
        assert!(hint.contains("at least one of"));
        // Reported once, not again as "emptied by exclusions".
        let (code, _, key, _) = one(
            "random_password",
            json!({"upper": false, "lower": false, "number": false, "special": false,
                   "exclude_characters": "abc"}),
        );
        assert_eq!((code, key), (ErrorCode::UnsatisfiableGenerator, None));
        let (code, _, key, _) = one(
            "random_password",
            json!({"upper": false, "lower": false, "special": false,
                   "exclude_characters": "0123456789"}),
        );
        assert_eq!(
            (code, key.as_deref()),
            (
                ErrorCode::UnsatisfiableGenerator,
                Some("exclude_characters")
            )
        );
        for (kind, length) in [("random_password", json!(0)), ("random_string", json!(-3))] {
            let (code, _, key, hint) = one(kind, json!({ "length": length }));
            assert_eq!(
                (code, key.as_deref()),
                (ErrorCode::UnsatisfiableGenerator, Some("length"))
            );
            assert!(hint.contains("1 or more"));
        }
        for length in [json!(MAX_LENGTH + 1), json!(u64::MAX), json!(i64::MAX)] {
            let (code, _, _, hint) = one("random_string", json!({ "length": length }));
            assert_eq!(code, ErrorCode::InvalidValue);
            assert!(hint.contains("at most 4096"));
        }
    }

    #[test]
    fn unknown_charsets_warn_and_fall_back() {
        for (charset, hint) in [
            ("base64", "no base64 charset"),
            ("Hex", "did you mean `hex`?"),
            ("alphanumerc", "did you mean `alphanumeric`?"),
            ("uppercase", "`alpha` is letters of both cases"),
            ("emoji", "choose one of"),
        ] {
            let (code, severity, key, h) = one("random_string", json!({ "charset": charset }));
            assert_eq!(
                (code, severity),
                (ErrorCode::UnknownValue, Severity::Warning)
            );
            assert_eq!(key.as_deref(), Some("charset"));
            assert!(h.contains(hint), "{charset}: {h}");
        }
        let (code, severity, _, _) = one("random_string", json!({ "charset": null }));
        assert_eq!(
            (code, severity),
            (ErrorCode::UnknownValue, Severity::Warning)
        );
        let mut problems = Vec::new();
        let config = json!({"charset": "base64"});
        match plan("random_string", config.as_object().unwrap(), &mut problems) {
            Some(Plan::Chars { charset, length }) => {
                assert_eq!(charset.iter().collect::<String>(), ALPHANUMERIC);
                assert_eq!(length, DEFAULT_LENGTH);
            }
            _ => panic!("expected a plan"),
        }
    }

    #[test]
    fn unknown_keys_warn_with_the_right_hint() {
        for (kind, key, hint) in [
            ("random_password", "uppercase", "did you mean `upper`?"),
            ("random_password", "lowercase", "did you mean `lower`?"),
            ("random_password", "symbols", "did you mean `special`?"),
            ("random_password", "numbers", "did you mean `number`?"),
            (
                "random_password",
                "exclude_chars",
                "did you mean `exclude_characters`?",
            ),
            ("random_password", "lenght", "did you mean `length`?"),
            ("random_password", "charset", "use kind `random_string`"),
            (
                "random_password",
                "colour",
                "`random_password` reads `length`, `upper`",
            ),
            (
                "random_string",
                "uppercase",
                "`charset: alpha` gives letters of both cases",
            ),
            ("random_string", "lowercase", "no `lowercase` option"),
            (
                "random_string",
                "special",
                "only `random_password` reads `special`",
            ),
            ("random_string", "charst", "did you mean `charset`?"),
            ("uuid", "version", "`uuid` takes no options"),
            ("static", "regex", "did you mean `validation`?"),
            ("static", "vaule", "did you mean `value`?"),
            ("azure_app_reg", "defualt", "did you mean `default`?"),
        ] {
            let mut config = json!({});
            config[key] = json!(true);
            let (code, severity, k, h) = one(kind, config);
            assert_eq!(
                (code, severity),
                (ErrorCode::UnknownKey, Severity::Warning),
                "{kind}.{key}"
            );
            assert_eq!(k.as_deref(), Some(key));
            assert!(h.contains(hint), "{kind}.{key}: {h}");
        }
    }

    #[test]
    fn static_payload_problems() {
        let (code, _, key, _) = one("static", json!({"value": "x", "validation": "(?=x)"}));
        assert_eq!(
            (code, key.as_deref()),
            (ErrorCode::InvalidRegex, Some("validation"))
        );
        let (code, _, key, _) = one("static", json!({"value": {"a": {"b": [1]}}}));
        assert_eq!(
            (code, key.as_deref()),
            (ErrorCode::InvalidValue, Some("value"))
        );
        let (code, _, key, _) = one("static", json!({"default": "nope", "validation": "^sk_"}));
        assert_eq!(
            (code, key.as_deref()),
            (ErrorCode::ValidationFailed, Some("default"))
        );
        // Placeholders and empty strings are not checked (a person will supply the value,
        // or the empty string is deliberate), nor are non-strings.
        assert!(check("static", json!({"value": "${X}", "validation": "^sk_"})).is_empty());
        assert!(check("static", json!({"value": "", "validation": "^sk_"})).is_empty());
        assert!(check("static", json!({"value": 5, "validation": "^sk_"})).is_empty());
    }

    #[test]
    fn messages_are_lowercase_and_errors_have_hints() {
        let configs = [
            (
                "random_password",
                json!({"length": "24", "special": "false", "upper": 1, "lenght": 3}),
            ),
            (
                "random_password",
                json!({"upper": false, "lower": false, "number": false, "special": false}),
            ),
            (
                "random_string",
                json!({"length": 0, "charset": "base64", "uppercase": true}),
            ),
            (
                "static",
                json!({"value": {"a": [1]}, "validation": "(", "x": 1}),
            ),
            ("uuid", json!({"length": 4})),
        ];
        for (kind, config) in configs {
            for p in check(kind, config) {
                let d = p.diagnostic;
                let first = d.message.chars().next().unwrap();
                assert!(!first.is_uppercase(), "{}", d.message);
                assert!(!d.message.ends_with('.'), "{}", d.message);
                assert!(d.hint.is_some() || !d.is_error(), "{}", d.message);
                assert!(d.path.is_none() && d.span.is_none());
            }
        }
    }
}
