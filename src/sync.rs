//! The planner: Secretfile + lockfile + environment + supplied values -> report + writes.
//!
//! `sync` is pure: the host reads the files it names ([`target_files`]), passes them in, and
//! applies the returned [`FileWrite`]s in order (targets first, lockfiles last, so a crash
//! never leaves the lockfile claiming a value that no target holds). Under dry-run the report
//! is the same and there are no writes.

use std::collections::{BTreeMap, HashMap, HashSet};

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::classify::{ClassifyContext, Outcome, Source, classify, env_name};
use crate::diagnostic::{Diagnostic, Error, ErrorCode, Severity};
use crate::engine::{self, EngineContext, Job, Lockfiles};
use crate::interpolate::{Env, Jinja, render_instructions};
use crate::lanes::{self, Lane};
use crate::lockfile::{self, Lockfile, hash_value};
use crate::model::{AgentInstructions, AutomationLevel, Data, DataMap, Secret, Secretfile, Step};
use crate::parse::{ParseOptions, VarFile, parse_secretfile};
use crate::paths;
use crate::random::{OsRandom, RandomSource};
use crate::report::{
    AutomationSummary, EngineResults, PendingSecret, RefreshReport, RefreshRow, SyncReport,
    SyncResults, SyncStatus,
};
use crate::secret::SecretValue;
use crate::targets::{self, FileTarget};

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
    /// Texts of the selected lane's var files by path, as listed by `target_files`
    /// (`null` when the file does not exist). They are merged before `var_files`.
    #[serde(default)]
    #[cfg_attr(
        feature = "wasm",
        tsify(type = "Record<string, string | null>", optional)
    )]
    pub lane_var_files: BTreeMap<String, Option<String>>,
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
    /// Outputs of `script` secrets the host ran (only with `allow_scripts`), by secret name.
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(type = "Record<string, string>", optional))]
    pub script_outputs: BTreeMap<String, String>,
    /// The host's absolute working directory (only used to print resolved paths the way the
    /// reference does).
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub cwd: Option<String>,
    /// Adapter keys the host can store to (`aws/ssm_parameter`, ...). Secrets with other
    /// non-local targets fail with `TARGET_UNREACHABLE`.
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub adapters: Vec<String>,
    /// Store targets the host's access gate could not reach, by target ID, with the
    /// provider's error: their secrets fail and no value is generated for them.
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(type = "Record<string, string>", optional))]
    pub unreachable: BTreeMap<String, String>,
    /// Store targets whose write failed in a first round, by target ID, with the error
    /// (pass the first round's `produced` values in `values` so nothing is regenerated).
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(type = "Record<string, string>", optional))]
    pub store_failures: BTreeMap<String, String>,
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
    /// Variable files of the selected environment lane: read them and pass them in
    /// `lane_var_files`, then call `target_files` again (the lane's variables can change
    /// target paths).
    pub var_files: Vec<String>,
    /// Shared-store targets (non-local) the sync may write: test each one's connection
    /// before `sync` and report failures in `unreachable`.
    pub stores: Vec<crate::engine::StoreTarget>,
}

/// A `script` secret the host should run before `sync` (only with `allow_scripts`, never
/// under dry-run).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct ScriptSpec {
    /// The secret.
    pub name: String,
    /// The program (with `shell: false`) or the shell command line (with `shell: true`).
    pub command: String,
    /// Arguments (ignored with `shell: true`, as the reference does).
    pub args: Vec<String>,
    /// Run through `/bin/sh -c`.
    pub shell: bool,
    /// Seconds before the host kills it. Default 30.
    pub timeout_seconds: f64,
}

/// `plan_scripts` response: the scripts to run; pass each one's trimmed stdout in
/// `script_outputs`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct ScriptsResponse {
    /// Scripts to run, in manifest order.
    pub scripts: Vec<ScriptSpec>,
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

/// The result of a sync. `Debug` redacts `produced`.
#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct SyncResponse {
    /// The report (no values).
    pub report: SyncReport,
    /// Files to write, in order (empty under dry-run). Target files first, lockfiles last.
    pub writes: Vec<FileWrite>,
    /// Values to store in shared stores (empty under dry-run). Store them after the target
    /// files and before the lockfiles; if any store fails, run `sync` again with
    /// `store_failures` and `values` = `produced`, and write that round's files instead.
    #[serde(default)]
    pub stores: Vec<crate::engine::StoreWrite>,
    /// The values behind `stores`, by secret (`secret.field` for template fields), for the
    /// second round. Empty when there are no stores.
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(type = "Record<string, string>"))]
    pub produced: BTreeMap<String, String>,
}

