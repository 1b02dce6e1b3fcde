//! Semantic rules over a decoded [`Secretfile`], one function per rule, every problem
//! collected (types and required fields are checked earlier, by `decode`).

use std::collections::HashMap;

use crate::diagnostic::{Diagnostic, ErrorCode};
use crate::model::{Secret, Secretfile, Target};
use crate::parse::span_at;
use crate::suggest::did_you_mean;
use crate::yaml::Node;

/// Generator kinds this implementation produces without a person.
pub const GENERATED_KINDS: &[&str] = &["random_password", "random_string", "uuid", "static"];

/// Every kind the reference CLI registers (plus `uuid`, which it documents), for "unknown
/// kind" warnings and suggestions.
pub const KNOWN_KINDS: &[&str] = &[
    "random_password",
    "random_string",
    "uuid",
    "static",
    "script",
    "provider_backed",
    "azure_app_reg",
    "github_pat",
    "gitlab_project_token",
    "gitlab_group_token",
    "gitlab_group_service_account",
    "azdo_pat",
    "entra-agent-blueprint",
];

/// `local/file` formats.
pub const FILE_FORMATS: &[&str] = &["dotenv", "json", "yaml", "toml", "tfvars"];

/// Run every rule; append problems to `diags`.
pub fn validate(sf: &Secretfile, root: &Node, diags: &mut Vec<Diagnostic>) {
    duplicate_names(sf, root, diags);
    for (i, s) in sf.secrets.iter().enumerate() {
        let idx = crate::decode::decimal(i);
        let at = |rest: &[&str]| {
            let mut p = vec!["secrets", idx.as_str()];
            p.extend_from_slice(rest);
            span_at(root, &p).or_else(|| span_at(root, &["secrets", idx.as_str()]))
        };
        let path = crate::decode::index_path("secrets", i);
        empty_name(s, &path, &at, diags);
        kind_known(s, sf, &path, &at, diags);
        generator_options(
            &s.kind,
            &s.config,
            &path,
            &|key: Option<&str>| match key {
                Some(k) => at(&["config", k]),
                None => at(&["config"]).or_else(|| at(&["kind"])),
            },
            &|k: &str| crate::parse::key_span_at(root, &["secrets", idx.as_str(), "config", k]),
            diags,
        );
        rotation_period(s, &path, &at, diags);
        local_targets(s, &path, &at, diags);
        for (t_idx, t) in s.targets.iter().enumerate() {
            let ti = crate::decode::decimal(t_idx);
            target_config(
                t,
                &crate::decode::index_path(&crate::decode::join(&path, "targets"), t_idx),
                &|rest: &[&str]| {
                    let mut p = vec!["targets", ti.as_str()];
                    p.extend_from_slice(rest);
                    at(&p)
                },
                diags,
            );
        }
        instructions_leak(s, &path, &at, diags);
    }
    template_rules(sf, root, diags);
    references(sf, root, diags);
}

type At<'a> = dyn Fn(&[&str]) -> Option<crate::Span> + 'a;

fn duplicate_names(sf: &Secretfile, root: &Node, diags: &mut Vec<Diagnostic>) {
    let mut first: HashMap<&str, usize> = HashMap::new();
    for (i, s) in sf.secrets.iter().enumerate() {
        if s.name.is_empty() {
            continue;
        }
        if let Some(&j) = first.get(s.name.as_str()) {
            let idx = crate::decode::decimal(i);
            let first_line = span_at(root, &["secrets", &j.to_string(), "name"]).map(|s| s.line);
            let span = span_at(root, &["secrets", &idx, "name"]);
            diags.push(
                Diagnostic::error(
                    ErrorCode::DuplicateSecret,
                    format!(
                        "secret `{}` is declared twice (first at secrets[{j}]{})",
                        s.name,
                        first_line
                            .map(|l| format!(", line {l}"))
                            .unwrap_or_default()
                    ),
                )
                .with_path(format!("secrets[{i}].name"))
                .at(span)
                .with_hint("rename one of them or remove the duplicate"),
            );
        } else {
            first.insert(&s.name, i);
        }
    }
}

fn empty_name(s: &Secret, path: &str, at: &At<'_>, diags: &mut Vec<Diagnostic>) {
    if s.name.trim().is_empty() && at(&["name"]).is_some() {
        diags.push(
            Diagnostic::error(ErrorCode::InvalidValue, "`name` must not be empty")
                .with_path(format!("{path}.name"))
                .at(at(&["name"])),
        );
    }
}

