//! Fuzzing on the stable toolchain, bounded in time, as part of `cargo test`.
//!
//! cargo-fuzz needs a nightly compiler, which a fresh CI machine may not have; this suite
//! needs nothing but `cargo test`. Inputs are the fixture corpus (`tests/fixtures/`,
//! `examples/`) mutated byte- and YAML-token-wise, plus Secretfiles generated from proptest
//! strategies (structure-aware: secrets, generator options, targets, instructions, lanes).
//! Each input goes through the whole JSON API the hosts use — `parse`, `validate`,
//! `target_files`, `sync` (fresh, then again over its own writes), `format_report` (text and
//! JSON) — and every answer must:
//!
//! - come back at all (a panic is caught, the input saved under `target/fuzz-crashes/` and
//!   the test fails; save it as a regression in `tests/fuzz-regressions/`);
//! - be a well-formed envelope (exactly one of `ok` / `error`, a known code, a message,
//!   well-formed diagnostics with 1-based positions);
//! - take less than [`CALL_LIMIT`];
//! - keep target writes inside the project (no absolute path, no `..`);
//! - write a lockfile that the next sync reads, which then reports every secret the first
//!   sync stored as already synced.
//!
//! Budget: `SECRETZERO_FUZZ_SECONDS` per fuzzing test (default 10; the two fuzzing tests run
//! in parallel), seed `SECRETZERO_FUZZ_SEED` (default: fixed, so a failure reproduces).
//! The long run is `make fuzz` (cargo-fuzz on nightly, see `fuzz/`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};
use serde_json::{Map, Value, json};

use common::{Corpus, NOW, call, corpus, root};

/// Longest any single call may take (debug build, a loaded 2-core machine; typical calls
/// take well under 10 ms).
const CALL_LIMIT: Duration = Duration::from_secs(5);

