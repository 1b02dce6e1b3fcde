//! Any bytes as a Secretfile: `parse` and `validate` answer with a well-formed envelope.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let input = serde_json::json!({ "text": text }).to_string();
    for op in ["parse", "validate"] {
        common::check_envelope(op, &secretzero_agent::api::call(op, &input));
    }
});
