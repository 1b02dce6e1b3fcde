// Concurrent syncs of one project: the project lock (`.gitsecrets.lock.lock`, see
// js/src/lock.ts) makes the second sync wait for the first and then read what it wrote, so
// every secret is generated once and every file is consistent; a sync that cannot get the
// lock in time fails with LOCKED naming the holder; stale locks (dead process, too old) are
// broken; dry runs take no lock.
//
// SECRETZERO_CONCURRENCY_ROUNDS (default 12) sets the rounds of the two-process test.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';

import { bin, loadEsm, tempDir } from './helpers.mjs';

const ROUNDS = Number(process.env.SECRETZERO_CONCURRENCY_ROUNDS ?? 12);
const api = await loadEsm();

const SECRETFILE = `secrets:
  - name: db_password
    kind: random_password
    config: {length: 24, special: false}
    targets:
      - {provider: local, kind: file, config: {path: .env}}
      - {provider: local, kind: file, config: {path: app.json, format: json}}
  - name: api_token
    kind: random_string
    config: {length: 40}
    targets: [{provider: local, kind: file, config: {path: .env}}]
  - name: instance_id
    kind: uuid
    targets: [{provider: local, kind: file, config: {path: app.json, format: json}}]
`;
const NAMES = ['db_password', 'api_token', 'instance_id'];
const sha256 = (s) => createHash('sha256').update(s, 'utf8').digest('hex');

function project() {
  const dir = tempDir('sz-conc-');
  fs.writeFileSync(path.join(dir, 'Secretfile.yml'), SECRETFILE);
  return dir;
}

function values(dir) {
  const env = {};
  for (const line of fs.readFileSync(path.join(dir, '.env'), 'utf8').split('\n')) {
    const m = /^([a-z_]+)="?([^"]*)"?$/.exec(line);
    if (m) env[m[1]] = m[2];
  }
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'app.json'), 'utf8'));
  return { env, json };
}

/** Every secret has one value, the same in all its targets, and the lockfile's hash of it. */
function assertConsistent(dir, label) {
  const { env, json } = values(dir);
  assert.equal(env.db_password, json.db_password, `${label}: db_password differs between targets`);
  const lock = JSON.parse(fs.readFileSync(path.join(dir, '.gitsecrets.lock'), 'utf8'));
  const v = { db_password: env.db_password, api_token: env.api_token, instance_id: json.instance_id };
  for (const n of NAMES) {
    assert.ok(v[n], `${label}: ${n} missing`);
    assert.equal(lock.secrets[n].hash, sha256(v[n]), `${label}: lockfile hash of ${n}`);
  }
  assert.ok(!fs.existsSync(path.join(dir, '.gitsecrets.lock.lock')), `${label}: the lock was not released`);
  return v;
}

function runCli(cwd, args, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, {
      cwd,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr, pid: child.pid }));
  });
}

const HOLD = { SECRETZERO_TEST_HOOKS: '1', SECRETZERO_TEST_PAUSE_BETWEEN_WRITES_MS: '40' };

