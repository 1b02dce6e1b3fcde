//! Writing the responses of every operation without serde's derived `Serialize`.
//!
//! Why: the derived impls, instantiated for `serde_json`'s compact string serializer (one
//! `serialize` per type plus `collect_seq`/`collect_map` and `SerializeStruct` glue for every
//! field type), were ~34 KB of WebAssembly before wasm-opt (twiggy, see bench/README.md), for
//! output that is a handful of objects, lists, strings and numbers. Here each response type
//! says its keys in order to one small writer, [`Out`], which writes serde_json's compact
//! format itself.
//!
//! The output is byte for byte serde_json's (the tests serialise the golden fixtures' syncs,
//! parses, status, instructions and randomised values both ways): keys in declaration order,
//! `#[serde(flatten)]` fields inlined in place, `skip_serializing_if` fields left out, `None`
//! as `null` elsewhere, strings escaped as serde_json does (`\"`, `\\`, `\b`, `\t`, `\n`,
//! `\f`, `\r`, other control characters as `\u00xx`, everything else as is), integers in
//! decimal, floats as serde_json's `Number` prints them (non-finite as `null`).
//!
//! The derives stay on the types: the TypeScript types (tsify) and the JSON Schema come from
//! them, the tests use them as the reference, and the linker drops them from the module.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use indexmap::IndexMap;
use serde_json::Value;

use crate::api::{
    ClassifyResponse, FormatResponse, GenerateManyResponse, GenerateResponse, ParseResponse,
    ValidateResponse, VersionResponse,
};
use crate::classify::{Classification, Outcome, Source};
use crate::diagnostic::{Diagnostic, Error, ErrorCode, Severity, Span};
use crate::engine::{StoreTarget, StoreWrite};
use crate::instructions::{InstructionScope, InstructionsResponse};
use crate::lockfile::{RefreshReport, RefreshRow, RefreshStatus};
use crate::model::{
    AgentConfig, AgentInstructions, AutomationLevel, DataMap, EnvironmentProfile, Environments,
    GeneratorSpec, Provider, Secret, Secretfile, Step, Target, TargetProfile, Template,
    TemplateField,
};
use crate::report::{
    AutomationSummary, ByLevel, EngineResults, PendingSecret, SecretDetail, SyncReport,
    SyncResults, SyncStatus, TargetResult,
};
use crate::status::{SecretStatus, StatusReport, TargetState, TargetStatus};
use crate::steps::{StepClass, StepKind};
use crate::sync::{
    FileWrite, ScriptSpec, ScriptsResponse, SyncResponse, TargetFilesResponse, WriteRole,
};

/// A value that writes itself as compact JSON, exactly as its `Serialize` derive would.
pub(crate) trait ToJson {
    /// Append the JSON text to `o`.
    fn write_json(&self, o: &mut Out);
}

/// The JSON text being written.
pub(crate) struct Out {
    buf: String,
    /// No element or key written yet in the innermost object or list.
    first: bool,
}

impl Out {
    fn new() -> Self {
        Out {
            buf: String::new(),
            first: true,
        }
    }

    fn sep(&mut self) {
        if !self.first {
            self.buf.push(',');
        }
        self.first = false;
    }

    fn open(&mut self, c: char) {
        self.buf.push(c);
        self.first = true;
    }

    fn close(&mut self, c: char) {
        self.buf.push(c);
        self.first = false;
    }

    /// A string, escaped as serde_json escapes it.
    fn str(&mut self, s: &str) {
        self.buf.push('"');
        let mut start = 0;
        for (i, b) in s.bytes().enumerate() {
            let esc = match b {
                b'"' => "\\\"",
                b'\\' => "\\\\",
                0x08 => "\\b",
                b'\t' => "\\t",
                b'\n' => "\\n",
                0x0c => "\\f",
                b'\r' => "\\r",
                0..=0x1f => "",
                _ => continue,
            };
            self.buf.push_str(s.get(start..i).unwrap_or_default());
            if esc.is_empty() {
                let _ = write!(self.buf, "\\u{b:04x}");
            } else {
                self.buf.push_str(esc);
            }
            start = i + 1;
        }
        self.buf.push_str(s.get(start..).unwrap_or_default());
        self.buf.push('"');
    }

    fn uint(&mut self, n: usize) {
        let _ = write!(self.buf, "{n}");
    }

    /// `"key":` (with the comma before it when needed).
    fn key(&mut self, k: &str) {
        self.sep();
        self.str(k);
        self.buf.push(':');
    }

    fn field(&mut self, k: &str, v: &dyn ToJson) {
        self.key(k);
        v.write_json(self);
    }

    /// A `skip_serializing_if = "Option::is_none"` field.
    fn opt(&mut self, k: &str, v: Option<&dyn ToJson>) {
        if let Some(v) = v {
            self.field(k, v);
        }
    }

    /// [`Out::opt`] of an `Option` field (inlined: no copy per type in the module).
    #[inline(always)]
    fn some<T: ToJson>(&mut self, k: &str, v: &Option<T>) {
        self.opt(k, v.as_ref().map(|x| x as &dyn ToJson));
    }

    fn str_field(&mut self, k: &str, v: &str) {
        self.key(k);
        self.str(v);
    }

    fn uint_field(&mut self, k: &str, v: usize) {
        self.key(k);
        self.uint(v);
    }

    fn bool_field(&mut self, k: &str, v: bool) {
        self.key(k);
        v.write_json(self);
    }

