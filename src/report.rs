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
