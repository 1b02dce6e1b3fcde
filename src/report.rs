//! The sync report: one shape for every host (CLI `--json`, Node, VS Code, browser).
//!
//! Keys and their order are the reference CLI's (spec §6) with DESIGN §5's differences:
//! every pending secret carries `automation_level`, `automation_summary` adds `by_level`,
//! and `warnings` (diagnostics) follow the reference's keys. A report never contains a
//! secret value or a value hash.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostic;
use crate::model::{AgentInstructions, AutomationLevel};

/// The whole report.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct SyncReport {
    /// `complete`, `pending_manual`, `failed` or `partial`.
    pub status: SyncStatus,
    /// Secrets stored in this run (or that would be, under dry-run), in manifest order.
    pub synced_secrets: Vec<String>,
    /// Secrets already recorded in the lockfile (skipped).
    pub already_synced: Vec<String>,
    /// Secrets that need a person, with their rendered instructions.
    #[cfg_attr(feature = "wasm", tsify(type = "Record<string, PendingSecret>"))]
    pub pending_secrets: IndexMap<String, PendingSecret>,
    /// Secrets that could not be synced, with the reason.
    #[cfg_attr(feature = "wasm", tsify(type = "Record<string, string>"))]
    pub failed_secrets: IndexMap<String, String>,
    /// Counts.
    pub automation_summary: AutomationSummary,
    /// What the sync engine did (processed/generated/stored counts, per-secret details,
    /// lockfile refresh).
    pub sync_results: SyncResults,
    /// Whether this was a dry run (nothing written).
    pub dry_run: bool,
    /// Whether `SZ_AGENT` was set (pending secrets become failures).
    pub sz_agent: bool,
    /// `auto`, `human` or `web`.
    pub resolved_mode: String,
    /// Always null from the CLI (kept for shape compatibility).
    pub web_url: Option<String>,
    /// Always null from the CLI (kept for shape compatibility).
    pub web_session_id: Option<String>,
    /// The environment lane in use, if any.
    pub selected_environment: Option<String>,
    /// Variable files merged, in order.
    pub resolved_var_files: Vec<String>,
    /// The lockfile path used.
    pub resolved_lockfile: String,
    /// The target profile applied, if any.
    pub resolved_target_profile: Option<String>,
    /// Warnings about the Secretfile (unknown keys, suspicious instructions, ...).
    #[serde(default)]
    pub warnings: Vec<Diagnostic>,
}

/// Overall result.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum SyncStatus {
    /// Nothing pending, nothing failed.
    #[default]
    Complete,
    /// Some secrets need a person; none failed.
    PendingManual,
    /// Some secrets failed; none pending.
    Failed,
    /// Some pending and some failed.
    Partial,
}

impl SyncStatus {
    /// The reference's status rule.
    pub fn from_counts(pending: usize, failed: usize) -> Self {
        match (pending > 0, failed > 0) {
            (true, true) => SyncStatus::Partial,
            (false, true) => SyncStatus::Failed,
            (true, false) => SyncStatus::PendingManual,
            (false, false) => SyncStatus::Complete,
        }
    }

    /// The status as printed.
    pub fn as_str(self) -> &'static str {
        match self {
            SyncStatus::Complete => "complete",
            SyncStatus::PendingManual => "pending_manual",
            SyncStatus::Failed => "failed",
            SyncStatus::Partial => "partial",
        }
    }
}

/// A pending secret: its rendered instructions plus its automation level.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct PendingSecret {
    /// The rendered instructions (reference key order; null fields omitted).
    #[serde(flatten)]
    pub instructions: AgentInstructions,
}

/// Counts of the report's lists.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct AutomationSummary {
    /// Secrets synced in this run.
    pub fully_synced: usize,
    /// Secrets already in the lockfile.
    pub already_synced: usize,
    /// Secrets pending a person.
    pub requires_intervention: usize,
    /// Secrets that failed.
    pub failed: usize,
    /// Every secret of the report by automation level.
    pub by_level: ByLevel,
}

/// Counts by automation level.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct ByLevel {
    /// `fully_automated` secrets.
    pub fully_automated: usize,
    /// `semi_automated` secrets.
    pub semi_automated: usize,
    /// `manual_only` secrets.
    pub manual_only: usize,
    /// `requires_approval` secrets.
    pub requires_approval: usize,
}

impl ByLevel {
    /// Count one secret.
    pub fn add(&mut self, level: AutomationLevel) {
        match level {
            AutomationLevel::FullyAutomated => self.fully_automated += 1,
            AutomationLevel::SemiAutomated => self.semi_automated += 1,
            AutomationLevel::ManualOnly => self.manual_only += 1,
            AutomationLevel::RequiresApproval => self.requires_approval += 1,
        }
    }
}

