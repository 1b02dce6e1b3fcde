//! Shared by the fuzz targets: the envelope contract every answer of `api::call` keeps.

use secretzero_agent::{Diagnostic, ErrorCode};
use serde_json::Value;

/// Panic (a fuzzer finding) unless `out` is one JSON object with exactly one of `ok` /
/// `error`, an error has a known code, a message and well-formed diagnostics.
pub fn check_envelope(op: &str, out: &str) -> Value {
    let v: Value = serde_json::from_str(out).unwrap_or_else(|e| panic!("{op}: not JSON: {e}"));
    let obj = v.as_object().unwrap_or_else(|| panic!("{op}: not an object"));
    assert_eq!(obj.len(), 1, "{op}: envelope {out:.200}");
    if let Some(e) = obj.get("error") {
        let code = e.get("code").cloned().unwrap_or(Value::Null);
        assert!(serde_json::from_value::<ErrorCode>(code.clone()).is_ok(), "{op}: code {code}");
        let message = e.get("message").and_then(Value::as_str).unwrap_or("");
        assert!(!message.is_empty(), "{op}: error without a message");
        for d in e.get("diagnostics").and_then(Value::as_array).expect("diagnostics") {
            check_diagnostic(op, d);
        }
    } else {
        let ok = obj.get("ok").unwrap_or_else(|| panic!("{op}: neither ok nor error"));
        if let Some(ds) = ok.get("diagnostics").and_then(Value::as_array) {
            for d in ds {
                check_diagnostic(op, d);
            }
        }
    }
    v
}

fn check_diagnostic(op: &str, d: &Value) {
    let parsed: Diagnostic =
        serde_json::from_value(d.clone()).unwrap_or_else(|e| panic!("{op}: diagnostic {d}: {e}"));
    assert!(!parsed.message.is_empty(), "{op}: diagnostic without a message: {d}");
    assert_ne!(parsed.line, Some(0), "{op}: 0-based line: {d}");
    assert_ne!(parsed.column, Some(0), "{op}: 0-based column: {d}");
}
