//! The committed `secretfile.schema.json` is what the model generates.
#![cfg(feature = "schema")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

#[test]
fn committed_schema_is_fresh() {
    let generated = format!(
        "{}\n",
        serde_json::to_string_pretty(&secretzero_agent::schema::generate()).unwrap()
    );
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("secretfile.schema.json");
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap();
    assert!(
        committed == generated,
        "secretfile.schema.json is stale: run `BLESS=1 cargo test --features schema --test schema`"
    );
}

#[test]
fn schema_describes_every_property() {
    let schema = secretzero_agent::schema::generate();
    let mut missing = Vec::new();
    fn walk(v: &serde_json::Value, path: &str, missing: &mut Vec<String>) {
        if let Some(props) = v.get("properties").and_then(|p| p.as_object()) {
            for (k, p) in props {
                if p.get("description").is_none() {
                    missing.push(format!("{path}.{k}"));
                }
                walk(p, &format!("{path}.{k}"), missing);
            }
        }
        if let Some(defs) = v.get("$defs").and_then(|d| d.as_object()) {
            for (k, d) in defs {
                walk(d, &format!("$defs.{k}"), missing);
            }
        }
    }
    walk(&schema, "", &mut missing);
    assert!(
        missing.is_empty(),
        "properties without a description: {missing:?}"
    );
}
