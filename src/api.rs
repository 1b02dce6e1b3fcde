//! The JSON-in/JSON-out surface that every host calls (wasm, tests, tools).
//!
//! One dispatcher, [`call`], takes an operation name and a JSON request and returns a JSON
//! envelope: `{"ok": <response>}` or `{"error": {code, message, line?, column?,
//! diagnostics}}`. Strings cross the wasm boundary (and `JSON.parse` builds the objects on the
//! JS side), which keeps `src/wasm.rs` to a few lines, makes every operation testable
//! natively, and keeps hostile keys such as `__proto__` from touching JS prototypes.
//!
//! Operations (request → response types):
//! - `version` → [`VersionResponse`]
//! - `parse` ([`SecretfileInput`]) → [`ParseResponse`]
//! - `validate` ([`SecretfileInput`]) → [`ValidateResponse`]
//! - `classify` ([`ClassifyRequest`]) → [`ClassifyResponse`]
//! - `generate` ([`GenerateRequest`]) → [`GenerateResponse`]
//! - `generate_many` ([`GenerateManyRequest`]) → [`GenerateManyResponse`]
//! - `target_files` ([`crate::sync::SyncRequest`]) → [`crate::sync::TargetFilesResponse`]
//! - `plan_scripts` ([`crate::sync::SyncRequest`]) → [`crate::sync::ScriptsResponse`]
//! - `sync` ([`crate::sync::SyncRequest`]) → [`crate::sync::SyncResponse`]
//! - `status` ([`crate::status::StatusRequest`]) → [`crate::status::StatusReport`]
//! - `format_report` ([`FormatRequest`]) → [`FormatResponse`]
//! - `format_diagnostics` ([`DiagnosticsRequest`]) → [`FormatResponse`]
//! - `instructions` ([`crate::instructions::InstructionsRequest`]) →
//!   [`crate::instructions::InstructionsResponse`]
//! - `format_instructions` ([`FormatInstructionsRequest`]) → [`FormatResponse`]
//! - `schema` → the Secretfile's JSON Schema (a JSON object)
//! - `classify_steps` ([`StepsRequest`]) → a list of [`crate::steps::StepClass`]

use serde::{Deserialize, Serialize};

use crate::classify::{Classification, ClassifyContext, classify};
use crate::diagnostic::{Diagnostic, Error, ErrorCode, Severity};
use crate::interpolate::Env;
use crate::model::{DataMap, Secret, Secretfile};
use crate::parse::{ParseOptions, VarFile, parse_secretfile};

/// The library version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// A Secretfile and what interpolating it needs.
#[derive(Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct SecretfileInput {
    /// The Secretfile's YAML text.
    pub text: String,
    /// Environment variables for `${NAME}` interpolation and `UPPER_NAME` overrides.
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(type = "Record<string, string>", optional))]
    pub env: Env,
    /// Variable files (already read by the host), merged into `variables` in order.
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub var_files: Vec<VarFile>,
}

/// The environment supplies secret values (`UPPER_NAME`): `Debug` shows its names only.
impl std::fmt::Debug for SecretfileInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretfileInput")
            .field("text_bytes", &self.text.len())
            .field("env", &self.env.keys().collect::<Vec<_>>())
            .field("var_files", &self.var_files)
            .finish()
    }
}

impl SecretfileInput {
    fn options(&self) -> ParseOptions {
        ParseOptions {
            env: self.env.clone(),
            var_files: self.var_files.clone(),
            ..ParseOptions::default()
        }
    }
}

/// `version` response.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct VersionResponse {
    /// Semantic version of the core.
    pub version: String,
}

/// `parse` response: the model plus every diagnostic.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct ParseResponse {
    /// Whether there is no error (warnings allowed).
    pub valid: bool,
    /// The parsed model (`null` when the text is not a usable YAML mapping).
    pub secretfile: Option<Secretfile>,
    /// Errors and warnings in document order.
    pub diagnostics: Vec<Diagnostic>,
}

/// `validate` response.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct ValidateResponse {
    /// Whether there is no error.
    pub valid: bool,
    /// Number of errors.
    pub errors: usize,
    /// Number of warnings.
    pub warnings: usize,
    /// Errors and warnings in document order.
    pub diagnostics: Vec<Diagnostic>,
}

