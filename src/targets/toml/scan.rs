//! The TOML 1.0 scanner behind [`super::render`] and [`super::lookup`]: where every top-level
//! key/value pair, value and table header starts and ends, and the strings decoded as
//! `tomllib` decodes them. It validates what a merge depends on (strings and their escapes,
//! arrays, inline tables, headers, line structure) and the spelling of numbers, booleans and
//! dates; it never panics and bounds its recursion.

use std::sync::LazyLock;

use regex_lite::Regex;

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
pub(super) enum Item {
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

pub(super) fn is_bare(b: u8) -> bool {
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

pub(super) fn scan(text: &str) -> Result<Vec<Item>, Fail> {
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
pub(super) fn string_value(raw: &str) -> Option<String> {
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