/// What the engine did. Without automatic secrets only `refresh` is present.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct SyncResults {
    /// Lockfile refresh (stale target entries pruned or, under dry-run, that would be).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub refresh: Option<RefreshReport>,
    /// The engine's counts and details, present when some secret was automatic.
    #[serde(flatten)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub engine: Option<EngineResults>,
}

pub use crate::lockfile::{RefreshReport, RefreshRow, RefreshStatus};

/// Engine counts and per-secret details.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct EngineResults {
    /// Secrets handed to the engine.
    pub secrets_processed: usize,
    /// Values generated (or taken from the environment / a person).
    pub secrets_generated: usize,
    /// Secrets skipped.
    pub secrets_skipped: usize,
    /// Secrets stored in at least one target (or recorded without targets).
    pub secrets_stored: usize,
    /// Error texts (never values).
    pub errors: Vec<String>,
    /// One entry per processed secret.
    pub details: Vec<SecretDetail>,
    /// Whether the lockfile has no record of this Secretfile or its hash changed.
    pub secretfile_changed: bool,
}

/// What happened to one secret.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct SecretDetail {
    /// The secret.
    pub name: String,
    /// Its kind.
    pub kind: String,
    /// Whether a value was produced.
    pub generated: bool,
    /// Whether it was skipped.
    pub skipped: bool,
    /// Whether it was stored.
    pub stored: bool,
    /// Per-target results.
    pub targets: Vec<TargetResult>,
    /// Errors for this secret.
    pub errors: Vec<String>,
    /// Why it was skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub reason: Option<String>,
    /// The code of the first error, when the secret failed (`PATH_OUTSIDE_ROOT`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub error_code: Option<crate::ErrorCode>,
    /// Where the value came from: `generated`, `static`, `supplied`, `existing`, `script`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub source: Option<String>,
    /// Present and true under dry-run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub dry_run: Option<bool>,
}

/// What happened at one target.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct TargetResult {
    /// Provider alias.
    pub provider: String,
    /// Target kind.
    pub kind: String,
    /// `stored`, `would_store`, `failed`, `unsupported`.
    pub status: String,
    /// Why it failed, when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub message: Option<String>,
    /// The lockfile target ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub target_id: Option<String>,
}

/// Reading a report back from JSON (what `format_report` receives from JS) without serde's
/// derived `Deserialize`: the derive, instantiated for `serde_json::Value`, cost ~90 KB of
/// WebAssembly for one cold path (measured with twiggy, see bench/README.md). The rules are
/// serde's: every field without a default must be present with the right type, `null` is
/// `None` for optional fields, unknown keys are ignored.
mod from_json {
    use indexmap::IndexMap;
    use serde_json::{Map, Value};

    use super::*;
    use crate::model::Step;

    type Obj = Map<String, Value>;

