//! End-to-end planner tests on the public API: Secretfile + lockfile + files in, report +
//! writes out.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;

use secretzero_agent::random::RandomSource;
use secretzero_agent::sync::{
    FileWrite, SyncRequest, SyncResponse, WriteRole, sync, sync_with_rng,
};
use secretzero_agent::{Diagnostic, ErrorCode};

/// A deterministic source for tests (xorshift; not cryptographic).
struct TestRng(u64);

impl RandomSource for TestRng {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), Diagnostic> {
        for b in buf {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            *b = (self.0 >> 24) as u8;
        }
        Ok(())
    }
}

const QUICK: &str = r#"
variables:
  env: dev
secrets:
  - name: database_password
    kind: random_password
    config: {length: 24}
    targets:
      - {provider: local, kind: file, config: {path: .env}}
  - name: api_id
    kind: uuid
    targets:
      - {provider: local, kind: file, config: {path: .env}}
  - name: region
    kind: static
    config: {default: "eu-{{ var.env }}"}
    targets:
      - {provider: local, kind: file, config: {path: config.json, format: json}}
  - name: stripe_api_key
    kind: static
    config: {}
    agent_instructions:
      summary: "Get {{ secret_name }} for {{ target.path }}"
      steps:
        - {action: "Visit https://dashboard.stripe.com", description: "Log in"}
      automation_hint: "Manual only"
    targets:
      - {provider: local, kind: file, config: {path: .env}}
  - name: oauth
    kind: provider_backed
"#;

fn request(text: &str) -> SyncRequest {
    SyncRequest {
        text: text.to_string(),
        secretfile_path: "Secretfile.yml".into(),
        now: "2026-11-28T15:00:00.000Z".into(),
        refresh: true,
        ..SyncRequest::default()
    }
}

fn with_files(mut req: SyncRequest, files: &[(&str, Option<&str>)]) -> SyncRequest {
    req.files = files
        .iter()
        .map(|(p, c)| (p.to_string(), c.map(str::to_string)))
        .collect();
    req
}

fn write<'a>(resp: &'a SyncResponse, path: &str) -> &'a FileWrite {
    resp.writes
        .iter()
        .find(|w| w.path == path)
        .unwrap_or_else(|| panic!("no write to {path}: {:?}", resp.writes))
}

fn dotenv_value(text: &str, key: &str) -> String {
    secretzero_agent::targets::dotenv::lookup(text, key).unwrap()
}

fn first_sync() -> (SyncRequest, SyncResponse) {
    let req = with_files(request(QUICK), &[(".env", None), ("config.json", None)]);
    let resp = sync_with_rng(&req, &mut TestRng(42)).unwrap();
    (req, resp)
}

#[test]
fn first_sync_generates_writes_and_reports() {
    let (_, resp) = first_sync();
    let r = &resp.report;
    assert_eq!(
        r.synced_secrets,
        vec!["database_password", "api_id", "region"]
    );
    assert_eq!(
        r.pending_secrets.keys().collect::<Vec<_>>(),
        vec!["stripe_api_key"]
    );
    assert_eq!(
        r.pending_secrets["stripe_api_key"].instructions.summary,
        "Get stripe_api_key for .env"
    );
    assert_eq!(r.failed_secrets.keys().collect::<Vec<_>>(), vec!["oauth"]);
    assert_eq!(r.status.as_str(), "partial");
    assert_eq!(r.resolved_lockfile, ".gitsecrets.lock");
    // Targets first, lockfile last; secret files flagged.
    let roles: Vec<_> = resp
        .writes
        .iter()
        .map(|w| (w.path.as_str(), w.role, w.secret))
        .collect();
    assert_eq!(
        roles,
        vec![
            (".env", WriteRole::Target, true),
            ("config.json", WriteRole::Target, true),
            (".gitsecrets.lock", WriteRole::Lockfile, false)
        ]
    );
    let env = write(&resp, ".env").contents.clone().unwrap();
    let pw = dotenv_value(&env, "database_password");
    assert_eq!(pw.chars().count(), 24);
    let id = dotenv_value(&env, "api_id");
    assert_eq!(id.len(), 36);
    assert_eq!(&id[14..15], "4");
    assert_eq!(
        write(&resp, "config.json").contents.as_deref(),
        Some("{\n  \"region\": \"eu-dev\"\n}")
    );
    // The lockfile holds hashes of exactly those values.
    let lock = secretzero_agent::lockfile::Lockfile::parse(
        write(&resp, ".gitsecrets.lock")
            .contents
            .as_deref()
            .unwrap(),
    )
    .unwrap();
    let h = |v: &str| secretzero_agent::lockfile::hash_value(v);
    assert_eq!(lock.entry("database_password").unwrap().hash, h(&pw));
    assert_eq!(
        lock.entry("api_id").unwrap().targets["local/file/.env"],
        h(&id)
    );
    assert_eq!(lock.entry("region").unwrap().hash, h("eu-dev"));
    assert!(lock.entry("stripe_api_key").is_none());
    // No value in the report, JSON or text.
    let json = secretzero_agent::pyjson::dumps_pretty(&resp.report);
    let text = secretzero_agent::human::render(&resp.report, &Default::default());
    for v in [&pw, &id] {
        assert!(!json.contains(v.as_str()) && !text.contains(v.as_str()));
        assert!(!format!("{resp:?}").contains(v.as_str()));
    }
}

