// Crash safety: `secretzero agent sync` killed with SIGKILL at many points of its write
// sequence, then checked:
//
// - every target file is either its old version or a complete new one (never torn);
// - the lockfile never records a value that no target holds (every recorded hash is the
//   SHA-256 of a value found in the secret's targets);
// - a rerun completes the sync without regenerating any value a target already held.
//
// Kill points come from the test-only hook of syncProject (SECRETZERO_TEST_HOOKS=1 +
// SECRETZERO_TEST_PAUSE_BETWEEN_WRITES_MS): the CLI prints `secretzero-test-step <label>` and
// pauses at each step (lock taken, before each write, before each rename); each run picks a
// step and a random extra delay (up to 1.5 pauses, so some kills land inside the next file
// operation), waits for that line on stderr, and sends SIGKILL.
//
// SECRETZERO_CRASH_RUNS (default 200) sets the number of runs.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

import { bin, cli, loadEsm, tempDir } from './helpers.mjs';

const RUNS = Number(process.env.SECRETZERO_CRASH_RUNS ?? 200);
const PAUSE_MS = 12;
const PARALLEL = 3;

const api = await loadEsm();

const V1 = `secrets:
  - name: alpha
    kind: random_string
    config: {length: 24}
    targets: [{provider: local, kind: file, config: {path: .env}}]
  - name: beta
    kind: random_password
    config: {length: 20, special: false}
    targets: [{provider: local, kind: file, config: {path: .env}}]
`;

const V2 = `${V1}  - name: gamma
    kind: random_string
    config: {length: 32}
    targets:
      - {provider: local, kind: file, config: {path: .env}}
      - {provider: local, kind: file, config: {path: config/app.json, format: json}}
  - name: delta
    kind: uuid
    targets: [{provider: local, kind: file, config: {path: config/app.json, format: json}}]
  - name: epsilon
    kind: random_password
    config: {length: 40, special: false}
    targets:
      - {provider: local, kind: file, config: {path: .env.local}}
      - {provider: local, kind: file, config: {path: config/app.json, format: json}}
`;

/** Which keys each target file holds, by Secretfile version. */
const KEYS = {
  '.env': { old: ['OTHER', 'alpha', 'beta'], new: ['OTHER', 'alpha', 'beta', 'gamma'] },
  'config/app.json': { old: null, new: ['keep', 'gamma', 'delta', 'epsilon'] },
  '.env.local': { old: null, new: ['epsilon'] },
};
const TARGETS = { alpha: ['.env'], beta: ['.env'], gamma: ['.env', 'config/app.json'], delta: ['config/app.json'], epsilon: ['.env.local', 'config/app.json'] };

const sha256 = (s) => createHash('sha256').update(s, 'utf8').digest('hex');

/** Parse a dotenv file strictly: every non-empty line `KEY=value` (optionally quoted). */
function parseDotenv(text) {
  const out = {};
  if (!text.endsWith('\n')) return null;
  for (const line of text.split('\n').slice(0, -1)) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) return null;
    let v = m[2];
    if (v.startsWith('"')) {
      if (!v.endsWith('"') || v.length < 2) return null;
      v = v.slice(1, -1);
    } else if (v.startsWith("'")) {
      if (!v.endsWith("'") || v.length < 2) return null;
      v = v.slice(1, -1);
    }
    out[m[1]] = v;
  }
  return out;
}

function parseTarget(file, text) {
  if (file.endsWith('.json')) {
    try {
      const v = JSON.parse(text);
      return v !== null && typeof v === 'object' && !Array.isArray(v) ? v : null;
    } catch {
      return null;
    }
  }
  return parseDotenv(text);
}