    fn value(&mut self, v: &Value) {
        match v {
            Value::Null => self.buf.push_str("null"),
            Value::Bool(b) => b.write_json(self),
            Value::Number(n) => {
                let _ = write!(self.buf, "{n}");
            }
            Value::String(s) => self.str(s),
            Value::Array(items) => {
                self.open('[');
                for x in items {
                    self.sep();
                    self.value(x);
                }
                self.close(']');
            }
            Value::Object(m) => self.map(m),
        }
    }

    fn map(&mut self, m: &DataMap) {
        self.open('{');
        for (k, v) in m {
            self.key(k);
            self.value(v);
        }
        self.close('}');
    }
}

/// `{"ok": <value>}`.
pub(crate) fn ok_envelope(v: &dyn ToJson) -> String {
    let mut o = Out::new();
    o.open('{');
    o.field("ok", v);
    o.close('}');
    o.buf
}

/// `{"error": <error>}`.
pub(crate) fn error_envelope(e: &Error) -> String {
    let mut o = Out::new();
    o.open('{');
    o.field("error", e);
    o.close('}');
    o.buf
}

// ---- Building blocks ----

impl ToJson for str {
    fn write_json(&self, o: &mut Out) {
        o.str(self);
    }
}

impl ToJson for String {
    fn write_json(&self, o: &mut Out) {
        o.str(self);
    }
}

impl ToJson for bool {
    fn write_json(&self, o: &mut Out) {
        o.buf.push_str(if *self { "true" } else { "false" });
    }
}

impl ToJson for usize {
    fn write_json(&self, o: &mut Out) {
        o.uint(*self);
    }
}

impl ToJson for f64 {
    fn write_json(&self, o: &mut Out) {
        match serde_json::Number::from_f64(*self) {
            Some(n) => {
                let _ = write!(o.buf, "{n}");
            }
            None => o.buf.push_str("null"),
        }
    }
}

impl ToJson for Value {
    fn write_json(&self, o: &mut Out) {
        o.value(self);
    }
}

impl ToJson for DataMap {
    fn write_json(&self, o: &mut Out) {
        o.map(self);
    }
}

