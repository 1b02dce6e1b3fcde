//! File formats written by `local/file` targets: the pure read-modify-write layer.
//!
//! Nothing here touches the file system. The host reads the target file (if it exists),
//! calls [`render`] once per file with **every** entry the sync writes to that file (one
//! read-modify-write per file, however many secrets share it), and writes the result
//! atomically (temp file + rename, mode 0600). Keeping formats pure makes them testable byte
//! for byte against the reference CLI and usable from the browser, where the "file" is a
//! download.
//!
//! Configuration (`config:` of a `provider: local, kind: file` target), as the reference reads
//! it ([`FileTarget::from_config`]):
//! - `path`: default `.env`, relative to the process working directory (not the Secretfile).
//!   [`normalize_path`] normalises it lexically and refuses absolute paths and `..` that leave
//!   the root (`PATH_OUTSIDE_ROOT`) unless the caller allows it; symlinks are the host's job.
//! - `format`: `dotenv` (default), `json`, `yaml`, `toml`, `tfvars`, trimmed and
//!   case-insensitive; without a format a path ending in `.tfvars` is `tfvars` and anything
//!   else, **including `*.json`**, is dotenv ([`infer_format`], exactly as the reference;
//!   [`format_hint`] warns about it).
//! - `merge`: default `true` (keep the file's other content).
//! - `key`: the key written in the file, default the secret name.
//!
//! Values: the reference's engine hands a file target the secret's normalised string, except
//! that a value which is a JSON object holding `config.value_field` (default `token`, a dot
//! path) is replaced by that field first (a static map `{token: t, ...}` writes `t`; a map
//! without it writes its compact sorted JSON). That choice belongs to the sync layer, before
//! [`render`]; here every value is a string written as a string.
//!
//! Formats, each with a `render` and a `lookup` (dispatched by [`render`] and [`lookup`]):
//! [`dotenv`], [`json`], [`yaml`] (PyYAML's bytes for our entries), [`toml`] (tomli-w's bytes;
//! the reference fails on TOML without optional packages) and [`tfvars`] (the reference's
//! bytes where they are valid HCL). YAML, TOML and tfvars merges edit the existing text in
//! place, so comments and formatting survive where the reference re-serialises the file;
//! each module documents its differences. `scripts/formats-roundtrip.py` checks them against
//! PyYAML, tomllib / tomli-w, Terraform and the reference's own code.

#![allow(
    clippy::result_large_err,
    reason = "a Diagnostic is this layer's error currency; errors are the cold path"
)]

pub mod dotenv;
pub mod json;
pub mod tfvars;
pub mod toml;
pub mod yaml;

use crate::diagnostic::{Diagnostic, ErrorCode};
use crate::model::{Data, DataMap};

/// The format of a `local/file` target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileFormat {
    /// `KEY=value` lines (the default).
    Dotenv,
    /// A JSON object, written as Python's `json.dumps(data, indent=2)`.
    Json,
    /// A YAML mapping, written as PyYAML's `yaml.dump(data, default_flow_style=False, sort_keys=False)`.
    Yaml,
    /// A TOML document, our keys as top-level `key = "value"` lines (as `tomli_w.dumps`).
    Toml,
    /// Terraform variables, `key = "value"` lines of HCL, sorted by name.
    Tfvars,
}

impl FileFormat {
    /// Every format, in the order the reference documents them.
    pub const ALL: [FileFormat; 5] = [
        FileFormat::Dotenv,
        FileFormat::Json,
        FileFormat::Yaml,
        FileFormat::Toml,
        FileFormat::Tfvars,
    ];

    /// The name used in `config.format`.
    pub fn as_str(self) -> &'static str {
        match self {
            FileFormat::Dotenv => "dotenv",
            FileFormat::Json => "json",
            FileFormat::Yaml => "yaml",
            FileFormat::Toml => "toml",
            FileFormat::Tfvars => "tfvars",
        }
    }
}

/// Insert `item` into `items`, kept in ascending `key` order (after equal keys). Files hold
/// few entries, and this keeps the wasm build free of one sort implementation per call site.
pub(crate) fn insert_sorted<T, K: Ord>(items: &mut Vec<T>, item: T, key: impl Fn(&T) -> K) {
    let k = key(&item);
    let at = items.partition_point(|x| key(x) <= k);
    items.insert(at, item);
}