/// `classify` request: one secret, with the Secretfile it belongs to when templates matter.
#[derive(Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct ClassifyRequest {
    /// The secret.
    pub secret: Secret,
    /// The Secretfile (for `templates.<name>` kinds).
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub secretfile: Option<Secretfile>,
    /// Environment: a set, non-empty `UPPER_NAME` supplies the value.
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(type = "Record<string, string>", optional))]
    pub env: Env,
    /// Whether `script` secrets may run.
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub allow_scripts: bool,
}

/// The environment supplies secret values (`UPPER_NAME`): `Debug` shows its names only.
impl std::fmt::Debug for ClassifyRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClassifyRequest")
            .field("secret", &self.secret)
            .field("env", &self.env.keys().collect::<Vec<_>>())
            .field("allow_scripts", &self.allow_scripts)
            .finish_non_exhaustive()
    }
}

/// `classify` response.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct ClassifyResponse {
    /// The secret's name.
    pub name: String,
    /// The classification.
    #[serde(flatten)]
    pub classification: Classification,
}

/// `generate` request: produce one value with a generator.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct GenerateRequest {
    /// `random_password`, `random_string`, `uuid` or `static`.
    pub kind: String,
    /// Generator options.
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(type = "Record<string, unknown>", optional))]
    pub config: DataMap,
}

/// `generate` response. The only response that carries a secret value.
#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct GenerateResponse {
    /// The generated value.
    pub value: String,
}

impl std::fmt::Debug for GenerateResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GenerateResponse { value: [redacted] }")
    }
}

/// `generate_many` request: `count` values from one generator in one call (bulk
/// provisioning, and the statistical tests of the randomness, which need a million).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct GenerateManyRequest {
    /// `random_password`, `random_string`, `uuid` or `static`.
    pub kind: String,
    /// Generator options.
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(type = "Record<string, unknown>", optional))]
    pub config: DataMap,
    /// How many values, at most [`MAX_GENERATE_COUNT`].
    pub count: usize,
}

/// Most values one `generate_many` call produces.
pub const MAX_GENERATE_COUNT: usize = 1_000_000;
/// Most bytes of values one `generate_many` call returns.
pub const MAX_GENERATE_BYTES: usize = 64 * 1024 * 1024;

/// `generate_many` response: independent values, each drawn like `generate`'s.
#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct GenerateManyResponse {
    /// The generated values.
    pub values: Vec<String>,
}

impl std::fmt::Debug for GenerateManyResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "GenerateManyResponse {{ values: [{} redacted] }}",
            self.values.len()
        )
    }
}

/// `format_report` request.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct FormatRequest {
    /// The report, as returned by `sync`.
    #[cfg_attr(feature = "wasm", tsify(type = "SyncReport"))]
    pub report: serde_json::Value,
    /// `text` (the human report, default) or `json` (the reference's exact `--json` bytes).
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub format: ReportFormat,
    /// Use ANSI colours (only on a TTY and without `NO_COLOR`; the host decides). Default false.
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub color: bool,
    /// Line width for rules and wrapping. Default 80.
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub width: Option<usize>,
}

/// Report output formats.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "lowercase")]
pub enum ReportFormat {
    /// Human-readable text.
    #[default]
    Text,
    /// JSON exactly as the reference CLI prints it (Python `json.dumps(indent=2)`).
    Json,
}

/// `format_report` response.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct FormatResponse {
    /// The formatted report (ends with a newline).
    pub text: String,
}

/// `format_diagnostics` request.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct DiagnosticsRequest {
    /// The file the diagnostics are about (printed as `FILE:LINE:COL`).
    pub file: String,
    /// The diagnostics.
    pub diagnostics: Vec<Diagnostic>,
    /// Use ANSI colours. Default false.
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub color: bool,
}

/// `format_instructions` request.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct FormatInstructionsRequest {
    /// The instructions, as returned by `instructions`.
    pub instructions: crate::instructions::InstructionsResponse,
    /// `text` (default) or `json` (the reference's `{scope, total, secrets}` document).
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub format: ReportFormat,
    /// Every instruction field, not only summary and steps (`--detailed`). Default false.
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub detailed: bool,
    /// Text only: no header line (one secret shown on its own). Default false.
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub bare: bool,
    /// Text only: ANSI colours. Default false.
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub color: bool,
    /// Text only: line width. Default 80.
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub width: Option<usize>,
}

