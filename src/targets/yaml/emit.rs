//! A port of the part of PyYAML's emitter (6.0, `yaml/emitter.py`) that writes a mapping of
//! strings to strings, with the options the reference CLI uses: `yaml.dump(data,
//! default_flow_style=False, sort_keys=False)`, so `allow_unicode=False`, width 80, indent 2.
//!
//! Every string goes through PyYAML's choice of style: plain when the plain text resolves
//! back to a string (not `yes`, `null`, `0755`, `1.5`, `2024-01-02`, `=`, `<<`...) and has no
//! indicator, edge space or line break; else single-quoted when it has no special character;
//! else double-quoted with PyYAML's escapes (every non-ASCII character is escaped, since
//! `allow_unicode` is off). Long plain and quoted scalars are folded at column 80 the way
//! PyYAML folds them. Keys of 123 characters or more, empty keys and keys with a line break
//! use PyYAML's explicit `? key` form. The output is therefore byte for byte what PyYAML
//! writes for the same entries, which the tests check against recorded PyYAML output.
//!
//! Columns are counted in characters, as Python does; the output itself is always ASCII.

use std::sync::LazyLock;

use regex_lite::Regex;

const BEST_WIDTH: usize = 80;
const BEST_INDENT: usize = 2;

/// PyYAML's `Resolver` implicit resolvers, used by its serializer to decide whether a string
/// may be written plain (`implicit[0]`): a plain scalar that any of these matches would be
/// read back as something other than a string.
static RESOLVERS: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        // bool
        r"^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$",
        // float
        r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        // int
        r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$",
        // merge
        r"^(?:<<)$",
        // null
        r"^(?:~|null|Null|NULL|)$",
        // timestamp
        r"^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$",
        // value
        r"^(?:=)$",
        // yaml (documentation only in PyYAML, but registered)
        r"^(?:!|&|\*)$",
    ]
    .iter()
    .filter_map(|p| Regex::new(p).ok())
    .collect()
});

/// Python's `re` `$` also matches before a final newline.
fn python_match(re: &Regex, s: &str) -> bool {
    re.is_match(s) || s.strip_suffix('\n').is_some_and(|t| re.is_match(t))
}

/// Whether PyYAML reads `value`, written plain, back as a string (`implicit[0]`).
fn plain_is_str(value: &str) -> bool {
    // Eight patterns compiled: if one ever failed to compile, quote everything (always safe).
    RESOLVERS.len() == 8 && !RESOLVERS.iter().any(|re| python_match(re, value))
}

/// PyYAML's `ScalarAnalysis`.
#[derive(Clone, Copy, Debug)]
struct Analysis {
    empty: bool,
    multiline: bool,
    allow_flow_plain: bool,
    allow_block_plain: bool,
    allow_single_quoted: bool,
}