fn budget() -> Duration {
    let secs = std::env::var("SECRETZERO_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or(10.0);
    Duration::from_secs_f64(secs)
}

fn base_seed() -> u64 {
    std::env::var("SECRETZERO_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5ec2_e72e_2e20)
}

// ---------------------------------------------------------------------------------------
// Mutations

/// Tokens that matter to YAML, to the Secretfile format, to interpolation and to JS.
const TOKENS: &[&str] = &[
    "&a ",
    "*a",
    "<<: *a\n",
    "!!binary ",
    "!!python/object:os.system ",
    "!!str ",
    "!!int ",
    "!!map ",
    "!!seq ",
    "!!set ",
    "!!omap ",
    "? ",
    "- ",
    ": ",
    "{",
    "}",
    "[",
    "]",
    ",",
    "\"",
    "'",
    "|",
    "|-",
    ">+",
    "#",
    "---\n",
    "...\n",
    "%YAML 1.1\n",
    "%TAG ! tag:x,2000:\n",
    "\t",
    "\r",
    "\r\n",
    "\u{2028}",
    "\u{feff}",
    "\u{85}",
    "\u{1F511}",
    "é",
    "\\",
    "\\u0000",
    "~",
    "null",
    "yes",
    "no",
    "on",
    "0755",
    "0x1F",
    "1:30",
    "1_000",
    ".inf",
    "-.inf",
    ".nan",
    "2024-01-02",
    "2024-01-02T03:04:05Z",
    "1e999",
    "99999999999999999999999",
    "-1",
    "0",
    "${X}",
    "${X:-d}",
    "${",
    "$${X}",
    "{{ var.x }}",
    "{{",
    "}}",
    "{% for i in range(9) %}",
    "{% endfor %}",
    "{{ secret_name }}",
    "{{ target.path }}",
    "{{ 'a' * 99999 }}",
    "__proto__",
    "constructor",
    "prototype",
    "toString",
    "hasOwnProperty",
    "kind: random_password\n",
    "kind: random_string\n",
    "kind: uuid\n",
    "kind: static\n",
    "kind: script\n",
    "kind: templates.t\n",
    "kind: github_pat\n",
    "length: 4096",
    "length: 4097",
    "length: -1",
    "length: 0",
    "length: '24'",
    "special: 'false'",
    "exclude_characters: ",
    "charset: hex",
    "validation: '^a'",
    "validation: '('",
    "validation: '(a{99}){99}'",
    "value: ",
    "default: ",
    "targets:\n",
    "provider: local\n",
    "kind: file\n",
    "kind: template\n",
    "path: ../x\n",
    "path: /etc/x\n",
    "path: a/../../b\n",
    "path: .env\n",
    "format: json\n",
    "format: yaml\n",
    "format: toml\n",
    "format: tfvars\n",
    "merge: false\n",
    "key: ",
    "one_time: true\n",
    "local: true\n",
    "rotation_period: 90d\n",
    "agent_instructions:\n",
    "summary: s\n",
    "steps:\n",
    "action: a\n",
    "automation_hint: ",
    "automation_level: manual_only\n",
    "environments:\n",
    "default: dev\n",
    "profiles:\n",
    "var_files: [x.yml]\n",
    "lockfile: ../l.lock\n",
    "target_profile: p\n",
    "templates:\n",
    "fields:\n",
    "variables:\n",
    "secrets:\n",
    "secrets: []\n",
    "agent:\n",
    "mode: web\n",
];

struct Mutator {
    rng: ChaCha20Rng,
}

impl Mutator {
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.rng.next_u64() % n as u64) as usize
        }
    }

    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }

    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }

    /// A char boundary of `s` at or before `i`.
    fn boundary(s: &str, mut i: usize) -> usize {
        i = i.min(s.len());
        while !s.is_char_boundary(i) {
            i -= 1;
        }
        i
    }

    fn pos(&mut self, s: &str) -> usize {
        let i = self.below(s.len() + 1);
        Self::boundary(s, i)
    }

    fn random_char(&mut self) -> char {
        match self.below(6) {
            0 => char::from_u32(self.below(0x20) as u32).unwrap_or('x'),
            1 => char::from_u32(0x80 + self.below(0x780) as u32).unwrap_or('x'),
            2 => char::from_u32(0x10000 + self.below(0x1000) as u32).unwrap_or('x'),
            3 => *self.pick(&['\u{feff}', '\u{2028}', '\u{fffd}', '\u{200b}', '\u{85}']),
            _ => char::from_u32(0x20 + self.below(0x5f) as u32).unwrap_or('x'),
        }
    }

    /// One random mutation of `s`; `others` supplies splices.
    fn mutate_once(&mut self, s: &mut String, others: &[String]) {
        let lines: Vec<&str> = s.split_inclusive('\n').collect();
        match self.below(12) {
            // Replace a char.
            0 if !s.is_empty() => {
                let i = Self::boundary(s, self.below(s.len()));
                let c = s[i..].chars().next().unwrap();
                let r = self.random_char();
                s.replace_range(i..i + c.len_utf8(), &r.to_string());
            }
            // Insert random chars.
            1 => {
                let i = self.pos(s);
                let n = 1 + self.below(4);
                let t: String = (0..n).map(|_| self.random_char()).collect();
                s.insert_str(i, &t);
            }
            // Delete a range.
            2 if !s.is_empty() => {
                let a = self.pos(s);
                let b = Self::boundary(s, a + self.below(40));
                s.replace_range(a..b.max(a), "");
            }
            // Duplicate a range.
            3 if !s.is_empty() => {
                let a = self.pos(s);
                let b = Self::boundary(s, a + self.below(200));
                let chunk = s[a..b.max(a)].to_string();
                s.insert_str(b.max(a), &chunk);
            }
            // Insert a token.
            4 | 5 => {
                let i = self.pos(s);
                let t = *self.pick(TOKENS);
                s.insert_str(i, t);
            }
            // Re-indent a line.
            6 if lines.len() > 1 => {
                let n = self.below(lines.len());
                let mut out = String::new();
                for (k, l) in lines.iter().enumerate() {
                    if k == n {
                        match self.below(3) {
                            0 => out.push_str("  "),
                            1 => out.push('\t'),
                            _ => {}
                        }
                        out.push_str(l.strip_prefix("  ").unwrap_or(l));
                    } else {
                        out.push_str(l);
                    }
                }
                *s = out;
            }
            // Swap two lines.
            7 if lines.len() > 2 => {
                let a = self.below(lines.len());
                let b = self.below(lines.len());
                let mut v: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
                v.swap(a, b);
                *s = v.concat();
            }
            // Splice lines from another input.
            8 if !others.is_empty() => {
                let other = self.pick(others).clone();
                let ol: Vec<&str> = other.split_inclusive('\n').collect();
                if !ol.is_empty() {
                    let a = self.below(ol.len());
                    let b = (a + 1 + self.below(8)).min(ol.len());
                    let i = lines
                        .iter()
                        .take(self.below(lines.len() + 1))
                        .map(|l| l.len())
                        .sum();
                    s.insert_str(i, &ol[a..b].concat());
                }
            }
            // Replace the value after a `: ` with a token.
            9 => {
                if let Some(i) = s.match_indices(": ").map(|(i, _)| i).nth(self.below(20)) {
                    let end = s[i + 2..].find('\n').map_or(s.len(), |e| i + 2 + e);
                    let t = *self.pick(TOKENS);
                    s.replace_range(i + 2..end, t.trim_end_matches('\n'));
                }
            }
            // Nest a line's content deeper (flow or block).
            10 => {
                let i = self.pos(s);
                let depth = 1 + self.below(80);
                let t = if self.chance(2) {
                    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
                } else {
                    (0..depth)
                        .map(|d| format!("\n{}k{d}:", " ".repeat(d + 1)))
                        .collect()
                };
                s.insert_str(i, &t);
            }
            // Truncate.
            _ => {
                let i = self.pos(s);
                s.truncate(i);
            }
        }
    }

    fn mutate(&mut self, mut s: String, others: &[String]) -> String {
        let n = 1 + self.below(8);
        for _ in 0..n {
            self.mutate_once(&mut s, others);
            if s.len() > 256 * 1024 {
                s.truncate(Self::boundary(&s, 256 * 1024));
            }
        }
        s
    }
}