fn kind_known(s: &Secret, sf: &Secretfile, path: &str, at: &At<'_>, diags: &mut Vec<Diagnostic>) {
    if s.kind.is_empty() {
        return;
    }
    if let Some(template) = s.kind.strip_prefix("templates.") {
        if !sf.templates.contains_key(template) {
            let names: Vec<&str> = sf.templates.keys().map(String::as_str).collect();
            let mut d = Diagnostic::error(
                ErrorCode::UnknownTemplate,
                format!("secret `{}` uses template `{template}`, which is not defined under `templates`", s.name),
            )
            .with_path(format!("{path}.kind"))
            .at(at(&["kind"]));
            d = match did_you_mean(template, &names) {
                Some(n) => d.with_hint(format!("did you mean `templates.{n}`?")),
                None if names.is_empty() => d.with_hint("add a `templates:` block defining it"),
                None => d.with_hint(format!("defined templates: {}", names.join(", "))),
            };
            diags.push(d);
        }
        return;
    }
    if KNOWN_KINDS.contains(&s.kind.as_str()) {
        return;
    }
    let mut d = Diagnostic::warning(
        ErrorCode::UnknownKind,
        format!("unknown kind `{}`: the secret will need a person", s.kind),
    )
    .with_path(format!("{path}.kind"))
    .at(at(&["kind"]));
    d = match did_you_mean(&s.kind, KNOWN_KINDS) {
        Some(k) => d.with_hint(format!("did you mean `{k}`?")),
        None => d.with_hint("generated kinds are random_password, random_string, uuid and static"),
    };
    diags.push(d);
}

/// Generator option checks, shared by secrets and template fields.
pub fn generator_options(
    kind: &str,
    config: &crate::model::DataMap,
    path: &str,
    at: &dyn Fn(Option<&str>) -> Option<crate::Span>,
    at_key: &dyn Fn(&str) -> Option<crate::Span>,
    diags: &mut Vec<Diagnostic>,
) {
    for problem in crate::generate::check_config(kind, config) {
        let mut d = problem.diagnostic;
        // An unknown option is about its key, not its value.
        let key_span = match (&problem.key, d.code) {
            (Some(k), ErrorCode::UnknownKey) => at_key(k),
            _ => None,
        };
        // A literal that fails its own `validation` fails that secret at sync time (like a
        // value that fails it later); the file itself is usable.
        if d.code == ErrorCode::ValidationFailed {
            d.severity = crate::Severity::Warning;
            d.message = format!("{}; the secret will fail until it does", d.message);
        }
        let sub = match &problem.key {
            Some(k) => format!("{path}.config.{k}"),
            None => format!("{path}.config"),
        };
        d = d
            .with_path(sub)
            .at(key_span.or_else(|| at(problem.key.as_deref())));
        diags.push(d);
    }
}

fn rotation_period(s: &Secret, path: &str, at: &At<'_>, diags: &mut Vec<Diagnostic>) {
    let Some(p) = &s.rotation_period else { return };
    let t = p.trim().to_lowercase();
    let ok = t.len() >= 2
        && t.ends_with(['d', 'w', 'm', 'y'])
        && t.get(..t.len() - 1)
            .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()));
    if !ok {
        diags.push(
            Diagnostic::warning(
                ErrorCode::InvalidValue,
                format!("`rotation_period` `{p}` is not a period"),
            )
            .with_path(format!("{path}.rotation_period"))
            .at(at(&["rotation_period"]))
            .with_hint("use a number and a unit: `90d`, `12w`, `6m` or `1y`"),
        );
    }
}

fn local_targets(s: &Secret, path: &str, at: &At<'_>, diags: &mut Vec<Diagnostic>) {
    if !s.local || s.local_allow_cloud {
        return;
    }
    for (i, t) in s.targets.iter().enumerate() {
        if t.provider != "local" || !(t.kind == "file" || t.kind == "template") {
            diags.push(
                Diagnostic::error(
                    ErrorCode::InvalidTarget,
                    format!(
                        "local secret `{}` may only target local files or templates",
                        s.name
                    ),
                )
                .with_path(format!("{path}.targets[{i}]"))
                .at(at(&["targets", &i.to_string()]))
                .with_hint("set `local_allow_cloud: true` to allow shared stores"),
            );
        }
    }
}

