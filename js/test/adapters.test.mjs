// The target adapter API end to end through syncProject / projectStatus, with a user-registered
// in-memory store (no network): access gate, stores, the second round after a failed store,
// dry-run, drift, and the registry shared by the ESM and CommonJS copies of the package.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { parseDotenv } from './dotenv.mjs';
import { spawnSync } from 'node:child_process';

import { cli, consumer, installed, loadCjs, loadEsm, root, tempDir } from './helpers.mjs';

const sha256 = (s) => createHash('sha256').update(s, 'utf8').digest('hex');

const SECRETFILE = `version: '1.0'
providers:
  mem:
    kind: memory
  flaky:
    kind: memory
    config:
      down: true
secrets:
  - name: db_password
    kind: random_password
    config: {length: 20}
    targets:
      - provider: mem
        kind: kv
        config: {name: app/db}
      - provider: local
        kind: file
        config: {path: .env}
  - name: api_key
    kind: random_string
    config: {length: 16}
    targets:
      - provider: flaky
        kind: kv
        config: {name: app/api}
      - provider: local
        kind: file
        config: {path: .env}
  - name: refused
    kind: random_string
    config: {length: 16}
    targets:
      - provider: local
        kind: file
        config: {path: .env}
      - provider: mem
        kind: kv
        config: {name: app/refuse}
  - name: local_only
    kind: random_string
    config: {length: 16}
    targets:
      - provider: local
        kind: file
        config: {path: .env}
  - name: vault_thing
    kind: random_string
    targets:
      - provider: vault
        kind: kv
        config: {path: secret/x}
`;

const dotenv = parseDotenv;

/** Equal secret values, without printing them when they differ. */
function same(a, b, what) {
  assert.ok(typeof a === 'string' && a === b, `${what}: values differ (not shown)`);
}

/** An in-memory store with a call log (never values in the log). */
function memoryAdapter() {
  const data = new Map();
  const log = [];
  return {
    data,
    log,
    adapter: {
      testConnection(target) {
        log.push(`test ${target.target_id}`);
        if (target.provider_config?.config?.down === true) throw new Error('connection refused by test');
      },
      async store(target, value, ctx) {
        log.push(`store ${target.target_id} ${ctx.secret}`);
        if (target.config.name === 'app/refuse') throw new Error('QuotaExceeded: no room left');
        data.set(target.config.name, value);
      },
      read(target) {
        log.push(`read ${target.target_id}`);
        return data.has(target.config.name) ? data.get(target.config.name) : null;
      },
    },
  };
}

