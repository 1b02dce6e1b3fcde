//! The lockfile, `.gitsecrets.lock`: what has been synced, where, and when — never a value.
//!
//! The lockfile is shared between this implementation and the reference CLI (DESIGN §5: a
//! lockfile written by either is read by the other), so its bytes follow the reference's
//! pydantic models exactly: Python's `json.dumps(payload, indent=2)` (non-ASCII escaped, no
//! trailing newline), keys in model order, `null` written for unset optional fields
//! (`last_rotated`, `definition_hash`, `variables_hash`, `sync_identity`,
//! `manifest_spec_version`, a missing `secretfile` block), and `null` values dropped from
//! `sync_identity` and from every provenance `actor` at write time.
//!
//! One deliberate difference: fields this version does not know (written by a newer
//! version) are kept in `extra` maps and written back **after the known fields** of the
//! same object (the reference drops them). They also count as content for
//! [`Lockfile::is_semantically_empty`].
//!
//! Timestamps passed to the recording methods are the text to write: convert the host's
//! RFC 3339 time once with [`crate::timefmt::python_isoformat`].

mod hash;
mod path;
mod read;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostic;
use crate::model::{Data, DataMap, Secret};
use crate::pyjson::dumps_pretty;
use crate::target_id::valid_target_ids;

pub use hash::{definition_hash, definition_payload, hash_data, hash_value};
pub use path::{
    DEFAULT_LOCKFILE, LOCAL_LOCKFILE, LockfileSource, ResolvedLockfile, basename,
    local_lockfile_path, resolve_lockfile_path,
};

/// The lockfile format version written by the reference CLI 0.14.23.
pub const LOCKFILE_VERSION: &str = "1.0";
/// `manifest_spec_version` recorded with the Secretfile block.
pub const MANIFEST_SPEC_VERSION: &str = "1";
/// How many provenance records are kept per target.
pub const PROVENANCE_KEEP: usize = 3;

/// The fields of the reference's `LockfileSyncIdentity`, in its order. Written in this
/// order by [`normalize_sync_identity`].
pub const SYNC_IDENTITY_FIELDS: [&str; 19] = [
    "client",
    "secretzero_version",
    "os_user",
    "os_uid",
    "os_euid",
    "hostname",
    "host_fqdn",
    "platform",
    "environment_label",
    "git_user_name",
    "git_user_email",
    "git_commit_sha",
    "ci_system",
    "ci_actor",
    "ci_repository",
    "ci_job_id",
    "ci_run_url",
    "ci_workflow_name",
    "ci_pipeline_name",
];

/// A whole lockfile.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Lockfile {
    /// Format version, `"1.0"`.
    pub version: String,
    /// Entries by secret name (template fields as `<secret>.<field>`), in insertion order.
    pub secrets: IndexMap<String, SecretEntry>,
    /// The Secretfile as of the last sync that ran the engine; `null` until then.
    pub secretfile: Option<SecretfileInfo>,
    /// Free-form metadata (the local lockfile stores `local_host`).
    pub metadata: DataMap,
    /// Unknown root fields, kept and written after `metadata`.
    #[serde(flatten)]
    pub extra: DataMap,
}

impl Default for Lockfile {
    fn default() -> Self {
        Lockfile {
            version: LOCKFILE_VERSION.into(),
            secrets: IndexMap::new(),
            secretfile: None,
            metadata: DataMap::new(),
            extra: DataMap::new(),
        }
    }
}

/// The lockfile entry of one secret.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SecretEntry {
    /// SHA-256 hex of the normalised value (unsalted, like the reference).
    pub hash: String,
    /// When the entry was created (kept on every update).
    pub created_at: String,
    /// When the value was last recorded.
    pub updated_at: String,
    /// When a rotation last changed the value; `null` until then.
    pub last_rotated: Option<String>,
    /// How many rotations changed the value.
    pub rotation_count: i64,
    /// [`definition_hash`] of the secret when last synced; `null` for old entries and for
    /// template fields until the template is recorded.
    pub definition_hash: Option<String>,
    /// Target ID -> hash of the value stored there.
    pub targets: IndexMap<String, String>,
    /// Target ID -> the last [`PROVENANCE_KEEP`] updates.
    pub target_provenance: IndexMap<String, Vec<TargetUpdate>>,
    /// Unknown fields, kept and written after `target_provenance`.
    #[serde(flatten)]
    pub extra: DataMap,
}

