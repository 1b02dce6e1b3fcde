//! Two answers per secret: its outcome in this sync (automatic, pending or failed) and its
//! automation level (how much of its acquisition can run without a person).
//!
//! The outcome follows the reference's `secret_supports_automatic_generation` (spec §4.1)
//! with DESIGN §5's differences: `uuid` is generated; provider-token kinds, `api` and unknown
//! kinds need a person; `script` needs an explicit trust grant; templates whose fields can
//! all be generated are automatic. The level follows DESIGN §4.

use serde::{Deserialize, Serialize};

use crate::generate::{needs_prompt, static_payload};
use crate::model::{AutomationLevel, DataMap, Secret, Secretfile};

/// The message the reference uses for a manual secret without instructions.
pub const NO_INSTRUCTIONS: &str = "Secret requires manual input but no agent_instructions provided";

/// Kinds that mint a token through a provider API the reference drives and we do not.
pub const PROVIDER_TOKEN_KINDS: &[(&str, &str)] = &[
    ("github_pat", "github"),
    ("gitlab_project_token", "gitlab"),
    ("gitlab_group_token", "gitlab"),
    ("gitlab_group_service_account", "gitlab"),
    ("azdo_pat", "azdo"),
    ("entra-agent-blueprint", "entra"),
];

/// What a sync does with a secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Produced without a person (generated, static, supplied by the environment or a person
    /// in advance, or a trusted script).
    Automatic,
    /// Needs a person; its instructions are reported.
    Pending,
    /// Needs a person but has no instructions (or cannot be produced at all).
    Failed,
}

/// Why a secret is automatic, for reports and dry runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A generator (`random_password`, `random_string`, `uuid`, template fields).
    Generated,
    /// A static value from the Secretfile.
    Static,
    /// The `UPPER_NAME` environment variable or a value supplied by the host.
    Supplied,
    /// A value already present in one of the secret's target files (adopted, not replaced).
    Existing,
    /// A trusted `script`.
    Script,
    /// Not automatic.
    None,
}

/// The classification of one secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct Classification {
    /// Automatic, pending or failed.
    pub outcome: Outcome,
    /// How the value is produced when automatic.
    pub source: Source,
    /// The automation level (DESIGN §4).
    pub automation_level: AutomationLevel,
    /// Why the secret failed (for `failed_secrets`), when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub reason: Option<String>,
}

/// What the host granted and supplied.
#[derive(Clone, Copy, Debug, Default)]
pub struct ClassifyContext {
    /// `--allow-scripts`: `script` secrets may run.
    pub allow_scripts: bool,
    /// A value is supplied for this secret (environment override or a person's answer).
    pub supplied: bool,
}

/// Classify `secret` of `sf`.
pub fn classify(secret: &Secret, sf: &Secretfile, ctx: ClassifyContext) -> Classification {
    let producible = producible(secret, sf, ctx.allow_scripts);
    let level = automation_level(secret, producible.is_some());
    let (outcome, source, reason) = match (ctx.supplied, producible) {
        (true, _) => (Outcome::Automatic, Source::Supplied, None),
        (false, Some(src)) => (Outcome::Automatic, src, None),
        (false, None) if secret.agent_instructions.is_some() || secret.kind == "script" => {
            (Outcome::Pending, Source::None, None)
        }
        (false, None) => (Outcome::Failed, Source::None, Some(failure_reason(secret))),
    };
    Classification {
        outcome,
        source,
        automation_level: level,
        reason,
    }
}

fn failure_reason(secret: &Secret) -> String {
    if let Some((_, provider)) = PROVIDER_TOKEN_KINDS.iter().find(|(k, _)| *k == secret.kind) {
        return format!(
            "'{}' needs the '{provider}' provider, which this implementation cannot drive; add agent_instructions or supply the value in the {} environment variable",
            secret.kind,
            env_name(&secret.name)
        );
    }
    NO_INSTRUCTIONS.to_string()
}

