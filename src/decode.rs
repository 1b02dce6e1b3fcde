//! YAML tree to [`Secretfile`]: types, required fields and unknown keys, every problem
//! collected with its position.
//!
//! Decoding never stops at the first problem: a field with the wrong type is reported and
//! left at its default, so one pass finds everything.

use std::borrow::Cow;

use indexmap::IndexMap;

use crate::diagnostic::{Diagnostic, ErrorCode, Span};
use crate::model::*;
use crate::suggest::did_you_mean;
use crate::yaml::{Node, Value, python_str};

/// Root keys of a Secretfile.
pub const ROOT_KEYS: &[&str] = &[
    "version",
    "variables",
    "metadata",
    "environments",
    "target_profiles",
    "providers",
    "secrets",
    "templates",
    "policies",
    "labels",
    "annotations",
    "config",
    "agent",
];
/// Keys of a secret.
pub const SECRET_KEYS: &[&str] = &[
    "name",
    "kind",
    "config",
    "vars",
    "source",
    "one_time",
    "rotation_period",
    "targets",
    "agent_instructions",
    "process_tags",
    "local",
    "local_allow_cloud",
];
const TARGET_KEYS: &[&str] = &["provider", "kind", "config", "identity_policies"];
pub(crate) const INSTRUCTION_KEYS: &[&str] = &[
    "summary",
    "steps",
    "prerequisites",
    "automation_hint",
    "estimated_time",
    "fallback",
    "required_tools",
    "documentation_url",
    "automation_level",
];
pub(crate) const STEP_KEYS: &[&str] = &["action", "description", "params", "required"];
const ENVIRONMENTS_KEYS: &[&str] = &["default", "profiles"];
const PROFILE_KEYS: &[&str] = &["var_files", "lockfile", "target_profile"];
const TARGET_PROFILE_KEYS: &[&str] = &[
    "identity_policies",
    "provider_overrides",
    "target_overrides",
];
const PROVIDER_KEYS: &[&str] = &["kind", "auth", "config", "fallback_generator"];
const TEMPLATE_KEYS: &[&str] = &["description", "fields", "targets"];
const FIELD_KEYS: &[&str] = &["description", "generator", "targets"];
const GENERATOR_KEYS: &[&str] = &["kind", "config"];
const AGENT_KEYS: &[&str] = &["mode", "web_port_min", "web_port_max"];
const METADATA_KEYS: &[&str] = &[
    "project",
    "owner",
    "description",
    "environments",
    "compliance",
];

/// Decode an (already interpolated) root node. Problems are appended to `diags`.
pub fn secretfile(root: &Node, diags: &mut Vec<Diagnostic>) -> Secretfile {
    let mut d = Decoder { diags };
    d.root(root)
}

/// Convert a YAML node to a JSON value the way the reference's `model_dump(mode="json")`
/// sees it (timestamps become their text, non-string keys their JSON text).
pub fn to_data(node: &Node) -> Data {
    match &node.value {
        Value::Null => Data::Null,
        Value::Bool(b) => Data::Bool(*b),
        Value::Int(i) => Data::from(*i),
        Value::BigInt(s) => s
            .parse::<u64>()
            .map(Data::from)
            .unwrap_or_else(|_| Data::String(s.clone())),
        Value::Float(f) => serde_json::Number::from_f64(*f)
            .map(Data::Number)
            .unwrap_or_else(|| Data::String(crate::pyjson::float_repr(*f))),
        Value::Str(s) | Value::Timestamp(s) => Data::String(s.clone()),
        Value::Seq(items) => Data::Array(items.iter().map(to_data).collect()),
        Value::Map(entries) => {
            let mut m = DataMap::with_capacity(entries.len());
            for (k, v) in entries {
                m.insert(key_text(k), to_data(v));
            }
            Data::Object(m)
        }
    }
}