#[test]
fn second_sync_writes_nothing() {
    let (req, resp) = first_sync();
    let mut files = BTreeMap::new();
    for w in &resp.writes {
        files.insert(w.path.clone(), w.contents.clone());
    }
    let mut again = req.clone();
    again.lockfile = files.remove(".gitsecrets.lock").flatten();
    again.files = files;
    let resp2 = sync_with_rng(&again, &mut TestRng(7)).unwrap();
    assert!(resp2.writes.is_empty(), "{:?}", resp2.writes);
    assert_eq!(
        resp2.report.already_synced,
        vec!["database_password", "api_id", "region"]
    );
    assert!(resp2.report.synced_secrets.is_empty());
}

#[test]
fn dry_run_reports_the_same_and_writes_nothing() {
    let mut req = with_files(request(QUICK), &[(".env", None), ("config.json", None)]);
    req.dry_run = true;
    let resp = sync(&req).unwrap();
    assert!(resp.writes.is_empty());
    assert!(resp.report.dry_run);
    assert_eq!(
        resp.report.synced_secrets,
        vec!["database_password", "api_id", "region"]
    );
}

#[test]
fn environment_supplies_pending_values_checked_against_validation() {
    let text = "secrets:\n  - name: stripe_key\n    kind: static\n    config: {validation: '^sk_'}\n    agent_instructions: {summary: s, steps: []}\n    targets: [{provider: local, kind: file}]\n";
    let mut req = with_files(request(text), &[(".env", Some("# keep me\nOTHER=1\n"))]);
    req.env.insert("STRIPE_KEY".into(), "sk_test_abc".into());
    let resp = sync(&req).unwrap();
    assert_eq!(resp.report.synced_secrets, vec!["stripe_key"]);
    assert_eq!(
        write(&resp, ".env").contents.as_deref(),
        Some("# keep me\nOTHER=1\nstripe_key=sk_test_abc\n")
    );
    req.env.insert("STRIPE_KEY".into(), "nope-value".into());
    let resp = sync(&req).unwrap();
    let why = &resp.report.failed_secrets["stripe_key"];
    assert!(!why.contains("nope-value"), "{why}");
    assert!(resp.writes.is_empty());
}

#[test]
fn an_existing_value_in_a_target_is_adopted_not_regenerated() {
    let text = "secrets:\n  - name: db_password\n    kind: random_password\n    targets: [{provider: local, kind: file}]\n";
    let req = with_files(
        request(text),
        &[(".env", Some("db_password=kept-from-before\n"))],
    );
    let resp = sync(&req).unwrap();
    assert_eq!(resp.report.synced_secrets, vec!["db_password"]);
    let lock = write(&resp, ".gitsecrets.lock").contents.clone().unwrap();
    assert!(lock.contains(&secretzero_agent::lockfile::hash_value("kept-from-before")));
    assert_eq!(
        write(&resp, ".env").contents.as_deref(),
        Some("db_password=kept-from-before\n")
    );
}