/// `format_instructions`.
pub fn format_instructions(r: &FormatInstructionsRequest) -> FormatResponse {
    let text = match r.format {
        ReportFormat::Json => format!(
            "{}\n",
            crate::pyjson::dumps_pretty(&crate::instructions::json_payload(
                &r.instructions,
                r.detailed
            ))
        ),
        ReportFormat::Text => crate::human::render_instructions(
            &r.instructions,
            &crate::human::InstructionsTextOptions {
                text: crate::human::TextOptions {
                    color: r.color,
                    width: r.width.unwrap_or(80),
                },
                detailed: r.detailed,
                bare: r.bare,
            },
        ),
    };
    FormatResponse { text }
}

/// `classify_steps` request.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct StepsRequest {
    /// Step actions to classify.
    pub actions: Vec<String>,
}

/// The `--json` error document: `{"error": {code, message, line, column}, "diagnostics": [...]}`.
pub fn error_document(e: &Error) -> serde_json::Value {
    serde_json::json!({
        "error": {"code": e.code, "message": e.message, "line": e.line, "column": e.column},
        "diagnostics": e.diagnostics,
    })
}

/// The envelope as serde wrote it (the reference for [`crate::json_out`]'s tests).
#[cfg(test)]
#[derive(Serialize)]
pub(crate) struct Envelope<'a, T: Serialize> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) ok: Option<&'a T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) error: Option<&'a Error>,
}

/// The envelope, written by [`crate::json_out`] (serde_json's exact bytes).
fn respond<T: crate::json_out::ToJson>(result: Result<T, Error>) -> String {
    match &result {
        Ok(v) => crate::json_out::ok_envelope(v),
        Err(e) => crate::json_out::error_envelope(e),
    }
}

/// Run operation `op` on the JSON `input`; always returns a JSON envelope, never panics.
pub fn call(op: &str, input: &str) -> String {
    match op {
        "version" => respond(Ok(VersionResponse {
            version: VERSION.to_string(),
        })),
        "parse" => respond(crate::wire::secretfile_input_request(op, input).map(|r| parse(&r))),
        "validate" => {
            respond(crate::wire::secretfile_input_request(op, input).map(|r| validate(&r)))
        }
        "classify" => respond(classify_request(op, input).map(|r| classify_one(&r))),
        "generate" => respond(crate::wire::generate_request(op, input).and_then(|r| generate(&r))),
        "generate_many" => {
            respond(crate::wire::generate_many_request(op, input).and_then(|r| generate_many(&r)))
        }
        "target_files" => respond(
            crate::wire::sync_request(op, input).and_then(|r| crate::sync::target_files(&r)),
        ),
        "status" => {
            respond(crate::wire::status_request(op, input).and_then(|r| crate::status::status(&r)))
        }
        "plan_scripts" => respond(
            crate::wire::sync_request(op, input).and_then(|r| crate::sync::plan_scripts(&r)),
        ),
        "sync" => respond(crate::wire::sync_request(op, input).and_then(|r| crate::sync::sync(&r))),
        "format_report" => {
            respond(crate::wire::format_request(op, input).and_then(|r| format_report(&r)))
        }
        "format_diagnostics" => {
            respond(
                crate::wire::diagnostics_request_of(op, input).map(|r| FormatResponse {
                    text: crate::human::render_diagnostics(&r.file, &r.diagnostics, r.color),
                }),
            )
        }
        "instructions" => respond(
            crate::wire::instructions_request(op, input)
                .and_then(|r| crate::instructions::instructions(&r)),
        ),
        "format_instructions" => respond(
            crate::wire::format_instructions_request(op, input).map(|r| format_instructions(&r)),
        ),
        "classify_steps" => respond(crate::wire::steps_request(op, input).map(|r| {
            r.actions
                .iter()
                .map(|a| crate::steps::classify_step(a))
                .collect::<Vec<_>>()
        })),
        "schema" => {
            match serde_json::from_str::<serde_json::Value>(
                crate::schema::SECRETFILE_SCHEMA_COMPACT,
            ) {
                Ok(v) => respond(Ok(v)),
                Err(_) => crate::json_out::error_envelope(&Error::new(
                    ErrorCode::Internal,
                    "the embedded schema is not JSON",
                )),
            }
        }
        _ => crate::json_out::error_envelope(&Error::new(
            ErrorCode::Usage,
            format!("unknown operation `{op}`"),
        )),
    }
}

