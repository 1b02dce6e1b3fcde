//! Golden fixtures: every case in `tests/fixtures/<case>/` (a `Secretfile.yml`, optional
//! lockfile, target files, var files and `case.json` with `args` and `env`) is synced by the
//! core exactly as `secretzero agent sync --json` would, and the outputs are compared with
//! `expected/` (ours; `BLESS=1` rewrites them) and with `oracle/` (the reference CLI's,
//! recorded by `scripts/record-oracle.sh`).
//!
//! Against the oracle, `status`, `synced_secrets`, `already_synced`, `pending_secrets`
//! (less our added keys), the keys of `failed_secrets` and `automation_summary` (less
//! `by_level`) must be equal, except where `case.json` lists the difference with its
//! reason under `"differences"`. A listed difference that no longer differs fails too, so
//! the list stays true.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use secretzero_agent::api::error_document;
use secretzero_agent::human::{TextOptions, render, render_diagnostics};
use secretzero_agent::parse::VarFile;
use secretzero_agent::pyjson::dumps_pretty;
use secretzero_agent::random::RandomSource;
use secretzero_agent::sync::{SyncRequest, sync_with_rng, target_files};
use secretzero_agent::{Diagnostic, Error};
use serde_json::{Value, json};

/// Compared report keys.
const KEYS: &[&str] = &[
    "status",
    "synced_secrets",
    "already_synced",
    "pending_secrets",
    "failed_secrets",
    "automation_summary",
];

struct Rng(u64);

impl RandomSource for Rng {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), Diagnostic> {
        for b in buf {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            *b = (self.0 >> 33) as u8;
        }
        Ok(())
    }
}

fn fixtures_dir() -> PathBuf {
    std::env::var_os("SZ_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures"))
}

fn cases() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(fixtures_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("Secretfile.yml").exists() && p.join("case.json").exists())
        .collect();
    v.sort();
    v
}

struct Outcome {
    json: String,
    text: String,
    exit_code: i32,
    writes: Vec<String>,
}

/// Run one case the way the CLI runs `agent sync --json` in the case directory.
fn run_case(dir: &Path, case: &Value) -> Outcome {
    let args: Vec<String> = case["args"]
        .as_array()
        .map(|a| a.iter().map(|x| x.as_str().unwrap().to_string()).collect())
        .unwrap_or_default();
    let mut req = SyncRequest {
        secretfile_path: "Secretfile.yml".into(),
        now: "2026-11-28T12:00:00.000Z".into(),
        refresh: true,
        cwd: Some("<CASE_DIR>".into()),
        identity: serde_json::from_value(json!({"client": "agent", "os_user": "tester"})).unwrap(),
        ..SyncRequest::default()
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--dry-run" => req.dry_run = true,
            "--no-refresh" => req.refresh = false,
            "--allow-scripts" => req.allow_scripts = true,
            "-e" | "--environment" => req.environment = it.next().cloned(),
            "-l" | "--lockfile" => req.lockfile_path = it.next().cloned(),
            "-f" | "--file" => req.secretfile_path = it.next().cloned().unwrap(),
            "-v" | "--var-file" => {
                let p = it.next().unwrap();
                let Ok(text) = fs::read_to_string(dir.join(p)) else {
                    // The CLI refuses a missing `-v` file as a usage error (exit 2).
                    let e = Error::new(
                        secretzero_agent::ErrorCode::Usage,
                        format!("var file `{p}` does not exist"),
                    );
                    return Outcome {
                        json: format!("{}\n", dumps_pretty(&error_document(&e))),
                        text: render_diagnostics(p, &e.diagnostics, false),
                        exit_code: 2,
                        writes: Vec::new(),
                    };
                };
                req.var_files.push(VarFile {
                    path: p.clone(),
                    text,
                });
            }
            other => panic!("{}: unsupported arg {other}", dir.display()),
        }
    }
    if let Some(env) = case["env"].as_object() {
        for (k, v) in env {
            req.env.insert(k.clone(), v.as_str().unwrap().to_string());
        }
    }
    req.text = fs::read_to_string(dir.join(&req.secretfile_path)).unwrap();
    let read = |p: &str| fs::read_to_string(dir.join(p)).ok();
    let result: Result<_, Error> = (|| {
        let mut files = target_files(&req)?;
        if !files.var_files.is_empty() {
            // The lane's variables can change target paths: read them, then ask again.
            req.lane_var_files = files
                .var_files
                .iter()
                .map(|p| (p.clone(), read(p)))
                .collect();
            files = target_files(&req)?;
        }
        req.lockfile = read(&files.lockfile_path);
        req.local_lockfile = read(&files.local_lockfile_path);
        req.files = files
            .files
            .iter()
            .map(|p| (p.clone(), read(p)))
            .collect::<BTreeMap<_, _>>();
        sync_with_rng(&req, &mut Rng(1))
    })();
    match result {
        Ok(resp) => Outcome {
            json: format!("{}\n", dumps_pretty(&resp.report)),
            text: render(&resp.report, &TextOptions::default()),
            exit_code: 0,
            writes: resp
                .writes
                .iter()
                .map(|w| {
                    format!(
                        "{} {:?}{}",
                        w.path,
                        w.role,
                        if w.contents.is_none() {
                            " (delete)"
                        } else {
                            ""
                        }
                    )
                })
                .collect(),
        },
        Err(e) => Outcome {
            json: format!("{}\n", dumps_pretty(&error_document(&e))),
            text: render_diagnostics(&req.secretfile_path, &e.diagnostics, false),
            exit_code: 1,
            writes: Vec::new(),
        },
    }
}

