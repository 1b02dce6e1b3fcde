//! The planner: Secretfile + lockfile + environment + supplied values -> report + writes.
//!
//! (Being written: the types below are the contract the hosts use.)

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::diagnostic::{Error, ErrorCode};
use crate::interpolate::Env;
use crate::model::DataMap;
use crate::parse::VarFile;
use crate::report::SyncReport;

fn default_true() -> bool {
    true
}

fn default_secretfile_path() -> String {
    "Secretfile.yml".to_string()
}

/// Everything a sync needs, supplied by the host.
#[derive(Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct SyncRequest {
    /// The Secretfile's YAML text.
    pub text: String,
    /// The Secretfile path as given (`-f`), relative to the working directory. Default
    /// `Secretfile.yml`.
    #[serde(default = "default_secretfile_path")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub secretfile_path: String,
    /// Environment variables (interpolation, `UPPER_NAME` overrides, `SZ_AGENT`).
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(type = "Record<string, string>", optional))]
    pub env: Env,
    /// Variable files given with `-v`, already read.
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub var_files: Vec<VarFile>,
    /// The environment lane (`-e`).
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub environment: Option<String>,
    /// The lockfile path given with `-l`, if any.
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub lockfile_path: Option<String>,
    /// The lockfile's text, when it exists.
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub lockfile: Option<String>,
    /// The local lockfile's text (`.gitsecrets.local.lock`), when it exists.
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub local_lockfile: Option<String>,
    /// Current time, ISO-8601 (`new Date().toISOString()`).
    pub now: String,
    /// Plan and report without writing anything.
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub dry_run: bool,
    /// Prune stale lockfile target entries (default true).
    #[serde(default = "default_true")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub refresh: bool,
    /// Whether `script` secrets may run (the host runs them and passes `script_outputs`).
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub allow_scripts: bool,
    /// Values supplied for secrets by name (a person's answers, a hand-off).
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(type = "Record<string, string>", optional))]
    pub values: BTreeMap<String, String>,
    /// Existing contents of target files by path (as listed by `target_files`); `null` when
    /// the file does not exist.
    #[serde(default)]
    #[cfg_attr(
        feature = "wasm",
        tsify(type = "Record<string, string | null>", optional)
    )]
    pub files: BTreeMap<String, Option<String>>,
    /// Who is syncing (user, host, platform, git identity), recorded in the lockfile.
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(type = "Record<string, unknown>", optional))]
    pub identity: DataMap,
    /// Allow target paths outside the working directory.
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub allow_outside_root: bool,
}

impl std::fmt::Debug for SyncRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncRequest")
            .field("secretfile_path", &self.secretfile_path)
            .field("dry_run", &self.dry_run)
            .field("values", &"[redacted]")
            .field("files", &"[redacted]")
            .finish_non_exhaustive()
    }
}

/// The files a sync reads besides the Secretfile.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct TargetFilesResponse {
    /// Target files to read and pass back in `files` (relative to the working directory).
    pub files: Vec<String>,
    /// The lockfile to read.
    pub lockfile_path: String,
    /// The local lockfile to read.
    pub local_lockfile_path: String,
    /// Variable files of the selected environment lane to read and pass in `var_files`.
    pub var_files: Vec<String>,
}

/// What a write is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum WriteRole {
    /// A target file holding secret values.
    Target,
    /// A rendered `local/template` output.
    Template,
    /// The shared lockfile.
    Lockfile,
    /// The workstation lockfile.
    LocalLockfile,
}

/// One file to write (or delete), in order: targets first, lockfiles last.
#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct FileWrite {
    /// Path relative to the working directory (or absolute when allowed).
    pub path: String,
    /// New contents; `null` means delete the file.
    pub contents: Option<String>,
    /// What the file is.
    pub role: WriteRole,
    /// Whether the file holds secret values (created with mode 0600).
    pub secret: bool,
}

impl std::fmt::Debug for FileWrite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileWrite")
            .field("path", &self.path)
            .field("role", &self.role)
            .field("contents", &self.contents.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

/// The result of a sync.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct SyncResponse {
    /// The report (no values).
    pub report: SyncReport,
    /// Files to write, in order (empty under dry-run).
    pub writes: Vec<FileWrite>,
}

/// List the files a sync of `req` reads.
pub fn target_files(_req: &SyncRequest) -> Result<TargetFilesResponse, Error> {
    Err(Error::new(ErrorCode::Internal, "not implemented yet"))
}

/// Run the sync planner.
pub fn sync(_req: &SyncRequest) -> Result<SyncResponse, Error> {
    Err(Error::new(ErrorCode::Internal, "not implemented yet"))
}
