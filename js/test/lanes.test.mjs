// Environments, variable files and target profiles end to end through the installed CLI
// (the host reads the lane's var files in a second round): `-e`, `environments.default`,
// profile var_files then `-v` files (later wins), the profile lockfile, target profile
// overrides, an unknown lane, `-e` without `environments`. Each case checks the files written
// and the report's selected_environment / resolved_var_files / resolved_lockfile /
// resolved_target_profile against what spec §3.6 says; where the reference CLI is installed,
// the same run through it must write the same files (same values) and report the same fields.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';

import { cli, noOracle, oracleAsync, root, tempDir } from './helpers.mjs';

const FIXTURES = path.join(root, 'tests/fixtures');

/** A fresh copy of a fixture's inputs (its Secretfile, var files and input lockfiles). */
function project(fixture, extra = {}) {
  const dir = fs.realpathSync(tempDir('sz-lanes-'));
  fs.cpSync(path.join(FIXTURES, fixture), dir, {
    recursive: true,
    filter: (src) => !/[/\\](expected|oracle|setup|case\.json)$/.test(src),
  });
  for (const [f, text] of Object.entries(extra)) fs.writeFileSync(path.join(dir, f), text);
  return dir;
}

function files(dir) {
  const out = {};
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = fs.readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

/** Files created or changed by a run: `{path: text}`. */
function written(before, after) {
  return Object.fromEntries(Object.entries(after).filter(([f, t]) => before[f] !== t));
}

/** A dotenv or JSON target's values (the reference's dotenv quoting and ours both read). */
async function values(file, text) {
  if (file.endsWith('.json')) return JSON.parse(text);
  const { parse } = await import('dotenv');
  return parse(text);
}

/** The lockfile's `{secret: hash}` and `{secret: target ids}`. */
function lockSummary(text) {
  const lock = JSON.parse(text);
  return Object.fromEntries(
    Object.entries(lock.secrets).map(([name, s]) => [name, { hash: s.hash, targets: Object.keys(s.targets ?? {}).sort() }]),
  );
}

const LANE_KEYS = ['selected_environment', 'resolved_var_files', 'resolved_lockfile', 'resolved_target_profile'];

const CASES = [
  {
    name: '-e selects a lane: its var files, lockfile and target profile',
    fixture: 'env-select-lane',
    args: ['-e', 'prod'],
    lane: (d) => ({
      selected_environment: 'prod',
      resolved_var_files: [`${d}/lanes/common.yml`, `${d}/lanes/prod.szvar`],
      resolved_lockfile: `${d}/locks/prod.lock`,
      resolved_target_profile: 'prod_files',
    }),
    files: ['deploy/prod.env', 'locks/prod.lock'],
    target: 'deploy/prod.env',
    expect: { DB_URL: 'postgres://prod-db.internal/app_prod', FEATURE_CONFIG: 'base/3/common' },
    random: ['session_secret'],
  },
  {
    name: 'environments.default applies without -e',
    fixture: 'env-select-lane',
    args: [],
    lane: (d) => ({
      selected_environment: 'dev',
      resolved_var_files: [`${d}/lanes/dev.szvar`],
      resolved_lockfile: `${d}/locks/dev.lock`,
      resolved_target_profile: null,
    }),
    files: ['.env', 'locks/dev.lock'],
    target: '.env',
    expect: { DB_URL: 'postgres://dev-db.internal/app_dev', FEATURE_CONFIG: 'base/1/none' },
    random: ['session_secret'],
  },
  {
    name: 'a lane variable in a target path; the lane lockfile beside the Secretfile',
    fixture: 'env-default-lane',
    args: [],
    lane: (d) => ({
      selected_environment: 'dev',
      resolved_var_files: [`${d}/lanes/dev.szvar`],
      resolved_lockfile: `${d}/.gitsecrets.dev.lock`,
      resolved_target_profile: null,
    }),
    files: ['dev.env', '.gitsecrets.dev.lock'],
    target: 'dev.env',
    expect: { API_ENDPOINT: 'https://dev.api.example.test' },
  },
  {
    name: 'profile var files first, then -v files (the later file wins)',
    fixture: 'env-select-lane',
    args: ['-e', 'prod', '-v', 'cli.yml'],
    extra: { 'cli.yml': 'db_host: cli-db.internal\nfeature:\n  extra: from-cli\n' },
    lane: (d) => ({
      selected_environment: 'prod',
      resolved_var_files: [`${d}/lanes/common.yml`, `${d}/lanes/prod.szvar`, 'cli.yml'],
      resolved_lockfile: `${d}/locks/prod.lock`,
      resolved_target_profile: 'prod_files',
    }),
    files: ['deploy/prod.env', 'locks/prod.lock'],
    target: 'deploy/prod.env',
    expect: { DB_URL: 'postgres://cli-db.internal/app_prod', FEATURE_CONFIG: 'base/3/from-cli' },
    random: ['session_secret'],
  },
  {
    name: '-v files without environments (deep merge, later wins, reported as given)',
    fixture: 'env-cli-var-files',
    args: ['-v', 'vars.yml', '--var-file', 'override.szvar'],
    lane: (d) => ({
      selected_environment: null,
      resolved_var_files: ['vars.yml', 'override.szvar'],
      // Derived (no -l, no lane lockfile): reported relative, as the reference does.
      resolved_lockfile: '.gitsecrets.lock',
      resolved_target_profile: null,
    }),
    files: ['.env', '.gitsecrets.lock'],
    target: '.env',
    expect: { SERVICE_URL: 'https://billing.eu-west-1.example.test/gold', REGION: 'eu-west-1' },
  },
  {
    name: 'the profile lockfile is read (already synced) and written; no .gitsecrets.lock',
    fixture: 'env-profile-lockfile',
    args: ['--environment', 'staging'],
    lane: (d) => ({
      selected_environment: 'staging',
      resolved_var_files: [],
      resolved_lockfile: `${d}/locks/staging.lock`,
      resolved_target_profile: null,
    }),
    already: ['staging_db_password'],
    files: ['staging.env', 'locks/staging.lock'],
    target: 'staging.env',
    expect: { staging_api_key: 'staging-api-key-fixture', staging_db_password: 'previous-value-not-a-secret' },
  },
  {
    name: 'target profile overrides (provider, then target kind) are deep-merged into targets',
    fixture: 'env-target-profile',
    args: [],
    lane: (d) => ({
      selected_environment: 'ci',
      resolved_var_files: [],
      resolved_lockfile: '.gitsecrets.lock',
      resolved_target_profile: 'ci_json',
    }),
    files: ['ci/secrets.json', '.gitsecrets.lock'],
    target: 'ci/secrets.json',
    expect: { CI_TOKEN: 'ci-token-fixture', ci_flag: 'True' },
  },
];

describe('environments, var files and target profiles (CLI end to end)', { concurrency: true }, () => {
  for (const c of CASES) {
    test(c.name, async (t) => {
      const dir = project(c.fixture, c.extra);
      const before = files(dir);
      const r = cli(['agent', 'sync', '--json', ...c.args], { cwd: dir });
      assert.equal(r.status, 0, r.stderr + r.stdout);
      const report = JSON.parse(r.stdout);
      const lane = c.lane(dir);
      for (const k of LANE_KEYS) assert.deepEqual(report[k], lane[k], k);
      const ours = written(before, files(dir));
      assert.deepEqual(Object.keys(ours).sort(), [...c.files].sort(), 'files written');
      const got = await values(c.target, ours[c.target]);
      for (const [k, v] of Object.entries(c.expect)) assert.equal(got[k], v, k);
      assert.deepEqual(report.already_synced, c.already ?? []);
      assert.deepEqual(report.failed_secrets, {});

      if (noOracle) {
        t.diagnostic(`not compared with the reference CLI: ${noOracle}`);
        return;
      }
      // The same run through the reference CLI, in its own copy.
      const refDir = project(c.fixture, c.extra);
      const refBefore = files(refDir);
      const rr = await oracleAsync(['agent', 'sync', '--json', ...c.args], { cwd: refDir });
      assert.equal(rr.status, 0, rr.stderr);
      const ref = JSON.parse(rr.stdout);
      const refLane = c.lane(refDir);
      for (const k of LANE_KEYS) assert.deepEqual(ref[k], refLane[k], `reference ${k}`);
      for (const k of ['status', 'synced_secrets', 'already_synced', 'failed_secrets']) {
        assert.deepEqual(report[k], ref[k], k);
      }
      const theirs = written(refBefore, files(refDir));
      assert.deepEqual(Object.keys(ours).sort(), Object.keys(theirs).sort(), 'same files written');
      for (const f of c.files.filter((f) => !f.endsWith('.lock'))) {
        const a = await values(f, ours[f]);
        const b = await values(f, theirs[f]);
        assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort(), `${f}: keys`);
        for (const k of Object.keys(a)) {
          if (!(c.random ?? []).some((n) => k.toLowerCase() === n)) assert.equal(a[k], b[k], `${f}: ${k}`);
        }
      }
      // Lockfiles: the same secrets and target ids; the same hash for every fixed value.
      const lockFile = c.files.find((f) => f.endsWith('.lock'));
      const la = lockSummary(ours[lockFile]);
      const lb = lockSummary(theirs[lockFile]);
      assert.deepEqual(Object.keys(la), Object.keys(lb), 'lockfile secrets');
      for (const [name, s] of Object.entries(la)) {
        assert.deepEqual(s.targets, lb[name].targets, `${name}: target ids`);
        if (!(c.random ?? []).includes(name) && !(c.already ?? []).includes(name)) {
          assert.equal(s.hash, lb[name].hash, `${name}: hash`);
        }
      }
    });
  }

  for (const [name, fixture, args, pattern] of [
    ['an unknown lane is an error naming the known lanes', 'err-env-unknown-lane', ['-e', 'qa'], /qa[\s\S]*dev[\s\S]*prod/],
    ['-e without an environments map is an error', 'err-env-without-environments', ['-e', 'prod'], /environments/],
  ]) {
    test(name, async (t) => {
      const dir = project(fixture);
      const before = files(dir);
      const r = cli(['agent', 'sync', '--json', ...args], { cwd: dir });
      assert.equal(r.status, 1);
      const doc = JSON.parse(r.stdout);
      assert.match(JSON.stringify(doc), pattern);
      assert.deepEqual(files(dir), before, 'nothing written');
      const human = cli(['agent', 'sync', ...args], { cwd: dir });
      assert.equal(human.status, 1);
      assert.match(human.stderr, pattern);
      if (noOracle) {
        t.diagnostic(`not compared with the reference CLI: ${noOracle}`);
        return;
      }
      const refDir = project(fixture);
      const rr = await oracleAsync(['agent', 'sync', '--json', ...args], { cwd: refDir });
      assert.equal(rr.status, 1, 'the reference exits 1 too');
      assert.match(rr.stdout + rr.stderr, pattern);
    });
  }
});
