//! Native timing/profiling driver for the core (not shipped, not a test).
//!
//!   node bench/gen-secretfile.mjs 5000 /tmp/sf5000
//!   cargo run --release --example profile -- /tmp/sf5000/Secretfile.yml [ROUNDS] [OP]
//!
//! OP: `parse` | `validate` | `sync` (dry-run, through `api::call`, like the CLI) |
//! `format` (`format_report` json of one sync report) | `all` (default). Prints the median
//! and min of ROUNDS runs per operation. Run it under `perf record -g` or
//! `valgrind --tool=callgrind` to see where the time goes.

#![allow(clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::time::Instant;

use secretzero_agent::api::call;

fn time(label: &str, rounds: usize, mut f: impl FnMut()) {
    let mut ms: Vec<f64> = (0..rounds)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    ms.sort_by(f64::total_cmp);
    println!(
        "{label:10} median {:8.2} ms  min {:8.2} ms  ({rounds} rounds)",
        ms[ms.len() / 2],
        ms[0]
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = args
        .get(1)
        .expect("usage: profile SECRETFILE [ROUNDS] [OP]");
    let rounds: usize = args.get(2).map_or(10, |r| r.parse().expect("ROUNDS"));
    let op = args.get(3).map_or("all", String::as_str);
    let text = std::fs::read_to_string(path).expect("read the Secretfile");
    let input = serde_json::json!({ "text": text }).to_string();
    let sync_req = serde_json::json!({
        "text": text,
        "now": "2025-01-01T00:00:00.000Z",
        "dry_run": true,
        "cwd": "/tmp/project",
    })
    .to_string();
    let report = (op == "all" || op == "format").then(|| {
        let out: serde_json::Value = serde_json::from_str(&call("sync", &sync_req)).expect("json");
        assert!(out.get("ok").is_some(), "sync failed: {}", out);
        serde_json::json!({ "report": out["ok"]["report"], "format": "json" }).to_string()
    });
    if op == "all" || op == "parse" {
        time("parse", rounds, || drop(call("parse", &input)));
    }
    if op == "all" || op == "validate" {
        time("validate", rounds, || drop(call("validate", &input)));
    }
    if op == "all" || op == "sync" {
        time("sync", rounds, || drop(call("sync", &sync_req)));
    }
    if op == "all" || op == "format" {
        let report = report.unwrap_or_default();
        time("format", rounds, || drop(call("format_report", &report)));
    }
}
