//! The TOML format: our keys as top-level `key = "value"` lines, merged into an existing file
//! by editing its text.
//!
//! # The reference
//!
//! The reference CLI writes TOML with the optional `tomli-w` package and reads it with `tomli`;
//! neither is a dependency of secretzero 0.14.23, so out of the box every TOML target fails
//! (`tomli-w package required for TOML support`; checked with the reference CLI). With both
//! installed it would read the file, set each key and write everything back with
//! `tomli_w.dumps`: top-level values first, then tables, comments and formatting lost.
//!
//! # What we write
//!
//! What `tomli_w.dumps` writes for a string (tomli-w 1.2, checked byte for byte): `key =
//! "value"`, a basic string with `\"`, `\\`, `\b`, `\n`, `\f`, `\r`, the other control
//! characters and DEL as `\u00XX`, tab and non-ASCII characters as they are. A key made only
//! of ASCII letters, digits, `_` and `-` is written bare, any other key (`a.b`, `é`, the empty
//! key) as a basic string. A new file, or `merge: false`, holds just those lines, which is
//! `tomli_w.dumps` of our entries. Every value reads back exactly through Python's
//! `tomllib` (checked by `scripts/formats-roundtrip.py`).
//!
//! # Merging
//!
//! The existing text is scanned (a TOML 1.0 tokenizer that knows where every key, value,
//! string, array, inline table and table header starts and ends) and edited, never
//! re-serialised:
//! - a top-level `key = ...` of ours has its value replaced (whatever its type, on one line or
//!   several), the rest of its line (a comment) kept;
//! - a new key goes after the last top-level key/value line, so it stays outside every
//!   table; when there is none, before the first table header (and the comments right above
//!   it), followed by a blank line; in an empty file, at the end;
//! - comments, blank lines, formatting, tables and line endings (CRLF stays CRLF) are kept.
//!
//! For a file that `tomli_w` wrote, this is the bytes `tomli_w` would write. Refused with
//! `TARGET_MERGE_FAILED` and a position, nothing written: text that does not scan as TOML, a
//! key of ours that is a table in the file (`[KEY]`, `[KEY.sub]`, `[[KEY]]`, `KEY.sub = 1`) or
//! is defined twice. The result is scanned again and must hold every other item unchanged and
//! our keys with our values.
//!
//! [`lookup`] reads a top-level string value back (`None` for another type, a missing key, or
//! text that does not scan).

mod scan;

use indexmap::IndexMap;

use crate::diagnostic::{Diagnostic, ErrorCode, LineIndex};

use scan::{Item, is_bare, scan, string_value};

/// `tomli_w`'s basic string for `s` (never multi-line).
fn format_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push('\t'),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `tomli_w`'s key: bare when it can be.
fn format_key(key: &str) -> String {
    if !key.is_empty() && key.bytes().all(is_bare) {
        key.to_string()
    } else {
        format_string(key)
    }
}

fn line(key: &str, value: &str, nl: &str) -> String {
    format!("{} = {}{nl}", format_key(key), format_string(value))
}

fn merge_failed(text: &str, offset: usize, message: String) -> Diagnostic {
    let span = LineIndex::new(text).span(offset, offset);
    Diagnostic::error(ErrorCode::TargetMergeFailed, message)
        .at(Some(span))
        .with_hint("fix the file or remove it (or set `merge: false` to overwrite it)")
}

