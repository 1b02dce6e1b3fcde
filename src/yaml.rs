//! YAML text to a tree of [`Node`]s with spans, read the way the reference CLI's PyYAML
//! `safe_load` reads it (YAML 1.1 scalars, merge keys, last-wins duplicate keys).
//!
//! Events come from `granit-parser` (pure safe Rust, panic-free, spans on every event); this
//! module resolves plain scalars with PyYAML's YAML 1.1 rules (`yes`/`on` booleans, `0755`
//! octal, `1:30` sexagesimal, timestamps), expands aliases under a budget and enforces the
//! size and depth budgets. It is the only module that knows the YAML library.

use std::collections::HashMap;

use granit_parser::{Event, Options, Parser, ScalarStyle, Span as YSpan};

use crate::diagnostic::{Diagnostic, ErrorCode, LineIndex, Span};

/// Limits that keep hostile input cheap to reject.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budgets {
    /// Largest accepted input, in bytes. Default: 16 MiB.
    pub max_bytes: usize,
    /// Deepest accepted nesting of collections. Default: 64.
    pub max_depth: usize,
    /// Most nodes that alias expansion may add to the tree. Default: 250,000.
    pub max_alias_nodes: usize,
}

impl Default for Budgets {
    fn default() -> Self {
        Budgets {
            max_bytes: 16 * 1024 * 1024,
            max_depth: 64,
            max_alias_nodes: 250_000,
        }
    }
}

/// A YAML value as PyYAML's `safe_load` constructs it.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `~`, `null`, empty.
    Null,
    /// YAML 1.1 booleans (`true`, `yes`, `on`, ...).
    Bool(bool),
    /// Integers (decimal, `0o`-less octal `0755`, `0x`, `0b`, sexagesimal `1:30`).
    Int(i64),
    /// Integers that do not fit in 64 bits, as their decimal text.
    BigInt(String),
    /// Floats (`1.0`, `.5`, `.inf`, `1:30.5`).
    Float(f64),
    /// Strings (every quoted scalar, and plain scalars that resolve to nothing else).
    Str(String),
    /// A date or timestamp, as Python's `str()` prints it (`2024-01-02`).
    Timestamp(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in document order, keys unique (last value wins, first position kept).
    Map(Vec<(Node, Node)>),
}

/// A value with its position in the source.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Where it is.
    pub span: Span,
}

impl Node {
    /// The string, if this is a string scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The entries, if this is a mapping.
    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The value under string key `key`, if this is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v)
    }

    /// A short name of the value's type, for messages (`string`, `mapping`, ...).
    pub fn type_name(&self) -> &'static str {
        self.value.type_name()
    }
}

impl Value {
    /// A short name of the type, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Int(_) | Value::BigInt(_) => "integer",
            Value::Float(_) => "float",
            Value::Str(_) => "string",
            Value::Timestamp(_) => "timestamp",
            Value::Seq(_) => "list",
            Value::Map(_) => "mapping",
        }
    }
}

/// The result of reading YAML text: the document's root (None for an empty document) plus
/// warnings (duplicate keys). A syntax or budget error is returned as `Err`.
#[derive(Debug)]
pub struct Document {
    /// The root node, or `None` when the document is empty.
    pub root: Option<Node>,
    /// Non-fatal findings (duplicate keys).
    pub warnings: Vec<Diagnostic>,
}

/// Parse `text` into a [`Document`] within `budgets`.
///
/// # Errors
/// A diagnostic with `YAML_SYNTAX` (with the position of the problem), `BUDGET_EXCEEDED` or
/// `INVALID_ENCODING` (a NUL byte).
pub fn parse(text: &str, budgets: &Budgets) -> Result<Document, Diagnostic> {
    if text.len() > budgets.max_bytes {
        return Err(Diagnostic::error(
            ErrorCode::BudgetExceeded,
            format!(
                "input is {} bytes, more than the limit of {} bytes",
                text.len(),
                budgets.max_bytes
            ),
        )
        .with_hint("a Secretfile this large is almost certainly not a Secretfile"));
    }
    let index = LineIndex::new(text);
    if let Some(pos) = text.find('\0') {
        return Err(
            Diagnostic::error(ErrorCode::InvalidEncoding, "input contains a NUL byte")
                .at(Some(index.span(pos, pos + 1))),
        );
    }
    let mut options = Options::default();
    options.block_nesting_limit = budgets.max_depth;
    options.flow_nesting_limit = budgets.max_depth;
    options.block_scalar_eof_without_line_feed = true;
    options.set_emit_comments(false);
    let mut builder = Builder {
        text,
        index: &index,
        budgets,
        anchors: HashMap::new(),
        alias_nodes: 0,
        warnings: Vec::new(),
    };
    let mut events = Parser::new_from_str_with_options(text, options);
    builder.document(&mut events)
}

type Events<'a> = Parser<'a, granit_parser::StrInput<'a>>;

struct Builder<'a, 'b> {
    text: &'a str,
    index: &'b LineIndex<'a>,
    budgets: &'b Budgets,
    anchors: HashMap<usize, Node>,
    alias_nodes: usize,
    warnings: Vec<Diagnostic>,
}

/// A container being built.
enum Frame {
    Seq {
        items: Vec<Node>,
        start: usize,
        anchor: usize,
    },
    Map {
        entries: MapBuilder,
        pending_key: Option<Node>,
        start: usize,
        anchor: usize,
    },
}