describe('concurrent syncs', () => {
  test(`two processes, ${ROUNDS} rounds: each secret generated once, files consistent`, { timeout: 300_000 }, async () => {
    const started = Date.now();
    for (let r = 0; r < ROUNDS; r++) {
      const dir = project();
      // The pause hook keeps the lock held for a few hundred ms, so the runs overlap.
      const [a, b] = await Promise.all([
        runCli(dir, ['agent', 'sync', '--json'], HOLD),
        runCli(dir, ['agent', 'sync', '--json'], HOLD),
      ]);
      assert.equal(a.code, 0, a.stdout + a.stderr);
      assert.equal(b.code, 0, b.stdout + b.stderr);
      const ra = JSON.parse(a.stdout);
      const rb = JSON.parse(b.stdout);
      for (const n of NAMES) {
        const synced = [ra, rb].filter((x) => x.synced_secrets.includes(n)).length;
        const already = [ra, rb].filter((x) => x.already_synced.includes(n)).length;
        assert.deepEqual([synced, already], [1, 1], `round ${r}: ${n} synced ${synced}x, already ${already}x`);
      }
      assertConsistent(dir, `round ${r}`);
      // Both took the lock at some point; the second only after the first's last write.
      const steps = (x) => x.stderr.split('\n').filter((l) => l.startsWith('secretzero-test-step'));
      assert.ok(steps(a).includes('secretzero-test-step locked'));
      assert.ok(steps(b).includes('secretzero-test-step locked'));
    }
    console.log(`concurrency: ${ROUNDS} rounds of two overlapping processes in ${((Date.now() - started) / 1000).toFixed(1)} s; every secret generated once (the second sync waited, then found it already synced)`);
  });

  test('two calls in one process: the second waits and generates nothing', async () => {
    for (let r = 0; r < 5; r++) {
      const dir = project();
      const [a, b] = await Promise.all([
        api.syncProject({ cwd: dir, env: {} }),
        api.syncProject({ cwd: dir, env: {} }),
      ]);
      const all = [a.report, b.report];
      for (const n of NAMES) {
        assert.equal(all.filter((x) => x.synced_secrets.includes(n)).length, 1, `${n} synced twice`);
        assert.equal(all.filter((x) => x.already_synced.includes(n)).length, 1);
      }
      assertConsistent(dir, `in-process round ${r}`);
    }
  });

  test('the loser fails with LOCKED naming the holder when the wait runs out', async () => {
    const dir = project();
    const slow = { SECRETZERO_TEST_HOOKS: '1', SECRETZERO_TEST_PAUSE_BETWEEN_WRITES_MS: '400' };
    const holder = runCli(dir, ['agent', 'sync', '--json'], slow);
    // Wait until the holder has the lock.
    const lockPath = path.join(dir, '.gitsecrets.lock.lock');
    for (let i = 0; i < 200 && !fs.existsSync(lockPath); i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(fs.existsSync(lockPath), 'the holder never took the lock');
    const t0 = Date.now();
    const loser = await runCli(dir, ['agent', 'sync', '--json', '--lock-timeout', '0.3']);
    const waitedMs = Date.now() - t0;
    const h = await holder;
    assert.equal(h.code, 0, h.stderr);
    assert.equal(loser.code, 1, loser.stdout);
    const doc = JSON.parse(loser.stdout);
    assert.equal(doc.error.code, 'LOCKED');
    assert.match(doc.error.message, new RegExp(`pid ${h.pid} on ${os.hostname().replace(/[.]/g, '\\.')}`));
    assert.match(doc.error.message, /\.gitsecrets\.lock\.lock/);
    assert.ok(waitedMs >= 300, `gave up after ${waitedMs} ms`);
    // Human form: the code and the holder on stderr, nothing on stdout.
    const held = runCli(dir, ['agent', 'sync'], slow);
    for (let i = 0; i < 200 && !fs.existsSync(lockPath); i++) await new Promise((r) => setTimeout(r, 20));
    const human = await runCli(dir, ['agent', 'sync', '--lock-timeout', '0']);
    await held;
    assert.equal(human.code, 1);
    assert.match(human.stderr, /error\[LOCKED\]: another sync of this project holds the lock/);
    assert.equal(human.stdout, '');
    assertConsistent(dir, 'after LOCKED');
  });

  test('stale locks: a dead process on this host, an old lock elsewhere; a fresh foreign lock is honoured', async () => {
    const dead = await runCli(tempDir(), ['--version']);
    const lockOf = (holder) => `${JSON.stringify({ nonce: 'n0', ...holder })}\n`;
    // Dead pid, same host: broken at once.
    let dir = project();
    const lockPath = () => path.join(dir, '.gitsecrets.lock.lock');
    fs.writeFileSync(lockPath(), lockOf({ pid: dead.pid, hostname: os.hostname(), created: new Date().toISOString() }));
    let r = await api.syncProject({ cwd: dir, env: {}, lockTimeout: 1000 });
    assert.equal(r.report.status, 'complete');
    assertConsistent(dir, 'dead pid');
    // Another host, one hour old: abandoned.
    dir = project();
    fs.writeFileSync(lockPath(), lockOf({ pid: 1, hostname: 'elsewhere.example', created: new Date(Date.now() - 3600e3).toISOString() }));
    r = await api.syncProject({ cwd: dir, env: {}, lockTimeout: 1000 });
    assert.equal(r.report.status, 'complete');
    // Another host, fresh: waited for, then LOCKED (its pid cannot be checked from here).
    dir = project();
    fs.writeFileSync(lockPath(), lockOf({ pid: 1, hostname: 'elsewhere.example', created: new Date().toISOString() }));
    await assert.rejects(api.syncProject({ cwd: dir, env: {}, lockTimeout: 200 }), (e) => {
      assert.equal(e.code, 'LOCKED');
      assert.match(e.message, /pid 1 on elsewhere\.example since/);
      return true;
    });
    assert.ok(fs.existsSync(lockPath()), 'a foreign fresh lock must not be removed');
    assert.ok(!fs.existsSync(path.join(dir, '.env')), 'nothing written without the lock');
    // A dry run takes no lock.
    r = await api.syncProject({ cwd: dir, env: {}, dryRun: true, lockTimeout: 0 });
    assert.equal(r.report.dry_run, true);
  });

  test('the lock is released when the sync fails after taking it', async () => {
    const dir = project();
    fs.writeFileSync(path.join(dir, '.gitsecrets.lock'), '{not json');
    await assert.rejects(api.syncProject({ cwd: dir, env: {} }), { code: 'INVALID_LOCKFILE' });
    assert.ok(!fs.existsSync(path.join(dir, '.gitsecrets.lock.lock')));
    // The lock file is created 0600 (it names a pid and a host).
    fs.rmSync(path.join(dir, '.gitsecrets.lock'));
    const held = runCli(dir, ['agent', 'sync', '--json'], { SECRETZERO_TEST_HOOKS: '1', SECRETZERO_TEST_PAUSE_BETWEEN_WRITES_MS: '200' });
    const lockPath = path.join(dir, '.gitsecrets.lock.lock');
    // The lock is created empty (O_EXCL), then its holder is written: wait for the whole line.
    const complete = () => fs.existsSync(lockPath) && fs.readFileSync(lockPath, 'utf8').endsWith('\n');
    for (let i = 0; i < 200 && !complete(); i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(fs.statSync(lockPath).mode & 0o777, 0o600);
    const holder = JSON.parse(fs.readFileSync(lockPath, 'utf8'));
    assert.deepEqual(Object.keys(holder).sort(), ['created', 'hostname', 'nonce', 'pid', 'tool']);
    await held;
  });
});