/// Render the TOML file holding `entries` (`(key, exposed value)` in sync order; a key given
/// twice keeps its first position and last value), merged into `existing` when `merge` is
/// set. See the module docs.
///
/// ```
/// use secretzero_agent::targets::toml::render;
/// let existing = "# app\nport = 8080\nAPI_KEY = \"old\" # rotated\n\n[db]\nhost = \"x\"\n";
/// let entries = vec![
///     ("API_KEY".to_string(), "n\"ew".to_string()),
///     ("db.pass".to_string(), "p\\w".to_string()),
/// ];
/// assert_eq!(
///     render(Some(existing), true, &entries).unwrap(),
///     "# app\nport = 8080\nAPI_KEY = \"n\\\"ew\" # rotated\n\"db.pass\" = \"p\\\\w\"\n\n[db]\nhost = \"x\"\n"
/// );
/// ```
pub fn render(
    existing: Option<&str>,
    merge: bool,
    entries: &[(String, String)],
) -> Result<String, Diagnostic> {
    let mut wanted: IndexMap<&str, &str> = IndexMap::new();
    for (key, value) in entries {
        wanted.insert(key, value);
    }
    let text = match existing {
        Some(text) if merge => text,
        _ => return Ok(wanted.iter().map(|(k, v)| line(k, v, "\n")).collect()),
    };
    let items = scan(text).map_err(|(at, what)| {
        merge_failed(
            text,
            at,
            format!("the existing TOML file is not valid TOML: {what}"),
        )
    })?;
    let nl = match text.find('\n') {
        Some(i) if i > 0 && text.get(i - 1..i) == Some("\r") => "\r\n",
        _ => "\n",
    };

    let mut replace: Vec<(usize, usize, String)> = Vec::new();
    let mut new: Vec<String> = Vec::new();
    for (&key, &value) in &wanted {
        let mut found = None;
        for item in &items {
            match item {
                Item::Header { keys, start, .. } if keys.first().is_some_and(|k| k == key) => {
                    return Err(table_conflict(text, *start, key));
                }
                Item::Pair {
                    keys,
                    key_start,
                    value: range,
                    in_table: false,
                    ..
                } if keys.first().is_some_and(|k| k == key) => {
                    if keys.len() > 1 {
                        return Err(table_conflict(text, *key_start, key));
                    }
                    if found.is_some() {
                        return Err(merge_failed(
                            text,
                            *key_start,
                            format!("`{key}` is defined twice in the existing TOML file"),
                        ));
                    }
                    found = Some(*range);
                }
                _ => {}
            }
        }
        match found {
            Some((start, end)) => {
                super::insert_sorted(&mut replace, (start, end, format_string(value)), |r| r.0)
            }
            None => new.push(line(key, value, nl)),
        }
    }

    // Where new keys go (see the module docs), and whether a blank line must follow them.
    let last_top = items.iter().rev().find_map(|i| match i {
        Item::Pair {
            in_table: false,
            line_end,
            ..
        } => Some(*line_end),
        _ => None,
    });
    let first_header = items.iter().find_map(|i| match i {
        Item::Header { start, .. } => Some(*start),
        _ => None,
    });
    let (insert_at, blank_after) = match (last_top, first_header) {
        (Some(end), _) => (end, false),
        (None, Some(start)) => (attached_comments_start(text, start), true),
        (None, None) => (text.len(), false),
    };

    let mut out = String::with_capacity(text.len() + 64 * wanted.len());
    let mut cursor = 0;
    let mut inserted = new.is_empty();
    for (start, end, replacement) in &replace {
        if !inserted && insert_at <= *start {
            push_new(
                &mut out,
                text,
                &mut cursor,
                insert_at,
                &new,
                blank_after,
                nl,
            );
            inserted = true;
        }
        out.push_str(text.get(cursor..*start).unwrap_or(""));
        out.push_str(replacement);
        cursor = *end;
    }
    if !inserted {
        push_new(
            &mut out,
            text,
            &mut cursor,
            insert_at,
            &new,
            blank_after,
            nl,
        );
    }
    out.push_str(text.get(cursor..).unwrap_or(""));
    verify(text, &items, &out, &wanted)?;
    Ok(out)
}

/// Copy the text up to `at`, then our new lines.
fn push_new(
    out: &mut String,
    text: &str,
    cursor: &mut usize,
    at: usize,
    new: &[String],
    blank_after: bool,
    nl: &str,
) {
    out.push_str(text.get(*cursor..at).unwrap_or(""));
    *cursor = at.max(*cursor);
    if !out.is_empty() && !out.ends_with('\n') {
        out.push_str(nl);
    }
    for l in new {
        out.push_str(l);
    }
    if blank_after {
        out.push_str(nl);
    }
}