/// The compared view of a report: pending instructions without our added keys,
/// failed secrets by name only, summary without `by_level`.
fn compared(report: &Value) -> BTreeMap<&'static str, Value> {
    let mut out = BTreeMap::new();
    for key in KEYS {
        let mut v = report.get(*key).cloned().unwrap_or(Value::Null);
        match *key {
            "pending_secrets" => {
                if let Some(m) = v.as_object_mut() {
                    for p in m.values_mut() {
                        if let Some(o) = p.as_object_mut() {
                            o.remove("automation_level");
                        }
                    }
                }
            }
            "failed_secrets" => {
                v = Value::Array(
                    v.as_object()
                        .map(|m| m.keys().map(|k| json!(k)).collect())
                        .unwrap_or_default(),
                );
            }
            "automation_summary" => {
                if let Some(o) = v.as_object_mut() {
                    o.remove("by_level");
                }
            }
            _ => {}
        }
        out.insert(*key, v);
    }
    out
}

fn check_file(path: &Path, actual: &str, bless: bool, problems: &mut Vec<String>) {
    if bless {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, actual).unwrap();
        return;
    }
    match fs::read_to_string(path) {
        Ok(expected) if expected == actual => {}
        Ok(expected) => problems.push(format!(
            "{} differs (BLESS=1 to accept)\n--- expected\n{expected}\n--- actual\n{actual}",
            path.display()
        )),
        Err(_) => problems.push(format!("{} is missing (run with BLESS=1)", path.display())),
    }
}

#[test]
fn golden_fixtures() {
    let bless = std::env::var_os("BLESS").is_some();
    let cases = cases();
    assert!(
        cases.len() >= 25,
        "expected at least 25 fixtures, found {}",
        cases.len()
    );
    let mut problems = Vec::new();
    let mut compared_count = 0;
    for dir in &cases {
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let case: Value =
            serde_json::from_str(&fs::read_to_string(dir.join("case.json")).unwrap()).unwrap();
        let out = run_case(dir, &case);
        let exp = dir.join("expected");
        check_file(&exp.join("report.json"), &out.json, bless, &mut problems);
        check_file(&exp.join("report.txt"), &out.text, bless, &mut problems);
        check_file(
            &exp.join("exit_code"),
            &format!("{}\n", out.exit_code),
            bless,
            &mut problems,
        );
        check_file(
            &exp.join("writes.txt"),
            &(out.writes.join("\n") + "\n"),
            bless,
            &mut problems,
        );

        // Differential comparison with the reference.
        let Ok(oracle_text) = fs::read_to_string(dir.join("oracle/report.json")) else {
            continue;
        };
        let oracle_exit: i32 = fs::read_to_string(dir.join("oracle/exit_code"))
            .unwrap_or_default()
            .trim()
            .parse()
            .unwrap_or(-1);
        let differences = case["differences"].as_object().cloned().unwrap_or_default();
        let ours: Value = serde_json::from_str(&out.json).unwrap();
        if oracle_exit != 0 || out.exit_code != 0 {
            let listed = differences.contains_key("exit_code");
            let same = oracle_exit == out.exit_code;
            if same == listed {
                problems.push(format!(
                    "{name}: exit codes ours {} / reference {oracle_exit}: {}",
                    out.exit_code,
                    if listed {
                        "listed as a difference but agree"
                    } else {
                        "differ and `differences.exit_code` does not explain why"
                    }
                ));
            }
            continue;
        }
        let Ok(oracle) = serde_json::from_str::<Value>(&oracle_text) else {
            continue;
        };
        compared_count += 1;
        let (a, b) = (compared(&ours), compared(&oracle));
        for key in KEYS {
            let differs = a[key] != b[key];
            let listed = differences
                .get(*key)
                .and_then(Value::as_str)
                .filter(|r| !r.trim().is_empty());
            match (differs, listed) {
                (true, None) => problems.push(format!(
                    "{name}: `{key}` differs from the reference and case.json `differences.{key}` gives no reason\n  ours: {}\n  reference: {}",
                    a[key], b[key]
                )),
                (false, Some(_)) => problems.push(format!("{name}: `differences.{key}` is listed but `{key}` now matches the reference")),
                _ => {}
            }
        }
    }
    // Every error code a Secretfile, a lockfile or a target can cause appears in some fixture.
    let all_expected: String = cases
        .iter()
        .map(|d| fs::read_to_string(d.join("expected/report.json")).unwrap_or_default())
        .collect();
    for code in secretzero_agent::ErrorCode::ALL {
        // Not reachable from a file: the OS random source failing, bugs, the host's own I/O,
        // concurrency lock and API misuse (covered by the host's tests).
        let host_only = matches!(
            code,
            secretzero_agent::ErrorCode::Randomness
                | secretzero_agent::ErrorCode::Internal
                | secretzero_agent::ErrorCode::Io
                | secretzero_agent::ErrorCode::Locked
        );
        let seen = all_expected.contains(&format!("\"{}\"", code.as_str()));
        if !host_only && !seen && !bless {
            problems.push(format!("no fixture produces error code {}", code.as_str()));
        }
    }
    assert!(
        bless || compared_count >= 25 || !problems.is_empty(),
        "only {compared_count} cases compared with the reference"
    );
    assert!(
        problems.is_empty(),
        "{} problem(s):\n\n{}",
        problems.len(),
        problems.join("\n\n")
    );
}