fn target_config(t: &Target, path: &str, at: &At<'_>, diags: &mut Vec<Diagnostic>) {
    if t.provider != "local" {
        return;
    }
    match t.kind.as_str() {
        "file" => {
            if let Some(p) = t.config.get("path")
                && !p.is_string()
            {
                diags.push(
                    Diagnostic::error(
                        ErrorCode::WrongType,
                        "`path` of a file target must be a string",
                    )
                    .with_path(format!("{path}.config.path"))
                    .at(at(&["config", "path"])),
                );
            }
            if let Some(f) = t.config.get("format") {
                match f.as_str().map(|n| (n, n.trim().to_lowercase())) {
                    Some((_, norm)) if FILE_FORMATS.contains(&norm.as_str()) => {}
                    Some((name, _)) => {
                        // The secret fails at sync time; the rest of the file still syncs.
                        let mut d = Diagnostic::warning(
                            ErrorCode::InvalidValue,
                            format!("unknown file format `{name}`: secrets writing to this target will fail"),
                        )
                        .with_path(format!("{path}.config.format"))
                        .at(at(&["config", "format"]));
                        d = match did_you_mean(name, FILE_FORMATS) {
                            Some(s) => d.with_hint(format!("did you mean `{s}`?")),
                            None => d.with_hint(format!("formats: {}", FILE_FORMATS.join(", "))),
                        };
                        diags.push(d);
                    }
                    None => diags.push(
                        Diagnostic::error(
                            ErrorCode::WrongType,
                            "`format` of a file target must be a string",
                        )
                        .with_path(format!("{path}.config.format"))
                        .at(at(&["config", "format"])),
                    ),
                }
            }
        }
        "template" => {
            for key in ["template_path", "output_path"] {
                if !t.config.get(key).is_some_and(|v| v.is_string()) {
                    diags.push(
                        Diagnostic::error(
                            ErrorCode::MissingField,
                            format!("template target needs `{key}`"),
                        )
                        .with_path(format!("{path}.config.{key}"))
                        .at(at(&["config"]).or_else(|| at(&[]))),
                    );
                }
            }
        }
        other => {
            diags.push(
                Diagnostic::warning(
                    ErrorCode::UnknownValue,
                    format!("unknown local target kind `{other}`"),
                )
                .with_path(format!("{path}.kind"))
                .at(at(&["kind"]))
                .with_hint("local targets are `file` and `template`"),
            );
        }
    }
}

