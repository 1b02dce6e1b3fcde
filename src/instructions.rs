//! `agent instructions`: which secrets still need a person, with their rendered instructions.
//!
//! The reference CLI decides "pending" with its own small test (not in the lockfile, not
//! auto-generatable, has `agent_instructions`). Here the answer comes from the sync planner
//! itself (a dry run), so `agent instructions` never disagrees with what `agent sync` would
//! report as pending: a secret supplied through `UPPER_NAME`, one whose target already holds a
//! value, a generatable template and a `local: true` secret recorded in the local lockfile are
//! not pending, and an untrusted `script` secret is (DESIGN §5). `SZ_AGENT` is ignored here:
//! it turns pending secrets into failures in a sync, but the question "what needs a person"
//! has the same answer with or without it.
//!
//! Pure like the rest of the core: the host reads the same files as for a sync and passes
//! them in the embedded [`SyncRequest`].

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::classify::{ClassifyContext, classify, env_name};
use crate::diagnostic::{Diagnostic, Error, ErrorCode, Severity};
use crate::interpolate::{Jinja, render_instructions};
use crate::random::OsRandom;
use crate::report::PendingSecret;
use crate::sync::{SyncRequest, prepare, sync_with_rng};

/// Which secrets an instructions report lists.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "lowercase")]
pub enum InstructionScope {
    /// Secrets that a sync would report as pending (the default).
    #[default]
    Pending,
    /// Every secret that has instructions.
    All,
}

/// `instructions` request.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct InstructionsRequest {
    /// What a sync would be given (the Secretfile, lockfiles, target files, environment...).
    pub request: SyncRequest,
    /// Every secret with instructions, not only the pending ones (`--all`).
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub all: bool,
    /// Only these secrets (`-s NAME`, repeatable); empty means every secret.
    #[serde(default)]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub secrets: Vec<String>,
}

/// `instructions` response: the reference's `{scope, total, secrets}` plus warnings.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct InstructionsResponse {
    /// `pending` or `all`.
    pub scope: InstructionScope,
    /// Number of entries in `secrets`.
    pub total: usize,
    /// Rendered instructions (with `automation_level`) by secret name, in manifest order.
    #[cfg_attr(feature = "wasm", tsify(type = "Record<string, PendingSecret>"))]
    pub secrets: IndexMap<String, PendingSecret>,
    /// The Secretfile's warnings, and one per `secrets` filter name that is not a secret.
    pub warnings: Vec<Diagnostic>,
}

/// List the rendered instructions of the pending secrets (or, with `all`, of every secret
/// that has instructions), in manifest order.
///
/// # Errors
/// As `sync`: the Secretfile's diagnostics when it is invalid, an unknown environment, an
/// unreadable lockfile, a target outside the project.
pub fn instructions(r: &InstructionsRequest) -> Result<InstructionsResponse, Error> {
    let mut req = r.request.clone();
    req.dry_run = true;
    req.env.remove("SZ_AGENT");
    let planned = sync_with_rng(&req, &mut OsRandom)?;
    let pending = planned.report.pending_secrets;
    let p = prepare(&req, true)?;
    let sf = &p.secretfile;

    let wanted = |name: &str| r.secrets.is_empty() || r.secrets.iter().any(|n| n == name);
    let jinja = Jinja::new();
    let mut secrets = IndexMap::new();
    for s in sf.secrets.iter().filter(|s| wanted(&s.name)) {
        if let Some(entry) = pending.get(&s.name) {
            secrets.insert(s.name.clone(), entry.clone());
        } else if r.all
            && let Some(mut ai) = render_instructions(s, &sf.variables, &jinja)
        {
            let supplied = req
                .values
                .get(&s.name)
                .or_else(|| req.env.get(&env_name(&s.name)))
                .is_some_and(|v| !v.is_empty());
            let c = classify(
                s,
                sf,
                ClassifyContext {
                    allow_scripts: req.allow_scripts,
                    supplied,
                },
            );
            ai.automation_level = Some(c.automation_level);
            secrets.insert(s.name.clone(), PendingSecret { instructions: ai });
        }
    }

    let mut warnings: Vec<Diagnostic> = p
        .warnings
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .cloned()
        .collect();
    let names: Vec<&str> = sf.secrets.iter().map(|s| s.name.as_str()).collect();
    for n in &r.secrets {
        if names.contains(&n.as_str()) {
            continue;
        }
        let mut d = Diagnostic::warning(
            ErrorCode::UnknownReference,
            format!("`{n}` is not a secret of this Secretfile"),
        );
        d = match crate::suggest::did_you_mean(n, &names) {
            Some(s) => d.with_hint(format!("did you mean `{s}`?")),
            None if names.len() <= 12 => d.with_hint(format!(
                "the secrets of this Secretfile: {}",
                names.join(", ")
            )),
            None => d.with_hint("check the name against the Secretfile's `secrets`"),
        };
        warnings.push(d);
    }
    Ok(InstructionsResponse {
        scope: if r.all {
            InstructionScope::All
        } else {
            InstructionScope::Pending
        },
        total: secrets.len(),
        secrets,
        warnings,
    })
}