impl<'a> Builder<'a, '_> {
    /// Byte offsets of an event; turned into a [`Span`] (line and columns) only for events
    /// that become nodes or errors.
    fn offsets(s: &YSpan) -> (usize, usize) {
        let start = s.start.byte_offset().unwrap_or(0);
        let end = s.end.byte_offset().unwrap_or(start);
        (start, end)
    }

    fn syntax_error(&self, err: &granit_parser::ScanError) -> Diagnostic {
        let m = err.marker();
        let offset = m.byte_offset().unwrap_or_else(|| {
            // Fall back to the line start when the byte offset is unknown.
            self.text
                .split_inclusive('\n')
                .take(m.line().saturating_sub(1))
                .map(str::len)
                .sum()
        });
        let span = self.index.span(offset, offset);
        let kind = err.kind();
        let (code, hint) = match kind {
            granit_parser::ErrorKind::RecursionLimitExceeded => (
                ErrorCode::BudgetExceeded,
                format!(
                    "nesting is limited to {} levels; flatten the document",
                    self.budgets.max_depth
                ),
            ),
            _ => (
                ErrorCode::YamlSyntax,
                "check the indentation and quoting around this position".to_string(),
            ),
        };
        let mut message = kind_message(kind);
        if code == ErrorCode::BudgetExceeded {
            message = format!("nesting deeper than {} levels", self.budgets.max_depth);
        }
        Diagnostic::error(code, lowercase_first(&message))
            .at(Some(span))
            .with_hint(hint)
    }

    fn document(&mut self, events: &mut Events<'a>) -> Result<Document, Diagnostic> {
        let mut stack: Vec<Frame> = Vec::new();
        let mut root: Option<Node> = None;
        let mut documents = 0usize;
        for item in events.by_ref() {
            let (event, yspan) = item.map_err(|e| self.syntax_error(&e))?;
            let (start_offset, end_offset) = Self::offsets(&yspan);
            let index = self.index;
            let span = || index.span(start_offset, end_offset);
            let node = match event {
                Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => continue,
                Event::DocumentStart(..) => {
                    documents += 1;
                    if documents > 1 {
                        return Err(Diagnostic::error(
                            ErrorCode::YamlSyntax,
                            "expected a single document, found another `---` document",
                        )
                        .at(Some(span()))
                        .with_hint("a Secretfile holds exactly one YAML document"));
                    }
                    continue;
                }
                Event::Alias(id) => self.alias(id, span())?,
                Event::Scalar(text, style, anchor, tag) => {
                    let value = resolve_scalar(text, style, tag.as_deref());
                    let node = Node {
                        value,
                        span: span(),
                    };
                    if anchor != 0 {
                        self.anchors.insert(anchor, node.clone());
                    }
                    node
                }
                Event::SequenceStart(_, anchor, _) => {
                    stack.push(Frame::Seq {
                        items: Vec::new(),
                        start: start_offset,
                        anchor,
                    });
                    continue;
                }
                Event::MappingStart(_, anchor, _) => {
                    stack.push(Frame::Map {
                        entries: MapBuilder::default(),
                        pending_key: None,
                        start: start_offset,
                        anchor,
                    });
                    continue;
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    let Some(frame) = stack.pop() else {
                        return Err(Diagnostic::error(
                            ErrorCode::YamlSyntax,
                            "unbalanced collection end",
                        )
                        .at(Some(span())));
                    };
                    let (value, start, anchor) = match frame {
                        Frame::Seq {
                            items,
                            start,
                            anchor,
                        } => (Value::Seq(items), start, anchor),
                        Frame::Map {
                            entries,
                            start,
                            anchor,
                            ..
                        } => (Value::Map(self.merge_keys(entries.entries)?), start, anchor),
                    };
                    let node = Node {
                        value,
                        span: index.span(start, end_offset.max(start)),
                    };
                    if anchor != 0 {
                        self.anchors.insert(anchor, node.clone());
                    }
                    node
                }
                _ => continue,
            };
            // Attach the finished node to its parent (or make it the root).
            match stack.last_mut() {
                None => root = Some(node),
                Some(Frame::Seq { items, .. }) => items.push(node),
                Some(Frame::Map {
                    entries,
                    pending_key,
                    ..
                }) => match pending_key.take() {
                    None => *pending_key = Some(node),
                    Some(key) => entries.insert(key, node, &mut self.warnings),
                },
            }
        }
        Ok(Document {
            root,
            warnings: std::mem::take(&mut self.warnings),
        })
    }

    fn alias(&mut self, id: usize, span: Span) -> Result<Node, Diagnostic> {
        let Some(target) = self.anchors.get(&id) else {
            return Err(
                Diagnostic::error(ErrorCode::YamlSyntax, "alias to an unknown anchor")
                    .at(Some(span)),
            );
        };
        let size = count_nodes(target);
        self.alias_nodes = self.alias_nodes.saturating_add(size);
        if self.alias_nodes > self.budgets.max_alias_nodes {
            return Err(Diagnostic::error(
                ErrorCode::BudgetExceeded,
                format!(
                    "aliases expand to more than {} nodes",
                    self.budgets.max_alias_nodes
                ),
            )
            .at(Some(span))
            .with_hint("this looks like an alias bomb; use fewer nested aliases"));
        }
        let mut node = target.clone();
        node.span = span;
        Ok(node)
    }

    /// Apply YAML merge keys (`<<: *base` or `<<: [*a, *b]`) the way PyYAML does: merged
    /// entries first (earlier sources win over later ones), explicit entries override them.
    fn merge_keys(&mut self, entries: Vec<(Node, Node)>) -> Result<Vec<(Node, Node)>, Diagnostic> {
        if !entries.iter().any(|(k, _)| is_merge_key(k)) {
            return Ok(entries);
        }
        let mut merged = MapBuilder::default();
        let mut explicit: Vec<(Node, Node)> = Vec::new();
        for (k, v) in entries {
            if !is_merge_key(&k) {
                explicit.push((k, v));
                continue;
            }
            let sources: Vec<Node> = match v.value {
                Value::Map(_) => vec![v],
                Value::Seq(items) => items,
                _ => {
                    return Err(Diagnostic::error(
                        ErrorCode::YamlSyntax,
                        "a merge key `<<` needs a mapping or a list of mappings",
                    )
                    .at(Some(v.span)));
                }
            };
            // PyYAML: later sources first, so that earlier ones overwrite them.
            for src in sources.into_iter().rev() {
                let Value::Map(src_entries) = src.value else {
                    return Err(Diagnostic::error(
                        ErrorCode::YamlSyntax,
                        "a merge key `<<` list may only hold mappings",
                    )
                    .at(Some(src.span)));
                };
                let mut ignored = Vec::new();
                for (sk, sv) in src_entries {
                    merged.insert(sk, sv, &mut ignored);
                }
            }
        }
        for (k, v) in explicit {
            let mut ignored = Vec::new();
            merged.insert(k, v, &mut ignored);
        }
        Ok(merged.entries)
    }
}

