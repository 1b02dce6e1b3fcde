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

use std::sync::LazyLock;

use indexmap::IndexMap;
use regex_lite::Regex;

use crate::diagnostic::{Diagnostic, ErrorCode, LineIndex};

/// Deepest nesting of arrays and inline tables accepted.
const MAX_DEPTH: usize = 128;

/// TOML 1.0 booleans, integers, floats and dates/times.
static SCALAR: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?:true|false|[+-]?(?:inf|nan)",
        r"|[+-]?(?:0|[1-9](?:_?[0-9])*)(?:\.[0-9](?:_?[0-9])*)?(?:[eE][+-]?[0-9](?:_?[0-9])*)?",
        r"|0x[0-9A-Fa-f](?:_?[0-9A-Fa-f])*|0o[0-7](?:_?[0-7])*|0b[01](?:_?[01])*",
        r"|[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})?)?",
        r"|[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?)$",
    ))
    .ok()
});

/// A scan error: byte offset and lowercase message.
type Fail = (usize, &'static str);

/// One item of the document, in order.
#[derive(Clone, Debug, PartialEq)]
enum Item {
    /// `key = value`; `in_table` when it follows a table header.
    Pair {
        keys: Vec<String>,
        key_start: usize,
        value: (usize, usize),
        /// Just after the line end that closes the pair (or the end of the text).
        line_end: usize,
        in_table: bool,
    },
    /// `[keys]` or `[[keys]]`, starting at `start` (its `[`).
    Header {
        keys: Vec<String>,
        array: bool,
        start: usize,
    },
}

struct Scanner<'a> {
    s: &'a [u8],
    text: &'a str,
    pos: usize,
}