/// `classify` as it arrives (read by [`crate::wire`]): the secret and the Secretfile are
/// model objects (from `parseSecretfile`), read by the Secretfile decoder rather than by
/// serde's derived `Deserialize` (which cost ~75 KB of WebAssembly for this one operation;
/// see bench/README.md). Same rules: wrong types and missing required fields are refused.
#[derive(Debug)]
#[cfg_attr(test, derive(Deserialize, Serialize))]
pub(crate) struct ClassifyWire {
    pub(crate) secret: crate::model::Data,
    #[cfg_attr(test, serde(default))]
    pub(crate) secretfile: Option<crate::model::Data>,
    #[cfg_attr(test, serde(default))]
    pub(crate) env: Env,
    #[cfg_attr(test, serde(default))]
    pub(crate) allow_scripts: bool,
}

fn classify_request(op: &str, input: &str) -> Result<ClassifyRequest, Error> {
    let wire = crate::wire::classify_request(op, input)?;
    let refuse = |field: &str, diags: &[Diagnostic]| -> Option<Error> {
        let d = diags.iter().find(|d| d.is_error())?;
        let at = d
            .path
            .as_deref()
            .map(|p| format!(" at `{p}`"))
            .unwrap_or_default();
        Some(Error::from(
            Diagnostic::error(
                ErrorCode::Usage,
                format!(
                    "the `classify` request's `{field}` is not a valid {field}{at}: {}",
                    d.message
                ),
            )
            .with_hint("pass a secret (and Secretfile) as returned by parseSecretfile"),
        ))
    };
    let mut diags = Vec::new();
    if !wire.secret.is_object() {
        return Err(Error::from(
            Diagnostic::error(
                ErrorCode::Usage,
                "the `classify` request's `secret` must be an object",
            )
            .with_hint("pass a secret as returned by parseSecretfile"),
        ));
    }
    let secret = crate::decode::secret(&crate::decode::from_data(&wire.secret), &mut diags);
    if let Some(e) = refuse("secret", &diags) {
        return Err(e);
    }
    let secretfile = match &wire.secretfile {
        None | Some(crate::model::Data::Null) => None,
        Some(v) => {
            let mut diags = Vec::new();
            let sf = crate::decode::secretfile(&crate::decode::from_data(v), &mut diags);
            if let Some(e) = refuse("secretfile", &diags) {
                return Err(e);
            }
            Some(sf)
        }
    };
    Ok(ClassifyRequest {
        secret,
        secretfile,
        env: wire.env,
        allow_scripts: wire.allow_scripts,
    })
}

/// `parse`.
pub fn parse(input: &SecretfileInput) -> ParseResponse {
    let p = parse_secretfile(&input.text, &input.options());
    ParseResponse {
        valid: p.is_valid(),
        secretfile: p.tree.is_some().then_some(p.secretfile),
        diagnostics: p.diagnostics,
    }
}

/// `validate`.
pub fn validate(input: &SecretfileInput) -> ValidateResponse {
    let p = parse_secretfile(&input.text, &input.options());
    let errors = p
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    ValidateResponse {
        valid: errors == 0,
        errors,
        warnings: p.diagnostics.len() - errors,
        diagnostics: p.diagnostics,
    }
}

/// `classify`.
pub fn classify_one(r: &ClassifyRequest) -> ClassifyResponse {
    let sf = r.secretfile.clone().unwrap_or_default();
    let supplied = r
        .env
        .get(&crate::classify::env_name(&r.secret.name))
        .is_some_and(|v| !v.is_empty());
    ClassifyResponse {
        name: r.secret.name.clone(),
        classification: classify(
            &r.secret,
            &sf,
            ClassifyContext {
                allow_scripts: r.allow_scripts,
                supplied,
            },
        ),
    }
}

/// `generate`.
pub fn generate(r: &GenerateRequest) -> Result<GenerateResponse, Error> {
    let problems = crate::generate::check_config(&r.kind, &r.config);
    let errors: Vec<Diagnostic> = problems.into_iter().map(|p| p.diagnostic).collect();
    if errors.iter().any(Diagnostic::is_error) {
        return Err(Error::from_diagnostics(errors));
    }
    let mut rng = crate::random::OsRandom;
    let value = crate::generate::generate(&r.kind, &r.config, &mut rng).map_err(Error::from)?;
    Ok(GenerateResponse {
        // EXPOSE: `generate` is the API whose purpose is to hand a value to the caller.
        value: value.into_exposed(),
    })
}