fn is_merge_key(k: &Node) -> bool {
    matches!(&k.value, Value::Str(s) if s == "<<")
}

fn count_nodes(node: &Node) -> usize {
    match &node.value {
        Value::Seq(items) => 1 + items.iter().map(count_nodes).sum::<usize>(),
        Value::Map(entries) => {
            1 + entries
                .iter()
                .map(|(k, v)| count_nodes(k) + count_nodes(v))
                .sum::<usize>()
        }
        _ => 1,
    }
}

/// The entries of a mapping being built, with an index of their keys once there are many:
/// looking for a duplicate must not scan every earlier key, or a mapping with 100,000 keys
/// takes minutes. Small mappings (nearly all of them) scan their few keys instead: cheaper
/// than hashing a copy of every key. Both find the first earlier entry that [`same_key`]
/// calls equal, so the result does not depend on which one is used.
#[derive(Default)]
struct MapBuilder {
    entries: Vec<(Node, Node)>,
    /// Entry positions by [`coarse_key`] (ascending in each bucket); [`same_key`] decides
    /// within a bucket. Built when the mapping grows past [`LINEAR_KEYS`] entries.
    index: Option<HashMap<CoarseKey, Vec<usize>>>,
}

/// Mappings with at most this many entries look for a duplicate key by scanning.
const LINEAR_KEYS: usize = 16;

/// A hashable summary of a scalar key: keys that [`same_key`] may call equal share it
/// (`1`, `1.0` and `true` share the number 1.0). Collections are never equal to anything.
#[derive(PartialEq, Eq, Hash)]
enum CoarseKey {
    Str(String),
    Number(u64),
    Other(String),
}

fn coarse_key(v: &Value) -> Option<CoarseKey> {
    let number = |f: f64| CoarseKey::Number(if f == 0.0 { 0 } else { f.to_bits() });
    Some(match v {
        Value::Str(s) => CoarseKey::Str(s.clone()),
        Value::Int(i) => number(*i as f64),
        Value::Float(f) => number(*f),
        Value::Bool(b) => number(f64::from(u8::from(*b))),
        Value::Null => CoarseKey::Other(String::new()),
        Value::BigInt(s) => CoarseKey::Other(format!("i{s}")),
        Value::Timestamp(s) => CoarseKey::Other(format!("t{s}")),
        Value::Seq(_) | Value::Map(_) => return None,
    })
}

impl MapBuilder {
    /// Insert `key: value`; a duplicate key keeps the first position and takes the last value
    /// (Python dict semantics) and records a `DUPLICATE_KEY` warning.
    fn insert(&mut self, key: Node, value: Node, warnings: &mut Vec<Diagnostic>) {
        if matches!(key.value, Value::Seq(_) | Value::Map(_)) {
            // Never equal to another key (and not indexed).
            self.entries.push((key, value));
            return;
        }
        if self.index.is_none() && self.entries.len() >= LINEAR_KEYS {
            let mut index: HashMap<CoarseKey, Vec<usize>> = HashMap::new();
            for (i, (k, _)) in self.entries.iter().enumerate() {
                if let Some(coarse) = coarse_key(&k.value) {
                    index.entry(coarse).or_default().push(i);
                }
            }
            self.index = Some(index);
        }
        let mut bucket = None;
        let indexed = self
            .index
            .as_mut()
            .and_then(|index| Some((index, coarse_key(&key.value)?)));
        let found = match indexed {
            Some((index, coarse)) => {
                let b = index.entry(coarse).or_default();
                let found = b
                    .iter()
                    .copied()
                    .find(|&i| self.entries.get(i).is_some_and(|(k, _)| same_key(k, &key)));
                bucket = Some(b);
                found
            }
            None => self.entries.iter().position(|(k, _)| same_key(k, &key)),
        };
        match found.and_then(|i| self.entries.get_mut(i)) {
            Some(slot) => {
                if key.as_str() != Some("<<") {
                    let (first_line, name) = (slot.0.span.line, key_label(&key));
                    warnings.push(
                        Diagnostic::warning(
                            ErrorCode::DuplicateKey,
                            format!(
                                "duplicate key `{name}` (first on line {first_line}); the last one wins"
                            ),
                        )
                        .at(Some(key.span))
                        .with_hint("remove one of the two entries"),
                    );
                }
                slot.1 = value;
            }
            None => {
                if let Some(b) = bucket {
                    b.push(self.entries.len());
                }
                self.entries.push((key, value));
            }
        }
    }
}