fn is_bare(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn at(&self, p: &str) -> bool {
        self.s
            .get(self.pos..)
            .is_some_and(|r| r.starts_with(p.as_bytes()))
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }

    fn comment(&mut self) {
        if self.peek() == Some(b'#') {
            while !matches!(self.peek(), None | Some(b'\n' | b'\r')) {
                self.pos += 1;
            }
        }
    }

    /// A line end (`\n` or `\r\n`); false at anything else.
    fn newline(&mut self) -> Result<bool, Fail> {
        match self.peek() {
            Some(b'\n') => {
                self.pos += 1;
                Ok(true)
            }
            Some(b'\r') if self.s.get(self.pos + 1) == Some(&b'\n') => {
                self.pos += 2;
                Ok(true)
            }
            Some(b'\r') => Err((self.pos, "carriage return without a line feed")),
            _ => Ok(false),
        }
    }

    /// Whitespace, comments and line ends (inside arrays).
    fn blanks(&mut self) -> Result<(), Fail> {
        loop {
            self.ws();
            self.comment();
            if !self.newline()? {
                return Ok(());
            }
        }
    }

    /// The end of the line after an item: whitespace, a comment, a line end or the end.
    fn end_of_line(&mut self) -> Result<(), Fail> {
        self.ws();
        self.comment();
        if self.peek().is_none() || self.newline()? {
            Ok(())
        } else {
            Err((self.pos, "expected the end of the line"))
        }
    }

    /// A dotted key; its parts decoded.
    fn key(&mut self) -> Result<Vec<String>, Fail> {
        let mut parts = Vec::new();
        loop {
            self.ws();
            let start = self.pos;
            let part = match self.peek() {
                Some(b'"') => {
                    let end = self.basic()?;
                    decode_basic(self.text.get(start + 1..end - 1).unwrap_or(""))
                        .ok_or((start, "invalid escape in a key"))?
                }
                Some(b'\'') => {
                    let end = self.literal()?;
                    self.text.get(start + 1..end - 1).unwrap_or("").to_string()
                }
                Some(b) if is_bare(b) => {
                    while self.peek().is_some_and(is_bare) {
                        self.pos += 1;
                    }
                    self.text.get(start..self.pos).unwrap_or("").to_string()
                }
                _ => return Err((self.pos, "expected a key")),
            };
            parts.push(part);
            self.ws();
            if self.peek() == Some(b'.') {
                self.pos += 1;
            } else {
                return Ok(parts);
            }
        }
    }

    /// `"..."`; returns the end (after the closing quote).
    fn basic(&mut self) -> Result<usize, Fail> {
        let start = self.pos;
        self.pos += 1;
        loop {
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(self.pos);
                }
                Some(b'\\') if !matches!(self.s.get(self.pos + 1), None | Some(b'\n' | b'\r')) => {
                    self.pos += 2
                }
                None | Some(b'\n' | b'\r' | b'\\') => return Err((start, "unterminated string")),
                Some(_) => self.pos += 1,
            }
        }
    }

    /// `'...'`.
    fn literal(&mut self) -> Result<usize, Fail> {
        let start = self.pos;
        self.pos += 1;
        loop {
            match self.peek() {
                Some(b'\'') => {
                    self.pos += 1;
                    return Ok(self.pos);
                }
                None | Some(b'\n' | b'\r') => return Err((start, "unterminated string")),
                Some(_) => self.pos += 1,
            }
        }
    }

    /// `"""..."""` or `'''...'''` (`quote` is `b'"'` or `b'\''`).
    fn multiline(&mut self, quote: u8) -> Result<usize, Fail> {
        let start = self.pos;
        self.pos += 3;
        loop {
            match self.peek() {
                None => return Err((start, "unterminated multi-line string")),
                Some(b'\\') if quote == b'"' => self.pos += 2,
                Some(q) if q == quote => {
                    let run = self
                        .s
                        .get(self.pos..)
                        .unwrap_or(&[])
                        .iter()
                        .take_while(|&&b| b == quote)
                        .count();
                    self.pos += run;
                    match run {
                        0..=2 => {}
                        3..=5 => return Ok(self.pos),
                        _ => return Err((self.pos, "too many quotes closing a string")),
                    }
                }
                Some(_) => self.pos += 1,
            }
        }
    }

    /// A value; returns its end.
    fn value(&mut self, depth: usize) -> Result<usize, Fail> {
        if depth > MAX_DEPTH {
            return Err((self.pos, "values are nested too deeply"));
        }
        let start = self.pos;
        if self.at("\"\"\"") {
            let end = self.multiline(b'"')?;
            return self.checked(start, end);
        }
        if self.at("'''") {
            return self.multiline(b'\'');
        }
        match self.peek() {
            Some(b'"') => {
                let end = self.basic()?;
                self.checked(start, end)
            }
            Some(b'\'') => self.literal(),
            Some(b'[') => {
                self.pos += 1;
                loop {
                    self.blanks()?;
                    if self.peek() == Some(b']') {
                        self.pos += 1;
                        return Ok(self.pos);
                    }
                    self.value(depth + 1)?;
                    self.blanks()?;
                    match self.peek() {
                        Some(b',') => self.pos += 1,
                        Some(b']') => {
                            self.pos += 1;
                            return Ok(self.pos);
                        }
                        _ => return Err((self.pos, "expected `,` or `]` in an array")),
                    }
                }
            }
            Some(b'{') => {
                self.pos += 1;
                self.ws();
                if self.peek() == Some(b'}') {
                    self.pos += 1;
                    return Ok(self.pos);
                }
                loop {
                    self.key()?;
                    if self.peek() != Some(b'=') {
                        return Err((self.pos, "expected `=` after a key"));
                    }
                    self.pos += 1;
                    self.ws();
                    self.value(depth + 1)?;
                    self.ws();
                    match self.peek() {
                        Some(b',') => self.pos += 1,
                        Some(b'}') => {
                            self.pos += 1;
                            return Ok(self.pos);
                        }
                        _ => return Err((self.pos, "expected `,` or `}` in an inline table")),
                    }
                }
            }
            _ => self.scalar(),
        }
    }

    /// A basic string's escapes must be TOML's (tomllib refuses the whole file otherwise).
    fn checked(&self, start: usize, end: usize) -> Result<usize, Fail> {
        match string_value(self.text.get(start..end).unwrap_or("")) {
            Some(_) => Ok(end),
            None => Err((start, "invalid escape in a string")),
        }
    }

    /// A number, boolean or date/time.
    fn scalar(&mut self) -> Result<usize, Fail> {
        let start = self.pos;
        let token =
            |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'+' | b'-' | b'.' | b':');
        while self.peek().is_some_and(token) {
            self.pos += 1;
            // `1979-05-27 07:32:00`: a date, a space and a time are one value.
            let so_far = self.s.get(start..self.pos).unwrap_or(&[]);
            let is_date = so_far.len() == 10
                && so_far.iter().enumerate().all(|(i, b)| match i {
                    4 | 7 => *b == b'-',
                    _ => b.is_ascii_digit(),
                });
            if is_date
                && self.peek() == Some(b' ')
                && self.s.get(self.pos + 1).is_some_and(u8::is_ascii_digit)
            {
                self.pos += 1;
            }
        }
        let t = self.text.get(start..self.pos).unwrap_or("");
        let ok = match SCALAR.as_ref() {
            Some(re) => re.is_match(t),
            None => !t.is_empty(),
        };
        if ok {
            Ok(self.pos)
        } else {
            Err((start, "invalid value"))
        }
    }

    fn document(&mut self) -> Result<Vec<Item>, Fail> {
        let mut items = Vec::new();
        let mut in_table = false;
        if self.at("\u{feff}") {
            self.pos += 3;
        }
        loop {
            self.blanks()?;
            let Some(b) = self.peek() else {
                return Ok(items);
            };
            let start = self.pos;
            if b == b'[' {
                let array = self.at("[[");
                self.pos += if array { 2 } else { 1 };
                let keys = self.key()?;
                let close = if array { "]]" } else { "]" };
                if !self.at(close) {
                    return Err((self.pos, "expected `]` after a table name"));
                }
                self.pos += close.len();
                self.end_of_line()?;
                in_table = true;
                items.push(Item::Header { keys, array, start });
            } else {
                let keys = self.key()?;
                if self.peek() != Some(b'=') {
                    return Err((self.pos, "expected `=` after a key"));
                }
                self.pos += 1;
                self.ws();
                let value_start = self.pos;
                let value_end = self.value(0)?;
                self.end_of_line()?;
                items.push(Item::Pair {
                    keys,
                    key_start: start,
                    value: (value_start, value_end),
                    line_end: self.pos,
                    in_table,
                });
            }
        }
    }
}

