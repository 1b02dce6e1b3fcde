//! The YAML format: a mapping of our keys to string values, written byte for byte as the
//! reference writes them, merged into an existing file without rewriting the rest of it.
//!
//! # What the reference does
//!
//! It reads the file with `yaml.safe_load(text) or {}`, sets each key, and writes the whole
//! document back with `yaml.dump(data, default_flow_style=False, sort_keys=False)`: block
//! style, key order kept, new keys last, `allow_unicode` off (so `é` is written `"\xE9"`),
//! lines folded at column 80, and every other entry re-serialised (comments, anchors, quoting
//! and number spellings are lost; `0x1F` becomes `31`). A map-valued secret arrives as its
//! compact JSON text and is written as a string (`'{"a":"b"}'`).
//!
//! # What we do
//!
//! Our entries are written exactly as PyYAML writes them (a port of its emitter,
//! `yaml/emit.rs`), so a new file, a file written with `merge: false`, and the lines of our
//! keys are the reference's bytes. An existing file is edited as text, not re-serialised:
//! - an entry of ours that exists at the top level is replaced where it stands (from its key
//!   to the end of its value, nested content and block scalars included), re-spelled the
//!   PyYAML way; everything else (comments, blank lines, other entries as written, anchors,
//!   a BOM) is kept byte for byte;
//! - a new entry is appended at the end, at the indentation of the top-level mapping;
//! - a file that is empty or only comments gets our entries after its comments; a document
//!   that is just `{}`, `~` or `null` is replaced by our mapping (the reference's result);
//! - a flow mapping root (`{a: 1}`) is edited in flow style (`{a: 1, KEY: value}`), never
//!   folded;
//! - lines we add follow the file's line ending (CRLF stays CRLF).
//!
//! For a file the reference itself wrote this gives the reference's bytes, since PyYAML's
//! output is entry by entry what it writes again. The edited text is parsed back
//! ([`crate::yaml::parse`], PyYAML's reading rules) and must hold exactly the old entries with
//! ours set; anything else (a duplicate of our key, an anchor on our old value that is used
//! elsewhere, a merge key holding our key, a `...` end marker before the end of the file) is
//! refused with `TARGET_MERGE_FAILED` rather than guessed at. A file that is not valid YAML
//! or whose document is not a mapping is refused the same way, with its line and column (the
//! reference turns `false`, `0`, `''` and `[]` into `{}` and drops them, and fails on other
//! non-mappings).
//!
//! [`lookup`] reads a top-level string value back (`None` for any other type, a missing key
//! or a file that does not parse).
//!
//! Known limit: the crate's YAML reader treats a quoted `'<<'` key as a merge key (PyYAML
//! does not), so a secret whose key is `<<` can be written to a new file but not merged
//! into an existing one (refused, nothing lost).

mod emit;

use indexmap::IndexMap;

use crate::diagnostic::{Diagnostic, ErrorCode, LineIndex};
use crate::yaml::{Budgets, Node, Value, parse};

use emit::{Emitter, block_mapping};

/// Render the YAML file holding `entries` (`(key, exposed value)` in sync order; a key given
/// twice keeps its first position and last value), merged into `existing` when `merge` is
/// set. See the module docs.
///
/// ```
/// use secretzero_agent::targets::yaml::render;
/// let entries = vec![
///     ("API_KEY".to_string(), "yes".to_string()),
///     ("TOKEN".to_string(), "t0k#n x".to_string()),
/// ];
/// assert_eq!(
///     render(Some("# app\nport: 8080\nAPI_KEY: old  # rotated\n"), true, &entries).unwrap(),
///     "# app\nport: 8080\nAPI_KEY: 'yes'  # rotated\nTOKEN: t0k#n x\n"
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
    let wanted: Vec<(&str, &str)> = wanted.into_iter().collect();
    match existing {
        Some(text) if merge => merge_into(text, &wanted),
        _ => Ok(block_mapping(0, &wanted)),
    }
}

/// The string value of top-level `key` in a YAML text, read as PyYAML's `safe_load` reads it;
/// `None` when the text does not parse, is not a mapping, lacks the key, or holds another
/// type there.
pub fn lookup(text: &str, key: &str) -> Option<String> {
    let doc = parse(text, &Budgets::default()).ok()?;
    doc.root?.get(key)?.as_str().map(str::to_string)
}

fn merge_failed(text: &str, offset: usize, message: &str) -> Diagnostic {
    let span = LineIndex::new(text).span(offset, offset);
    Diagnostic::error(ErrorCode::TargetMergeFailed, message)
        .at(Some(span))
        .with_hint("fix the file or remove it (or set `merge: false` to overwrite it)")
}

/// The line ending of the file's first line (`\n` when it has none).
fn newline_of(text: &str) -> &'static str {
    match text.find('\n') {
        Some(i) if i > 0 && text.get(i - 1..i) == Some("\r") => "\r\n",
        _ => "\n",
    }
}

fn with_newline(s: &str, nl: &str) -> String {
    if nl == "\n" {
        s.to_string()
    } else {
        s.replace('\n', nl)
    }
}