/// One provenance record of a target.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct TargetUpdate {
    /// When the target was written.
    pub updated_at: String,
    /// Who wrote it: the sync identity plus the target's actor (user name, uid, ...).
    pub actor: DataMap,
    /// Unknown fields, kept and written after `actor`.
    #[serde(flatten)]
    pub extra: DataMap,
}

/// The `secretfile` block: which Secretfile the lockfile was last synced from.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SecretfileInfo {
    /// Base name of the Secretfile (`Secretfile.yml`).
    pub filename: String,
    /// SHA-256 hex of the Secretfile text.
    pub hash: String,
    /// When the sync ran.
    pub synced_at: String,
    /// Base names of the variable files used by the last regular sync.
    pub var_files: Vec<String>,
    /// Hash of the merged variables of the last regular sync (`null` after agent sync).
    pub variables_hash: Option<String>,
    /// Who and where the last sync ran (client, user, host, git, CI); `null` fields are not
    /// written.
    pub sync_identity: Option<DataMap>,
    /// `"1"`.
    pub manifest_spec_version: Option<String>,
    /// Unknown fields, kept and written after `manifest_spec_version`.
    #[serde(flatten)]
    pub extra: DataMap,
}

impl Lockfile {
    pub(crate) const FIELDS: &'static [&'static str] =
        &["version", "secrets", "secretfile", "metadata"];
}

impl SecretEntry {
    pub(crate) const FIELDS: &'static [&'static str] = &[
        "hash",
        "created_at",
        "updated_at",
        "last_rotated",
        "rotation_count",
        "definition_hash",
        "targets",
        "target_provenance",
    ];
}

impl TargetUpdate {
    pub(crate) const FIELDS: &'static [&'static str] = &["updated_at", "actor"];
}

impl SecretfileInfo {
    pub(crate) const FIELDS: &'static [&'static str] = &[
        "filename",
        "hash",
        "synced_at",
        "var_files",
        "variables_hash",
        "sync_identity",
        "manifest_spec_version",
    ];
}

/// Whether a refresh removed stale targets or (under dry-run) would have.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum RefreshStatus {
    /// The stale target IDs were removed (with their provenance).
    Pruned,
    /// Dry run: they would have been removed.
    WouldPrune,
}

/// One secret with stale target IDs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct RefreshRow {
    /// The secret.
    pub secret: String,
    /// Its tracked target IDs that no current target produces, sorted.
    pub stale_targets: Vec<String>,
    /// `pruned` or `would_prune`.
    pub status: RefreshStatus,
}

/// The outcome of [`Lockfile::refresh`] (`sync_results.refresh` in the report), keys in the
/// reference's order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct RefreshReport {
    /// Secrets that have a lockfile entry (with or without tracked targets).
    pub checked_secrets: usize,
    /// Secrets with at least one stale target.
    pub mismatch_secrets: usize,
    /// Stale targets over all secrets.
    pub mismatch_targets: usize,
    /// One row per mismatched secret, in manifest order.
    pub rows: Vec<RefreshRow>,
}

impl RefreshReport {
    /// The mismatched secrets: agent sync treats them as not yet synced.
    pub fn mismatched(&self) -> Vec<&str> {
        self.rows.iter().map(|r| r.secret.as_str()).collect()
    }

    /// Whether `secret` is mismatched.
    pub fn is_mismatched(&self, secret: &str) -> bool {
        self.rows.iter().any(|r| r.secret == secret)
    }
}

/// Python's `_drop_none_values`: remove `null` members of objects, recursively (list items
/// are recursed into but `null` items are kept).
pub fn drop_nulls(value: &Data) -> Data {
    match value {
        Data::Object(m) => Data::Object(drop_nulls_map(m)),
        Data::Array(items) => Data::Array(items.iter().map(drop_nulls).collect()),
        other => other.clone(),
    }
}

fn drop_nulls_map(m: &DataMap) -> DataMap {
    m.iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| (k.clone(), drop_nulls(v)))
        .collect()
}

/// A sync identity in the reference's field order ([`SYNC_IDENTITY_FIELDS`]), other keys
/// after them in their order, `null` members dropped. Hosts may build the identity in any
/// order.
pub fn normalize_sync_identity(identity: &DataMap) -> DataMap {
    let mut out = DataMap::new();
    for k in SYNC_IDENTITY_FIELDS {
        if let Some(v) = identity.get(k) {
            out.insert(k.to_string(), v.clone());
        }
    }
    for (k, v) in identity {
        if !SYNC_IDENTITY_FIELDS.contains(&k.as_str()) {
            out.insert(k.clone(), v.clone());
        }
    }
    drop_nulls_map(&out)
}