impl<T: ToJson> ToJson for Option<T> {
    fn write_json(&self, o: &mut Out) {
        match self {
            Some(v) => v.write_json(o),
            None => o.buf.push_str("null"),
        }
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn write_json(&self, o: &mut Out) {
        o.open('[');
        for x in self {
            o.sep();
            x.write_json(o);
        }
        o.close(']');
    }
}

impl<T: ToJson> ToJson for IndexMap<String, T> {
    fn write_json(&self, o: &mut Out) {
        o.open('{');
        for (k, v) in self {
            o.field(k, v);
        }
        o.close('}');
    }
}

impl ToJson for BTreeMap<String, String> {
    fn write_json(&self, o: &mut Out) {
        o.open('{');
        for (k, v) in self {
            o.str_field(k, v);
        }
        o.close('}');
    }
}

/// Unit enums: their serde name.
macro_rules! names {
    ($($t:ident => { $($v:ident => $s:literal),* $(,)? })*) => {
        $(impl ToJson for $t {
            fn write_json(&self, o: &mut Out) {
                o.str(match self { $($t::$v => $s,)* });
            }
        })*
    };
}

names! {
    Severity => { Error => "error", Warning => "warning" }
    Outcome => { Automatic => "automatic", Pending => "pending", Failed => "failed" }
    Source => {
        Generated => "generated", Static => "static", Supplied => "supplied",
        Existing => "existing", Script => "script", None => "none",
    }
    TargetState => {
        InSync => "in_sync", Drifted => "drifted", Missing => "missing", Unknown => "unknown",
    }
    StepKind => { Command => "command", Url => "url", Instruction => "instruction" }
    InstructionScope => { Pending => "pending", All => "all" }
    RefreshStatus => { Pruned => "pruned", WouldPrune => "would_prune" }
    WriteRole => {
        Target => "target", Template => "template", Lockfile => "lockfile",
        LocalLockfile => "local_lockfile",
    }
}

impl ToJson for ErrorCode {
    fn write_json(&self, o: &mut Out) {
        o.str(self.as_str());
    }
}

impl ToJson for AutomationLevel {
    fn write_json(&self, o: &mut Out) {
        o.str(self.as_str());
    }
}

impl ToJson for SyncStatus {
    fn write_json(&self, o: &mut Out) {
        o.str(self.as_str());
    }
}

/// Structs: `{` fields in declaration order `}`.
macro_rules! object {
    ($t:ty, |$s:ident, $o:ident| $body:block) => {
        impl ToJson for $t {
            fn write_json(&self, $o: &mut Out) {
                let $s = self;
                $o.open('{');
                $body
                $o.close('}');
            }
        }
    };
}

// ---- Diagnostics ----

object!(Span, |s, o| {
    o.uint_field("start", s.start);
    o.uint_field("end", s.end);
    o.uint_field("line", s.line);
    o.uint_field("column", s.column);
    o.uint_field("column_utf16", s.column_utf16);
    o.uint_field("end_line", s.end_line);
    o.uint_field("end_column", s.end_column);
    o.uint_field("end_column_utf16", s.end_column_utf16);
});

object!(Diagnostic, |d, o| {
    o.field("code", &d.code);
    o.field("severity", &d.severity);
    o.str_field("message", &d.message);
    o.some("path", &d.path);
    o.some("line", &d.line);
    o.some("column", &d.column);
    o.some("span", &d.span);
    o.some("hint", &d.hint);
});

object!(Error, |e, o| {
    o.field("code", &e.code);
    o.str_field("message", &e.message);
    o.some("line", &e.line);
    o.some("column", &e.column);
    o.field("diagnostics", &e.diagnostics);
});

// ---- The model (`parse`) ----

object!(Secretfile, |s, o| {
    o.field("variables", &s.variables);
    o.some("metadata", &s.metadata);
    o.some("environments", &s.environments);
    o.field("target_profiles", &s.target_profiles);
    o.field("providers", &s.providers);
    o.field("secrets", &s.secrets);
    o.field("templates", &s.templates);
    o.field("policies", &s.policies);
    o.field("labels", &s.labels);
    o.field("annotations", &s.annotations);
    o.some("config", &s.config);
    o.some("agent", &s.agent);
});

object!(Environments, |e, o| {
    o.some("default", &e.default);
    o.field("profiles", &e.profiles);
});

object!(EnvironmentProfile, |p, o| {
    o.field("var_files", &p.var_files);
    o.some("lockfile", &p.lockfile);
    o.some("target_profile", &p.target_profile);
});

object!(TargetProfile, |p, o| {
    o.field("identity_policies", &p.identity_policies);
    o.field("provider_overrides", &p.provider_overrides);
    o.field("target_overrides", &p.target_overrides);
});

object!(Provider, |p, o| {
    o.some("kind", &p.kind);
    o.some("auth", &p.auth);
    o.field("config", &p.config);
    o.some("fallback_generator", &p.fallback_generator);
});

object!(Template, |t, o| {
    o.str_field("description", &t.description);
    o.field("fields", &t.fields);
    o.field("targets", &t.targets);
});

object!(TemplateField, |t, o| {
    o.str_field("description", &t.description);
    o.field("generator", &t.generator);
    o.field("targets", &t.targets);
});

object!(GeneratorSpec, |g, o| {
    o.str_field("kind", &g.kind);
    o.field("config", &g.config);
});

object!(AgentConfig, |a, o| {
    o.str_field("mode", a.mode.as_str());
    o.uint_field("web_port_min", usize::from(a.web_port_min));
    o.uint_field("web_port_max", usize::from(a.web_port_max));
});

object!(Secret, |s, o| {
    o.str_field("name", &s.name);
    o.str_field("kind", &s.kind);
    o.field("config", &s.config);
    o.field("vars", &s.vars);
    o.some("source", &s.source);
    if s.one_time {
        o.bool_field("one_time", true);
    }
    o.some("rotation_period", &s.rotation_period);
    o.field("targets", &s.targets);
    o.some("agent_instructions", &s.agent_instructions);
    o.field("process_tags", &s.process_tags);
    if s.local {
        o.bool_field("local", true);
    }
    if s.local_allow_cloud {
        o.bool_field("local_allow_cloud", true);
    }
});

object!(Target, |t, o| {
    o.str_field("provider", &t.provider);
    o.str_field("kind", &t.kind);
    o.field("config", &t.config);
    o.field("identity_policies", &t.identity_policies);
});

/// `AgentInstructions`' fields (also inlined in [`PendingSecret`]).
fn instruction_fields(a: &AgentInstructions, o: &mut Out) {
    o.str_field("summary", &a.summary);
    o.field("steps", &a.steps);
    o.some("prerequisites", &a.prerequisites);
    o.some("automation_hint", &a.automation_hint);
    o.some("estimated_time", &a.estimated_time);
    o.some("fallback", &a.fallback);
    o.some("required_tools", &a.required_tools);
    o.some("documentation_url", &a.documentation_url);
    o.some("automation_level", &a.automation_level);
}

object!(AgentInstructions, |a, o| {
    instruction_fields(a, o);
});

object!(PendingSecret, |p, o| {
    instruction_fields(&p.instructions, o);
});

object!(Step, |s, o| {
    o.str_field("action", &s.action);
    o.str_field("description", &s.description);
    o.some("params", &s.params);
    o.bool_field("required", s.required);
});

// ---- Operations ----

object!(VersionResponse, |r, o| {
    o.str_field("version", &r.version);
});

object!(ParseResponse, |r, o| {
    o.bool_field("valid", r.valid);
    o.field("secretfile", &r.secretfile);
    o.field("diagnostics", &r.diagnostics);
});

object!(ValidateResponse, |r, o| {
    o.bool_field("valid", r.valid);
    o.uint_field("errors", r.errors);
    o.uint_field("warnings", r.warnings);
    o.field("diagnostics", &r.diagnostics);
});

/// `Classification`'s fields (also inlined in [`ClassifyResponse`]).
fn classification_fields(c: &Classification, o: &mut Out) {
    o.field("outcome", &c.outcome);
    o.field("source", &c.source);
    o.field("automation_level", &c.automation_level);
    o.some("reason", &c.reason);
}

object!(Classification, |c, o| {
    classification_fields(c, o);
});

object!(ClassifyResponse, |r, o| {
    o.str_field("name", &r.name);
    classification_fields(&r.classification, o);
});

object!(GenerateResponse, |r, o| {
    o.str_field("value", &r.value);
});

object!(GenerateManyResponse, |r, o| {
    o.field("values", &r.values);
});

object!(FormatResponse, |r, o| {
    o.str_field("text", &r.text);
});

object!(StepClass, |s, o| {
    o.field("kind", &s.kind);
    o.some("url", &s.url);
});

object!(StatusReport, |r, o| {
    o.field("secrets", &r.secrets);
    o.uint_field("drifted", r.drifted);
    o.uint_field("missing", r.missing);
    o.uint_field("unknown", r.unknown);
    o.uint_field("not_synced", r.not_synced);
});

object!(SecretStatus, |s, o| {
    o.str_field("name", &s.name);
    o.bool_field("recorded", s.recorded);
    o.field("targets", &s.targets);
});

object!(TargetStatus, |t, o| {
    o.str_field("target_id", &t.target_id);
    o.field("state", &t.state);
});

object!(InstructionsResponse, |r, o| {
    o.field("scope", &r.scope);
    o.uint_field("total", r.total);
    o.field("secrets", &r.secrets);
    o.field("warnings", &r.warnings);
});

// ---- Sync ----

object!(TargetFilesResponse, |r, o| {
    o.field("files", &r.files);
    o.str_field("lockfile_path", &r.lockfile_path);
    o.str_field("local_lockfile_path", &r.local_lockfile_path);
    o.field("var_files", &r.var_files);
    o.field("stores", &r.stores);
});

/// `StoreTarget`'s fields (also inlined in [`StoreWrite`]).
fn store_target_fields(t: &StoreTarget, o: &mut Out) {
    o.str_field("target_id", &t.target_id);
    o.str_field("adapter", &t.adapter);
    o.str_field("provider", &t.provider);
    o.str_field("kind", &t.kind);
    o.field("config", &t.config);
    o.some("provider_config", &t.provider_config);
}

object!(StoreTarget, |t, o| {
    store_target_fields(t, o);
});

object!(StoreWrite, |w, o| {
    o.str_field("secret", &w.secret);
    store_target_fields(&w.target, o);
    o.str_field("value", &w.value);
});

object!(ScriptsResponse, |r, o| {
    o.field("scripts", &r.scripts);
});

object!(ScriptSpec, |s, o| {
    o.str_field("name", &s.name);
    o.str_field("command", &s.command);
    o.field("args", &s.args);
    o.bool_field("shell", s.shell);
    o.field("timeout_seconds", &s.timeout_seconds);
});

object!(FileWrite, |w, o| {
    o.str_field("path", &w.path);
    o.field("contents", &w.contents);
    o.field("role", &w.role);
    o.bool_field("secret", w.secret);
});

object!(SyncResponse, |r, o| {
    o.field("report", &r.report);
    o.field("writes", &r.writes);
    o.field("stores", &r.stores);
    o.field("produced", &r.produced);
});

object!(SyncReport, |r, o| {
    o.field("status", &r.status);
    o.field("synced_secrets", &r.synced_secrets);
    o.field("already_synced", &r.already_synced);
    o.field("pending_secrets", &r.pending_secrets);
    o.key("failed_secrets");
    o.open('{');
    for (k, v) in &r.failed_secrets {
        o.str_field(k, v);
    }
    o.close('}');
    o.field("automation_summary", &r.automation_summary);
    o.field("sync_results", &r.sync_results);
    o.bool_field("dry_run", r.dry_run);
    o.bool_field("sz_agent", r.sz_agent);
    o.str_field("resolved_mode", &r.resolved_mode);
    o.field("web_url", &r.web_url);
    o.field("web_session_id", &r.web_session_id);
    o.field("selected_environment", &r.selected_environment);
    o.field("resolved_var_files", &r.resolved_var_files);
    o.str_field("resolved_lockfile", &r.resolved_lockfile);
    o.field("resolved_target_profile", &r.resolved_target_profile);
    o.field("warnings", &r.warnings);
});

object!(AutomationSummary, |s, o| {
    o.uint_field("fully_synced", s.fully_synced);
    o.uint_field("already_synced", s.already_synced);
    o.uint_field("requires_intervention", s.requires_intervention);
    o.uint_field("failed", s.failed);
    o.field("by_level", &s.by_level);
});

object!(ByLevel, |b, o| {
    o.uint_field("fully_automated", b.fully_automated);
    o.uint_field("semi_automated", b.semi_automated);
    o.uint_field("manual_only", b.manual_only);
    o.uint_field("requires_approval", b.requires_approval);
});

object!(SyncResults, |r, o| {
    o.some("refresh", &r.refresh);
    if let Some(e) = &r.engine {
        o.uint_field("secrets_processed", e.secrets_processed);
        o.uint_field("secrets_generated", e.secrets_generated);
        o.uint_field("secrets_skipped", e.secrets_skipped);
        o.uint_field("secrets_stored", e.secrets_stored);
        o.field("errors", &e.errors);
        o.field("details", &e.details);
        o.bool_field("secretfile_changed", e.secretfile_changed);
    }
});

object!(EngineResults, |e, o| {
    o.uint_field("secrets_processed", e.secrets_processed);
    o.uint_field("secrets_generated", e.secrets_generated);
    o.uint_field("secrets_skipped", e.secrets_skipped);
    o.uint_field("secrets_stored", e.secrets_stored);
    o.field("errors", &e.errors);
    o.field("details", &e.details);
    o.bool_field("secretfile_changed", e.secretfile_changed);
});

object!(SecretDetail, |d, o| {
    o.str_field("name", &d.name);
    o.str_field("kind", &d.kind);
    o.bool_field("generated", d.generated);
    o.bool_field("skipped", d.skipped);
    o.bool_field("stored", d.stored);
    o.field("targets", &d.targets);
    o.field("errors", &d.errors);
    o.some("reason", &d.reason);
    o.some("error_code", &d.error_code);
    o.some("source", &d.source);
    o.some("dry_run", &d.dry_run);
});

object!(TargetResult, |t, o| {
    o.str_field("provider", &t.provider);
    o.str_field("kind", &t.kind);
    o.str_field("status", &t.status);
    o.some("message", &t.message);
    o.some("target_id", &t.target_id);
});

object!(RefreshReport, |r, o| {
    o.uint_field("checked_secrets", r.checked_secrets);
    o.uint_field("mismatch_secrets", r.mismatch_secrets);
    o.uint_field("mismatch_targets", r.mismatch_targets);
    o.field("rows", &r.rows);
});

object!(RefreshRow, |r, o| {
    o.str_field("secret", &r.secret);
    o.field("stale_targets", &r.stale_targets);
    o.field("status", &r.status);
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Envelope;
    use rand_chacha::ChaCha20Rng;
    use rand_core::{Rng, SeedableRng};
    use serde::Serialize;
    use serde_json::json;
    use std::path::Path;

    /// Both ways: the value alone and in its envelope, and an error envelope.
    fn same<T: ToJson + Serialize>(v: &T) -> usize {
        let mut o = Out::new();
        v.write_json(&mut o);
        let want = serde_json::to_string(v).unwrap();
        assert_eq!(o.buf, want);
        let env = serde_json::to_string(&Envelope {
            ok: Some(v),
            error: None,
        })
        .unwrap();
        assert_eq!(ok_envelope(v), env);
        want.len()
    }

    fn same_result<T: ToJson + Serialize>(r: &Result<T, Error>) -> usize {
        match r {
            Ok(v) => same(v),
            Err(e) => {
                let want = serde_json::to_string(&Envelope::<()> {
                    ok: None,
                    error: Some(e),
                })
                .unwrap();
                assert_eq!(error_envelope(e), want);
                same(e)
            }
        }
    }

    /// Every operation's response on every golden fixture (and the example projects).
    #[test]
    fn fixtures_write_like_serde() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut dirs: Vec<_> = std::fs::read_dir(root.join("tests/fixtures"))
            .unwrap()
            .chain(std::fs::read_dir(root.join("examples")).unwrap())
            .map(|e| e.unwrap().path())
            .filter(|p| p.join("Secretfile.yml").exists())
            .collect();
        dirs.sort();
        let mut bytes = 0;
        let mut reports = 0;
        for dir in &dirs {
            let case: Value = std::fs::read_to_string(dir.join("case.json"))
                .ok()
                .and_then(|t| serde_json::from_str(&t).ok())
                .unwrap_or(json!({}));
            let mut req = crate::sync::SyncRequest {
                secretfile_path: "Secretfile.yml".into(),
                now: "2026-11-28T12:00:00.000Z".into(),
                refresh: true,
                ..Default::default()
            };
            let args: Vec<&str> = case["args"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let mut it = args.iter();
            while let Some(a) = it.next() {
                match *a {
                    "--dry-run" => req.dry_run = true,
                    "--no-refresh" => req.refresh = false,
                    "--allow-scripts" => req.allow_scripts = true,
                    "-e" | "--environment" => req.environment = it.next().map(|s| s.to_string()),
                    "-l" | "--lockfile" => req.lockfile_path = it.next().map(|s| s.to_string()),
                    "-f" | "--file" => {
                        req.secretfile_path = it.next().map(|s| s.to_string()).unwrap()
                    }
                    _ => {}
                }
            }
            if let Some(env) = case["env"].as_object() {
                for (k, v) in env {
                    req.env
                        .insert(k.clone(), v.as_str().unwrap_or_default().to_string());
                }
            }
            let Ok(text) = std::fs::read_to_string(dir.join(&req.secretfile_path)) else {
                continue;
            };
            req.text = text;
            let read = |p: &str| std::fs::read_to_string(dir.join(p)).ok();
            let files = crate::sync::target_files(&req);
            bytes += same_result(&files);
            if let Ok(files) = &files {
                req.lane_var_files = files
                    .var_files
                    .iter()
                    .map(|p| (p.clone(), read(p)))
                    .collect();
                req.lockfile = read(&files.lockfile_path);
                req.local_lockfile = read(&files.local_lockfile_path);
                req.files = files.files.iter().map(|p| (p.clone(), read(p))).collect();
            }
            bytes += same_result(&crate::sync::plan_scripts(&req));
            let synced = crate::sync::sync(&req);
            bytes += same_result(&synced);
            reports += usize::from(synced.is_ok());
            let mut wet = req.clone();
            wet.dry_run = !req.dry_run;
            bytes += same_result(&crate::sync::sync(&wet));
            bytes += same_result(&crate::status::status(&crate::status::StatusRequest {
                sync: req.clone(),
                ..Default::default()
            }));
            for all in [false, true] {
                bytes += same_result(&crate::instructions::instructions(
                    &crate::instructions::InstructionsRequest {
                        request: req.clone(),
                        all,
                        secrets: Vec::new(),
                    },
                ));
            }
            let input = crate::api::SecretfileInput {
                text: req.text.clone(),
                env: req.env.clone(),
                var_files: Vec::new(),
            };
            let parsed = crate::api::parse(&input);
            bytes += same(&parsed);
            bytes += same(&crate::api::validate(&input));
            if let Some(sf) = &parsed.secretfile {
                for s in &sf.secrets {
                    let r = crate::api::ClassifyRequest {
                        secret: s.clone(),
                        secretfile: Some(sf.clone()),
                        env: req.env.clone(),
                        allow_scripts: true,
                    };
                    bytes += same(&crate::api::classify_one(&r));
                    let actions: Vec<_> = s
                        .agent_instructions
                        .iter()
                        .flat_map(|a| &a.steps)
                        .map(|st| crate::steps::classify_step(&st.action))
                        .collect();
                    bytes += same(&actions);
                }
            }
        }
        assert!(reports > 80, "{reports}");
        assert!(bytes > 100_000, "{bytes}");
        same(&VersionResponse {
            version: crate::api::VERSION.into(),
        });
        let schema: Value = serde_json::from_str(crate::schema::SECRETFILE_SCHEMA_COMPACT).unwrap();
        same(&schema);
    }

    fn text(rng: &mut ChaCha20Rng) -> String {
        const PIECES: &[&str] = &[
            "a", "Z", "0", " ", "\"", "\\", "/", "\n", "\r", "\t", "\u{8}", "\u{c}", "\u{0}",
            "\u{1}", "\u{1f}", "\u{7f}", "\u{80}", "é", "€", "\u{2028}", "\u{fffd}", "😀", "{",
            "}", "[", ":", ",", "null",
        ];
        let n = rng.next_u32() % 12;
        (0..n)
            .map(|_| PIECES[rng.next_u32() as usize % PIECES.len()])
            .collect()
    }

    fn coin(x: u32) -> bool {
        x & 1 == 0
    }

    fn opt<T>(rng: &mut ChaCha20Rng, f: impl FnOnce(&mut ChaCha20Rng) -> T) -> Option<T> {
        (coin(rng.next_u32())).then(|| f(rng))
    }

    fn number(rng: &mut ChaCha20Rng) -> f64 {
        match rng.next_u32() % 6 {
            0 => f64::from_bits(rng.next_u64()),
            1 => f64::from(rng.next_u32() % 100),
            2 => -(f64::from(rng.next_u32())) / 7.0,
            3 => [
                f64::NAN,
                f64::INFINITY,
                f64::NEG_INFINITY,
                0.0,
                -0.0,
                1e21,
                1e-7,
                5e-324,
            ][rng.next_u32() as usize % 8],
            4 => (rng.next_u64() as f64) * 1e10,
            _ => 30.0,
        }
    }

    fn value(rng: &mut ChaCha20Rng, depth: u32) -> Value {
        match rng.next_u32() % if depth > 2 { 6 } else { 8 } {
            0 => Value::Null,
            1 => Value::Bool(coin(rng.next_u32())),
            2 => json!(rng.next_u64()),
            3 => json!(-(rng.next_u32() as i64)),
            4 => serde_json::Number::from_f64(number(rng)).map_or(Value::Null, Value::Number),
            5 => Value::String(text(rng)),
            6 => Value::Array(
                (0..rng.next_u32() % 4)
                    .map(|_| value(rng, depth + 1))
                    .collect(),
            ),
            _ => Value::Object(map(rng, depth + 1)),
        }
    }

    fn map(rng: &mut ChaCha20Rng, depth: u32) -> DataMap {
        (0..rng.next_u32() % 4)
            .map(|_| (text(rng), value(rng, depth)))
            .collect()
    }

    fn strings(rng: &mut ChaCha20Rng) -> Vec<String> {
        (0..rng.next_u32() % 3).map(|_| text(rng)).collect()
    }

    fn diagnostic(rng: &mut ChaCha20Rng) -> Diagnostic {
        let code = ErrorCode::ALL[rng.next_u32() as usize % ErrorCode::ALL.len()];
        let mut d = if coin(rng.next_u32()) {
            Diagnostic::error(code, text(rng))
        } else {
            Diagnostic::warning(code, text(rng))
        };
        d.path = opt(rng, text);
        d.line = opt(rng, |r| r.next_u64() as usize);
        d.column = opt(rng, |r| r.next_u32() as usize);
        d.span = opt(rng, |r| Span {
            start: r.next_u32() as usize,
            end: r.next_u32() as usize,
            line: 1,
            column: 2,
            column_utf16: 3,
            end_line: usize::MAX,
            end_column: 0,
            end_column_utf16: r.next_u32() as usize,
        });
        d.hint = opt(rng, text);
        d
    }

    fn level(rng: &mut ChaCha20Rng) -> AutomationLevel {
        AutomationLevel::ALL[rng.next_u32() as usize % 4]
    }

    fn instructions(rng: &mut ChaCha20Rng) -> AgentInstructions {
        AgentInstructions {
            summary: text(rng),
            steps: (0..rng.next_u32() % 3)
                .map(|_| Step {
                    action: text(rng),
                    description: text(rng),
                    params: opt(rng, |r| map(r, 0)),
                    required: coin(rng.next_u32()),
                })
                .collect(),
            prerequisites: opt(rng, strings),
            automation_hint: opt(rng, text),
            estimated_time: opt(rng, text),
            fallback: opt(rng, text),
            required_tools: opt(rng, strings),
            documentation_url: opt(rng, text),
            automation_level: opt(rng, level),
        }
    }

    fn target(rng: &mut ChaCha20Rng) -> Target {
        Target {
            provider: text(rng),
            kind: text(rng),
            config: map(rng, 0),
            identity_policies: strings(rng),
        }
    }

    fn provider(rng: &mut ChaCha20Rng) -> Provider {
        Provider {
            kind: opt(rng, text),
            auth: opt(rng, |r| map(r, 0)),
            config: map(rng, 0),
            fallback_generator: opt(rng, text),
        }
    }

    fn secretfile(rng: &mut ChaCha20Rng) -> Secretfile {
        let secret = |rng: &mut ChaCha20Rng| Secret {
            name: text(rng),
            kind: text(rng),
            config: map(rng, 0),
            vars: map(rng, 0),
            source: opt(rng, |r| map(r, 0)),
            one_time: coin(rng.next_u32()),
            rotation_period: opt(rng, text),
            targets: (0..rng.next_u32() % 3).map(|_| target(rng)).collect(),
            agent_instructions: opt(rng, instructions),
            process_tags: strings(rng),
            local: coin(rng.next_u32()),
            local_allow_cloud: coin(rng.next_u32()),
        };
        Secretfile {
            variables: map(rng, 0),
            metadata: opt(rng, |r| map(r, 0)),
            environments: opt(rng, |r| Environments {
                default: opt(r, text),
                profiles: (0..r.next_u32() % 3)
                    .map(|_| {
                        (
                            text(r),
                            EnvironmentProfile {
                                var_files: strings(r),
                                lockfile: opt(r, text),
                                target_profile: opt(r, text),
                            },
                        )
                    })
                    .collect(),
            }),
            target_profiles: (0..rng.next_u32() % 2)
                .map(|_| {
                    (
                        text(rng),
                        TargetProfile {
                            identity_policies: strings(rng),
                            provider_overrides: [(text(rng), map(rng, 0))].into_iter().collect(),
                            target_overrides: IndexMap::new(),
                        },
                    )
                })
                .collect(),
            providers: (0..rng.next_u32() % 3)
                .map(|_| (text(rng), provider(rng)))
                .collect(),
            secrets: (0..rng.next_u32() % 4).map(|_| secret(rng)).collect(),
            templates: (0..rng.next_u32() % 2)
                .map(|_| {
                    (
                        text(rng),
                        Template {
                            description: text(rng),
                            fields: [(
                                text(rng),
                                TemplateField {
                                    description: text(rng),
                                    generator: GeneratorSpec {
                                        kind: text(rng),
                                        config: map(rng, 0),
                                    },
                                    targets: vec![target(rng)],
                                },
                            )]
                            .into_iter()
                            .collect(),
                            targets: vec![target(rng)],
                        },
                    )
                })
                .collect(),
            policies: map(rng, 0),
            labels: map(rng, 0),
            annotations: map(rng, 0),
            config: opt(rng, |r| value(r, 0)),
            agent: opt(rng, |r| AgentConfig {
                mode: [
                    crate::model::AgentMode::Auto,
                    crate::model::AgentMode::Human,
                    crate::model::AgentMode::Web,
                ][r.next_u32() as usize % 3],
                web_port_min: r.next_u32() as u16,
                web_port_max: u16::MAX,
            }),
        }
    }

    fn store_target(rng: &mut ChaCha20Rng) -> StoreTarget {
        StoreTarget {
            target_id: text(rng),
            adapter: text(rng),
            provider: text(rng),
            kind: text(rng),
            config: map(rng, 0),
            provider_config: opt(rng, provider),
        }
    }

    fn report(rng: &mut ChaCha20Rng) -> SyncReport {
        let statuses = [
            SyncStatus::Complete,
            SyncStatus::PendingManual,
            SyncStatus::Failed,
            SyncStatus::Partial,
        ];
        SyncReport {
            status: statuses[rng.next_u32() as usize % 4],
            synced_secrets: strings(rng),
            already_synced: strings(rng),
            pending_secrets: (0..rng.next_u32() % 3)
                .map(|_| {
                    (
                        text(rng),
                        PendingSecret {
                            instructions: instructions(rng),
                        },
                    )
                })
                .collect(),
            failed_secrets: (0..rng.next_u32() % 3)
                .map(|_| (text(rng), text(rng)))
                .collect(),
            automation_summary: AutomationSummary {
                fully_synced: rng.next_u32() as usize,
                already_synced: 0,
                requires_intervention: 1,
                failed: usize::MAX,
                by_level: ByLevel {
                    fully_automated: 1,
                    semi_automated: 2,
                    manual_only: 3,
                    requires_approval: rng.next_u64() as usize,
                },
            },
            sync_results: SyncResults {
                refresh: opt(rng, |r| RefreshReport {
                    checked_secrets: 1,
                    mismatch_secrets: 2,
                    mismatch_targets: 3,
                    rows: (0..r.next_u32() % 3)
                        .map(|_| RefreshRow {
                            secret: text(r),
                            stale_targets: strings(r),
                            status: if coin(r.next_u32()) {
                                RefreshStatus::Pruned
                            } else {
                                RefreshStatus::WouldPrune
                            },
                        })
                        .collect(),
                }),
                engine: opt(rng, |r| EngineResults {
                    secrets_processed: 1,
                    secrets_generated: 2,
                    secrets_skipped: 3,
                    secrets_stored: 4,
                    errors: strings(r),
                    details: (0..r.next_u32() % 3)
                        .map(|_| SecretDetail {
                            name: text(r),
                            kind: text(r),
                            generated: coin(r.next_u32()),
                            skipped: coin(r.next_u32()),
                            stored: coin(r.next_u32()),
                            targets: (0..r.next_u32() % 3)
                                .map(|_| TargetResult {
                                    provider: text(r),
                                    kind: text(r),
                                    status: text(r),
                                    message: opt(r, text),
                                    target_id: opt(r, text),
                                })
                                .collect(),
                            errors: strings(r),
                            reason: opt(r, text),
                            error_code: opt(r, |r| {
                                ErrorCode::ALL[r.next_u32() as usize % ErrorCode::ALL.len()]
                            }),
                            source: opt(r, text),
                            dry_run: opt(r, |r| coin(r.next_u32())),
                        })
                        .collect(),
                    secretfile_changed: coin(r.next_u32()),
                }),
            },
            dry_run: coin(rng.next_u32()),
            sz_agent: coin(rng.next_u32()),
            resolved_mode: text(rng),
            web_url: opt(rng, text),
            web_session_id: opt(rng, text),
            selected_environment: opt(rng, text),
            resolved_var_files: strings(rng),
            resolved_lockfile: text(rng),
            resolved_target_profile: opt(rng, text),
            warnings: (0..rng.next_u32() % 3).map(|_| diagnostic(rng)).collect(),
        }
    }

    /// Random values of every response type, with every optional field present or not,
    /// strings of control characters, quotes and non-ASCII, and floats of every kind.
    #[test]
    fn random_values_write_like_serde() {
        let mut rng = ChaCha20Rng::seed_from_u64(7);
        let roles = [
            WriteRole::Target,
            WriteRole::Template,
            WriteRole::Lockfile,
            WriteRole::LocalLockfile,
        ];
        for _ in 0..3000 {
            let rng = &mut rng;
            same(&value(rng, 0));
            same(&ParseResponse {
                valid: coin(rng.next_u32()),
                secretfile: opt(rng, secretfile),
                diagnostics: (0..rng.next_u32() % 3).map(|_| diagnostic(rng)).collect(),
            });
            same(&ValidateResponse {
                valid: false,
                errors: rng.next_u32() as usize,
                warnings: 0,
                diagnostics: vec![diagnostic(rng)],
            });
            let mut e = Error::new(ErrorCode::Usage, text(rng));
            e.line = opt(rng, |r| r.next_u32() as usize);
            e.column = opt(rng, |r| r.next_u32() as usize);
            e.diagnostics = (0..rng.next_u32() % 3).map(|_| diagnostic(rng)).collect();
            same_result::<VersionResponse>(&Err(e));
            let report = report(rng);
            same(&report);
            same(&SyncResponse {
                report: report.clone(),
                writes: (0..rng.next_u32() % 3)
                    .map(|_| FileWrite {
                        path: text(rng),
                        contents: opt(rng, text),
                        role: roles[rng.next_u32() as usize % 4],
                        secret: coin(rng.next_u32()),
                    })
                    .collect(),
                stores: (0..rng.next_u32() % 3)
                    .map(|_| StoreWrite {
                        secret: text(rng),
                        target: store_target(rng),
                        value: text(rng),
                    })
                    .collect(),
                produced: (0..rng.next_u32() % 3)
                    .map(|_| (text(rng), text(rng)))
                    .collect(),
            });
            same(&TargetFilesResponse {
                files: strings(rng),
                lockfile_path: text(rng),
                local_lockfile_path: text(rng),
                var_files: strings(rng),
                stores: (0..rng.next_u32() % 3).map(|_| store_target(rng)).collect(),
            });
            same(&ScriptsResponse {
                scripts: (0..rng.next_u32() % 3)
                    .map(|_| ScriptSpec {
                        name: text(rng),
                        command: text(rng),
                        args: strings(rng),
                        shell: coin(rng.next_u32()),
                        timeout_seconds: number(rng),
                    })
                    .collect(),
            });
            let states = [
                TargetState::InSync,
                TargetState::Drifted,
                TargetState::Missing,
                TargetState::Unknown,
            ];
            same(&StatusReport {
                secrets: (0..rng.next_u32() % 3)
                    .map(|_| SecretStatus {
                        name: text(rng),
                        recorded: coin(rng.next_u32()),
                        targets: (0..rng.next_u32() % 3)
                            .map(|_| TargetStatus {
                                target_id: text(rng),
                                state: states[rng.next_u32() as usize % 4],
                            })
                            .collect(),
                    })
                    .collect(),
                drifted: 1,
                missing: rng.next_u32() as usize,
                unknown: 0,
                not_synced: 2,
            });
            same(&InstructionsResponse {
                scope: if coin(rng.next_u32()) {
                    InstructionScope::All
                } else {
                    InstructionScope::Pending
                },
                total: rng.next_u32() as usize,
                secrets: report.pending_secrets.clone(),
                warnings: report.warnings.clone(),
            });
            let outcomes = [Outcome::Automatic, Outcome::Pending, Outcome::Failed];
            let sources = [
                Source::Generated,
                Source::Static,
                Source::Supplied,
                Source::Existing,
                Source::Script,
                Source::None,
            ];
            same(&ClassifyResponse {
                name: text(rng),
                classification: Classification {
                    outcome: outcomes[rng.next_u32() as usize % 3],
                    source: sources[rng.next_u32() as usize % 6],
                    automation_level: level(rng),
                    reason: opt(rng, text),
                },
            });
            let kinds = [StepKind::Command, StepKind::Url, StepKind::Instruction];
            same(
                &(0..rng.next_u32() % 3)
                    .map(|_| StepClass {
                        kind: kinds[rng.next_u32() as usize % 3],
                        url: opt(rng, text),
                    })
                    .collect::<Vec<_>>(),
            );
            same(&GenerateResponse { value: text(rng) });
            same(&GenerateManyResponse {
                values: strings(rng),
            });
            same(&FormatResponse { text: text(rng) });
        }
    }
}