/// The start of the comment lines directly above the line at `start` (no blank line between).
fn attached_comments_start(text: &str, start: usize) -> usize {
    let mut at = text
        .get(..start)
        .and_then(|b| b.rfind('\n'))
        .map_or(0, |i| i + 1);
    while at > 0 {
        let before = text.get(..at - 1).unwrap_or("");
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let line = before.get(line_start..).unwrap_or("");
        if line.trim_start_matches([' ', '\t']).starts_with('#') {
            at = line_start;
        } else {
            break;
        }
    }
    at
}

fn table_conflict(text: &str, at: usize, key: &str) -> Diagnostic {
    merge_failed(
        text,
        at,
        format!("`{key}` is a table in the existing TOML file, not a value we can set"),
    )
    .with_hint("rename the table or use another `key` for this target (or set `merge: false`)")
}

/// Scan `out` again: every item of `text` that is not ours must be there unchanged, and our
/// keys must read back.
fn verify(
    text: &str,
    before: &[Item],
    out: &str,
    wanted: &IndexMap<&str, &str>,
) -> Result<(), Diagnostic> {
    let fail = |key: &str| {
        merge_failed(
            text,
            0,
            format!("the existing TOML file cannot be updated safely: `{key}` would not read back"),
        )
    };
    let Ok(after) = scan(out) else {
        return Err(fail(wanted.keys().next().copied().unwrap_or("")));
    };
    // Items as (kind, keys, raw value text), ours left out.
    let others = |items: &[Item], src: &str| -> Vec<(bool, Vec<String>, String)> {
        items
            .iter()
            .filter_map(|i| match i {
                Item::Pair {
                    keys,
                    value,
                    in_table,
                    ..
                } => {
                    let ours = !in_table
                        && keys.len() == 1
                        && keys
                            .first()
                            .is_some_and(|k| wanted.contains_key(k.as_str()));
                    (!ours).then(|| {
                        (
                            *in_table,
                            keys.clone(),
                            src.get(value.0..value.1).unwrap_or("").to_string(),
                        )
                    })
                }
                Item::Header { keys, array, .. } => Some((
                    true,
                    keys.clone(),
                    if *array { "[[" } else { "[" }.to_string(),
                )),
            })
            .collect()
    };
    if others(before, text) != others(&after, out) {
        return Err(fail(wanted.keys().next().copied().unwrap_or("")));
    }
    for (key, value) in wanted {
        if get(&after, out, key).as_deref() != Some(*value) {
            return Err(fail(key));
        }
    }
    Ok(())
}

/// The string value of top-level `key` in scanned items.
fn get(items: &[Item], text: &str, key: &str) -> Option<String> {
    let mut found = items.iter().filter_map(|i| match i {
        Item::Pair {
            keys,
            value,
            in_table: false,
            ..
        } if keys.len() == 1 && keys.first().is_some_and(|k| k == key) => Some(*value),
        _ => None,
    });
    let (start, end) = found.next()?;
    if found.next().is_some() {
        return None;
    }
    string_value(text.get(start..end)?)
}

/// The string value of top-level `key` in a TOML text, as `tomllib` reads it; `None` when the
/// text does not scan, lacks the key (or defines it twice), or holds another type there.
///
/// ```
/// use secretzero_agent::targets::toml::lookup;
/// let text = "a = \"x\\ty\"\nb = '''\nraw\\n'''\nn = 1\n[t]\nc = \"in a table\"\n";
/// assert_eq!(lookup(text, "a").as_deref(), Some("x\ty"));
/// assert_eq!(lookup(text, "b").as_deref(), Some("raw\\n"));
/// assert_eq!(lookup(text, "n"), None);
/// assert_eq!(lookup(text, "c"), None);
/// ```
pub fn lookup(text: &str, key: &str) -> Option<String> {
    get(&scan(text).ok()?, text, key)
}

#[cfg(test)]
pub(super) mod tests;
