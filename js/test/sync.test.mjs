// End-to-end `agent sync` of a project directory, through the installed bin and syncProject():
// secret files 0600, a second run byte-identical, no generated value on stdout, stderr or in
// the report, dry-run writes nothing, symlinks out of the project are refused.
//

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';

import { tempDir, cli, loadEsm, noOracle, oracle, root, snapshot, tempProject } from './helpers.mjs';

const api = await loadEsm();

const mode = (p) => fs.statSync(p).mode & 0o777;

/** Values of a dotenv file (quoted values unescaped). */
function readDotenv(p) {
  const out = {};
  for (const line of fs.readFileSync(p, 'utf8').split('\n')) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) continue;
    let v = m[2];
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) {
      v = v.slice(1, -1).replace(/\\(.)/g, (_, c) => ({ n: '\n', r: '\r', t: '\t' })[c] ?? c);
    } else if (v.startsWith("'") && v.endsWith("'") && v.length >= 2) {
      v = v.slice(1, -1);
    }
    out[m[1]] = v;
  }
  return out;
}

/** The generated values of the quickstart, read back from the files the sync wrote. */
function generatedValues(dir) {
  const env = readDotenv(path.join(dir, '.env'));
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
  return {
    database_password: env.DATABASE_PASSWORD,
    session_secret: env.SESSION_SECRET,
    session_secret_json: json.session_secret,
    instance_id: json.instance_id,
  };
}

function assertNoValues(values, ...texts) {
  for (const [name, v] of Object.entries(values)) {
    assert.ok(typeof v === 'string' && v.length >= 16, `${name} was generated`);
    for (const t of texts) assert.ok(!t.includes(v), `the value of ${name} leaked`);
  }
}