    fn obj(v: &Value) -> Option<&Obj> {
        v.as_object()
    }
    fn field<'a>(o: &'a Obj, k: &str) -> Option<&'a Value> {
        o.get(k)
    }
    fn string(v: &Value) -> Option<String> {
        v.as_str().map(str::to_string)
    }
    fn req_str(o: &Obj, k: &str) -> Option<String> {
        string(field(o, k)?)
    }
    fn req_bool(o: &Obj, k: &str) -> Option<bool> {
        field(o, k)?.as_bool()
    }
    fn req_usize(o: &Obj, k: &str) -> Option<usize> {
        usize::try_from(field(o, k)?.as_u64()?).ok()
    }
    /// An optional field: absent or null is `Some(None)`, a wrong type is `None`.
    fn opt<T>(o: &Obj, k: &str, f: impl Fn(&Value) -> Option<T>) -> Option<Option<T>> {
        match field(o, k) {
            None | Some(Value::Null) => Some(None),
            Some(v) => f(v).map(Some),
        }
    }
    fn strings(v: &Value) -> Option<Vec<String>> {
        v.as_array()?.iter().map(string).collect()
    }
    fn req_strings(o: &Obj, k: &str) -> Option<Vec<String>> {
        strings(field(o, k)?)
    }

    fn step(v: &Value) -> Option<Step> {
        let o = obj(v)?;
        Some(Step {
            action: req_str(o, "action")?,
            description: req_str(o, "description")?,
            params: opt(o, "params", |p| p.as_object().cloned())?,
            required: match field(o, "required") {
                None => true,
                Some(r) => r.as_bool()?,
            },
        })
    }

    fn instructions(o: &Obj) -> Option<AgentInstructions> {
        Some(AgentInstructions {
            summary: req_str(o, "summary")?,
            steps: field(o, "steps")?
                .as_array()?
                .iter()
                .map(step)
                .collect::<Option<_>>()?,
            prerequisites: opt(o, "prerequisites", strings)?,
            automation_hint: opt(o, "automation_hint", string)?,
            estimated_time: opt(o, "estimated_time", string)?,
            fallback: opt(o, "fallback", string)?,
            required_tools: opt(o, "required_tools", strings)?,
            documentation_url: opt(o, "documentation_url", string)?,
            automation_level: opt(o, "automation_level", |l| {
                AutomationLevel::parse(l.as_str()?)
            })?,
        })
    }

    fn summary(v: &Value) -> Option<AutomationSummary> {
        let o = obj(v)?;
        let b = obj(field(o, "by_level")?)?;
        Some(AutomationSummary {
            fully_synced: req_usize(o, "fully_synced")?,
            already_synced: req_usize(o, "already_synced")?,
            requires_intervention: req_usize(o, "requires_intervention")?,
            failed: req_usize(o, "failed")?,
            by_level: ByLevel {
                fully_automated: req_usize(b, "fully_automated")?,
                semi_automated: req_usize(b, "semi_automated")?,
                manual_only: req_usize(b, "manual_only")?,
                requires_approval: req_usize(b, "requires_approval")?,
            },
        })
    }

    fn refresh(v: &Value) -> Option<RefreshReport> {
        let o = obj(v)?;
        let row = |r: &Value| {
            let r = obj(r)?;
            Some(RefreshRow {
                secret: req_str(r, "secret")?,
                stale_targets: req_strings(r, "stale_targets")?,
                status: match field(r, "status")?.as_str()? {
                    "pruned" => RefreshStatus::Pruned,
                    "would_prune" => RefreshStatus::WouldPrune,
                    _ => return None,
                },
            })
        };
        Some(RefreshReport {
            checked_secrets: req_usize(o, "checked_secrets")?,
            mismatch_secrets: req_usize(o, "mismatch_secrets")?,
            mismatch_targets: req_usize(o, "mismatch_targets")?,
            rows: field(o, "rows")?
                .as_array()?
                .iter()
                .map(row)
                .collect::<Option<_>>()?,
        })
    }

    fn target(v: &Value) -> Option<TargetResult> {
        let o = obj(v)?;
        Some(TargetResult {
            provider: req_str(o, "provider")?,
            kind: req_str(o, "kind")?,
            status: req_str(o, "status")?,
            message: opt(o, "message", string)?,
            target_id: opt(o, "target_id", string)?,
        })
    }

    fn detail(v: &Value) -> Option<SecretDetail> {
        let o = obj(v)?;
        Some(SecretDetail {
            name: req_str(o, "name")?,
            kind: req_str(o, "kind")?,
            generated: req_bool(o, "generated")?,
            skipped: req_bool(o, "skipped")?,
            stored: req_bool(o, "stored")?,
            targets: field(o, "targets")?
                .as_array()?
                .iter()
                .map(target)
                .collect::<Option<_>>()?,
            errors: req_strings(o, "errors")?,
            reason: opt(o, "reason", string)?,
            source: opt(o, "source", string)?,
            dry_run: opt(o, "dry_run", Value::as_bool)?,
            // Read as serde reads it: a string naming a known code, or absent/null.
            error_code: opt(o, "error_code", |v| {
                let c = v.as_str()?;
                crate::ErrorCode::ALL
                    .iter()
                    .copied()
                    .find(|e| e.as_str() == c)
            })?,
        })
    }

    /// `engine` is flattened into `sync_results`: present when all of its keys are (serde's
    /// rule for a flattened `Option`).
    fn engine(o: &Obj) -> Option<EngineResults> {
        Some(EngineResults {
            secrets_processed: req_usize(o, "secrets_processed")?,
            secrets_generated: req_usize(o, "secrets_generated")?,
            secrets_skipped: req_usize(o, "secrets_skipped")?,
            secrets_stored: req_usize(o, "secrets_stored")?,
            errors: req_strings(o, "errors")?,
            details: field(o, "details")?
                .as_array()?
                .iter()
                .map(detail)
                .collect::<Option<_>>()?,
            secretfile_changed: req_bool(o, "secretfile_changed")?,
        })
    }

    fn span(v: &Value) -> Option<crate::Span> {
        let o = obj(v)?;
        Some(crate::Span {
            start: req_usize(o, "start")?,
            end: req_usize(o, "end")?,
            line: req_usize(o, "line")?,
            column: req_usize(o, "column")?,
            column_utf16: req_usize(o, "column_utf16")?,
            end_line: req_usize(o, "end_line")?,
            end_column: req_usize(o, "end_column")?,
            end_column_utf16: req_usize(o, "end_column_utf16")?,
        })
    }

    fn diagnostic(v: &Value) -> Option<Diagnostic> {
        let o = obj(v)?;
        let code = field(o, "code")?.as_str()?;
        let usize_of = |x: &Value| usize::try_from(x.as_u64()?).ok();
        Some(Diagnostic {
            code: *crate::ErrorCode::ALL.iter().find(|c| c.as_str() == code)?,
            severity: match field(o, "severity")?.as_str()? {
                "error" => crate::Severity::Error,
                "warning" => crate::Severity::Warning,
                _ => return None,
            },
            message: req_str(o, "message")?,
            path: opt(o, "path", string)?,
            line: opt(o, "line", usize_of)?,
            column: opt(o, "column", usize_of)?,
            span: opt(o, "span", span)?,
            hint: opt(o, "hint", string)?,
        })
    }

    /// See [`SyncReport::from_json`].
    pub(super) fn report(v: &Value) -> Option<SyncReport> {
        let o = obj(v)?;
        let results = obj(field(o, "sync_results")?)?;
        let pending = obj(field(o, "pending_secrets")?)?
            .iter()
            .map(|(k, p)| {
                Some((
                    k.clone(),
                    PendingSecret {
                        instructions: instructions(obj(p)?)?,
                    },
                ))
            })
            .collect::<Option<IndexMap<_, _>>>()?;
        let failed = obj(field(o, "failed_secrets")?)?
            .iter()
            .map(|(k, m)| Some((k.clone(), string(m)?)))
            .collect::<Option<IndexMap<_, _>>>()?;
        Some(SyncReport {
            status: match field(o, "status")?.as_str()? {
                "complete" => SyncStatus::Complete,
                "pending_manual" => SyncStatus::PendingManual,
                "failed" => SyncStatus::Failed,
                "partial" => SyncStatus::Partial,
                _ => return None,
            },
            synced_secrets: req_strings(o, "synced_secrets")?,
            already_synced: req_strings(o, "already_synced")?,
            pending_secrets: pending,
            failed_secrets: failed,
            automation_summary: summary(field(o, "automation_summary")?)?,
            sync_results: SyncResults {
                refresh: opt(results, "refresh", refresh)?,
                engine: engine(results),
            },
            dry_run: req_bool(o, "dry_run")?,
            sz_agent: req_bool(o, "sz_agent")?,
            resolved_mode: req_str(o, "resolved_mode")?,
            web_url: opt(o, "web_url", string)?,
            web_session_id: opt(o, "web_session_id", string)?,
            selected_environment: opt(o, "selected_environment", string)?,
            resolved_var_files: req_strings(o, "resolved_var_files")?,
            resolved_lockfile: req_str(o, "resolved_lockfile")?,
            resolved_target_profile: opt(o, "resolved_target_profile", string)?,
            warnings: match field(o, "warnings") {
                None => Vec::new(),
                Some(w) => w
                    .as_array()?
                    .iter()
                    .map(diagnostic)
                    .collect::<Option<_>>()?,
            },
        })
    }
}

