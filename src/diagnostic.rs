//! Diagnostics: every problem the library reports, with a stable code and a position.
//!
//! A [`Diagnostic`] never contains the value of a secret: messages name fields, kinds and
//! positions, never values. Codes are public API (see `CHANGELOG.md`); message prose is not.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How serious a [`Diagnostic`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The Secretfile (or the operation) cannot be used as it is.
    Error,
    /// Something is probably wrong but has a safe fallback; the sync still runs.
    Warning,
}

macro_rules! error_codes {
    ($( $(#[$doc:meta])* $variant:ident => $text:literal, )*) => {
        /// A stable, machine-readable diagnostic code (SCREAMING_SNAKE_CASE in JSON and JS).
        ///
        /// Codes are part of the public API: new codes may be added, existing ones are never
        /// renamed or reused for another meaning.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
        #[non_exhaustive]
        pub enum ErrorCode {
            $( $(#[$doc])* #[serde(rename = $text)] $variant, )*
        }

        impl ErrorCode {
            /// Every code, in declaration order.
            pub const ALL: &'static [ErrorCode] = &[ $( ErrorCode::$variant, )* ];

            /// The code as it appears in JSON and JS (`"YAML_SYNTAX"`, ...).
            pub fn as_str(self) -> &'static str {
                match self { $( ErrorCode::$variant => $text, )* }
            }
        }
    };
}

error_codes! {
    /// The YAML text is not well-formed.
    YamlSyntax => "YAML_SYNTAX",
    /// The input exceeds a size, nesting-depth or alias-expansion budget.
    BudgetExceeded => "BUDGET_EXCEEDED",
    /// The input is not valid UTF-8 or contains a NUL byte.
    InvalidEncoding => "INVALID_ENCODING",
    /// The Secretfile is empty (or holds only comments).
    EmptySecretfile => "EMPTY_SECRETFILE",
    /// The top level of the Secretfile is not a mapping.
    NotAMapping => "NOT_A_MAPPING",
    /// A key that the Secretfile format does not know (warning; often a typo).
    UnknownKey => "UNKNOWN_KEY",
    /// A mapping has the same key twice; the last one wins (warning).
    DuplicateKey => "DUPLICATE_KEY",
    /// A required field is missing.
    MissingField => "MISSING_FIELD",
    /// A field has the wrong type (for example a string where a number is expected).
    WrongType => "WRONG_TYPE",
    /// A field has a value outside its allowed set or range.
    InvalidValue => "INVALID_VALUE",
    /// A value is not one of the known choices but has a safe fallback (warning).
    UnknownValue => "UNKNOWN_VALUE",
    /// Two secrets have the same name.
    DuplicateSecret => "DUPLICATE_SECRET",
    /// A secret's `kind` is not a generator this implementation knows (warning: the secret
    /// then needs a person).
    UnknownKind => "UNKNOWN_KIND",
    /// A `templates.<name>` kind names a template that does not exist.
    UnknownTemplate => "UNKNOWN_TEMPLATE",
    /// A `validation` pattern is not a valid regular expression.
    InvalidRegex => "INVALID_REGEX",
    /// Generator options that can never produce a value (every character class off, an empty
    /// charset after exclusions, a length below 1).
    UnsatisfiableGenerator => "UNSATISFIABLE_GENERATOR",
    /// A reference to an environment, target profile or policy that does not exist.
    UnknownReference => "UNKNOWN_REFERENCE",
    /// `agent_instructions` contain something that looks like a real credential (warning).
    CredentialInInstructions => "CREDENTIAL_IN_INSTRUCTIONS",
    /// A supplied value does not match the secret's `validation` pattern.
    ValidationFailed => "VALIDATION_FAILED",
    /// A target path leaves the project root (`../`, an absolute path, a symlink out).
    PathOutsideRoot => "PATH_OUTSIDE_ROOT",
    /// A target's configuration cannot be used (missing path, unsupported format, ...).
    InvalidTarget => "INVALID_TARGET",
    /// An existing target file cannot be merged (for example a JSON file that is not an object).
    TargetMergeFailed => "TARGET_MERGE_FAILED",
    /// A shared store (AWS, Vault, ...) could not be reached, refused the write, or has no
    /// adapter in this host.
    TargetUnreachable => "TARGET_UNREACHABLE",
    /// The lockfile cannot be read.
    InvalidLockfile => "INVALID_LOCKFILE",
    /// A Jinja expression could not be rendered (warning; the text is kept as written).
    TemplateRender => "TEMPLATE_RENDER",
    /// The random number source failed.
    Randomness => "RANDOMNESS",
    /// A file could not be read or written.
    Io => "IO",
    /// Another sync of the same project holds the lock.
    Locked => "LOCKED",
    /// The API or the command was called with wrong arguments.
    Usage => "USAGE",
    /// A bug: please report it.
    Internal => "INTERNAL",
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A position range in the source text.
///
/// `line` and `column` are **1-based**; `column` counts Unicode scalar values, `column_utf16`
/// counts UTF-16 code units (what JS strings, LSP and VS Code use). `start`/`end` are byte
/// offsets (end exclusive).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct Span {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
    /// 1-based line of `start`.
    pub line: usize,
    /// 1-based column of `start`, in Unicode scalar values.
    pub column: usize,
    /// 1-based column of `start`, in UTF-16 code units.
    pub column_utf16: usize,
    /// 1-based line of `end`.
    pub end_line: usize,
    /// 1-based column of `end`, in Unicode scalar values.
    pub end_column: usize,
    /// 1-based column of `end`, in UTF-16 code units.
    pub end_column_utf16: usize,
}

/// Maps byte offsets of one source text to lines and columns.
///
/// Every lookup costs O(log n) plus a scan of at most [`CHECKPOINT_BYTES`] bytes, however long
/// the line: a YAML reader asks for the position of every event, and a hostile document on
/// one long line (`[1,1,1,...]`) must not make that quadratic. ASCII text needs no table
/// (columns are byte distances); other text keeps the char and UTF-16 counts at a char
/// boundary every [`CHECKPOINT_BYTES`] bytes.
#[derive(Debug, Clone)]
pub struct LineIndex<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
    /// `(byte offset, chars before it, UTF-16 units before it)`, ascending; empty for ASCII.
    checkpoints: Vec<(usize, usize, usize)>,
    /// The 1-based line of the last lookup: the YAML reader asks in document order, so the
    /// next offset is usually on the same line or the next one (no binary search then).
    last_line: std::cell::Cell<usize>,
}

/// Spacing of [`LineIndex`] checkpoints in non-ASCII text.
const CHECKPOINT_BYTES: usize = 256;

impl<'a> LineIndex<'a> {
    /// Index `text`. Lines end at `\n`; a `\r` before it belongs to the line.
    pub fn new(text: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        let mut checkpoints = Vec::new();
        if !text.is_ascii() {
            let (mut chars, mut utf16, mut next) = (0usize, 0usize, 0usize);
            for (i, c) in text.char_indices() {
                if i >= next {
                    checkpoints.push((i, chars, utf16));
                    next = i + CHECKPOINT_BYTES;
                }
                chars += 1;
                utf16 += c.len_utf16();
            }
        }
        LineIndex {
            text,
            line_starts,
            checkpoints,
            last_line: std::cell::Cell::new(1),
        }
    }

    /// Chars and UTF-16 units before byte `offset` (a char boundary).
    fn counts(&self, offset: usize) -> (usize, usize) {
        if self.checkpoints.is_empty() {
            return (offset, offset);
        }
        let i = self.checkpoints.partition_point(|c| c.0 <= offset);
        let (at, chars, utf16) = i
            .checked_sub(1)
            .and_then(|i| self.checkpoints.get(i))
            .copied()
            .unwrap_or((0, 0, 0));
        let rest = self.text.get(at..offset).unwrap_or("");
        (
            chars + rest.chars().count(),
            utf16 + rest.chars().map(char::len_utf16).sum::<usize>(),
        )
    }

    /// The (1-based line, 1-based char column, 1-based UTF-16 column) of a byte offset.
    /// Offsets past the end are clamped; offsets inside a character snap to its start.
    pub fn position(&self, offset: usize) -> (usize, usize, usize) {
        let mut offset = offset.min(self.text.len());
        while offset > 0 && !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_of(offset);
        let start = self.line_starts.get(line - 1).copied().unwrap_or(0);
        let (c0, u0) = self.counts(start);
        let (c1, u1) = self.counts(offset);
        (line, c1 - c0 + 1, u1 - u0 + 1)
    }

    /// The 1-based line holding byte `offset` (a char boundary within the text).
    fn line_of(&self, offset: usize) -> usize {
        let starts_line = |line: usize| {
            let start = self.line_starts.get(line.wrapping_sub(1)).copied();
            let next = self.line_starts.get(line).copied().unwrap_or(usize::MAX);
            start.is_some_and(|s| s <= offset && offset < next)
        };
        let hint = self.last_line.get();
        let line = if starts_line(hint) {
            hint
        } else if starts_line(hint + 1) {
            hint + 1
        } else {
            self.line_starts.partition_point(|&s| s <= offset).max(1)
        };
        self.last_line.set(line);
        line
    }

    /// The [`Span`] of the byte range `start..end`.
    pub fn span(&self, start: usize, end: usize) -> Span {
        let end = end.max(start);
        if self.checkpoints.is_empty() {
            return self.ascii_span(start, end);
        }
        let (line, column, column_utf16) = self.position(start);
        let (end_line, end_column, end_column_utf16) = self.position(end);
        Span {
            start,
            end,
            line,
            column,
            column_utf16,
            end_line,
            end_column,
            end_column_utf16,
        }
    }

    /// [`Self::span`] of ASCII text (every offset a char boundary, columns byte distances),
    /// the common case: one line lookup, and none for an end on the start's line.
    fn ascii_span(&self, start: usize, end: usize) -> Span {
        let (s, e) = (start.min(self.text.len()), end.min(self.text.len()));
        let line = self.line_of(s);
        let line_start = self.line_starts.get(line - 1).copied().unwrap_or(0);
        let next = self.line_starts.get(line).copied().unwrap_or(usize::MAX);
        let (end_line, end_line_start) = if e < next {
            (line, line_start)
        } else {
            let l = self.line_of(e);
            (l, self.line_starts.get(l - 1).copied().unwrap_or(0))
        };
        let column = s.saturating_sub(line_start) + 1;
        let end_column = e.saturating_sub(end_line_start) + 1;
        Span {
            start,
            end,
            line,
            column,
            column_utf16: column,
            end_line,
            end_column,
            end_column_utf16: end_column,
        }
    }
}

/// One problem found in a Secretfile, a lockfile or a sync.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct Diagnostic {
    /// Stable machine-readable code.
    pub code: ErrorCode,
    /// Error or warning.
    pub severity: Severity,
    /// Lowercase, human-readable text; never contains a secret value.
    pub message: String,
    /// Dotted path of the offending node (`secrets[2].config.length`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// 1-based line of the offending node, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// 1-based column (Unicode scalar values) of the offending node, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// Where exactly, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
    /// What to do about it ("did you mean `kind`?", "set `length` to 1 or more").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Diagnostic {
    /// An error with `code` and `message`.
    pub fn error(code: ErrorCode, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            path: None,
            line: None,
            column: None,
            span: None,
            hint: None,
        }
    }

    /// A warning with `code` and `message`.
    pub fn warning(code: ErrorCode, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    /// Attach the position of the offending node.
    pub fn at(mut self, span: Option<Span>) -> Self {
        if let Some(s) = span {
            self.line = Some(s.line);
            self.column = Some(s.column);
        }
        self.span = span;
        self
    }

    /// Attach the dotted path of the offending node.
    pub fn with_path(mut self, path: impl Into<String>) -> Self {
        let p = path.into();
        self.path = if p.is_empty() { None } else { Some(p) };
        self
    }

    /// Attach a hint saying what to do.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Whether this is an error (as opposed to a warning).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{l}:{c}: {kind}[{}]: {}", self.code, self.message)?,
            _ => write!(f, "{kind}[{}]: {}", self.code, self.message)?,
        }
        if let Some(path) = &self.path {
            write!(f, " (at `{path}`)")?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "; {hint}")?;
        }
        Ok(())
    }
}