describe('agent sync end to end', () => {
  test('CLI: generates, writes 0600 files and the lockfile, leaks nothing', () => {
    const dir = tempProject();
    const r = cli(['agent', 'sync', '--json'], { cwd: dir });
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    for (const s of ['database_password', 'session_secret', 'instance_id', 'app_name']) {
      assert.ok(report.synced_secrets.includes(s), `${s} synced`);
    }
    assert.deepEqual(Object.keys(report.pending_secrets), ['stripe_api_key', 'github_oauth_client_secret']);
    assert.deepEqual(report.failed_secrets, {});
    assert.equal(report.status, 'pending_manual');
    assert.equal(report.pending_secrets.stripe_api_key.automation_level, 'manual_only');
    assert.equal(report.pending_secrets.github_oauth_client_secret.automation_level, 'semi_automated');

    assert.equal(mode(path.join(dir, '.env')), 0o600);
    assert.equal(mode(path.join(dir, 'config.json')), 0o600);
    assert.ok(fs.existsSync(path.join(dir, '.gitsecrets.lock')));

    const values = generatedValues(dir);
    assert.equal(values.database_password.length, 32);
    assert.match(values.database_password, /^[A-Za-z0-9]+$/, 'special: false');
    assert.match(values.session_secret, /^[0-9a-f]{64}$/);
    assert.equal(values.session_secret_json, values.session_secret, 'one value, two targets');
    assert.match(values.instance_id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const lock = fs.readFileSync(path.join(dir, '.gitsecrets.lock'), 'utf8');
    assertNoValues(values, r.stdout, r.stderr, lock);

    // Human mode, second run: nothing changes, byte for byte; still no value printed.
    const before = snapshot(dir);
    const again = cli(['agent', 'sync'], { cwd: dir });
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual(snapshot(dir), before);
    assertNoValues(values, again.stdout, again.stderr);
    const third = JSON.parse(cli(['agent', 'sync', '--json'], { cwd: dir }).stdout);
    assert.deepEqual(third.synced_secrets, []);
    assert.ok(third.already_synced.includes('database_password'));
  });

  test('CLI --dry-run writes nothing', () => {
    const dir = tempProject();
    const before = snapshot(dir);
    const r = cli(['agent', 'sync', '--dry-run', '--json'], { cwd: dir });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).dry_run, true);
    assert.deepEqual(snapshot(dir), before);
    assert.equal(cli(['agent', 'sync', '--dry-run'], { cwd: dir }).status, 0);
    assert.deepEqual(snapshot(dir), before);
  });

  test('syncProject(): written files with modes, never contents; second run unchanged', async () => {
    const dir = tempProject();
    const first = await api.syncProject({ cwd: dir, env: {} });
    assert.ok(first.files.length >= 3);
    const roles = first.files.map((f) => f.role);
    assert.equal(roles.at(-1).endsWith('lockfile'), true, 'lockfile written last');
    assert.ok(roles.indexOf('lockfile') > roles.lastIndexOf('target'), 'targets before lockfiles');
    for (const f of first.files) {
      assert.ok(!('contents' in f), 'no contents in the result');
      assert.equal(f.action, 'created');
      if (f.secret) assert.equal(f.mode, 0o600, f.path);
    }
    assertNoValues(generatedValues(dir), JSON.stringify(first));
    const before = snapshot(dir);
    const second = await api.syncProject({ cwd: dir, env: {} });
    assert.ok(second.files.every((f) => f.action === 'unchanged'), JSON.stringify(second.files));
    assert.deepEqual(snapshot(dir), before);
  });

  test('an existing target keeps its mode and its other entries', () => {
    const dir = tempProject();
    fs.writeFileSync(path.join(dir, '.env'), 'KEEP_ME=1\n', { mode: 0o640 });
    fs.chmodSync(path.join(dir, '.env'), 0o640);
    assert.equal(cli(['agent', 'sync'], { cwd: dir }).status, 0);
    assert.equal(mode(path.join(dir, '.env')), 0o640);
    const env = readDotenv(path.join(dir, '.env'));
    assert.equal(env.KEEP_ME, '1');
    assert.equal(env.DATABASE_PASSWORD.length, 32);
  });

  test('UPPER_NAME supplies a pending secret; the value is checked and never printed', () => {
    const dir = tempProject();
    const key = 'sk_test_AbCdEf0123456789xyz';
    const r = cli(['agent', 'sync', '--json'], { cwd: dir, env: { STRIPE_API_KEY: key } });
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.ok(report.synced_secrets.includes('stripe_api_key'));
    assert.equal(readDotenv(path.join(dir, '.env')).STRIPE_API_KEY, key);
    assert.ok(!r.stdout.includes(key) && !r.stderr.includes(key));

    const dir2 = tempProject();
    const bad = 'not-a-stripe-key-0123456789';
    const r2 = cli(['agent', 'sync', '--json'], { cwd: dir2, env: { STRIPE_API_KEY: bad } });
    assert.equal(r2.status, 0);
    assert.ok('stripe_api_key' in JSON.parse(r2.stdout).failed_secrets);
    assert.ok(!r2.stdout.includes(bad) && !r2.stderr.includes(bad), 'the rejected value is not echoed');
  });

  test('SZ_AGENT turns pending secrets into failures; --fail-on picks the exit code', () => {
    const dir = tempProject();
    const r = cli(['agent', 'sync', '--json', '--dry-run'], { cwd: dir, env: { SZ_AGENT: '1' } });
    assert.equal(r.status, 0);
    const report = JSON.parse(r.stdout);
    assert.equal(report.sz_agent, true);
    assert.deepEqual(report.pending_secrets, {});
    assert.ok('stripe_api_key' in report.failed_secrets);
    assert.equal(cli(['agent', 'sync', '--dry-run', '--fail-on', 'pending'], { cwd: dir }).status, 3);
    assert.equal(cli(['agent', 'sync', '--dry-run', '--fail-on', 'failed'], { cwd: dir }).status, 0);
  });

  test('a target symlinked out of the project is refused; nothing is written', () => {
    const outside = tempDir('sz-outside-');
    const dir = tempProject();
    fs.symlinkSync(path.join(outside, 'stolen.env'), path.join(dir, '.env'));
    const before = snapshot(dir);
    const r = cli(['agent', 'sync', '--json'], { cwd: dir });
    assert.equal(r.status, 1);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.error.code, 'PATH_OUTSIDE_ROOT');
    assert.deepEqual(fs.readdirSync(outside), []);
    assert.deepEqual(snapshot(dir), before);
    assert.ok(fs.lstatSync(path.join(dir, '.env')).isSymbolicLink());
  });

  test('a symlink inside the project is followed and kept', () => {
    const dir = tempProject();
    fs.mkdirSync(path.join(dir, 'secrets'));
    fs.symlinkSync('secrets/real.env', path.join(dir, '.env'));
    const r = cli(['agent', 'sync'], { cwd: dir });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(fs.lstatSync(path.join(dir, '.env')).isSymbolicLink());
    assert.equal(mode(path.join(dir, 'secrets/real.env')), 0o600);
    assert.equal(readDotenv(path.join(dir, 'secrets/real.env')).DATABASE_PASSWORD.length, 32);
  });
});