/// The inverse of [`to_data`]: a JSON value as a YAML node (without positions), so that a
/// model object coming from JS (a secret from `parseSecretfile`, say) goes through the same
/// decoder as a Secretfile. Integers beyond `i64` become [`Value::BigInt`].
pub fn from_data(v: &Data) -> Node {
    let value = match v {
        Data::Null => Value::Null,
        Data::Bool(b) => Value::Bool(*b),
        Data::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Value::Int(i),
            (None, _) if n.is_u64() => Value::BigInt(n.to_string()),
            (None, Some(f)) => Value::Float(f),
            (None, None) => Value::Str(n.to_string()),
        },
        Data::String(s) => Value::Str(s.clone()),
        Data::Array(items) => Value::Seq(items.iter().map(from_data).collect()),
        Data::Object(m) => Value::Map(
            m.iter()
                .map(|(k, x)| (from_data(&Data::String(k.clone())), from_data(x)))
                .collect(),
        ),
    };
    Node {
        value,
        span: Span::default(),
    }
}

/// Decode one secret (a mapping node), as an item of `secrets` is decoded.
pub fn secret(node: &Node, diags: &mut Vec<Diagnostic>) -> Secret {
    Decoder { diags }.secret(node, "secret")
}

/// A mapping key as Python's `json.dumps` writes a non-string key.
fn key_text(k: &Node) -> String {
    key_str(k).into_owned()
}

/// [`key_text`], borrowed from the node when it is a string (the common case: no copy).
fn key_str(k: &Node) -> Cow<'_, str> {
    match &k.value {
        Value::Str(s) | Value::Timestamp(s) => Cow::Borrowed(s),
        Value::Bool(true) => Cow::Borrowed("true"),
        Value::Bool(false) => Cow::Borrowed("false"),
        Value::Null => Cow::Borrowed("null"),
        other => Cow::Owned(python_str(other)),
    }
}

struct Decoder<'d> {
    diags: &'d mut Vec<Diagnostic>,
}

/// `path[i]`, without the formatting machinery (see [`join`]).
pub(crate) fn index_path(path: &str, i: usize) -> String {
    let mut out = String::with_capacity(path.len() + 8);
    out.push_str(path);
    out.push('[');
    push_decimal(&mut out, i);
    out.push(']');
    out
}

/// `n` in decimal (`n.to_string()` without the formatting machinery).
pub(crate) fn decimal(n: usize) -> String {
    let mut out = String::new();
    push_decimal(&mut out, n);
    out
}

/// Append `n` in decimal.
pub(crate) fn push_decimal(out: &mut String, n: usize) {
    if n >= 10 {
        push_decimal(out, n / 10);
    }
    out.push(char::from(b'0' + (n % 10) as u8));
}

/// `path.key` (or `key` at the top). Built for every field decoded, so without the
/// formatting machinery.
pub(crate) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        return key.to_string();
    }
    let mut out = String::with_capacity(path.len() + 1 + key.len());
    out.push_str(path);
    out.push('.');
    out.push_str(key);
    out
}