impl SyncReport {
    /// Read a report from its JSON form (the `sync` response's `report`) with the rules of
    /// the derived `Deserialize`. `None` when it is not a sync report.
    pub fn from_json(v: &serde_json::Value) -> Option<SyncReport> {
        from_json::report(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    /// Every report recorded in tests/fixtures (ours and the reference's).
    fn fixture_reports() -> Vec<(String, Value)> {
        let mut out = Vec::new();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut stack = vec![root];
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(&dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.file_name().is_some_and(|n| n == "report.json")
                    && let Ok(v) =
                        serde_json::from_str::<Value>(&std::fs::read_to_string(&p).unwrap())
                    && v.get("status").is_some()
                {
                    out.push((p.display().to_string(), v));
                }
            }
        }
        assert!(out.len() > 100, "fixtures not found");
        out
    }

    fn serde_read(v: &Value) -> Option<SyncReport> {
        serde_json::from_value(v.clone()).ok()
    }

    /// Every object in the tree, with the mutations serde must agree on.
    fn mutations(v: &Value) -> Vec<Value> {
        let replacements = [
            None,
            Some(Value::Null),
            Some(Value::from(42)),
            Some(Value::from("x")),
            Some(Value::from(-1.5)),
        ];
        crate::json_mutations::mutations(v, &replacements, false)
    }

    #[test]
    fn from_json_reads_like_serde() {
        let mut checked = 0;
        for (path, v) in fixture_reports() {
            let ours = SyncReport::from_json(&v);
            // Our reports must read; the reference's (oracle/) have another shape.
            assert!(ours.is_some() || path.contains("/oracle/"), "{path}");
            assert_eq!(ours, serde_read(&v), "{path}");
            for m in mutations(&v) {
                assert_eq!(SyncReport::from_json(&m), serde_read(&m), "{path}: {m}");
                checked += 1;
            }
        }
        assert!(checked > 10_000, "{checked}");
    }
}