// Compatibility with the reference CLI (Python secretzero 0.14.23), when it is installed
// (`make setup` runs ../shared/oracle/setup.sh when that exists).
const RUN_SH = path.resolve(root, '../shared/oracle/run.sh');

/** The reference's `agent sync --json` on a throwaway copy of `dir` (run.sh): writes nothing here. */
function oracleOnCopy(dir, ...args) {
  const r = spawnSync(RUN_SH, [path.join(dir, 'Secretfile.yml'), ...args], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/** The reference's `agent sync --json` in `dir` itself (it writes there). */
function oracleIn(dir, env = {}) {
  const r = oracle(['agent', 'sync', '--json'], { cwd: dir, env });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

// Fixed values (a static default and a value supplied through UPPER_NAME, which both
// implementations use for a random_password) so that both lockfiles can be compared hash by
// hash, plus a random secret and a pending one; dotenv, JSON and YAML targets. (No TOML target:
// the reference needs tomli-w for it, which its venv does not have.)
const INTEROP = `secrets:
  - name: app_name
    kind: static
    config: {default: interop-app}
    targets:
      - {provider: local, kind: file, config: {path: .env, key: APP_NAME}}
      - {provider: local, kind: file, config: {path: config.json, format: json}}
  - name: db_password
    kind: random_password
    config: {length: 24}
    targets:
      - {provider: local, kind: file, config: {path: .env, key: DB_PASSWORD}}
      - {provider: local, kind: file, config: {path: settings.yaml, format: yaml}}
  - name: session_key
    kind: random_string
    config: {length: 40}
    targets:
      - {provider: local, kind: file, config: {path: .env}}
  - name: vendor_key
    kind: static
    config: {}
    agent_instructions:
      summary: Ask the vendor for the key
      steps: [{action: Email the vendor, description: They answer within a day}]
    targets:
      - {provider: local, kind: file, config: {path: .env, key: VENDOR_KEY}}
`;
const INTEROP_ENV = { DB_PASSWORD: 'env supplied pw #1 "quoted"' };
const AUTOMATIC = ['app_name', 'db_password', 'session_key'];

function interopProject() {
  const dir = tempDir('sz-interop-');
  fs.writeFileSync(path.join(dir, 'Secretfile.yml'), INTEROP);
  return dir;
}

const lockOf = (dir) => JSON.parse(fs.readFileSync(path.join(dir, '.gitsecrets.lock'), 'utf8'));
const sha256 = (s) => createHash('sha256').update(s, 'utf8').digest('hex');

describe('compatibility with the reference CLI', { skip: noOracle }, () => {
  test('--json --dry-run on the quickstart: same keys, lists and instructions', () => {
    const dir = tempProject();
    const ref = oracleOnCopy(dir, '--dry-run');
    const ours = JSON.parse(cli(['agent', 'sync', '--json', '--dry-run'], { cwd: dir }).stdout);
    assert.deepEqual(Object.keys(ours), [...Object.keys(ref), 'warnings']);
    for (const k of ['status', 'synced_secrets', 'already_synced', 'failed_secrets', 'dry_run', 'sz_agent', 'resolved_mode', 'selected_environment', 'resolved_var_files', 'resolved_target_profile']) {
      assert.deepEqual(ours[k], ref[k], k);
    }
    assert.deepEqual(Object.keys(ours.pending_secrets), Object.keys(ref.pending_secrets));
    for (const [name, p] of Object.entries(ours.pending_secrets)) {
      const { automation_level, ...rest } = p;
      assert.equal(typeof automation_level, 'string');
      assert.deepEqual(rest, ref.pending_secrets[name], name);
    }
    const { by_level, ...summary } = ours.automation_summary;
    assert.deepEqual(summary, ref.automation_summary);
  });

  test('after our sync the reference finds every secret already synced (quickstart)', () => {
    const dir = tempProject();
    assert.equal(cli(['agent', 'sync'], { cwd: dir }).status, 0);
    const ref = oracleOnCopy(dir);
    assert.deepEqual(ref.synced_secrets, []);
    assert.deepEqual(ref.already_synced, ['database_password', 'session_secret', 'instance_id', 'app_name']);
  });

  test('our lockfile -> the reference: every synced secret is already synced, files kept', () => {
    const dir = interopProject();
    const r = cli(['agent', 'sync', '--json'], { cwd: dir, env: INTEROP_ENV });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).synced_secrets, AUTOMATIC);
    const targets = ['.env', 'config.json', 'settings.yaml'].map((f) => fs.readFileSync(path.join(dir, f), 'utf8'));
    const ref = oracleIn(dir, INTEROP_ENV);
    assert.deepEqual(ref.synced_secrets, []);
    assert.deepEqual(ref.already_synced, AUTOMATIC);
    assert.deepEqual(Object.keys(ref.pending_secrets), ['vendor_key']);
    assert.deepEqual(ref.failed_secrets, {});
    assert.equal(ref.sync_results.refresh?.mismatch_targets ?? 0, 0, 'no target of ours is stale to the reference');
    assert.deepEqual(
      ['.env', 'config.json', 'settings.yaml'].map((f) => fs.readFileSync(path.join(dir, f), 'utf8')),
      targets,
      'the reference regenerated nothing',
    );
  });

  test("the reference's lockfile -> ours: every synced secret is already synced, nothing written", () => {
    const dir = interopProject();
    const ref = oracleIn(dir, INTEROP_ENV);
    assert.deepEqual(ref.synced_secrets, AUTOMATIC);
    const before = snapshot(dir);
    const r = cli(['agent', 'sync', '--json'], { cwd: dir, env: INTEROP_ENV });
    assert.equal(r.status, 0, r.stderr);
    const ours = JSON.parse(r.stdout);
    assert.deepEqual(ours.synced_secrets, []);
    assert.deepEqual(ours.already_synced, AUTOMATIC);
    assert.deepEqual(Object.keys(ours.pending_secrets), ['vendor_key']);
    assert.equal(ours.sync_results.refresh?.mismatch_targets ?? 0, 0, 'no target of the reference is stale to us');
    assert.deepEqual(snapshot(dir), before, 'our run changed no file (lockfile included)');
  });

  test('the same values give the same hashes and target ids in both lockfiles', () => {
    const ours = interopProject();
    const theirs = interopProject();
    assert.equal(cli(['agent', 'sync'], { cwd: ours, env: INTEROP_ENV }).status, 0);
    oracleIn(theirs, INTEROP_ENV);
    const a = lockOf(ours).secrets;
    const b = lockOf(theirs).secrets;
    assert.deepEqual(Object.keys(a), AUTOMATIC);
    assert.deepEqual(Object.keys(b), AUTOMATIC);
    for (const name of ['app_name', 'db_password']) {
      assert.equal(a[name].hash, b[name].hash, `${name}: hash`);
      assert.deepEqual(a[name].targets, b[name].targets, `${name}: targets and their hashes`);
      assert.equal(a[name].definition_hash, b[name].definition_hash, `${name}: definition_hash`);
    }
    assert.equal(a.app_name.hash, sha256('interop-app'));
    assert.equal(a.db_password.hash, sha256(INTEROP_ENV.DB_PASSWORD));
    // The random secret: different values, but each lockfile hashes the value in its target.
    assert.deepEqual(Object.keys(a.session_key.targets), Object.keys(b.session_key.targets));
    for (const [dir, lock] of [[ours, a], [theirs, b]]) {
      const line = fs.readFileSync(path.join(dir, '.env'), 'utf8').split('\n').find((l) => l.startsWith('session_key='));
      const value = line.slice('session_key='.length).replace(/^"(.*)"$/, '$1');
      assert.equal(lock.session_key.hash, sha256(value));
    }
  });
});
