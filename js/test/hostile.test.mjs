// Hostile inputs against the BUILT package (the shipped, optimised wasm): each gets a coded
// error quickly, and the instance gives the same answers afterwards as before. The same list
// runs natively in tests/hostile.rs; here it runs where a panic or a stack overflow would
// poison the instance (wasm has no guard page: an overflow would corrupt memory silently, so
// the before/after comparison matters). Also the host's side: files on disk that are too
// big, not UTF-8, not regular files.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { describe, test } from 'node:test';

import { cli, loadEsm, pkgJson, root, tempDir } from './helpers.mjs';

const api = await loadEsm();
const files = await import(pathToFileURL(path.join(root, 'pkg/dist/files.js')).href);

/** Slowest allowed input (the release build answers each in well under 100 ms here). */
const LIMIT_MS = 2000;
const NOW = '2026-01-02T03:04:05.000Z';

const timings = [];
function timed(name, fn) {
  const t0 = performance.now();
  let result;
  let error;
  try {
    result = fn();
  } catch (e) {
    error = e;
  }
  const ms = performance.now() - t0;
  timings.push([ms, name]);
  assert.ok(ms < LIMIT_MS, `${name} took ${ms.toFixed(0)} ms`);
  if (error !== undefined && !api.isSecretZeroError(error)) throw error;
  return { result, error };
}

/** The first error code of a validate answer or a thrown error. */
function codeOf({ result, error }) {
  if (error) return error.code;
  if (result && result.valid === false) return result.diagnostics.find((d) => d.severity === 'error')?.code;
  return undefined;
}

function aliasBomb() {
  let s = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
  const names = 'abcdefghi';
  for (let i = 1; i < names.length; i++) {
    s += `${names[i]}: &${names[i]} [${Array(9).fill(`*${names[i - 1]}`).join(',')}]\n`;
  }
  return `${s}secrets: []\n`;
}

const deep = 10_000;
const CASES = [
  ['alias bomb (9^9 nodes)', aliasBomb(), 'BUDGET_EXCEEDED'],
  ['250,001 aliases of one scalar', `x: &x 1\ny: [${Array(250_001).fill('*x').join(',')}]\nsecrets: []\n`, 'BUDGET_EXCEEDED'],
  ['200,000-item flow list on one line', `x: [${Array(200_000).fill('é').join(',')}]\nsecrets: []\n`, undefined],
  ['100,000 variables', `variables:\n${Array.from({ length: 100_000 }, (_, i) => `  v${i}: ${i}\n`).join('')}secrets: []\n`, undefined],
  ['10,000-deep block sequences', `secrets:\n  ${'- '.repeat(deep)}x\n`, 'BUDGET_EXCEEDED'],
  ['10,000-deep flow sequences', `secrets: ${'['.repeat(deep)}${']'.repeat(deep)}\n`, 'BUDGET_EXCEEDED'],
  ['10,000-deep flow mappings', `secrets: ${'{a: '.repeat(deep)}1${'}'.repeat(deep)}\n`, 'BUDGET_EXCEEDED'],
  ['10,000-deep block mappings (50 MB)', Array.from({ length: deep }, (_, d) => `${' '.repeat(d)}k:\n`).join(''), 'BUDGET_EXCEEDED'],
  ['50 MB text', `secrets: []\n${'# padding padding padding padding\n'.repeat(1_500_000)}`, 'BUDGET_EXCEEDED'],
  ['15 MB of comments (under the budget)', `secrets: []\n${'# padding padding padding padding\n'.repeat(450_000)}`, undefined],
  ['NUL byte', 'secrets: []\nx: a\u0000b\n', 'INVALID_ENCODING'],
  ['top level is a list', '- a\n- b\n', 'NOT_A_MAPPING'],
  ['top level is a scalar', 'hello\n', 'NOT_A_MAPPING'],
  ['regex bomb in validation', "secrets:\n  - name: a\n    kind: static\n    config: {value: aaaa, validation: '((((a{1000}){1000}){1000}){1000})'}\n", 'INVALID_REGEX'],
  ['Jinja loop bomb', 'secrets:\n  - name: a\n    kind: static\n    config:\n      value: "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}"\n', undefined],
  ['Jinja recursion', 'secrets:\n  - name: a\n    kind: static\n    config:\n      value: "{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}"\n', undefined],
  ['many fuel-hungry templates', `secrets:\n${Array.from({ length: 2000 }, (_, i) => `  - {name: s${i}, kind: static, config: {value: "{% for i in range(50000) %}{% endfor %}{{ 1 }}"}}\n`).join('')}`, undefined],
];

const BASELINE = `variables:
  region: eu-west-1
secrets:
  - name: db
    kind: static
    config: {value: "fixed-{{ var.region }}"}
    targets: [{provider: local, kind: file, config: {path: .env}}]
  - name: pending
    kind: static
    agent_instructions:
      summary: Ask for {{ secret_name }} in \${region}
      steps: [{action: go, description: do}]
  - name: broken
    kind: random_password
    config: {length: "x"}
`;