/// `generate_many`.
///
/// # Errors
/// As [`generate`]; `INVALID_VALUE` for a `count` over [`MAX_GENERATE_COUNT`],
/// `BUDGET_EXCEEDED` when the values would pass [`MAX_GENERATE_BYTES`].
pub fn generate_many(r: &GenerateManyRequest) -> Result<GenerateManyResponse, Error> {
    if r.count > MAX_GENERATE_COUNT {
        return Err(Error::from(
            Diagnostic::error(
                ErrorCode::InvalidValue,
                format!("`count` is {}, more than {MAX_GENERATE_COUNT}", r.count),
            )
            .with_hint("ask in several calls"),
        ));
    }
    let problems = crate::generate::check_config(&r.kind, &r.config);
    let errors: Vec<Diagnostic> = problems.into_iter().map(|p| p.diagnostic).collect();
    if errors.iter().any(Diagnostic::is_error) {
        return Err(Error::from_diagnostics(errors));
    }
    let mut rng = crate::random::BufferedRandom::new(crate::random::OsRandom);
    let mut values = Vec::new();
    let mut bytes = 0usize;
    for _ in 0..r.count {
        let value = crate::generate::generate(&r.kind, &r.config, &mut rng).map_err(Error::from)?;
        // Every value of a configuration has the same length: the first one tells the total.
        bytes += value.len();
        let total = if values.is_empty() {
            value.len().saturating_mul(r.count)
        } else {
            bytes
        };
        if total > MAX_GENERATE_BYTES {
            return Err(Error::new(
                ErrorCode::BudgetExceeded,
                format!(
                    "the values would take more than {MAX_GENERATE_BYTES} bytes; ask for fewer"
                ),
            ));
        }
        // EXPOSE: `generate_many` is an API whose purpose is to hand values to the caller.
        values.push(value.into_exposed());
    }
    Ok(GenerateManyResponse { values })
}