/// The message for pending secrets under `SZ_AGENT` (the reference's text).
pub const SZ_AGENT_MESSAGE: &str = "Manual intervention required while SZ_AGENT is enabled; unset SZ_AGENT or resolve secrets outside the agent workflow";

/// What every stage needs: the parsed, lane-applied Secretfile and the resolved paths.
pub(crate) struct Prepared {
    pub(crate) secretfile: Secretfile,
    pub(crate) warnings: Vec<Diagnostic>,
    lane: Lane,
    lockfile_path: String,
    lockfile_display: String,
    local_lockfile_path: String,
}

fn truthy(v: Option<&String>) -> bool {
    v.is_some_and(|v| {
        matches!(
            v.trim().to_lowercase().as_str(),
            "1" | "true" | "yes" | "on"
        )
    })
}

fn parse_with(req: &SyncRequest, var_files: Vec<VarFile>) -> crate::parse::ParsedSecretfile {
    parse_secretfile(
        &req.text,
        &ParseOptions {
            env: req.env.clone(),
            var_files,
            ..ParseOptions::default()
        },
    )
}

/// What a [`Prepared`] depends on: the Secretfile text and paths compared exactly, the
/// environment and variable files by digest (so that no copy of them outlives the call).
#[derive(PartialEq)]
struct PrepareKey {
    text: String,
    secretfile_path: String,
    environment: Option<String>,
    lockfile_path: Option<String>,
    cwd: Option<String>,
    digest: [u8; 32],
}

impl PrepareKey {
    fn of(req: &SyncRequest) -> Self {
        // SHA-256, not `DefaultHasher`: variable files come from the repository, and a
        // collision chosen by its author must not make a sync reuse another request's parse.
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        let mut field = |bytes: &[u8]| {
            h.update((bytes.len() as u64).to_le_bytes());
            h.update(bytes);
        };
        for (k, v) in &req.env {
            field(k.as_bytes());
            field(v.as_bytes());
        }
        field(b"--var-files");
        for v in &req.var_files {
            field(v.path.as_bytes());
            field(v.text.as_bytes());
        }
        field(b"--lane-var-files");
        for (k, v) in &req.lane_var_files {
            field(k.as_bytes());
            match v {
                Some(t) => field(t.as_bytes()),
                None => field(b"\0none"),
            }
        }
        PrepareKey {
            text: req.text.clone(),
            secretfile_path: req.secretfile_path.clone(),
            environment: req.environment.clone(),
            lockfile_path: req.lockfile_path.clone(),
            cwd: req.cwd.clone(),
            digest: h.finalize().into(),
        }
    }
}

thread_local! {
    /// The last successful [`prepare`]. A host asks `target_files` (which files to read), then
    /// `sync` with the same Secretfile: the second call reuses the parse instead of doing it
    /// again (the parse is most of a sync; see bench/README.md). One entry, replaced by the
    /// next different request.
    static LAST_PREPARED: std::cell::RefCell<Option<(PrepareKey, std::rc::Rc<Prepared>)>> =
        const { std::cell::RefCell::new(None) };
}

/// [`prepare_uncached`], reusing the previous result for the same inputs.
pub(crate) fn prepare(req: &SyncRequest, strict: bool) -> Result<std::rc::Rc<Prepared>, Error> {
    let key = PrepareKey::of(req);
    let cached = LAST_PREPARED.with(|last| {
        last.borrow()
            .as_ref()
            .filter(|(k, _)| *k == key)
            .map(|(_, p)| std::rc::Rc::clone(p))
    });
    // A non-strict run may have skipped lane var files the host did not pass; strict callers
    // must then get the error, so they only reuse a result that had all of them.
    if let Some(p) = cached.filter(|p| {
        !strict
            || p.lane
                .var_files
                .iter()
                .all(|f| req.lane_var_files.contains_key(f))
    }) {
        return Ok(p);
    }
    let p = std::rc::Rc::new(prepare_uncached(req, strict)?);
    LAST_PREPARED.with(|last| *last.borrow_mut() = Some((key, std::rc::Rc::clone(&p))));
    Ok(p)
}

