//! The JSON Schema of the Secretfile, for editors (the YAML language server reads
//! `# yaml-language-server: $schema=...`) and for `secretzero schema`.
//!
//! The schema is generated from the model types by schemars (feature `schema`) and committed
//! as `secretfile.schema.json`; a test fails when the committed file is stale
//! (`BLESS=1 cargo test --features schema --test schema` rewrites it). The library embeds
//! the committed text, so the wasm build does not carry schemars.

/// The committed JSON Schema text.
pub const SECRETFILE_SCHEMA: &str = include_str!("../secretfile.schema.json");

/// The schema without the whitespace between tokens, made at compile time: what the `schema`
/// operation parses (it answers with compact JSON anyway), so the module carries 20 KB of
/// text instead of 36 KB.
pub(crate) static SECRETFILE_SCHEMA_COMPACT: &str = match std::str::from_utf8(&COMPACT) {
    Ok(text) => text,
    // Unreachable: only ASCII whitespace outside strings is dropped (the test checks).
    Err(_) => "",
};

const COMPACT_LEN: usize = compact_len(SECRETFILE_SCHEMA.as_bytes());
static COMPACT: [u8; COMPACT_LEN] = compact(SECRETFILE_SCHEMA.as_bytes());

/// Whether byte `b` of JSON text is whitespace outside a string, given the state before it
/// (`(in_string, escaped)`); returns the state after it.
const fn step(b: u8, state: (bool, bool)) -> (bool, (bool, bool)) {
    match state {
        (false, _) => match b {
            b' ' | b'\n' | b'\r' | b'\t' => (true, (false, false)),
            b'"' => (false, (true, false)),
            _ => (false, (false, false)),
        },
        (true, true) => (false, (true, false)),
        (true, false) => match b {
            b'\\' => (false, (true, true)),
            b'"' => (false, (false, false)),
            _ => (false, (true, false)),
        },
    }
}

// Evaluated at compile time only: an index out of bounds would fail the build.
#[allow(clippy::indexing_slicing)]
const fn compact_len(text: &[u8]) -> usize {
    let mut n = 0;
    let mut i = 0;
    let mut state = (false, false);
    while i < text.len() {
        let (skip, next) = step(text[i], state);
        state = next;
        if !skip {
            n += 1;
        }
        i += 1;
    }
    n
}

#[allow(clippy::indexing_slicing)]
const fn compact<const N: usize>(text: &[u8]) -> [u8; N] {
    let mut out = [0u8; N];
    let mut n = 0;
    let mut i = 0;
    let mut state = (false, false);
    while i < text.len() {
        let (skip, next) = step(text[i], state);
        state = next;
        if !skip {
            out[n] = text[i];
            n += 1;
        }
        i += 1;
    }
    out
}

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
    drop_numeric_formats(&mut value);
    value
}

/// schemars marks integers with `"format": "uint16"` and the like, which are not JSON Schema
/// formats (validators warn or refuse); the `minimum`/`maximum` next to them say the same.
#[cfg(feature = "schema")]
fn drop_numeric_formats(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            let numeric = map.get("format").and_then(|f| f.as_str()).is_some_and(|f| {
                ["int", "uint", "float", "double"]
                    .iter()
                    .any(|p| f.starts_with(p))
            });
            if numeric {
                map.remove("format");
            }
            map.values_mut().for_each(drop_numeric_formats);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(drop_numeric_formats),
        _ => {}
    }
}

#[cfg(feature = "schema")]
pub use rules::*;

/// Hand-written parts of the schema that the derive cannot express: known values for
/// completion (`kind`, `format`, `charset`), per-kind generator options and per-target-kind
/// config keys (`if`/`then` on the secret's `kind` and the target's `provider`/`kind`).
///
/// The rule: the schema rejects what the core rejects (wrong types, missing required keys,
/// values outside a closed set) and what the core warns will fail (unknown kinds, file formats
/// and charsets); it never rejects a Secretfile the core reads without a diagnostic.
#[cfg(feature = "schema")]
mod rules {
    use schemars::{Schema, SchemaGenerator, json_schema};
    use serde_json::{Value, json};

    use crate::validate::{FILE_FORMATS, KNOWN_KINDS};

