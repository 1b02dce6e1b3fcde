//! The generators: `random_password`, `random_string`, `uuid` and `static`.
//!
//! They behave like the reference CLI's (spec §2.3) with the differences of DESIGN §5:
//!
//! - Options are checked before anything runs ([`check_config`], shared with the validator):
//!   wrong types are errors instead of Python truthiness (`special: "false"` is a string,
//!   which the reference reads as *true*), options that can never produce a value are
//!   errors instead of a crash or an empty secret, unknown options and charsets are
//!   warnings with a "did you mean". [`generate`] runs the same checks and refuses to
//!   generate from a configuration with errors, so a value is never produced from options
//!   the validator would have rejected.
//! - `uuid` generates a v4 UUID (the reference has no such generator).
//! - `random_string`'s `hex` is `0123456789abcdef`, uniform (the reference lower-cases
//!   Python's `hexdigits`, so its a–f come up twice as often as its digits).
//! - A `validation` failure never puts the value in the message.
//!
//! Every character is an independent uniform pick from the alphabet, drawn by rejection
//! sampling from one batch of random bytes per secret ([`crate::random::uniform_indices`]).
//! There is no guarantee that every enabled class appears, as in the reference.
//!
//! `validation` patterns are Python regular expressions applied with `re.match` (anchored at
//! the start only). They run on `regex-lite`, which accepts most of Python's syntax; what it
//! lacks (look-around, back-references, Unicode classes: `\d`, `\w`, `\s` are ASCII here)
//! makes the pattern an `INVALID_REGEX` error or matches ASCII only. Python's `\Z` is
//! translated to `\z`; Python's `$` also matches before a final newline, ours does not.

// `Diagnostic` is the crate-wide error type; errors here are rare and cold.
#![allow(clippy::result_large_err)]

mod options;
mod payload;

use serde_json::Value;

use crate::diagnostic::{Diagnostic, ErrorCode};
use crate::model::DataMap;
use crate::random::{RandomSource, uniform_indices, wipe};
use crate::secret::SecretValue;
use options::{Plan, plan};
pub use payload::{check_validation, needs_prompt, normalize_value, static_payload};
use payload::{clip, first_missing, is_placeholder, payload_key};

/// Python's `string.ascii_uppercase`.
pub const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
/// Python's `string.ascii_lowercase`.
pub const LOWER: &str = "abcdefghijklmnopqrstuvwxyz";
/// Python's `string.digits`.
pub const DIGITS: &str = "0123456789";
/// Python's `string.punctuation`: the 32 ASCII punctuation characters, in its order.
pub const PUNCTUATION: &str = r##"!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~"##;
/// The `alphanumeric` charset of `random_string` (the default): Python's
/// `ascii_letters + digits`, lower case first.
pub const ALPHANUMERIC: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
/// The `alpha` charset of `random_string`: Python's `ascii_letters`.
pub const ALPHA: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
/// The `numeric` charset of `random_string`: Python's `digits`.
pub const NUMERIC: &str = DIGITS;
/// The `hex` charset of `random_string` (without the reference's doubled a–f).
pub const HEX: &str = "0123456789abcdef";

/// `length` when the option is absent.
pub const DEFAULT_LENGTH: usize = 32;
/// The largest `length` accepted (a larger value is almost certainly a mistake, and would
/// make a wasm instance allocate without bound).
pub const MAX_LENGTH: usize = 4096;

/// One problem with a generator's `config`, as found by [`check_config`].
///
/// The diagnostic has no path or span: the caller knows where the secret is and attaches
/// them, using `key` to point at the offending option.
#[derive(Clone, Debug, PartialEq)]
pub struct ConfigProblem {
    /// The `config` key the problem is about (`length`, `charset`, ...), or `None` when it is
    /// about the combination of options (every character class turned off).
    pub key: Option<String>,
    /// The problem; errors make the Secretfile invalid, warnings do not.
    pub diagnostic: Diagnostic,
}

/// Whether `kind` is `static` or a kind that behaves exactly like it (`azure_app_reg`, spec
/// §2.3): the value is `config.default` / `config.value`, or a person supplies it.
pub fn is_static_like(kind: &str) -> bool {
    matches!(kind, "static" | "azure_app_reg")
}

