//! Environment lanes (`environments`, `-e`) and target profiles (spec §3.6).
//!
//! A lane selects var files, a lockfile and a target profile; a target profile deep-merges
//! config overrides into targets (by provider alias, then by target kind) and appends its
//! identity policies. Paths here are POSIX strings relative to the working directory.

use crate::diagnostic::{Diagnostic, ErrorCode};
use crate::model::{DataMap, Secretfile, Target};
use crate::parse::deep_merge;
use crate::paths;

/// The resolved lane.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lane {
    /// The lane's name (`-e`, else `environments.default`).
    pub selected: Option<String>,
    /// The lane's var files, relative to the working directory (the Secretfile's directory
    /// joined with each entry).
    pub var_files: Vec<String>,
    /// The lane's lockfile, relative to the working directory.
    pub lockfile: Option<String>,
    /// The lane's target profile.
    pub target_profile: Option<String>,
}

/// Select the lane: `requested` (from `-e`), else `environments.default`.
///
/// # Errors
/// `UNKNOWN_REFERENCE` for a lane that does not exist or `-e` without `environments`.
pub fn select(
    sf: &Secretfile,
    requested: Option<&str>,
    secretfile_dir: &str,
) -> Result<Lane, Diagnostic> {
    let selected = requested
        .map(str::to_string)
        .or_else(|| sf.environments.as_ref().and_then(|e| e.default.clone()));
    let Some(name) = selected else {
        return Ok(Lane::default());
    };
    let Some(envs) = &sf.environments else {
        return Err(Diagnostic::error(
            ErrorCode::UnknownReference,
            format!("environment `{name}` was requested but this secretfile has no `environments`"),
        )
        .with_hint("remove `-e` or add an `environments:` block with `profiles`"));
    };
    let Some(profile) = envs.profiles.get(&name) else {
        let mut known: Vec<&str> = envs.profiles.keys().map(String::as_str).collect();
        known.sort_unstable();
        let mut d = Diagnostic::error(
            ErrorCode::UnknownReference,
            format!("unknown environment `{name}`"),
        );
        d = match crate::suggest::did_you_mean(&name, &known) {
            Some(s) => d.with_hint(format!(
                "did you mean `{s}`? known environments: {}",
                known.join(", ")
            )),
            None if known.is_empty() => d.with_hint("no environments are defined"),
            None => d.with_hint(format!("known environments: {}", known.join(", "))),
        };
        return Err(d);
    };
    Ok(Lane {
        selected: Some(name),
        var_files: profile
            .var_files
            .iter()
            .map(|f| paths::join(secretfile_dir, f))
            .collect(),
        lockfile: profile
            .lockfile
            .as_ref()
            .map(|f| paths::join(secretfile_dir, f)),
        target_profile: profile.target_profile.clone(),
    })
}

/// Apply a target profile to every secret's targets (and template targets).
///
/// # Errors
/// `UNKNOWN_REFERENCE` when the profile does not exist.
pub fn apply_target_profile(sf: &mut Secretfile, profile: &str) -> Result<(), Diagnostic> {
    let Some(p) = sf.target_profiles.get(profile).cloned() else {
        return Err(Diagnostic::error(
            ErrorCode::UnknownReference,
            format!("unknown target profile `{profile}`"),
        ));
    };
    let apply = |t: &mut Target| {
        let mut cfg: DataMap = t.config.clone();
        if let Some(o) = p.provider_overrides.get(&t.provider) {
            deep_merge(&mut cfg, o);
        }
        if let Some(o) = p.target_overrides.get(&t.kind) {
            deep_merge(&mut cfg, o);
        }
        t.config = cfg;
        for policy in &p.identity_policies {
            if !t.identity_policies.contains(policy) {
                t.identity_policies.push(policy.clone());
            }
        }
    };
    for s in &mut sf.secrets {
        s.targets.iter_mut().for_each(apply);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sf() -> Secretfile {
        serde_json::from_value(json!({
            "environments": {"default": "dev", "profiles": {
                "dev": {"var_files": ["vars/dev.yml"]},
                "prod": {"var_files": ["vars/prod.yml"], "lockfile": "locks/prod.lock", "target_profile": "prod"}
            }},
            "target_profiles": {"prod": {
                "identity_policies": ["p1"],
                "provider_overrides": {"local": {"merge": false}},
                "target_overrides": {"file": {"path": ".env.prod", "nested": {"b": 2}}}
            }},
            "secrets": [{"name": "a", "kind": "uuid", "targets": [
                {"provider": "local", "kind": "file", "config": {"path": ".env", "nested": {"a": 1}}}
            ]}]
        }))
        .unwrap()
    }

    #[test]
    fn lanes_resolve_relative_to_the_secretfile() {
        let lane = select(&sf(), None, "").unwrap();
        assert_eq!(lane.selected.as_deref(), Some("dev"));
        assert_eq!(lane.var_files, vec!["vars/dev.yml"]);
        let lane = select(&sf(), Some("prod"), "app").unwrap();
        assert_eq!(lane.lockfile.as_deref(), Some("app/locks/prod.lock"));
        assert_eq!(lane.target_profile.as_deref(), Some("prod"));
        let e = select(&sf(), Some("prd"), "").unwrap_err();
        assert_eq!(e.code, ErrorCode::UnknownReference);
        assert!(e.hint.unwrap().contains("`prod`"));
        assert!(select(&Secretfile::default(), Some("x"), "").is_err());
        assert_eq!(
            select(&Secretfile::default(), None, "").unwrap(),
            Lane::default()
        );
    }

    #[test]
    fn target_profiles_deep_merge() {
        let mut s = sf();
        apply_target_profile(&mut s, "prod").unwrap();
        let t = &s.secrets[0].targets[0];
        assert_eq!(t.config["path"], ".env.prod");
        assert_eq!(t.config["merge"], false);
        assert_eq!(t.config["nested"], json!({"a": 1, "b": 2}));
        assert_eq!(t.identity_policies, vec!["p1"]);
    }
}