impl Decoder<'_> {
    fn wrong_type(&mut self, node: &Node, path: &str, expected: &str) {
        self.diags.push(
            Diagnostic::error(
                ErrorCode::WrongType,
                format!("`{path}` must be {expected}, found {}", node.type_name()),
            )
            .with_path(path)
            .at(Some(node.span)),
        );
    }

    fn missing(&mut self, span: Span, path: &str, field: &str, hint: &str) {
        self.diags.push(
            Diagnostic::error(
                ErrorCode::MissingField,
                format!("missing required field `{field}`"),
            )
            .with_path(join(path, field))
            .at(Some(span))
            .with_hint(hint.to_string()),
        );
    }

    /// The entries of a mapping node; warns about keys not in `known` (unless `known` is
    /// empty, meaning free-form).
    fn map<'n>(
        &mut self,
        node: &'n Node,
        path: &str,
        known: &[&str],
    ) -> Option<&'n [(Node, Node)]> {
        let Some(entries) = node.as_map() else {
            let expected = "a mapping";
            self.wrong_type(
                node,
                if path.is_empty() {
                    "the document"
                } else {
                    path
                },
                expected,
            );
            return None;
        };
        if !known.is_empty() {
            for (k, _) in entries {
                let name = key_str(k);
                if known.contains(&&*name) {
                    continue;
                }
                let suggestion = match &*name {
                    "generator" => Some("kind"),
                    "generator_config" => Some("config"),
                    _ => did_you_mean(&name, known),
                };
                let mut diag = Diagnostic::warning(
                    ErrorCode::UnknownKey,
                    format!(
                        "unknown key `{}`",
                        name.chars().take(80).collect::<String>()
                    ),
                )
                .with_path(join(path, &name))
                .at(Some(k.span));
                diag = match suggestion {
                    Some(s) => diag.with_hint(format!("did you mean `{s}`?")),
                    None => diag.with_hint(format!("known keys here: {}", known.join(", "))),
                };
                self.diags.push(diag);
            }
        }
        Some(entries)
    }

    fn string(&mut self, node: &Node, path: &str) -> Option<String> {
        match &node.value {
            Value::Str(s) => Some(s.clone()),
            _ => {
                self.wrong_type(node, path, "a string");
                None
            }
        }
    }

    /// A string or null (null means absent).
    fn opt_string(&mut self, node: &Node, path: &str) -> Option<String> {
        match &node.value {
            Value::Null => None,
            _ => self.string(node, path),
        }
    }

    fn string_list(&mut self, node: &Node, path: &str) -> Vec<String> {
        match &node.value {
            Value::Null => Vec::new(),
            Value::Seq(items) => items
                .iter()
                .enumerate()
                .filter_map(|(i, n)| self.string(n, &index_path(path, i)))
                .collect(),
            _ => {
                self.wrong_type(node, path, "a list of strings");
                Vec::new()
            }
        }
    }

    fn data_map(&mut self, node: &Node, path: &str) -> DataMap {
        match (&node.value, to_data(node)) {
            (Value::Null, _) => DataMap::new(),
            (_, Data::Object(m)) => m,
            _ => {
                self.wrong_type(node, path, "a mapping");
                DataMap::new()
            }
        }
    }

    /// A boolean with pydantic's lax coercion (`true`/`1`/`"yes"`, ...).
    fn bool(&mut self, node: &Node, path: &str) -> Option<bool> {
        match &node.value {
            Value::Bool(b) => Some(*b),
            Value::Int(0) => Some(false),
            Value::Int(1) => Some(true),
            Value::Str(s) => match s.trim().to_lowercase().as_str() {
                "true" | "yes" | "on" | "1" | "t" | "y" => Some(true),
                "false" | "no" | "off" | "0" | "f" | "n" => Some(false),
                _ => {
                    self.wrong_type(node, path, "a boolean");
                    None
                }
            },
            _ => {
                self.wrong_type(node, path, "a boolean");
                None
            }
        }
    }

    /// The reference's coercion for `local` / `local_allow_cloud`: strings are true only when
    /// `true/1/yes/on`; numbers by truthiness.
    fn local_flag(&mut self, node: &Node, path: &str) -> bool {
        match &node.value {
            Value::Bool(b) => *b,
            Value::Null => false,
            Value::Int(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::Str(s) => matches!(
                s.trim().to_lowercase().as_str(),
                "true" | "1" | "yes" | "on"
            ),
            _ => {
                self.wrong_type(node, path, "a boolean");
                false
            }
        }
    }

    fn root(&mut self, root: &Node) -> Secretfile {
        let mut sf = Secretfile::default();
        let Some(entries) = self.map(root, "", ROOT_KEYS) else {
            return sf;
        };
        for (k, v) in entries {
            let key = key_str(k);
            let path = &*key;
            match path {
                "variables" => sf.variables = self.data_map(v, path),
                "metadata" if !matches!(v.value, Value::Null) => {
                    self.map(v, path, METADATA_KEYS);
                    sf.metadata = Some(self.data_map(v, path));
                }
                "environments" => sf.environments = self.environments(v, path),
                "target_profiles" => sf.target_profiles = self.named(v, path, Self::target_profile),
                "providers" => sf.providers = self.named(v, path, Self::provider),
                "secrets" => sf.secrets = self.secrets(v),
                "templates" => sf.templates = self.named(v, path, Self::template),
                "policies" => sf.policies = self.data_map(v, path),
                "labels" => sf.labels = self.data_map(v, path),
                "annotations" => sf.annotations = self.data_map(v, path),
                "config" if !matches!(v.value, Value::Null) => {
                    sf.config = Some(to_data(v));
                }
                "agent" => sf.agent = self.agent(v, path),
                _ => {}
            }
        }
        sf
    }

    fn named<T>(
        &mut self,
        node: &Node,
        path: &str,
        f: fn(&mut Self, &Node, &str) -> T,
    ) -> IndexMap<String, T> {
        let mut out = IndexMap::new();
        if matches!(node.value, Value::Null) {
            return out;
        }
        if let Some(entries) = self.map(node, path, &[]) {
            for (k, v) in entries {
                let name = key_text(k);
                let item = f(self, v, &join(path, &name));
                out.insert(name, item);
            }
        }
        out
    }

    fn environments(&mut self, node: &Node, path: &str) -> Option<Environments> {
        if matches!(node.value, Value::Null) {
            return None;
        }
        let entries = self.map(node, path, ENVIRONMENTS_KEYS)?;
        let mut env = Environments::default();
        for (k, v) in entries {
            match &*key_str(k) {
                "default" => env.default = self.opt_string(v, &join(path, "default")),
                "profiles" => {
                    env.profiles = self.named(v, &join(path, "profiles"), Self::env_profile)
                }
                _ => {}
            }
        }
        Some(env)
    }

    fn env_profile(&mut self, node: &Node, path: &str) -> EnvironmentProfile {
        let mut p = EnvironmentProfile::default();
        if matches!(node.value, Value::Null) {
            return p;
        }
        let Some(entries) = self.map(node, path, PROFILE_KEYS) else {
            return p;
        };
        for (k, v) in entries {
            match &*key_str(k) {
                "var_files" => p.var_files = self.string_list(v, &join(path, "var_files")),
                "lockfile" => p.lockfile = self.opt_string(v, &join(path, "lockfile")),
                "target_profile" => {
                    p.target_profile = self.opt_string(v, &join(path, "target_profile"))
                }
                _ => {}
            }
        }
        p
    }

    fn target_profile(&mut self, node: &Node, path: &str) -> TargetProfile {
        let mut p = TargetProfile::default();
        if matches!(node.value, Value::Null) {
            return p;
        }
        let Some(entries) = self.map(node, path, TARGET_PROFILE_KEYS) else {
            return p;
        };
        for (k, v) in entries {
            let key = key_str(k);
            let sub = join(path, &key);
            match &*key {
                "identity_policies" => p.identity_policies = self.string_list(v, &sub),
                "provider_overrides" => p.provider_overrides = self.named(v, &sub, Self::data_map),
                "target_overrides" => p.target_overrides = self.named(v, &sub, Self::data_map),
                _ => {}
            }
        }
        p
    }

    fn provider(&mut self, node: &Node, path: &str) -> Provider {
        let mut p = Provider::default();
        if matches!(node.value, Value::Null) {
            return p;
        }
        let Some(entries) = self.map(node, path, PROVIDER_KEYS) else {
            return p;
        };
        for (k, v) in entries {
            let key = key_str(k);
            let sub = join(path, &key);
            match &*key {
                "kind" => p.kind = self.opt_string(v, &sub),
                "auth" if !matches!(v.value, Value::Null) => {
                    p.auth = Some(self.data_map(v, &sub));
                }
                "config" => p.config = self.data_map(v, &sub),
                "fallback_generator" => p.fallback_generator = self.opt_string(v, &sub),
                _ => {}
            }
        }
        p
    }

    fn template(&mut self, node: &Node, path: &str) -> Template {
        let mut t = Template::default();
        let Some(entries) = self.map(node, path, TEMPLATE_KEYS) else {
            return t;
        };
        let mut has = (false, false);
        for (k, v) in entries {
            let key = key_str(k);
            let sub = join(path, &key);
            match &*key {
                "description" => {
                    has.0 = true;
                    t.description = self.string(v, &sub).unwrap_or_default();
                }
                "fields" => {
                    has.1 = true;
                    t.fields = self.named(v, &sub, Self::template_field);
                }
                "targets" => t.targets = self.targets(v, &sub),
                _ => {}
            }
        }
        if !has.0 {
            self.missing(
                node.span,
                path,
                "description",
                "describe what the template is for",
            );
        }
        if !has.1 {
            self.missing(node.span, path, "fields", "list the template's fields");
        }
        t
    }

    fn template_field(&mut self, node: &Node, path: &str) -> TemplateField {
        let mut f = TemplateField::default();
        let Some(entries) = self.map(node, path, FIELD_KEYS) else {
            return f;
        };
        let mut has = (false, false);
        for (k, v) in entries {
            let key = key_str(k);
            let sub = join(path, &key);
            match &*key {
                "description" => {
                    has.0 = true;
                    f.description = self.string(v, &sub).unwrap_or_default();
                }
                "generator" => {
                    has.1 = true;
                    if let Some(g) = self.map(v, &sub, GENERATOR_KEYS) {
                        let mut has_kind = false;
                        for (gk, gv) in g {
                            match &*key_str(gk) {
                                "kind" => {
                                    has_kind = true;
                                    f.generator.kind =
                                        self.string(gv, &join(&sub, "kind")).unwrap_or_default();
                                }
                                "config" => {
                                    f.generator.config = self.data_map(gv, &join(&sub, "config"))
                                }
                                _ => {}
                            }
                        }
                        if !has_kind {
                            self.missing(v.span, &sub, "kind", "name the field's generator kind");
                        }
                    }
                }
                "targets" => f.targets = self.targets(v, &sub),
                _ => {}
            }
        }
        if !has.0 {
            self.missing(
                node.span,
                path,
                "description",
                "describe what the field holds",
            );
        }
        if !has.1 {
            self.missing(node.span, path, "generator", "add `generator: {kind: ...}`");
        }
        f
    }

    fn agent(&mut self, node: &Node, path: &str) -> Option<AgentConfig> {
        if matches!(node.value, Value::Null) {
            return None;
        }
        let entries = self.map(node, path, AGENT_KEYS)?;
        let mut a = AgentConfig::default();
        for (k, v) in entries {
            let key = key_str(k);
            let sub = join(path, &key);
            match &*key {
                "mode" => match v.as_str() {
                    Some("auto") => a.mode = AgentMode::Auto,
                    Some("human") => a.mode = AgentMode::Human,
                    Some("web") => a.mode = AgentMode::Web,
                    _ => self.diags.push(
                        Diagnostic::error(
                            ErrorCode::InvalidValue,
                            "`agent.mode` must be `auto`, `human` or `web`",
                        )
                        .with_path(sub)
                        .at(Some(v.span)),
                    ),
                },
                "web_port_min" | "web_port_max" => {
                    let port = match v.value {
                        Value::Int(p) if (1024..=65535).contains(&p) => u16::try_from(p).ok(),
                        _ => None,
                    };
                    match port {
                        Some(p) if key == "web_port_min" => a.web_port_min = p,
                        Some(p) => a.web_port_max = p,
                        None => self.diags.push(
                            Diagnostic::error(
                                ErrorCode::InvalidValue,
                                format!("`{sub}` must be an integer from 1024 to 65535"),
                            )
                            .with_path(sub)
                            .at(Some(v.span)),
                        ),
                    }
                }
                _ => {}
            }
        }
        if a.web_port_min > a.web_port_max {
            self.diags.push(
                Diagnostic::error(
                    ErrorCode::InvalidValue,
                    "`agent.web_port_min` is greater than `agent.web_port_max`",
                )
                .with_path(path)
                .at(Some(node.span)),
            );
        }
        Some(a)
    }

    fn secrets(&mut self, node: &Node) -> Vec<Secret> {
        match &node.value {
            Value::Null => {
                self.diags.push(
                    Diagnostic::error(ErrorCode::WrongType, "`secrets` must be a list, found null")
                        .with_path("secrets")
                        .at(Some(node.span))
                        .with_hint("write `secrets: []` for none, or remove the key"),
                );
                Vec::new()
            }
            Value::Seq(items) => items
                .iter()
                .enumerate()
                .map(|(i, n)| self.secret(n, &index_path("secrets", i)))
                .collect(),
            Value::Map(_) => {
                self.diags.push(
                    Diagnostic::error(
                        ErrorCode::WrongType,
                        "`secrets` must be a list, found a mapping",
                    )
                    .with_path("secrets")
                    .at(Some(node.span))
                    .with_hint("write each secret as a list item: `- name: ...`"),
                );
                Vec::new()
            }
            _ => {
                self.wrong_type(node, "secrets", "a list");
                Vec::new()
            }
        }
    }

    fn secret(&mut self, node: &Node, path: &str) -> Secret {
        let mut s = Secret::default();
        let Some(entries) = self.map(node, path, SECRET_KEYS) else {
            return s;
        };
        let (mut has_name, mut has_kind) = (false, false);
        for (k, v) in entries {
            let key = key_str(k);
            let sub = join(path, &key);
            match &*key {
                "name" => {
                    has_name = true;
                    s.name = self.string(v, &sub).unwrap_or_default();
                }
                "kind" => {
                    has_kind = true;
                    s.kind = self.string(v, &sub).unwrap_or_default();
                }
                "config" => s.config = self.data_map(v, &sub),
                "vars" => s.vars = self.data_map(v, &sub),
                "source" if !matches!(v.value, Value::Null) => {
                    s.source = Some(self.data_map(v, &sub));
                }
                "one_time" => s.one_time = self.bool(v, &sub).unwrap_or(false),
                "rotation_period" => s.rotation_period = self.opt_string(v, &sub),
                "targets" => s.targets = self.targets(v, &sub),
                "agent_instructions" if !matches!(v.value, Value::Null) => {
                    s.agent_instructions = self.instructions(v, &sub);
                }
                "process_tags" => s.process_tags = self.string_list(v, &sub),
                "local" => s.local = self.local_flag(v, &sub),
                "local_allow_cloud" => s.local_allow_cloud = self.local_flag(v, &sub),
                _ => {}
            }
        }
        if !has_name {
            self.missing(
                node.span,
                path,
                "name",
                "give the secret a `name` (the lockfile key and default env var)",
            );
        }
        if !has_kind {
            let hint = if node.get("generator").is_some() {
                "`generator:` is an old spelling: rename it to `kind:`"
            } else {
                "add `kind:` (for example `random_password`, `static` or `uuid`)"
            };
            self.missing(node.span, path, "kind", hint);
        }
        s
    }

    fn targets(&mut self, node: &Node, path: &str) -> Vec<Target> {
        match &node.value {
            Value::Null => Vec::new(),
            Value::Seq(items) => items
                .iter()
                .enumerate()
                .map(|(i, n)| self.target(n, &index_path(path, i)))
                .collect(),
            _ => {
                self.wrong_type(node, path, "a list of targets");
                Vec::new()
            }
        }
    }

    fn target(&mut self, node: &Node, path: &str) -> Target {
        let mut t = Target::default();
        let Some(entries) = self.map(node, path, TARGET_KEYS) else {
            return t;
        };
        let (mut has_provider, mut has_kind) = (false, false);
        for (k, v) in entries {
            let key = key_str(k);
            let sub = join(path, &key);
            match &*key {
                "provider" => {
                    has_provider = true;
                    t.provider = self.string(v, &sub).unwrap_or_default();
                }
                "kind" => {
                    has_kind = true;
                    t.kind = self.string(v, &sub).unwrap_or_default();
                }
                "config" => t.config = self.data_map(v, &sub),
                "identity_policies" => t.identity_policies = self.string_list(v, &sub),
                _ => {}
            }
        }
        if !has_provider {
            self.missing(
                node.span,
                path,
                "provider",
                "add `provider: local` for files",
            );
        }
        if !has_kind {
            self.missing(
                node.span,
                path,
                "kind",
                "add `kind: file` (or `template`, `ssm_parameter`, ...)",
            );
        }
        t
    }

    fn instructions(&mut self, node: &Node, path: &str) -> Option<AgentInstructions> {
        let entries = self.map(node, path, INSTRUCTION_KEYS)?;
        let mut ai = AgentInstructions::default();
        let (mut has_summary, mut has_steps) = (false, false);
        for (k, v) in entries {
            let key = key_str(k);
            let sub = join(path, &key);
            match &*key {
                "summary" => {
                    has_summary = true;
                    ai.summary = self.string(v, &sub).unwrap_or_default();
                }
                "steps" => {
                    has_steps = true;
                    ai.steps = match &v.value {
                        Value::Seq(items) => items
                            .iter()
                            .enumerate()
                            .map(|(i, n)| self.step(n, &index_path(&sub, i)))
                            .collect(),
                        _ => {
                            self.wrong_type(v, &sub, "a list of steps");
                            Vec::new()
                        }
                    }
                }
                "prerequisites" => ai.prerequisites = self.opt_list(v, &sub),
                "required_tools" => ai.required_tools = self.opt_list(v, &sub),
                "automation_hint" => ai.automation_hint = self.opt_string(v, &sub),
                "estimated_time" => ai.estimated_time = self.opt_string(v, &sub),
                "fallback" => ai.fallback = self.opt_string(v, &sub),
                "documentation_url" => ai.documentation_url = self.opt_string(v, &sub),
                "automation_level" => {
                    if let Some(text) = self.opt_string(v, &sub) {
                        ai.automation_level = AutomationLevel::parse(&text);
                        if ai.automation_level.is_none() {
                            let names: Vec<&str> =
                                AutomationLevel::ALL.iter().map(|l| l.as_str()).collect();
                            let mut d = Diagnostic::error(
                                ErrorCode::InvalidValue,
                                format!("`{sub}` must be one of {}", names.join(", ")),
                            )
                            .with_path(&sub)
                            .at(Some(v.span));
                            if let Some(s) = did_you_mean(&text, &names) {
                                d = d.with_hint(format!("did you mean `{s}`?"));
                            }
                            self.diags.push(d);
                        }
                    }
                }
                _ => {}
            }
        }
        if !has_summary {
            self.missing(
                node.span,
                path,
                "summary",
                "add a one-line `summary` of how to obtain the value",
            );
        }
        if !has_steps {
            self.missing(
                node.span,
                path,
                "steps",
                "add `steps:` (a list of `action` + `description`; may be empty)",
            );
        }
        Some(ai)
    }

    fn opt_list(&mut self, node: &Node, path: &str) -> Option<Vec<String>> {
        match node.value {
            Value::Null => None,
            _ => Some(self.string_list(node, path)),
        }
    }

    fn step(&mut self, node: &Node, path: &str) -> Step {
        let mut st = Step {
            required: true,
            ..Step::default()
        };
        let Some(entries) = self.map(node, path, STEP_KEYS) else {
            return st;
        };
        let (mut has_action, mut has_description) = (false, false);
        for (k, v) in entries {
            let key = key_str(k);
            let sub = join(path, &key);
            match &*key {
                "action" => {
                    has_action = true;
                    st.action = self.string(v, &sub).unwrap_or_default();
                }
                "description" => {
                    has_description = true;
                    st.description = self.string(v, &sub).unwrap_or_default();
                }
                "params" if !matches!(v.value, Value::Null) => {
                    st.params = Some(self.data_map(v, &sub));
                }
                "required" => st.required = self.bool(v, &sub).unwrap_or(true),
                _ => {}
            }
        }
        if !has_action {
            self.missing(
                node.span,
                path,
                "action",
                "add the `action` to perform (a command, URL or instruction)",
            );
        }
        if !has_description {
            self.missing(
                node.span,
                path,
                "description",
                "add a `description` saying why the step is needed",
            );
        }
        st
    }
}