/// The environment variable that overrides a secret's value (`upper(name)`).
pub fn env_name(name: &str) -> String {
    name.to_uppercase()
}

/// How the secret can be produced without a person, if it can.
fn producible(secret: &Secret, sf: &Secretfile, allow_scripts: bool) -> Option<Source> {
    match secret.kind.as_str() {
        "random_password" | "random_string" | "uuid" => Some(Source::Generated),
        "static" | "azure_app_reg" => {
            (!needs_prompt(static_payload(&secret.config))).then_some(Source::Static)
        }
        "script" => allow_scripts.then_some(Source::Script),
        kind => {
            let template = sf.templates.get(kind.strip_prefix("templates.")?)?;
            (!template.fields.is_empty()
                && template
                    .fields
                    .values()
                    .all(|f| field_producible(&f.generator.kind, &f.generator.config)))
            .then_some(Source::Generated)
        }
    }
}

fn field_producible(kind: &str, config: &DataMap) -> bool {
    match kind {
        "random_password" | "random_string" | "uuid" => true,
        "static" => !needs_prompt(static_payload(config)),
        _ => false,
    }
}

/// Hints are normalised before matching: lower case, typographic apostrophes and dashes.
fn normalise_hint(hint: &str) -> String {
    hint.to_lowercase()
        .replace(['\u{2018}', '\u{2019}', '\u{02bc}'], "'")
        .replace(
            [
                '\u{2010}', '\u{2011}', '\u{2012}', '\u{2013}', '\u{2014}', '\u{2212}',
            ],
            "-",
        )
}

/// The automation level of a secret (DESIGN §4, first match wins).
pub fn automation_level(secret: &Secret, producible: bool) -> AutomationLevel {
    let ai = secret.agent_instructions.as_ref();
    if let Some(level) = ai.and_then(|a| a.automation_level) {
        return level;
    }
    let hint = ai
        .and_then(|a| a.automation_hint.as_deref())
        .map(normalise_hint)
        .unwrap_or_default();
    if !hint.trim().is_empty() {
        return hint_level(&hint);
    }
    if producible {
        AutomationLevel::FullyAutomated
    } else if secret.kind == "script" {
        AutomationLevel::RequiresApproval
    } else if ai.is_some() {
        AutomationLevel::SemiAutomated
    } else {
        AutomationLevel::ManualOnly
    }
}

