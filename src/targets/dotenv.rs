//! The dotenv format: read an existing `.env`, update our keys in place, quote values so that
//! they come back byte for byte.
//!
//! # Reading
//!
//! The grammar is python-dotenv's (1.2.x, the reference CLI's ecosystem), ported rule for rule:
//! `[export ]KEY=value` bindings, `'KEY'` quoted keys, single-quoted values (escapes `\\` and
//! `\'`), double-quoted values (escapes `\\ \' \" \a \b \f \n \r \t \v`), multi-line quoted
//! values, unquoted values that end at the line end minus an inline comment (`#` after
//! whitespace) and trailing whitespace, `KEY` without `=` (no value), and python-dotenv's error
//! recovery (a line it cannot parse is skipped up to its end). Like python-dotenv reading a
//! file, a leading BOM is ignored and `\r\n` / `\r` line ends read as `\n`. Variable expansion
//! (`${NAME}`) is **not** applied: [`parse_dotenv`] returns the values as written, which is what
//! a drift check compares. Hostile input cannot make it panic or loop: every step advances.
//!
//! # Writing
//!
//! [`render`] keeps the existing text byte for byte except the values of our keys:
//! comments, blank lines, `export ` prefixes, key spelling, inline comments after a value,
//! unrelated keys, order and line-ending style (CRLF stays CRLF) are preserved. A key that
//! occurs several times is updated at **every** occurrence (as python-dotenv's `set_key` does),
//! so every loader sees the new value whether it keeps the first or the last occurrence, and no
//! stale copy of a secret stays in the file. New keys are appended at the end in entry order,
//! with `export ` when every existing binding uses it. The output always ends with a line end.
//! After rendering, the text is parsed back with the grammar above and every one of our keys
//! must read back to its value; a damaged existing file that would swallow a new line (an
//! unterminated quote) is refused with `TARGET_MERGE_FAILED` instead of being made worse.
//!
//! With `merge: false` the existing text is ignored and the file holds only our keys, one
//! `KEY=value` line each (`\n` line ends), like the reference.
//!
//! # Quoting
//!
//! The reference writes `KEY=value`, wrapping the value in `"` (unescaped) when it contains a
//! space, `"`, `'`, `$`, `\` or a newline: `say "hi"` or `a #b` do not read back. Ours picks,
//! per value, the first encoding that fits ([`encoding_of`]):
//!
//! | encoding | used when the value | example |
//! | --- | --- | --- |
//! | bare | is non-empty and only has ASCII letters, digits and `_ - . , / : @ % + =` | `KEY=abc-123` |
//! | empty | is empty | `KEY=` |
//! | single | has no `'`, no CR, no `\\` pair and does not end with `\` | `KEY='p@ss $x#1'` |
//! | double | has no `"` and no `\` (so it has `'` or CR); LF is written `\n`, CR `\r` | `KEY="it's"` |
//! | raw | has no control character, no whitespace but inner spaces, no ` #`, does not start with `'` or `"`, and is not wrapped in backticks | `KEY=a'b"c\d` |
//! | escaped | anything else: `"…"` with `\\`, `\"`, `\n`, `\r` escapes | `KEY="a'b\"c\\d #"` |
//!
//! Bare and empty values are byte-identical to the reference (an alphanumeric secret gives
//! the same file). Single quotes come first because every reader takes them verbatim (and
//! docker compose and shells do not expand `$` in them); raw exists for values holding both
//! kinds of quote or a backslash pair, which npm dotenv cannot read from any quoted form.
//!
//! Which readers give the value back exactly, as checked by `scripts/dotenv-roundtrip.py`
//! and `scripts/dotenv-roundtrip.mjs` on 551 values (a hostile table, 400 random passwords
//! from the reference's charset, 100 random strings of quotes, backslashes, `#`, `$`, CR, LF,
//! NUL, non-ASCII and Unicode spaces), each alone and all together in one merged file:
//!
//! | reader | bare, empty | single | double | raw | escaped |
//! | --- | --- | --- | --- | --- | --- |
//! | python-dotenv 1.2.4, `interpolate=False`; [`parse_dotenv`] | yes | yes | yes | yes | yes |
//! | python-dotenv 1.0.1 – 1.2.1 | yes | yes | yes | yes | yes, but see below |
//! | npm `dotenv` 16.6, 17.4, 18.0 `parse` (and 18's `fast`) | yes | yes | yes | without `#` | **no** (`\\`, `\"` stay) |
//! | the reference's own reader (`FileTarget.retrieve`) | yes | one line | one line | yes | no |
//! | docker compose `env_file` (compose-go, read from its source) | yes | yes | without `$` | without `$` | without `$` |
//! | POSIX shell `set -a; . ./.env` (checked once with dash) | yes | yes | without `$`, `` ` ``, CR or LF | no | no |
//!
//! Of the 400 random passwords: 74% single, 15% double, 9% raw, 1% bare, 1% escaped;
//! python-dotenv reads back 100%, npm dotenv 96.5%, compose (by its rules) 94.5%.
//!
//! Known limits, none avoidable by any encoding: python-dotenv expands `${NAME}` and
//! `${NAME:-default}` in every value, quoted or not, when `interpolate=True` (its default) and
//! has no escape for it, so such values only round-trip with interpolation off (npm dotenv
//! without dotenv-expand, compose in single quotes and shells in single quotes keep them).
//! python-dotenv before 1.2.4 reads `\\"` as an escaped quote: an escaped value that ends
//! with a backslash (one that also starts with a quote, or holds a control character, tab or
//! newline) runs on to the next `"` in the file. A value with a raw newline is written
//! single-quoted over several lines (python-dotenv, npm dotenv, compose and shells read it;
//! the reference's line-based reader does not). A NUL character is written like any other,
//! but no process environment can hold it.
//!
//! # Keys
//!
//! [`check_key`] sorts keys into three groups: portable environment variable names
//! (`[A-Za-z_][A-Za-z0-9_]*`), names that dotenv readers accept but shells cannot set
//! (`db-password`, `app.key`, `1ST`: a warning), and names that would not parse back as
//! themselves (empty, whitespace, `=`, `#`, quotes, control characters: an error; [`render`]
//! refuses them with `INVALID_TARGET`). The reference writes any name.
//!
//! Values reach this module as plain strings: callers pass the exposed secret value and must
//! not log the rendered text.

