//! The JSON format: merge our keys into an existing JSON object, written byte for byte as the
//! reference writes it (Python's `json.dumps(data, indent=2)`, no trailing newline).
//!
//! The existing file is read as Python's `json.loads` reads it, and nothing of it is lost or
//! altered beyond what the reference itself does when it rewrites the file:
//! - key order is kept; a duplicate key keeps its first position and its last value; our keys
//!   are updated in place or appended in entry order;
//! - integers keep every digit (`123456789012345678901234567890` stays exact; `-0` becomes
//!   `0`, as Python's `int` does); numbers with a fraction or exponent become Python floats
//!   (`1E5` is written `100000.0`, `2.50` is `2.5`, `1e400` is `Infinity`);
//! - `NaN`, `Infinity` and `-Infinity` are accepted and written back;
//! - strings are kept as UTF-16 code units, so even a lone surrogate escape (`"\ud800"`)
//!   survives; output escapes every non-ASCII character as `\uXXXX` (`ensure_ascii`).
//!
//! That is why this module has its own small parser and printer instead of serde_json (which
//! would round big integers to floats and reject lone surrogates); the printer's output is
//! tested against [`crate::pyjson::dumps_pretty`] and against the reference's bytes.
//!
//! Differences from the reference, all where it fails: an existing file that is empty or only
//! whitespace counts as `{}` (the reference fails on whitespace), a leading BOM is skipped (and
//! not written back), and a file that is invalid JSON or not an object is refused with
//! `TARGET_MERGE_FAILED` and its line and column (the reference's message carries Python's
//! text). Nesting deeper than 256 levels is refused too. Values are written as JSON strings:
//! a map-valued secret arrives as its compact JSON text and is written as that string, like
//! the reference.

use indexmap::IndexMap;

use crate::diagnostic::{Diagnostic, ErrorCode, LineIndex};

/// Deepest nesting accepted in an existing file (recursion stays small, even in wasm).
const MAX_DEPTH: usize = 256;

/// A JSON string as UTF-16 code units (Python strings may hold lone surrogates).
type JStr = Vec<u16>;

/// A JSON value as Python's `json.loads` builds it.
#[derive(Clone, Debug, PartialEq)]
enum Value {
    Null,
    Bool(bool),
    /// An integer's digits, exactly as Python prints the `int`.
    Int(String),
    Float(f64),
    Str(JStr),
    Array(Vec<Value>),
    Object(IndexMap<JStr, Value>),
}