function baseline() {
  const v = api.validateSecretfile(BASELINE);
  const ok = BASELINE.replace(/config: \{length: "x"\}/, 'config: {length: 8}').replace('kind: random_password', 'kind: static');
  const s = api.agentSync({ text: ok, now: NOW, env: {}, files: { '.env': 'A=1\n' } });
  return { v, report: s.report, writes: s.writes };
}

describe('hostile inputs against the wasm instance', () => {
  const before = baseline();

  test('each Secretfile gets its code quickly, through validate and sync', () => {
    for (const [name, text, code] of CASES) {
      assert.equal(codeOf(timed(`${name} (validate)`, () => api.validateSecretfile(text))), code, name);
      const s = timed(`${name} (sync)`, () => api.agentSync({ text, now: NOW, env: {} }));
      assert.equal(s.error?.code, code, name);
    }
  });

  test('hostile lockfiles and target files', () => {
    const text = `secrets:
  - name: a
    kind: random_string
    targets:
${['t.json', 't.yml', 't.toml', 't.tfvars', '.env'].map((p) => `      - {provider: local, kind: file, config: {path: ${p}}}\n`).join('')}`;
    const lockfiles = [
      ['10,000-deep JSON lockfile', `${'['.repeat(deep)}${']'.repeat(deep)}`],
      ['10,000-deep lockfile secrets', `{"version":"1.0","secrets":${'{"a":'.repeat(deep)}1${'}'.repeat(deep)}}`],
      ['lockfile is a list', '[]'],
    ];
    for (const [name, lockfile] of lockfiles) {
      const s = timed(name, () => api.agentSync({ text, now: NOW, env: {}, lockfile }));
      assert.equal(s.error?.code, 'INVALID_LOCKFILE', name);
    }
    const targets = [
      ['10,000-deep JSON target', 't.json', `{"x":${'['.repeat(deep)}1${']'.repeat(deep)}}`],
      ['10,000-deep YAML target', 't.yml', `x: ${'['.repeat(deep)}1${']'.repeat(deep)}\n`],
      ['YAML alias bomb target', 't.yml', aliasBomb()],
      ['10,000-deep TOML target', 't.toml', `x = ${'['.repeat(deep)}1${']'.repeat(deep)}\n`],
      ['10,000-deep tfvars target', 't.tfvars', `x = ${'{a = '.repeat(deep)}1${'}'.repeat(deep)}\n`],
      ['10 MB dotenv line', '.env', `A=${'x'.repeat(10 * 1024 * 1024)}\n`],
    ];
    for (const [name, p, contents] of targets) {
      const s = timed(name, () => api.agentSync({ text, now: NOW, env: {}, files: { [p]: contents } }));
      assert.equal(s.error, undefined, `${name}: ${s.error?.message}`);
      if (s.result.report.failed_secrets.a !== undefined) {
        assert.ok(!s.result.writes.some((w) => w.path === p), `${name}: a failed target was written`);
      }
    }
  });

  test('a request over the size cap never reaches the instance', () => {
    const huge = 'x'.repeat(65 * 1024 * 1024);
    const r = timed('65 Mi-character request', () => api.agentSync({ text: 'secrets: []\n', now: NOW, files: { '.env': huge } }));
    assert.equal(r.error?.code, 'BUDGET_EXCEEDED');
  });

  test('the instance answers exactly as before', () => {
    assert.deepEqual(baseline(), before);
    assert.equal(api.version(), pkgJson.version);
  });
});

