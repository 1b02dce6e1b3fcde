//! The tfvars format: Terraform variable files, `key = "value"` lines of HCL.
//!
//! # The reference
//!
//! The reference's `hcl_tfvars` module writes a file as its header comment (only when the
//! file did not exist yet) and then every variable sorted by name, `name = <json.dumps(value)>`,
//! one per line, with a final newline. It reads an existing file with a strict line parser
//! (flat `name = "string"`, `true`/`false` and plain numbers, `#` comments), turns every value
//! into a string and writes everything back sorted: comments, the header and non-string
//! types are lost, and a value holding `{`, `[` or `<<` anywhere (a JSON map, `${...}`) makes
//! it refuse the whole file, including the files it wrote itself. Because it stores secret by
//! secret, a file that receives two secrets in one run loses its header at the second store.
//!
//! `json.dumps` is not HCL: `${` and `%{` start template interpolations (Terraform then fails
//! with "Variables not allowed"), `\b` and `\f` are not HCL escapes, and characters outside
//! the BMP become surrogate-pair escapes Terraform rejects. Checked with Terraform 1.11.
//!
//! # What we write
//!
//! The reference's bytes, except where they are not valid HCL for the value: `\"`, `\\`,
//! `\n`, `\r`, `\t`, other control characters and DEL as `\u00XX`, non-ASCII characters of the BMP as
//! `\uXXXX` (all as `json.dumps`), plus `$${` for `${`, `%%{` for `%{`, `\u0008`/`\u000c` for
//! backspace and form feed, and `\UXXXXXXXX` for characters outside the BMP. Every value
//! reads back exactly through Terraform (`scripts/formats-roundtrip.py`). A new file starts
//! with the reference's header and holds our variables sorted by name; `merge: false`
//! writes the same without the header when the file exists (as the reference).
//! Keys must be HCL identifiers (`[A-Za-z_][A-Za-z0-9_-]*`): anything else is refused with
//! `INVALID_TARGET` (the reference writes a file Terraform cannot read).
//!
//! # Merging
//!
//! The existing file is scanned as HCL (attributes, blocks, `#`, `//` and `/* */` comments,
//! strings with `${...}` templates, heredocs, nested brackets) and edited, never rewritten:
//! our attributes get their value replaced (whatever it was, on one line or several),
//! comments after them kept; a new variable goes after the last attribute whose name sorts
//! before it (before the first attribute when none does), so a sorted file stays sorted and
//! a file the reference wrote gets the reference's bytes back, header included when it has
//! one. Everything else is kept byte for byte, CRLF line ends too. Refused with
//! `TARGET_MERGE_FAILED` and a position: text that does not scan, a variable of ours
//! defined twice (Terraform refuses that file too) or a block with our name. The result is
//! scanned again: every other item must be unchanged and our variables must read back.
//!
//! [`lookup`] reads a variable back as the reference's reader does for the values it knows:
//! the decoded string of a quoted string without interpolation, `true`/`false`, or the text
//! of a plain number (`-?[0-9]+(\.[0-9]+)?`); `None` for anything else.

mod scan;

use indexmap::IndexMap;

use crate::diagnostic::{Diagnostic, ErrorCode, LineIndex};

use scan::{Item, scan};

/// The reference's header line for a new file.
pub const HEADER: &str = "# Written by SecretZero \u{2014} keep gitignored; do not commit secrets.";