/// A parse error: byte offset and lowercase message.
type Fail = (usize, &'static str);

struct Parser<'a> {
    s: &'a [u8],
    text: &'a str,
    pos: usize,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn literal(&mut self, word: &str, v: Value) -> Result<Value, Fail> {
        if self
            .s
            .get(self.pos..)
            .is_some_and(|r| r.starts_with(word.as_bytes()))
        {
            self.pos += word.len();
            Ok(v)
        } else {
            Err((self.pos, "expecting value"))
        }
    }

    fn value(&mut self) -> Result<Value, Fail> {
        match self.peek() {
            Some(b'{') => self.nested(|p| p.object()),
            Some(b'[') => self.nested(|p| p.array()),
            Some(b'"') => self.string().map(Value::Str),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'N') => self.literal("NaN", Value::Float(f64::NAN)),
            Some(b'I') => self.literal("Infinity", Value::Float(f64::INFINITY)),
            Some(b'-') if self.s.get(self.pos + 1) == Some(&b'I') => {
                self.literal("-Infinity", Value::Float(f64::NEG_INFINITY))
            }
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err((self.pos, "expecting value")),
        }
    }

    fn nested(&mut self, f: impl FnOnce(&mut Self) -> Result<Value, Fail>) -> Result<Value, Fail> {
        if self.depth >= MAX_DEPTH {
            return Err((self.pos, "nesting is too deep"));
        }
        self.depth += 1;
        let v = f(self);
        self.depth -= 1;
        v
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        self.pos - start
    }

    /// Python's number scanner: `-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?`.
    fn number(&mut self) -> Result<Value, Fail> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err((start, "expecting value")),
        }
        let mut float = false;
        if self.peek() == Some(b'.') && matches!(self.s.get(self.pos + 1), Some(b'0'..=b'9')) {
            self.pos += 1;
            self.digits();
            float = true;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            let save = self.pos;
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                self.pos = save;
            } else {
                float = true;
            }
        }
        let text = self.text.get(start..self.pos).unwrap_or("0");
        if float {
            Ok(Value::Float(text.parse().unwrap_or(f64::NAN)))
        } else if text == "-0" {
            Ok(Value::Int("0".into()))
        } else {
            Ok(Value::Int(text.to_string()))
        }
    }

    /// The four hex digits after `\u` (errors point at the `u`, as Python's do).
    fn hex4(&mut self) -> Result<u16, Fail> {
        let digits = self
            .text
            .get(self.pos..self.pos + 4)
            .filter(|d| d.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or((self.pos.saturating_sub(1), "invalid \\uXXXX escape"))?;
        self.pos += 4;
        u16::from_str_radix(digits, 16).map_err(|_| (self.pos, "invalid \\uXXXX escape"))
    }

    fn string(&mut self) -> Result<JStr, Fail> {
        let start = self.pos;
        self.pos += 1;
        let mut out = Vec::new();
        loop {
            let rest = self.text.get(self.pos..).unwrap_or("");
            let Some(c) = rest.chars().next() else {
                return Err((start, "unterminated string"));
            };
            match c {
                '"' => {
                    self.pos += 1;
                    return Ok(out);
                }
                '\\' => {
                    self.pos += 1;
                    let unit = match self.peek() {
                        Some(b'"') => 0x22,
                        Some(b'\\') => 0x5c,
                        Some(b'/') => 0x2f,
                        Some(b'b') => 0x08,
                        Some(b'f') => 0x0c,
                        Some(b'n') => 0x0a,
                        Some(b'r') => 0x0d,
                        Some(b't') => 0x09,
                        Some(b'u') => {
                            self.pos += 1;
                            out.push(self.hex4()?);
                            continue;
                        }
                        _ => return Err((self.pos - 1, "invalid \\escape")),
                    };
                    self.pos += 1;
                    out.push(unit);
                }
                c if (c as u32) < 0x20 => return Err((self.pos, "invalid control character")),
                c => {
                    let mut buf = [0u16; 2];
                    out.extend_from_slice(c.encode_utf16(&mut buf));
                    self.pos += c.len_utf8();
                }
            }
        }
    }

    fn array(&mut self) -> Result<Value, Fail> {
        self.pos += 1;
        self.ws();
        let mut items = Vec::new();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value()?);
            self.ws();
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    self.ws();
                }
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::Array(items));
                }
                _ => return Err((self.pos, "expecting ',' delimiter")),
            }
        }
    }

    fn object(&mut self) -> Result<Value, Fail> {
        self.pos += 1;
        self.ws();
        let mut map = IndexMap::new();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Value::Object(map));
        }
        loop {
            if self.peek() != Some(b'"') {
                return Err((
                    self.pos,
                    "expecting property name enclosed in double quotes",
                ));
            }
            let key = self.string()?;
            self.ws();
            if self.peek() != Some(b':') {
                return Err((self.pos, "expecting ':' delimiter"));
            }
            self.pos += 1;
            self.ws();
            let value = self.value()?;
            // Python dict semantics: a repeated key keeps its first position, last value.
            map.insert(key, value);
            self.ws();
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    self.ws();
                }
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value::Object(map));
                }
                _ => return Err((self.pos, "expecting ',' delimiter")),
            }
        }
    }
}

/// Parse a whole document as `json.loads` does.
fn parse(text: &str) -> Result<Value, Fail> {
    let mut p = Parser {
        s: text.as_bytes(),
        text,
        pos: 0,
        depth: 0,
    };
    p.ws();
    let v = p.value()?;
    p.ws();
    if p.pos < text.len() {
        return Err((p.pos, "extra data after the JSON value"));
    }
    Ok(v)
}

fn merge_failed(text: &str, offset: usize, message: String) -> Diagnostic {
    let span = LineIndex::new(text).span(offset, offset);
    Diagnostic::error(ErrorCode::TargetMergeFailed, message)
        .at(Some(span))
        .with_hint("fix the file or remove it (or set `merge: false` to overwrite it)")
}