#[test]
fn one_bad_target_fails_only_its_secret() {
    let text = "secrets:\n  - name: good\n    kind: uuid\n    targets: [{provider: local, kind: file}]\n  - name: aws\n    kind: uuid\n    targets: [{provider: aws, kind: ssm_parameter, config: {name: /x}}]\n  - name: outside\n    kind: uuid\n    targets: [{provider: local, kind: file, config: {path: ../x.env}}]\n  - name: broken_json\n    kind: uuid\n    targets: [{provider: local, kind: file, config: {path: c.json, format: json}}]\n";
    let req = with_files(
        request(text),
        &[(".env", None), ("c.json", Some("{not json"))],
    );
    let resp = sync(&req).unwrap();
    assert_eq!(resp.report.synced_secrets, vec!["good"]);
    assert_eq!(
        resp.report.failed_secrets.keys().collect::<Vec<_>>(),
        vec!["aws", "outside", "broken_json"]
    );
    assert!(resp.writes.iter().all(|w| w.path != "c.json"));
    let lock = write(&resp, ".gitsecrets.lock").contents.clone().unwrap();
    assert!(
        lock.contains("\"good\"") && !lock.contains("\"aws\"") && !lock.contains("broken_json")
    );
}

#[test]
fn unread_target_files_are_refused_not_overwritten() {
    let text =
        "secrets:\n  - name: a\n    kind: uuid\n    targets: [{provider: local, kind: file}]\n";
    let resp = sync(&request(text)).unwrap();
    assert!(resp.report.failed_secrets["a"].contains("not read"));
    assert!(resp.writes.is_empty());
}

#[test]
fn sz_agent_turns_pending_into_failed() {
    let mut req = with_files(request(QUICK), &[(".env", None), ("config.json", None)]);
    req.env.insert("SZ_AGENT".into(), "true".into());
    let resp = sync(&req).unwrap();
    assert!(resp.report.sz_agent);
    assert!(resp.report.pending_secrets.is_empty());
    let keys: Vec<_> = resp.report.failed_secrets.keys().collect();
    assert_eq!(keys, vec!["oauth", "stripe_api_key"]);
}

#[test]
fn invalid_secretfile_and_lockfile_are_errors() {
    let e = sync(&request("secrets:\n  - name: a\n")).unwrap_err();
    assert_eq!(e.code, ErrorCode::MissingField);
    let mut req = request("secrets: []\n");
    req.lockfile = Some("{broken".into());
    let e = sync(&req).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidLockfile);
}

#[test]
fn map_values_store_their_token_field_like_the_reference() {
    let text = "secrets:\n  - name: gh\n    kind: static\n    config: {default: {token: tok-123, user: bot}}\n    targets:\n      - {provider: local, kind: file}\n      - {provider: local, kind: file, config: {path: all.env, value_field: ''}}\n";
    let req = with_files(request(text), &[(".env", None), ("all.env", None)]);
    let resp = sync(&req).unwrap();
    assert_eq!(
        write(&resp, ".env").contents.as_deref(),
        Some("gh=tok-123\n")
    );
    assert_eq!(
        dotenv_value(write(&resp, "all.env").contents.as_deref().unwrap(), "gh"),
        r#"{"token":"tok-123","user":"bot"}"#
    );
}

#[test]
fn template_targets_render_after_every_secret_and_not_under_dry_run() {
    let text = "secrets:\n  - name: db_user\n    kind: static\n    config: {default: app}\n    targets: [{provider: local, kind: template, config: {template_path: tpl/app.conf.j2, output_path: out/app.conf}}]\n  - name: db_password\n    kind: random_password\n    config: {length: 12, special: false}\n    targets: [{provider: local, kind: template, config: {template_path: tpl/app.conf.j2, output_path: out/app.conf}}]\n";
    let tpl = "user={{ db_user }}\npass={{ secrets.db_password }}\nmissing=[{{ nope }}]\n";
    let req = with_files(request(text), &[("tpl/app.conf.j2", Some(tpl))]);
    let files = secretzero_agent::sync::target_files(&req).unwrap();
    assert_eq!(files.files, vec!["tpl/app.conf.j2"]);
    let resp = sync(&req).unwrap();
    assert_eq!(resp.report.synced_secrets, vec!["db_user", "db_password"]);
    let out = write(&resp, "out/app.conf");
    assert_eq!(out.role, WriteRole::Template);
    let body = out.contents.as_deref().unwrap();
    assert!(
        body.starts_with("user=app\npass=") && body.ends_with("\nmissing=[]\n"),
        "{}",
        body.len()
    );
    let mut dry = req.clone();
    dry.dry_run = true;
    assert!(sync(&dry).unwrap().writes.is_empty());
    // A missing template fails the secrets that feed it, nothing else.
    let req = with_files(request(text), &[("tpl/app.conf.j2", None)]);
    let resp = sync(&req).unwrap();
    assert!(resp.report.failed_secrets["db_user"].contains("does not exist"));
    assert!(resp.writes.is_empty());
}

