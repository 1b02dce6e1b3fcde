//! Any bytes as a Secretfile through the whole sync: `target_files`, `sync` (target files and
//! lockfile carved from the input), `format_report`, then a second sync over the first one's
//! writes, which must read the lockfile it wrote and report every stored secret as synced.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value, json};

#[path = "common.rs"]
mod common;

const NOW: &str = "2026-01-02T03:04:05.000Z";

fn call(op: &str, input: &Value) -> Value {
    common::check_envelope(op, &secretzero_agent::api::call(op, &input.to_string()))
}

fuzz_target!(|data: &[u8]| {
    let Ok(all) = std::str::from_utf8(data) else {
        return;
    };
    // `Secretfile \0\0 lockfile \0\0 target file...`: parts after the first are optional.
    let mut parts = all.split("\u{0}\u{0}");
    let text = parts.next().unwrap_or("");
    let lockfile = parts.next();
    let contents: Vec<&str> = parts.collect();
    let base = json!({"text": text, "now": NOW, "env": {"X": "x"}});
    let plan = call("target_files", &base);
    let Some(paths) = plan["ok"]["files"].as_array() else {
        return;
    };
    let mut files = Map::new();
    for (i, p) in paths.iter().enumerate() {
        let p = p.as_str().expect("path");
        assert!(!p.starts_with('/') && !p.split('/').any(|s| s == ".."), "target outside: {p}");
        files.insert(p.to_string(), json!(contents.get(i)));
    }
    let mut req = base.clone();
    req["files"] = Value::Object(files.clone());
    req["lockfile"] = json!(lockfile);
    let first = call("sync", &req);
    let Some(out) = first.get("ok") else {
        return;
    };
    for format in ["text", "json"] {
        let f = call("format_report", &json!({"report": out["report"], "format": format}));
        assert!(f.get("ok").is_some(), "format_report refused a report: {f}");
    }
    let mut lock = json!(lockfile);
    let mut local = Value::Null;
    for w in out["writes"].as_array().expect("writes") {
        let path = w["path"].as_str().expect("path");
        match w["role"].as_str() {
            Some("lockfile") => lock = w["contents"].clone(),
            Some("local_lockfile") => local = w["contents"].clone(),
            _ => {
                assert!(!path.starts_with('/') && !path.split('/').any(|s| s == ".."), "write outside: {path}");
                files.insert(path.to_string(), w["contents"].clone());
            }
        }
    }
    let mut again = base;
    again["files"] = Value::Object(files);
    again["lockfile"] = lock;
    again["local_lockfile"] = local;
    let second = call("sync", &again);
    let out2 = second.get("ok").unwrap_or_else(|| panic!("second sync failed: {second}"));
    let already = out2["report"]["already_synced"].as_array().expect("already_synced");
    for name in out["report"]["synced_secrets"].as_array().expect("synced") {
        assert!(already.contains(name), "{name} stored but not already synced the second time");
    }
});
