//! Hostile inputs: each one gets a coded answer, within the budgets, quickly.
//!
//! A Secretfile comes from a repository an agent just cloned. The inputs here are the
//! classic attacks on YAML/JSON readers — alias bombs, 10,000-deep nesting, a 50 MB file, NUL
//! bytes, a document that is a list or a scalar — plus the same against the other files a
//! sync reads (lockfile, target files in every format) and the Secretfile's own mini-languages
//! (Jinja, `validation` regexes). Each goes through `api::call` (the function the wasm
//! instance exports) and must answer with the expected code in well under a second; the
//! slowest is printed. `js/test/hostile.test.mjs` runs the same list against the built wasm
//! package and checks the instance stays usable.
//!
//! Invalid UTF-8 cannot reach the core (its API takes JSON strings); the hosts detect it
//! when they read a file (`INVALID_ENCODING` with the byte offset, see `js/src/project.ts`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::time::Duration;

use serde_json::{Value, json};

use common::{NOW, call};

/// A hang detector for this debug build on a shared 2-core machine (release and wasm builds
/// are ~10x faster; `js/test/hostile.test.mjs` holds the shipped build to 1 s per input).
const LIMIT: Duration = Duration::from_secs(10);

/// The alias bomb ("billion laughs"): 9 levels of 9 references, 9^9 nodes expanded.
pub fn alias_bomb() -> String {
    let mut s = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for w in names.windows(2) {
        let refs = vec![format!("*{}", w[0]); 9].join(",");
        s.push_str(&format!("{}: &{} [{refs}]\n", w[1], w[1]));
    }
    s.push_str("secrets: []\n");
    s
}

struct Case {
    name: &'static str,
    text: String,
    /// Expected error code of `validate` (`None`: valid).
    code: Option<&'static str>,
}

fn secretfile_cases() -> Vec<Case> {
    let deep = 10_000;
    vec![
        Case { name: "alias bomb (9^9 nodes)", text: alias_bomb(), code: Some("BUDGET_EXCEEDED") },
        Case {
            name: "250,001 aliases of one scalar",
            text: format!("x: &x 1\ny: [{}]\nsecrets: []\n", vec!["*x"; 250_001].join(",")),
            code: Some("BUDGET_EXCEEDED"),
        },
        Case {
            name: "30,000-item flow list on one line",
            text: format!("x: [{}]\nsecrets: []\n", vec!["é"; 30_000].join(",")),
            code: None,
        },
        Case {
            name: "10,000-deep block sequences",
            text: format!("secrets:\n  {}x\n", "- ".repeat(deep)),
            code: Some("BUDGET_EXCEEDED"),
        },
        Case {
            name: "10,000-deep flow sequences",
            text: format!("secrets: {}{}\n", "[".repeat(deep), "]".repeat(deep)),
            code: Some("BUDGET_EXCEEDED"),
        },
        Case {
            name: "10,000-deep flow mappings",
            text: format!("secrets: {}1{}\n", "{a: ".repeat(deep), "}".repeat(deep)),
            code: Some("BUDGET_EXCEEDED"),
        },
        Case {
            name: "10,000-deep block mappings (1-space indent, 50 MB)",
            text: (0..deep).map(|d| format!("{}k:\n", " ".repeat(d))).collect(),
            code: Some("BUDGET_EXCEEDED"),
        },
        Case {
            name: "50 MB file",
            text: format!("secrets: []\n{}", "# padding padding padding padding\n".repeat(1_500_000)),
            code: Some("BUDGET_EXCEEDED"),
        },
        Case {
            name: "5 MB of comments (under the budget)",
            text: format!("secrets: []\n{}", "# padding padding padding padding\n".repeat(150_000)),
            code: None,
        },
        Case {
            name: "3 MB single scalar",
            text: format!(
                "variables:\n  big: {}\nsecrets: []\n",
                "x".repeat(3 * 1024 * 1024)
            ),
            code: None,
        },
        Case {
            name: "20,000 variables",
            text: format!(
                "variables:\n{}secrets: []\n",
                (0..20_000).map(|i| format!("  v{i}: {i}\n")).collect::<String>()
            ),
            code: None,
        },
        Case {
            name: "NUL byte",
            text: "secrets: []\nx: a\u{0}b\n".into(),
            code: Some("INVALID_ENCODING"),
        },
        Case { name: "top level is a list", text: "- a\n- b\n".into(), code: Some("NOT_A_MAPPING") },
        Case { name: "top level is a flow list", text: "[]\n".into(), code: Some("NOT_A_MAPPING") },
        Case { name: "top level is a scalar", text: "hello\n".into(), code: Some("NOT_A_MAPPING") },
        Case { name: "top level is a number", text: "42\n".into(), code: Some("NOT_A_MAPPING") },
        Case { name: "top level is null", text: "~\n".into(), code: Some("NOT_A_MAPPING") },
        Case {
            name: "secrets is a scalar",
            text: "secrets: 5\n".into(),
            code: Some("WRONG_TYPE"),
        },
        Case {
            name: "regex bomb in validation",
            text: "secrets:\n  - name: a\n    kind: static\n    config: {value: aaaa, validation: '((((a{1000}){1000}){1000}){1000})'}\n".into(),
            code: Some("INVALID_REGEX"),
        },
        Case {
            name: "Jinja loop bomb",
            text: "secrets:\n  - name: a\n    kind: static\n    config:\n      value: \"{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}\"\n".into(),
            code: None,
        },
        Case {
            name: "Jinja string doubling",
            text: format!(
                "secrets:\n  - name: a\n    kind: static\n    config:\n      value: \"{{% set a = 'xxxxxxxxxx' %}}{}{{{{ a }}}}\"\n",
                "{% set a = a~a~a~a~a~a~a~a~a~a %}".repeat(9)
            ),
            code: None,
        },
        Case {
            name: "Jinja recursion",
            text: "secrets:\n  - name: a\n    kind: static\n    config:\n      value: \"{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}\"\n".into(),
            code: None,
        },
        Case {
            name: "huge length",
            text: "secrets:\n  - name: a\n    kind: random_password\n    config: {length: 4000000000}\n".into(),
            code: Some("INVALID_VALUE"),
        },
    ]
}