// ---------------------------------------------------------------------------------------
// Structure-aware generation (proptest strategies)

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-3i64..5000).prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)),
        "[ -~]{0,16}".prop_map(Value::String),
        proptest::sample::select(TOKENS).prop_map(|t| Value::String(t.to_string())),
    ]
}

fn small_map(keys: &'static [&'static str]) -> impl Strategy<Value = Value> {
    proptest::collection::btree_map(proptest::sample::select(keys), scalar(), 0..5)
        .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect()))
}

const NAMES: &[&str] = &[
    "db_password",
    "api_key",
    "jwt",
    "token",
    "a",
    "__proto__",
    "constructor",
    "prototype",
    "x.y",
    "ümlaut",
    "with space",
    "dup",
    "dup",
    "",
];
const KINDS: &[&str] = &[
    "random_password",
    "random_string",
    "uuid",
    "static",
    "script",
    "templates.t",
    "templates.none",
    "github_pat",
    "provider_backed",
    "azure_app_reg",
    "unknown",
    "",
];
const CONFIG_KEYS: &[&str] = &[
    "length",
    "special",
    "upper",
    "lower",
    "number",
    "exclude_characters",
    "charset",
    "value",
    "default",
    "validation",
    "command",
    "args",
    "shell",
    "timeout",
    "symbols",
    "lenght",
];
const PATHS: &[&str] = &[
    ".env",
    "config/app.json",
    "c.toml",
    "d.tfvars",
    "e.yml",
    "f.yaml",
    "x.tfvars.json",
    "../escape.env",
    "/etc/passwd",
    "a/../../b",
    "a/./b/../c.env",
    "",
    "__proto__",
    "{{ var.dir }}/x.env",
    "${DIR}/y.env",
];
const FORMATS: &[&str] = &["json", "yaml", "toml", "tfvars", "dotenv", "env", "xml", ""];