    fn kind_doc(kind: &str) -> &'static str {
        match kind {
            "random_password" => {
                "Random password from upper/lower/number/special classes (`length`, default 32)."
            }
            "random_string" => "Random string from one `charset` (`length`, default 32).",
            "uuid" => "A random version 4 UUID.",
            "static" => {
                "A fixed value (`default`/`value`); without one a person supplies it (checked against `validation`)."
            }
            "script" => {
                "The trimmed output of a command (`command`, `args`, `shell`, `timeout`); runs only when scripts are allowed."
            }
            "provider_backed" => "A value a provider holds; needs a person or agent_instructions.",
            "azure_app_reg" => "An Azure app registration secret (static-like: `default`/`value`).",
            "github_pat" => "A GitHub personal access token (a person creates it).",
            "gitlab_project_token" => "A GitLab project access token (a person creates it).",
            "gitlab_group_token" => "A GitLab group access token (a person creates it).",
            "gitlab_group_service_account" => "A GitLab group service-account token.",
            "azdo_pat" => "An Azure DevOps personal access token (a person creates it).",
            "entra-agent-blueprint" => "A Microsoft Entra agent blueprint credential.",
            _ => "",
        }
    }

    /// `kind` of a secret or template field: a known kind or `templates.<name>`.
    pub fn secret_kind(_: &mut SchemaGenerator) -> Schema {
        let docs: Vec<&str> = KNOWN_KINDS.iter().map(|k| kind_doc(k)).collect();
        json_schema!({
            "type": "string",
            "anyOf": [
                {
                    "enum": KNOWN_KINDS,
                    "enumDescriptions": docs,
                },
                {
                    "pattern": "^templates\\.[^.]+$",
                    "description": "A multi-field template defined under `templates`.",
                }
            ],
            "examples": ["random_password", "random_string", "uuid", "static", "templates.<name>"],
        })
    }

    fn password_config() -> Value {
        json!({
            "length": {
                "description": "Number of characters (1–4096). Default 32.",
                "type": "integer", "minimum": 1, "maximum": 4096, "default": 32
            },
            "upper": {"description": "Include A–Z. Default true.", "type": "boolean", "default": true},
            "lower": {"description": "Include a–z. Default true.", "type": "boolean", "default": true},
            "number": {"description": "Include 0–9. Default true.", "type": "boolean", "default": true},
            "special": {
                "description": "Include ASCII punctuation. Default true.",
                "type": "boolean", "default": true
            },
            "exclude_characters": {
                "description": "Characters never used (e.g. quotes a target cannot hold).",
                "type": "string"
            }
        })
    }

    fn string_config() -> Value {
        json!({
            "length": {
                "description": "Number of characters (1–4096). Default 32.",
                "type": "integer", "minimum": 1, "maximum": 4096, "default": 32
            },
            "charset": {
                "description": "Character set. Default `alphanumeric`.",
                "type": "string",
                "enum": ["alphanumeric", "alpha", "numeric", "hex"],
                "enumDescriptions": ["A–Z, a–z, 0–9", "A–Z, a–z", "0–9", "0–9, a–f"],
                "default": "alphanumeric"
            }
        })
    }

    fn static_config() -> Value {
        json!({
            "default": {
                "description": "The value (may use `${VAR}` and `{{ var.x }}`). Without `default` or `value`, a person supplies it."
            },
            "value": {"description": "The value, as `default` (`default` wins when both are set)."},
            "validation": {
                "description": "Regular expression a value must match from its start (Python `re.match`), e.g. `^sk_(test|live)_`.",
                "type": "string"
            },
            "prompt_on_empty": {
                "description": "Ask a person when the value is empty.",
                "type": "boolean"
            }
        })
    }

    fn script_config() -> Value {
        json!({
            "command": {"description": "Program to run (or a shell command with `shell: true`).", "type": "string"},
            "args": {"description": "Arguments passed to `command`.", "type": "array"},
            "shell": {"description": "Run `command` through `/bin/sh -c`. Default false.", "type": "boolean", "default": false},
            "timeout": {"description": "Seconds before the command is killed. Default 30.", "type": "number", "default": 30}
        })
    }

    fn when_kind(kinds: &[&str], config: Value) -> Value {
        let cond = if let [one] = kinds {
            json!({"const": one})
        } else {
            json!({"enum": kinds})
        };
        json!({
            "if": {"properties": {"kind": cond}, "required": ["kind"]},
            "then": {"properties": {"config": {"type": "object", "properties": config}}}
        })
    }

    fn push_all_of(schema: &mut Schema, rules: Vec<Value>) {
        let obj = schema.ensure_object();
        let all = obj.entry("allOf").or_insert_with(|| json!([]));
        if let Some(list) = all.as_array_mut() {
            list.extend(rules);
        }
    }

    /// Generator options per `kind` (secrets and template `generator`s).
    pub fn generator_rules(schema: &mut Schema) {
        push_all_of(
            schema,
            vec![
                when_kind(&["random_password"], password_config()),
                when_kind(&["random_string"], string_config()),
                when_kind(&["static", "azure_app_reg"], static_config()),
                when_kind(&["script"], script_config()),
            ],
        );
    }

    /// `format` of a `local`/`file` target: one of the formats, any case, surrounding
    /// whitespace ignored (as the core reads it).
    fn file_format() -> Value {
        let any_case: Vec<String> = FILE_FORMATS
            .iter()
            .map(|f| {
                f.chars()
                    .map(|c| format!("[{}{}]", c.to_ascii_uppercase(), c))
                    .collect()
            })
            .collect();
        json!({
            "description": "File format. Default: `tfvars` for `*.tfvars` paths, else `dotenv` (a `.json`/`.yaml`/`.toml` extension alone does not change it).",
            "type": "string",
            "anyOf": [
                {
                    "enum": FILE_FORMATS,
                    "enumDescriptions": [
                        "KEY=\"value\" lines (quoted and escaped)",
                        "a JSON object",
                        "a YAML mapping",
                        "a TOML table",
                        "Terraform variables (HCL)"
                    ]
                },
                {"pattern": format!("^\\s*(?:{})\\s*$", any_case.join("|"))}
            ]
        })
    }

    /// Config keys per target kind (`local/file`, `local/template`).
    pub fn target_rules(schema: &mut Schema) {
        let file = json!({
            "if": {
                "properties": {"provider": {"const": "local"}, "kind": {"const": "file"}},
                "required": ["provider", "kind"]
            },
            "then": {"properties": {"config": {
                "type": "object",
                "properties": {
                    "path": {
                        "description": "File to write, relative to the project (`${VAR}` allowed). Default `.env`.",
                        "type": ["string", "null"],
                        "default": ".env"
                    },
                    "format": file_format(),
                    "key": {
                        "description": "Key written in the file (dotted for nested JSON/YAML/TOML keys). Default: the secret's name.",
                        "type": ["string", "number", "boolean", "null"]
                    },
                    "merge": {
                        "description": "Keep the file's other content. Default true.",
                        "type": "boolean",
                        "default": true
                    }
                }
            }}}
        });
        let template = json!({
            "if": {
                "properties": {"provider": {"const": "local"}, "kind": {"const": "template"}},
                "required": ["provider", "kind"]
            },
            "then": {"properties": {"config": {
                "type": "object",
                "required": ["template_path", "output_path"],
                "properties": {
                    "template_path": {"description": "Jinja template file to render.", "type": "string"},
                    "output_path": {"description": "File the rendered template is written to.", "type": "string"}
                }
            }}}
        });
        let local_kind = json!({
            "if": {"properties": {"provider": {"const": "local"}}, "required": ["provider"]},
            "then": {"properties": {"kind": {
                "enum": ["file", "template"],
                "enumDescriptions": ["A dotenv/JSON/YAML/TOML/tfvars file", "A rendered Jinja template"]
            }}}
        });
        push_all_of(schema, vec![local_kind, file, template]);
    }
}

#[cfg(test)]
mod compact_tests {
    use super::*;

    #[test]
    fn compact_schema_is_the_same_json() {
        let pretty: serde_json::Value = serde_json::from_str(SECRETFILE_SCHEMA).unwrap();
        let compact: serde_json::Value = serde_json::from_str(SECRETFILE_SCHEMA_COMPACT).unwrap();
        assert_eq!(pretty, compact);
        assert_eq!(
            serde_json::to_string(&pretty).unwrap(),
            SECRETFILE_SCHEMA_COMPACT
        );
        assert!(SECRETFILE_SCHEMA_COMPACT.len() < SECRETFILE_SCHEMA.len() * 2 / 3);
        // Strings keep their spaces and escapes.
        assert_eq!(
            compact_len(br#"{ "a b": "c\" d" , "e": [1, 2] }"#),
            br#"{"a b":"c\" d","e":[1,2]}"#.len()
        );
    }
}