mod grammar;

use grammar::{bindings, py_space, universal_newlines};

use crate::diagnostic::{Diagnostic, ErrorCode, LineIndex};

/// Read a dotenv text the way python-dotenv's `dotenv_values(path, interpolate=False)` reads
/// the file: `(key, value)` for every binding with a value, in file order, duplicates
/// included (loaders keep the last). Lines python-dotenv cannot parse and keys without `=` are
/// skipped; a leading BOM is ignored; `\r\n` and `\r` count as `\n`. Never panics.
///
/// ```
/// use secretzero_agent::targets::dotenv::parse_dotenv;
/// let text = "# db\nexport DB_USER=app\nDB_PASS='p#ss word' # set by secretzero\n";
/// assert_eq!(
///     parse_dotenv(text),
///     vec![("DB_USER".into(), "app".into()), ("DB_PASS".into(), "p#ss word".into())]
/// );
/// ```
pub fn parse_dotenv(text: &str) -> Vec<(String, String)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let text = universal_newlines(text);
    bindings(&text)
        .into_iter()
        .filter(|b| !b.error)
        .filter_map(|b| Some((b.key?, b.value?)))
        .collect()
}

/// The value of `key` in a dotenv text (its last occurrence), as [`parse_dotenv`] reads it.
pub fn lookup(text: &str, key: &str) -> Option<String> {
    parse_dotenv(text)
        .into_iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}

/// How [`encode_value`] writes a value (see the module docs for the rules and which readers
/// read each one back).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// Unquoted, made only of characters no reader treats specially.
    Bare,
    /// The empty value, `KEY=`.
    Empty,
    /// Single quotes, the value verbatim.
    Single,
    /// Double quotes; LF written `\n`, CR `\r`, nothing else escaped.
    Double,
    /// Unquoted and verbatim (values that single or double quotes cannot hold for npm dotenv).
    Raw,
    /// Double quotes with `\\`, `\"`, `\n` and `\r` escapes.
    Escaped,
}

fn bare_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_-.,/:@%+=".contains(c)
}