function readOpt(p) {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch (e) {
    if (e.code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Every value each secret has in its targets: {secret: Set(values)}. */
function targetValues(dir) {
  const out = {};
  for (const [secret, files] of Object.entries(TARGETS)) {
    out[secret] = new Set();
    for (const f of files) {
      const text = readOpt(path.join(dir, f));
      if (text === undefined) continue;
      const parsed = parseTarget(f, text);
      if (parsed && typeof parsed[secret] === 'string') out[secret].add(parsed[secret]);
    }
  }
  return out;
}

/** The old project: V1 synced, an unrelated entry in .env, an unrelated key in app.json. */
function makeOld() {
  const dir = tempDir('sz-crash-old-');
  fs.writeFileSync(path.join(dir, 'Secretfile.yml'), V1);
  fs.writeFileSync(path.join(dir, '.env'), 'OTHER=keep\n');
  const r = cli(['agent', 'sync', '--json'], { cwd: dir });
  assert.equal(r.status, 0, r.stderr);
  fs.mkdirSync(path.join(dir, 'config'));
  fs.writeFileSync(path.join(dir, 'config/app.json'), '{"keep": "me"}');
  fs.writeFileSync(path.join(dir, 'Secretfile.yml'), V2);
  return dir;
}

function snapshotFiles(dir) {
  const out = {};
  for (const f of [...Object.keys(KEYS), '.gitsecrets.lock']) out[f] = readOpt(path.join(dir, f));
  return out;
}

/** Run the CLI with the pause hook; kill it when stderr shows step `killAt` (+ `extraMs`). */
function runAndKill(cwd, killAt, extraMs) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['agent', 'sync', '--json'], {
      cwd,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NO_COLOR: '1',
        SECRETZERO_TEST_HOOKS: '1',
        SECRETZERO_TEST_PAUSE_BETWEEN_WRITES_MS: String(PAUSE_MS),
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const steps = [];
    let buf = '';
    let killed = false;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const m = /^secretzero-test-step (.*)$/.exec(line);
        if (!m) continue;
        steps.push(m[1]);
        if (steps.length === killAt + 1 && !killed) {
          killed = true;
          setTimeout(() => child.kill('SIGKILL'), extraMs);
        }
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, steps }));
  });
}

function checkAfterCrash(dir, old, label) {
  // 1. Targets: old bytes, or a complete new version that kept the old entries.
  for (const [f, keys] of Object.entries(KEYS)) {
    const text = readOpt(path.join(dir, f));
    if (text === old[f]) continue;
    assert.notEqual(text, undefined, `${label}: ${f} disappeared`);
    const parsed = parseTarget(f, text);
    assert.ok(parsed, `${label}: ${f} is torn:\n${text.replace(/=.*/g, '=<value>')}`);
    assert.deepEqual(Object.keys(parsed).sort(), [...keys.new].sort(), `${label}: ${f} keys`);
    if (old[f] !== undefined) {
      const before = parseTarget(f, old[f]);
      for (const [k, v] of Object.entries(before)) assert.equal(parsed[k], v, `${label}: ${f} lost ${k}`);
    } else if (f.endsWith('.json')) {
      assert.equal(parsed.keep, 'me', `${label}: ${f} lost keep`);
    }
  }
  // 2. The lockfile records only values that a target holds.
  const lockText = readOpt(path.join(dir, '.gitsecrets.lock'));
  const values = targetValues(dir);
  if (lockText !== old['.gitsecrets.lock']) {
    const lock = JSON.parse(lockText);
    for (const [name, entry] of Object.entries(lock.secrets ?? {})) {
      const hashes = [...(values[name] ?? [])].map(sha256);
      assert.ok(hashes.includes(entry.hash), `${label}: the lockfile records ${name}, which no target holds`);
    }
  }
  return values;
}

