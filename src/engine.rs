//! The sync engine: produce a value for every automatic secret, plan the target writes, and
//! record the lockfile entries — all in memory, nothing written (the host applies the plan).
//!
//! A secret is all-or-nothing: if any of its targets cannot be used (unsupported provider,
//! path outside the root, a file that cannot be merged), no value is produced for it, none
//! of its targets are written and the lockfile does not record it; the other secrets go on.

use indexmap::IndexMap;

use crate::classify::Source;
use crate::diagnostic::Diagnostic;
use crate::generate;
use crate::lockfile::{Lockfile, hash_value};
use crate::model::{Secret, Secretfile, Target};
use crate::random::RandomSource;
use crate::report::{SecretDetail, TargetResult};
use crate::secret::SecretValue;
use crate::target_id::target_id;
use crate::targets::{self, FileTarget};

/// One automatic secret handed to the engine.
pub struct Job<'a> {
    /// The secret.
    pub secret: &'a Secret,
    /// Where its value comes from.
    pub source: Source,
    /// A value supplied by the host, the environment, or found in a target (for
    /// [`Source::Supplied`] / [`Source::Existing`]).
    pub supplied: Option<SecretValue>,
    /// Values supplied for template fields, by field name (a second round after a failed
    /// store reuses the first round's values).
    pub field_values: std::collections::BTreeMap<String, SecretValue>,
}

/// A planned write of one file target: path, format, and the (key, value) entries.
struct FilePlan {
    target: FileTarget,
    target_config: crate::model::DataMap,
    entries: Entries,
}

/// The outcome of one secret in the engine.
pub struct Done {
    /// Name of the secret.
    pub name: String,
    /// The per-secret detail for the report.
    pub detail: SecretDetail,
    /// Why it failed, if it did.
    pub failure: Option<Fail>,
}

/// The engine's result.
pub struct EngineOutput {
    /// One entry per job, in job order.
    pub done: Vec<Done>,
    /// File contents to write, in first-touch order, templates last (empty under dry-run):
    /// `(path, contents, is_template_output)`.
    pub files: Vec<(String, String, bool)>,
    /// Error lines for `sync_results.errors`.
    pub errors: Vec<String>,
    /// Values to store in shared stores, in job order (empty under dry-run).
    pub stores: Vec<StoreWrite>,
    /// The value of every secret (or template field, `secret.field`) that has a store
    /// write, so a second round after a failed store reuses them instead of regenerating.
    pub produced: std::collections::BTreeMap<String, SecretValue>,
}

/// One value to store in a shared store.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct StoreWrite {
    /// The secret (or `secret.field` for template fields).
    pub secret: String,
    /// Where.
    #[serde(flatten)]
    pub target: StoreTarget,
    /// The value to store (`value_field` of a JSON-object value already applied).
    pub value: String,
}

impl std::fmt::Debug for StoreWrite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreWrite")
            .field("secret", &self.secret)
            .field("target", &self.target)
            .field("value", &"[redacted]")
            .finish()
    }
}

/// Where the lockfile records of a secret go.
pub struct Lockfiles<'a> {
    /// The shared lockfile.
    pub shared: &'a mut Lockfile,
    /// The workstation lockfile (`local: true` secrets).
    pub local: &'a mut Lockfile,
}

/// Engine inputs besides the jobs.
pub struct EngineContext<'a> {
    /// The Secretfile (templates, definition hashes).
    pub secretfile: &'a Secretfile,
    /// Existing target files by normalised path (`None`: the file does not exist).
    pub files: &'a std::collections::BTreeMap<String, Option<String>>,
    /// Plan only.
    pub dry_run: bool,
    /// Allow target paths outside the root.
    pub allow_outside_root: bool,
    /// The lockfile time text.
    pub now: &'a str,
    /// The provenance actor for local targets.
    pub actor: &'a crate::model::DataMap,
    /// The Jinja renderer (template targets).
    pub jinja: &'a crate::interpolate::Jinja,
    /// Shared-store adapters and the host's access gate.
    pub stores: Stores<'a>,
}