/// The error type of fallible library operations: the first error plus every diagnostic.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct Error {
    /// Code of the first error.
    pub code: ErrorCode,
    /// Message of the first error.
    pub message: String,
    /// 1-based line of the first error, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// 1-based column of the first error, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// Every diagnostic (errors and warnings) found.
    pub diagnostics: Vec<Diagnostic>,
}

impl Error {
    /// Build an error from a list of diagnostics; the first error-severity one leads.
    pub fn from_diagnostics(diagnostics: Vec<Diagnostic>) -> Self {
        let lead = diagnostics
            .iter()
            .find(|d| d.is_error())
            .or(diagnostics.first())
            .cloned()
            .unwrap_or_else(|| Diagnostic::error(ErrorCode::Internal, "unknown error"));
        Error {
            code: lead.code,
            message: lead.message,
            line: lead.line,
            column: lead.column,
            diagnostics,
        }
    }

    /// A single-diagnostic error.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error::from_diagnostics(vec![Diagnostic::error(code, message)])
    }
}

impl From<Diagnostic> for Error {
    fn from(d: Diagnostic) -> Self {
        Error::from_diagnostics(vec![d])
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{l}:{c}: [{}] {}", self.code, self.message),
            _ => write!(f, "[{}] {}", self.code, self.message),
        }
    }
}