fn is_break(c: char) -> bool {
    matches!(c, '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_space_or_break(c: char) -> bool {
    matches!(c, '\0' | ' ' | '\t' | '\r') || is_break(c)
}

/// `Emitter.analyze_scalar` with `allow_unicode=False`.
fn analyze(s: &[char]) -> Analysis {
    if s.is_empty() {
        return Analysis {
            empty: true,
            multiline: false,
            allow_flow_plain: false,
            allow_block_plain: true,
            allow_single_quoted: true,
        };
    }
    let mut block_indicators = false;
    let mut flow_indicators = false;
    let mut line_breaks = false;
    let mut special_characters = false;
    let mut leading_space = false;
    let mut leading_break = false;
    let mut trailing_space = false;
    let mut trailing_break = false;
    let mut break_space = false;
    let mut space_break = false;
    let starts = |p: &str| s.iter().take(3).copied().eq(p.chars());
    if starts("---") || starts("...") {
        block_indicators = true;
        flow_indicators = true;
    }
    let mut preceded_by_whitespace = true;
    let mut followed_by_whitespace =
        s.len() == 1 || s.get(1).is_some_and(|&c| is_space_or_break(c));
    let mut previous_space = false;
    let mut previous_break = false;
    let last = s.len() - 1;
    for (index, &ch) in s.iter().enumerate() {
        if index == 0 {
            if "#,[]{}&*!|>'\"%@`".contains(ch) {
                flow_indicators = true;
                block_indicators = true;
            }
            if ch == '?' || ch == ':' {
                flow_indicators = true;
                if followed_by_whitespace {
                    block_indicators = true;
                }
            }
            if ch == '-' && followed_by_whitespace {
                flow_indicators = true;
                block_indicators = true;
            }
        } else {
            if ",?[]{}".contains(ch) {
                flow_indicators = true;
            }
            if ch == ':' {
                flow_indicators = true;
                if followed_by_whitespace {
                    block_indicators = true;
                }
            }
            if ch == '#' && preceded_by_whitespace {
                flow_indicators = true;
                block_indicators = true;
            }
        }
        if is_break(ch) {
            line_breaks = true;
        }
        if !(ch == '\n' || (' '..='~').contains(&ch)) {
            // Unicode characters are special too, since allow_unicode is off.
            special_characters = true;
        }
        if ch == ' ' {
            if index == 0 {
                leading_space = true;
            }
            if index == last {
                trailing_space = true;
            }
            if previous_break {
                break_space = true;
            }
            previous_space = true;
            previous_break = false;
        } else if is_break(ch) {
            if index == 0 {
                leading_break = true;
            }
            if index == last {
                trailing_break = true;
            }
            if previous_space {
                space_break = true;
            }
            previous_space = false;
            previous_break = true;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_whitespace = is_space_or_break(ch);
        followed_by_whitespace = s.get(index + 2).is_none_or(|&c| is_space_or_break(c));
    }
    let mut a = Analysis {
        empty: false,
        multiline: line_breaks,
        allow_flow_plain: true,
        allow_block_plain: true,
        allow_single_quoted: true,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        a.allow_flow_plain = false;
        a.allow_block_plain = false;
    }
    if break_space {
        a.allow_flow_plain = false;
        a.allow_block_plain = false;
        a.allow_single_quoted = false;
    }
    if space_break || special_characters {
        a.allow_flow_plain = false;
        a.allow_block_plain = false;
        a.allow_single_quoted = false;
    }
    if line_breaks {
        a.allow_flow_plain = false;
        a.allow_block_plain = false;
    }
    if flow_indicators {
        a.allow_flow_plain = false;
    }
    if block_indicators {
        a.allow_block_plain = false;
    }
    a
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Style {
    Plain,
    Single,
    Double,
}

/// The emitter's state: what PyYAML tracks about the last character written.
pub(super) struct Emitter {
    out: String,
    column: usize,
    whitespace: bool,
    indention: bool,
    indent: usize,
    /// Inside a flow collection (`{...}`): flow plain rules, and no folding.
    flow: bool,
}

impl Emitter {
    /// An emitter whose output continues a line at `column` (0 at the start of a line),
    /// after indentation or a separator. `flow` emits inside a flow mapping: PyYAML's flow
    /// rules for plain scalars, and nothing folded over several lines.
    pub(super) fn at(column: usize, flow: bool) -> Self {
        Emitter {
            out: String::new(),
            column,
            whitespace: true,
            indention: true,
            indent: 0,
            flow,
        }
    }

    /// The `,` before another entry of a flow mapping.
    pub(super) fn flow_separator(&mut self) {
        self.write_indicator(",", false, false, false);
    }

    /// The text written so far.
    pub(super) fn finish(self) -> String {
        self.out
    }

    fn write_indicator(
        &mut self,
        indicator: &str,
        need_whitespace: bool,
        whitespace: bool,
        indention: bool,
    ) {
        if !self.whitespace && need_whitespace {
            self.out.push(' ');
            self.column += 1;
        }
        self.out.push_str(indicator);
        self.column += indicator.chars().count();
        self.whitespace = whitespace;
        self.indention = self.indention && indention;
    }

    fn write_indent(&mut self) {
        let indent = self.indent;
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.write_line_break();
        }
        if self.column < indent {
            self.whitespace = true;
            for _ in self.column..indent {
                self.out.push(' ');
            }
            self.column = indent;
        }
    }

    fn write_line_break(&mut self) {
        self.whitespace = true;
        self.indention = true;
        self.column = 0;
        self.out.push('\n');
    }

    fn write_chars(&mut self, chars: &[char]) {
        self.out.extend(chars);
        self.column += chars.len();
    }

    /// `choose_scalar_style` for a plain-tagged string.
    fn choose_style(&self, a: &Analysis, implicit: bool, simple_key: bool) -> Style {
        if implicit
            && !(simple_key && (a.empty || a.multiline))
            && ((self.flow && a.allow_flow_plain) || (!self.flow && a.allow_block_plain))
        {
            return Style::Plain;
        }
        if a.allow_single_quoted && !(simple_key && a.multiline) && !(self.flow && a.multiline) {
            // (Flow entries are ours, not PyYAML's: a multi-line value there is written
            // double-quoted on one line rather than folded.)
            return Style::Single;
        }
        Style::Double
    }

    /// `expect_scalar` + `process_scalar` for one string node.
    fn scalar(&mut self, text: &str, simple_key: bool) {
        let chars: Vec<char> = text.chars().collect();
        let a = analyze(&chars);
        let style = self.choose_style(&a, plain_is_str(text), simple_key);
        let split = !simple_key && !self.flow;
        // increase_indent(flow=True) inside a block mapping: continuation lines are indented.
        let saved = self.indent;
        self.indent = saved + BEST_INDENT;
        match style {
            Style::Plain => self.write_plain(&chars, split),
            Style::Single => self.write_single_quoted(&chars, split),
            Style::Double => self.write_double_quoted(&chars, split),
        }
        self.indent = saved;
    }

    /// One `key: value` entry of a mapping whose keys are at column `indent`, starting at the
    /// beginning of a line (block) or after the previous entry's separator (flow). Leaves the
    /// emitter after the value (no line break).
    pub(super) fn entry(&mut self, indent: usize, key: &str, value: &str) {
        self.indent = indent;
        if !self.flow {
            self.write_indent();
        }
        let key_chars = key.chars().count();
        let key_analysis = analyze(&key.chars().collect::<Vec<_>>());
        // check_simple_key: the scalar's length plus its prepared tag (`!!str`, 5
        // characters: the serializer always sets the tag, even when it is not written).
        let simple = key_chars + 5 < 128 && !key_analysis.empty && !key_analysis.multiline;
        if simple {
            self.scalar(key, true);
            self.write_indicator(":", false, false, false);
        } else if self.flow {
            self.write_indicator("?", true, false, false);
            self.scalar(key, false);
            self.write_indicator(":", true, false, false);
        } else {
            self.write_indicator("?", true, false, true);
            self.scalar(key, false);
            self.write_indent();
            self.write_indicator(":", true, false, true);
        }
        self.scalar(value, false);
    }

    /// A line break after a block entry (what the next entry or the document end writes).
    pub(super) fn end_line(&mut self) {
        self.write_line_break();
    }

    fn write_plain(&mut self, text: &[char], split: bool) {
        if text.is_empty() {
            return;
        }
        if !self.whitespace {
            self.out.push(' ');
            self.column += 1;
        }
        self.whitespace = false;
        self.indention = false;
        let mut spaces = false;
        let mut breaks = false;
        let (mut start, mut end) = (0usize, 0usize);
        while end <= text.len() {
            let ch = text.get(end).copied();
            if spaces {
                if ch != Some(' ') {
                    if start + 1 == end && self.column > BEST_WIDTH && split {
                        self.write_indent();
                        self.whitespace = false;
                        self.indention = false;
                    } else {
                        self.write_chars(text.get(start..end).unwrap_or(&[]));
                    }
                    start = end;
                }
            } else if breaks {
                if !ch.is_some_and(is_break) {
                    if text.get(start) == Some(&'\n') {
                        self.write_line_break();
                    }
                    for _ in text.get(start..end).unwrap_or(&[]) {
                        // Only '\n' can reach a plain scalar (other breaks are special).
                        self.write_line_break();
                    }
                    self.write_indent();
                    self.whitespace = false;
                    self.indention = false;
                    start = end;
                }
            } else if ch.is_none_or(|c| c == ' ' || is_break(c)) {
                self.write_chars(text.get(start..end).unwrap_or(&[]));
                start = end;
            }
            if let Some(c) = ch {
                spaces = c == ' ';
                breaks = is_break(c);
            }
            end += 1;
        }
    }

    fn write_single_quoted(&mut self, text: &[char], split: bool) {
        self.write_indicator("'", true, false, false);
        let mut spaces = false;
        let mut breaks = false;
        let (mut start, mut end) = (0usize, 0usize);
        while end <= text.len() {
            let ch = text.get(end).copied();
            if spaces {
                if ch != Some(' ') {
                    if start + 1 == end
                        && self.column > BEST_WIDTH
                        && split
                        && start != 0
                        && end != text.len()
                    {
                        self.write_indent();
                    } else {
                        self.write_chars(text.get(start..end).unwrap_or(&[]));
                    }
                    start = end;
                }
            } else if breaks {
                if !ch.is_some_and(is_break) {
                    if text.get(start) == Some(&'\n') {
                        self.write_line_break();
                    }
                    for _ in text.get(start..end).unwrap_or(&[]) {
                        self.write_line_break();
                    }
                    self.write_indent();
                    start = end;
                }
            } else if ch.is_none_or(|c| c == ' ' || c == '\'' || is_break(c)) && start < end {
                self.write_chars(text.get(start..end).unwrap_or(&[]));
                start = end;
            }
            if ch == Some('\'') {
                self.out.push_str("''");
                self.column += 2;
                start = end + 1;
            }
            if let Some(c) = ch {
                spaces = c == ' ';
                breaks = is_break(c);
            }
            end += 1;
        }
        self.write_indicator("'", false, false, false);
    }

    fn write_double_quoted(&mut self, text: &[char], split: bool) {
        self.write_indicator("\"", true, false, false);
        let (mut start, mut end) = (0usize, 0usize);
        while end <= text.len() {
            let ch = text.get(end).copied();
            let needs_escape = ch.is_none_or(|c| {
                matches!(
                    c,
                    '"' | '\\' | '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}'
                ) || !(' '..='~').contains(&c)
            });
            if needs_escape {
                if start < end {
                    self.write_chars(text.get(start..end).unwrap_or(&[]));
                    start = end;
                }
                if let Some(c) = ch {
                    let data = escape(c);
                    self.column += data.len();
                    self.out.push_str(&data);
                    start = end + 1;
                }
            }
            if 0 < end
                && end + 1 < text.len()
                && (ch == Some(' ') || start >= end)
                // Python: `self.column + (end - start) > best_width`, where `end - start` is -1
                // right after an escape.
                && self.column + end > BEST_WIDTH + start
                && split
            {
                if start < end {
                    self.write_chars(text.get(start..end).unwrap_or(&[]));
                    start = end;
                }
                self.out.push('\\');
                self.column += 1;
                self.write_indent();
                self.whitespace = false;
                self.indention = false;
                if text.get(start) == Some(&' ') {
                    self.out.push('\\');
                    self.column += 1;
                }
            }
            end += 1;
        }
        self.write_indicator("\"", false, false, false);
    }
}

/// PyYAML's escape for one character in a double-quoted scalar.
fn escape(c: char) -> String {
    let short = match c {
        '\0' => Some('0'),
        '\u{7}' => Some('a'),
        '\u{8}' => Some('b'),
        '\t' => Some('t'),
        '\n' => Some('n'),
        '\u{b}' => Some('v'),
        '\u{c}' => Some('f'),
        '\r' => Some('r'),
        '\u{1b}' => Some('e'),
        '"' => Some('"'),
        '\\' => Some('\\'),
        '\u{85}' => Some('N'),
        '\u{a0}' => Some('_'),
        '\u{2028}' => Some('L'),
        '\u{2029}' => Some('P'),
        _ => None,
    };
    match (short, c as u32) {
        (Some(s), _) => format!("\\{s}"),
        (None, n) if n <= 0xff => format!("\\x{n:02X}"),
        (None, n) if n <= 0xffff => format!("\\u{n:04X}"),
        (None, n) => format!("\\U{n:08X}"),
    }
}

/// The block mapping PyYAML writes for `entries` (`yaml.dump(dict(entries),
/// default_flow_style=False, sort_keys=False)`), with keys at column `indent`; `{}\n` when
/// there are none.
pub(super) fn block_mapping(indent: usize, entries: &[(&str, &str)]) -> String {
    if entries.is_empty() {
        return "{}\n".to_string();
    }
    let mut e = Emitter::at(0, false);
    for (key, value) in entries {
        e.entry(indent, key, value);
        e.end_line();
    }
    e.finish()
}