fn target() -> impl Strategy<Value = Value> {
    (
        proptest::sample::select(&["local", "local", "vault", "aws", ""][..]),
        proptest::sample::select(&["file", "file", "template", "env", ""][..]),
        proptest::sample::select(PATHS),
        proptest::option::of(proptest::sample::select(FORMATS)),
        proptest::option::of(any::<bool>()),
        proptest::option::of(proptest::sample::select(NAMES)),
    )
        .prop_map(|(provider, kind, path, format, merge, key)| {
            let mut config = Map::new();
            if kind == "template" {
                config.insert("template".into(), json!("t.j2"));
                config.insert("output".into(), json!(path));
            } else {
                config.insert("path".into(), json!(path));
            }
            if let Some(f) = format {
                config.insert("format".into(), json!(f));
            }
            if let Some(m) = merge {
                config.insert("merge".into(), json!(m));
            }
            if let Some(k) = key {
                config.insert("key".into(), json!(k));
            }
            json!({"provider": provider, "kind": kind, "config": config})
        })
}

fn instructions() -> impl Strategy<Value = Value> {
    (
        "[ -~]{0,20}",
        proptest::collection::vec(
            (
                "[ -~]{0,12}",
                "[ -~]{0,12}",
                small_map(&["p", "q", "__proto__"]),
            ),
            0..3,
        ),
        proptest::option::of(proptest::sample::select(
            &[
                "Fully automated",
                "manual only",
                "needs approval",
                "semi",
                "cannot",
            ][..],
        )),
    )
        .prop_map(|(summary, steps, hint)| {
            let steps: Vec<Value> = steps
                .into_iter()
                .map(|(a, d, p)| json!({"action": a, "description": d, "params": p}))
                .collect();
            let mut m = json!({"summary": summary, "steps": steps});
            if let Some(h) = hint {
                m["automation_hint"] = json!(h);
            }
            m
        })
}

fn secret() -> impl Strategy<Value = Value> {
    (
        proptest::sample::select(NAMES),
        proptest::sample::select(KINDS),
        small_map(CONFIG_KEYS),
        proptest::collection::vec(target(), 0..3),
        proptest::option::of(instructions()),
        any::<(bool, bool)>(),
    )
        .prop_map(|(name, kind, config, targets, ai, (one_time, local))| {
            let mut s = json!({"name": name, "kind": kind, "config": config, "targets": targets});
            if let Some(ai) = ai {
                s["agent_instructions"] = ai;
            }
            if one_time {
                s["one_time"] = json!(true);
            }
            if local {
                s["local"] = json!(true);
            }
            s
        })
}

fn secretfile() -> impl Strategy<Value = Value> {
    (
        small_map(&["dir", "x", "region", "__proto__"]),
        proptest::collection::vec(secret(), 0..6),
        proptest::option::of(small_map(&["default", "profiles"])),
        any::<bool>(),
    )
        .prop_map(|(variables, secrets, environments, template)| {
            let mut sf = json!({"variables": variables, "secrets": secrets});
            if let Some(e) = environments {
                sf["environments"] = e;
            }
            if template {
                sf["templates"] = json!({"t": {"description": "d", "fields": {
                    "user": {"generator": {"kind": "random_string", "config": {"length": 12}}},
                    "pass": {"generator": {"kind": "random_password"}}}}});
            }
            sf
        })
}