impl std::error::Error for Error {}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    /// The ASCII fast path of `span` gives what two `position` lookups give, for every pair
    /// of offsets (in and past the text, same and other lines, in any lookup order).
    #[test]
    fn ascii_spans_match_positions() {
        for text in [
            "",
            "a",
            "\n",
            "ab: 1\n\ncd:\r\n  - x\n",
            "k: v",
            "\n\n\nz\n",
        ] {
            let idx = LineIndex::new(text);
            let reference = LineIndex::new(text);
            for start in 0..text.len() + 3 {
                for end in 0..text.len() + 3 {
                    let got = idx.span(start, end);
                    let end2 = end.max(start);
                    let (line, column, column_utf16) = reference.position(start);
                    let (end_line, end_column, end_column_utf16) = reference.position(end2);
                    let want = Span {
                        start,
                        end: end2,
                        line,
                        column,
                        column_utf16,
                        end_line,
                        end_column,
                        end_column_utf16,
                    };
                    assert_eq!(got, want, "{text:?} {start}..{end}");
                }
            }
        }
    }

    #[test]
    fn positions_on_long_non_ascii_lines() {
        // Checkpoints every 256 bytes: compare with a plain count at every offset.
        let text: String = (0..2000)
            .map(|i| match i % 7 {
                0 => "é".to_string(),
                1 => "🔑".to_string(),
                3 => "\n".to_string(),
                _ => "ab".to_string(),
            })
            .collect();
        let idx = LineIndex::new(&text);
        for (offset, _) in text.char_indices().step_by(13) {
            let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
            let prefix = &text[start..offset];
            let want = (
                text[..offset].matches('\n').count() + 1,
                prefix.chars().count() + 1,
                prefix.encode_utf16().count() + 1,
            );
            assert_eq!(idx.position(offset), want, "offset {offset}");
        }
    }

    #[test]
    fn positions_are_one_based_with_utf16_columns() {
        let text = "a: 1\nb: \"é😀x\"\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(0), (1, 1, 1));
        let x = text.find('x').unwrap();
        // `b: "` is 4 chars, then é (1 char, 1 unit), 😀 (1 char, 2 units)
        assert_eq!(idx.position(x), (2, 7, 8));
        assert_eq!(idx.position(text.len()), (3, 1, 1));
    }

    #[test]
    fn positions_do_not_depend_on_lookup_order() {
        let text = "a: 1\n\nb: \"é😀x\"\r\n  - c\nlast";
        let naive = |offset: usize| {
            let before = &text[..offset];
            let line = before.matches('\n').count() + 1;
            let col = &before[before.rfind('\n').map_or(0, |i| i + 1)..];
            (
                line,
                col.chars().count() + 1,
                col.encode_utf16().count() + 1,
            )
        };
        let offsets: Vec<usize> = (0..=text.len())
            .filter(|&o| text.is_char_boundary(o))
            .collect();
        let idx = LineIndex::new(text);
        for &o in offsets.iter().chain(offsets.iter().rev()) {
            assert_eq!(idx.position(o), naive(o), "offset {o}");
        }
        for (i, &o) in offsets.iter().enumerate() {
            let o2 = offsets[(i * 7) % offsets.len()];
            assert_eq!(idx.position(o), naive(o), "offset {o}");
            assert_eq!(idx.position(o2), naive(o2), "offset {o2}");
        }
    }

    #[test]
    fn codes_are_screaming_snake() {
        for code in ErrorCode::ALL {
            let s = code.as_str();
            assert!(s.chars().all(|c| c.is_ascii_uppercase() || c == '_'), "{s}");
            assert_eq!(serde_json::to_string(code).unwrap(), format!("\"{s}\""));
        }
    }

    #[test]
    fn error_leads_with_first_error_not_warning() {
        let e = Error::from_diagnostics(vec![
            Diagnostic::warning(ErrorCode::UnknownKey, "unknown key `x`"),
            Diagnostic::error(ErrorCode::MissingField, "missing `name`"),
        ]);
        assert_eq!(e.code, ErrorCode::MissingField);
        assert_eq!(e.diagnostics.len(), 2);
    }
}