fn code_of(v: &Value) -> Option<&str> {
    if let Some(e) = v.get("error") {
        return e["code"].as_str();
    }
    let ok = v.get("ok")?;
    if ok["valid"] == json!(false) {
        return ok["diagnostics"]
            .as_array()?
            .iter()
            .find(|d| d["severity"] == "error")?["code"]
            .as_str();
    }
    None
}

struct Timing {
    slowest: Duration,
    name: String,
    rows: Vec<String>,
}

impl Timing {
    fn new() -> Self {
        Timing {
            slowest: Duration::ZERO,
            name: String::new(),
            rows: Vec::new(),
        }
    }

    fn add(&mut self, name: &str, op: &str, t: Duration) {
        assert!(t < LIMIT, "{name} ({op}) took {t:?}");
        self.rows.push(format!("  {t:>12.2?}  {op:<10} {name}"));
        if t > self.slowest {
            self.slowest = t;
            self.name = format!("{name} ({op})");
        }
    }

    fn print(&self, what: &str) {
        println!("{what}:\n{}", self.rows.join("\n"));
        println!("slowest: {} in {:?}", self.name, self.slowest);
    }
}

#[test]
fn hostile_secretfiles_get_coded_answers_quickly() {
    let mut timing = Timing::new();
    for case in secretfile_cases() {
        let v = call("validate", &json!({"text": case.text})).unwrap();
        timing.add(case.name, "validate", v.elapsed);
        assert_eq!(
            code_of(&v.envelope),
            case.code,
            "{}: {}",
            case.name,
            v.envelope
        );
        let s = call("sync", &json!({"text": case.text, "now": NOW})).unwrap();
        timing.add(case.name, "sync", s.elapsed);
        match case.code {
            Some(code) => assert_eq!(s.error_code(), Some(code), "{}: {}", case.name, s.envelope),
            None => assert!(s.ok().is_some(), "{}: {}", case.name, s.envelope),
        }
    }
    timing.print("hostile Secretfiles");
}

#[test]
fn positions_of_encoding_and_shape_errors() {
    let v = call("validate", &json!({"text": "secrets: []\nx: a\u{0}b\n"})).unwrap();
    let d = &v.ok().unwrap()["diagnostics"][0];
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(2), Some(5)),
        "{d}"
    );
    let v = call("validate", &json!({"text": "- a\n"})).unwrap();
    assert_eq!(v.ok().unwrap()["diagnostics"][0]["line"], 1);
    // The size check comes before anything looks at the text.
    let big = "x".repeat(17 * 1024 * 1024);
    let v = call("validate", &json!({ "text": big })).unwrap();
    assert_eq!(code_of(&v.envelope), Some("BUDGET_EXCEEDED"));
}

