//! Helpers shared by the hardening suites (`tests/fuzz.rs`, `tests/hostile.rs`,
//! `tests/leaks.rs`): the fixture corpus as seeds, a checked `api::call` that enforces the
//! envelope contract, and a seeded random source.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};
use secretzero_agent::random::RandomSource;
use secretzero_agent::{Diagnostic, ErrorCode};
use serde_json::Value;

/// The crate root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every regular file under `dir` (recursively), sorted, skipping `oracle/` and `expected/`.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(rd) = fs::read_dir(dir) else {
        return out;
    };
    for e in rd.flatten() {
        let p = e.path();
        let name = e.file_name().to_string_lossy().to_string();
        if p.is_dir() {
            if name != "oracle" && name != "expected" {
                out.extend(files_under(&p));
            }
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// The seed corpus: Secretfiles, lockfiles and other input files of `tests/fixtures/` and
/// `examples/`.
pub struct Corpus {
    /// Secretfile texts.
    pub secretfiles: Vec<String>,
    /// Lockfile texts.
    pub lockfiles: Vec<String>,
    /// Other input files (targets, var files, templates).
    pub others: Vec<String>,
}

/// Load the corpus (every text file; non-UTF-8 files are skipped).
pub fn corpus() -> Corpus {
    let mut c = Corpus {
        secretfiles: Vec::new(),
        lockfiles: Vec::new(),
        others: Vec::new(),
    };
    let mut files = files_under(&root().join("tests/fixtures"));
    files.extend(files_under(&root().join("examples")));
    for p in files {
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        if name == "case.json" || name == "README.md" {
            continue;
        }
        let Ok(text) = fs::read_to_string(&p) else {
            continue;
        };
        if name.ends_with(".lock") {
            c.lockfiles.push(text);
        } else if name == "Secretfile.yml" || name.ends_with("Secretfile.yml") {
            c.secretfiles.push(text);
        } else if text.len() < 64 * 1024 {
            c.others.push(text);
        }
    }
    assert!(c.secretfiles.len() > 50, "fixture corpus missing");
    c
}

/// A seeded ChaCha20 stream as the planner's random source.
pub struct Seeded(pub ChaCha20Rng);

impl Seeded {
    /// From a 64-bit seed.
    pub fn new(seed: u64) -> Self {
        Seeded(ChaCha20Rng::seed_from_u64(seed))
    }
}

impl RandomSource for Seeded {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), Diagnostic> {
        self.0.fill_bytes(buf);
        Ok(())
    }
}

/// One checked call: the envelope and how long it took.
pub struct Called {
    /// The parsed envelope.
    pub envelope: Value,
    /// Wall-clock time of `api::call`.
    pub elapsed: Duration,
}

impl Called {
    /// The `ok` payload, if any.
    pub fn ok(&self) -> Option<&Value> {
        self.envelope.get("ok")
    }

    /// The error code, if the call failed.
    pub fn error_code(&self) -> Option<&str> {
        self.envelope.get("error")?.get("code")?.as_str()
    }
}

fn check_diagnostic(d: &Value) -> Result<(), String> {
    let parsed: Diagnostic =
        serde_json::from_value(d.clone()).map_err(|e| format!("malformed diagnostic {d}: {e}"))?;
    if parsed.message.is_empty() {
        return Err(format!("diagnostic without a message: {d}"));
    }
    for (k, v) in [("line", parsed.line), ("column", parsed.column)] {
        if v == Some(0) {
            return Err(format!("diagnostic {k} is 0 (positions are 1-based): {d}"));
        }
    }
    Ok(())
}

/// Check the envelope contract of `api::call`'s answer: one JSON object with exactly one of
/// `ok` / `error`; an error has a known code, a message and well-formed diagnostics; the
/// diagnostics of `parse` / `validate` answers are well-formed too.
pub fn check_envelope(op: &str, out: &str) -> Result<Value, String> {
    let v: Value =
        serde_json::from_str(out).map_err(|e| format!("{op}: answer is not JSON ({e})"))?;
    let obj = v
        .as_object()
        .ok_or_else(|| format!("{op}: answer is not an object"))?;
    match (obj.get("ok"), obj.get("error")) {
        (Some(_), None) | (None, Some(_)) if obj.len() == 1 => {}
        _ => {
            return Err(format!(
                "{op}: envelope must have exactly one of ok/error: {out:.300}"
            ));
        }
    }
    if let Some(e) = obj.get("error") {
        let code = e.get("code").cloned().unwrap_or(Value::Null);
        serde_json::from_value::<ErrorCode>(code.clone())
            .map_err(|_| format!("{op}: unknown error code {code}"))?;
        if e.get("message")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            return Err(format!("{op}: error without a message: {e}"));
        }
        let diags = e
            .get("diagnostics")
            .and_then(Value::as_array)
            .ok_or_else(|| format!("{op}: error without a diagnostics array: {e}"))?;
        for d in diags {
            check_diagnostic(d).map_err(|m| format!("{op}: {m}"))?;
        }
    }
    if let Some(ok) = obj.get("ok")
        && let Some(diags) = ok.get("diagnostics").and_then(Value::as_array)
    {
        for d in diags {
            check_diagnostic(d).map_err(|m| format!("{op}: {m}"))?;
        }
    }
    Ok(v)
}

/// Run `api::call(op, input)`, check the envelope and time it.
pub fn call(op: &str, input: &Value) -> Result<Called, String> {
    let text = input.to_string();
    let start = Instant::now();
    let out = secretzero_agent::api::call(op, &text);
    let elapsed = start.elapsed();
    let envelope = check_envelope(op, &out)?;
    Ok(Called { envelope, elapsed })
}

/// A fixed time for syncs, so runs are comparable.
pub const NOW: &str = "2026-01-02T03:04:05.000Z";
