//! The hashes a lockfile holds: SHA-256 of a secret's value, of the Secretfile text and of
//! a secret's *definition* (its structural configuration, for drift detection).
//!
//! Everything is unsalted SHA-256 in lowercase hex, exactly as the reference CLI computes
//! it, so that a lockfile written by either implementation is understood by the other:
//!
//! - a string is hashed as its UTF-8 bytes ([`hash_value`]);
//! - any other value as its canonical JSON, Python's
//!   `json.dumps(v, sort_keys=True, separators=(",", ":"))` with `ensure_ascii`
//!   ([`hash_data`]);
//! - a definition as the canonical JSON of the pydantic `model_dump(mode="json")` of the
//!   fields `kind`, `config`, `vars`, `source`, `one_time`, `rotation_period`, `targets`,
//!   `local`, `local_allow_cloud`, with every default filled in, the targets sorted by their
//!   own hash, plus the full template body for `templates.<name>` kinds
//!   ([`definition_hash`]). `name`, `agent_instructions` and `process_tags` are left out: they
//!   do not change the value a sync produces.

use sha2::{Digest, Sha256};

use crate::model::{Data, DataMap, Secret, Secretfile, Target, Template};
use crate::pyjson::dumps_canonical;

/// SHA-256 of the UTF-8 bytes of `text`, as lowercase hex (the hash of a normalised secret
/// value, of the Secretfile text, ...).
///
/// ```
/// use secretzero_agent::lockfile::hash_value;
/// assert_eq!(
///     hash_value("abc"),
///     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
/// );
/// ```
pub fn hash_value(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    let mut out = String::with_capacity(64);
    for b in digest.iter() {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// The reference's `Lockfile._hash_value`: a string is hashed as it is, anything else
/// (maps, lists, numbers, booleans, null) as its canonical JSON.
pub fn hash_data(value: &Data) -> String {
    match value {
        Data::String(s) => hash_value(s),
        other => hash_value(&dumps_canonical(other)),
    }
}

/// `TargetConfig.model_dump(mode="json")`: every field, defaults included.
fn target_payload(t: &Target) -> Data {
    let mut m = DataMap::new();
    m.insert("provider".into(), Data::String(t.provider.clone()));
    m.insert("kind".into(), Data::String(t.kind.clone()));
    m.insert("config".into(), Data::Object(t.config.clone()));
    m.insert(
        "identity_policies".into(),
        Data::Array(
            t.identity_policies
                .iter()
                .map(|p| Data::String(p.clone()))
                .collect(),
        ),
    );
    Data::Object(m)
}

/// `Template.model_dump(mode="json")`: description, every field (description, generator
/// kind and config, targets) and the shared targets, in document order (not sorted).
fn template_payload(t: &Template) -> Data {
    let mut fields = DataMap::new();
    for (name, f) in &t.fields {
        let mut generator = DataMap::new();
        generator.insert("kind".into(), Data::String(f.generator.kind.clone()));
        generator.insert("config".into(), Data::Object(f.generator.config.clone()));
        let mut field = DataMap::new();
        field.insert("description".into(), Data::String(f.description.clone()));
        field.insert("generator".into(), Data::Object(generator));
        field.insert(
            "targets".into(),
            Data::Array(f.targets.iter().map(target_payload).collect()),
        );
        fields.insert(name.clone(), Data::Object(field));
    }
    let mut m = DataMap::new();
    m.insert("description".into(), Data::String(t.description.clone()));
    m.insert("fields".into(), Data::Object(fields));
    m.insert(
        "targets".into(),
        Data::Array(t.targets.iter().map(target_payload).collect()),
    );
    Data::Object(m)
}

/// Pydantic's lax boolean parsing (what `SecretSource.required` accepts).
fn lax_bool(v: &Data) -> Option<bool> {
    match v {
        Data::Bool(b) => Some(*b),
        Data::Number(n) => match n.as_f64() {
            Some(0.0) => Some(false),
            Some(1.0) => Some(true),
            _ => None,
        },
        Data::String(s) => match s.to_ascii_lowercase().as_str() {
            "1" | "on" | "t" | "true" | "y" | "yes" => Some(true),
            "0" | "off" | "f" | "false" | "n" | "no" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// `SecretSource.model_dump(mode="json")`: exactly `kind`, `required` (default true) and
/// `config` (default `{}`); other keys are dropped like pydantic drops unknown fields.
fn source_payload(source: &DataMap) -> Data {
    let mut m = DataMap::new();
    m.insert(
        "kind".into(),
        source.get("kind").cloned().unwrap_or(Data::Null),
    );
    let required = source.get("required").and_then(lax_bool).unwrap_or(true);
    m.insert("required".into(), Data::Bool(required));
    let config = match source.get("config") {
        Some(Data::Object(c)) => Data::Object(c.clone()),
        _ => Data::Object(DataMap::new()),
    };
    m.insert("config".into(), config);
    Data::Object(m)
}

/// The JSON document whose canonical form is hashed by [`definition_hash`] (exposed for
/// tests and debugging; it holds configuration, never a generated value).
pub fn definition_payload(secret: &Secret, secretfile: &Secretfile) -> Data {
    let mut m = DataMap::new();
    m.insert("kind".into(), Data::String(secret.kind.clone()));
    m.insert("vars".into(), Data::Object(secret.vars.clone()));
    m.insert(
        "source".into(),
        secret.source.as_ref().map_or(Data::Null, source_payload),
    );
    m.insert("config".into(), Data::Object(secret.config.clone()));
    m.insert("one_time".into(), Data::Bool(secret.one_time));
    m.insert(
        "rotation_period".into(),
        secret
            .rotation_period
            .as_ref()
            .map_or(Data::Null, |p| Data::String(p.clone())),
    );
    // Targets sorted by the hash of their own canonical JSON (a stable sort, like Python's).
    let mut targets: Vec<(String, Data)> = secret
        .targets
        .iter()
        .map(|t| {
            let p = target_payload(t);
            (hash_data(&p), p)
        })
        .collect();
    crate::sorting::sort_by(&mut targets, |a, b| a.0.cmp(&b.0));
    m.insert(
        "targets".into(),
        Data::Array(targets.into_iter().map(|(_, p)| p).collect()),
    );
    m.insert("local".into(), Data::Bool(secret.local));
    m.insert(
        "local_allow_cloud".into(),
        Data::Bool(secret.local_allow_cloud),
    );
    if let Some(name) = secret.kind.strip_prefix("templates.")
        && let Some(template) = secretfile.templates.get(name)
    {
        m.insert("template".into(), template_payload(template));
    }
    Data::Object(m)
}

/// The reference's `hash_secret_definition(secret, secretfile=...)`: the lockfile entry's
/// `definition_hash`. `secret` must be the loaded secret (after interpolation and target
/// profile overrides), as the reference hashes it.
pub fn definition_hash(secret: &Secret, secretfile: &Secretfile) -> String {
    hash_data(&definition_payload(secret, secretfile))
}