/// The unit a secret writes: its own value, or each field of a template.
struct Unit {
    /// Lockfile key (`secret` or `secret.field`).
    lock_key: String,
    /// Key in files (the target's `key`, else the field or secret name).
    default_key: String,
    value: SecretValue,
    targets: Vec<Target>,
}

/// Where a unit's value goes.
#[derive(Clone)]
pub enum Dest {
    /// A `local/file` target.
    File(FileTarget),
    /// A `local/template` target: rendered once after every secret, from `template` to
    /// `output` (both normalised paths).
    Template {
        /// The Jinja template file.
        template: String,
        /// The rendered file.
        output: String,
    },
    /// A shared store written by a host adapter (`aws/ssm_parameter`, ...).
    Store(Box<StoreTarget>),
}

/// A target in a shared store, written by the host's adapter for `adapter`.
///
/// `Debug` leaves out `provider_config`: after `${ENV}` interpolation it can hold static
/// credentials.
#[derive(Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct StoreTarget {
    /// The lockfile target ID (`aws/ssm_parameter//app/db`).
    pub target_id: String,
    /// The adapter key: the provider's kind (or its alias when it has none) and the target
    /// kind, `aws/ssm_parameter`.
    pub adapter: String,
    /// The provider alias the target names.
    pub provider: String,
    /// The target kind.
    pub kind: String,
    /// The target's `config` (after target-profile overrides).
    #[cfg_attr(feature = "wasm", tsify(type = "Record<string, unknown>"))]
    pub config: crate::model::DataMap,
    /// The provider's block from `providers`, when the Secretfile has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub provider_config: Option<crate::model::Provider>,
}

impl std::fmt::Debug for StoreTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreTarget")
            .field("target_id", &self.target_id)
            .field("adapter", &self.adapter)
            .field("provider", &self.provider)
            .field("kind", &self.kind)
            .field(
                "provider_config",
                &self.provider_config.as_ref().map(|_| "[redacted]"),
            )
            .finish_non_exhaustive()
    }
}

/// Resolve a non-local target into a [`StoreTarget`].
pub fn store_target(t: &Target, sf: &Secretfile) -> StoreTarget {
    let provider_config = sf.providers.get(&t.provider).cloned();
    let provider_kind = provider_config
        .as_ref()
        .and_then(|p| p.kind.clone())
        .unwrap_or_else(|| t.provider.clone());
    StoreTarget {
        target_id: target_id(t),
        adapter: format!("{provider_kind}/{}", t.kind),
        provider: t.provider.clone(),
        kind: t.kind.clone(),
        config: t.config.clone(),
        provider_config,
    }
}

/// Why a secret failed in the engine: a stable code and a message without values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fail {
    /// The code (`PATH_OUTSIDE_ROOT`, `TARGET_MERGE_FAILED`, ...).
    pub code: crate::ErrorCode,
    /// What happened and what to do.
    pub message: String,
}

impl Fail {
    fn new(code: crate::ErrorCode, message: impl Into<String>) -> Self {
        Fail {
            code,
            message: message.into(),
        }
    }

    fn from_diag(prefix: &str, d: &Diagnostic) -> Self {
        Fail::new(d.code, format!("{prefix}{}", diag_text(d)))
    }
}

/// Entries of one file or template: (key, value, job index).
type Entries = Vec<(String, SecretValue, usize)>;

/// A unit with its resolved targets.
type Planned = (Unit, Vec<(Target, Dest)>);

/// The template/output paths of a `local/template` target.
pub fn template_paths(
    config: &crate::model::DataMap,
    allow_outside_root: bool,
) -> Result<(String, String), Fail> {
    let get = |k: &str| -> Result<String, Fail> {
        let raw = config
            .get(k)
            .and_then(crate::model::Data::as_str)
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| {
                Fail::new(
                    crate::ErrorCode::InvalidTarget,
                    format!("template target requires `{k}`"),
                )
            })?;
        crate::paths::target_path(raw, allow_outside_root).map_err(|d| Fail::from_diag("", &d))
    };
    Ok((get("template_path")?, get("output_path")?))
}

