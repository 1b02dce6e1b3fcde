//! No value leaks, as a property.
//!
//! Over many randomized Secretfiles and syncs (seeded: a failure reproduces) — generated,
//! supplied (`values`, `UPPER_NAME` environment variables), adopted from existing target
//! files, script outputs, declared static values; second syncs over the first one's writes;
//! dry runs; `SZ_AGENT`; `validation` failures; targets that fail mid-way (a JSON file that is
//! not JSON, a TOML file that cannot be merged); invalid Secretfiles — no value may appear in:
//!
//! - the report (the `sync` envelope less its `writes`), its JSON and text forms (with and
//!   without colour), the rendered diagnostics, error envelopes;
//! - the `Debug` output of `SyncRequest`, `SyncResponse`, `Error`, `Diagnostic`,
//!   `SecretfileInput`, `ClassifyRequest`, `ParseOptions`, `FileWrite`;
//! - the lockfiles written (they hold SHA-256 hashes only).
//!
//! Generated values are recovered from the target writes (each format's lookup); an
//! all-zero random source makes the values of secrets that are never written recognisable
//! (`AAAA...`, `aaaa...`, `0000...`). `SECRETZERO_LEAK_CASES` sets the number of cases
//! (default 400).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::BTreeMap;

use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};
use secretzero_agent::Diagnostic;
use secretzero_agent::api::{self, ClassifyRequest, SecretfileInput};
use secretzero_agent::parse::ParseOptions;
use secretzero_agent::random::RandomSource;
use secretzero_agent::sync::{SyncRequest, sync_with_rng};
use secretzero_agent::targets;
use serde_json::{Value, json};

use common::{NOW, Seeded};

struct Pick(ChaCha20Rng);