/// The column (in characters) of byte `pos`, not counting a BOM at the start of the file.
fn column_of(text: &str, pos: usize) -> usize {
    let before = text.get(..pos).unwrap_or("");
    let line = before
        .rfind('\n')
        .map_or(before, |i| before.get(i + 1..).unwrap_or(""));
    line.strip_prefix('\u{feff}')
        .unwrap_or(line)
        .chars()
        .count()
}

/// Just after the `:` that follows a key ending at `pos` (`pos` itself when there is none).
fn colon_end(text: &str, pos: usize) -> usize {
    let rest = text.get(pos..).unwrap_or("");
    let skipped = rest.len() - rest.trim_start_matches([' ', '\t', '\r', '\n']).len();
    if rest.get(skipped..skipped + 1) == Some(":") {
        pos + skipped + 1
    } else {
        pos
    }
}

/// The end of the last character that belongs to `node` in the text. Block collections'
/// spans run on to the next entry (over comments), so their end is their last child's;
/// scalars, flow collections and aliases end where their span does.
fn content_end(text: &str, node: &Node) -> usize {
    let first = text.get(node.span.start..).and_then(|s| s.chars().next());
    let leaf = matches!(first, Some('[' | '{' | '*'));
    match &node.value {
        Value::Seq(items) if !leaf => items
            .iter()
            .map(|n| content_end(text, n))
            .max()
            .unwrap_or(node.span.start),
        Value::Map(entries) if !leaf => entries
            .iter()
            .map(|(k, v)| {
                content_end(text, k)
                    .max(colon_end(text, k.span.end))
                    .max(content_end(text, v))
            })
            .max()
            .unwrap_or(node.span.start),
        _ => node.span.end,
    }
}

/// The text range of a top-level entry: from its key (or the `?` of an explicit key) to the
/// end of its value, trailing whitespace excluded (so a comment after the value stays).
fn entry_range(text: &str, key: &Node, value: &Node) -> (usize, usize) {
    let mut start = key.span.start;
    let before = text.get(..start).unwrap_or("");
    let trimmed = before.trim_end_matches([' ', '\t']);
    if let Some(q) = trimmed.strip_suffix('?') {
        start = q.len();
    }
    let colon = colon_end(text, key.span.end);
    let mut end = colon.max(content_end(text, value));
    let body = text.get(..end).unwrap_or("");
    let kept = body.trim_end_matches([' ', '\t', '\r', '\n']).len();
    end = kept.max(colon);
    (start, end)
}

/// The start of the first `...` line after byte `from` (the end of the document's content).
fn document_end_marker(text: &str, from: usize) -> Option<usize> {
    let rest = text.get(from..)?;
    let first_line_end = rest.find('\n')? + 1;
    let mut pos = from + first_line_end;
    for line in text.get(pos..)?.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        if let Some(after) = body.strip_prefix("...")
            && (after.is_empty() || after.starts_with([' ', '\t']))
        {
            return Some(pos);
        }
        pos += line.len();
    }
    None
}

/// Is the node at this span written in flow style (`{...}`)?
fn is_flow_map(text: &str, node: &Node) -> bool {
    text.get(node.span.start..)
        .is_some_and(|s| s.starts_with('{'))
}

/// Replace a whole-document node (`{}`, `~`) by our block mapping.
fn replace_document(text: &str, node: &Node, wanted: &[(&str, &str)], nl: &str) -> String {
    let block = block_mapping(0, wanted);
    let rest = text.get(node.span.end..).unwrap_or("");
    let block = if rest.starts_with(['\n', '\r']) {
        block.strip_suffix('\n').unwrap_or(&block).to_string()
    } else {
        block
    };
    format!(
        "{}{}{rest}",
        text.get(..node.span.start).unwrap_or(""),
        with_newline(&block, nl)
    )
}