fn same_key(a: &Node, b: &Node) -> bool {
    match (&a.value, &b.value) {
        (Value::Seq(_) | Value::Map(_), _) | (_, Value::Seq(_) | Value::Map(_)) => false,
        (Value::Int(x), Value::Float(y)) | (Value::Float(y), Value::Int(x)) => (*x as f64) == *y,
        (Value::Bool(x), Value::Int(y)) | (Value::Int(y), Value::Bool(x)) => i64::from(*x) == *y,
        (x, y) => x == y,
    }
}

fn key_label(k: &Node) -> String {
    match &k.value {
        Value::Str(s) => s.chars().take(60).collect(),
        other => python_str(other),
    }
}

/// The parser's description of a syntax error. granit-parser is built without its
/// `error_messages` feature (smaller wasm), where `Display` prints nothing: then the error
/// kind's name is spelt out (`UnexpectedEofFlowMapping` -> `unexpected eof flow mapping`), so
/// a message is never empty.
fn kind_message(kind: &granit_parser::ErrorKind) -> String {
    let text = kind.to_string();
    if !text.is_empty() {
        return text;
    }
    let debug = format!("{kind:?}");
    let mut out = String::new();
    for c in debug.chars().take_while(char::is_ascii_alphanumeric) {
        if c.is_ascii_uppercase() && !out.is_empty() {
            out.push(' ');
        }
        out.push(c.to_ascii_lowercase());
    }
    if out.is_empty() {
        "syntax error".to_string()
    } else {
        out
    }
}

fn lowercase_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Resolve a scalar the way PyYAML's SafeLoader does.
fn resolve_scalar(
    owned: std::borrow::Cow<'_, str>,
    style: ScalarStyle,
    tag: Option<&granit_parser::Tag>,
) -> Value {
    // Quoted and plain strings, the common cases, keep the parser's string when it made one.
    let is_string = tag.is_none()
        && (style != ScalarStyle::Plain || {
            let b = owned.as_bytes().first();
            !matches!(b, None | Some(b'-' | b'+' | b'.' | b'0'..=b'9' | b'~'))
                && resolve_bool(&owned).is_none()
                && !matches!(&*owned, "null" | "Null" | "NULL")
        });
    if is_string {
        return Value::Str(owned.into_owned());
    }
    let text: &str = &owned;
    if let Some(tag) = tag {
        if let Some(suffix) = tag.core_suffix() {
            return match suffix {
                "str" => Value::Str(text.to_string()),
                "null" => Value::Null,
                "bool" => resolve_bool(text).map_or(Value::Str(text.to_string()), Value::Bool),
                "int" => resolve_int(text).unwrap_or_else(|| Value::Str(text.to_string())),
                "float" => resolve_float(text)
                    .or_else(|| resolve_int(text).map(to_float))
                    .unwrap_or_else(|| Value::Str(text.to_string())),
                _ => Value::Str(text.to_string()),
            };
        }
        // Non-core tags (`!Ref`, ...) are not SafeLoader-constructible; keep the text.
        return Value::Str(text.to_string());
    }
    if style != ScalarStyle::Plain {
        return Value::Str(text.to_string());
    }
    if matches!(text, "" | "~" | "null" | "Null" | "NULL") {
        return Value::Null;
    }
    if let Some(b) = resolve_bool(text) {
        return Value::Bool(b);
    }
    // PyYAML picks the int, float and timestamp resolvers by the first character, and all of
    // them start with one of `-+.0-9`; anything else is a string (the common case: skip the
    // three parsers).
    if !matches!(
        text.as_bytes().first(),
        Some(b'-' | b'+' | b'.' | b'0'..=b'9')
    ) {
        return Value::Str(text.to_string());
    }
    if let Some(v) = resolve_int(text) {
        return v;
    }
    if let Some(v) = resolve_float(text) {
        return v;
    }
    if let Some(ts) = resolve_timestamp(text) {
        return Value::Timestamp(ts);
    }
    Value::Str(text.to_string())
}

fn to_float(v: Value) -> Value {
    match v {
        Value::Int(i) => Value::Float(i as f64),
        Value::BigInt(s) => Value::Float(s.parse().unwrap_or(f64::INFINITY)),
        other => other,
    }
}

fn resolve_bool(t: &str) -> Option<bool> {
    // Every YAML 1.1 boolean has 2 to 5 bytes and starts with one of these letters.
    if !(2..=5).contains(&t.len())
        || !matches!(
            t.as_bytes().first(),
            Some(b'y' | b'Y' | b't' | b'T' | b'o' | b'O' | b'n' | b'N' | b'f' | b'F')
        )
    {
        return None;
    }
    match t {
        "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => Some(true),
        "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => Some(false),
        _ => None,
    }
}

fn split_sign(t: &str) -> (bool, &str) {
    match t.as_bytes().first() {
        Some(b'-') => (true, t.get(1..).unwrap_or("")),
        Some(b'+') => (false, t.get(1..).unwrap_or("")),
        _ => (false, t),
    }
}