/// What the host can store to, and what its access gate found.
#[derive(Clone, Copy)]
pub struct Stores<'a> {
    /// Adapter keys the host has (`aws/ssm_parameter`, ...).
    pub adapters: &'a [String],
    /// Targets the host could not reach, by target ID, with the provider's error.
    pub unreachable: &'a std::collections::BTreeMap<String, String>,
    /// Targets whose store failed in an earlier round, by target ID.
    pub failed: &'a std::collections::BTreeMap<String, String>,
}

/// Resolve a secret's targets; any unusable target fails the secret.
fn file_targets(
    targets: &[Target],
    allow_outside_root: bool,
    sf: &Secretfile,
    stores: Stores<'_>,
) -> Result<Vec<(Target, Dest)>, Fail> {
    let mut out = Vec::new();
    for t in targets {
        match (t.provider.as_str(), t.kind.as_str()) {
            ("local", "file") => match FileTarget::from_config(&t.config, allow_outside_root) {
                Ok(ft) => out.push((t.clone(), Dest::File(ft))),
                Err(d) => return Err(Fail::from_diag("target local/file: ", &d)),
            },
            ("local", "template") => {
                let (template, output) =
                    template_paths(&t.config, allow_outside_root).map_err(|f| {
                        Fail::new(f.code, format!("target local/template: {}", f.message))
                    })?;
                out.push((t.clone(), Dest::Template { template, output }));
            }
            ("local", kind) => {
                return Err(Fail::new(
                    crate::ErrorCode::InvalidTarget,
                    format!(
                        "target local/{kind} is not a local target kind (use `file` or `template`)"
                    ),
                ));
            }
            (provider, kind) => {
                let st = store_target(t, sf);
                let unreachable = |why: &str| {
                    Fail::new(
                        crate::ErrorCode::TargetUnreachable,
                        format!("target {provider}/{kind} ({}): {why}", st.target_id),
                    )
                };
                if !stores.adapters.contains(&st.adapter) {
                    return Err(unreachable(&format!(
                        "no adapter for `{}` in this host; the secret was not generated (other secrets are unaffected)",
                        st.adapter
                    )));
                }
                if let Some(why) = stores.unreachable.get(&st.target_id) {
                    return Err(unreachable(&format!(
                        "not reachable: {why}; the secret was not generated"
                    )));
                }
                if let Some(why) = stores.failed.get(&st.target_id) {
                    return Err(unreachable(&format!("the store failed: {why}")));
                }
                out.push((t.clone(), Dest::Store(Box::new(st))));
            }
        }
    }
    Ok(out)
}

fn diag_text(d: &Diagnostic) -> String {
    match &d.hint {
        Some(h) => format!("{}; {h}", d.message),
        None => d.message.clone(),
    }
}

/// Produce the units of one job (one value, or one per template field).
fn units(job: &Job<'_>, sf: &Secretfile, rng: &mut dyn RandomSource) -> Result<Vec<Unit>, Fail> {
    let s = job.secret;
    if let Some(tname) = s.kind.strip_prefix("templates.") {
        let template = sf.templates.get(tname).ok_or_else(|| {
            Fail::new(
                crate::ErrorCode::UnknownTemplate,
                format!("template `{tname}` is not defined"),
            )
        })?;
        let mut out = Vec::new();
        for (field, f) in &template.fields {
            let value = match job.field_values.get(field) {
                Some(v) => v.clone(),
                None => generate::generate(&f.generator.kind, &f.generator.config, rng)
                    .map_err(|d| Fail::from_diag(&format!("field `{field}`: "), &d))?,
            };
            let mut targets = f.targets.clone();
            targets.extend(template.targets.iter().cloned());
            targets.extend(s.targets.iter().cloned());
            out.push(Unit {
                lock_key: format!("{}.{field}", s.name),
                default_key: field.clone(),
                value,
                targets,
            });
        }
        return Ok(out);
    }
    let value = match (&job.supplied, job.source) {
        (Some(v), _) => v.clone(),
        (None, Source::Generated | Source::Static) => {
            generate::generate(&s.kind, &s.config, rng).map_err(|d| Fail::from_diag("", &d))?
        }
        (None, Source::Script) => {
            return Err(Fail::new(
                crate::ErrorCode::Usage,
                "the script's output was not provided by the host",
            ));
        }
        (None, _) => {
            return Err(Fail::new(
                crate::ErrorCode::Internal,
                "no value is available",
            ));
        }
    };
    Ok(vec![Unit {
        lock_key: s.name.clone(),
        default_key: s.name.clone(),
        value,
        targets: s.targets.clone(),
    }])
}