/// Parse, select the lane, re-parse with the lane's var files, apply its target profile.
/// With `strict`, every lane var file must have been provided by the host.
fn prepare_uncached(req: &SyncRequest, strict: bool) -> Result<Prepared, Error> {
    let dir = paths::dirname(&req.secretfile_path);
    let first = parse_with(req, req.var_files.clone());
    if !first.is_valid() {
        return Err(Error::from_diagnostics(first.diagnostics));
    }
    let lane =
        lanes::select(&first.secretfile, req.environment.as_deref(), &dir).map_err(Error::from)?;
    let parsed = if lane.var_files.is_empty() {
        first
    } else {
        let mut files = Vec::new();
        for path in &lane.var_files {
            match req.lane_var_files.get(path) {
                Some(Some(text)) => files.push(VarFile {
                    path: path.clone(),
                    text: text.clone(),
                }),
                Some(None) => {
                    return Err(Error::from(
                        Diagnostic::error(
                            ErrorCode::Io,
                            format!(
                                "var file `{path}` of environment `{}` does not exist",
                                lane.selected.clone().unwrap_or_default()
                            ),
                        )
                        .with_hint("create it or remove it from the environment's `var_files`"),
                    ));
                }
                None if strict => {
                    return Err(Error::from(
                        Diagnostic::error(ErrorCode::Usage, format!("var file `{path}` was not provided by the host"))
                            .with_hint("call target_files, read the listed var_files and pass them in lane_var_files"),
                    ));
                }
                None => {}
            }
        }
        files.extend(req.var_files.iter().cloned());
        let again = parse_with(req, files);
        if !again.is_valid() {
            return Err(Error::from_diagnostics(again.diagnostics));
        }
        again
    };
    let mut secretfile = parsed.secretfile;
    let warnings = parsed.diagnostics;
    if let Some(tp) = &lane.target_profile {
        lanes::apply_target_profile(&mut secretfile, tp).map_err(Error::from)?;
    }
    let raw_lane_lockfile = lane.selected.as_ref().and_then(|n| {
        secretfile
            .environments
            .as_ref()?
            .profiles
            .get(n)?
            .lockfile
            .clone()
    });
    let cwd = req.cwd.clone().unwrap_or_default();
    let resolved = lockfile::resolve_lockfile_path(
        &req.secretfile_path,
        req.lockfile_path.as_deref(),
        raw_lane_lockfile.as_deref(),
        &cwd,
    );
    // The path the host reads and writes: relative to the working directory when possible.
    let lockfile_path = match (&req.cwd, resolved.path.strip_prefix(&format!("{cwd}/"))) {
        (Some(_), Some(rel)) if !cwd.is_empty() => rel.to_string(),
        _ => resolved.path.clone(),
    };
    let local_lockfile_path = lockfile::local_lockfile_path(&lockfile_path);
    Ok(Prepared {
        secretfile,
        warnings,
        lane,
        lockfile_display: resolved.path,
        lockfile_path,
        local_lockfile_path,
    })
}