/// A block-style YAML rendering of a JSON value (strings double-quoted, JSON escapes).
fn to_block_yaml(v: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, val) in m {
                out.push_str(&format!("{pad}{}:", Value::String(k.clone())));
                match val {
                    Value::Object(x) if !x.is_empty() => {
                        out.push('\n');
                        to_block_yaml(val, indent + 2, out);
                    }
                    Value::Array(x) if !x.is_empty() => {
                        out.push('\n');
                        to_block_yaml(val, indent, out);
                    }
                    _ => out.push_str(&format!(" {val}\n")),
                }
            }
        }
        Value::Array(a) if !a.is_empty() => {
            for item in a {
                match item {
                    Value::Object(m) if !m.is_empty() => {
                        let mut inner = String::new();
                        to_block_yaml(item, indent + 2, &mut inner);
                        out.push_str(&format!("{pad}- {}", &inner[indent + 2..]));
                    }
                    _ => out.push_str(&format!("{pad}- {item}\n")),
                }
            }
        }
        _ => out.push_str(&format!("{pad}{v}\n")),
    }
}

// ---------------------------------------------------------------------------------------
// The pipeline under test

#[derive(Default)]
struct Stats {
    executions: u64,
    calls: u64,
    slowest: Duration,
    slowest_op: String,
    errors: BTreeMap<String, u64>,
}

impl Stats {
    fn record(&mut self, op: &str, c: &common::Called) {
        self.calls += 1;
        if c.elapsed > self.slowest {
            self.slowest = c.elapsed;
            self.slowest_op = op.to_string();
        }
        if let Some(code) = c.error_code() {
            *self.errors.entry(format!("{op}:{code}")).or_default() += 1;
        }
    }
}

fn checked(stats: &mut Stats, op: &str, input: &Value) -> Result<common::Called, String> {
    let c = call(op, input)?;
    if c.elapsed > CALL_LIMIT {
        return Err(format!("{op} took {:?} (limit {CALL_LIMIT:?})", c.elapsed));
    }
    stats.record(op, &c);
    Ok(c)
}

/// What one fuzz input is made of.
struct Input {
    text: String,
    lockfile: Option<String>,
    /// Contents for target files, used in order for the paths `target_files` lists.
    contents: Vec<Option<String>>,
    env: BTreeMap<String, String>,
    values: BTreeMap<String, String>,
    dry_run: bool,
    allow_outside_root: bool,
}

fn escapes(path: &str) -> bool {
    path.starts_with('/') || path.split('/').any(|seg| seg == "..")
}

/// Run `input` through the API; `Err` describes a broken contract.
fn exercise(input: &Input, stats: &mut Stats) -> Result<(), String> {
    stats.executions += 1;
    let text = &input.text;
    checked(stats, "parse", &json!({"text": text, "env": input.env}))?;
    checked(stats, "validate", &json!({"text": text}))?;
    let base = json!({
        "text": text, "now": NOW, "env": input.env, "values": input.values,
        "dry_run": input.dry_run, "allow_outside_root": input.allow_outside_root,
    });
    let tf = checked(stats, "target_files", &base)?;
    let Some(plan) = tf.ok() else { return Ok(()) };
    let mut files = Map::new();
    for (i, p) in plan["files"].as_array().into_iter().flatten().enumerate() {
        let p = p.as_str().ok_or("target_files: a path is not a string")?;
        if !input.allow_outside_root && escapes(p) {
            return Err(format!("target_files lists a path outside the root: {p}"));
        }
        let c = input.contents.get(i).cloned().flatten();
        files.insert(p.to_string(), json!(c));
    }
    let mut req = base.clone();
    req["files"] = Value::Object(files.clone());
    req["lockfile"] = json!(input.lockfile);
    let first = checked(stats, "sync", &req)?;
    let Some(out) = first.ok() else { return Ok(()) };
    let report = &out["report"];
    for format in ["text", "json"] {
        let f = checked(
            stats,
            "format_report",
            &json!({"report": report, "format": format, "width": 60}),
        )?;
        if f.ok().is_none() {
            return Err(format!(
                "format_report ({format}) refused a sync report: {}",
                f.envelope
            ));
        }
    }
    let writes = out["writes"]
        .as_array()
        .ok_or("sync: writes is not an array")?;
    if input.dry_run && !writes.is_empty() {
        return Err("a dry run planned writes".into());
    }
    // Apply the writes to the inputs and sync again.
    let mut lockfile = input.lockfile.clone();
    let mut local_lockfile: Option<String> = None;
    for w in writes {
        let path = w["path"].as_str().ok_or("a write without a path")?;
        let role = w["role"].as_str().unwrap_or("");
        if (role == "target" || role == "template") && !input.allow_outside_root && escapes(path) {
            return Err(format!("a target write outside the root: {path}"));
        }
        let contents = w["contents"].as_str().map(str::to_string);
        match role {
            "lockfile" => lockfile = contents,
            "local_lockfile" => local_lockfile = contents,
            _ => {
                files.insert(path.to_string(), json!(contents));
            }
        }
    }
    if input.dry_run {
        return Ok(());
    }
    let mut again = base;
    again["files"] = Value::Object(files);
    again["lockfile"] = json!(lockfile);
    again["local_lockfile"] = json!(local_lockfile);
    let second = checked(stats, "sync", &again)?;
    let Some(out2) = second.ok() else {
        return Err(format!(
            "the second sync, over the first one's writes, failed: {}",
            second.envelope
        ));
    };
    let already: Vec<&Value> = out2["report"]["already_synced"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    for name in report["synced_secrets"].as_array().into_iter().flatten() {
        if !already.contains(&name) {
            return Err(format!(
                "`{name}` was stored by the first sync but is not already synced in the second: {}",
                out2["report"]
            ));
        }
    }
    Ok(())
}

fn crash_dir() -> PathBuf {
    root().join("target/fuzz-crashes")
}

fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf29ce484222325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100000001b3)
    })
}