/// Whether `key` can be written as a tfvars variable name.
///
/// ```
/// use secretzero_agent::targets::tfvars::is_variable_name;
/// assert!(is_variable_name("db_password"));
/// assert!(is_variable_name("api-key2"));
/// assert!(!is_variable_name("2fa"));
/// assert!(!is_variable_name("app.key"));
/// ```
pub fn is_variable_name(key: &str) -> bool {
    let mut bytes = key.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The HCL string literal for `value` (see the module docs).
///
/// ```
/// use secretzero_agent::targets::tfvars::format_string;
/// assert_eq!(format_string("p\"w\\${x}%{y}\u{e9}\u{1f600}"), r#""p\"w\\$${x}%%{y}\u00e9\U0001f600""#);
/// ```
pub fn format_string(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if (c as u32) < 0x20 || ((c as u32) >= 0x7f && (c as u32) <= 0xffff) => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c if (c as u32) > 0xffff => out.push_str(&format!("\\U{:08x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The value of a quoted string without interpolation, as HCL reads it.
fn decode_string(raw: &str) -> Option<String> {
    let body = raw.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(c) = rest.chars().next() {
        if rest.starts_with("$${") || rest.starts_with("%%{") {
            out.push(c);
            out.push('{');
            rest = rest.get(3..)?;
            continue;
        }
        if rest.starts_with("${") || rest.starts_with("%{") {
            return None;
        }
        rest = rest.get(c.len_utf8()..)?;
        if c == '"' {
            return None;
        }
        if c != '\\' {
            out.push(c);
            continue;
        }
        let e = rest.chars().next()?;
        rest = rest.get(e.len_utf8()..)?;
        match e {
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            '"' => out.push('"'),
            '\\' => out.push('\\'),
            'u' | 'U' => {
                let n = if e == 'u' { 4 } else { 8 };
                let digits = rest.get(..n)?;
                if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return None;
                }
                out.push(char::from_u32(u32::from_str_radix(digits, 16).ok()?)?);
                rest = rest.get(n..)?;
            }
            _ => return None,
        }
    }
    Some(out)
}

/// What the reference's reader gives for a value text, for the values it knows.
fn value_of(raw: &str) -> Option<String> {
    if raw.starts_with('"') {
        return decode_string(raw);
    }
    if raw == "true" || raw == "false" {
        return Some(raw.to_string());
    }
    let digits = raw.strip_prefix('-').unwrap_or(raw);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "1"));
    let number = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (number(int) && number(frac)).then(|| raw.to_string())
}

fn merge_failed(text: &str, offset: usize, message: String) -> Diagnostic {
    let span = LineIndex::new(text).span(offset, offset);
    Diagnostic::error(ErrorCode::TargetMergeFailed, message)
        .at(Some(span))
        .with_hint("fix the file or remove it (or set `merge: false` to overwrite it)")
}

/// Render the tfvars file holding `entries` (`(key, exposed value)`; a key given twice keeps
/// its last value), merged into `existing` when `merge` is set. See the module docs.
///
/// ```
/// use secretzero_agent::targets::tfvars::render;
/// let existing = "# prod\nb_token = \"old\" # rotated\nregion = \"eu\"\n";
/// let entries = vec![
///     ("b_token".to_string(), "n\u{e9}w".to_string()),
///     ("a_key".to_string(), "${not}".to_string()),
///     ("c_key".to_string(), "x".to_string()),
/// ];
/// assert_eq!(
///     render(Some(existing), true, &entries).unwrap(),
///     "# prod\na_key = \"$${not}\"\nb_token = \"n\\u00e9w\" # rotated\nc_key = \"x\"\nregion = \"eu\"\n"
/// );
/// ```
pub fn render(
    existing: Option<&str>,
    merge: bool,
    entries: &[(String, String)],
) -> Result<String, Diagnostic> {
    let mut wanted: IndexMap<&str, &str> = IndexMap::new();
    for (key, value) in entries {
        if !is_variable_name(key) {
            return Err(Diagnostic::error(
                ErrorCode::InvalidTarget,
                format!("`{key}` cannot be a tfvars variable name"),
            )
            .with_path("config.key")
            .with_hint(
                "use a `key` of letters, digits, `_` and `-` that starts with a letter or `_`",
            ));
        }
        wanted.insert(key, value);
    }
    let mut sorted: Vec<(&str, &str)> = Vec::with_capacity(wanted.len());
    for (&k, &v) in &wanted {
        super::insert_sorted(&mut sorted, (k, v), |e| e.0);
    }
    let wanted: IndexMap<&str, &str> = sorted.into_iter().collect();
    let text = match existing {
        Some(text) if merge => text,
        _ => {
            let mut out = String::new();
            if existing.is_none() {
                out.push_str(HEADER);
                out.push('\n');
            }
            for (k, v) in &wanted {
                out.push_str(&format!("{k} = {}\n", format_string(v)));
            }
            return Ok(out);
        }
    };
    let items = scan(text).map_err(|(at, what)| {
        merge_failed(
            text,
            at,
            format!("the existing tfvars file is not valid HCL: {what}"),
        )
    })?;
    let nl = match text.find('\n') {
        Some(i) if i > 0 && text.get(i - 1..i) == Some("\r") => "\r\n",
        _ => "\n",
    };

    // (offset, order, text): replacements and insertions, applied in offset order.
    let mut edits: Vec<(usize, usize, usize, String)> = Vec::new();
    let attributes: Vec<(&str, usize, usize)> = items
        .iter()
        .filter_map(|i| match i {
            Item::Attribute {
                name,
                start,
                line_end,
                ..
            } => Some((name.as_str(), *start, *line_end)),
            Item::Block { .. } => None,
        })
        .collect();
    for (order, (&key, &value)) in wanted.iter().enumerate() {
        let mut found = None;
        for item in &items {
            match item {
                Item::Block { name, start, .. } if name == key => {
                    return Err(merge_failed(
                        text,
                        *start,
                        format!("`{key}` is a block in the existing tfvars file"),
                    ));
                }
                Item::Attribute {
                    name, start, value, ..
                } if name == key => {
                    if found.is_some() {
                        return Err(merge_failed(
                            text,
                            *start,
                            format!("`{key}` is defined twice in the existing tfvars file"),
                        ));
                    }
                    found = Some(*value);
                }
                _ => {}
            }
        }
        let literal = format_string(value);
        match found {
            Some((start, end)) => {
                super::insert_sorted(&mut edits, (start, end, order, literal), |e| (e.0, e.2))
            }
            None => {
                let at = attributes
                    .iter()
                    .filter(|(name, ..)| *name < key)
                    .map(|&(.., line_end)| line_end)
                    .next_back()
                    .or_else(|| {
                        // Before the first attribute: at the start of its line.
                        // (After a BOM: it must stay first.)
                        attributes.first().map(|&(_, start, _)| {
                            let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
                            text.get(..start)
                                .and_then(|b| b.rfind('\n'))
                                .map_or(bom, |i| i + 1)
                        })
                    })
                    .unwrap_or(text.len());
                let line = format!("{key} = {literal}{nl}");
                super::insert_sorted(&mut edits, (at, at, order, line), |e| (e.0, e.2));
            }
        }
    }
    let mut out = String::with_capacity(text.len() + 64 * wanted.len());
    let mut cursor = 0;
    for (start, end, _, replacement) in &edits {
        out.push_str(text.get(cursor..*start).unwrap_or(""));
        if start == end && *start == text.len() && !out.is_empty() && !out.ends_with('\n') {
            out.push_str(nl);
        }
        out.push_str(replacement);
        cursor = *end.max(&cursor);
    }
    out.push_str(text.get(cursor..).unwrap_or(""));
    verify(text, &items, &out, &wanted)?;
    Ok(out)
}

/// Scan `out` again: every item of `text` that is not ours is there unchanged, and our
/// variables read back.
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
            format!(
                "the existing tfvars file cannot be updated safely: `{key}` would not read back"
            ),
        )
    };
    let first = wanted.keys().next().copied().unwrap_or("");
    let Ok(after) = scan(out) else {
        return Err(fail(first));
    };
    let others = |items: &[Item], src: &str| -> Vec<(String, String)> {
        items
            .iter()
            .filter_map(|i| match i {
                Item::Attribute { name, value, .. } => {
                    (!wanted.contains_key(name.as_str())).then(|| {
                        let raw = src.get(value.0..value.1).unwrap_or("");
                        (name.clone(), raw.to_string())
                    })
                }
                Item::Block { name, start, end } => Some((
                    name.clone(),
                    src.get(*start..*end).unwrap_or("").to_string(),
                )),
            })
            .collect()
    };
    if others(before, text) != others(&after, out) {
        return Err(fail(first));
    }
    for (key, value) in wanted {
        if get(&after, out, key).as_deref() != Some(*value) {
            return Err(fail(key));
        }
    }
    Ok(())
}