/// Python's `str.strip()` (its whitespace includes U+001C..U+001F).
fn py_strip(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c))
}

/// The format of a target: `explicit` (`config.format`) when it is non-blank, trimmed and
/// lower-cased; else `tfvars` for a path ending in `.tfvars` (any case) and `dotenv` for every
/// other path, `*.json` included, as the reference does.
///
/// ```
/// use secretzero_agent::targets::{infer_format, FileFormat};
/// assert_eq!(infer_format("infra/prod.TFVARS", None).unwrap(), FileFormat::Tfvars);
/// assert_eq!(infer_format("config.json", None).unwrap(), FileFormat::Dotenv);
/// assert_eq!(infer_format("config.json", Some(" JSON ")).unwrap(), FileFormat::Json);
/// assert!(infer_format(".env", Some("yml")).is_err());
/// ```
pub fn infer_format(path: &str, explicit: Option<&str>) -> Result<FileFormat, Diagnostic> {
    if let Some(given) = explicit.map(py_strip).filter(|s| !s.is_empty()) {
        let lower = given.to_lowercase();
        return FileFormat::ALL
            .into_iter()
            .find(|f| f.as_str() == lower)
            .ok_or_else(|| {
                let names: Vec<&str> = FileFormat::ALL.iter().map(|f| f.as_str()).collect();
                let hint = match (lower.as_str(), crate::suggest::did_you_mean(&lower, &names)) {
                    ("yml", _) => "did you mean `yaml`?".to_string(),
                    ("env", _) => "did you mean `dotenv`?".to_string(),
                    (_, Some(s)) => format!("did you mean `{s}`?"),
                    _ => format!("use one of: {}", names.join(", ")),
                };
                Diagnostic::error(
                    ErrorCode::InvalidTarget,
                    format!("unsupported file format `{given}`"),
                )
                .with_path("config.format")
                .with_hint(hint)
            });
    }
    let lower = path.to_lowercase();
    if lower.ends_with(".tfvars") && !lower.ends_with(".tfvars.json") {
        Ok(FileFormat::Tfvars)
    } else {
        Ok(FileFormat::Dotenv)
    }
}

/// A warning when no format is given but the path's extension names another one
/// (`secrets.json` is written as dotenv, as the reference does).
pub fn format_hint(path: &str, explicit: Option<&str>) -> Option<Diagnostic> {
    if explicit.map(py_strip).is_some_and(|s| !s.is_empty()) {
        return None;
    }
    let lower = path.to_lowercase();
    let (ext, name) = [
        (".json", "json"),
        (".yaml", "yaml"),
        (".yml", "yaml"),
        (".toml", "toml"),
    ]
    .into_iter()
    .find(|(ext, _)| lower.ends_with(ext))?;
    Some(
        Diagnostic::warning(
            ErrorCode::InvalidTarget,
            format!("target path ends with `{ext}` but has no `format`: it is written as dotenv"),
        )
        .with_path("config.format")
        .with_hint(format!("add `format: {name}` to the target's config")),
    )
}