async function checkRerun(dir, before, label) {
  const { report } = await api.syncProject({ cwd: dir, env: {} });
  assert.equal(report.status, 'complete', `${label}: rerun status ${report.status}`);
  const after = targetValues(dir);
  const lock = JSON.parse(fs.readFileSync(path.join(dir, '.gitsecrets.lock'), 'utf8'));
  for (const name of Object.keys(TARGETS)) {
    assert.equal(after[name].size, 1, `${label}: ${name} has ${after[name].size} values after the rerun`);
    const [v] = after[name];
    for (const held of before[name]) assert.equal(v, held, `${label}: ${name} was regenerated although a target held it`);
    assert.equal(lock.secrets[name]?.hash, sha256(v), `${label}: lockfile hash of ${name}`);
  }
  // No temporary file survives the rerun.
  for (const d of [dir, path.join(dir, 'config')]) {
    const tmp = fs.readdirSync(d).filter((n) => n.endsWith('.tmp'));
    assert.deepEqual(tmp, [], `${label}: temporary files left in ${d}`);
  }
  return report;
}

test(`SIGKILL at ${RUNS} points of the write sequence: never torn, lockfile honest, rerun completes`, { timeout: 600_000 }, async () => {
  const oldDir = makeOld();
  const old = snapshotFiles(oldDir);
  // The steps of one uninterrupted run (to spread the kill points over all of them).
  const probe = tempDir('sz-crash-probe-');
  fs.cpSync(oldDir, probe, { recursive: true });
  const full = await runAndKill(probe, 1e9, 0);
  assert.equal(full.code, 0);
  const nSteps = full.steps.length;
  assert.ok(nSteps >= 8, `steps: ${full.steps.join(', ')}`);

  const started = Date.now();
  const stats = { runs: 0, killed: 0, completedBeforeKill: 0, tempLeft: 0, adopted: 0, byStep: {} };
  let next = 0;
  const worker = async () => {
    for (;;) {
      const r = next++;
      if (r >= RUNS) return;
      const dir = tempDir('sz-crash-');
      fs.cpSync(oldDir, dir, { recursive: true });
      const killAt = r % nSteps;
      const extra = Math.random() * PAUSE_MS * 1.5;
      const res = await runAndKill(dir, killAt, extra);
      const label = `run ${r} (kill after step ${killAt} "${full.steps[killAt]}" + ${extra.toFixed(1)} ms)`;
      stats.runs++;
      if (res.signal === 'SIGKILL') stats.killed++;
      else stats.completedBeforeKill++;
      const step = res.steps[res.steps.length - 1] ?? 'start';
      stats.byStep[step.split(' ').slice(0, 2).join(' ')] = (stats.byStep[step.split(' ').slice(0, 2).join(' ')] ?? 0) + 1;
      for (const d of [dir, path.join(dir, 'config')]) {
        if (fs.existsSync(d) && fs.readdirSync(d).some((n) => n.endsWith('.tmp'))) stats.tempLeft++;
      }
      const before = checkAfterCrash(dir, old, label);
      const report = await checkRerun(dir, before, label);
      stats.adopted += report.synced_secrets.filter((n) => before[n]?.size > 0).length;
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  const secs = (Date.now() - started) / 1000;
  console.log(
    `crash test: ${stats.runs} runs in ${secs.toFixed(1)} s, ${stats.killed} killed by SIGKILL ` +
      `(${stats.completedBeforeKill} finished first), ${stats.tempLeft} left a temporary file, ` +
      `${stats.adopted} values adopted from targets by the rerun; last step seen: ${JSON.stringify(stats.byStep)}`,
  );
  assert.equal(stats.runs, RUNS);
  assert.ok(stats.killed >= RUNS * 0.9, `only ${stats.killed} runs were killed`);
});

test('the pause hook is ignored without SECRETZERO_TEST_HOOKS=1', () => {
  const dir = tempDir('sz-crash-hook-');
  fs.writeFileSync(path.join(dir, 'Secretfile.yml'), V1);
  const r = cli(['agent', 'sync', '--json'], {
    cwd: dir,
    env: { SECRETZERO_TEST_PAUSE_BETWEEN_WRITES_MS: '5000' },
  });
  assert.equal(r.status, 0);
  assert.ok(!r.stderr.includes('secretzero-test-step'), r.stderr);
});