#[cfg(test)]
mod tests {
    /// The hand-built paths spell what `format!` spells.
    #[test]
    fn paths_match_format() {
        for i in (0..=1200).chain([9_999, 10_000, 123_456_789, usize::MAX]) {
            assert_eq!(super::index_path("a.b", i), format!("a.b[{i}]"));
            let mut s = String::from("x");
            super::push_decimal(&mut s, i);
            assert_eq!(s, format!("x{i}"));
        }
        assert_eq!(super::join("", "k"), "k");
        assert_eq!(super::join("secrets[3]", "kind"), "secrets[3].kind");
        assert_eq!(super::index_path("", 7), "[7]");
    }

    use super::*;
    use crate::yaml::{Budgets, parse};

    fn decode(text: &str) -> (Secretfile, Vec<Diagnostic>) {
        let root = parse(text, &Budgets::default()).unwrap().root.unwrap();
        let mut diags = Vec::new();
        let sf = secretfile(&root, &mut diags);
        (sf, diags)
    }

    #[test]
    fn decodes_a_full_secret() {
        let (sf, diags) = decode(
            "secrets:\n  - name: db\n    kind: random_password\n    config: {length: 24}\n    one_time: yes\n    targets:\n      - provider: local\n        kind: file\n        config: {path: .env}\n",
        );
        assert!(diags.is_empty(), "{diags:?}");
        let s = &sf.secrets[0];
        assert_eq!(
            (s.name.as_str(), s.kind.as_str(), s.one_time),
            ("db", "random_password", true)
        );
        assert_eq!(s.config["length"], 24);
        assert_eq!(s.targets[0].config["path"], ".env");
    }