fn get(items: &[Item], text: &str, key: &str) -> Option<String> {
    let mut found = items.iter().filter_map(|i| match i {
        Item::Attribute { name, value, .. } if name == key => Some(*value),
        _ => None,
    });
    let (start, end) = found.next()?;
    if found.next().is_some() {
        return None;
    }
    value_of(text.get(start..end)?)
}

/// The value of variable `key` in a tfvars text (see the module docs); `None` when the text
/// does not scan, lacks the variable (or defines it twice), or holds a value the reference's
/// reader does not know (a list, an interpolation, a heredoc...).
///
/// ```
/// use secretzero_agent::targets::tfvars::lookup;
/// let text = "a = \"x$${y}\\u00e9\"\nb = true\nc = 1.50\nd = \"${var.x}\"\n";
/// assert_eq!(lookup(text, "a").as_deref(), Some("x${y}\u{e9}"));
/// assert_eq!(lookup(text, "b").as_deref(), Some("true"));
/// assert_eq!(lookup(text, "c").as_deref(), Some("1.50"));
/// assert_eq!(lookup(text, "d"), None);
/// ```
pub fn lookup(text: &str, key: &str) -> Option<String> {
    get(&scan(text).ok()?, text, key)
}

#[cfg(test)]
pub(super) mod tests;