fn all(s: &str, f: impl Fn(u8) -> bool) -> bool {
    !s.is_empty() && s.bytes().all(f)
}

/// PyYAML int regexp: binary `0b`, octal `0[0-7_]+`, decimal, hex `0x`, sexagesimal `1:30`.
fn resolve_int(t: &str) -> Option<Value> {
    let (neg, body) = split_sign(t);
    let (radix, digits): (u32, String) = if let Some(b) = body.strip_prefix("0b") {
        if !all(b, |c| c == b'0' || c == b'1' || c == b'_') {
            return None;
        }
        (2, b.replace('_', ""))
    } else if let Some(h) = body.strip_prefix("0x") {
        if !all(h, |c| c.is_ascii_hexdigit() || c == b'_') {
            return None;
        }
        (16, h.replace('_', ""))
    } else if body.len() > 1 && body.starts_with('0') {
        if !all(body, |c| (b'0'..=b'7').contains(&c) || c == b'_') {
            return None;
        }
        (8, body.replace('_', ""))
    } else if body == "0" {
        (10, "0".to_string())
    } else if body.contains(':') {
        return resolve_sexagesimal_int(neg, body);
    } else {
        let first = body.as_bytes().first().copied()?;
        if !(b'1'..=b'9').contains(&first) || !all(body, |c| c.is_ascii_digit() || c == b'_') {
            return None;
        }
        (10, body.replace('_', ""))
    };
    if digits.is_empty() {
        // `0b_` / `0x_`: PyYAML's int() would fail; treat as text.
        return None;
    }
    Some(make_int(neg, radix, &digits))
}

fn make_int(neg: bool, radix: u32, digits: &str) -> Value {
    match i128::from_str_radix(digits, radix) {
        Ok(v) => {
            let v = if neg { -v } else { v };
            i64::try_from(v).map_or_else(|_| Value::BigInt(v.to_string()), Value::Int)
        }
        Err(_) => Value::BigInt(format!("{}{}", if neg { "-" } else { "" }, digits)),
    }
}

/// `[1-9][0-9_]*(:[0-5]?[0-9])+` in base 60.
fn resolve_sexagesimal_int(neg: bool, body: &str) -> Option<Value> {
    let mut parts = body.split(':');
    let head = parts.next()?;
    let first = head.as_bytes().first().copied()?;
    if !(b'1'..=b'9').contains(&first) || !all(head, |c| c.is_ascii_digit() || c == b'_') {
        return None;
    }
    let mut value: i128 = head.replace('_', "").parse().ok()?;
    for p in parts {
        if !sexagesimal_part(p) {
            return None;
        }
        value = value
            .checked_mul(60)?
            .checked_add(p.parse::<i128>().ok()?)?;
    }
    let v = if neg { -value } else { value };
    Some(i64::try_from(v).map_or_else(|_| Value::BigInt(v.to_string()), Value::Int))
}

fn sexagesimal_part(p: &str) -> bool {
    let b = p.as_bytes();
    match b {
        [d] => d.is_ascii_digit(),
        [a, d] => (b'0'..=b'5').contains(a) && d.is_ascii_digit(),
        _ => false,
    }
}

/// PyYAML float regexp (note: `1e10` without a dot is a string in YAML 1.1).
fn resolve_float(t: &str) -> Option<Value> {
    let (neg, body) = split_sign(t);
    let sign = if neg { -1.0 } else { 1.0 };
    if matches!(body, ".inf" | ".Inf" | ".INF") {
        return Some(Value::Float(sign * f64::INFINITY));
    }
    if matches!(t, ".nan" | ".NaN" | ".NAN") {
        return Some(Value::Float(f64::NAN));
    }
    if body.contains(':') {
        // [0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*
        let (int_part, frac) = body.split_once('.')?;
        if !frac.bytes().all(|c| c.is_ascii_digit() || c == b'_') {
            return None;
        }
        let mut parts = int_part.split(':');
        let head = parts.next()?;
        if !head.as_bytes().first()?.is_ascii_digit()
            || !all(head, |c| c.is_ascii_digit() || c == b'_')
        {
            return None;
        }
        let mut value: f64 = head.replace('_', "").parse().ok()?;
        let mut any = false;
        for p in parts {
            if !sexagesimal_part(p) {
                return None;
            }
            any = true;
            value = value * 60.0 + p.parse::<f64>().ok()?;
        }
        if !any {
            return None;
        }
        let frac_digits = frac.replace('_', "");
        let frac_value: f64 = if frac_digits.is_empty() {
            0.0
        } else {
            format!("0.{frac_digits}").parse().ok()?
        };
        return Some(Value::Float(sign * (value + frac_value)));
    }
    // [0-9][0-9_]*\.[0-9_]*([eE][-+][0-9]+)?  |  \.[0-9_]+([eE][-+][0-9]+)?
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (body.get(..i)?, Some(body.get(i + 1..)?)),
        None => (body, None),
    };
    if let Some(e) = exponent {
        let (sign_char, digits) = (e.as_bytes().first()?, e.get(1..)?);
        if !(*sign_char == b'-' || *sign_char == b'+') || !all(digits, |c| c.is_ascii_digit()) {
            return None;
        }
    }
    let (int_part, frac) = mantissa.split_once('.')?;
    if int_part.is_empty() {
        // `.5`: no sign allowed by PyYAML's regexp for this branch.
        // PyYAML: `\.[0-9][0-9_]*` (a digit right after the dot).
        if neg
            || t.starts_with('+')
            || !frac.as_bytes().first().is_some_and(u8::is_ascii_digit)
            || !all(frac, |c| c.is_ascii_digit() || c == b'_')
        {
            return None;
        }
    } else if !int_part.as_bytes().first()?.is_ascii_digit()
        || !all(int_part, |c| c.is_ascii_digit() || c == b'_')
        || !frac.bytes().all(|c| c.is_ascii_digit() || c == b'_')
    {
        return None;
    }
    let cleaned = body.replace('_', "");
    let cleaned = if cleaned.ends_with('.') {
        format!("{cleaned}0")
    } else {
        cleaned
    };
    let v: f64 = cleaned.parse().ok()?;
    Some(Value::Float(sign * v))
}