describe('target adapter API (in-memory store)', () => {
  let api;
  let mem;
  before(async () => {
    api = await loadEsm();
    mem = memoryAdapter();
    api.registerAdapter('memory/kv', mem.adapter);
  });
  after(() => api.unregisterAdapter('memory/kv'));

  it('lists built-in and registered adapters; ESM and CommonJS share one registry', () => {
    const keys = api.listAdapters();
    assert.deepEqual(
      keys.map((k) => `${k.key}:${k.builtin}`),
      [
        'aws/secrets_manager:true',
        'aws/ssm_parameter:true',
        'local/file:true',
        'local/template:true',
        'memory/kv:false',
      ],
    );
    assert.equal(loadCjs().getAdapter('memory/kv'), mem.adapter);
    assert.throws(() => api.registerAdapter('nokind', mem.adapter), { code: 'USAGE' });
    assert.throws(() => api.registerAdapter('a/b', { store() {} }), { code: 'USAGE' });
  });

  it('syncProject: gate first, stores after target files, second round after a failed store', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'Secretfile.yml'), SECRETFILE);
    mem.log.length = 0;
    const r = await api.syncProject({ cwd: dir, env: {} });

    // The gate ran before any store, once per target with an adapter (none for vault).
    const firstStore = mem.log.findIndex((l) => l.startsWith('store'));
    assert.deepEqual(mem.log.slice(0, firstStore).sort(), [
      'test flaky/kv/app/api',
      'test mem/kv/app/db',
      'test mem/kv/app/refuse',
    ]);
    // api_key's target is unreachable: no value was generated, nothing stored for it.
    assert.deepEqual(r.report.synced_secrets, ['db_password', 'local_only']);
    assert.deepEqual(Object.keys(r.report.failed_secrets).sort(), ['api_key', 'refused', 'vault_thing']);
    assert.match(r.report.failed_secrets.api_key, /connection refused by test/);
    assert.match(r.report.failed_secrets.refused, /QuotaExceeded/);
    assert.match(r.report.failed_secrets.vault_thing, /no adapter/);
    assert.ok(!mem.log.some((l) => l.includes('app/api') && l.startsWith('store')));
    const apiDetail = r.report.sync_results.details.find((d) => d.name === 'api_key');
    assert.equal(apiDetail.generated, false);
    assert.equal(apiDetail.error_code, 'TARGET_UNREACHABLE');

    assert.deepEqual(
      r.stores.map((s) => `${s.secret} ${s.target_id} ${s.status}`),
      ['db_password mem/kv/app/db stored', 'refused mem/kv/app/refuse failed'],
    );
    assert.match(r.stores[1].message, /QuotaExceeded/);

    const env = dotenv(fs.readFileSync(path.join(dir, '.env'), 'utf8'));
    same(mem.data.get('app/db'), env.db_password, 'store vs .env');
    assert.equal(env.api_key, undefined);
    const lock = JSON.parse(fs.readFileSync(path.join(dir, '.gitsecrets.lock'), 'utf8'));
    assert.deepEqual(Object.keys(lock.secrets).sort(), ['db_password', 'local_only']);
    assert.deepEqual(lock.secrets.db_password.targets, {
      'mem/kv/app/db': sha256(env.db_password),
      'local/file/.env': sha256(env.db_password),
    });
    // The second round reused the first round's values: .env and the store agree with the lockfile.
    assert.equal(lock.secrets.local_only.hash, sha256(env.local_only));
    // No value in the report or the outcomes.
    const text = JSON.stringify([r.report, r.stores]);
    for (const v of Object.values(env)) assert.ok(!text.includes(v));

    // Rerun: nothing regenerated or stored again; the refused store is retried (and fails).
    mem.log.length = 0;
    const again = await api.syncProject({ cwd: dir, env: {} });
    assert.deepEqual(again.report.already_synced, ['db_password', 'local_only']);
    // Only the targets of secrets still to sync are tested again.
    assert.deepEqual(mem.log, [
      'test flaky/kv/app/api',
      'test mem/kv/app/refuse',
      'store mem/kv/app/refuse refused',
    ]);
    same(mem.data.get('app/db'), env.db_password, 'store after rerun');

    // Drift through the adapter's read.
    let st = await api.projectStatus({ cwd: dir, env: {} });
    const db = st.status.secrets.find((s) => s.name === 'db_password');
    assert.deepEqual(db.targets.map((t) => t.state), ['in_sync', 'in_sync']);
    mem.data.set('app/db', 'changed-by-hand');
    st = await api.projectStatus({ cwd: dir, env: {} });
    assert.equal(st.status.drifted, 1);
    mem.data.delete('app/db');
    st = await api.projectStatus({ cwd: dir, env: {} });
    assert.equal(st.status.missing, 1);
    assert.equal(st.status.drifted, 0);
  });

  it('dry-run: the gate runs, nothing is stored, each would-be store has its target id', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'Secretfile.yml'), SECRETFILE);
    mem.log.length = 0;
    mem.data.clear();
    const r = await api.syncProject({ cwd: dir, env: {}, dryRun: true });
    assert.ok(mem.log.every((l) => l.startsWith('test')), mem.log.join('\n'));
    assert.equal(mem.data.size, 0);
    assert.deepEqual(r.files, []);
    assert.deepEqual(r.stores, []);
    const db = r.report.sync_results.details.find((d) => d.name === 'db_password');
    assert.deepEqual(
      db.targets.map((t) => `${t.status} ${t.target_id}`),
      ['would_store mem/kv/app/db', 'would_store local/file/.env'],
    );
    assert.deepEqual(fs.readdirSync(dir), ['Secretfile.yml']);
  });

  it('syncWithAdapters (the browser way): writes returned, stores done through the adapter', async () => {
    mem.data.clear();
    const r = await api.syncWithAdapters({ text: SECRETFILE, files: { '.env': null }, env: {} });
    assert.deepEqual(r.report.synced_secrets, ['db_password', 'local_only']);
    assert.deepEqual(r.writes.map((w) => `${w.role} ${w.path}`), ['target .env', 'lockfile .gitsecrets.lock']);
    const env = dotenv(r.writes[0].contents);
    same(mem.data.get('app/db'), env.db_password, 'store vs .env write');
    assert.equal(env.refused, undefined, 'a failed secret is not in the final writes');
    assert.deepEqual(Object.keys(r.unreachable), ['flaky/kv/app/api']);
  });
});