/// The reference's JSON payload: `{scope, total, secrets}`; each entry is `{summary, steps}`,
/// or with `detailed` every instruction field (null fields omitted) plus `automation_level`.
pub fn json_payload(r: &InstructionsResponse, detailed: bool) -> serde_json::Value {
    let mut secrets = serde_json::Map::new();
    for (name, entry) in &r.secrets {
        let v = if detailed {
            serde_json::to_value(entry).unwrap_or(serde_json::Value::Null)
        } else {
            let ai = &entry.instructions;
            serde_json::json!({
                "summary": ai.summary,
                "steps": serde_json::to_value(&ai.steps).unwrap_or(serde_json::Value::Null),
            })
        };
        secrets.insert(name.clone(), v);
    }
    let mut out = serde_json::Map::new();
    out.insert(
        "scope".into(),
        serde_json::to_value(r.scope).unwrap_or(serde_json::Value::Null),
    );
    out.insert("total".into(), serde_json::Value::from(r.total));
    out.insert("secrets".into(), serde_json::Value::Object(secrets));
    serde_json::Value::Object(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    const SF: &str = r#"
variables:
  team: payments
secrets:
  - name: db
    kind: random_password
    targets: [{provider: local, kind: file, config: {path: .env}}]
    agent_instructions:
      summary: "Generated for {{ var.team }}"
      steps: [{action: "nothing", description: "automatic"}]
  - name: stripe_key
    kind: static
    config: {validation: "^sk_"}
    targets: [{provider: local, kind: file, config: {path: .env}}]
    agent_instructions:
      summary: "Get {{ secret_name }} for {{ var.team }}"
      steps:
        - {action: "Open the dashboard", description: "Log in", required: false}
      automation_hint: Manual only
      documentation_url: https://stripe.com/docs/keys
  - name: oauth
    kind: static
    config: {}
    agent_instructions:
      summary: "Create the OAuth app"
      steps: []
  - name: no_help
    kind: static
    config: {}
"#;

    fn req(all: bool, secrets: &[&str], lockfile: Option<&str>) -> InstructionsRequest {
        InstructionsRequest {
            request: SyncRequest {
                text: SF.into(),
                secretfile_path: "Secretfile.yml".into(),
                now: "2026-01-01T00:00:00Z".into(),
                lockfile: lockfile.map(String::from),
                files: [(".env".to_string(), None)].into_iter().collect(),
                refresh: true,
                ..SyncRequest::default()
            },
            all,
            secrets: secrets.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn pending_scope_lists_only_what_needs_a_person() {
        let r = instructions(&req(false, &[], None)).unwrap();
        assert_eq!(r.scope, InstructionScope::Pending);
        let names: Vec<&String> = r.secrets.keys().collect();
        assert_eq!(names, ["stripe_key", "oauth"]);
        assert_eq!(r.total, 2);
        let s = &r.secrets["stripe_key"].instructions;
        assert_eq!(s.summary, "Get stripe_key for payments", "rendered");
        assert_eq!(s.automation_level, Some(crate::AutomationLevel::ManualOnly));
    }

    #[test]
    fn all_scope_adds_automatic_secrets_with_instructions() {
        let r = instructions(&req(true, &[], None)).unwrap();
        assert_eq!(r.scope, InstructionScope::All);
        let names: Vec<&String> = r.secrets.keys().collect();
        assert_eq!(names, ["db", "stripe_key", "oauth"]);
        assert_eq!(
            r.secrets["db"].instructions.summary,
            "Generated for payments"
        );
        assert_eq!(
            r.secrets["db"].instructions.automation_level,
            Some(crate::AutomationLevel::FullyAutomated)
        );
    }

    #[test]
    fn filter_and_unknown_names() {
        let r = instructions(&req(false, &["oauth", "strip_key"], None)).unwrap();
        assert_eq!(r.secrets.keys().collect::<Vec<_>>(), ["oauth"]);
        assert_eq!(r.warnings.len(), 1);
        assert_eq!(r.warnings[0].code, ErrorCode::UnknownReference);
        assert!(
            r.warnings[0]
                .hint
                .as_deref()
                .unwrap()
                .contains("stripe_key")
        );
    }

    #[test]
    fn supplied_and_sz_agent() {
        // A value in the environment makes it automatic: not pending.
        let mut q = req(false, &[], None);
        q.request
            .env
            .insert("STRIPE_KEY".into(), "sk_test_123".into());
        q.request.env.insert("SZ_AGENT".into(), "1".into());
        let r = instructions(&q).unwrap();
        assert_eq!(
            r.secrets.keys().collect::<Vec<_>>(),
            ["oauth"],
            "SZ_AGENT ignored"
        );
    }

    #[test]
    fn json_payload_concise_and_detailed() {
        let r = instructions(&req(false, &["stripe_key"], None)).unwrap();
        let concise = json_payload(&r, false);
        assert_eq!(
            concise["secrets"]["stripe_key"]
                .as_object()
                .unwrap()
                .keys()
                .collect::<Vec<_>>(),
            ["summary", "steps"]
        );
        assert_eq!(concise["scope"], "pending");
        assert_eq!(concise["total"], 1);
        let detailed = json_payload(&r, true);
        let d = &detailed["secrets"]["stripe_key"];
        assert_eq!(d["documentation_url"], "https://stripe.com/docs/keys");
        assert_eq!(d["automation_level"], "manual_only");
        assert_eq!(d["steps"][0]["required"], false);
    }

    #[test]
    fn a_secret_in_the_lockfile_is_not_pending_but_listed_by_all() {
        let mut q = req(false, &[], None);
        q.request
            .values
            .insert("stripe_key".into(), "sk_live_1".into());
        q.request.dry_run = false;
        q.request.files.insert(".env".into(), None);
        let out = crate::sync::sync(&q.request).unwrap();
        let lock = out
            .writes
            .iter()
            .find(|w| w.role == crate::sync::WriteRole::Lockfile)
            .and_then(|w| w.contents.clone())
            .unwrap();
        let r = instructions(&req(false, &[], Some(&lock))).unwrap();
        assert_eq!(r.secrets.keys().collect::<Vec<_>>(), ["oauth"]);
        let r = instructions(&req(true, &[], Some(&lock))).unwrap();
        assert_eq!(
            r.secrets.keys().collect::<Vec<_>>(),
            ["db", "stripe_key", "oauth"]
        );
    }

    #[test]
    fn invalid_secretfile_is_an_error() {
        let mut q = req(false, &[], None);
        q.request.text = "secrets:\n  - name: a\n".into();
        assert!(instructions(&q).is_err());
    }
}