impl Pick {
    fn below(&mut self, n: usize) -> usize {
        (self.0.next_u64() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
    /// A value that cannot occur by accident: a tag plus 18 random alphanumerics.
    fn value(&mut self, tag: &str) -> String {
        const A: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        let body: String = (0..18).map(|_| A[self.below(A.len())] as char).collect();
        format!("{tag}{body}")
    }
}

/// All-zero bytes: generated values become `AAAA...` (passwords), `aaaa...` (strings),
/// `0000...` (hex), `00000000-0000-4000-8000-000000000000` (uuid).
struct Zeros;

impl RandomSource for Zeros {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), Diagnostic> {
        buf.fill(0);
        Ok(())
    }
}

/// Target files and their formats (explicit: without `format`, only `.tfvars` and `.toml`...
/// are inferred; `x.json` is dotenv, as in the reference).
const TARGETS: &[(&str, &str)] = &[
    (".env", "dotenv"),
    ("config/app.json", "json"),
    ("conf.yml", "yaml"),
    ("conf.toml", "toml"),
    ("vars.tfvars", "tfvars"),
    ("broken.json", "json"), // last: picked less often
];

fn format_of(path: &str) -> targets::FileFormat {
    let (_, f) = TARGETS.iter().find(|(p, _)| *p == path).unwrap();
    targets::infer_format(path, Some(f)).unwrap()
}

struct Case {
    text: String,
    /// Secret name -> its target paths.
    targets: BTreeMap<String, Vec<&'static str>>,
    /// Values that must never show up anywhere but the target writes.
    secret_values: Vec<String>,
    /// Declared static values: never in the report or diagnostics (they are in the parsed
    /// model, which `parse` returns by design).
    declared: Vec<String>,
    request: Value,
    zeros: bool,
}

fn make_case(p: &mut Pick) -> Case {
    let mut text = String::from("variables:\n  region: eu-west-1\nsecrets:\n");
    let mut targets = BTreeMap::new();
    let mut secret_values = Vec::new();
    let mut declared = Vec::new();
    let mut values = serde_json::Map::new();
    let mut env = serde_json::Map::new();
    let mut files = serde_json::Map::new();
    let mut script_outputs = serde_json::Map::new();
    let n = 1 + p.below(6);
    for i in 0..n {
        let name = format!("s{i}_{}", ["db", "api", "jwt", "token"][p.below(4)]);
        let kind = [0, 0, 1, 1, 2, 3, 4, 5, 6][p.below(9)];
        let (kind_yaml, config) = match kind {
            0 => (
                "random_password",
                format!("{{length: {}, special: {}}}", 12 + p.below(30), p.chance(2)),
            ),
            1 => (
                "random_string",
                format!(
                    "{{length: {}, charset: {}}}",
                    12 + p.below(30),
                    ["alphanumeric", "hex", "alpha"][p.below(3)]
                ),
            ),
            2 => ("uuid", "{}".to_string()),
            3 => {
                let v = p.value("decl-");
                declared.push(v.clone());
                ("static", format!("{{value: \"{v}\"}}"))
            }
            4 => ("static", "{validation: '^[a-z]+$'}".to_string()),
            5 => ("script", "{command: /bin/echo}".to_string()),
            _ => ("static", "{}".to_string()),
        };
        text.push_str(&format!(
            "  - name: {name}\n    kind: {kind_yaml}\n    config: {config}\n"
        ));
        if kind >= 4 || p.chance(3) {
            text.push_str(
                "    agent_instructions:\n      summary: Get {{ secret_name }} for ${region}\n      steps: [{action: ask, description: 'for {{ target.path }}'}]\n",
            );
        }
        let mut paths = Vec::new();
        let nt = 1 + p.below(2);
        if nt > 0 {
            text.push_str("    targets:\n");
        }
        for _ in 0..nt {
            // `broken.json` (a merge that fails) now and then: most targets work.
            let choices = if p.chance(4) {
                TARGETS.len()
            } else {
                TARGETS.len() - 1
            };
            let (path, format) = TARGETS[p.below(choices)];
            if paths.contains(&path) {
                continue;
            }
            paths.push(path);
            text.push_str(&format!(
                "      - {{provider: local, kind: file, config: {{path: {path}, format: {format}}}}}\n"
            ));
        }
        // Values from outside: supplied, in the environment, adopted from a target, scripts.
        match p.below(6) {
            0 => {
                let v = p.value(if kind == 4 { "BAD1-" } else { "sv-" });
                values.insert(name.clone(), json!(v));
                secret_values.push(v);
            }
            1 => {
                let v = p.value("env-");
                env.insert(name.to_uppercase(), json!(v));
                secret_values.push(v);
            }
            2 if !paths.is_empty() && paths[0] != "broken.json" => {
                let v = p.value("old-");
                let path = paths[0];
                let body = match path {
                    ".env" => format!("{name}={v}\n"),
                    "config/app.json" => format!("{{\"{name}\": \"{v}\"}}"),
                    "conf.yml" => format!("{name}: {v}\n"),
                    _ => format!("{name} = \"{v}\"\n"),
                };
                files.insert(path.to_string(), json!(body));
                secret_values.push(v);
            }
            3 if kind == 5 => {
                let v = p.value("script-");
                script_outputs.insert(name.clone(), json!(v));
                secret_values.push(v);
            }
            _ => {}
        }
        targets.insert(name, paths);
    }
    // Every target file is read by the host: absent ones are `null`.
    for (path, _) in TARGETS {
        files.entry(path.to_string()).or_insert(Value::Null);
    }
    // Failures mid-way: targets that cannot be merged.
    files.insert("broken.json".into(), json!("{not json"));
    if p.chance(3) {
        files.insert("conf.toml".into(), json!("[[x]]\nx = 1\n[x\n"));
    }
    // An invalid Secretfile now and then (the values are still passed in).
    if p.chance(6) {
        text.push_str(
            [
                "  - name: s0_db\n    kind: uuid\n",
                "  - name: bad\n    kind: random_password\n    config: {length: \"24\"}\n",
                "  - {kind: uuid}\n",
            ][p.below(3)],
        );
    }
    if p.chance(8) {
        env.insert("SZ_AGENT".into(), json!("1"));
    }
    let request = json!({
        "text": text, "now": NOW, "env": env, "values": values, "files": files,
        "dry_run": p.chance(6), "allow_scripts": p.chance(2), "script_outputs": script_outputs,
        "identity": {"os_user": "tester", "hostname": "host"},
    });
    Case {
        text,
        targets,
        secret_values,
        declared,
        request,
        zeros: p.chance(4),
    }
}

/// Values recovered from the writes (each secret's value in each of its targets).
fn written_values(case: &Case, writes: &[Value]) -> Vec<String> {
    let mut out = Vec::new();
    for (name, paths) in &case.targets {
        for path in paths {
            let format = format_of(path);
            for w in writes.iter().filter(|w| w["path"] == *path) {
                if let Some(c) = w["contents"].as_str()
                    && let Some(v) = targets::lookup(format, c, name)
                {
                    out.push(v);
                }
            }
        }
    }
    out
}

fn assert_clean(what: &str, haystack: &str, forbidden: &[String], case: &Case) {
    for v in forbidden {
        assert!(
            v.len() < 8 || !haystack.contains(v.as_str()),
            "a value leaked into {what}\nSecretfile:\n{}\n{what}: {haystack:.2000}",
            case.text
        );
    }
}

fn check_case(case: &Case, seed: u64) -> (usize, usize) {
    let req: SyncRequest = serde_json::from_value(case.request.clone()).unwrap();
    let mut rng_seeded = Seeded::new(seed);
    let result = if case.zeros {
        sync_with_rng(&req, &mut Zeros)
    } else {
        sync_with_rng(&req, &mut rng_seeded)
    };
    let mut forbidden = case.secret_values.clone();
    let mut written = Vec::new();
    let (report, writes) = match &result {
        Ok(r) => {
            let v = serde_json::to_value(r).unwrap();
            written = written_values(case, v["writes"].as_array().unwrap());
            (
                Some(v["report"].clone()),
                v["writes"].as_array().unwrap().clone(),
            )
        }
        Err(_) => (None, vec![]),
    };
    // A declared static value is written too; it is in the Secretfile and its parsed model.
    forbidden.extend(
        written
            .iter()
            .filter(|w| !case.declared.contains(w))
            .cloned(),
    );
    if case.zeros {
        forbidden.extend(
            [
                "AAAAAAAAAAAA",
                "aaaaaaaaaaaa",
                "000000000000",
                "00000000-0000-4000-8000",
            ]
            .map(String::from),
        );
    }
    let mut in_report = forbidden.clone();
    in_report.extend(case.declared.iter().cloned());

    // Debug of every type involved.
    assert_clean("Debug(SyncRequest)", &format!("{req:?}"), &forbidden, case);
    match &result {
        Ok(r) => {
            assert_clean("Debug(SyncResponse)", &format!("{r:?}"), &in_report, case);
            assert_clean(
                "Debug(FileWrite)",
                &format!("{:?}", r.writes),
                &in_report,
                case,
            );
        }
        Err(e) => {
            assert_clean("Debug(Error)", &format!("{e:?}"), &in_report, case);
            assert_clean("Display(Error)", &format!("{e}"), &in_report, case);
            for d in &e.diagnostics {
                assert_clean("Debug(Diagnostic)", &format!("{d:?}"), &in_report, case);
            }
        }
    }
    let env: BTreeMap<String, String> =
        serde_json::from_value(case.request["env"].clone()).unwrap();
    let input = SecretfileInput {
        text: case.text.clone(),
        env: env.clone(),
        var_files: vec![],
    };
    assert_clean(
        "Debug(SecretfileInput)",
        &format!("{input:?}"),
        &forbidden,
        case,
    );
    let opts = ParseOptions {
        env: env.clone(),
        ..ParseOptions::default()
    };
    assert_clean(
        "Debug(ParseOptions)",
        &format!("{opts:?}"),
        &forbidden,
        case,
    );
    let classify = ClassifyRequest {
        env,
        ..ClassifyRequest::default()
    };
    assert_clean(
        "Debug(ClassifyRequest)",
        &format!("{classify:?}"),
        &forbidden,
        case,
    );

    // The JSON API as hosts see it.
    let envelope = api::call("sync", &case.request.to_string());
    let v: Value = serde_json::from_str(&envelope).unwrap();
    match v.get("ok") {
        Some(ok) => assert_clean(
            "the sync report",
            &ok["report"].to_string(),
            &in_report,
            case,
        ),
        None => assert_clean("the sync error", &envelope, &in_report, case),
    }
    for op in ["validate", "target_files", "plan_scripts"] {
        let out = api::call(op, &case.request.to_string());
        assert_clean(op, &out, &forbidden, case);
        if op != "plan_scripts" {
            assert_clean(op, &out, &in_report, case);
        }
    }
    let parsed = api::call(
        "parse",
        &json!({"text": case.text, "env": case.request["env"]}).to_string(),
    );
    assert_clean("parse", &parsed, &forbidden, case);
    if let Some(report) = &report {
        for (format, color) in [("json", false), ("text", false), ("text", true)] {
            let out = api::call(
                "format_report",
                &json!({"report": report, "format": format, "color": color}).to_string(),
            );
            assert_clean(&format!("the {format} report"), &out, &in_report, case);
        }
        let out = api::call(
            "format_diagnostics",
            &json!({"file": "Secretfile.yml", "diagnostics": report["warnings"]}).to_string(),
        );
        assert_clean("rendered warnings", &out, &in_report, case);
    } else if let Some(e) = v.get("error") {
        let out = api::call(
            "format_diagnostics",
            &json!({"file": "S.yml", "diagnostics": e["diagnostics"]}).to_string(),
        );
        assert_clean("rendered diagnostics", &out, &in_report, case);
    }
    // Lockfiles hold hashes only.
    for w in &writes {
        if matches!(w["role"].as_str(), Some("lockfile" | "local_lockfile"))
            && let Some(c) = w["contents"].as_str()
        {
            assert_clean("the lockfile", c, &in_report, case);
        }
    }
    (written.len(), case.secret_values.len())
}

#[test]
fn no_value_leaks_over_random_syncs() {
    let cases: usize = std::env::var("SECRETZERO_LEAK_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(400);
    let mut p = Pick(ChaCha20Rng::seed_from_u64(0x1ea4));
    let (mut generated, mut supplied, mut second) = (0, 0, 0);
    for i in 0..cases {
        let case = make_case(&mut p);
        let (g, s) = check_case(&case, i as u64);
        generated += g;
        supplied += s;
        // Sync again over the first one's writes (already synced, adopted, refreshed).
        if let Ok(first) = sync_with_rng(
            &serde_json::from_value(case.request.clone()).unwrap(),
            &mut Seeded::new(i as u64),
        ) {
            let mut req = case.request.clone();
            for w in &first.writes {
                let path = w.path.clone();
                let contents = json!(w.contents);
                match w.role {
                    secretzero_agent::sync::WriteRole::Lockfile => req["lockfile"] = contents,
                    secretzero_agent::sync::WriteRole::LocalLockfile => {
                        req["local_lockfile"] = contents
                    }
                    _ => req["files"][path] = contents,
                }
            }
            req["values"] = json!({});
            let mut again = Case {
                request: req,
                ..case
            };
            // The first sync's written values are now existing values.
            let v = serde_json::to_value(&first).unwrap();
            let now_existing: Vec<String> = written_values(&again, v["writes"].as_array().unwrap())
                .into_iter()
                .filter(|w| !again.declared.contains(w))
                .collect();
            again.secret_values.extend(now_existing);
            check_case(&again, i as u64 + 1_000_000);
            second += 1;
        }
    }
    // The detector itself works: the request (which holds the values) is caught.
    let case = make_case(&mut Pick(ChaCha20Rng::seed_from_u64(7)));
    assert!(!case.secret_values.is_empty());
    let caught = std::panic::catch_unwind(|| {
        assert_clean(
            "the request",
            &case.request.to_string(),
            &case.secret_values,
            &case,
        )
    });
    assert!(caught.is_err(), "the leak detector missed a value");
    println!(
        "leaks: {cases} random cases + {second} second syncs; {generated} written values and {supplied} supplied/adopted/script values checked against every output; none leaked"
    );
    assert!(
        generated > cases && supplied > cases,
        "{generated} {supplied}"
    );
}