fn scan(text: &str) -> Result<Vec<Item>, Fail> {
    Scanner {
        s: text.as_bytes(),
        text,
        pos: 0,
    }
    .document()
}

fn hex_char(digits: &str) -> Option<char> {
    if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    char::from_u32(u32::from_str_radix(digits, 16).ok()?)
}

/// The content of a basic string (between the quotes), its escapes decoded as tomllib does;
/// `None` for an escape TOML 1.0 does not have.
fn decode_basic(raw: &str) -> Option<String> {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.char_indices();
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let (_, e) = chars.next()?;
        match e {
            'b' => out.push('\u{8}'),
            't' => out.push('\t'),
            'n' => out.push('\n'),
            'f' => out.push('\u{c}'),
            'r' => out.push('\r'),
            '"' => out.push('"'),
            '\\' => out.push('\\'),
            'u' | 'U' => {
                let n = if e == 'u' { 4 } else { 8 };
                out.push(hex_char(raw.get(i + 2..i + 2 + n)?)?);
                for _ in 0..n {
                    chars.next();
                }
            }
            _ => return None,
        }
    }
    Some(out)
}

/// The content of a multi-line basic string: first line end dropped, line-ending backslashes
/// folded, CRLF read as LF (as tomllib does).
fn decode_multiline_basic(raw: &str) -> Option<String> {
    let raw = raw.replace("\r\n", "\n");
    let raw = raw.strip_prefix('\n').unwrap_or(&raw);
    let mut folded = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(i) = rest.find('\\') {
        folded.push_str(rest.get(..i)?);
        let after = rest.get(i + 1..)?;
        let trimmed = after.trim_start_matches([' ', '\t']);
        if trimmed.starts_with('\n') {
            rest = trimmed.trim_start_matches([' ', '\t', '\n']);
        } else {
            // An escape: keep it (and the escaped character) for decode_basic.
            let mut it = after.chars();
            let e = it.next()?;
            folded.push('\\');
            folded.push(e);
            rest = it.as_str();
        }
    }
    folded.push_str(rest);
    decode_basic(&folded)
}

/// The string a value's text holds, `None` for a value that is not a string.
fn string_value(raw: &str) -> Option<String> {
    if let Some(body) = raw
        .strip_prefix("\"\"\"")
        .and_then(|r| r.strip_suffix("\"\"\""))
    {
        decode_multiline_basic(body)
    } else if let Some(body) = raw.strip_prefix("'''").and_then(|r| r.strip_suffix("'''")) {
        let body = body.replace("\r\n", "\n");
        Some(body.strip_prefix('\n').unwrap_or(&body).to_string())
    } else if let Some(body) = raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        decode_basic(body)
    } else {
        raw.strip_prefix('\'')
            .and_then(|r| r.strip_suffix('\''))
            .map(str::to_string)
    }
}

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