#[test]
fn scripts_run_only_when_allowed_and_needed() {
    let text = "secrets:\n  - name: token\n    kind: script\n    config: {command: echo, args: [hi, 2]}\n    targets: [{provider: local, kind: file}]\n";
    let mut req = with_files(request(text), &[(".env", None)]);
    assert!(
        secretzero_agent::sync::plan_scripts(&req)
            .unwrap()
            .scripts
            .is_empty()
    );
    let resp = sync(&req).unwrap();
    let p = &resp.report.pending_secrets["token"].instructions;
    assert_eq!(p.steps[0].action, "echo hi 2");
    assert_eq!(
        p.automation_level,
        Some(secretzero_agent::AutomationLevel::RequiresApproval)
    );
    req.allow_scripts = true;
    let plan = secretzero_agent::sync::plan_scripts(&req).unwrap();
    assert_eq!(plan.scripts.len(), 1);
    assert_eq!(
        (
            plan.scripts[0].command.as_str(),
            plan.scripts[0].args.clone()
        ),
        ("echo", vec!["hi".to_string(), "2".to_string()])
    );
    req.script_outputs.insert("token".into(), "hi 2".into());
    let resp = sync(&req).unwrap();
    assert_eq!(resp.report.synced_secrets, vec!["token"]);
    assert_eq!(
        write(&resp, ".env").contents.as_deref(),
        Some("token='hi 2'\n")
    );
    req.dry_run = true;
    assert!(
        secretzero_agent::sync::plan_scripts(&req)
            .unwrap()
            .scripts
            .is_empty()
    );
}

const STORES: &str = "providers:\n  aws:\n    kind: aws\n    config: {region: eu-west-1}\nsecrets:\n  - name: db_password\n    kind: random_password\n    config: {length: 20}\n    targets:\n      - {provider: local, kind: file}\n      - {provider: aws, kind: ssm_parameter, config: {name: /app/db_password}}\n  - name: api_token\n    kind: random_string\n    targets:\n      - {provider: aws, kind: secrets_manager, config: {name: app/api_token}}\n  - name: vault_only\n    kind: uuid\n    targets:\n      - {provider: vault, kind: kv, config: {path: secret/app}}\n";