/// The provenance `actor` of a target write, as the reference builds it: the sync identity
/// ([`normalize_sync_identity`]), then the target's own actor keys (for `local` targets:
/// `provider`, `username`, `uid`, `full_name`), the target's values winning; nulls dropped.
pub fn provenance_actor(identity: &DataMap, target_actor: Option<&DataMap>) -> DataMap {
    let mut actor = normalize_sync_identity(identity);
    if let Some(t) = target_actor {
        for (k, v) in drop_nulls_map(t) {
            actor.insert(k, v);
        }
    }
    actor
}

impl Lockfile {
    /// Read lockfile text. Empty or whitespace-only text is an empty lockfile (like a
    /// missing file). Errors are `INVALID_LOCKFILE` with the line and column of the problem
    /// and, for a wrong shape, the dotted path of the field (`secrets.db.rotation_count`).
    ///
    /// ```
    /// use secretzero_agent::lockfile::Lockfile;
    /// let lf = Lockfile::parse("").unwrap();
    /// assert!(lf.is_semantically_empty());
    /// let err = Lockfile::parse("{\"secrets\": []}").unwrap_err();
    /// assert_eq!(err.path.as_deref(), Some("secrets"));
    /// ```
    #[allow(clippy::result_large_err)] // `Diagnostic` is the crate-wide error type
    pub fn parse(text: &str) -> Result<Lockfile, Diagnostic> {
        read::parse(text)
    }

    /// The lockfile text: Python's `json.dumps(payload, indent=2)`, no trailing newline,
    /// with `null` members removed from `sync_identity` and provenance actors.
    pub fn to_text(&self) -> String {
        let mut payload = match serde_json::to_value(self) {
            Ok(v) => v,
            Err(_) => return dumps_pretty(&Data::Null),
        };
        if let Some(root) = payload.as_object_mut() {
            if let Some(Data::Object(sf)) = root.get_mut("secretfile")
                && let Some(id @ Data::Object(_)) = sf.get_mut("sync_identity")
            {
                *id = drop_nulls(id);
            }
            if let Some(Data::Object(secrets)) = root.get_mut("secrets") {
                for entry in secrets.values_mut() {
                    let Some(Data::Object(prov)) = entry.get_mut("target_provenance") else {
                        continue;
                    };
                    for updates in prov.values_mut() {
                        let Data::Array(items) = updates else {
                            continue;
                        };
                        for u in items {
                            if let Some(actor @ Data::Object(_)) = u.get_mut("actor") {
                                *actor = drop_nulls(actor);
                            }
                        }
                    }
                }
            }
        }
        dumps_pretty(&payload)
    }

    /// True when there is nothing to persist: no entries, no `secretfile` block, no
    /// metadata (and no unknown root fields). The reference never writes such a lockfile
    /// and deletes an existing one that would become empty; the planner does the same.
    pub fn is_semantically_empty(&self) -> bool {
        self.secrets.is_empty()
            && self.secretfile.is_none()
            && self.metadata.is_empty()
            && self.extra.is_empty()
    }

    /// The entry of `name`, if any.
    pub fn entry(&self, name: &str) -> Option<&SecretEntry> {
        self.secrets.get(name)
    }

    /// Record a value stored for `name`, as the reference's `add_secret` followed by
    /// `record_target_update` for each target that was written:
    ///
    /// - a new entry gets `created_at = updated_at = now`; an existing one keeps
    ///   `created_at` and gets the new `hash` and `updated_at`. Rotation fields are left
    ///   as they are (agent sync never rotates).
    /// - each target ID is set to `value_hash` in `targets` (existing IDs keep their place)
    ///   and gets a provenance record `{updated_at: now, actor}`; only the last three are
    ///   kept.
    /// - `definition_hash`, when given, replaces the recorded one (template fields are
    ///   recorded without and get it from [`Lockfile::record_definition_hash`]).
    ///
    /// With no target IDs (a secret without targets) only the entry is written. `now` is
    /// the lockfile's time text ([`crate::timefmt::python_isoformat`]); `actor` is usually
    /// [`provenance_actor`].
    pub fn record(
        &mut self,
        name: &str,
        value_hash: &str,
        target_ids: &[String],
        now: &str,
        actor: &DataMap,
        definition_hash: Option<&str>,
    ) {
        let entry = self
            .secrets
            .entry(name.to_string())
            .or_insert_with(|| SecretEntry {
                created_at: now.to_string(),
                ..SecretEntry::default()
            });
        entry.hash = value_hash.to_string();
        entry.updated_at = now.to_string();
        let actor = drop_nulls_map(actor);
        for id in target_ids.iter().filter(|id| !id.is_empty()) {
            entry.targets.insert(id.clone(), value_hash.to_string());
            let history = entry.target_provenance.entry(id.clone()).or_default();
            history.push(TargetUpdate {
                updated_at: now.to_string(),
                actor: actor.clone(),
                extra: DataMap::new(),
            });
            let excess = history.len().saturating_sub(PROVENANCE_KEEP);
            history.drain(..excess);
        }
        if let Some(d) = definition_hash {
            entry.definition_hash = Some(d.to_string());
        }
    }