    #[test]
    fn collects_every_problem_with_positions() {
        let (_, diags) = decode(
            "secrets:\n  - kind: static\n    knid: x\n  - name: a\n    kind: [1]\n    agent_instructions:\n      summary: s\n      steps:\n        - action: go\n",
        );
        let codes: Vec<_> = diags.iter().map(|d| (d.code, d.line)).collect();
        assert!(
            codes.contains(&(ErrorCode::MissingField, Some(2))),
            "{codes:?}"
        );
        assert!(
            codes.contains(&(ErrorCode::UnknownKey, Some(3))),
            "{codes:?}"
        );
        assert!(
            codes.contains(&(ErrorCode::WrongType, Some(5))),
            "{codes:?}"
        );
        assert!(
            codes.contains(&(ErrorCode::MissingField, Some(9))),
            "{codes:?}"
        );
        let unknown = diags
            .iter()
            .find(|d| d.code == ErrorCode::UnknownKey)
            .unwrap();
        assert_eq!(unknown.hint.as_deref(), Some("did you mean `kind`?"));
    }

    #[test]
    fn secrets_as_mapping_is_an_error() {
        let (_, diags) = decode("secrets:\n  db: {kind: random_password}\n");
        assert_eq!(diags[0].code, ErrorCode::WrongType);
        assert_eq!(diags[0].path.as_deref(), Some("secrets"));
    }

    #[test]
    fn local_flag_coercion() {
        let (sf, _) = decode(
            "secrets:\n  - {name: a, kind: uuid, local: 'Yes '}\n  - {name: b, kind: uuid, local: 'nope'}\n  - {name: c, kind: uuid, local: 2}\n",
        );
        assert_eq!(
            sf.secrets.iter().map(|s| s.local).collect::<Vec<_>>(),
            vec![true, false, true]
        );
    }
}