impl std::fmt::Debug for SyncResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncResponse")
            .field("report", &self.report)
            .field("writes", &self.writes)
            .field("stores", &self.stores)
            .field("produced", &self.produced.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// List the files a sync of `req` reads: target files, lockfiles and the lane's var files.
///
/// # Errors
/// The Secretfile's diagnostics when it is invalid; an unknown environment.
pub fn target_files(req: &SyncRequest) -> Result<TargetFilesResponse, Error> {
    let p = prepare(req, false)?;
    let mut files: Vec<String> = Vec::new();
    let mut stores: Vec<engine::StoreTarget> = Vec::new();
    for s in &p.secretfile.secrets {
        for t in engine::all_targets(s, &p.secretfile) {
            if t.provider != "local" {
                let st = engine::store_target(&t, &p.secretfile);
                if !stores.iter().any(|x| x.target_id == st.target_id) {
                    stores.push(st);
                }
                continue;
            }
            let path = match (t.provider.as_str(), t.kind.as_str()) {
                ("local", "file") => FileTarget::from_config(&t.config, req.allow_outside_root)
                    .ok()
                    .map(|ft| ft.path),
                ("local", "template") => engine::template_paths(&t.config, req.allow_outside_root)
                    .ok()
                    .map(|(template, _)| template),
                _ => None,
            };
            if let Some(path) = path.filter(|p| !files.contains(p)) {
                files.push(path);
            }
        }
    }
    Ok(TargetFilesResponse {
        files,
        stores,
        lockfile_path: p.lockfile_path.clone(),
        local_lockfile_path: p.local_lockfile_path.clone(),
        var_files: p.lane.var_files.clone(),
    })
}

/// The `script` secrets a sync of `req` would run: only with `allow_scripts`, never under
/// dry-run, and only for secrets not yet in the lockfile and without a supplied value.
///
/// # Errors
/// As [`sync`].
pub fn plan_scripts(req: &SyncRequest) -> Result<ScriptsResponse, Error> {
    if !req.allow_scripts || req.dry_run {
        return Ok(ScriptsResponse::default());
    }
    let p = prepare(req, true)?;
    let shared = parse_lock(req.lockfile.as_deref(), &p.lockfile_path)?;
    let local = parse_lock(req.local_lockfile.as_deref(), &p.local_lockfile_path)?;
    let mut scripts = Vec::new();
    for s in p.secretfile.secrets.iter().filter(|s| s.kind == "script") {
        let lock = if s.local { &local } else { &shared };
        let supplied = req
            .values
            .get(&s.name)
            .or_else(|| req.env.get(&env_name(&s.name)))
            .is_some_and(|v| !v.is_empty());
        if supplied || lock.entry(&s.name).is_some() {
            continue;
        }
        let command = s
            .config
            .get("command")
            .and_then(Data::as_str)
            .unwrap_or("")
            .to_string();
        if command.is_empty() {
            continue;
        }
        scripts.push(ScriptSpec {
            name: s.name.clone(),
            command,
            args: s
                .config
                .get("args")
                .and_then(Data::as_array)
                .map(|a| a.iter().map(crate::interpolate::python_str).collect())
                .unwrap_or_default(),
            shell: s
                .config
                .get("shell")
                .and_then(Data::as_bool)
                .unwrap_or(false),
            timeout_seconds: s
                .config
                .get("timeout")
                .and_then(Data::as_f64)
                .unwrap_or(30.0),
        });
    }
    Ok(ScriptsResponse { scripts })
}

/// Run the sync planner with the operating system's random source.
///
/// # Errors
/// The Secretfile's diagnostics when it is invalid; `INVALID_LOCKFILE`; `USAGE` for a
/// malformed time.
pub fn sync(req: &SyncRequest) -> Result<SyncResponse, Error> {
    // One block of OS randomness serves many secrets (see `BlockRandom`).
    sync_with_rng(req, &mut crate::random::BlockRandom::new(OsRandom))
}

pub(crate) fn parse_lock(text: Option<&str>, path: &str) -> Result<Lockfile, Error> {
    Lockfile::parse(text.unwrap_or("")).map_err(|mut d| {
        d.message = format!("lockfile `{path}`: {}", d.message);
        d.hint
            .get_or_insert_with(|| "fix or remove the lockfile; nothing was written".to_string());
        Error::from(d)
    })
}

/// The existing value of a secret in its file targets, when every file that holds the key
/// agrees (a target written before a crash, or a value a person put there).
fn existing_value(secret: &Secret, req: &SyncRequest) -> Option<String> {
    let mut found: Option<String> = None;
    for t in &secret.targets {
        if t.provider != "local" || t.kind != "file" {
            continue;
        }
        let ft = FileTarget::from_config(&t.config, req.allow_outside_root).ok()?;
        let Some(Some(text)) = req.files.get(&ft.path) else {
            continue;
        };
        let key = ft.entry_key(&secret.name);
        let v = targets::lookup(ft.format, text, key);
        match (v.filter(|v| !v.is_empty()), &found) {
            (Some(v), None) => found = Some(v),
            (Some(v), Some(f)) if &v != f => return None,
            _ => {}
        }
    }
    found
}

/// Whether a secret's value may be adopted from its targets instead of being produced:
/// random and manual secrets (never a static value the Secretfile declares, nor a script).
fn adoptable(secret: &Secret, outcome: Outcome, source: Source) -> bool {
    !secret.kind.starts_with("templates.")
        && match outcome {
            Outcome::Automatic => source == Source::Generated,
            Outcome::Pending | Outcome::Failed => secret.kind != "script",
        }
}

/// The `validation` pattern of a static-like secret, if any.
fn validation_of(secret: &Secret) -> Option<&str> {
    secret
        .config
        .get("validation")
        .and_then(Data::as_str)
        .filter(|p| !p.is_empty())
}

/// Run the sync planner with an injected random source (tests seed it).
///
/// # Errors
/// See [`sync`].
pub fn sync_with_rng(req: &SyncRequest, rng: &mut dyn RandomSource) -> Result<SyncResponse, Error> {
    let p = prepare(req, true)?;
    let sf = &p.secretfile;
    let now = crate::timefmt::python_isoformat(&req.now).map_err(Error::from)?;
    let sz_agent = truthy(req.env.get("SZ_AGENT"));
    let mut shared = parse_lock(req.lockfile.as_deref(), &p.lockfile_path)?;
    let mut local = parse_lock(req.local_lockfile.as_deref(), &p.local_lockfile_path)?;
    // Change detection of the lockfiles (only written outside dry-run).
    let shared_before = (!req.dry_run).then(|| shared.to_text());
    let local_before = (!req.dry_run).then(|| local.to_text());
    let jinja = Jinja::new();
    let mut warnings: Vec<Diagnostic> = p
        .warnings
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .cloned()
        .collect();

    // Refresh: tracked target IDs that the current targets no longer produce are stale.
    let current = |want_local: bool| -> Vec<(String, Vec<String>)> {
        sf.secrets
            .iter()
            .filter(|s| s.local == want_local)
            .map(|s| {
                (
                    s.name.clone(),
                    crate::target_id::valid_target_ids(&s.targets),
                )
            })
            .collect()
    };
    // Manifest position of each name (first occurrence), for ordering without quadratic scans.
    let mut order: HashMap<&str, usize> = HashMap::with_capacity(sf.secrets.len());
    for (i, s) in sf.secrets.iter().enumerate() {
        order.entry(s.name.as_str()).or_insert(i);
    }
    let mut refresh = RefreshReport::default();
    if req.refresh {
        let a = shared.refresh(&current(false), req.dry_run);
        let b = local.refresh(&current(true), req.dry_run);
        let mut rows: Vec<RefreshRow> = a.rows.into_iter().chain(b.rows).collect();
        crate::sorting::sort_by_key(&mut rows, |r| {
            order.get(r.secret.as_str()).copied().unwrap_or(usize::MAX)
        });
        refresh = RefreshReport {
            checked_secrets: a.checked_secrets + b.checked_secrets,
            mismatch_secrets: a.mismatch_secrets + b.mismatch_secrets,
            mismatch_targets: a.mismatch_targets + b.mismatch_targets,
            rows,
        };
    }
    let mismatched_names: HashSet<&str> = refresh.rows.iter().map(|r| r.secret.as_str()).collect();
    let mismatched = |name: &str| mismatched_names.contains(name);

    // Classify every secret in manifest order.
    let mut already_synced = Vec::new();
    let mut pending: IndexMap<String, PendingSecret> = IndexMap::new();
    let mut failed: IndexMap<String, String> = IndexMap::new();
    let mut levels: Vec<(String, AutomationLevel)> = Vec::new();
    let mut jobs: Vec<Job<'_>> = Vec::new();
    for s in &sf.secrets {
        let lock = if s.local { &local } else { &shared };
        let recorded = if let Some(t) = s
            .kind
            .strip_prefix("templates.")
            .and_then(|n| sf.templates.get(n))
        {
            !t.fields.is_empty()
                && t.fields
                    .keys()
                    .all(|f| lock.entry(&format!("{}.{f}", s.name)).is_some())
        } else {
            lock.entry(&s.name).is_some()
        };
        let supplied = req
            .values
            .get(&s.name)
            .or_else(|| req.env.get(&env_name(&s.name)))
            .filter(|v| !v.is_empty());
        let mut c = classify(
            s,
            sf,
            ClassifyContext {
                allow_scripts: req.allow_scripts,
                supplied: supplied.is_some(),
            },
        );
        levels.push((s.name.clone(), c.automation_level));
        if recorded && !mismatched(&s.name) {
            already_synced.push(s.name.clone());
            continue;
        }
        if recorded && s.one_time {
            failed.insert(
                s.name.clone(),
                "one-time secret already exists but its targets changed; it is never regenerated: move the value by hand or remove its lockfile entry".to_string(),
            );
            continue;
        }
        let mut value = supplied.map(|v| SecretValue::new(v.clone()));
        if value.is_none()
            && !recorded
            && adoptable(s, c.outcome, c.source)
            && let Some(v) = existing_value(s, req)
        {
            value = Some(SecretValue::new(v));
            c.outcome = Outcome::Automatic;
            c.source = Source::Existing;
        }
        if let (Some(v), Some(pattern)) = (&value, validation_of(s)) {
            // EXPOSE: checked against the pattern; the error never contains it.
            if let Err(d) = crate::generate::check_validation(pattern, v.expose()) {
                failed.insert(
                    s.name.clone(),
                    format!("{} (value for `{}`)", d.message, s.name),
                );
                continue;
            }
        }
        if c.source == Source::Script && value.is_none() {
            value = req
                .script_outputs
                .get(&s.name)
                .map(|v| SecretValue::new(v.clone()));
        }
        match c.outcome {
            Outcome::Automatic => jobs.push(Job {
                secret: s,
                source: c.source,
                supplied: value,
                field_values: crate::sorting::btree_map(req.values.iter().filter_map(|(k, v)| {
                    let field = k.strip_prefix(&s.name)?.strip_prefix('.')?;
                    Some((field.to_string(), SecretValue::new(v.clone())))
                })),
            }),
            Outcome::Pending => {
                let mut ai = render_instructions(s, &sf.variables, &jinja)
                    .unwrap_or_else(|| script_instructions(s));
                ai.automation_level = Some(c.automation_level);
                pending.insert(s.name.clone(), PendingSecret { instructions: ai });
            }
            Outcome::Failed => {
                failed.insert(
                    s.name.clone(),
                    c.reason
                        .unwrap_or_else(|| crate::classify::NO_INSTRUCTIONS.to_string()),
                );
            }
        }
    }
    for name in req.values.keys() {
        let known = order.contains_key(name.as_str())
            || sf.secrets.iter().any(|s| {
                s.kind.starts_with("templates.")
                    && name
                        .strip_prefix(&s.name)
                        .is_some_and(|f| f.starts_with('.'))
            });
        if !known {
            warnings.push(Diagnostic::warning(
                ErrorCode::UnknownReference,
                format!("a value was supplied for `{name}`, which is not a secret of this file"),
            ));
        }
    }
    if sz_agent {
        for (name, _) in std::mem::take(&mut pending) {
            failed.insert(name, SZ_AGENT_MESSAGE.to_string());
        }
    }

    // Run the engine on the automatic secrets.
    // SHA-256 of the whole Secretfile: only needed to compare with a recorded hash or to record
    // one (a first dry run needs neither), and a big file takes a while to hash.
    let text_hash = std::cell::OnceCell::new();
    let text_hash = || text_hash.get_or_init(|| hash_value(&req.text));
    let secretfile_changed = shared.secretfile.as_ref().is_none_or(|b| {
        b.filename != paths::basename(&req.secretfile_path) || &b.hash != text_hash()
    });
    let actor = local_actor(&req.identity);
    let mut synced = Vec::new();
    let mut engine_results = None;
    let mut writes = Vec::new();
    let mut stores = Vec::new();
    let mut produced = BTreeMap::new();
    if !jobs.is_empty() {
        let ctx = EngineContext {
            secretfile: sf,
            files: &req.files,
            dry_run: req.dry_run,
            allow_outside_root: req.allow_outside_root,
            now: &now,
            actor: &actor,
            jinja: &jinja,
            stores: engine::Stores {
                adapters: &req.adapters,
                unreachable: &req.unreachable,
                failed: &req.store_failures,
            },
        };
        let out = engine::run(
            &jobs,
            &ctx,
            &mut Lockfiles {
                shared: &mut shared,
                local: &mut local,
            },
            rng,
        );
        stores = out.stores;
        produced = out.produced;
        let mut results = EngineResults {
            secrets_processed: jobs.len(),
            errors: out.errors,
            secretfile_changed,
            ..EngineResults::default()
        };
        for d in out.done {
            if let Some(reason) = d.failure {
                failed.insert(d.name.clone(), reason.message);
            } else {
                synced.push(d.name.clone());
                results.secrets_generated += 1;
                results.secrets_stored += usize::from(d.detail.stored);
            }
            results.details.push(d.detail);
        }
        writes.extend(
            out.files
                .into_iter()
                .map(|(path, contents, template)| FileWrite {
                    path,
                    contents: Some(contents),
                    role: if template {
                        WriteRole::Template
                    } else {
                        WriteRole::Target
                    },
                    secret: true,
                }),
        );
        if !req.dry_run && !synced.is_empty() {
            shared.record_secretfile(
                &req.secretfile_path,
                text_hash(),
                &now,
                None,
                Some(&req.identity),
            );
        }
        engine_results = Some(results);
    }
    // Keep failures in manifest order (SZ_AGENT conversions last, as the reference).
    let pos = |n: &str| order.get(n).copied().unwrap_or(usize::MAX);
    let mut entries: Vec<(String, String)> = std::mem::take(&mut failed).into_iter().collect();
    crate::sorting::sort_by(&mut entries, |(a, av), (b, bv)| {
        let agent = |v: &str| v == SZ_AGENT_MESSAGE;
        (agent(av), pos(a)).cmp(&(agent(bv), pos(b)))
    });
    failed = entries.into_iter().collect();
    crate::sorting::sort_by_key(&mut synced, |n| pos(n));

    if !req.dry_run {
        for (lock, before, path, role, existed) in [
            (
                &shared,
                &shared_before,
                &p.lockfile_path,
                WriteRole::Lockfile,
                req.lockfile.is_some(),
            ),
            (
                &local,
                &local_before,
                &p.local_lockfile_path,
                WriteRole::LocalLockfile,
                req.local_lockfile.is_some(),
            ),
        ] {
            let after = lock.to_text();
            if Some(&after) == before.as_ref() {
                continue;
            }
            if lock.is_semantically_empty() {
                if existed {
                    writes.push(FileWrite {
                        path: path.clone(),
                        contents: None,
                        role,
                        secret: false,
                    });
                }
            } else {
                writes.push(FileWrite {
                    path: path.clone(),
                    contents: Some(after),
                    role,
                    secret: false,
                });
            }
        }
    }

    let mut by_level = crate::report::ByLevel::default();
    for (_, level) in &levels {
        by_level.add(*level);
    }
    let automation_summary = AutomationSummary {
        fully_synced: synced.len(),
        already_synced: already_synced.len(),
        requires_intervention: pending.len(),
        failed: failed.len(),
        by_level,
    };
    let report = SyncReport {
        status: SyncStatus::from_counts(pending.len(), failed.len()),
        synced_secrets: synced,
        already_synced,
        pending_secrets: pending,
        failed_secrets: failed,
        automation_summary,
        sync_results: SyncResults {
            refresh: req.refresh.then_some(refresh),
            engine: engine_results,
        },
        dry_run: req.dry_run,
        sz_agent,
        resolved_mode: if sz_agent {
            "auto".to_string()
        } else {
            sf.agent
                .as_ref()
                .map(|a| a.mode.as_str())
                .unwrap_or("auto")
                .to_string()
        },
        web_url: None,
        web_session_id: None,
        selected_environment: p.lane.selected.clone(),
        resolved_var_files: p
            .lane
            .var_files
            .iter()
            .map(|f| match &req.cwd {
                Some(cwd) if !paths::is_absolute(f) => format!("{cwd}/{f}"),
                _ => f.clone(),
            })
            .chain(req.var_files.iter().map(|v| v.path.clone()))
            .collect(),
        resolved_lockfile: p.lockfile_display.clone(),
        resolved_target_profile: p.lane.target_profile.clone(),
        warnings,
    };
    Ok(SyncResponse {
        report,
        writes,
        stores,
        // EXPOSE: handed to the host for a second round after a failed store.
        produced: crate::sorting::btree_map(
            produced.into_iter().map(|(k, v)| (k, v.into_exposed())),
        ),
    })
}

/// The provenance actor of local targets: the sync identity plus the reference's local
/// target actor (`provider`, `username`, `uid`, `full_name`).
fn local_actor(identity: &DataMap) -> DataMap {
    let mut target = DataMap::new();
    target.insert("provider".into(), Data::String("local".into()));
    for (key, from) in [
        ("username", "os_user"),
        ("uid", "os_uid"),
        ("full_name", "full_name"),
    ] {
        if let Some(v) = identity.get(key).or_else(|| identity.get(from)) {
            target.insert(key.into(), v.clone());
        }
    }
    let mut base = identity.clone();
    base.remove("full_name");
    lockfile::provenance_actor(&base, Some(&target))
}

/// Instructions for an untrusted `script` secret without its own: what it would run and how
/// to allow it.
fn script_instructions(s: &Secret) -> AgentInstructions {
    let command = s
        .config
        .get("command")
        .and_then(Data::as_str)
        .unwrap_or("")
        .to_string();
    let args: Vec<String> = s
        .config
        .get("args")
        .and_then(Data::as_array)
        .map(|a| a.iter().map(crate::interpolate::python_str).collect())
        .unwrap_or_default();
    let full = std::iter::once(command)
        .chain(args)
        .collect::<Vec<_>>()
        .join(" ");
    AgentInstructions {
        summary: format!("Review and run the script that produces `{}`", s.name),
        steps: vec![
            Step {
                action: full,
                description: "Command from the Secretfile (not run: scripts need an explicit grant). Review it before running.".into(),
                params: None,
                required: true,
            },
            Step {
                action: "secretzero agent sync --allow-scripts".into(),
                description: format!("Run the sync with scripts allowed, or supply the value in the {} environment variable", env_name(&s.name)),
                params: None,
                required: true,
            },
        ],
        automation_hint: Some("Requires approval: scripts from a Secretfile never run without --allow-scripts".into()),
        ..AgentInstructions::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LANES: &str = "environments:\n  default: dev\n  profiles:\n    dev:\n      var_files: [dev.szvar]\nvariables:\n  region: none\nsecrets:\n  - name: token\n    kind: static\n    config: {default: \"{{ var.region }}\"}\n    targets:\n      - {provider: local, kind: file, config: {path: .env}}\n";

    fn request() -> SyncRequest {
        SyncRequest {
            text: LANES.into(),
            secretfile_path: "Secretfile.yml".into(),
            now: "2025-01-01T00:00:00Z".into(),
            refresh: true,
            files: [(".env".to_string(), None)].into_iter().collect(),
            ..SyncRequest::default()
        }
    }

    fn forget() {
        LAST_PREPARED.with(|last| *last.borrow_mut() = None);
    }

    /// `target_files` may run without the lane's var files; a `sync` of the same request
    /// must still refuse to run without them, although the parse is reused.
    #[test]
    fn reused_parse_keeps_strictness() {
        forget();
        let mut req = request();
        let plan = target_files(&req).unwrap();
        assert_eq!(plan.var_files, ["dev.szvar"]);
        let e = sync(&req).unwrap_err();
        assert_eq!(e.code, ErrorCode::Usage, "{}", e.message);
        req.lane_var_files
            .insert("dev.szvar".into(), Some("region: eu-west-1\n".into()));
        target_files(&req).unwrap();
        let out = sync(&req).unwrap();
        let text = out.writes[0].contents.clone().unwrap();
        assert!(text.contains("eu-west-1"), "the lane's variables apply");
    }

    /// A reused parse gives the same report as a fresh one; a changed input is not reused.
    #[test]
    fn reused_parse_gives_the_same_result() {
        forget();
        let mut req = request();
        req.lane_var_files
            .insert("dev.szvar".into(), Some("region: eu-west-1\n".into()));
        let fresh = sync(&req).unwrap().report;
        let again = sync(&req).unwrap().report;
        assert_eq!(fresh, again);
        forget();
        assert_eq!(sync(&req).unwrap().report, fresh);
        req.lane_var_files
            .insert("dev.szvar".into(), Some("region: us-east-2\n".into()));
        let out = sync(&req).unwrap();
        assert!(
            out.writes[0]
                .contents
                .as_deref()
                .unwrap()
                .contains("us-east-2")
        );
        req.env.insert("X".into(), "1".into());
        req.text = req.text.replace("none", "other");
        assert!(sync(&req).is_ok());
    }
}