/// Run `input`; on a panic or a broken contract save the Secretfile and fail.
fn run_one(input: &Input, stats: &mut Stats) {
    let result = catch_unwind(AssertUnwindSafe(|| exercise(input, stats)));
    let problem = match result {
        Ok(Ok(())) => return,
        Ok(Err(m)) => m,
        Err(p) => format!(
            "panic: {}",
            p.downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default()
        ),
    };
    std::fs::create_dir_all(crash_dir()).unwrap();
    let path = crash_dir().join(format!("{:016x}.yml", fnv(&input.text)));
    std::fs::write(&path, &input.text).unwrap();
    let full = json!({
        "text": input.text, "lockfile": input.lockfile, "contents": input.contents,
        "env": input.env, "values": input.values, "dry_run": input.dry_run,
    });
    std::fs::write(path.with_extension("json"), full.to_string()).unwrap();
    panic!(
        "{problem}\ninput saved to {} (copy it to tests/fuzz-regressions/ once fixed)",
        path.display()
    );
}

fn report(name: &str, stats: &Stats, elapsed: Duration) {
    let top: Vec<String> = {
        let mut v: Vec<_> = stats.errors.iter().collect();
        v.sort_by(|a, b| b.1.cmp(a.1));
        v.into_iter()
            .take(6)
            .map(|(k, n)| format!("{k}={n}"))
            .collect()
    };
    println!(
        "fuzz {name}: {} executions ({} calls) in {:.1} s = {:.0} exec/s; slowest call {:?} ({}); \
         most frequent errors: {}",
        stats.executions,
        stats.calls,
        elapsed.as_secs_f64(),
        stats.executions as f64 / elapsed.as_secs_f64(),
        stats.slowest,
        stats.slowest_op,
        top.join(", ")
    );
}

