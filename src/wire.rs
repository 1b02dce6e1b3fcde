//! Reading the requests of every operation without serde's derived `Deserialize`.
//!
//! Why: the derived impls, instantiated for `serde_json`'s string deserializer (and, for
//! `status` and the instructions in `format_instructions`, once more for serde's
//! `#[serde(flatten)]` buffer), were ~70 KB of WebAssembly that V8 also compiles on the
//! first call (twiggy, see bench/README.md). Here the request is read once into [`Wire`] (a
//! JSON tree that keeps repeated keys, which serde refuses in a struct) by one small
//! visitor, and the fields are taken out by hand.
//!
//! The rules are the derive's, and the tests compare both on fixtures and on thousands of
//! mutations: a struct is an object or (without `flatten`) an array of its fields in
//! declaration order, with no extra element; a missing field takes its `#[serde(default)]`
//! or is refused; `null` is `None` for `Option`s and refused elsewhere; a field given twice
//! is refused; unknown fields are ignored (no request type has `deny_unknown_fields`); a
//! unit enum is its name or `{"name": null}`. Refusals are `USAGE` errors worded as before
//! ("is not valid JSON" where serde_json called it a syntax error), now naming the field.
//! Two corners differ: an unknown field nested more than 127 levels deep is refused here
//! (serde skipped it unread), and when a request has several faults the one named (and so
//! the wording) may be another than serde's, which stopped at the first in the text.
//!
//! The derives stay on the types: the TypeScript types (tsify) and the JSON Schema come from
//! them, the tests use them as the reference, and the linker drops them from the module.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Number, Value};

use indexmap::IndexMap;

use crate::api::{
    ClassifyWire, DiagnosticsRequest, FormatInstructionsRequest, FormatRequest,
    GenerateManyRequest, GenerateRequest, ReportFormat, SecretfileInput, StepsRequest,
};
use crate::diagnostic::{Diagnostic, Error, ErrorCode, Severity, Span};
use crate::instructions::{InstructionScope, InstructionsRequest, InstructionsResponse};
use crate::model::{AgentInstructions, AutomationLevel, DataMap, Step};
use crate::parse::VarFile;
use crate::report::PendingSecret;
use crate::status::StatusRequest;
use crate::sync::SyncRequest;

/// A JSON value as parsed, objects as lists of entries (duplicates kept).
#[derive(Debug)]
pub(crate) enum Wire {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Array(Vec<Wire>),
    Object(Vec<(String, Wire)>),
}

impl<'de> Deserialize<'de> for Wire {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(WireVisitor)
    }
}

struct WireVisitor;