/// PyYAML timestamps; returns Python's `str()` of the constructed date/datetime.
fn resolve_timestamp(t: &str) -> Option<String> {
    let b = t.as_bytes();
    let digits = |s: &[u8]| !s.is_empty() && s.iter().all(u8::is_ascii_digit);
    // Date only: YYYY-MM-DD exactly.
    if let [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = b {
        let all_digits = [y0, y1, y2, y3, m0, m1, d0, d1]
            .iter()
            .all(|c| c.is_ascii_digit());
        return all_digits.then(|| t.to_string());
    }
    // YYYY-M?M-D?D(T|t|[ \t]+)H?H:MM:SS(.f*)?(([ \t]*)(Z|[-+]HH?(:MM)?))?
    let (date, rest) = split_date(t)?;
    let rest = rest.strip_prefix(['T', 't']).or_else(|| {
        let trimmed = rest.trim_start_matches([' ', '\t']);
        (trimmed.len() < rest.len()).then_some(trimmed)
    })?;
    let (hms, tz_part) = match rest.find(|c: char| !(c.is_ascii_digit() || c == ':' || c == '.')) {
        Some(i) => (rest.get(..i)?, rest.get(i..)?),
        None => (rest, ""),
    };
    let (clock, fraction) = match hms.split_once('.') {
        Some((c, f)) => (c, Some(f)),
        None => (hms, None),
    };
    let mut cparts = clock.split(':');
    let (h, m, s) = (cparts.next()?, cparts.next()?, cparts.next()?);
    if cparts.next().is_some()
        || !(1..=2).contains(&h.len())
        || m.len() != 2
        || s.len() != 2
        || !digits(h.as_bytes())
        || !digits(m.as_bytes())
        || !digits(s.as_bytes())
    {
        return None;
    }
    if let Some(f) = fraction
        && !f.bytes().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let tz = tz_part.trim_start_matches([' ', '\t']);
    let tz_text = if tz.is_empty() {
        String::new()
    } else if tz == "Z" {
        "+00:00".to_string()
    } else {
        let (sign, body) = (tz.get(..1)?, tz.get(1..)?);
        if sign != "+" && sign != "-" {
            return None;
        }
        let (th, tm) = match body.split_once(':') {
            Some((a, b)) => (a, b),
            None => (body, "00"),
        };
        if !(1..=2).contains(&th.len())
            || tm.len() != 2
            || !digits(th.as_bytes())
            || !digits(tm.as_bytes())
        {
            return None;
        }
        format!("{sign}{th:0>2}:{tm}")
    };
    let micro = fraction
        .filter(|f| !f.is_empty())
        .map(|f| format!(".{:0<6}", f.get(..f.len().min(6)).unwrap_or("")))
        .unwrap_or_default();
    Some(format!("{date} {h:0>2}:{m}:{s}{micro}{tz_text}"))
}

fn split_date(t: &str) -> Option<(String, &str)> {
    let mut it = t.splitn(3, '-');
    let (y, m, rest) = (it.next()?, it.next()?, it.next()?);
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    if y.len() != 4 || !digits(y) || !(1..=2).contains(&m.len()) || !digits(m) {
        return None;
    }
    let dlen = rest.bytes().take_while(u8::is_ascii_digit).count();
    if !(1..=2).contains(&dlen) {
        return None;
    }
    let (d, after) = rest.split_at(dlen);
    Some((format!("{y}-{m:0>2}-{d:0>2}"), after))
}

/// Python's `str()` of a scalar value (`True`, `1.0`, `None`, `493`, `2024-01-02`).
/// Collections are not scalars: they print as compact sorted JSON (see `normalize`).
pub fn python_str(v: &Value) -> String {
    match v {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Int(i) => i.to_string(),
        Value::BigInt(s) | Value::Str(s) | Value::Timestamp(s) => s.clone(),
        Value::Float(f) => crate::pyjson::float_repr(*f),
        Value::Seq(_) | Value::Map(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(text: &str) -> Node {
        parse(text, &Budgets::default()).unwrap().root.unwrap()
    }

    impl Node {
        fn as_seq_first(&self) -> Node {
            match &self.value {
                Value::Seq(items) => items[0].clone(),
                _ => panic!("not a list"),
            }
        }
    }

    fn scalar(text: &str) -> Value {
        root(&format!("k: {text}\n"))
            .get("k")
            .unwrap()
            .value
            .clone()
    }

    #[test]
    fn yaml_1_1_scalars_like_pyyaml() {
        assert_eq!(scalar("yes"), Value::Bool(true));
        assert_eq!(scalar("Off"), Value::Bool(false));
        assert_eq!(scalar("'yes'"), Value::Str("yes".into()));
        assert_eq!(scalar("0755"), Value::Int(493));
        assert_eq!(scalar("0x1F"), Value::Int(31));
        assert_eq!(scalar("0b101"), Value::Int(5));
        assert_eq!(scalar("1_000"), Value::Int(1000));
        assert_eq!(scalar("1:30"), Value::Int(90));
        assert_eq!(scalar("-1:30"), Value::Int(-90));
        assert_eq!(scalar("1.5"), Value::Float(1.5));
        assert_eq!(scalar("1."), Value::Float(1.0));
        assert_eq!(scalar(".5"), Value::Float(0.5));
        assert_eq!(scalar("._5"), Value::Str("._5".into()));
        assert_eq!(scalar("._"), Value::Str("._".into()));
        assert_eq!(scalar("1e10"), Value::Str("1e10".into()));
        assert_eq!(scalar("1.0e+10"), Value::Float(1e10));
        assert_eq!(scalar("-.inf"), Value::Float(f64::NEG_INFINITY));
        assert_eq!(scalar("~"), Value::Null);
        assert_eq!(scalar(""), Value::Null);
        assert_eq!(scalar("08"), Value::Str("08".into()));
        assert_eq!(scalar("2024-01-02"), Value::Timestamp("2024-01-02".into()));
        assert_eq!(
            scalar("2001-12-14t21:59:43.10-05:00"),
            Value::Timestamp("2001-12-14 21:59:43.100000-05:00".into())
        );
        assert_eq!(
            scalar("2001-12-14 21:59:43Z"),
            Value::Timestamp("2001-12-14 21:59:43+00:00".into())
        );
        assert_eq!(scalar("!!str 123"), Value::Str("123".into()));
        assert_eq!(
            scalar("99999999999999999999"),
            Value::BigInt("99999999999999999999".into())
        );
    }

    #[test]
    fn duplicate_keys_last_wins_first_position() {
        let doc = parse("a: 1\nb: 2\na: 3\n", &Budgets::default()).unwrap();
        let r = doc.root.unwrap();
        let m = r.as_map().unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].0.as_str(), Some("a"));
        assert_eq!(m[0].1.value, Value::Int(3));
        assert_eq!(doc.warnings.len(), 1);
        assert_eq!(doc.warnings[0].code, ErrorCode::DuplicateKey);
        assert_eq!(doc.warnings[0].line, Some(3));
    }

    /// Big mappings use a key index: same results as a scan, for every key kind.
    #[test]
    fn duplicate_keys_in_big_mappings() {
        let mut text = String::new();
        let mut expected: Vec<(String, i64)> = Vec::new();
        for i in 0..60 {
            // Every 7th key repeats an earlier one; some keys are numbers or booleans.
            let key = match i {
                _ if i % 7 == 6 => format!("k{}", i / 2),
                40 => "1".to_string(),
                41 => "1.0".to_string(),
                42 => "true".to_string(),
                43 => "'1'".to_string(),
                _ => format!("k{i}"),
            };
            text.push_str(&format!("{key}: {i}\n"));
            // 1, 1.0 and true are one key for PyYAML; '1' (a string) is another.
            let norm = match key.as_str() {
                "1.0" | "true" => "1".to_string(),
                k => k.to_string(),
            };
            match expected.iter_mut().find(|(k, _)| *k == norm) {
                Some(slot) => slot.1 = i,
                None => expected.push((norm, i)),
            }
        }
        let doc = parse(&text, &Budgets::default()).unwrap();
        let m = doc.root.unwrap();
        let got: Vec<(String, i64)> = m
            .as_map()
            .unwrap()
            .iter()
            .map(|(k, v)| {
                let k = match &k.value {
                    Value::Str(s) if s == "1" => "'1'".to_string(),
                    Value::Str(s) => s.clone(),
                    other => python_str(other).replace("True", "1"),
                };
                let Value::Int(i) = v.value else { panic!() };
                (k, i)
            })
            .collect();
        assert_eq!(got, expected);
        assert_eq!(doc.warnings.len(), 60 - expected.len());
    }

    /// Scanning (small mappings) and the key index (past `LINEAR_KEYS` entries) agree with a
    /// naive first-match scan, for duplicates before, at and after the switch.
    #[test]
    fn duplicate_keys_scan_and_index_agree() {
        // Keys drawn from strings, numbers equal across types, null and booleans.
        let pool = [
            "a", "'a'", "1", "1.0", "true", "'1'", "~", "null", "0", "-0.0", "false", "b",
        ];
        for n in [
            1,
            2,
            LINEAR_KEYS - 1,
            LINEAR_KEYS,
            LINEAR_KEYS + 1,
            LINEAR_KEYS + 2,
            40,
        ] {
            for dup_at in 0..=n {
                let mut keys: Vec<String> = (0..n).map(|i| format!("k{i}")).collect();
                // A duplicate of an early key, and typed keys that collide with each other.
                keys.insert(dup_at, "k0".to_string());
                keys.push(pool[dup_at % pool.len()].to_string());
                keys.push(pool[(dup_at + 3) % pool.len()].to_string());
                keys.push(pool[(dup_at * 5 + 1) % pool.len()].to_string());
                keys.push(format!("k{}", n.saturating_sub(1)));
                let text: String = keys
                    .iter()
                    .enumerate()
                    .map(|(i, k)| format!("{k}: {i}\n"))
                    .collect();
                let doc = parse(&text, &Budgets::default()).unwrap();
                // Naive model: every key node, first match by `same_key` wins the position.
                let singles: Vec<Node> = keys
                    .iter()
                    .map(|k| root(&format!("- {k}\n")).as_seq_first())
                    .collect();
                let mut expected: Vec<(usize, usize)> = Vec::new(); // (key index, value)
                let mut dups = Vec::new();
                for (i, k) in singles.iter().enumerate() {
                    match expected.iter_mut().find(|(j, _)| same_key(&singles[*j], k)) {
                        Some(slot) => {
                            slot.1 = i;
                            dups.push(i + 1);
                        }
                        None => expected.push((i, i)),
                    }
                }
                let got = doc.root.unwrap();
                let got = got.as_map().unwrap();
                assert_eq!(got.len(), expected.len(), "n={n} dup_at={dup_at}");
                for ((k, v), (ki, vi)) in got.iter().zip(&expected) {
                    assert_eq!(k.value, singles[*ki].value, "n={n} dup_at={dup_at}");
                    assert_eq!(k.span.line, ki + 1);
                    assert_eq!(v.value, Value::Int(*vi as i64));
                }
                let lines: Vec<usize> = doc.warnings.iter().map(|w| w.line.unwrap()).collect();
                assert_eq!(lines, dups, "n={n} dup_at={dup_at}");
            }
        }
    }

    /// The length/first-byte pre-check keeps every YAML 1.1 boolean (PyYAML's resolver list).
    #[test]
    fn resolve_bool_prefilter_keeps_every_boolean() {
        for t in [
            "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
        ] {
            assert_eq!(resolve_bool(t), Some(true), "{t}");
        }
        for f in [
            "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF",
        ] {
            assert_eq!(resolve_bool(f), Some(false), "{f}");
        }
        for s in [
            "", "y", "n", "yES", "tRUE", "falsey", "ofF", " on", "true ", "nO",
        ] {
            assert_eq!(resolve_bool(s), None, "{s:?}");
        }
    }

    #[test]
    fn merge_keys_and_aliases() {
        let r = root("base: &b {x: 1, y: 2}\nother: &o {y: 9, z: 3}\nm:\n  <<: [*b, *o]\n  x: 7\n");
        let m = r.get("m").unwrap();
        let keys: Vec<_> = m
            .as_map()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.as_str().unwrap(), v.value.clone()))
            .collect();
        assert_eq!(
            keys,
            vec![
                ("y", Value::Int(2)),
                ("z", Value::Int(3)),
                ("x", Value::Int(7))
            ]
        );
    }

    #[test]
    fn spans_point_at_values() {
        let r = root("secrets:\n  - name: db\n    kind: random_password\n");
        let first = match &r.get("secrets").unwrap().value {
            Value::Seq(items) => items[0].clone(),
            _ => panic!(),
        };
        let kind = first.get("kind").unwrap();
        assert_eq!((kind.span.line, kind.span.column), (3, 11));
    }

    #[test]
    fn budgets() {
        let bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n";
        let e = parse(bomb, &Budgets::default()).unwrap_err();
        assert_eq!(e.code, ErrorCode::BudgetExceeded);
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let e = parse(&deep, &Budgets::default()).unwrap_err();
        assert_eq!(e.code, ErrorCode::BudgetExceeded);
        let e = parse("a: \0", &Budgets::default()).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidEncoding);
        let small = Budgets {
            max_bytes: 4,
            ..Budgets::default()
        };
        assert_eq!(
            parse("a: 12345", &small).unwrap_err().code,
            ErrorCode::BudgetExceeded
        );
    }

    #[test]
    fn duplicate_keys_across_types_and_many_keys() {
        // Python: 1 == 1.0 == True, so one entry, last value, first position.
        let doc = parse("1: a\n1.0: b\ntrue: c\nx: d\n", &Budgets::default()).unwrap();
        let Value::Map(m) = doc.root.unwrap().value else {
            panic!("not a map")
        };
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].0.value, Value::Int(1));
        assert_eq!(m[0].1.value, Value::Str("c".into()));
        assert_eq!(doc.warnings.len(), 2);
        // 100,000 keys: found by tests/hostile.rs, this used to take minutes.
        let text: String = (0..100_000).map(|i| format!("k{i}: {i}\n")).collect();
        let start = std::time::Instant::now();
        let doc = parse(&text, &Budgets::default()).unwrap();
        assert!(matches!(doc.root.unwrap().value, Value::Map(m) if m.len() == 100_000));
        assert!(start.elapsed().as_secs() < 20, "{:?}", start.elapsed());
    }

    #[test]
    fn syntax_errors_have_positions() {
        let e = parse("a: 1\nb: [1, 2\nc: 3\n", &Budgets::default()).unwrap_err();
        assert_eq!(e.code, ErrorCode::YamlSyntax);
        assert!(e.line.is_some());
        // Found by tests/fuzz.rs: the parser's messages were empty.
        assert!(e.message.len() > 5, "{e:?}");
        assert!(!e.message.contains(char::is_uppercase), "{e:?}");
        let e = parse("a: {b: 1\n", &Budgets::default()).unwrap_err();
        assert_eq!(e.message, "unclosed flow collection");
        let e = parse("a: 1\n---\nb: 2\n", &Budgets::default()).unwrap_err();
        assert_eq!(e.code, ErrorCode::YamlSyntax);
        assert_eq!(e.line, Some(2));
    }

    #[test]
    fn empty_document_has_no_root() {
        assert!(
            parse("# only a comment\n", &Budgets::default())
                .unwrap()
                .root
                .is_none()
        );
        assert!(parse("", &Budgets::default()).unwrap().root.is_none());
    }
}
