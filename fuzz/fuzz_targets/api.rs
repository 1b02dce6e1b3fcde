//! Any operation with any JSON: the first byte picks the operation, the rest is the request.
//! Whatever the request, the answer is a well-formed envelope (never a panic).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

const OPS: &[&str] = &[
    "version", "parse", "validate", "classify", "generate", "generate_many", "target_files",
    "plan_scripts", "sync", "format_report", "format_diagnostics", "schema", "nope",
];

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let Ok(input) = std::str::from_utf8(rest) else {
        return;
    };
    let op = OPS[usize::from(first) % OPS.len()];
    // Keep `generate_many` cheap: its count is capped, but a million values is slow to fuzz.
    if op == "generate_many"
        && serde_json::from_str::<serde_json::Value>(input)
            .ok()
            .and_then(|v| v.get("count")?.as_u64())
            .is_some_and(|n| n > 1000)
    {
        return;
    }
    common::check_envelope(op, &secretzero_agent::api::call(op, input));
});