/// Whether [`generate`] can produce `kind`: `random_password`, `random_string`, `uuid`, and
/// the static-like kinds (which still need a person when their payload [`needs_prompt`]).
pub fn is_generator_kind(kind: &str) -> bool {
    matches!(kind, "random_password" | "random_string" | "uuid") || is_static_like(kind)
}

/// Check the `config` of a secret of `kind`: every problem, errors and warnings, in one pass.
///
/// Kinds this module does not generate (`script`, provider tokens, `templates.*`, unknown
/// kinds) get no problems here. Pure: no randomness, no environment.
///
/// ```
/// use secretzero_agent::generate::check_config;
/// use secretzero_agent::ErrorCode;
///
/// let config = serde_json::json!({"length": "24", "special": "false"});
/// let problems = check_config("random_password", config.as_object().unwrap());
/// assert_eq!(problems.len(), 2);
/// assert!(problems.iter().all(|p| p.diagnostic.code == ErrorCode::WrongType));
/// assert_eq!(problems[0].key.as_deref(), Some("length"));
/// ```
pub fn check_config(kind: &str, config: &DataMap) -> Vec<ConfigProblem> {
    let mut problems = Vec::new();
    let _ = plan(kind, config, &mut problems);
    problems
}

/// Generate (or, for static-like kinds, produce) the value of a secret of `kind`.
///
/// The options are checked as by [`check_config`] first; the first error stops generation.
/// Random kinds draw one batch from `rng` per secret (a second only when rejection sampling
/// exhausts it). A static payload is returned normalised ([`normalize_value`]) after its
/// `validation` check.
///
/// ```
/// use secretzero_agent::generate::generate;
/// use secretzero_agent::random::OsRandom;
///
/// let config = serde_json::json!({"length": 20, "special": false});
/// let v = generate("random_password", config.as_object().unwrap(), &mut OsRandom).unwrap();
/// assert_eq!(v.len(), 20);
/// // EXPOSE: doc example checking the alphabet.
/// assert!(v.expose().chars().all(|c| c.is_ascii_alphanumeric()));
/// ```
///
/// # Errors
/// - the first error of [`check_config`] (`WRONG_TYPE`, `UNSATISFIABLE_GENERATOR`,
///   `INVALID_VALUE`, `INVALID_REGEX`, `VALIDATION_FAILED`), with `path` `config.<key>`;
/// - `MISSING_FIELD` for a static payload that [`needs_prompt`]: a person (or the
///   environment) has to supply the value, which the caller does, not this function;
/// - `UNKNOWN_KIND` for a kind this module does not generate;
/// - `RANDOMNESS` when `rng` fails.
pub fn generate(
    kind: &str,
    config: &DataMap,
    rng: &mut dyn RandomSource,
) -> Result<SecretValue, Diagnostic> {
    let mut problems = Vec::new();
    let plan = plan(kind, config, &mut problems);
    if let Some(p) = problems.into_iter().find(|p| p.diagnostic.is_error()) {
        let d = p.diagnostic;
        return Err(match p.key {
            Some(k) => d.with_path(format!("config.{k}")),
            None => d.with_path("config"),
        });
    }
    match plan {
        Some(Plan::Chars { charset, length }) => random_chars(&charset, length, rng),
        Some(Plan::Uuid) => uuid_v4(rng),
        Some(Plan::Static) => static_value(config),
        Some(Plan::Unsupported) | None => Err(Diagnostic::error(
            ErrorCode::UnknownKind,
            format!(
                "kind `{}` cannot be generated by this implementation",
                clip(kind, 60)
            ),
        )
        .with_hint(
            "the generated kinds are `random_password`, `random_string`, `uuid` and `static`; \
             other kinds need a person or a provider",
        )),
    }
}

fn random_chars(
    charset: &[char],
    length: usize,
    rng: &mut dyn RandomSource,
) -> Result<SecretValue, Diagnostic> {
    let mut indices = uniform_indices(rng, charset.len(), length)?;
    let mut out = String::with_capacity(length);
    for &i in &indices {
        if let Some(&c) = charset.get(i) {
            out.push(c);
        }
    }
    indices.iter_mut().for_each(|i| *i = 0);
    std::hint::black_box(&indices);
    Ok(SecretValue::new(out))
}

