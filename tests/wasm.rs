//! The wasm boundary, run inside a JS engine by wasm-bindgen-test (Node by default):
//! `cargo test --target wasm32-unknown-unknown --features wasm`.
//!
//! Native `cargo test` cannot reach the parts that only exist in wasm: the exported `call`
//! function as JS sees it and the JS-backed randomness (`crypto.getRandomValues` through
//! getrandom's `wasm_js` backend). These tests call the exported function the way the npm
//! package does and check the JSON envelope.
#![cfg(target_arch = "wasm32")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use serde_json::Value;
use wasm_bindgen_test::wasm_bindgen_test;

fn call(op: &str, input: &str) -> Value {
    let out = secretzero_agent::wasm::call(op, input);
    serde_json::from_str(&out).expect("call returns JSON")
}

/// Whether `v` is the placeholder error of an operation that is not implemented yet.
fn not_implemented(v: &Value) -> bool {
    v["error"]["code"] == "INTERNAL"
}

#[wasm_bindgen_test]
fn version_matches_the_crate() {
    let v = call("version", "{}");
    assert_eq!(v["ok"]["version"], env!("CARGO_PKG_VERSION"));
}

#[wasm_bindgen_test]
fn validate_reports_a_positioned_diagnostic() {
    let v = call("validate", r#"{"text": "secrets:\n  - name: a\n"}"#);
    assert_eq!(v["ok"]["valid"], false, "{v}");
    let d = &v["ok"]["diagnostics"][0];
    assert_eq!(d["code"], "MISSING_FIELD", "{v}");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["line"], 2);
}

#[wasm_bindgen_test]
fn bad_requests_are_errors_and_the_instance_stays_usable() {
    let v = call("parse", "{not json");
    assert_eq!(v["error"]["code"], "USAGE");
    let v = call("no_such_op", "{}");
    assert_eq!(v["error"]["code"], "USAGE");
    let v = call("validate", r#"{"text": "secrets: []\n"}"#);
    assert!(v.get("ok").is_some(), "{v}");
}

fn generate(kind: &str, config: &str) -> Option<String> {
    let v = call(
        "generate",
        &format!(r#"{{"kind": "{kind}", "config": {config}}}"#),
    );
    if not_implemented(&v) {
        // The generators land separately; until then this test only checks the envelope.
        wasm_bindgen_test::console_log!("generate is not implemented yet: skipped");
        return None;
    }
    Some(
        v["ok"]["value"]
            .as_str()
            .unwrap_or_else(|| panic!("generate {kind}: {v}"))
            .to_string(),
    )
}

#[wasm_bindgen_test]
fn generated_values_come_from_the_js_random_source() {
    let Some(a) = generate("random_password", r#"{"length": 40}"#) else {
        return;
    };
    let b = generate("random_password", r#"{"length": 40}"#).expect("second value");
    assert_eq!(a.chars().count(), 40);
    assert_eq!(b.chars().count(), 40);
    assert_ne!(a, b, "two passwords must differ");

    let hex = generate("random_string", r#"{"length": 64, "charset": "hex"}"#).expect("hex string");
    assert_eq!(hex.len(), 64);
    assert!(hex.chars().all(|c| c.is_ascii_hexdigit()), "not hex");

    let u = generate("uuid", "{}").expect("uuid");
    let parts: Vec<&str> = u.split('-').collect();
    assert_eq!(
        parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
        [8, 4, 4, 4, 12]
    );
    assert!(parts[2].starts_with('4'), "version 4");
    assert!(
        matches!(parts[3].chars().next(), Some('8' | '9' | 'a' | 'b')),
        "RFC 4122 variant"
    );
}