/// Hostile lockfiles and target files: the files a sync reads besides the Secretfile.
#[test]
fn hostile_lockfiles_and_target_files() {
    let deep = 10_000;
    let secretfile = "secrets:\n  - name: a\n    kind: random_string\n    targets:\n      - {provider: local, kind: file, config: {path: t.json}}\n      - {provider: local, kind: file, config: {path: t.yml}}\n      - {provider: local, kind: file, config: {path: t.toml}}\n      - {provider: local, kind: file, config: {path: t.tfvars}}\n      - {provider: local, kind: file, config: {path: .env}}\n";
    let mut timing = Timing::new();
    let lockfiles: Vec<(&str, String)> = vec![
        ("10,000-deep JSON lockfile", format!("{}{}", "[".repeat(deep), "]".repeat(deep))),
        (
            "10,000-deep lockfile secrets",
            format!("{{\"version\":\"1.0\",\"secrets\":{}1{}}}", "{\"a\":".repeat(deep), "}".repeat(deep)),
        ),
        ("NUL in lockfile", "{\"version\":\"1.0\u{0}\"}".into()),
        ("lockfile is a list", "[]".into()),
        ("lockfile is a scalar", "5".into()),
        (
            "lockfile with __proto__ keys",
            r#"{"version":"1.0","secrets":{"__proto__":{"hash":"x","created_at":"2025-01-01T00:00:00","updated_at":"2025-01-01T00:00:00"}},"__proto__":{"polluted":true}}"#.into(),
        ),
    ];
    for (name, lock) in &lockfiles {
        let s = call(
            "sync",
            &json!({"text": secretfile, "now": NOW, "lockfile": lock}),
        )
        .unwrap();
        timing.add(name, "sync", s.elapsed);
        if *name != "lockfile with __proto__ keys" {
            assert_eq!(
                s.error_code(),
                Some("INVALID_LOCKFILE"),
                "{name}: {}",
                s.envelope
            );
        } else {
            assert!(s.ok().is_some(), "{name}: {}", s.envelope);
        }
    }
    let deep_json = format!("{{\"x\":{}1{}}}", "[".repeat(deep), "]".repeat(deep));
    let deep_yaml = format!("x: {}1{}\n", "[".repeat(deep), "]".repeat(deep));
    let deep_toml = format!("x = {}1{}\n", "[".repeat(deep), "]".repeat(deep));
    let deep_tfvars = format!("x = {}1{}\n", "{a = ".repeat(deep), "}".repeat(deep));
    let targets: Vec<(&str, &str, String)> = vec![
        ("10,000-deep JSON target", "t.json", deep_json),
        ("10,000-deep YAML target", "t.yml", deep_yaml),
        ("YAML alias bomb target", "t.yml", alias_bomb()),
        ("10,000-deep TOML target", "t.toml", deep_toml),
        ("10,000-deep tfvars target", "t.tfvars", deep_tfvars),
        ("NUL in dotenv target", ".env", "A=1\u{0}\nB=2\n".into()),
        (
            "2 MB dotenv line",
            ".env",
            format!("A={}\n", "x".repeat(2 * 1024 * 1024)),
        ),
        (
            "unterminated quotes everywhere",
            "t.toml",
            "x = \"\"\"\n".repeat(1000),
        ),
    ];
    for (name, path, contents) in &targets {
        let s = call(
            "sync",
            &json!({"text": secretfile, "now": NOW, "files": {*path: contents}}),
        )
        .unwrap();
        timing.add(name, "sync", s.elapsed);
        // The sync runs; the secret fails with the target's problem (nothing half-merged is
        // written) or, where the format tolerates it, is stored.
        let ok = s.ok().unwrap_or_else(|| panic!("{name}: {}", s.envelope));
        let written: Vec<&str> = ok["writes"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|w| w["path"].as_str())
            .collect();
        if ok["report"]["failed_secrets"].get("a").is_some() {
            assert!(
                !written.contains(path),
                "{name}: a failed target was written"
            );
        }
    }
    // A report nested beyond serde's limit is a usage error, not a crash.
    let deep_report = format!("{{\"report\":{}1{}}}", "[".repeat(deep), "]".repeat(deep));
    let out = secretzero_agent::api::call("format_report", &deep_report);
    let v = common::check_envelope("format_report", &out).unwrap();
    assert_eq!(v["error"]["code"], "USAGE");
    // A lone surrogate (what invalid UTF-8 would have to become to reach the core).
    let out = secretzero_agent::api::call("validate", r#"{"text": "a: \ud800"}"#);
    let v = common::check_envelope("validate", &out).unwrap();
    assert_eq!(v["error"]["code"], "USAGE");
    timing.print("hostile lockfiles and target files");
}