#[test]
fn shared_stores_are_planned_for_the_host_and_gated() {
    let mut req = with_files(request(STORES), &[(".env", None)]);
    let files = secretzero_agent::sync::target_files(&req).unwrap();
    let ids: Vec<_> = files
        .stores
        .iter()
        .map(|s| (s.target_id.as_str(), s.adapter.as_str()))
        .collect();
    assert_eq!(
        ids,
        vec![
            ("aws/ssm_parameter//app/db_password", "aws/ssm_parameter"),
            ("aws/secrets_manager/app/api_token", "aws/secrets_manager"),
            ("vault/kv/secret/app", "vault/kv")
        ]
    );
    req.adapters = vec!["aws/ssm_parameter".into(), "aws/secrets_manager".into()];
    req.unreachable.insert(
        "aws/secrets_manager/app/api_token".into(),
        "connection refused".into(),
    );
    let resp = sync(&req).unwrap();
    assert_eq!(resp.report.synced_secrets, vec!["db_password"]);
    assert!(resp.report.failed_secrets["api_token"].contains("connection refused"));
    assert!(resp.report.failed_secrets["vault_only"].contains("no adapter"));
    assert_eq!(resp.stores.len(), 1);
    let st = &resp.stores[0];
    assert_eq!(st.target.target_id, "aws/ssm_parameter//app/db_password");
    assert_eq!(st.target.config["name"], "/app/db_password");
    assert_eq!(st.value.len(), 20);
    assert!(!format!("{st:?}").contains(&st.value));
    let env = write(&resp, ".env").contents.clone().unwrap();
    assert_eq!(dotenv_value(&env, "db_password"), st.value);
    assert_eq!(resp.produced["db_password"], st.value);
    let lock = write(&resp, ".gitsecrets.lock").contents.clone().unwrap();
    assert!(lock.contains("aws/ssm_parameter//app/db_password"));

    // The store failed: a second round fails the secret without regenerating anything.
    let mut again = req.clone();
    again
        .store_failures
        .insert(st.target.target_id.clone(), "AccessDenied".into());
    again.values = resp.produced.clone().into_iter().collect();
    let resp2 = sync(&again).unwrap();
    assert!(resp2.report.failed_secrets["db_password"].contains("AccessDenied"));
    assert!(resp2.stores.is_empty());
    assert!(resp2.writes.iter().all(|w| w.path != ".gitsecrets.lock"
        || !w.contents.as_deref().unwrap_or("").contains("db_password")));
    // Dry-run plans no stores.
    let mut dry = req.clone();
    dry.dry_run = true;
    assert!(sync(&dry).unwrap().stores.is_empty());
}

#[test]
fn status_reports_drift_without_values() {
    use secretzero_agent::status::{StatusRequest, TargetState, status};
    let mut req = with_files(request(STORES), &[(".env", None)]);
    req.adapters = vec!["aws/ssm_parameter".into(), "aws/secrets_manager".into()];
    let resp = sync(&req).unwrap();
    let lock = write(&resp, ".gitsecrets.lock").contents.clone();
    let env = write(&resp, ".env").contents.clone().unwrap();
    let stored: BTreeMap<String, Option<String>> = resp
        .stores
        .iter()
        .map(|s| (s.target.target_id.clone(), Some(s.value.clone())))
        .collect();
    let mut sreq = StatusRequest {
        sync: req.clone(),
        store_values: stored.clone(),
    };
    sreq.sync.lockfile = lock.clone();
    sreq.sync.files.insert(".env".into(), Some(env.clone()));
    let r = status(&sreq).unwrap();
    assert_eq!(
        (r.drifted, r.missing, r.unknown, r.not_synced),
        (0, 0, 0, 1)
    );
    let db = r.secrets.iter().find(|s| s.name == "db_password").unwrap();
    assert!(
        db.targets.iter().all(|t| t.state == TargetState::InSync),
        "{db:?}"
    );
    // Someone edits .env and deletes the store entry.
    sreq.sync
        .files
        .insert(".env".into(), Some("db_password=changed\n".into()));
    for v in sreq.store_values.values_mut() {
        *v = None;
    }
    let r = status(&sreq).unwrap();
    assert_eq!((r.drifted, r.missing), (1, 2));
    let text = serde_json::to_string(&r).unwrap();
    for s in &resp.stores {
        assert!(!text.contains(&s.value));
    }
}

#[test]
fn store_debug_output_never_shows_credentials_or_values() {
    let text = "providers:\n  aws:\n    kind: aws\n    auth:\n      kind: static\n      config: {secret_access_key: '${AWS_SECRET}'}\nsecrets:\n  - name: t\n    kind: random_string\n    targets:\n      - {provider: aws, kind: ssm_parameter, config: {name: /t}}\n";
    let mut req = request(text);
    req.env.insert(
        "AWS_SECRET".into(),
        "wJalrXUtnFEMI-example-credential".into(),
    );
    req.adapters = vec!["aws/ssm_parameter".into()];
    let files = secretzero_agent::sync::target_files(&req).unwrap();
    let resp = sync(&req).unwrap();
    let debug = format!("{files:?} {resp:?} {req:?}");
    assert!(
        !debug.contains("wJalrXUtnFEMI"),
        "credentials in Debug output"
    );
    assert!(!debug.contains(&resp.stores[0].value));
}