/// Normalise a target path lexically: `/` and `\` both separate, `.` and empty segments go,
/// `dir/..` folds, and the result uses `/`.
///
/// Refused with `PATH_OUTSIDE_ROOT` unless `allow_outside_root`: absolute paths (`/x`, `\x`,
/// `C:...`, `\\server\share`) and `..` that climb above the working directory. With it, they
/// are returned normalised (leading `..` kept). Refused with `INVALID_TARGET`: an empty path,
/// a NUL byte, a trailing separator, or a path that names the directory itself (`.`).
/// Lexical folding assumes `dir` is not a symlink: the host must still check where the real
/// path lands.
///
/// ```
/// use secretzero_agent::targets::normalize_path;
/// assert_eq!(normalize_path("./config//app/../.env", false).unwrap(), "config/.env");
/// assert_eq!(normalize_path("conf\\prod.env", false).unwrap(), "conf/prod.env");
/// assert!(normalize_path("../shared/.env", false).is_err());
/// assert_eq!(normalize_path("../shared/.env", true).unwrap(), "../shared/.env");
/// ```
pub fn normalize_path(raw: &str, allow_outside_root: bool) -> Result<String, Diagnostic> {
    let invalid = |msg: &str, hint: &str| {
        Err(Diagnostic::error(ErrorCode::InvalidTarget, msg)
            .with_path("config.path")
            .with_hint(hint))
    };
    if raw.is_empty() {
        return invalid(
            "target path is empty",
            "set `path` to a file name such as `.env`",
        );
    }
    if raw.contains('\0') {
        return invalid(
            "target path contains a NUL character",
            "remove it from `path`",
        );
    }
    if raw.ends_with(['/', '\\']) {
        return invalid(
            "target path ends with a separator: it names a directory",
            "add the file name, for example `config/.env`",
        );
    }
    let drive = matches!(raw.as_bytes(), [letter, b':', ..] if letter.is_ascii_alphabetic());
    let absolute = raw.starts_with(['/', '\\']) || drive;
    let mut prefix = String::new();
    let mut rest = raw;
    if drive {
        prefix = raw.get(..2).unwrap_or("").to_string();
        rest = raw.get(2..).unwrap_or("");
    }
    if raw.starts_with(['/', '\\']) || rest.starts_with(['/', '\\']) {
        prefix.push('/');
    }
    if absolute && !allow_outside_root {
        return Err(Diagnostic::error(
            ErrorCode::PathOutsideRoot,
            "target path is absolute: it may point outside the project",
        )
        .with_path("config.path")
        .with_hint(
            "use a path relative to the project directory, or allow writes outside it explicitly",
        ));
    }
    let mut parts: Vec<&str> = Vec::new();
    for seg in rest.split(['/', '\\']) {
        match seg {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&last) if last != ".." => {
                    parts.pop();
                }
                _ if absolute => {}
                _ if allow_outside_root => parts.push(".."),
                _ => {
                    return Err(Diagnostic::error(
                        ErrorCode::PathOutsideRoot,
                        "target path leaves the project directory through `..`",
                    )
                    .with_path("config.path")
                    .with_hint("keep target files inside the project, or allow writes outside it explicitly"));
                }
            },
            s => parts.push(s),
        }
    }
    if parts.last().is_none_or(|&p| p == "..") {
        return invalid(
            "target path names a directory, not a file",
            "add the file name, for example `.env`",
        );
    }
    Ok(format!("{prefix}{}", parts.join("/")))
}

/// A `local/file` target's configuration, read as the reference reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileTarget {
    /// `config.path` as written, `None` when not set (the file is then `.env`). The lockfile's
    /// target ID is `local/file/<raw_path>`, with the empty string when `None`.
    pub raw_path: Option<String>,
    /// The normalised relative path to write (see [`normalize_path`]).
    pub path: String,
    /// The file format (see [`infer_format`]).
    pub format: FileFormat,
    /// Keep the file's other content (default `true`).
    pub merge: bool,
    /// `config.key`, trimmed, when set and non-blank.
    pub key: Option<String>,
}

fn wrong_type(field: &str, expected: &str) -> Diagnostic {
    Diagnostic::error(
        ErrorCode::WrongType,
        format!("target `{field}` must be {expected}"),
    )
    .with_path(format!("config.{field}"))
    .with_hint(format!("write `{field}` as {expected}"))
}

/// Python's `str()` of a scalar YAML value (`True`, `1.5`, `42`).
fn py_str(value: &Data) -> Option<String> {
    match value {
        Data::String(s) => Some(s.clone()),
        Data::Bool(true) => Some("True".into()),
        Data::Bool(false) => Some("False".into()),
        Data::Number(n) => Some(match n.as_f64() {
            Some(f) if !n.is_i64() && !n.is_u64() => crate::pyjson::float_repr(f),
            _ => n.to_string(),
        }),
        _ => None,
    }
}

