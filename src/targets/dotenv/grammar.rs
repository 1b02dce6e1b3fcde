//! python-dotenv's grammar (1.2.4 `parser.py`), ported rule for rule: the bindings of a
//! text with their byte ranges, so that [`super::render`] can replace a value in place and
//! [`super::parse_dotenv`] can read values back. Each regex of the original is one method of
//! [`Reader`]; a failing rule leaves the position where it was, as `read_regex` does, and
//! every binding consumes at least one character, so no input can make parsing loop.

/// Python's `str.isspace()` (and the `\s` of its `re` module): Rust's whitespace plus the
/// four ASCII separators U+001C..U+001F.
pub(super) fn py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// `[^\S\r\n]`: whitespace that does not end a line.
pub(super) fn inline_space(c: char) -> bool {
    py_space(c) && c != '\r' && c != '\n'
}

/// One binding (or comment, blank run or unparsable line) of a dotenv text.
#[derive(Debug, Clone)]
pub(super) struct Binding {
    /// Byte range of the whole binding (leading whitespace and line end included).
    pub(super) start: usize,
    pub(super) end: usize,
    /// `true` when python-dotenv would skip this line as unparsable.
    pub(super) error: bool,
    pub(super) key: Option<String>,
    /// `export ` precedes the key.
    pub(super) export: bool,
    /// Byte offset just after the key (after the closing quote of a quoted key).
    pub(super) key_end: usize,
    /// The value as python-dotenv reads it (escapes decoded); `None` for `KEY` without `=`.
    pub(super) value: Option<String>,
    /// Byte range replaced when the value is updated: from just after `=` to the end of the
    /// value token (closing quote included, inline comment and trailing blanks excluded).
    pub(super) value_span: Option<(usize, usize)>,
}

/// A parse failure inside one binding (python-dotenv's `Error`): the line is skipped.
struct Fail;

/// Cursor over the text, mirroring python-dotenv's `Reader`.
struct Reader<'a> {
    s: &'a str,
    pos: usize,
}

impl<'a> Reader<'a> {
    fn rest(&self) -> &'a str {
        self.s.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    /// Advance past the longest prefix whose characters satisfy `f`.
    fn skip_while(&mut self, f: impl Fn(char) -> bool) -> usize {
        let start = self.pos;
        let n: usize = self
            .rest()
            .chars()
            .take_while(|&c| f(c))
            .map(char::len_utf8)
            .sum();
        self.pos += n;
        self.pos - start
    }

    /// `(?:export[^\S\r\n]+)?`
    fn export(&mut self) -> bool {
        let rest = self.rest();
        if let Some(after) = rest.strip_prefix("export")
            && after.chars().next().is_some_and(inline_space)
        {
            self.pos += "export".len();
            self.skip_while(inline_space);
            return true;
        }
        false
    }

    /// `parse_key`: `None` for a comment, else `'([^']+)'` or `([^=\#\s]+)`.
    fn key(&mut self) -> Result<Option<String>, Fail> {
        match self.peek() {
            Some('#') => Ok(None),
            Some('\'') => {
                let rest = self.rest().get(1..).unwrap_or("");
                match rest.find('\'') {
                    Some(n) if n > 0 => {
                        let key = rest.get(..n).unwrap_or("").to_string();
                        self.pos += n + 2;
                        Ok(Some(key))
                    }
                    _ => Err(Fail),
                }
            }
            _ => {
                let start = self.pos;
                if self.skip_while(|c| c != '=' && c != '#' && !py_space(c)) == 0 {
                    return Err(Fail);
                }
                Ok(Some(self.s.get(start..self.pos).unwrap_or("").to_string()))
            }
        }
    }