describe('hostile files on disk (syncProject, CLI)', () => {
  const write = (dir, name, bytes) => fs.writeFileSync(path.join(dir, name), bytes);

  test('a 50 MB Secretfile is refused before it is read', async () => {
    const dir = tempDir('sz-hostile-');
    const fd = fs.openSync(path.join(dir, 'Secretfile.yml'), 'w');
    fs.ftruncateSync(fd, 50 * 1024 * 1024);
    fs.closeSync(fd);
    const t0 = performance.now();
    await assert.rejects(api.syncProject({ cwd: dir, env: {} }), { code: 'BUDGET_EXCEEDED' });
    timings.push([performance.now() - t0, '50 MB Secretfile on disk (syncProject)']);
    const r = cli(['agent', 'sync', '--json'], { cwd: dir });
    assert.equal(r.status, 1);
    assert.equal(JSON.parse(r.stdout).error.code, 'BUDGET_EXCEEDED');
  });

  test('invalid UTF-8: INVALID_ENCODING with the byte offset, line and column; nothing written', async () => {
    const dir = tempDir('sz-hostile-');
    // "secrets: []\n" is 12 bytes, "x: caf" 6 more: the Latin-1 é is byte 18, line 2, column 7.
    write(dir, 'Secretfile.yml', Buffer.concat([Buffer.from('secrets: []\nx: caf'), Buffer.from([0xe9]), Buffer.from('\n')]));
    await assert.rejects(api.syncProject({ cwd: dir, env: {} }), (e) => {
      assert.equal(e.code, 'INVALID_ENCODING');
      assert.deepEqual([e.line, e.column], [2, 7]);
      assert.match(e.message, /Secretfile\.yml.*byte 18 \(0xe9\)/);
      return true;
    });
    let r = cli(['agent', 'sync', '--json'], { cwd: dir });
    assert.equal(r.status, 1);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual([doc.error.code, doc.error.line, doc.error.column], ['INVALID_ENCODING', 2, 7]);
    r = cli(['validate'], { cwd: dir });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /Secretfile\.yml:2:7: error\[INVALID_ENCODING\]/);
    // A target file that is not UTF-8 is refused, not "repaired" with U+FFFD and rewritten.
    write(dir, 'Secretfile.yml', 'secrets:\n  - name: a\n    kind: uuid\n    targets: [{provider: local, kind: file, config: {path: .env}}]\n');
    const latin1 = Buffer.concat([Buffer.from('NAME=Jos'), Buffer.from([0xe9]), Buffer.from('\n')]);
    write(dir, '.env', latin1);
    await assert.rejects(api.syncProject({ cwd: dir, env: {} }), (e) => {
      assert.equal(e.code, 'INVALID_ENCODING');
      // The position is the .env's: in the message, not in line/column (those are the Secretfile's).
      assert.match(e.message, /`\.env` is not valid UTF-8: byte 8 \(0xe9\) at line 1, column 9/);
      assert.equal(e.line, undefined);
      return true;
    });
    assert.deepEqual(fs.readFileSync(path.join(dir, '.env')), latin1);
    assert.ok(!fs.existsSync(path.join(dir, '.gitsecrets.lock')));
    // The same for a lockfile.
    fs.rmSync(path.join(dir, '.env'));
    write(dir, '.gitsecrets.lock', Buffer.from([0x7b, 0xff, 0x7d]));
    await assert.rejects(api.syncProject({ cwd: dir, env: {} }), { code: 'INVALID_ENCODING' });
  });

  test('the UTF-8 check agrees with a strict decoder (random bytes)', () => {
    const strict = new TextDecoder('utf-8', { fatal: true });
    let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    const pieces = [[0x41], [0xc3, 0xa9], [0xe2, 0x82, 0xac], [0xf0, 0x9f, 0x94, 0x91], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0x80], [0xff], [0xf0, 0x9f]];
    for (let i = 0; i < 20_000; i++) {
      const bytes = [];
      const n = 1 + Math.floor(rnd() * 6);
      for (let k = 0; k < n; k++) bytes.push(...pieces[Math.floor(rnd() * (rnd() < 0.8 ? 4 : pieces.length))]);
      const buf = Uint8Array.from(bytes);
      const bad = files.firstInvalidUtf8(buf);
      let valid = true;
      try {
        strict.decode(buf);
      } catch {
        valid = false;
      }
      assert.equal(bad === -1, valid, `bytes ${bytes.map((b) => b.toString(16))}`);
      if (bad >= 0) {
        strict.decode(buf.subarray(0, bad)); // the prefix is valid
        assert.throws(() => strict.decode(buf.subarray(0, bad + 4 <= buf.length ? bad + 4 : buf.length)));
      }
    }
  });

  test('a FIFO or a directory where a target file should be: IO, no hang', async () => {
    const dir = tempDir('sz-hostile-');
    write(dir, 'Secretfile.yml', 'secrets:\n  - name: a\n    kind: uuid\n    targets: [{provider: local, kind: file, config: {path: .env}}]\n');
    const fifo = spawnSync('mkfifo', [path.join(dir, '.env')]);
    if (fifo.status === 0) {
      const t0 = performance.now();
      await assert.rejects(api.syncProject({ cwd: dir, env: {} }), { code: 'IO' });
      timings.push([performance.now() - t0, 'FIFO as a target file']);
      fs.rmSync(path.join(dir, '.env'));
    }
    fs.mkdirSync(path.join(dir, '.env'));
    await assert.rejects(api.syncProject({ cwd: dir, env: {} }), { code: 'IO' });
  });

  test('a Secretfile that is a list or a scalar: exit 1 with NOT_A_MAPPING', () => {
    for (const text of ['- a\n- b\n', 'just text\n']) {
      const dir = tempDir('sz-hostile-');
      write(dir, 'Secretfile.yml', text);
      const r = cli(['agent', 'sync', '--json'], { cwd: dir });
      assert.equal(r.status, 1);
      assert.equal(JSON.parse(r.stdout).error.code, 'NOT_A_MAPPING');
    }
  });

  test('timings', () => {
    timings.sort((a, b) => b[0] - a[0]);
    console.log(
      `hostile inputs (wasm, release build): ${timings.length} timed, slowest ${timings[0][1]} ` +
        `in ${timings[0][0].toFixed(0)} ms; next: ${timings
          .slice(1, 4)
          .map(([ms, n]) => `${n} ${ms.toFixed(0)} ms`)
          .join(', ')}`,
    );
  });
});
