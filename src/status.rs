//! Drift: does each tracked target still hold the value whose hash the lockfile recorded?
//!
//! The host reads the target files (as for a sync) and, for shared stores, asks its
//! adapters to read the values back; the core hashes what it gets and compares. Nothing
//! here returns a value or a hash.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::diagnostic::Error;
use crate::lockfile::hash_value;
use crate::sync::SyncRequest;
use crate::target_id::target_id;
use crate::targets::{self, FileTarget};

/// `status` request: a sync request (files read by the host) plus the values the host's
/// adapters read back from shared stores, by target ID (`null`: missing or unreadable).
#[derive(Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct StatusRequest {
    /// The sync inputs (Secretfile, lockfiles, files).
    #[serde(flatten)]
    pub sync: SyncRequest,
    /// Values read back from shared stores, by target ID.
    #[serde(default)]
    #[cfg_attr(
        feature = "wasm",
        tsify(type = "Record<string, string | null>", optional)
    )]
    pub store_values: BTreeMap<String, Option<String>>,
}

impl std::fmt::Debug for StatusRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StatusRequest")
            .field("sync", &self.sync)
            .field("store_values", &"[redacted]")
            .finish()
    }
}

/// The state of one tracked target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum TargetState {
    /// Holds the recorded value.
    InSync,
    /// Holds another value.
    Drifted,
    /// Holds no value (file or key gone, store entry deleted).
    Missing,
    /// Cannot be read back here (a rendered template, a store without an adapter).
    Unknown,
}

/// One tracked target of a secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct TargetStatus {
    /// The lockfile target ID.
    pub target_id: String,
    /// What it holds.
    pub state: TargetState,
}

/// One secret of the Secretfile.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct SecretStatus {
    /// The secret (`secret.field` for template fields).
    pub name: String,
    /// Whether the lockfile records it.
    pub recorded: bool,
    /// Its tracked targets.
    pub targets: Vec<TargetStatus>,
}

/// `status` response.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct StatusReport {
    /// Every secret, in manifest order.
    pub secrets: Vec<SecretStatus>,
    /// Targets holding another value than recorded.
    pub drifted: usize,
    /// Targets holding no value.
    pub missing: usize,
    /// Targets that could not be checked.
    pub unknown: usize,
    /// Secrets not recorded in the lockfile yet.
    pub not_synced: usize,
}

/// Compare every tracked target with the lockfile.
///
/// # Errors
/// As `sync` (an invalid Secretfile or lockfile).
pub fn status(req: &StatusRequest) -> Result<StatusReport, Error> {
    let sreq = &req.sync;
    let p = crate::sync::prepare(sreq, true)?;
    let sf = &p.secretfile;
    let shared = crate::sync::parse_lock(sreq.lockfile.as_deref(), "lockfile")?;
    let local = crate::sync::parse_lock(sreq.local_lockfile.as_deref(), "local lockfile")?;
    let mut report = StatusReport::default();
    for s in &sf.secrets {
        let lock = if s.local { &local } else { &shared };
        let keys: Vec<String> = match s
            .kind
            .strip_prefix("templates.")
            .and_then(|n| sf.templates.get(n))
        {
            Some(t) => t.fields.keys().map(|f| format!("{}.{f}", s.name)).collect(),
            None => vec![s.name.clone()],
        };
        let all_targets = crate::engine::all_targets(s, sf);
        for key in keys {
            let Some(entry) = lock.entry(&key) else {
                report.not_synced += 1;
                report.secrets.push(SecretStatus {
                    name: key,
                    recorded: false,
                    targets: Vec::new(),
                });
                continue;
            };
            let file_key = key
                .rsplit('.')
                .next()
                .filter(|_| key != s.name)
                .unwrap_or(&s.name)
                .to_string();
            let mut targets = Vec::new();
            for (id, recorded_hash) in &entry.targets {
                let target = all_targets.iter().find(|t| &target_id(t) == id);
                let value: Option<Option<String>> = match target {
                    Some(t) if t.provider == "local" && t.kind == "file" => {
                        FileTarget::from_config(&t.config, sreq.allow_outside_root)
                            .ok()
                            .map(|ft| {
                                sreq.files
                                    .get(&ft.path)
                                    .cloned()
                                    .flatten()
                                    .and_then(|text| {
                                        targets::lookup(ft.format, &text, ft.entry_key(&file_key))
                                    })
                            })
                    }
                    Some(t) if t.provider != "local" => req.store_values.get(id).cloned(),
                    _ => None,
                };
                let state = match value {
                    None => TargetState::Unknown,
                    Some(None) => TargetState::Missing,
                    // Hash what the target holds; the recorded hash is of the value stored.
                    Some(Some(v)) if &hash_value(&v) == recorded_hash => TargetState::InSync,
                    Some(Some(_)) => TargetState::Drifted,
                };
                match state {
                    TargetState::Drifted => report.drifted += 1,
                    TargetState::Missing => report.missing += 1,
                    TargetState::Unknown => report.unknown += 1,
                    TargetState::InSync => {}
                }
                targets.push(TargetStatus {
                    target_id: id.clone(),
                    state,
                });
            }
            report.secrets.push(SecretStatus {
                name: key,
                recorded: true,
                targets,
            });
        }
    }
    Ok(report)
}