/// Characters a raw (unquoted, verbatim) value may hold: no control characters, and no
/// whitespace but the plain space (python-dotenv, npm dotenv and compose trim the others).
fn raw_char(c: char) -> bool {
    c == ' ' || !(c.is_control() || c.is_whitespace() || c == '\u{feff}')
}

/// Whether `value` reads back unquoted: no control or edge whitespace, no ` #` comment start,
/// no leading quote (a quoted value would be parsed), not wrapped in backticks (npm strips
/// them).
fn fits_raw(value: &str) -> bool {
    let wrapped = value.starts_with('`') && value.ends_with('`');
    value.chars().all(raw_char)
        && !value.contains(" #")
        && !value.starts_with([' ', '\'', '"'])
        && !value.ends_with(' ')
        && !wrapped
}

/// The [`Encoding`] [`encode_value`] uses for `value`.
pub fn encoding_of(value: &str) -> Encoding {
    if value.is_empty() {
        Encoding::Empty
    } else if value.chars().all(bare_char) {
        Encoding::Bare
    } else if !value.contains(['\'', '\r']) && !value.contains("\\\\") && !value.ends_with('\\') {
        Encoding::Single
    } else if !value.contains(['"', '\\']) {
        Encoding::Double
    } else if fits_raw(value) {
        Encoding::Raw
    } else {
        Encoding::Escaped
    }
}

/// The text written after `KEY=` for `value` (see the module docs).
///
/// ```
/// use secretzero_agent::targets::dotenv::encode_value;
/// assert_eq!(encode_value("abc123"), "abc123");
/// assert_eq!(encode_value("p@ss word#1"), "'p@ss word#1'");
/// assert_eq!(encode_value("it's"), "\"it's\"");
/// assert_eq!(encode_value("a'b\"c #"), "\"a'b\\\"c #\"");
/// ```
pub fn encode_value(value: &str) -> String {
    match encoding_of(value) {
        Encoding::Bare | Encoding::Raw => value.to_string(),
        Encoding::Empty => String::new(),
        Encoding::Single => format!("'{value}'"),
        Encoding::Double | Encoding::Escaped => {
            let mut out = String::with_capacity(value.len() + 2);
            out.push('"');
            for c in value.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '"' => out.push_str("\\\""),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    c => out.push(c),
                }
            }
            out.push('"');
            out
        }
    }
}

/// Whether a dotenv key is usable (see [`check_key`]).
#[derive(Clone, Debug, PartialEq)]
pub enum KeyCheck {
    /// A portable environment variable name (`[A-Za-z_][A-Za-z0-9_]*`).
    Portable,
    /// Dotenv readers accept it but shells cannot set it; a warning to show.
    Unportable(Diagnostic),
    /// It would not read back as itself; an error ([`render`] refuses it).
    Invalid(Diagnostic),
}

/// Classify a key written to a dotenv file. Diagnostics name the key (keys are not secret).
pub fn check_key(key: &str) -> KeyCheck {
    let breaks = |c: char| py_space(c) || c.is_control() || "=#'\"`".contains(c);
    if key.is_empty() || key.chars().any(breaks) {
        return KeyCheck::Invalid(
            Diagnostic::error(
                ErrorCode::InvalidTarget,
                format!("dotenv key {key:?} cannot be written: it is empty or has whitespace, `=`, `#`, a quote or a control character"),
            )
            .with_hint("set the target's `key` to a name like `DB_PASSWORD`"),
        );
    }
    let mut chars = key.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if first_ok && chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        KeyCheck::Portable
    } else {
        KeyCheck::Unportable(
            Diagnostic::warning(
                ErrorCode::InvalidTarget,
                format!("dotenv key `{key}` is not a portable environment variable name"),
            )
            .with_hint(
                "dotenv loaders read it but shells cannot set it; use letters, digits and `_` \
                 (set the target's `key` to keep the secret's name)",
            ),
        )
    }
}

