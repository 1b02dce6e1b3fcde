//! The HCL scanner behind [`super::render`] and [`super::lookup`]: the top-level attributes
//! and blocks of a tfvars file and where each value starts and ends, through comments
//! (`#`, `//`, `/* */`), quoted templates with `${...}` / `%{...}` (nested), heredocs and
//! brackets. Expressions are delimited, not evaluated; it never panics and bounds its
//! nesting.

/// Deepest nesting of brackets and templates accepted.
const MAX_DEPTH: usize = 128;

type Fail = (usize, &'static str);

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Item {
    Attribute {
        name: String,
        start: usize,
        value: (usize, usize),
        line_end: usize,
    },
    Block {
        name: String,
        start: usize,
        end: usize,
    },
}

/// HCL identifiers start with a Unicode letter or `_`; any non-ASCII character is taken as a
/// letter here (no Unicode tables in the wasm build; a name Terraform would refuse is kept as
/// it is, never written by us).
fn ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || !c.is_ascii()
}

fn ident_continue(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-' || !c.is_ascii()
}

struct Scanner<'a> {
    text: &'a str,
    pos: usize,
}

impl Scanner<'_> {
    fn rest(&self) -> &str {
        self.text.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn bump(&mut self) {
        self.pos += self.peek().map_or(1, char::len_utf8);
    }

    fn skip_line_comment(&mut self) {
        while !matches!(self.peek(), None | Some('\n' | '\r')) {
            self.bump();
        }
    }

    fn skip_block_comment(&mut self) -> Result<(), Fail> {
        let start = self.pos;
        match self.rest().get(2..).and_then(|r| r.find("*/")) {
            Some(i) => {
                self.pos += 2 + i + 2;
                Ok(())
            }
            None => Err((start, "unterminated comment")),
        }
    }

    /// Skip a comment at the current position, if there is one.
    fn comment(&mut self) -> Result<bool, Fail> {
        let r = self.rest();
        if r.starts_with('#') || r.starts_with("//") {
            self.skip_line_comment();
            Ok(true)
        } else if r.starts_with("/*") {
            self.skip_block_comment()?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    fn spaces(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t')) {
            self.pos += 1;
        }
    }

    fn newline(&mut self) -> Result<bool, Fail> {
        let r = self.rest();
        if r.starts_with('\n') {
            self.pos += 1;
            Ok(true)
        } else if r.starts_with("\r\n") {
            self.pos += 2;
            Ok(true)
        } else if r.starts_with('\r') {
            Err((self.pos, "carriage return without a line feed"))
        } else {
            Ok(false)
        }
    }

    fn ident(&mut self) -> Option<String> {
        let start = self.pos;
        if !self.peek().is_some_and(ident_start) {
            return None;
        }
        while self.peek().is_some_and(ident_continue) {
            self.bump();
        }
        self.text.get(start..self.pos).map(str::to_string)
    }

    /// An `=` that is not part of `==`, `!=`, `<=`, `>=` or `=>`: outside brackets it can only
    /// start another attribute on the same line.
    fn lone_equals(&self) -> bool {
        let before = self
            .text
            .get(..self.pos)
            .and_then(|b| b.chars().next_back());
        let after = self.rest().get(1..).and_then(|r| r.chars().next());
        !matches!(before, Some('=' | '!' | '<' | '>')) && !matches!(after, Some('=' | '>'))
    }

    /// A quoted template, from its opening `"`; leaves `pos` after the closing one.
    fn string(&mut self, depth: usize) -> Result<(), Fail> {
        let start = self.pos;
        self.pos += 1;
        loop {
            let r = self.rest();
            if r.starts_with("$${") || r.starts_with("%%{") {
                self.pos += 3;
            } else if r.starts_with("${") || r.starts_with("%{") {
                self.pos += 2;
                self.expression(depth + 1, true)?;
            } else {
                match self.peek() {
                    Some('"') => {
                        self.pos += 1;
                        return Ok(());
                    }
                    Some('\\') => {
                        self.pos += 1;
                        if matches!(self.peek(), None | Some('\n' | '\r')) {
                            return Err((start, "unterminated string"));
                        }
                        self.bump();
                    }
                    None | Some('\n' | '\r') => return Err((start, "unterminated string")),
                    Some(_) => self.bump(),
                }
            }
        }
    }

    /// A heredoc, from its `<<`; leaves `pos` at the end of its closing marker line.
    fn heredoc(&mut self) -> Result<(), Fail> {
        let start = self.pos;
        self.pos += 2;
        if self.peek() == Some('-') {
            self.pos += 1;
        }
        let marker = self
            .ident()
            .ok_or((start, "expected a heredoc marker after `<<`"))?;
        if !self.newline()? {
            return Err((self.pos, "expected a line end after the heredoc marker"));
        }
        loop {
            let line_start = self.pos;
            if self.rest().is_empty() {
                return Err((start, "unterminated heredoc"));
            }
            self.skip_line_comment();
            let line = self.text.get(line_start..self.pos).unwrap_or("");
            if line.trim_matches([' ', '\t']) == marker {
                return Ok(());
            }
            self.newline()?;
        }
    }

    /// An expression: up to a line end outside brackets (or, `in_braces`, up to the `}` that
    /// closes an interpolation, which is consumed). Returns the end of its last token.
    fn expression(&mut self, depth: usize, in_braces: bool) -> Result<usize, Fail> {
        if depth > MAX_DEPTH {
            return Err((self.pos, "expression nested too deeply"));
        }
        let mut stack: Vec<char> = Vec::new();
        let mut last = self.pos;
        loop {
            if self.comment()? {
                continue;
            }
            let Some(c) = self.peek() else {
                return if stack.is_empty() && !in_braces {
                    Ok(last)
                } else {
                    Err((self.pos, "unclosed bracket"))
                };
            };
            match c {
                '\n' | '\r' if stack.is_empty() && !in_braces => return Ok(last),
                '\n' | '\r' => {
                    self.newline()?;
                    continue;
                }
                ' ' | '\t' => {
                    self.pos += 1;
                    continue;
                }
                '"' => self.string(depth)?,
                '<' if self.rest().starts_with("<<")
                    && self
                        .rest()
                        .get(2..)
                        .and_then(|r| r.trim_start_matches('-').chars().next())
                        .is_some_and(ident_start) =>
                {
                    self.heredoc()?
                }
                '(' | '[' | '{' => {
                    if stack.len() >= MAX_DEPTH {
                        return Err((self.pos, "expression nested too deeply"));
                    }
                    stack.push(match c {
                        '(' => ')',
                        '[' => ']',
                        _ => '}',
                    });
                    self.pos += 1;
                }
                '=' if stack.is_empty() && !in_braces && self.lone_equals() => {
                    return Err((self.pos, "expected the end of the line"));
                }
                ')' | ']' | '}' => {
                    match stack.pop() {
                        Some(want) if want == c => {}
                        None if in_braces && c == '}' => {
                            self.pos += 1;
                            return Ok(self.pos);
                        }
                        _ => return Err((self.pos, "unbalanced bracket")),
                    }
                    self.pos += 1;
                }
                _ => self.bump(),
            }
            last = self.pos;
        }
    }

    fn document(&mut self) -> Result<Vec<Item>, Fail> {
        let mut items = Vec::new();
        if self.rest().starts_with('\u{feff}') {
            self.pos += 3;
        }
        loop {
            loop {
                self.spaces();
                if !(self.comment()? || self.newline()?) {
                    break;
                }
            }
            if self.peek().is_none() {
                return Ok(items);
            }
            let start = self.pos;
            let name = self.ident().ok_or((start, "expected a variable name"))?;
            self.spaces();
            if self.rest().starts_with('=') && !self.rest().starts_with("==") {
                self.pos += 1;
                self.spaces();
                let value_start = self.pos;
                let value_end = self.expression(0, false)?;
                if value_end == value_start {
                    return Err((value_start, "expected a value"));
                }
                if !(self.peek().is_none() || self.newline()?) {
                    return Err((self.pos, "expected the end of the line"));
                }
                items.push(Item::Attribute {
                    name,
                    start,
                    value: (value_start, value_end),
                    line_end: self.pos,
                });
            } else {
                // A block (`name "label" { ... }`): not a tfvars construct, kept as it is.
                let end = self.expression(0, false)?;
                if !self.text.get(start..end).is_some_and(|t| t.ends_with('}')) {
                    return Err((start, "expected `=` after a variable name"));
                }
                self.newline()?;
                items.push(Item::Block { name, start, end });
            }
        }
    }
}

pub(super) fn scan(text: &str) -> Result<Vec<Item>, Fail> {
    Scanner { text, pos: 0 }.document()
}