describe('local/file and local/template adapters (whole files)', () => {
  it('test, store, read a file inside the project; refuse one outside', async () => {
    const api = await loadEsm();
    const dir = tempDir();
    const file = api.getAdapter('local/file');
    const target = (kind, config) => ({ target_id: `local/${kind}/x`, adapter: `local/${kind}`, provider: 'local', kind, config });
    const ctx = { env: {}, cwd: dir };
    await file.testConnection(target('file', { path: 'sub/.env' }), ctx);
    assert.equal(await file.read(target('file', {}), ctx), null);
    await file.store(target('file', { path: 'sub/.env' }), 'A=1\n', ctx);
    assert.equal(fs.readFileSync(path.join(dir, 'sub/.env'), 'utf8'), 'A=1\n');
    assert.equal(fs.statSync(path.join(dir, 'sub/.env')).mode & 0o777, 0o600);
    assert.equal(await file.read(target('file', { path: 'sub/.env' }), ctx), 'A=1\n');
    await assert.rejects(file.testConnection(target('file', { path: '../outside.env' }), ctx), {
      code: 'PATH_OUTSIDE_ROOT',
    });
    const tpl = api.getAdapter('local/template');
    await tpl.store(target('template', { template_path: 't.j2', output_path: 'out.txt' }), 'x', ctx);
    assert.equal(await tpl.read(target('template', { output_path: 'out.txt' }), ctx), 'x');
    await assert.rejects(async () => tpl.read(target('template', {}), ctx), { code: 'USAGE' });
  });
});

describe('secretzero status (CLI) on local files', () => {
  it('prints in_sync, then drifted after an edit, never a value', () => {
    const dir = tempDir();
    fs.writeFileSync(
      path.join(dir, 'Secretfile.yml'),
      `version: '1.0'\nsecrets:\n  - name: token\n    kind: random_string\n    targets:\n      - provider: local\n        kind: file\n        config: {path: .env}\n  - name: later\n    kind: random_string\n    targets: []\n`,
    );
    assert.equal(cli(['agent', 'sync'], { cwd: dir }).status, 0);
    let r = cli(['status', '--json'], { cwd: dir });
    assert.equal(r.status, 0, r.stderr);
    let doc = JSON.parse(r.stdout);
    assert.deepEqual(doc.secrets[0], {
      name: 'token',
      recorded: true,
      targets: [{ target_id: 'local/file/.env', state: 'in_sync' }],
    });
    const value = dotenv(fs.readFileSync(path.join(dir, '.env'), 'utf8')).token;
    fs.writeFileSync(path.join(dir, '.env'), 'token=edited\n');
    r = cli(['status', '--json'], { cwd: dir });
    doc = JSON.parse(r.stdout);
    assert.equal(doc.drifted, 1);
    r = cli(['status'], { cwd: dir });
    assert.equal(r.status, 0);
    assert.match(r.stdout, /drifted\s+local\/file\/\.env/);
    assert.ok(!r.stdout.includes(value) && !r.stdout.includes('edited'));
    assert.equal(cli(['status', '--bogus'], { cwd: dir }).status, 2);
  });
});

describe('examples/custom-adapter', () => {
  it('runs against the installed package: stores, then everything in sync; a rerun stores nothing', () => {
    // Inside target/consumer so that `@secretzero/agent` resolves to the installed package.
    const dir = fs.mkdtempSync(path.join(consumer, 'example-'));
    try {
      fs.cpSync(path.join(root, 'examples/custom-adapter'), dir, { recursive: true });
      const run = () => spawnSync(process.execPath, ['sync.mjs'], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
      let r = run();
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /status: complete; synced: database_password, session_secret/);
      assert.match(r.stdout, /stored database_password -> team\/kv\/app\/database_password/);
      assert.equal((r.stdout.match(/in_sync/g) ?? []).length, 3);
      const store = JSON.parse(fs.readFileSync(path.join(dir, '.teamstore/store.json'), 'utf8'));
      same(store['app/database_password'], dotenv(fs.readFileSync(path.join(dir, '.env'), 'utf8')).database_password, 'example store vs .env');
      r = run();
      assert.match(r.stdout, /synced: -/);
      assert.ok(!/stored/.test(r.stdout));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('AWS targets without the optional AWS SDK installed', () => {
  it('fail at the access gate with the npm install line; the other secrets sync', () => {
    const dir = tempDir();
    fs.cpSync(installed, path.join(dir, 'node_modules/@secretzero/agent'), { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'Secretfile.yml'),
      `providers:\n  aws: {kind: aws}\nsecrets:\n  - name: a\n    kind: random_string\n    targets:\n      - {provider: aws, kind: ssm_parameter, config: {name: /a}}\n  - name: b\n    kind: random_string\n    targets:\n      - {provider: local, kind: file, config: {path: .env}}\n`,
    );
    const r = spawnSync(
      process.execPath,
      ['-e', "require('@secretzero/agent').syncProject({ cwd: '.', env: {} }).then((r) => console.log(JSON.stringify(r.report)))"],
      { cwd: dir, encoding: 'utf8', timeout: 30_000 },
    );
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.deepEqual(report.synced_secrets, ['b']);
    assert.match(report.failed_secrets.a, /npm install @aws-sdk\/client-ssm/);
    assert.equal(report.sync_results.details.find((d) => d.name === 'a').error_code, 'TARGET_UNREACHABLE');
  });
});