/// A random (version 4, RFC 9562 variant) UUID, lower-case and hyphenated.
fn uuid_v4(rng: &mut dyn RandomSource) -> Result<SecretValue, Diagnostic> {
    const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut bytes = [0u8; 16];
    rng.fill(&mut bytes)?;
    if let Some(b) = bytes.get_mut(6) {
        *b = (*b & 0x0f) | 0x40; // version 4
    }
    if let Some(b) = bytes.get_mut(8) {
        *b = (*b & 0x3f) | 0x80; // variant 0b10 (RFC 9562)
    }
    let mut out = String::with_capacity(36);
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        for nibble in [b >> 4, b & 0x0f] {
            if let Some(&d) = HEX_DIGITS.get(usize::from(nibble)) {
                out.push(char::from(d));
            }
        }
    }
    wipe(&mut bytes);
    Ok(SecretValue::new(out))
}

/// The normalised static payload. Its `validation` was checked by [`plan`] (a mismatch is a
/// configuration error there, so the validator reports it too).
fn static_value(config: &DataMap) -> Result<SecretValue, Diagnostic> {
    let key = payload_key(config);
    let payload = static_payload(config);
    let missing = match payload {
        None => Some("the static secret has no `value` (nor `default`)".to_string()),
        Some(root) => first_missing(root).map(|(path, leaf)| match leaf {
            Value::String(s) if is_placeholder(s) => format!(
                "`{key}{}` is the unresolved placeholder `{}`",
                clip(&path, 80),
                clip(s.trim_end_matches('\n'), 80)
            ),
            Value::Null => format!("`{key}{}` is empty (null)", clip(&path, 80)),
            _ => format!("`{key}{}` is blank", clip(&path, 80)),
        }),
    };
    if let Some(message) = missing {
        return Err(Diagnostic::error(ErrorCode::MissingField, message)
            .with_path(format!("config.{key}"))
            .with_hint(
                "set it in the Secretfile (or set the variable its placeholder names), or let a \
                 person or the environment variable named after the secret in upper case supply it",
            ));
    }
    Ok(SecretValue::new(
        payload.map(normalize_value).unwrap_or_default(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::OsRandom;
    use crate::random::testing::{Broken, Counting, SeededRandom};
    use proptest::prelude::*;
    use serde_json::json;
    use std::collections::HashSet;

    fn map(v: serde_json::Value) -> DataMap {
        v.as_object().cloned().unwrap()
    }

    fn gen_with(kind: &str, config: &serde_json::Value, rng: &mut dyn RandomSource) -> String {
        let v = generate(kind, &map(config.clone()), rng).unwrap();
        // EXPOSE: tests inspect generated values.
        v.into_exposed()
    }

    fn gen_seeded(kind: &str, config: serde_json::Value, seed: u64) -> String {
        let mut rng = Counting::new(SeededRandom::from_u64(seed));
        let v = gen_with(kind, &config, &mut rng);
        assert_eq!(rng.fills, 1, "one batch per secret");
        v
    }

    /// Checked independently of this code: the ChaCha20 keystream from Python's
    /// `cryptography` (key = seed as 8 little-endian bytes + 24 zero bytes, zero nonce), bytes
    /// at or above `256 - 256 % n` rejected, the rest mapped by `% n` into the reference's
    /// alphabet built from Python's `string` module (`ascii_uppercase + ascii_lowercase +
    /// digits + punctuation` for random_password, `ascii_letters + digits` etc. for
    /// random_string), and for uuid `uuid.UUID(bytes=...)` after setting version and variant.
    #[test]
    fn seeded_output_is_exact() {
        for (kind, config, seed, expected) in [
            (
                "random_password",
                json!({}),
                1,
                r#"KeR1a<+fZ{n%!js2\i#qv|pF&c|79?i#"#,
            ),
            (
                "random_password",
                json!({"length": 12, "special": false}),
                2,
                "sfxY2iA5EZL7",
            ),
            (
                "random_string",
                json!({}),
                3,
                "etmluKHMjmWOVFCaCoARQkvyvwOC5QBZ",
            ),
            (
                "random_string",
                json!({"charset": "alpha", "length": 20}),
                4,
                "OvzjyRefIKAtlNAaEzUe",
            ),
            (
                "random_string",
                json!({"charset": "numeric", "length": 20}),
                5,
                "73136057333324419055",
            ),
            (
                "random_string",
                json!({"charset": "hex", "length": 20}),
                6,
                "ac2be2a6363f226a8e52",
            ),
            ("uuid", json!({}), 7, "f19ee3b9-6542-4844-a496-af300ed6cb0d"),
        ] {
            assert_eq!(
                gen_seeded(kind, config.clone(), seed),
                expected,
                "{kind} {config}"
            );
        }
    }

    /// The reference's alphabets, as printed by its Python (`string` module, 3.11):
    /// `print(repr(string.ascii_uppercase + string.ascii_lowercase + string.digits +
    /// string.punctuation))` gives
    /// `'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'`;
    /// `string.ascii_letters + string.digits` gives
    /// `'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'`;
    /// `string.hexdigits.lower()` gives `'0123456789abcdefabcdef'` (ours drops the repeat).
    #[test]
    fn charsets_match_the_reference() {
        let password = format!("{UPPER}{LOWER}{DIGITS}{PUNCTUATION}");
        assert_eq!(
            password,
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
        );
        assert_eq!(password.len(), 94);
        assert_eq!(PUNCTUATION.len(), 32);
        assert!(PUNCTUATION.chars().all(|c| c.is_ascii_punctuation()));
        assert_eq!(ALPHANUMERIC, format!("{LOWER}{UPPER}{DIGITS}"));
        assert_eq!(ALPHA, format!("{LOWER}{UPPER}"));
        assert_eq!(NUMERIC, "0123456789");
        assert_eq!(HEX, "0123456789abcdef");
    }

    /// Upper critical value of the chi-square distribution with `df` degrees of freedom at
    /// significance 1e-4, by the Wilson–Hilferty approximation: (X/df)^(1/3) is about normal
    /// with mean 1 - 2/(9 df) and variance 2/(9 df), so the quantile is
    /// df * (1 - 2/(9 df) + z * sqrt(2/(9 df)))^3 with z = Φ⁻¹(1 - 1e-4) = 3.7190164854557.
    /// Against exact quantiles (mpmath) it is high by 1.3 % at df = 9, 0.3 % at df = 31 and
    /// 0.08 % at df = 93, i.e. the true significance is between 0.86e-4 and 1e-4.
    fn chi_square_critical(df: usize) -> f64 {
        const Z: f64 = 3.719_016_485_455_708;
        let a = 2.0 / (9.0 * df as f64);
        df as f64 * (1.0 - a + Z * a.sqrt()).powi(3)
    }

    fn chi_square(counts: &[u64]) -> f64 {
        let total: u64 = counts.iter().sum();
        let expected = total as f64 / counts.len() as f64;
        counts
            .iter()
            .map(|&o| (o as f64 - expected).powi(2) / expected)
            .sum()
    }

    #[test]
    fn wilson_hilferty_matches_tables() {
        // Exact 1e-4 quantiles (mpmath): df 9 -> 33.72, 31 -> 69.11, 93 -> 152.45.
        for (df, exact) in [(9, 33.7199), (31, 69.1057), (93, 152.4497)] {
            let wh = chi_square_critical(df);
            assert!(wh >= exact && wh < exact * 1.015, "{df}: {wh}");
        }
    }

    /// Counts per alphabet position over at least 100,000 characters of `kind`/`config`
    /// (plus `length: 4096`) from the OS generator; fails on any character outside `charset`.
    fn os_counts(kind: &str, config: serde_json::Value, charset: &str) -> Vec<u64> {
        let mut index = [usize::MAX; 128];
        for (i, c) in charset.chars().enumerate() {
            index[c as usize] = i;
        }
        let mut config = map(config);
        config.insert("length".into(), json!(MAX_LENGTH));
        let mut counts = vec![0u64; charset.len()];
        let mut total = 0;
        while total < 100_000 {
            let v = generate(kind, &config, &mut OsRandom).unwrap();
            assert_eq!(v.len(), MAX_LENGTH);
            // EXPOSE: the test counts characters.
            for c in v.expose().chars() {
                let i = index.get(c as usize).copied().unwrap_or(usize::MAX);
                assert!(i < charset.len(), "{c:?} outside the charset");
                counts[i] += 1;
                total += 1;
            }
        }
        counts
    }

    #[test]
    fn every_charset_is_uniform() {
        let password = format!("{UPPER}{LOWER}{DIGITS}{PUNCTUATION}");
        let off = |on: &str| {
            let mut c = json!({"upper": false, "lower": false, "number": false, "special": false});
            c[on] = json!(true);
            c
        };
        let excluded = "\"'`\\lIO01 ";
        let without: String = password
            .chars()
            .filter(|c| !excluded.contains(*c))
            .collect();
        let cases: Vec<(&str, serde_json::Value, String)> = vec![
            ("random_password", json!({}), password.clone()),
            ("random_password", off("upper"), UPPER.into()),
            ("random_password", off("lower"), LOWER.into()),
            ("random_password", off("number"), DIGITS.into()),
            ("random_password", off("special"), PUNCTUATION.into()),
            (
                "random_password",
                json!({"exclude_characters": excluded}),
                without.clone(),
            ),
            ("random_string", json!({}), ALPHANUMERIC.into()),
            ("random_string", json!({"charset": "alpha"}), ALPHA.into()),
            (
                "random_string",
                json!({"charset": "numeric"}),
                NUMERIC.into(),
            ),
            ("random_string", json!({"charset": "hex"}), HEX.into()),
        ];
        assert_eq!(without.len(), 94 - 9, "space is not in the alphabet");
        for (kind, config, charset) in cases {
            let counts = os_counts(kind, config.clone(), &charset);
            let stat = chi_square(&counts);
            let critical = chi_square_critical(charset.len() - 1);
            assert!(
                stat < critical,
                "{kind} {config}: chi-square {stat:.1} >= {critical:.1}"
            );
            assert!(counts.iter().all(|&c| c > 0), "{kind} {config}");
        }
    }

    #[test]
    fn chi_square_test_detects_modulo_bias() {
        // The test must be able to fail: a plain `byte % 94` (no rejection) and the
        // reference's doubled hex alphabet are both caught on the same sample size.
        let mut bytes = vec![0u8; 102_400];
        OsRandom.fill(&mut bytes).unwrap();
        let mut counts = vec![0u64; 94];
        for b in &bytes {
            counts[usize::from(*b) % 94] += 1;
        }
        assert!(chi_square(&counts) > chi_square_critical(93));
        let doubled = "0123456789abcdefabcdef";
        let mut counts = vec![0u64; 16];
        let picks = uniform_indices(&mut OsRandom, doubled.len(), 102_400).unwrap();
        for i in picks {
            let c = doubled.as_bytes()[i];
            counts[HEX.bytes().position(|h| h == c).unwrap()] += 1;
        }
        assert!(chi_square(&counts) > chi_square_critical(15));
    }

    #[test]
    fn lengths_are_honoured() {
        let mut rng = SeededRandom::from_u64(11);
        for length in [1, 2, 31, 32, 33, 100, MAX_LENGTH] {
            for kind in ["random_password", "random_string"] {
                let v = gen_with(kind, &json!({ "length": length }), &mut rng);
                assert_eq!(v.chars().count(), length, "{kind}");
            }
        }
        assert_eq!(gen_with("random_password", &json!({}), &mut rng).len(), 32);
        assert_eq!(gen_with("random_string", &json!({}), &mut rng).len(), 32);
    }

    #[test]
    fn classes_and_exclusions_are_honoured() {
        let mut rng = SeededRandom::from_u64(12);
        let classes = [
            ("upper", UPPER),
            ("lower", LOWER),
            ("number", DIGITS),
            ("special", PUNCTUATION),
        ];
        // Every subset of the classes: exactly the enabled ones can appear, and with 4096
        // characters every enabled character does appear.
        for mask in 1u8..16 {
            let mut config = json!({"length": 4096});
            let mut allowed = String::new();
            for (bit, (name, chars)) in classes.iter().enumerate() {
                let on = mask & (1 << bit) != 0;
                config[name] = json!(on);
                if on {
                    allowed.push_str(chars);
                }
            }
            let v = gen_with("random_password", &config, &mut rng);
            assert!(v.chars().all(|c| allowed.contains(c)), "{config}");
            assert!(allowed.chars().all(|c| v.contains(c)), "{config}");
        }
        let excluded = "abcXYZ019!$%\\\"'`";
        for _ in 0..50 {
            let v = gen_with(
                "random_password",
                &json!({"exclude_characters": excluded, "length": 200}),
                &mut rng,
            );
            assert!(!v.chars().any(|c| excluded.contains(c)));
        }
        // Excluding all but one character leaves a one-symbol alphabet.
        let all_but_q: String = format!("{UPPER}{LOWER}{DIGITS}{PUNCTUATION}")
            .chars()
            .filter(|&c| c != 'q')
            .collect();
        let v = gen_with(
            "random_password",
            &json!({"exclude_characters": all_but_q, "length": 5}),
            &mut rng,
        );
        assert_eq!(v, "qqqqq");
        // random_string charsets, including the fallback for an unknown one.
        for (charset, allowed) in [
            ("alphanumeric", ALPHANUMERIC),
            ("alpha", ALPHA),
            ("numeric", NUMERIC),
            ("hex", HEX),
            ("base64", ALPHANUMERIC),
        ] {
            let v = gen_with(
                "random_string",
                &json!({"charset": charset, "length": 500}),
                &mut rng,
            );
            assert!(v.chars().all(|c| allowed.contains(c)), "{charset}");
        }
    }

    #[test]
    fn uuids_are_distinct_v4_lowercase_hyphenated() {
        let shape = regex_lite::Regex::new(
            r"\A[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\z",
        )
        .unwrap();
        let mut seen = HashSet::new();
        for _ in 0..10_000 {
            let v = gen_with("uuid", &json!({}), &mut OsRandom);
            assert!(shape.is_match(&v), "{v}");
            assert!(seen.insert(v));
        }
        // Version and variant bits are forced whatever the random bytes are.
        let mut ones = crate::random::testing::Replay {
            bytes: vec![0xff],
            pos: 0,
        };
        assert_eq!(
            gen_with("uuid", &json!({}), &mut ones),
            "ffffffff-ffff-4fff-bfff-ffffffffffff"
        );
        let mut zeros = crate::random::testing::Replay {
            bytes: vec![0],
            pos: 0,
        };
        assert_eq!(
            gen_with("uuid", &json!({}), &mut zeros),
            "00000000-0000-4000-8000-000000000000"
        );
    }

    #[test]
    fn static_values_are_normalised_payloads() {
        let mut rng = Broken; // static never draws randomness
        for (config, expected) in [
            (json!({"value": "abc"}), "abc"),
            (json!({"default": "", "value": "ignored"}), ""),
            (json!({"value": "   "}), "   "),
            (json!({"value": true}), "True"),
            (json!({"value": 493}), "493"),
            (json!({"value": 1.0}), "1.0"),
            (json!({"value": "${A}${B}"}), "${A}${B}"),
            (
                json!({"value": {"b": 1, "a": {"y": "x"}}}),
                r#"{"a":{"y":"x"},"b":1}"#,
            ),
            (json!({"value": [1, "x", true, 1.5]}), r#"[1,"x",true,1.5]"#),
            (
                json!({"value": "sk_live_1", "validation": "sk_"}),
                "sk_live_1",
            ),
            (json!({"value": "", "validation": "^x$"}), ""),
        ] {
            assert_eq!(gen_with("static", &config, &mut rng), expected, "{config}");
            assert_eq!(gen_with("azure_app_reg", &config, &mut rng), expected);
        }
    }

    #[test]
    fn static_payloads_that_need_a_person_are_missing_fields() {
        for (config, path, needle) in [
            (json!({}), "config.value", "no `value`"),
            (json!({"value": null}), "config.value", "`value` is empty"),
            (
                json!({"default": null, "value": "x"}),
                "config.default",
                "`default` is empty",
            ),
            (
                json!({"value": "${DB_PASSWORD}"}),
                "config.value",
                "placeholder `${DB_PASSWORD}`",
            ),
            (
                json!({"value": {"db": {"user": "u", "password": " "}}}),
                "config.value",
                "`value.db.password` is blank",
            ),
        ] {
            let e = generate("static", &map(config.clone()), &mut Broken).unwrap_err();
            assert_eq!(e.code, ErrorCode::MissingField, "{config}");
            assert_eq!(e.path.as_deref(), Some(path));
            assert!(e.message.contains(needle), "{}", e.message);
        }
    }

    #[test]
    fn generate_refuses_configurations_with_errors() {
        for (kind, config, code, path) in [
            (
                "random_password",
                json!({"length": "24"}),
                ErrorCode::WrongType,
                "config.length",
            ),
            (
                "random_password",
                json!({"special": "false"}),
                ErrorCode::WrongType,
                "config.special",
            ),
            (
                "random_password",
                json!({"upper": false, "lower": false, "number": false, "special": false}),
                ErrorCode::UnsatisfiableGenerator,
                "config",
            ),
            (
                "random_string",
                json!({"length": 0}),
                ErrorCode::UnsatisfiableGenerator,
                "config.length",
            ),
            (
                "random_string",
                json!({"length": 4097}),
                ErrorCode::InvalidValue,
                "config.length",
            ),
            (
                "static",
                json!({"value": "x", "validation": "("}),
                ErrorCode::InvalidRegex,
                "config.validation",
            ),
            (
                "static",
                json!({"value": "x", "validation": "^y"}),
                ErrorCode::ValidationFailed,
                "config.value",
            ),
            (
                "static",
                json!({"value": {"a": [1]}}),
                ErrorCode::InvalidValue,
                "config.value",
            ),
        ] {
            let mut rng = Counting::new(SeededRandom::from_u64(0));
            let e = generate(kind, &map(config.clone()), &mut rng).unwrap_err();
            assert_eq!((e.code, e.path.as_deref()), (code, Some(path)), "{config}");
            assert_eq!(rng.fills, 0, "nothing drawn for a bad configuration");
        }
        // Warnings do not stop generation.
        let v = gen_seeded(
            "random_string",
            json!({"charset": "base64", "colour": 1}),
            9,
        );
        assert_eq!(v.len(), 32);
    }

    #[test]
    fn other_kinds_and_failing_sources() {
        for kind in [
            "script",
            "github_pat",
            "templates.db",
            "provider_backed",
            "",
        ] {
            let e = generate(kind, &DataMap::new(), &mut Broken).unwrap_err();
            assert_eq!(e.code, ErrorCode::UnknownKind);
            assert!(!is_generator_kind(kind));
        }
        for kind in ["random_password", "random_string", "uuid"] {
            assert!(is_generator_kind(kind));
            let e = generate(kind, &DataMap::new(), &mut Broken).unwrap_err();
            assert_eq!(e.code, ErrorCode::Randomness);
        }
        assert!(is_generator_kind("static") && is_static_like("azure_app_reg"));
        assert!(!is_static_like("Static"));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// No error built from a value shows it: neither its `Debug` nor its `Display`.
        #[test]
        fn errors_never_contain_the_value(value in "[A-Za-z0-9_]{12,40}") {
            let value = format!("V{value}"); // never matches `^#`
            let errors = [
                generate("static", &map(json!({"value": value, "validation": "^#"})), &mut Broken)
                    .unwrap_err(),
                generate(
                    "static",
                    &map(json!({"value": {"user": value, "password": null}})),
                    &mut Broken,
                )
                .unwrap_err(),
                generate(
                    "static",
                    &map(json!({"value": {"user": value, "list": [value]}})),
                    &mut Broken,
                )
                .unwrap_err(),
                check_validation("^#", &value).unwrap_err(),
            ];
            for e in errors {
                let (debug, display) = (format!("{e:?}"), e.to_string());
                prop_assert!(!debug.contains(&value) && !display.contains(&value));
            }
            for p in check_config("static", &map(json!({"value": value, "validation": "^#"}))) {
                let debug = format!("{p:?}");
                prop_assert!(!debug.contains(&value));
            }
            let secret = generate("static", &map(json!({ "value": value })), &mut Broken).unwrap();
            prop_assert_eq!(format!("{secret:?}"), "[redacted]");
        }
    }
}