fn merge_into(text: &str, wanted: &[(&str, &str)]) -> Result<String, Diagnostic> {
    let doc = parse(text, &Budgets::default()).map_err(|d| {
        let offset = d.span.map_or(0, |s| s.start);
        merge_failed(text, offset, "the existing YAML file is not valid YAML")
    })?;
    let nl = newline_of(text);
    let root = match doc.root {
        Some(r) if !matches!(r.value, Value::Null) || r.span.end > r.span.start => r,
        _ => {
            // Empty, or only comments / a `---`: our entries go after what is there.
            let mut out = text.to_string();
            if !out.is_empty() && !out.ends_with('\n') {
                out.push_str(nl);
            }
            out.push_str(&with_newline(&block_mapping(0, wanted), nl));
            return verify(text, &[], out, wanted, 0);
        }
    };
    let entries: &[(Node, Node)] = match &root.value {
        Value::Map(m) => m,
        Value::Null => {
            let out = replace_document(text, &root, wanted, nl);
            return verify(text, &[], out, wanted, root.span.start);
        }
        other => {
            let kind = match other {
                Value::Seq(_) => "a list",
                Value::Str(_) => "a string",
                Value::Null => "null",
                Value::Bool(_) => "a boolean",
                Value::Timestamp(_) => "a timestamp",
                _ => "a number",
            };
            return Err(merge_failed(
                text,
                root.span.start,
                &format!("the existing YAML file holds {kind}, not a mapping"),
            ));
        }
    };
    let flow = is_flow_map(text, &root);
    if flow && entries.is_empty() {
        let out = replace_document(text, &root, wanted, nl);
        return verify(text, entries, out, wanted, root.span.start);
    }

    let indent = column_of(text, root.span.start);
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    let mut new: Vec<(&str, &str)> = Vec::new();
    let mut first_found = None;
    for &(key, value) in wanted {
        match entries.iter().find(|(k, _)| k.as_str() == Some(key)) {
            Some((k, v)) => {
                let (start, end) = entry_range(text, k, v);
                first_found.get_or_insert(start);
                let mut e = Emitter::at(column_of(text, start), flow);
                e.entry(indent, key, value);
                super::insert_sorted(
                    &mut edits,
                    (start, end, with_newline(&e.finish(), nl)),
                    |e| e.0,
                );
            }
            None => new.push((key, value)),
        }
    }
    let mut out = String::with_capacity(text.len() + 64 * wanted.len());
    let mut cursor = 0;
    for (start, end, replacement) in &edits {
        if *start < cursor {
            return Err(merge_failed(
                text,
                *start,
                "the existing YAML file cannot be updated in place: two of our entries overlap",
            ));
        }
        out.push_str(text.get(cursor..*start).unwrap_or(""));
        out.push_str(replacement);
        cursor = *end;
    }
    if flow {
        // New entries go after the last entry's value, before any `,` or `}`.
        let last = entries
            .iter()
            .map(|(k, v)| entry_range(text, k, v).1)
            .max()
            .unwrap_or(root.span.start + 1);
        if last < cursor {
            return Err(merge_failed(
                text,
                last,
                "the existing YAML file cannot be updated in place",
            ));
        }
        out.push_str(text.get(cursor..last).unwrap_or(""));
        let mut e = Emitter::at(column_of(text, last), true);
        for &(key, value) in &new {
            e.flow_separator();
            e.entry(indent, key, value);
        }
        out.push_str(&e.finish());
        out.push_str(text.get(last..).unwrap_or(""));
    } else {
        // New entries go at the end of the file, or before a `...` document end marker.
        let last = entries
            .iter()
            .map(|(k, v)| entry_range(text, k, v).1)
            .max()
            .unwrap_or(0);
        let at = document_end_marker(text, last)
            .unwrap_or(text.len())
            .max(cursor);
        out.push_str(text.get(cursor..at).unwrap_or(""));
        if !new.is_empty() {
            if !out.is_empty() && !out.ends_with('\n') {
                out.push_str(nl);
            }
            let mut e = Emitter::at(0, false);
            for &(key, value) in &new {
                e.entry(indent, key, value);
                e.end_line();
            }
            out.push_str(&with_newline(&e.finish(), nl));
        }
        out.push_str(text.get(at..).unwrap_or(""));
    }
    let at = first_found.unwrap_or(root.span.start);
    verify(text, entries, out, wanted, at)
}

/// Equal values, spans ignored (NaN equals NaN: an untouched `.nan` must compare equal).
fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => x == y || (x.is_nan() && y.is_nan()),
        (Value::Seq(x), Value::Seq(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_value(&p.value, &q.value))
        }
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len()
                && x.iter().zip(y).all(|((k1, v1), (k2, v2))| {
                    same_value(&k1.value, &k2.value) && same_value(&v1.value, &v2.value)
                })
        }
        (x, y) => x == y,
    }
}

/// Parse `out` back: its document must hold the old entries, in order, with ours set.
fn verify(
    text: &str,
    old: &[(Node, Node)],
    out: String,
    wanted: &[(&str, &str)],
    at: usize,
) -> Result<String, Diagnostic> {
    let mut expected: Vec<(Value, Value)> = old
        .iter()
        .map(|(k, v)| (k.value.clone(), v.value.clone()))
        .collect();
    for &(key, value) in wanted {
        let k = Value::Str(key.to_string());
        let v = Value::Str(value.to_string());
        match expected.iter_mut().find(|(ek, _)| *ek == k) {
            Some(slot) => slot.1 = v,
            None => expected.push((k, v)),
        }
    }
    let back = parse(&out, &Budgets::default())
        .ok()
        .and_then(|d| d.root)
        .map(|r| r.value);
    let ok = match &back {
        Some(Value::Map(got)) => {
            got.len() == expected.len()
                && got.iter().zip(&expected).all(|((gk, gv), (ek, ev))| {
                    same_value(&gk.value, ek) && same_value(&gv.value, ev)
                })
        }
        _ => false,
    };
    if ok {
        Ok(out)
    } else {
        Err(merge_failed(
            text,
            at,
            "the existing YAML file cannot be updated in place without changing its other content",
        )
        .with_hint(
            "write each of our keys once, as a plain top-level `key: value` entry without anchors \
             or merge keys (or set `merge: false` to overwrite the file)",
        ))
    }
}

#[cfg(test)]
pub(super) mod tests;