/// Credential-looking literals in `agent_instructions` (the seed's "Keeping Secrets Safe").
/// The message names the kind of credential, never the text.
fn instructions_leak(s: &Secret, path: &str, at: &At<'_>, diags: &mut Vec<Diagnostic>) {
    let Some(ai) = &s.agent_instructions else {
        return;
    };
    // Where each text sits (as path segments under `agent_instructions`), spelt out only
    // for a text that looks like a credential.
    enum Field<'a> {
        Named(&'static str),
        Step(usize, &'static str),
        StepParam(usize, &'a str),
        Item(&'static str, usize),
    }
    impl Field<'_> {
        fn segments(&self) -> Vec<String> {
            match self {
                Field::Named(name) => vec![(*name).into()],
                Field::Step(i, name) => vec!["steps".into(), i.to_string(), (*name).into()],
                Field::StepParam(i, k) => {
                    vec!["steps".into(), i.to_string(), "params".into(), (*k).into()]
                }
                Field::Item(name, i) => vec![(*name).into(), i.to_string()],
            }
        }
    }
    let mut fields: Vec<(Field<'_>, &str)> = vec![(Field::Named("summary"), ai.summary.as_str())];
    for (i, st) in ai.steps.iter().enumerate() {
        fields.push((Field::Step(i, "action"), &st.action));
        fields.push((Field::Step(i, "description"), &st.description));
        if let Some(params) = &st.params {
            for (k, v) in params {
                if let Some(text) = v.as_str() {
                    fields.push((Field::StepParam(i, k), text));
                }
            }
        }
    }
    for (name, list) in [
        ("prerequisites", &ai.prerequisites),
        ("required_tools", &ai.required_tools),
    ] {
        for (i, item) in list.iter().flatten().enumerate() {
            fields.push((Field::Item(name, i), item));
        }
    }
    for (name, v) in [
        ("automation_hint", &ai.automation_hint),
        ("fallback", &ai.fallback),
        ("estimated_time", &ai.estimated_time),
        ("documentation_url", &ai.documentation_url),
    ] {
        if let Some(text) = v {
            fields.push((Field::Named(name), text));
        }
    }
    for (field, text) in fields {
        if let Some(what) = credential_kind(text) {
            let segs = field.segments();
            let mut p = vec!["agent_instructions"];
            p.extend(segs.iter().map(String::as_str));
            diags.push(
                Diagnostic::warning(
                    ErrorCode::CredentialInInstructions,
                    format!("agent_instructions of `{}` contain what looks like {what}", s.name),
                )
                .with_path(format!("{path}.agent_instructions.{}", segs.join(".")))
                .at(at(&p))
                .with_hint("never put real credentials in instructions; name an environment variable instead"),
            );
        }
    }
}

/// A credential shape: (prefix, minimum length of the token after it, token characters, what
/// it looks like).
type CredentialShape = (&'static str, usize, fn(char) -> bool, &'static str);

/// Credential shapes, in the order they are reported.
const CREDENTIALS: &[CredentialShape] = &[
    ("AKIA", 16, upper_digit, "an AWS access key id"),
    ("ASIA", 16, upper_digit, "an AWS access key id"),
    ("sk_live_", 10, alnum, "a live Stripe key"),
    ("rk_live_", 10, alnum, "a live Stripe key"),
    ("sk_test_", 10, alnum, "a Stripe test key"),
    ("ghp_", 30, alnum, "a GitHub token"),
    ("gho_", 30, alnum, "a GitHub token"),
    ("ghs_", 30, alnum, "a GitHub token"),
    ("github_pat_", 30, tokenish, "a GitHub token"),
    ("glpat-", 20, tokenish, "a GitLab token"),
    ("xoxb-", 10, tokenish, "a Slack token"),
    ("xoxp-", 10, tokenish, "a Slack token"),
    ("AIza", 35, tokenish, "a Google API key"),
    ("sk-", 40, tokenish, "an API secret key"),
    ("PRIVATE KEY-----", 0, alnum, "a private key"),
];

fn alnum(c: char) -> bool {
    c.is_ascii_alphanumeric()
}

fn upper_digit(c: char) -> bool {
    c.is_ascii_uppercase() || c.is_ascii_digit()
}

fn tokenish(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// What kind of credential `text` appears to contain, if any.
///
/// One pass over the text (every instruction string is checked, so this is on the hot path
/// of a large Secretfile): at each position that starts a known prefix, the token after it
/// is measured; the first shape in [`CREDENTIALS`] order that matched anywhere wins.
pub fn credential_kind(text: &str) -> Option<&'static str> {
    let mut best: Option<usize> = None;
    // Every prefix has at least three bytes: its first two select the positions worth a look
    // (most text has plenty of `s`, `r`, `g` and `A`, few `sk`, `gh` or `AK`).
    for (i, pair) in text.as_bytes().windows(2).enumerate() {
        if !matches!(
            pair,
            [b'A', b'K' | b'S' | b'I']
                | [b's' | b'r', b'k']
                | [b'g', b'h' | b'i' | b'l']
                | [b'x', b'o']
                | [b'P', b'R']
        ) {
            continue;
        }
        let Some(rest) = text.get(i..) else {
            continue;
        };
        for (k, (prefix, min, ok, _)) in CREDENTIALS.iter().enumerate() {
            if best.is_some_and(|b| b <= k) {
                break;
            }
            if let Some(token) = rest.strip_prefix(prefix)
                && token.chars().take_while(|c| ok(*c)).take(*min).count() >= *min
            {
                best = Some(k);
            }
        }
        if best == Some(0) {
            break;
        }
    }
    best.and_then(|k| CREDENTIALS.get(k)).map(|c| c.3)
}

fn template_rules(sf: &Secretfile, root: &Node, diags: &mut Vec<Diagnostic>) {
    for (tname, t) in &sf.templates {
        for (fname, f) in &t.fields {
            let path = format!("templates.{tname}.fields.{fname}.generator");
            let at = |key: Option<&str>| {
                let mut p = vec![
                    "templates",
                    tname.as_str(),
                    "fields",
                    fname.as_str(),
                    "generator",
                ];
                if let Some(k) = key {
                    p.extend_from_slice(&["config", k]);
                }
                span_at(root, &p)
            };
            let at_key = |k: &str| {
                crate::parse::key_span_at(
                    root,
                    &[
                        "templates",
                        tname.as_str(),
                        "fields",
                        fname.as_str(),
                        "generator",
                        "config",
                        k,
                    ],
                )
            };
            generator_options(
                &f.generator.kind,
                &f.generator.config,
                &path,
                &at,
                &at_key,
                diags,
            );
        }
    }
}

fn references(sf: &Secretfile, root: &Node, diags: &mut Vec<Diagnostic>) {
    if let Some(envs) = &sf.environments {
        if let Some(default) = &envs.default
            && !envs.profiles.contains_key(default)
        {
            let names: Vec<&str> = envs.profiles.keys().map(String::as_str).collect();
            diags.push(unknown_ref(
                format!("`environments.default` names `{default}`, which is not a profile"),
                &names,
                default,
                "environments.default",
                span_at(root, &["environments", "default"]),
            ));
        }
        for (lane, p) in &envs.profiles {
            if let Some(tp) = &p.target_profile
                && !sf.target_profiles.contains_key(tp)
            {
                let names: Vec<&str> = sf.target_profiles.keys().map(String::as_str).collect();
                diags.push(unknown_ref(
                    format!(
                        "environment `{lane}` uses target profile `{tp}`, which is not defined"
                    ),
                    &names,
                    tp,
                    &format!("environments.profiles.{lane}.target_profile"),
                    span_at(root, &["environments", "profiles", lane, "target_profile"]),
                ));
            }
            let mut seen = Vec::new();
            for (i, f) in p.var_files.iter().enumerate() {
                let span = span_at(
                    root,
                    &[
                        "environments",
                        "profiles",
                        lane,
                        "var_files",
                        &i.to_string(),
                    ],
                );
                if f.trim().is_empty() || seen.contains(&f) {
                    diags.push(
                        Diagnostic::error(
                            ErrorCode::InvalidValue,
                            format!("environment `{lane}` lists an empty or duplicate var file"),
                        )
                        .with_path(format!("environments.profiles.{lane}.var_files[{i}]"))
                        .at(span),
                    );
                }
                seen.push(f);
            }
        }
    }
    let policies: Vec<&str> = sf.policies.keys().map(String::as_str).collect();
    for (name, tp) in &sf.target_profiles {
        for (i, p) in tp.identity_policies.iter().enumerate() {
            if !sf.policies.contains_key(p) {
                diags.push(unknown_ref(
                    format!("target profile `{name}` refers to policy `{p}`, which is not defined"),
                    &policies,
                    p,
                    &format!("target_profiles.{name}.identity_policies[{i}]"),
                    span_at(
                        root,
                        &["target_profiles", name, "identity_policies", &i.to_string()],
                    ),
                ));
            }
        }
    }
    for (si, s) in sf.secrets.iter().enumerate() {
        for (ti, t) in s.targets.iter().enumerate() {
            for (pi, p) in t.identity_policies.iter().enumerate() {
                let is_identity = sf
                    .policies
                    .get(p)
                    .and_then(|v| v.get("kind"))
                    .and_then(|k| k.as_str())
                    == Some("provider_identity");
                if !is_identity {
                    diags.push(unknown_ref(
                        format!("target of `{}` refers to `{p}`, which is not a provider_identity policy", s.name),
                        &policies,
                        p,
                        &format!("secrets[{si}].targets[{ti}].identity_policies[{pi}]"),
                        span_at(
                            root,
                            &["secrets", &si.to_string(), "targets", &ti.to_string(), "identity_policies", &pi.to_string()],
                        ),
                    ));
                }
            }
        }
    }
}

fn unknown_ref(
    message: String,
    names: &[&str],
    name: &str,
    path: &str,
    span: Option<crate::Span>,
) -> Diagnostic {
    let d = Diagnostic::error(ErrorCode::UnknownReference, message)
        .with_path(path)
        .at(span);
    match did_you_mean(name, names) {
        Some(s) => d.with_hint(format!("did you mean `{s}`?")),
        None if names.is_empty() => d.with_hint("nothing of that kind is defined in this file"),
        None => d.with_hint(format!("defined: {}", names.join(", "))),
    }
}

#[cfg(test)]
mod tests {
    use crate::ErrorCode;
    use crate::parse::{ParseOptions, parse_secretfile};

    #[test]
    fn credential_shapes_and_precedence() {
        use super::credential_kind;
        let aws = format!("key AKIA{}", "A1".repeat(8));
        assert_eq!(credential_kind(&aws), Some("an AWS access key id"));
        // One character short of the token length: not a credential.
        assert_eq!(credential_kind(&format!("ghp_{}", "a".repeat(29))), None);
        assert_eq!(
            credential_kind(&format!("ghp_{}", "a".repeat(30))),
            Some("a GitHub token")
        );
        assert_eq!(
            credential_kind("-----BEGIN RSA PRIVATE KEY-----"),
            Some("a private key")
        );
        // The shape listed first wins, wherever it appears in the text.
        let both = format!("sk-{} then {aws}", "x".repeat(40));
        assert_eq!(credential_kind(&both), Some("an AWS access key id"));
        assert_eq!(
            credential_kind(&format!("sk-{}", "x".repeat(40))),
            Some("an API secret key")
        );
        assert_eq!(
            credential_kind(&format!("é sk_test_{}", "9".repeat(10))),
            Some("a Stripe test key")
        );
        assert_eq!(
            credential_kind("Visit https://dashboard.stripe.com/register"),
            None
        );
    }

    /// The two-byte pre-filter lets every listed prefix through, at the start, in the middle
    /// and at the end of a text.
    #[test]
    fn credential_prefilter_keeps_every_shape() {
        use super::{CREDENTIALS, credential_kind};
        for (prefix, min, ok, what) in CREDENTIALS {
            let c = ['A', '1', 'a'].into_iter().find(|c| ok(*c)).unwrap();
            let token = format!("{prefix}{}", c.to_string().repeat(*min));
            for text in [
                token.clone(),
                format!("see {token} here"),
                format!("é:{token}"),
            ] {
                assert_eq!(credential_kind(&text), Some(*what), "{text}");
            }
        }
    }

    fn codes(text: &str) -> Vec<(ErrorCode, Option<usize>)> {
        parse_secretfile(text, &ParseOptions::default())
            .diagnostics
            .iter()
            .map(|d| (d.code, d.line))
            .collect()
    }

    #[test]
    fn duplicate_names_are_errors_at_the_second() {
        let c = codes(
            "secrets:\n  - {name: a, kind: uuid}\n  - {name: b, kind: uuid}\n  - {name: a, kind: uuid}\n",
        );
        assert_eq!(c, vec![(ErrorCode::DuplicateSecret, Some(4))]);
    }

    #[test]
    fn unknown_kinds_and_templates() {
        let c = codes(
            "secrets:\n  - {name: a, kind: random_pasword}\n  - {name: b, kind: templates.db}\n",
        );
        assert_eq!(
            c,
            vec![
                (ErrorCode::UnknownKind, Some(2)),
                (ErrorCode::UnknownTemplate, Some(3))
            ]
        );
    }

    #[test]
    fn credentials_in_instructions_are_flagged_without_the_value() {
        let p = parse_secretfile(
            "secrets:\n  - name: aws\n    kind: static\n    agent_instructions:\n      summary: s\n      steps: []\n      prerequisites:\n        - 'Set AWS_SECRET_ACCESS_KEY=AKIAIOSFODNN7EXAMPLE'\n",
            &ParseOptions::default(),
        );
        let d = &p.diagnostics[0];
        assert_eq!(d.code, ErrorCode::CredentialInInstructions);
        assert_eq!(d.line, Some(8));
        assert!(!d.to_string().contains("AKIAIOSFODNN7EXAMPLE"));
    }

    #[test]
    fn unknown_options_point_at_their_key() {
        let p = parse_secretfile(
            "secrets:\n  - name: a\n    kind: random_password\n    config:\n      lenght: 12\n",
            &ParseOptions::default(),
        );
        let d = p
            .diagnostics
            .iter()
            .find(|d| d.code == ErrorCode::UnknownKey)
            .unwrap();
        assert_eq!((d.line, d.column), (Some(5), Some(7)));
    }

    #[test]
    fn references_must_exist() {
        let c = codes(
            "environments:\n  default: prdo\n  profiles:\n    prod: {target_profile: nope}\nsecrets: []\n",
        );
        assert_eq!(
            c,
            vec![
                (ErrorCode::UnknownReference, Some(2)),
                (ErrorCode::UnknownReference, Some(4))
            ]
        );
    }
}