/// Render the dotenv file that holds `entries` (`(key, exposed value)`, in sync order).
///
/// With `merge` and an `existing` text, that text is kept and only our keys change (see the
/// module docs); otherwise the file is just our keys. A key given twice takes its last value
/// at its first position. Errors: `INVALID_TARGET` for a key that cannot be written,
/// `TARGET_MERGE_FAILED` when the existing text is damaged so that a value would not read back.
///
/// ```
/// use secretzero_agent::targets::dotenv::render;
/// let existing = "# app\r\nexport API_KEY=old # rotated\r\nDEBUG=1\r\n";
/// let entries = vec![
///     ("API_KEY".to_string(), "s3cr3t".to_string()),
///     ("DB_PASS".to_string(), "p w".to_string()),
/// ];
/// assert_eq!(
///     render(Some(existing), true, &entries).unwrap(),
///     "# app\r\nexport API_KEY=s3cr3t # rotated\r\nDEBUG=1\r\nDB_PASS='p w'\r\n"
/// );
/// ```
pub fn render(
    existing: Option<&str>,
    merge: bool,
    entries: &[(String, String)],
) -> Result<String, Diagnostic> {
    // Last value wins, first position kept (a Python dict, as in the reference).
    let mut wanted: indexmap::IndexMap<&str, &str> = indexmap::IndexMap::new();
    for (key, value) in entries {
        if let KeyCheck::Invalid(d) = check_key(key) {
            return Err(d);
        }
        wanted.insert(key.as_str(), value.as_str());
    }

    let source = if merge { existing.unwrap_or("") } else { "" };
    let (bom, body) = match source.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", source),
    };
    // New lines follow the file's first line end (CRLF stays CRLF).
    let eol = match body.find('\n') {
        Some(i) if i > 0 && body.get(i - 1..i) == Some("\r") => "\r\n",
        _ => "\n",
    };

    let parsed = bindings(body);
    let mut out = String::with_capacity(body.len() + 64 * wanted.len());
    out.push_str(bom);
    let mut seen = std::collections::HashSet::new();
    let mut cursor = 0;
    for b in &parsed {
        let Some(key) = b.key.as_deref().filter(|_| !b.error) else {
            continue;
        };
        let Some(value) = wanted.get(key) else {
            continue;
        };
        seen.insert(key.to_string());
        let encoded = encode_value(value);
        let (from, to) = b.value_span.unwrap_or((b.key_end, b.key_end));
        out.push_str(body.get(cursor..from).unwrap_or(""));
        if b.value_span.is_none() {
            out.push('=');
        }
        out.push_str(&encoded);
        // An unquoted value directly followed by `#` would swallow the comment.
        let tail = body.get(to..b.end).unwrap_or("");
        let quoted = encoded.starts_with(['\'', '"']);
        if !quoted && tail.starts_with('#') {
            out.push(' ');
        }
        cursor = to;
    }
    out.push_str(body.get(cursor..).unwrap_or(""));

    let all_export = parsed.iter().any(|b| b.key.is_some() && !b.error)
        && parsed
            .iter()
            .filter(|b| b.key.is_some() && !b.error)
            .all(|b| b.export);
    let mut appended = false;
    for (key, value) in &wanted {
        if seen.contains(*key) {
            continue;
        }
        if !appended && !out.is_empty() && !out.ends_with(['\n', '\r']) {
            out.push_str(eol);
        }
        appended = true;
        if all_export {
            out.push_str("export ");
        }
        out.push_str(key);
        out.push('=');
        out.push_str(&encode_value(value));
        out.push_str(eol);
    }
    if !out.is_empty() && !out.ends_with(['\n', '\r']) {
        out.push_str(eol);
    }

    verify(&out, body, &wanted)?;
    Ok(out)
}

/// Parse `out` back and check that every key reads back as its value (last occurrence).
fn verify(
    out: &str,
    body: &str,
    wanted: &indexmap::IndexMap<&str, &str>,
) -> Result<(), Diagnostic> {
    // Last occurrence wins, as in every loader.
    let back: std::collections::HashMap<String, String> = parse_dotenv(out).into_iter().collect();
    for (key, value) in wanted {
        if back.get(*key).map(String::as_str) != Some(*value) {
            // Point at the first unparsable line of the existing text, the usual culprit.
            let culprit = bindings(body).into_iter().find(|b| b.error);
            let mut d = Diagnostic::error(
                ErrorCode::TargetMergeFailed,
                format!(
                    "the existing dotenv file cannot be updated safely: `{key}` would not read back"
                ),
            )
            .with_hint(
                "fix the unterminated quote or broken line in the file (or set `merge: false`)",
            );
            if let Some(b) = culprit {
                let idx = LineIndex::new(body);
                d = d.at(Some(idx.span(b.start, b.end)));
            }
            return Err(d);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