impl<'de> Visitor<'de> for WireVisitor {
    type Value = Wire;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Wire, E> {
        Ok(Wire::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Wire, E> {
        Ok(Wire::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Wire, E> {
        Ok(Wire::Number(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Wire, E> {
        // As serde_json's `Value` does.
        Ok(Number::from_f64(v).map_or(Wire::Null, Wire::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Wire, E> {
        Ok(Wire::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Wire, E> {
        Ok(Wire::String(v))
    }
    fn visit_unit<E>(self) -> Result<Wire, E> {
        Ok(Wire::Null)
    }
    fn visit_none<E>(self) -> Result<Wire, E> {
        Ok(Wire::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Wire, D::Error> {
        Wire::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Wire, A::Error> {
        let mut out = Vec::new();
        while let Some(x) = seq.next_element()? {
            out.push(x);
        }
        Ok(Wire::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Wire, A::Error> {
        let mut out = Vec::new();
        while let Some(entry) = map.next_entry::<String, Wire>()? {
            out.push(entry);
        }
        Ok(Wire::Object(out))
    }
}

impl Wire {
    /// The `serde_json::Value` serde would have built (a repeated key keeps its first place
    /// and its last value).
    fn to_value(&self) -> Value {
        match self {
            Wire::Null => Value::Null,
            Wire::Bool(b) => Value::Bool(*b),
            Wire::Number(n) => Value::Number(n.clone()),
            Wire::String(s) => Value::String(s.clone()),
            Wire::Array(items) => Value::Array(items.iter().map(Wire::to_value).collect()),
            Wire::Object(entries) => Value::Object(object_map(entries)),
        }
    }
}

fn object_map(entries: &[(String, Wire)]) -> DataMap {
    let mut m = DataMap::new();
    for (k, v) in entries {
        m.insert(k.clone(), v.to_value());
    }
    m
}

/// Why a request was refused: the innermost field known, and whether serde would have
/// called it a syntax error (a struct array with too many elements).
#[derive(Debug)]
pub(crate) struct Bad {
    field: Option<&'static str>,
    syntax: bool,
}

type R<T> = Result<T, Bad>;

const WRONG: Bad = Bad {
    field: None,
    syntax: false,
};

fn named(field: &'static str) -> Bad {
    Bad {
        field: Some(field),
        syntax: false,
    }
}

/// The fields of one struct, by position in its declaration.
struct Fields<'a> {
    names: &'static [&'static str],
    values: Vec<Option<&'a Wire>>,
    /// An array with more elements than fields (serde's `end_seq` refuses it after the
    /// fields were read).
    too_long: bool,
    /// The first field given twice (serde refuses it after reading its first value).
    twice: Option<usize>,
}

impl<'a> Fields<'a> {
    fn new(w: &'a Wire, names: &'static [&'static str], array_ok: bool) -> R<Fields<'a>> {
        let mut values = vec![None; names.len()];
        let mut too_long = false;
        let mut twice = None;
        match w {
            Wire::Object(entries) => {
                for (k, v) in entries {
                    if let Some(i) = names.iter().position(|n| n == k) {
                        let slot = values.get_mut(i).ok_or(WRONG)?;
                        if slot.is_none() {
                            *slot = Some(v);
                        } else if twice.is_none() {
                            twice = Some(i);
                        }
                    }
                }
            }
            Wire::Array(items) if array_ok => {
                for (slot, v) in values.iter_mut().zip(items) {
                    *slot = Some(v);
                }
                too_long = items.len() > names.len();
            }
            _ => return Err(WRONG),
        }
        Ok(Fields {
            names,
            values,
            too_long,
            twice,
        })
    }

    fn name(&self, i: usize) -> &'static str {
        self.names.get(i).copied().unwrap_or_default()
    }

    /// A field without a default.
    fn req<T>(&self, i: usize, read: fn(&Wire) -> R<T>) -> R<T> {
        match self.values.get(i).copied().flatten() {
            None => Err(named(self.name(i))),
            Some(w) => self.checked(i, read(w)),
        }
    }

    /// A field with a default.
    fn or<T>(&self, i: usize, default: T, read: fn(&Wire) -> R<T>) -> R<T> {
        match self.values.get(i).copied().flatten() {
            None => Ok(default),
            Some(w) => self.checked(i, read(w)),
        }
    }

    /// Field `i`'s first value as read, refused when the field was given twice.
    fn checked<T>(&self, i: usize, read: R<T>) -> R<T> {
        let value = read.map_err(|e| self.blame(i, e))?;
        if self.twice == Some(i) {
            return Err(named(self.name(i)));
        }
        Ok(value)
    }

    fn blame(&self, i: usize, e: Bad) -> Bad {
        Bad {
            field: e.field.or(Some(self.name(i))),
            ..e
        }
    }

    /// After every field was read.
    fn end(&self) -> R<()> {
        if self.too_long {
            return Err(Bad {
                field: None,
                syntax: true,
            });
        }
        Ok(())
    }
}

fn string(w: &Wire) -> R<String> {
    match w {
        Wire::String(s) => Ok(s.clone()),
        _ => Err(WRONG),
    }
}

fn opt_string(w: &Wire) -> R<Option<String>> {
    match w {
        Wire::Null => Ok(None),
        w => string(w).map(Some),
    }
}

fn boolean(w: &Wire) -> R<bool> {
    match w {
        Wire::Bool(b) => Ok(*b),
        _ => Err(WRONG),
    }
}

/// A `usize`: a non-negative integer that fits (as serde_json reads it on this target).
fn size(w: &Wire) -> R<usize> {
    match w {
        Wire::Number(n) => n
            .as_u64()
            .and_then(|n| usize::try_from(n).ok())
            .ok_or(WRONG),
        _ => Err(WRONG),
    }
}

fn opt_size(w: &Wire) -> R<Option<usize>> {
    match w {
        Wire::Null => Ok(None),
        w => size(w).map(Some),
    }
}

/// Any JSON value (`serde_json::Value`).
fn any(w: &Wire) -> R<Value> {
    Ok(w.to_value())
}

/// `Option<Value>`: `null` is `None`.
fn opt_any(w: &Wire) -> R<Option<Value>> {
    match w {
        Wire::Null => Ok(None),
        w => Ok(Some(w.to_value())),
    }
}

fn map_of<T>(w: &Wire, read: fn(&Wire) -> R<T>) -> R<BTreeMap<String, T>> {
    match w {
        Wire::Object(entries) => {
            let mut m = BTreeMap::new();
            for (k, v) in entries {
                m.insert(k.clone(), read(v)?);
            }
            Ok(m)
        }
        _ => Err(WRONG),
    }
}

fn str_map(w: &Wire) -> R<BTreeMap<String, String>> {
    map_of(w, string)
}

fn opt_str_map(w: &Wire) -> R<BTreeMap<String, Option<String>>> {
    map_of(w, opt_string)
}

fn list_of<T>(w: &Wire, read: fn(&Wire) -> R<T>) -> R<Vec<T>> {
    match w {
        Wire::Array(items) => items.iter().map(read).collect(),
        _ => Err(WRONG),
    }
}

fn strings(w: &Wire) -> R<Vec<String>> {
    list_of(w, string)
}

fn opt_strings(w: &Wire) -> R<Option<Vec<String>>> {
    match w {
        Wire::Null => Ok(None),
        w => strings(w).map(Some),
    }
}

fn data_map(w: &Wire) -> R<DataMap> {
    match w {
        Wire::Object(entries) => Ok(object_map(entries)),
        _ => Err(WRONG),
    }
}

fn opt_data_map(w: &Wire) -> R<Option<DataMap>> {
    match w {
        Wire::Null => Ok(None),
        w => data_map(w).map(Some),
    }
}

/// A unit-only enum as serde_json reads it: its name as a string, or `{"name": null}`
/// (anything else, or a second key, is a syntax error there). `content`: read from serde's flatten buffer, where
/// every refusal is a data error.
fn unit_enum<E>(w: &Wire, parse: fn(&str) -> Option<E>, content: bool) -> R<E> {
    match w {
        Wire::String(s) => parse(s).ok_or(WRONG),
        Wire::Object(entries) => {
            let Some((k, v)) = entries.first() else {
                return Err(Bad {
                    field: None,
                    syntax: !content,
                });
            };
            let e = parse(k).ok_or(WRONG)?;
            // serde's buffer also takes `{}` for the unit.
            let unit = match v {
                Wire::Null => true,
                Wire::Object(entries) => content && entries.is_empty(),
                _ => false,
            };
            if !unit {
                return Err(WRONG);
            }
            if entries.len() > 1 {
                return Err(Bad {
                    field: None,
                    syntax: !content,
                });
            }
            Ok(e)
        }
        _ => Err(Bad {
            field: None,
            syntax: !content,
        }),
    }
}

/// What serde's flatten buffer does to a refusal: no syntax errors there.
fn in_content(b: Bad) -> Bad {
    Bad { syntax: false, ..b }
}

const VAR_FILE: &[&str] = &["path", "text"];

fn var_file(w: &Wire) -> R<VarFile> {
    let f = Fields::new(w, VAR_FILE, true)?;
    let v = VarFile {
        path: f.req(0, string)?,
        text: f.req(1, string)?,
    };
    f.end()?;
    Ok(v)
}

fn var_files(w: &Wire) -> R<Vec<VarFile>> {
    list_of(w, var_file)
}

/// [`SyncRequest`]'s fields in declaration order.
const SYNC: &[&str] = &[
    "text",
    "secretfile_path",
    "env",
    "var_files",
    "lane_var_files",
    "environment",
    "lockfile_path",
    "lockfile",
    "local_lockfile",
    "now",
    "dry_run",
    "refresh",
    "allow_scripts",
    "values",
    "files",
    "identity",
    "allow_outside_root",
    "script_outputs",
    "cwd",
    "adapters",
    "unreachable",
    "store_failures",
];

/// A [`SyncRequest`]; `array_ok` false where it is `flatten`ed (serde reads a map only).
#[allow(clippy::field_reassign_with_default)]
fn sync_fields(w: &Wire, array_ok: bool) -> R<SyncRequest> {
    let f = Fields::new(w, SYNC, array_ok)?;
    // Filled in place: one drop of `r` on a refusal instead of a ladder per field.
    let mut r = SyncRequest::default();
    r.text = f.req(0, string)?;
    r.secretfile_path = f.or(1, "Secretfile.yml".to_string(), string)?;
    r.env = f.or(2, BTreeMap::new(), str_map)?;
    r.var_files = f.or(3, Vec::new(), var_files)?;
    r.lane_var_files = f.or(4, BTreeMap::new(), opt_str_map)?;
    r.environment = f.or(5, None, opt_string)?;
    r.lockfile_path = f.or(6, None, opt_string)?;
    r.lockfile = f.or(7, None, opt_string)?;
    r.local_lockfile = f.or(8, None, opt_string)?;
    r.now = f.req(9, string)?;
    r.dry_run = f.or(10, false, boolean)?;
    r.refresh = f.or(11, true, boolean)?;
    r.allow_scripts = f.or(12, false, boolean)?;
    r.values = f.or(13, BTreeMap::new(), str_map)?;
    r.files = f.or(14, BTreeMap::new(), opt_str_map)?;
    r.identity = f.or(15, DataMap::new(), data_map)?;
    r.allow_outside_root = f.or(16, false, boolean)?;
    r.script_outputs = f.or(17, BTreeMap::new(), str_map)?;
    r.cwd = f.or(18, None, opt_string)?;
    r.adapters = f.or(19, Vec::new(), strings)?;
    r.unreachable = f.or(20, BTreeMap::new(), str_map)?;
    r.store_failures = f.or(21, BTreeMap::new(), str_map)?;
    f.end()?;
    Ok(r)
}

fn sync_request_fields(w: &Wire) -> R<SyncRequest> {
    sync_fields(w, true)
}

const STATUS: &[&str] = &["store_values"];

fn status_fields(w: &Wire) -> R<StatusRequest> {
    // `sync` is flattened: serde reads the object as a map, and the flattened struct from
    // its buffer.
    let own = Fields::new(w, STATUS, false)?;
    let store_values = own.or(0, BTreeMap::new(), opt_str_map)?;
    Ok(StatusRequest {
        sync: sync_fields(w, false).map_err(in_content)?,
        store_values,
    })
}

const INSTRUCTIONS: &[&str] = &["request", "all", "secrets"];

fn instructions_fields(w: &Wire) -> R<InstructionsRequest> {
    let f = Fields::new(w, INSTRUCTIONS, true)?;
    let r = InstructionsRequest {
        request: f.req(0, sync_request_fields)?,
        all: f.or(1, false, boolean)?,
        secrets: f.or(2, Vec::new(), strings)?,
    };
    f.end()?;
    Ok(r)
}

const SECRETFILE_INPUT: &[&str] = &["text", "env", "var_files"];

fn secretfile_input(w: &Wire) -> R<SecretfileInput> {
    let f = Fields::new(w, SECRETFILE_INPUT, true)?;
    let r = SecretfileInput {
        text: f.req(0, string)?,
        env: f.or(1, BTreeMap::new(), str_map)?,
        var_files: f.or(2, Vec::new(), var_files)?,
    };
    f.end()?;
    Ok(r)
}

const GENERATE: &[&str] = &["kind", "config"];

fn generate(w: &Wire) -> R<GenerateRequest> {
    let f = Fields::new(w, GENERATE, true)?;
    let r = GenerateRequest {
        kind: f.req(0, string)?,
        config: f.or(1, DataMap::new(), data_map)?,
    };
    f.end()?;
    Ok(r)
}

const GENERATE_MANY: &[&str] = &["kind", "config", "count"];

fn generate_many(w: &Wire) -> R<GenerateManyRequest> {
    let f = Fields::new(w, GENERATE_MANY, true)?;
    let r = GenerateManyRequest {
        kind: f.req(0, string)?,
        config: f.or(1, DataMap::new(), data_map)?,
        count: f.req(2, size)?,
    };
    f.end()?;
    Ok(r)
}

const STEPS: &[&str] = &["actions"];

fn steps(w: &Wire) -> R<StepsRequest> {
    let f = Fields::new(w, STEPS, true)?;
    let r = StepsRequest {
        actions: f.req(0, strings)?,
    };
    f.end()?;
    Ok(r)
}

const CLASSIFY: &[&str] = &["secret", "secretfile", "env", "allow_scripts"];

fn classify(w: &Wire) -> R<ClassifyWire> {
    let f = Fields::new(w, CLASSIFY, true)?;
    let r = ClassifyWire {
        secret: f.req(0, any)?,
        secretfile: f.or(1, None, opt_any)?,
        env: f.or(2, BTreeMap::new(), str_map)?,
        allow_scripts: f.or(3, false, boolean)?,
    };
    f.end()?;
    Ok(r)
}

fn report_format(w: &Wire) -> R<ReportFormat> {
    unit_enum(
        w,
        |s| match s {
            "text" => Some(ReportFormat::Text),
            "json" => Some(ReportFormat::Json),
            _ => None,
        },
        false,
    )
}

const FORMAT: &[&str] = &["report", "format", "color", "width"];

fn format(w: &Wire) -> R<FormatRequest> {
    let f = Fields::new(w, FORMAT, true)?;
    let r = FormatRequest {
        report: f.req(0, any)?,
        format: f.or(1, ReportFormat::default(), report_format)?,
        color: f.or(2, false, boolean)?,
        width: f.or(3, None, opt_size)?,
    };
    f.end()?;
    Ok(r)
}

const SPAN: &[&str] = &[
    "start",
    "end",
    "line",
    "column",
    "column_utf16",
    "end_line",
    "end_column",
    "end_column_utf16",
];

fn span(w: &Wire) -> R<Option<Span>> {
    if matches!(w, Wire::Null) {
        return Ok(None);
    }
    let f = Fields::new(w, SPAN, true)?;
    let r = Span {
        start: f.req(0, size)?,
        end: f.req(1, size)?,
        line: f.req(2, size)?,
        column: f.req(3, size)?,
        column_utf16: f.req(4, size)?,
        end_line: f.req(5, size)?,
        end_column: f.req(6, size)?,
        end_column_utf16: f.req(7, size)?,
    };
    f.end()?;
    Ok(Some(r))
}

const DIAGNOSTIC: &[&str] = &[
    "code", "severity", "message", "path", "line", "column", "span", "hint",
];

fn diagnostic(w: &Wire) -> R<Diagnostic> {
    let f = Fields::new(w, DIAGNOSTIC, true)?;
    let r = Diagnostic {
        code: f.req(0, |w| {
            unit_enum(
                w,
                |s| ErrorCode::ALL.iter().copied().find(|c| c.as_str() == s),
                false,
            )
        })?,
        severity: f.req(1, |w| {
            unit_enum(
                w,
                |s| match s {
                    "error" => Some(Severity::Error),
                    "warning" => Some(Severity::Warning),
                    _ => None,
                },
                false,
            )
        })?,
        message: f.req(2, string)?,
        path: f.or(3, None, opt_string)?,
        line: f.or(4, None, opt_size)?,
        column: f.or(5, None, opt_size)?,
        span: f.or(6, None, span)?,
        hint: f.or(7, None, opt_string)?,
    };
    f.end()?;
    Ok(r)
}

fn diagnostics(w: &Wire) -> R<Vec<Diagnostic>> {
    list_of(w, diagnostic)
}

const DIAGNOSTICS: &[&str] = &["file", "diagnostics", "color"];

fn diagnostics_request(w: &Wire) -> R<DiagnosticsRequest> {
    let f = Fields::new(w, DIAGNOSTICS, true)?;
    let r = DiagnosticsRequest {
        file: f.req(0, string)?,
        diagnostics: f.req(1, diagnostics)?,
        color: f.or(2, false, boolean)?,
    };
    f.end()?;
    Ok(r)
}

// A step's and the instructions' fields are their Secretfile keys (one model): the same lists
// as the decoder's, in the order the indices below read them.
const STEP: &[&str] = crate::decode::STEP_KEYS;

fn step(w: &Wire) -> R<Step> {
    let f = Fields::new(w, STEP, true)?;
    let r = Step {
        action: f.req(0, string)?,
        description: f.req(1, string)?,
        params: f.or(2, None, opt_data_map)?,
        required: f.or(3, true, boolean)?,
    };
    f.end()?;
    Ok(r)
}

const AGENT_INSTRUCTIONS: &[&str] = crate::decode::INSTRUCTION_KEYS;

/// A [`PendingSecret`]: [`AgentInstructions`] flattened (a map only, read from serde's
/// buffer).
fn pending_secret(w: &Wire) -> R<PendingSecret> {
    let f = Fields::new(w, AGENT_INSTRUCTIONS, false)?;
    let level = |w: &Wire| match w {
        Wire::Null => Ok(None),
        w => unit_enum(w, AutomationLevel::parse, true).map(Some),
    };
    let instructions = AgentInstructions {
        summary: f.req(0, string)?,
        steps: f.req(1, |w| list_of(w, step))?,
        prerequisites: f.or(2, None, opt_strings)?,
        automation_hint: f.or(3, None, opt_string)?,
        estimated_time: f.or(4, None, opt_string)?,
        fallback: f.or(5, None, opt_string)?,
        required_tools: f.or(6, None, opt_strings)?,
        documentation_url: f.or(7, None, opt_string)?,
        automation_level: f.or(8, None, level)?,
    };
    Ok(PendingSecret { instructions })
}

fn pending_secrets(w: &Wire) -> R<IndexMap<String, PendingSecret>> {
    match w {
        Wire::Object(entries) => {
            let mut m = IndexMap::new();
            for (k, v) in entries {
                m.insert(k.clone(), pending_secret(v).map_err(in_content)?);
            }
            Ok(m)
        }
        _ => Err(WRONG),
    }
}

const INSTRUCTIONS_RESPONSE: &[&str] = &["scope", "total", "secrets", "warnings"];

fn instructions_response(w: &Wire) -> R<InstructionsResponse> {
    let f = Fields::new(w, INSTRUCTIONS_RESPONSE, true)?;
    let r = InstructionsResponse {
        scope: f.req(0, |w| {
            unit_enum(
                w,
                |s| match s {
                    "pending" => Some(InstructionScope::Pending),
                    "all" => Some(InstructionScope::All),
                    _ => None,
                },
                false,
            )
        })?,
        total: f.req(1, size)?,
        secrets: f.req(2, pending_secrets)?,
        warnings: f.req(3, diagnostics)?,
    };
    f.end()?;
    Ok(r)
}

const FORMAT_INSTRUCTIONS: &[&str] = &[
    "instructions",
    "format",
    "detailed",
    "bare",
    "color",
    "width",
];

fn format_instructions(w: &Wire) -> R<FormatInstructionsRequest> {
    let f = Fields::new(w, FORMAT_INSTRUCTIONS, true)?;
    let r = FormatInstructionsRequest {
        instructions: f.req(0, instructions_response)?,
        format: f.or(1, ReportFormat::default(), report_format)?,
        detailed: f.or(2, false, boolean)?,
        bare: f.or(3, false, boolean)?,
        color: f.or(4, false, boolean)?,
        width: f.or(5, None, opt_size)?,
    };
    f.end()?;
    Ok(r)
}

/// The `USAGE` error for a refused request, worded as [`crate::api`] words serde's.
fn usage(op: &str, bad: &Bad) -> Error {
    let kind = if bad.syntax {
        "is not valid JSON"
    } else {
        "has a missing field or a field of the wrong type"
    };
    let field = bad
        .field
        .map(|f| format!(" (field `{f}`)"))
        .unwrap_or_default();
    Error::from(
        Diagnostic::error(
            ErrorCode::Usage,
            format!("the `{op}` request {kind}{field}"),
        )
        .with_hint("check the argument against the TypeScript types"),
    )
}

fn read<T>(op: &str, input: &str, fields: impl Fn(&Wire) -> R<T>) -> Result<T, Error> {
    let wire: Wire = serde_json::from_str(input).map_err(|_| {
        usage(
            op,
            &Bad {
                field: None,
                syntax: true,
            },
        )
    })?;
    fields(&wire).map_err(|b| usage(op, &b))
}

/// The request of `sync`, `target_files` and `plan_scripts` (`op` names it in errors).
pub(crate) fn sync_request(op: &str, input: &str) -> Result<SyncRequest, Error> {
    read(op, input, sync_request_fields)
}

/// The `status` request.
pub(crate) fn status_request(op: &str, input: &str) -> Result<StatusRequest, Error> {
    read(op, input, status_fields)
}

/// The `instructions` request.
pub(crate) fn instructions_request(op: &str, input: &str) -> Result<InstructionsRequest, Error> {
    read(op, input, instructions_fields)
}

/// The `parse` and `validate` request.
pub(crate) fn secretfile_input_request(op: &str, input: &str) -> Result<SecretfileInput, Error> {
    read(op, input, secretfile_input)
}

/// The `generate` request.
pub(crate) fn generate_request(op: &str, input: &str) -> Result<GenerateRequest, Error> {
    read(op, input, generate)
}

/// The `generate_many` request.
pub(crate) fn generate_many_request(op: &str, input: &str) -> Result<GenerateManyRequest, Error> {
    read(op, input, generate_many)
}

/// The `classify_steps` request.
pub(crate) fn steps_request(op: &str, input: &str) -> Result<StepsRequest, Error> {
    read(op, input, steps)
}

/// The `classify` request as it arrives (the model objects still as JSON).
pub(crate) fn classify_request(op: &str, input: &str) -> Result<ClassifyWire, Error> {
    read(op, input, classify)
}

/// The `format_report` request.
pub(crate) fn format_request(op: &str, input: &str) -> Result<FormatRequest, Error> {
    read(op, input, format)
}

/// The `format_diagnostics` request.
pub(crate) fn diagnostics_request_of(op: &str, input: &str) -> Result<DiagnosticsRequest, Error> {
    read(op, input, diagnostics_request)
}

/// The `format_instructions` request.
pub(crate) fn format_instructions_request(
    op: &str,
    input: &str,
) -> Result<FormatInstructionsRequest, Error> {
    read(op, input, format_instructions)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::DeserializeOwned;
    use serde_json::json;

    /// A sync request with every field set, one per fixture Secretfile.
    fn sync_samples() -> Vec<Value> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut texts: Vec<String> = std::fs::read_dir(root)
            .unwrap()
            .filter_map(|e| std::fs::read_to_string(e.unwrap().path().join("Secretfile.yml")).ok())
            .collect();
        texts.sort();
        assert!(texts.len() > 50, "fixtures not found");
        texts.truncate(6);
        texts
            .into_iter()
            .map(|text| {
                json!({
                    "text": text,
                    "secretfile_path": "sub/Secretfile.yml",
                    "env": {"A": "1", "B": "x"},
                    "var_files": [{"path": "v.yml", "text": "a: 1\n"}, ["w.yml", "b: 2\n"]],
                    "lane_var_files": {"lane.yml": "c: 3\n", "gone.yml": null},
                    "environment": "prod",
                    "lockfile_path": "l.lock",
                    "lockfile": "{}",
                    "local_lockfile": null,
                    "now": "2026-01-01T00:00:00Z",
                    "dry_run": true,
                    "refresh": false,
                    "allow_scripts": true,
                    "values": {"db": "v"},
                    "files": {".env": "A=1\n", "x.json": null},
                    "identity": {"user": "u", "n": 1.5, "nested": {"a": [1, -2, null, true]}},
                    "allow_outside_root": true,
                    "script_outputs": {"s": "out"},
                    "cwd": "/w",
                    "adapters": ["aws/ssm_parameter"],
                    "unreachable": {"t1": "down"},
                    "store_failures": {"t2": "denied"},
                    "unknown_extra": {"deep": [1, 2]},
                })
            })
            .collect()
    }

    /// Each key and array element (two per array) replaced by other kinds of JSON, or
    /// removed.
    fn mutations(v: &Value) -> Vec<Value> {
        let replacements = [
            None,
            Some(Value::Null),
            Some(json!(42)),
            Some(json!(-1.5)),
            Some(json!("x")),
            Some(json!(true)),
            Some(json!([])),
            Some(json!(["x", "y"])),
            Some(json!({})),
            Some(json!({"path": "p", "text": "t"})),
        ];
        crate::json_mutations::mutations(v, &replacements, true)
    }

    /// The object as an array of `names`' values (a prefix of `len` of them).
    fn positional(v: &Value, names: &[&str], len: usize) -> Value {
        Value::Array(
            names
                .iter()
                .take(len)
                .map(|n| v.get(*n).cloned().unwrap_or(Value::Null))
                .collect(),
        )
    }

    /// The object's text with `key` written twice (first with `first`).
    fn duplicated(v: &Value, key: &str, first: &Value) -> String {
        let text = v.to_string();
        format!("{{{}:{first},{}", json!(key), &text[1..])
    }

    /// Ours and serde agree: the same value, or both refuse (with the same kind of message).
    fn agree<T: DeserializeOwned + serde::Serialize>(
        text: &str,
        ours: impl Fn(&str) -> Result<T, Error>,
        op: &str,
    ) {
        let theirs = serde_json::from_str::<T>(text);
        match (ours(text), theirs) {
            (Ok(a), Ok(b)) => assert_eq!(
                serde_json::to_value(&a).unwrap(),
                serde_json::to_value(&b).unwrap(),
                "{text}"
            ),
            (Err(a), Err(b)) => {
                assert_eq!(a.code, ErrorCode::Usage);
                let syntax = matches!(
                    b.classify(),
                    serde_json::error::Category::Syntax | serde_json::error::Category::Eof
                );
                assert_eq!(
                    a.message.contains("is not valid JSON"),
                    syntax,
                    "{text}: {} / {b}",
                    a.message
                );
                assert!(a.message.starts_with(&format!("the `{op}` request ")));
            }
            (a, b) => panic!(
                "{text}:\n ours: {:?}\n serde: {:?}",
                a.map(|r| serde_json::to_value(&r).unwrap()),
                b.map(|r| serde_json::to_value(&r).unwrap())
            ),
        }
    }

    fn sync_agrees(text: &str) {
        agree::<SyncRequest>(text, |t| sync_request("sync", t), "sync");
    }
    fn status_agrees(text: &str) {
        agree::<StatusRequest>(text, |t| status_request("status", t), "status");
    }
    fn instructions_agrees(text: &str) {
        agree::<InstructionsRequest>(
            text,
            |t| instructions_request("instructions", t),
            "instructions",
        );
    }

    #[test]
    fn sync_request_reads_like_serde() {
        let mut checked = 0;
        for v in sync_samples() {
            let minimal = json!({"text": v["text"], "now": "n"});
            for base in [&v, &minimal] {
                sync_agrees(&base.to_string());
                for m in mutations(base) {
                    sync_agrees(&m.to_string());
                    checked += 1;
                }
                for len in 0..=SYNC.len() {
                    sync_agrees(&positional(base, SYNC, len).to_string());
                }
                let mut long = positional(base, SYNC, SYNC.len());
                long.as_array_mut().unwrap().push(json!(1));
                sync_agrees(&long.to_string());
                for key in SYNC.iter().chain(&["unknown_extra"]) {
                    for first in [json!("x"), json!(null), json!(1)] {
                        sync_agrees(&duplicated(base, key, &first));
                    }
                }
            }
        }
        for text in [
            "",
            "{",
            "null",
            "5",
            "\"x\"",
            "[]",
            "{}",
            "{\"text\": \"a\", \"now\": \"n\"} x",
            "{\"text\": \"a\", \"now\": \"n\", \"var_files\": [[\"p\", \"t\", 3]]}",
            "{\"text\": \"a\", \"now\": \"n\", \"var_files\": [[\"p\"]]}",
            "{\"text\": \"\\ud800\", \"now\": \"n\"}",
        ] {
            sync_agrees(text);
        }
        assert!(checked > 2_500, "{checked}");
    }

    #[test]
    fn status_request_reads_like_serde() {
        for v in sync_samples().into_iter().take(2) {
            let mut v = v;
            v["store_values"] = json!({"t1": "a", "t2": null});
            status_agrees(&v.to_string());
            for m in mutations(&v) {
                status_agrees(&m.to_string());
            }
            status_agrees(&positional(&v, SYNC, SYNC.len()).to_string());
            for key in ["store_values", "text", "identity", "other"] {
                status_agrees(&duplicated(&v, key, &json!({})));
            }
        }
        status_agrees("{\"text\": \"a\", \"now\": \"n\"}");
        status_agrees("[]");
    }

    #[test]
    fn instructions_request_reads_like_serde() {
        for v in sync_samples().into_iter().take(2) {
            let full = json!({"request": v, "all": true, "secrets": ["a", "b"]});
            let minimal = json!({"request": {"text": "x", "now": "n"}});
            for base in [&full, &minimal] {
                instructions_agrees(&base.to_string());
                for m in mutations(base) {
                    instructions_agrees(&m.to_string());
                }
                for len in 0..=4 {
                    let mut p = positional(base, INSTRUCTIONS, len.min(3));
                    if len == 4 {
                        p.as_array_mut().unwrap().push(json!(null));
                    }
                    instructions_agrees(&p.to_string());
                }
                for key in ["request", "all", "secrets", "other"] {
                    instructions_agrees(&duplicated(base, key, &json!(false)));
                }
            }
        }
    }

    /// `base`, its mutations, its positional forms (when serde allows them) and every key
    /// written twice: ours and serde agree on all.
    fn check_all<T: DeserializeOwned + serde::Serialize>(
        op: &str,
        base: &Value,
        names: Option<&[&str]>,
        ours: fn(&str, &str) -> Result<T, Error>,
    ) -> usize {
        let run = |text: &str| agree::<T>(text, |t| ours(op, t), op);
        let mut n = 0;
        run(&base.to_string());
        for m in mutations(base) {
            run(&m.to_string());
            n += 1;
        }
        if let Some(names) = names {
            for len in 0..=names.len() {
                run(&positional(base, names, len).to_string());
            }
            let mut long = positional(base, names, names.len());
            long.as_array_mut().unwrap().push(json!(null));
            run(&long.to_string());
        }
        for key in base.as_object().unwrap().keys() {
            for first in [json!("x"), json!(null), json!(false)] {
                run(&duplicated(base, key, &first));
            }
        }
        n
    }

    fn fixture_texts() -> Vec<String> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut texts: Vec<String> = std::fs::read_dir(root)
            .unwrap()
            .filter_map(|e| std::fs::read_to_string(e.unwrap().path().join("Secretfile.yml")).ok())
            .collect();
        texts.sort();
        texts
    }

    #[test]
    fn small_requests_read_like_serde() {
        let text = fixture_texts().swap_remove(0);
        let env = json!({"A": "1"});
        let vf = json!([{"path": "v.yml", "text": "a: 1\n"}, ["w.yml", "b: 2\n"]]);
        for base in [
            json!({"text": text, "env": env, "var_files": vf}),
            json!({"text": "x"}),
        ] {
            check_all::<SecretfileInput>(
                "parse",
                &base,
                Some(SECRETFILE_INPUT),
                secretfile_input_request,
            );
        }
        let config = json!({"length": 12, "special": false, "charset": "hex", "x": [1.5, null]});
        for base in [
            json!({"kind": "random_password", "config": config}),
            json!({"kind": "uuid"}),
        ] {
            check_all::<GenerateRequest>("generate", &base, Some(GENERATE), generate_request);
        }
        for count in [
            json!(3),
            json!(0),
            json!(4294967296u64),
            json!(3.0),
            json!(-1),
        ] {
            let base = json!({"kind": "uuid", "config": config, "count": count});
            check_all::<GenerateManyRequest>(
                "generate_many",
                &base,
                Some(GENERATE_MANY),
                generate_many_request,
            );
        }
        check_all::<StepsRequest>(
            "classify_steps",
            &json!({"actions": ["open_url", "x"]}),
            Some(STEPS),
            steps_request,
        );
        let secret = json!({"name": "db", "kind": "random_password", "targets": [{"provider": "local", "kind": "file", "config": {"path": ".env"}}]});
        for base in [
            json!({"secret": secret, "secretfile": {"version": "1.0", "secrets": [secret]}, "env": env, "allow_scripts": true}),
            json!({"secret": secret}),
        ] {
            check_all::<ClassifyWire>("classify", &base, Some(CLASSIFY), classify_request);
        }
    }

    fn sample_diagnostics() -> Value {
        json!([
            {"code": "USAGE", "severity": "error", "message": "m", "path": "secrets[0]",
             "line": 3, "column": 5, "hint": "h",
             "span": {"start": 1, "end": 4, "line": 3, "column": 5, "column_utf16": 5,
                      "end_line": 3, "end_column": 8, "end_column_utf16": 8}},
            {"code": "UNKNOWN_KEY", "severity": "warning", "message": "w"},
        ])
    }

    #[test]
    fn format_requests_read_like_serde() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let report: Value = serde_json::from_str(
            &std::fs::read_to_string(root.join("dry-run-generators/expected/report.json")).unwrap(),
        )
        .unwrap();
        for format in [
            json!("text"),
            json!("json"),
            json!({"json": null}),
            json!("xml"),
        ] {
            let base =
                json!({"report": report["status"], "format": format, "color": true, "width": 100});
            check_all::<FormatRequest>("format_report", &base, Some(FORMAT), format_request);
        }
        for text in [
            r#"{"report": {}, "format": {}}"#,
            r#"{"report": {}, "format": {"json": null, "text": null}}"#,
            r#"{"report": {}, "format": {"json": 1}}"#,
            r#"{"report": {}, "format": {"yaml": null}}"#,
            r#"{"report": {}, "format": {"json": null}, "width": 5}"#,
        ] {
            agree::<FormatRequest>(
                text,
                |t| format_request("format_report", t),
                "format_report",
            );
        }
        let base = json!({"file": "S.yml", "diagnostics": sample_diagnostics(), "color": true});
        check_all::<DiagnosticsRequest>(
            "format_diagnostics",
            &base,
            Some(DIAGNOSTICS),
            diagnostics_request_of,
        );
        let mut positional_span = base.clone();
        positional_span["diagnostics"][0]["span"] = json!([1, 4, 3, 5, 5, 3, 8, 8]);
        check_all::<DiagnosticsRequest>(
            "format_diagnostics",
            &positional_span,
            None,
            diagnostics_request_of,
        );
        let pending = json!({
            "summary": "s",
            "steps": [{"action": "open_url", "description": "d", "params": {"url": "u"}, "required": false}, ["a", "b"]],
            "prerequisites": ["p"],
            "automation_hint": "h",
            "estimated_time": "5m",
            "fallback": "f",
            "required_tools": ["t"],
            "documentation_url": "https://x",
            "automation_level": "manual_only",
            "extra": 1,
        });
        let instructions = json!({
            "scope": "all",
            "total": 2,
            "secrets": {"a": pending, "b": {"summary": "s2", "steps": []}},
            "warnings": sample_diagnostics(),
        });
        let base = json!({"instructions": instructions, "format": "json", "detailed": true, "bare": true, "color": true, "width": 60});
        check_all::<FormatInstructionsRequest>(
            "format_instructions",
            &base,
            Some(FORMAT_INSTRUCTIONS),
            format_instructions_request,
        );
        let mut base = base;
        // One refusal per request: with several, serde names the first in the text and we
        // may name another (same code; "not valid JSON" or not may differ).
        let one_refusal = |v: &Value| {
            agree::<FormatInstructionsRequest>(
                &v.to_string(),
                |t| format_instructions_request("format_instructions", t),
                "format_instructions",
            )
        };
        for level in [
            json!({}),
            json!({"manual_only": null, "x": null}),
            json!({"nope": null}),
            json!({"manual_only": 1}),
            json!(5),
        ] {
            let mut one = base.clone();
            one["instructions"]["secrets"]["a"]["automation_level"] = level;
            one_refusal(&one);
        }
        for level in [json!({"manual_only": null}), json!({"semi_automated": {}})] {
            base["instructions"]["secrets"]["a"]["automation_level"] = level;
            check_all::<FormatInstructionsRequest>(
                "format_instructions",
                &base,
                None,
                format_instructions_request,
            );
        }
        base["instructions"]["secrets"]["a"]["steps"][1] = json!(["a", "b", null, true, 5]);
        one_refusal(&base);
        for key in ["summary", "steps", "automation_level"] {
            let inner = duplicated(&pending, key, &json!("x"));
            let text = format!(
                r#"{{"instructions": {{"scope": "all", "total": 1, "secrets": {{"a": {inner}}}, "warnings": []}}}}"#
            );
            agree::<FormatInstructionsRequest>(
                &text,
                |t| format_instructions_request("format_instructions", t),
                "format_instructions",
            );
        }
    }

    #[test]
    fn refusals_name_the_field_and_never_a_value() {
        let e = sync_request("sync", r#"{"text": "a"}"#).unwrap_err();
        assert!(e.message.contains("(field `now`)"), "{}", e.message);
        let e = sync_request(
            "sync",
            r#"{"text": "a", "now": "n", "values": {"db": 31337}}"#,
        )
        .unwrap_err();
        assert!(e.message.contains("(field `values`)"), "{}", e.message);
        assert!(!e.message.contains("31337"));
        let e = sync_request(
            "target_files",
            r#"{"text": "a", "now": "n", "var_files": [{"path": "p"}]}"#,
        )
        .unwrap_err();
        assert!(e.message.contains("`target_files`"), "{}", e.message);
        assert!(e.message.contains("(field `text`)"), "{}", e.message);
    }
}