/// Run the engine over `jobs`.
pub fn run(
    jobs: &[Job<'_>],
    ctx: &EngineContext<'_>,
    locks: &mut Lockfiles<'_>,
    rng: &mut dyn RandomSource,
) -> EngineOutput {
    let mut done: Vec<Done> = Vec::new();
    let mut errors = Vec::new();
    // Per job: units with their resolved file targets (None when the job failed early).
    let mut planned: Vec<Option<Vec<Planned>>> = Vec::new();

    for job in jobs {
        let s = job.secret;
        let mut detail = SecretDetail {
            name: s.name.clone(),
            kind: s.kind.clone(),
            source: Some(source_name(job.source).to_string()),
            dry_run: ctx.dry_run.then_some(true),
            ..SecretDetail::default()
        };
        // Targets first: no value is produced for a secret that cannot be stored.
        let resolved: Result<Vec<_>, Fail> = (|| {
            file_targets(
                &all_targets(s, ctx.secretfile),
                ctx.allow_outside_root,
                ctx.secretfile,
                ctx.stores,
            )?;
            let mut list = Vec::new();
            for u in units(job, ctx.secretfile, rng)? {
                let fts = file_targets(
                    &u.targets,
                    ctx.allow_outside_root,
                    ctx.secretfile,
                    ctx.stores,
                )?;
                list.push((u, fts));
            }
            Ok(list)
        })();
        let resolved = match resolved {
            Ok(r) => r,
            Err(fail) => {
                detail.errors.push(fail.message.clone());
                detail.error_code = Some(fail.code);
                errors.push(format!(
                    "Error syncing secret '{}': {}",
                    s.name, fail.message
                ));
                done.push(Done {
                    name: s.name.clone(),
                    detail,
                    failure: Some(fail),
                });
                planned.push(None);
                continue;
            }
        };
        detail.generated = true;
        done.push(Done {
            name: s.name.clone(),
            detail,
            failure: None,
        });
        planned.push(Some(resolved));
    }

    // Render files and templates; a file that cannot be merged (or a template that cannot
    // be rendered) fails every secret writing to it, and everything is re-rendered without
    // those secrets until nothing more fails.
    let mut rendered: Vec<(String, String, bool)>;
    loop {
        let mut plans: IndexMap<String, FilePlan> = IndexMap::new();
        let mut templates: IndexMap<String, (String, Entries)> = IndexMap::new();
        for (ji, p) in planned.iter().enumerate() {
            let Some(units) = p else { continue };
            for (u, dests) in units {
                for (t, dest) in dests {
                    match dest {
                        Dest::File(ft) => {
                            let key = ft.entry_key(&u.default_key).to_string();
                            plans
                                .entry(ft.path.clone())
                                .or_insert_with(|| FilePlan {
                                    target: ft.clone(),
                                    target_config: t.config.clone(),
                                    entries: Vec::new(),
                                })
                                .entries
                                .push((key, u.value.clone(), ji));
                        }
                        Dest::Template { template, output } => templates
                            .entry(output.clone())
                            .or_insert_with(|| (template.clone(), Vec::new()))
                            .1
                            .push((u.default_key.clone(), u.value.clone(), ji)),
                        // Stores are executed by the host after the plan; nothing to render.
                        Dest::Store(_) => {}
                    }
                }
            }
        }
        rendered = Vec::new();
        let mut newly_failed: Vec<(usize, Fail)> = Vec::new();
        for (path, plan) in &plans {
            let Some(existing) = ctx.files.get(path) else {
                let msg = Fail::new(
                    crate::ErrorCode::Usage,
                    format!(
                        "target file `{path}` was not read by the host; pass it in `files` (null when it does not exist)"
                    ),
                );
                for (_, _, ji) in &plan.entries {
                    newly_failed.push((*ji, msg.clone()));
                }
                continue;
            };
            let entries: Vec<(String, String)> = plan
                .entries
                .iter()
                // EXPOSE: the value goes into the file text the host writes to the target.
                .map(|(k, v, _)| (k.clone(), store_value(v.expose(), &plan.target_config)))
                .collect();
            match targets::render(
                plan.target.format,
                existing.as_deref(),
                plan.target.merge,
                &entries,
            ) {
                Ok(text) => rendered.push((path.clone(), text, false)),
                Err(d) => {
                    let msg = Fail::from_diag(&format!("target file `{path}`: "), &d);
                    for (_, _, ji) in &plan.entries {
                        newly_failed.push((*ji, msg.clone()));
                    }
                }
            }
        }
        // Templates are rendered after every secret, and not at all under dry-run.
        if !ctx.dry_run {
            for (output, (template, entries)) in &templates {
                let fail = |msg: Fail, newly_failed: &mut Vec<(usize, Fail)>| {
                    for (_, _, ji) in entries {
                        newly_failed.push((*ji, msg.clone()));
                    }
                };
                let source = match ctx.files.get(template) {
                    Some(Some(text)) => text,
                    Some(None) => {
                        fail(
                            Fail::new(
                                crate::ErrorCode::Io,
                                format!("template file `{template}` does not exist"),
                            ),
                            &mut newly_failed,
                        );
                        continue;
                    }
                    None => {
                        fail(
                            Fail::new(
                                crate::ErrorCode::Usage,
                                format!(
                                    "template file `{template}` was not read by the host; pass it in `files`"
                                ),
                            ),
                            &mut newly_failed,
                        );
                        continue;
                    }
                };
                let mut secrets = std::collections::BTreeMap::new();
                for (name, v, _) in entries {
                    // EXPOSE: rendered into the template output the host writes.
                    secrets.insert(name.clone(), v.expose().to_string());
                }
                let mut ctx_map: std::collections::BTreeMap<String, minijinja::Value> =
                    crate::sorting::btree_map(
                        secrets
                            .iter()
                            .map(|(k, v)| (k.clone(), minijinja::Value::from(v.clone()))),
                    );
                ctx_map.insert("secrets".into(), minijinja::Value::from(secrets.clone()));
                match ctx
                    .jinja
                    .render_file(source, &minijinja::Value::from(ctx_map))
                {
                    Ok(text) => rendered.push((output.clone(), text, true)),
                    Err(m) => fail(
                        Fail::new(
                            crate::ErrorCode::TemplateRender,
                            format!("template `{template}`: {m}"),
                        ),
                        &mut newly_failed,
                    ),
                }
            }
        }
        if newly_failed.is_empty() {
            break;
        }
        for (ji, msg) in newly_failed {
            if planned.get(ji).is_some_and(Option::is_some) {
                if let Some(slot) = planned.get_mut(ji) {
                    *slot = None;
                }
                if let Some(d) = done.get_mut(ji) {
                    d.detail.generated = false;
                    d.detail.errors.push(msg.message.clone());
                    d.detail.error_code = Some(msg.code);
                    errors.push(format!(
                        "Error syncing secret '{}': {}",
                        d.name, msg.message
                    ));
                    d.failure = Some(msg);
                }
            }
        }
    }

    // Target results and lockfile records for the secrets that made it.
    for (ji, p) in planned.iter().enumerate() {
        let (Some(units), Some(d), Some(job)) = (p, done.get_mut(ji), jobs.get(ji)) else {
            continue;
        };
        let lock: &mut Lockfile = if job.secret.local {
            locks.local
        } else {
            locks.shared
        };
        // The definition hash (canonical JSON + SHA-256) and the value hashes only go into
        // the lockfile, which a dry run does not write: skip them (most of a big dry run).
        let def_hash =
            (!ctx.dry_run).then(|| crate::lockfile::definition_hash(job.secret, ctx.secretfile));
        for (u, fts) in units {
            for (t, _) in fts {
                d.detail.targets.push(TargetResult {
                    provider: t.provider.clone(),
                    kind: t.kind.clone(),
                    status: if ctx.dry_run { "would_store" } else { "stored" }.to_string(),
                    message: None,
                    target_id: Some(target_id(t)),
                });
            }
            if let Some(def_hash) = &def_hash {
                let ids: Vec<String> = fts.iter().map(|(t, _)| target_id(t)).collect();
                // EXPOSE: hashing only; the hash is what the lockfile records.
                let hash = hash_value(u.value.expose());
                lock.record(&u.lock_key, &hash, &ids, ctx.now, ctx.actor, Some(def_hash));
            }
        }
        d.detail.stored = !ctx.dry_run;
    }
    let mut stores = Vec::new();
    let mut produced = std::collections::BTreeMap::new();
    if !ctx.dry_run {
        for p in planned.iter().flatten() {
            for (u, dests) in p {
                for (t, dest) in dests {
                    if let Dest::Store(st) = dest {
                        produced.insert(u.lock_key.clone(), u.value.clone());
                        stores.push(StoreWrite {
                            secret: u.lock_key.clone(),
                            target: (**st).clone(),
                            // EXPOSE: the host's adapter stores it.
                            value: store_value(u.value.expose(), &t.config),
                        });
                    }
                }
            }
        }
    }
    EngineOutput {
        done,
        files: if ctx.dry_run { Vec::new() } else { rendered },
        errors,
        stores,
        produced,
    }
}

/// Every target a secret writes to (for templates: each field's, the template's, its own).
pub fn all_targets(s: &Secret, sf: &Secretfile) -> Vec<Target> {
    let mut out = s.targets.clone();
    if let Some(t) = s
        .kind
        .strip_prefix("templates.")
        .and_then(|n| sf.templates.get(n))
    {
        for f in t.fields.values() {
            out.extend(f.targets.iter().cloned());
        }
        out.extend(t.targets.iter().cloned());
    }
    out
}

/// The value a target stores: when the secret's value is a JSON object, the field named by
/// the target's `value_field` (default `token`, a dot path) if present, as the reference's
/// `_coerce_target_store_value` does; otherwise the value itself.
pub fn store_value(value: &str, config: &crate::model::DataMap) -> String {
    let field = match config.get("value_field") {
        None => "token".to_string(),
        Some(crate::model::Data::String(s)) => s.clone(),
        Some(crate::model::Data::Null) => return value.to_string(),
        Some(other) => crate::interpolate::python_str(other),
    };
    if field.is_empty() || !value.trim_start().starts_with('{') {
        return value.to_string();
    }
    let Ok(serde_json::Value::Object(obj)) = serde_json::from_str::<serde_json::Value>(value)
    else {
        return value.to_string();
    };
    let mut current = &serde_json::Value::Object(obj.clone());
    for segment in field.split('.') {
        let key = segment.trim();
        match current.get(key) {
            Some(v) if !key.is_empty() => current = v,
            _ => return value.to_string(),
        }
    }
    generate::normalize_value(current)
}

/// The report name of a value source.
pub fn source_name(s: Source) -> &'static str {
    match s {
        Source::Generated => "generated",
        Source::Static => "static",
        Source::Supplied => "supplied",
        Source::Existing => "existing",
        Source::Script => "script",
        Source::None => "none",
    }
}