    /// Set the `definition_hash` of an existing entry (no-op when `name` has none).
    pub fn record_definition_hash(&mut self, name: &str, definition_hash: &str) {
        if let Some(e) = self.secrets.get_mut(name) {
            e.definition_hash = Some(definition_hash.to_string());
        }
    }

    /// Record the Secretfile the sync ran from, as the reference's `track_secretfile`:
    /// a new block gets `filename` (base name of `secretfile_path`), `hash`, `synced_at`,
    /// `var_files: []`, `variables_hash: null`, `sync_identity` and
    /// `manifest_spec_version: "1"`; an existing block is updated in place (its
    /// `variables_hash` kept; `sync_identity` replaced only when one is given).
    ///
    /// `var_files`: `None` leaves them as they are — what agent sync does (only the regular
    /// `sync` command records var files and `variables_hash`); `Some` sets their base names.
    /// `identity` is stored through [`normalize_sync_identity`].
    pub fn record_secretfile(
        &mut self,
        secretfile_path: &str,
        text_hash: &str,
        now: &str,
        var_files: Option<&[String]>,
        identity: Option<&DataMap>,
    ) {
        let block = self.secretfile.get_or_insert_with(SecretfileInfo::default);
        block.filename = basename(secretfile_path);
        block.hash = text_hash.to_string();
        block.synced_at = now.to_string();
        block.manifest_spec_version = Some(MANIFEST_SPEC_VERSION.to_string());
        if let Some(files) = var_files {
            block.var_files = files.iter().map(|f| basename(f)).collect();
        }
        if let Some(id) = identity {
            block.sync_identity = Some(normalize_sync_identity(id));
        }
    }

    /// Detect (and unless `dry_run`, prune) tracked target IDs that the current Secretfile
    /// no longer produces — the reference's `refresh_lockfile_targets` (spec §5 step 3).
    ///
    /// `current` lists, in manifest order, each secret backed by this lockfile with its
    /// valid target IDs ([`crate::target_id::valid_target_ids`], which includes the legacy
    /// `provider/file/` IDs). A secret counts as checked when it has an entry; a tracked ID
    /// not in its list is stale; stale IDs are removed from `targets` and
    /// `target_provenance`. Template secrets have no entry of their own (their fields are
    /// `<secret>.<field>`) and are never checked, as in the reference.
    pub fn refresh(&mut self, current: &[(String, Vec<String>)], dry_run: bool) -> RefreshReport {
        let mut report = RefreshReport::default();
        for (name, valid) in current {
            let Some(entry) = self.secrets.get_mut(name) else {
                continue;
            };
            report.checked_secrets += 1;
            let mut stale: Vec<String> = entry
                .targets
                .keys()
                .filter(|id| !valid.contains(id))
                .cloned()
                .collect();
            if stale.is_empty() {
                continue;
            }
            crate::sorting::sort_by(&mut stale, Ord::cmp);
            report.mismatch_secrets += 1;
            report.mismatch_targets += stale.len();
            if !dry_run {
                for id in &stale {
                    entry.targets.shift_remove(id);
                    entry.target_provenance.shift_remove(id);
                }
            }
            report.rows.push(RefreshRow {
                secret: name.clone(),
                stale_targets: stale,
                status: if dry_run {
                    RefreshStatus::WouldPrune
                } else {
                    RefreshStatus::Pruned
                },
            });
        }
        report
    }

    /// [`Lockfile::refresh`] for these secrets (all assumed backed by this lockfile).
    pub fn refresh_secrets<'a>(
        &mut self,
        secrets: impl IntoIterator<Item = &'a Secret>,
        dry_run: bool,
    ) -> RefreshReport {
        let current: Vec<(String, Vec<String>)> = secrets
            .into_iter()
            .map(|s| (s.name.clone(), valid_target_ids(&s.targets)))
            .collect();
        self.refresh(&current, dry_run)
    }
}

#[cfg(test)]
mod tests;