/// `format_report`.
pub fn format_report(r: &FormatRequest) -> Result<FormatResponse, Error> {
    let text = match r.format {
        ReportFormat::Json => format!("{}\n", crate::pyjson::dumps_pretty(&r.report)),
        ReportFormat::Text => {
            let report = crate::report::SyncReport::from_json(&r.report)
                .ok_or_else(|| Error::new(ErrorCode::Usage, "`report` is not a sync report"))?;
            crate::human::render(
                &report,
                &crate::human::TextOptions {
                    color: r.color,
                    width: r.width.unwrap_or(80),
                },
            )
        }
    };
    Ok(FormatResponse { text })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn call_json(op: &str, input: Value) -> Value {
        serde_json::from_str(&call(op, &input.to_string())).unwrap()
    }

    #[test]
    fn envelope_ok_and_error() {
        let v = call_json("version", json!({}));
        assert_eq!(v["ok"]["version"], VERSION);
        let v: Value = serde_json::from_str(&call("nope", "{}")).unwrap();
        assert_eq!(v["error"]["code"], "USAGE");
        let v: Value = serde_json::from_str(&call("parse", "{not json")).unwrap();
        assert_eq!(v["error"]["code"], "USAGE");
        let v = call_json("parse", json!({"text": 5}));
        assert_eq!(v["error"]["code"], "USAGE");
    }

    #[test]
    fn parse_and_validate() {
        let v = call_json("validate", json!({"text": "secrets:\n  - name: a\n"}));
        assert_eq!(v["ok"]["valid"], false);
        assert_eq!(v["ok"]["diagnostics"][0]["code"], "MISSING_FIELD");
        assert_eq!(v["ok"]["diagnostics"][0]["line"], 2);
        let v = call_json(
            "parse",
            json!({"text": "secrets:\n  - {name: a, kind: uuid}\n"}),
        );
        assert_eq!(v["ok"]["secretfile"]["secrets"][0]["kind"], "uuid");
    }

    #[test]
    fn every_documented_operation_answers() {
        for op in ["version", "schema"] {
            let v = call_json(op, json!({}));
            assert!(v.get("ok").is_some(), "{op}: {v}");
        }
        let v = call_json(
            "format_diagnostics",
            json!({"file": "S.yml", "diagnostics": []}),
        );
        assert_eq!(v["ok"]["text"], "");
        // Every operation named in the module docs is dispatched (not "unknown operation").
        for line in include_str!("api.rs")
            .lines()
            .filter(|l| l.starts_with("//! - `"))
        {
            let op = line.split('`').nth(1).unwrap();
            let out = call(op, "{}");
            assert!(
                !out.contains("unknown operation"),
                "{op} is documented but not dispatched"
            );
        }
    }

    /// Every fixture's Secretfile, as `parse` returns it, reads back through `classify`'s
    /// decoder into the same model (the model crosses to JS and back in `classifySecret`).
    #[test]
    fn model_objects_decode_back_to_the_same_model() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut checked = 0;
        for e in std::fs::read_dir(dir).unwrap() {
            let path = e.unwrap().path().join("Secretfile.yml");
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let p = crate::parse::parse_secretfile(&text, &ParseOptions::default());
            if p.tree.is_none() {
                continue;
            }
            let sf = serde_json::to_value(&p.secretfile).unwrap();
            let mut diags = Vec::new();
            let back = crate::decode::secretfile(&crate::decode::from_data(&sf), &mut diags);
            if p.is_valid() {
                assert!(
                    !diags.iter().any(Diagnostic::is_error),
                    "{}: {diags:?}",
                    path.display()
                );
                assert_eq!(back, p.secretfile, "{}", path.display());
            }
            for (s, v) in p
                .secretfile
                .secrets
                .iter()
                .zip(sf["secrets"].as_array().unwrap())
            {
                let mut diags = Vec::new();
                let one = crate::decode::secret(&crate::decode::from_data(v), &mut diags);
                if !s.name.is_empty() && !s.kind.is_empty() {
                    assert_eq!(&one, s, "{}", path.display());
                    let r = call_json(
                        "classify",
                        json!({"secret": v, "secretfile": sf, "allow_scripts": true}),
                    );
                    assert_eq!(r["ok"]["name"], s.name.as_str(), "{}: {r}", path.display());
                }
                checked += 1;
            }
        }
        assert!(checked > 100, "{checked}");
    }

    #[test]
    fn classify_refuses_what_serde_refused() {
        let ok = json!({"name": "a", "kind": "uuid"});
        assert!(call_json("classify", json!({"secret": ok}))["ok"].is_object());
        for bad in [
            json!("db"),
            json!({"kind": "uuid"}),
            json!({"name": "a"}),
            json!({"name": 5, "kind": "uuid"}),
            json!({"name": "a", "kind": "uuid", "targets": "x"}),
            json!({"name": "a", "kind": "uuid", "one_time": "hunter2"}),
        ] {
            let r = call_json("classify", json!({ "secret": bad }));
            assert_eq!(r["error"]["code"], "USAGE", "{bad}: {r}");
            assert!(!r.to_string().contains("hunter2"), "{r}");
        }
        let r = call_json(
            "classify",
            json!({"secret": ok, "secretfile": {"secrets": 3}}),
        );
        assert_eq!(r["error"]["code"], "USAGE", "{r}");
    }

    #[test]
    fn generate_many_values_and_limits() {
        let v = call_json(
            "generate_many",
            json!({"kind": "random_string", "config": {"length": 10, "charset": "hex"}, "count": 500}),
        );
        let values: Vec<&str> = v["ok"]["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap())
            .collect();
        assert_eq!(values.len(), 500);
        assert!(
            values
                .iter()
                .all(|x| x.len() == 10 && x.chars().all(|c| c.is_ascii_hexdigit()))
        );
        let distinct: std::collections::BTreeSet<_> = values.iter().collect();
        assert_eq!(distinct.len(), 500);
        let v = call_json("generate_many", json!({"kind": "uuid", "count": 1_000_001}));
        assert_eq!(v["error"]["code"], "INVALID_VALUE");
        let v = call_json(
            "generate_many",
            json!({"kind": "random_string", "config": {"length": 4096}, "count": 20_000}),
        );
        assert_eq!(v["error"]["code"], "BUDGET_EXCEEDED");
        let v = call_json(
            "generate_many",
            json!({"kind": "random_password", "config": {"upper": false, "lower": false, "number": false, "special": false}, "count": 3}),
        );
        assert_eq!(v["error"]["code"], "UNSATISFIABLE_GENERATOR");
        let r = GenerateManyResponse {
            values: vec!["hunter2-secret".into()],
        };
        assert!(!format!("{r:?}").contains("hunter2"));
    }

    #[test]
    fn usage_errors_never_echo_input_values() {
        let out = call("parse", r#"{"text": ["hunter2-secret"]}"#);
        assert!(!out.contains("hunter2"), "{out}");
    }
}