    /// A quoted value `q((?:\\.|[^q\\])*)q` (DOTALL); returns the raw inner text.
    fn quoted(&mut self, q: char) -> Result<&'a str, Fail> {
        let rest = self.rest();
        let mut chars = rest.char_indices().skip(1);
        while let Some((i, c)) = chars.next() {
            if c == '\\' {
                if chars.next().is_none() {
                    return Err(Fail);
                }
            } else if c == q {
                self.pos += i + 1;
                return Ok(rest.get(1..i).unwrap_or(""));
            }
        }
        Err(Fail)
    }

    /// `parse_value`, returning the decoded value and the end of its token.
    fn value(&mut self) -> Result<String, Fail> {
        match self.peek() {
            Some('\'') => Ok(unescape(self.quoted('\'')?, |c| matches!(c, '\\' | '\''))),
            Some('"') => Ok(unescape(self.quoted('"')?, |c| {
                matches!(
                    c,
                    '\\' | '\'' | '"' | 'a' | 'b' | 'f' | 'n' | 'r' | 't' | 'v'
                )
            })),
            None | Some('\n') | Some('\r') => Ok(String::new()),
            Some(_) => {
                let start = self.pos;
                self.skip_while(|c| c != '\r' && c != '\n');
                let part = self.s.get(start..self.pos).unwrap_or("");
                let value = strip_inline_comment(part).trim_end_matches(py_space);
                // The token ends where the value ends; the rest of the line is kept as is.
                self.pos = start + value.len();
                Ok(value.to_string())
            }
        }
    }

    /// `(?:[^\S\r\n]*#[^\r\n]*)?`
    fn comment(&mut self) {
        let save = self.pos;
        self.skip_while(inline_space);
        if self.peek() == Some('#') {
            self.skip_while(|c| c != '\r' && c != '\n');
        } else {
            self.pos = save;
        }
    }

    /// `[^\S\r\n]*(?:\r\n|\n|\r|$)`
    fn end_of_line(&mut self) -> Result<(), Fail> {
        let save = self.pos;
        self.skip_while(inline_space);
        let rest = self.rest();
        if rest.starts_with("\r\n") {
            self.pos += 2;
        } else if rest.starts_with('\n') || rest.starts_with('\r') {
            self.pos += 1;
        } else if !rest.is_empty() {
            self.pos = save;
            return Err(Fail);
        }
        Ok(())
    }

    /// `[^\r\n]*(?:\r|\n|\r\n)?` (a lone `\r` first, as in python-dotenv).
    fn rest_of_line(&mut self) {
        self.skip_while(|c| c != '\r' && c != '\n');
        if matches!(self.peek(), Some('\r') | Some('\n')) {
            self.pos += 1;
        }
    }

    /// The body of `parse_binding` after the mark; `Err` leaves `pos` where it failed.
    fn binding_body(&mut self, b: &mut Binding) -> Result<(), Fail> {
        self.skip_while(py_space);
        if self.pos >= self.s.len() {
            return Ok(());
        }
        b.export = self.export();
        b.key = self.key()?;
        b.key_end = self.pos;
        self.skip_while(inline_space);
        if self.peek() == Some('=') {
            let eq_end = self.pos + 1;
            self.pos = eq_end;
            let spaces = self.skip_while(inline_space);
            if spaces > 0 && self.peek() == Some('#') {
                b.value = Some(String::new());
                b.value_span = Some((eq_end, eq_end));
            } else {
                b.value = Some(self.value()?);
                b.value_span = Some((eq_end, self.pos));
            }
        }
        self.comment();
        self.end_of_line()
    }

    fn binding(&mut self) -> Binding {
        let start = self.pos;
        let mut b = Binding {
            start,
            end: start,
            error: false,
            key: None,
            export: false,
            key_end: start,
            value: None,
            value_span: None,
        };
        if self.binding_body(&mut b).is_err() {
            self.rest_of_line();
            b = Binding {
                error: true,
                key: None,
                value: None,
                value_span: None,
                ..b
            };
        }
        // Every binding consumes at least one character, so parsing always terminates.
        if self.pos == start {
            self.pos += self.peek().map_or(1, char::len_utf8);
        }
        b.end = self.pos;
        b
    }
}

/// `re.sub(r"\s+#.*", "", part)` on a single line: cut at the first whitespace run that is
/// followed by `#`.
pub(super) fn strip_inline_comment(part: &str) -> &str {
    let mut run_start = None;
    for (i, c) in part.char_indices() {
        if py_space(c) {
            run_start.get_or_insert(i);
        } else {
            if c == '#'
                && let Some(s) = run_start
            {
                return part.get(..s).unwrap_or(part);
            }
            run_start = None;
        }
    }
    part
}

/// Decode backslash escapes whose second character satisfies `known` (python-dotenv's
/// `decode_escapes`); any other backslash stays as written.
pub(super) fn unescape(raw: &str, known: impl Fn(char) -> bool) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\'
            && let Some(&n) = chars.peek()
            && known(n)
        {
            chars.next();
            out.push(match n {
                'a' => '\u{7}',
                'b' => '\u{8}',
                'f' => '\u{c}',
                'n' => '\n',
                'r' => '\r',
                't' => '\t',
                'v' => '\u{b}',
                other => other,
            });
        } else {
            out.push(c);
        }
    }
    out
}

/// Parse `text` (already without BOM) into bindings covering it entirely.
pub(super) fn bindings(text: &str) -> Vec<Binding> {
    let mut reader = Reader { s: text, pos: 0 };
    let mut out = Vec::new();
    while reader.pos < text.len() {
        out.push(reader.binding());
    }
    out
}

/// Translate `\r\n` and lone `\r` to `\n`, as Python's text-mode file reading does.
pub(super) fn universal_newlines(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains('\r') {
        std::borrow::Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}
