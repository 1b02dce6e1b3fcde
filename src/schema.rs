//! The JSON Schema of the Secretfile, for editors (the YAML language server reads
//! `# yaml-language-server: $schema=...`) and for `secretzero schema`.
//!
//! The schema is generated from the model types by schemars (feature `schema`) and committed
//! as `secretfile.schema.json`; a test fails when the committed file is stale
//! (`BLESS=1 cargo test --features schema --test schema` rewrites it). The library embeds
//! the committed text, so the wasm build does not carry schemars.

/// The committed JSON Schema text.
pub const SECRETFILE_SCHEMA: &str = include_str!("../secretfile.schema.json");

/// Generate the JSON Schema from the model (draft 2020-12).
#[cfg(feature = "schema")]
pub fn generate() -> serde_json::Value {
    let schema = schemars::schema_for!(crate::model::Secretfile);
    let mut value = serde_json::to_value(&schema).unwrap_or_default();
    if let Some(obj) = value.as_object_mut() {
        let mut out = serde_json::Map::new();
        out.insert(
            "$schema".into(),
            obj.remove("$schema")
                .unwrap_or_else(|| "https://json-schema.org/draft/2020-12/schema".into()),
        );
        out.insert(
            "$id".into(),
            "https://unpkg.com/@secretzero/agent/secretfile.schema.json".into(),
        );
        out.insert("title".into(), "SecretZero Secretfile".into());
        out.insert(
            "description".into(),
            "The secrets a project needs: how each is generated or obtained (agent_instructions) and where it is stored. Used by `secretzero agent sync`.".into(),
        );
        for (k, v) in std::mem::take(obj) {
            if !out.contains_key(&k) {
                out.insert(k, v);
            }
        }
        *obj = out;
    }
    value
}