/// The existing file's top-level object (empty for an empty or blank file).
fn existing_object(text: &str) -> Result<IndexMap<JStr, Value>, Diagnostic> {
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let body = text.get(bom..).unwrap_or("");
    if body.trim_matches([' ', '\t', '\n', '\r']).is_empty() {
        return Ok(IndexMap::new());
    }
    match parse(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => {
            let kind = match other {
                Value::Array(_) => "a list",
                Value::Str(_) => "a string",
                Value::Null => "null",
                Value::Bool(_) => "a boolean",
                _ => "a number",
            };
            let at = body.len() - body.trim_start_matches([' ', '\t', '\n', '\r']).len();
            Err(merge_failed(
                text,
                bom + at,
                format!("the existing JSON file holds {kind}, not an object"),
            ))
        }
        Err((offset, what)) => Err(merge_failed(
            text,
            bom + offset,
            format!("the existing JSON file is not valid JSON: {what}"),
        )),
    }
}

fn push_str(out: &mut String, units: &[u16]) {
    out.push('"');
    for &u in units {
        match u {
            0x22 => out.push_str("\\\""),
            0x5c => out.push_str("\\\\"),
            0x0a => out.push_str("\\n"),
            0x0d => out.push_str("\\r"),
            0x09 => out.push_str("\\t"),
            0x08 => out.push_str("\\b"),
            0x0c => out.push_str("\\f"),
            0x20..=0x7e => out.push(char::from(u as u8)),
            _ => out.push_str(&format!("\\u{u:04x}")),
        }
    }
    out.push('"');
}

fn indent(out: &mut String, level: usize) {
    out.push('\n');
    for _ in 0..level {
        out.push_str("  ");
    }
}

/// `json.dumps(value, indent=2)`.
fn dump(out: &mut String, v: &Value, level: usize) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Int(digits) => out.push_str(digits),
        Value::Float(f) if f.is_nan() => out.push_str("NaN"),
        Value::Float(f) if f.is_infinite() => {
            out.push_str(if *f > 0.0 { "Infinity" } else { "-Infinity" })
        }
        Value::Float(f) => out.push_str(&crate::pyjson::float_repr(*f)),
        Value::Str(units) => push_str(out, units),
        Value::Array(items) if items.is_empty() => out.push_str("[]"),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                indent(out, level + 1);
                dump(out, item, level + 1);
            }
            indent(out, level);
            out.push(']');
        }
        Value::Object(map) if map.is_empty() => out.push_str("{}"),
        Value::Object(map) => {
            out.push('{');
            for (i, (key, value)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                indent(out, level + 1);
                push_str(out, key);
                out.push_str(": ");
                dump(out, value, level + 1);
            }
            indent(out, level);
            out.push('}');
        }
    }
}

fn utf16(s: &str) -> JStr {
    s.encode_utf16().collect()
}

/// Render the JSON file holding `entries` (`(key, exposed value)` in sync order), merged into
/// the `existing` object when `merge` is set. No trailing newline, like the reference.
///
/// ```
/// use secretzero_agent::targets::json::render;
/// let existing = r#"{"port": 8080, "api_key": "old"}"#;
/// let entries = vec![("api_key".to_string(), "n\u{e9}w".to_string())];
/// assert_eq!(
///     render(Some(existing), true, &entries).unwrap(),
///     "{\n  \"port\": 8080,\n  \"api_key\": \"n\\u00e9w\"\n}"
/// );
/// ```
pub fn render(
    existing: Option<&str>,
    merge: bool,
    entries: &[(String, String)],
) -> Result<String, Diagnostic> {
    let mut map = match existing {
        Some(text) if merge => existing_object(text)?,
        _ => IndexMap::new(),
    };
    for (key, value) in entries {
        map.insert(utf16(key), Value::Str(utf16(value)));
    }
    let mut out = String::new();
    dump(&mut out, &Value::Object(map), 0);
    Ok(out)
}

/// The string value of `key` in a JSON object text (for reading a value back); `None` when
/// the text is not a JSON object, the key is missing, or its value is not a string.
pub fn lookup(text: &str, key: &str) -> Option<String> {
    let map = existing_object(text).ok()?;
    match map.get(&utf16(key))? {
        Value::Str(units) => String::from_utf16(units).ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