impl FileTarget {
    /// Read `path`, `format`, `merge` and `key` from a target's `config`.
    ///
    /// `path` must be a string (a missing or null one means `.env`), `merge` a boolean, `key`
    /// a scalar (numbers and booleans are written as Python prints them, `True`), `format` a
    /// string. Errors: `WRONG_TYPE`, `INVALID_TARGET`, `PATH_OUTSIDE_ROOT`.
    pub fn from_config(config: &DataMap, allow_outside_root: bool) -> Result<Self, Diagnostic> {
        let raw_path = match config.get("path") {
            None | Some(Data::Null) => None,
            Some(Data::String(s)) => Some(s.clone()),
            Some(_) => return Err(wrong_type("path", "a string")),
        };
        let explicit = match config.get("format") {
            None | Some(Data::Null) => None,
            Some(Data::String(s)) => Some(s.as_str()),
            Some(_) => return Err(wrong_type("format", "a string")),
        };
        let merge = match config.get("merge") {
            None => true,
            Some(Data::Bool(b)) => *b,
            Some(_) => return Err(wrong_type("merge", "true or false")),
        };
        let key = match config.get("key") {
            None | Some(Data::Null) => None,
            Some(v) => {
                let s = py_str(v).ok_or_else(|| wrong_type("key", "a string"))?;
                Some(py_strip(&s).to_string()).filter(|s| !s.is_empty())
            }
        };
        let given = raw_path.as_deref().unwrap_or(".env");
        let format = infer_format(given, explicit)?;
        let path = normalize_path(given, allow_outside_root)?;
        Ok(FileTarget {
            raw_path,
            path,
            format,
            merge,
            key,
        })
    }

    /// The key written in the file for `secret_name`: `config.key` when set, else the name.
    pub fn entry_key<'a>(&'a self, secret_name: &'a str) -> &'a str {
        self.key.as_deref().unwrap_or(secret_name)
    }
}

/// The normalised path a target's `config` writes to (see [`FileTarget::from_config`]).
pub fn target_file_path(config: &DataMap, allow_outside_root: bool) -> Result<String, Diagnostic> {
    FileTarget::from_config(config, allow_outside_root).map(|t| t.path)
}

/// Render the new content of a target file holding `entries`.
///
/// `entries` are `(key, value)` pairs in sync order, the value being the secret's exposed,
/// normalised string (a map-valued secret arrives as its compact JSON string and is written
/// as a string, like the reference). `existing` is the file's current text (`None` when it
/// does not exist); with `merge` its other content is kept. A key given twice keeps its last
/// value. The result is the whole new file text; never log it.
///
/// Errors: `INVALID_TARGET` (a dotenv or tfvars key that cannot be written),
/// `TARGET_MERGE_FAILED` (the existing file cannot be merged; nothing should be written).
pub fn render(
    format: FileFormat,
    existing: Option<&str>,
    merge: bool,
    entries: &[(String, String)],
) -> Result<String, Diagnostic> {
    match format {
        FileFormat::Dotenv => dotenv::render(existing, merge, entries),
        FileFormat::Json => json::render(existing, merge, entries),
        FileFormat::Yaml => yaml::render(existing, merge, entries),
        FileFormat::Toml => toml::render(existing, merge, entries),
        FileFormat::Tfvars => tfvars::render(existing, merge, entries),
    }
}

/// The value of `key` as a reader of the file would see it, for drift and adoption checks:
/// the exposed string the target holds, or `None` when the text has no such key (or holds a
/// value there that is not a string, see each format's `lookup`). Never panics, whatever the
/// text; never log the result.
///
/// ```
/// use secretzero_agent::targets::{lookup, FileFormat};
/// assert_eq!(lookup(FileFormat::Yaml, "API_KEY: 'yes'\n", "API_KEY").as_deref(), Some("yes"));
/// assert_eq!(lookup(FileFormat::Dotenv, "A=1\n", "B"), None);
/// ```
pub fn lookup(format: FileFormat, text: &str, key: &str) -> Option<String> {
    match format {
        FileFormat::Dotenv => dotenv::lookup(text, key),
        FileFormat::Json => json::lookup(text, key),
        FileFormat::Yaml => yaml::lookup(text, key),
        FileFormat::Toml => toml::lookup(text, key),
        FileFormat::Tfvars => tfvars::lookup(text, key),
    }
}

#[cfg(test)]
mod tests;