fn random_input(m: &mut Mutator, c: &Corpus, text: String) -> Input {
    let mut contents = Vec::new();
    for _ in 0..4 {
        contents.push(match m.below(4) {
            0 => None,
            1 => Some(m.pick(&c.others).clone()),
            2 => {
                let s = m.pick(&c.others).clone();
                Some(m.mutate(s, &c.others))
            }
            _ => Some(m.pick(&c.lockfiles).clone()),
        });
    }
    let lockfile = match m.below(4) {
        0 => None,
        1 => Some(m.pick(&c.lockfiles).clone()),
        2 => {
            let s = m.pick(&c.lockfiles).clone();
            Some(m.mutate(s, &c.lockfiles))
        }
        _ => Some(m.pick(&c.others).clone()),
    };
    let mut env = BTreeMap::new();
    let mut values = BTreeMap::new();
    if m.chance(3) {
        env.insert("DB_PASSWORD".into(), "supplied-db-password-1".into());
        env.insert("SZ_AGENT".into(), (*m.pick(&["1", "0", "yes"])).into());
        env.insert("X".into(), "x".into());
        values.insert((*m.pick(NAMES)).into(), "supplied-value-2".into());
    }
    Input {
        text,
        lockfile,
        contents,
        env,
        values,
        dry_run: m.chance(5),
        allow_outside_root: m.chance(8),
    }
}

/// Mutated fixtures through the whole pipeline.
#[test]
fn fuzz_mutated_corpus() {
    let c = corpus();
    let mut m = Mutator {
        rng: ChaCha20Rng::seed_from_u64(base_seed()),
    };
    let mut stats = Stats::default();
    let start = Instant::now();
    let deadline = budget();
    // Every seed once as it is, then mutations until the deadline.
    for text in c.secretfiles.clone() {
        let input = random_input(&mut m, &c, text);
        run_one(&input, &mut stats);
    }
    while start.elapsed() < deadline {
        let seed = m.pick(&c.secretfiles).clone();
        let text = m.mutate(seed, &c.secretfiles);
        let input = random_input(&mut m, &c, text);
        run_one(&input, &mut stats);
    }
    report("mutated corpus", &stats, start.elapsed());
    assert!(stats.executions > c.secretfiles.len() as u64);
}

/// Secretfiles generated from proptest strategies, in block and flow style, some mutated.
#[test]
fn fuzz_generated_secretfiles() {
    let c = corpus();
    let mut seed = [0u8; 32];
    seed[..8].copy_from_slice(&base_seed().wrapping_add(1).to_le_bytes());
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed),
    );
    let mut m = Mutator {
        rng: ChaCha20Rng::seed_from_u64(base_seed().wrapping_add(2)),
    };
    let strategy = secretfile();
    let mut stats = Stats::default();
    let start = Instant::now();
    let deadline = budget();
    while start.elapsed() < deadline {
        let value = strategy.new_tree(&mut runner).unwrap().current();
        let mut text = if m.chance(3) {
            value.to_string()
        } else {
            let mut s = String::new();
            to_block_yaml(&value, 0, &mut s);
            s
        };
        if m.chance(4) {
            text = m.mutate(text, &c.secretfiles);
        }
        let input = random_input(&mut m, &c, text);
        run_one(&input, &mut stats);
    }
    report("generated", &stats, start.elapsed());
    assert!(stats.executions > 0);
}

/// Every saved regression input: `*.yml` through the whole pipeline, `*.json` as
/// `{"op": ..., "input": ...}` (the input a JSON value or a raw string).
#[test]
fn fuzz_regressions_replay() {
    let dir = root().join("tests/fuzz-regressions");
    let mut stats = Stats::default();
    let mut n = 0;
    for p in common::files_under(&dir) {
        let bytes = std::fs::read(&p).unwrap();
        match p.extension().and_then(|e| e.to_str()) {
            Some("yml") => {
                let text = String::from_utf8_lossy(&bytes).to_string();
                let input = Input {
                    text,
                    lockfile: None,
                    contents: vec![],
                    env: BTreeMap::new(),
                    values: BTreeMap::new(),
                    dry_run: false,
                    allow_outside_root: false,
                };
                run_one(&input, &mut stats);
            }
            Some("json") => {
                let v: Value = serde_json::from_slice(&bytes).unwrap();
                let op = v["op"].as_str().unwrap();
                let raw = match &v["input"] {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                let out = secretzero_agent::api::call(op, &raw);
                common::check_envelope(op, &out).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            }
            _ => continue,
        }
        n += 1;
    }
    assert!(n > 0, "no regression inputs in {}", dir.display());
}