fn hint_level(hint: &str) -> AutomationLevel {
    const MANUAL: &[&str] = &[
        "manual only",
        "cannot",
        "can't",
        "can not",
        "not automat",
        "not fully",
    ];
    if hint.contains("approval") {
        AutomationLevel::RequiresApproval
    } else if MANUAL.iter().any(|m| hint.contains(m)) {
        AutomationLevel::ManualOnly
    } else if hint.contains("fully automat") {
        AutomationLevel::FullyAutomated
    } else if hint.contains("manual") {
        AutomationLevel::ManualOnly
    } else {
        AutomationLevel::SemiAutomated
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn secret(v: serde_json::Value) -> Secret {
        serde_json::from_value(v).unwrap()
    }

    fn hinted(hint: &str) -> Secret {
        secret(
            json!({"name": "s", "kind": "static", "agent_instructions": {"summary": "x", "steps": [], "automation_hint": hint}}),
        )
    }

    #[test]
    fn levels_follow_design_section_4() {
        use AutomationLevel::*;
        let cases = [
            ("Fully automated, no manual steps", FullyAutomated),
            ("Needs manual approval", RequiresApproval),
            ("Agent polls, user approves", SemiAutomated),
            ("MANUAL ONLY", ManualOnly),
            ("This cannot be fully automated", ManualOnly),
            ("This can’t be automated", ManualOnly),
            ("Manual only – requires email verification", ManualOnly),
            ("Requires approval from security", RequiresApproval),
            ("Fully automated if TOKEN is set", FullyAutomated),
            ("Mostly manual", ManualOnly),
            ("Partly scripted", SemiAutomated),
            ("Not fully automatable", ManualOnly),
        ];
        for (hint, want) in cases {
            assert_eq!(automation_level(&hinted(hint), false), want, "{hint}");
        }
        let explicit = secret(
            json!({"name": "s", "kind": "static", "agent_instructions": {"summary": "x", "steps": [], "automation_hint": "manual", "automation_level": "requires_approval"}}),
        );
        assert_eq!(automation_level(&explicit, false), RequiresApproval);
    }

    #[test]
    fn outcomes_follow_the_reference_with_our_differences() {
        let sf = Secretfile::default();
        let ctx = ClassifyContext::default();
        let c = |v| classify(&secret(v), &sf, ctx);
        assert_eq!(
            c(json!({"name": "a", "kind": "random_password"})).outcome,
            Outcome::Automatic
        );
        assert_eq!(
            c(json!({"name": "a", "kind": "uuid"})).outcome,
            Outcome::Automatic
        );
        assert_eq!(
            c(json!({"name": "a", "kind": "static", "config": {"value": "x"}})).outcome,
            Outcome::Automatic
        );
        assert_eq!(
            c(json!({"name": "a", "kind": "static", "config": {}})).outcome,
            Outcome::Failed
        );
        assert_eq!(
            c(json!({"name": "a", "kind": "static", "config": {"default": "${TOKEN}"}})).outcome,
            Outcome::Failed
        );
        let gh = c(json!({"name": "a", "kind": "github_pat"}));
        assert_eq!(gh.outcome, Outcome::Failed);
        assert!(gh.reason.unwrap().contains("github"));
        let script = c(json!({"name": "a", "kind": "script", "config": {"command": "echo"}}));
        assert_eq!(
            (script.outcome, script.automation_level),
            (Outcome::Pending, AutomationLevel::RequiresApproval)
        );
        let trusted = classify(
            &secret(json!({"name": "a", "kind": "script", "config": {"command": "echo"}})),
            &sf,
            ClassifyContext {
                allow_scripts: true,
                supplied: false,
            },
        );
        assert_eq!(
            (trusted.outcome, trusted.automation_level),
            (Outcome::Automatic, AutomationLevel::FullyAutomated)
        );
        let pending = c(
            json!({"name": "a", "kind": "provider_backed", "agent_instructions": {"summary": "x", "steps": []}}),
        );
        assert_eq!(
            (pending.outcome, pending.automation_level),
            (Outcome::Pending, AutomationLevel::SemiAutomated)
        );
        let supplied = classify(
            &secret(json!({"name": "a", "kind": "static", "config": {}})),
            &sf,
            ClassifyContext {
                allow_scripts: false,
                supplied: true,
            },
        );
        assert_eq!(
            (supplied.outcome, supplied.source),
            (Outcome::Automatic, Source::Supplied)
        );
    }

    #[test]
    fn templates_are_automatic_when_every_field_is() {
        let sf: Secretfile = serde_json::from_value(json!({
            "templates": {
                "db": {"description": "d", "fields": {
                    "user": {"description": "u", "generator": {"kind": "static", "config": {"default": "app"}}},
                    "password": {"description": "p", "generator": {"kind": "random_password"}}
                }},
                "oauth": {"description": "o", "fields": {
                    "id": {"description": "i", "generator": {"kind": "static", "config": {}}}
                }}
            }
        }))
        .unwrap();
        let ctx = ClassifyContext::default();
        assert_eq!(
            classify(
                &secret(json!({"name": "a", "kind": "templates.db"})),
                &sf,
                ctx
            )
            .outcome,
            Outcome::Automatic
        );
        assert_eq!(
            classify(
                &secret(json!({"name": "a", "kind": "templates.oauth"})),
                &sf,
                ctx
            )
            .outcome,
            Outcome::Failed
        );
        assert_eq!(
            classify(
                &secret(json!({"name": "a", "kind": "templates.nope"})),
                &sf,
                ctx
            )
            .outcome,
            Outcome::Failed
        );
    }
}
