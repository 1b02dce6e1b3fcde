// JS-side hostile input: prototype pollution and wrong argument types.
//
// - `__proto__`, `constructor` and `prototype` as secret names, variable names, config and
//   params keys, target paths, supplied-value and environment names, lockfile keys: nothing
//   reaches `Object.prototype`, the objects handed back keep them as own keys (JSON.parse
//   defines properties, it never calls the `__proto__` setter), and the host's own
//   dictionaries do not drop them (a target file called `__proto__` is read, not lost).
// - Every exported function called with wrong types throws SecretZeroError (USAGE), never a
//   TypeError, and the instance keeps working.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';

import { cli, loadCjs, loadEsm, tempDir } from './helpers.mjs';

const api = await loadEsm();
const NOW = '2026-01-02T03:04:05.000Z';

const HOSTILE = `variables:
  __proto__: {polluted: yes}
  constructor: {prototype: {polluted: yes}}
  prototype: x
secrets:
  - name: __proto__
    kind: static
    config: {__proto__: {polluted: yes}, constructor: x}
    agent_instructions:
      summary: S {{ var.__proto__ }}
      steps:
        - action: a
          description: d
          params: {__proto__: {polluted: yes}, constructor: {prototype: {polluted: yes}}}
  - name: constructor
    kind: random_string
    config: {length: 12}
    targets:
      - {provider: local, kind: file, config: {path: __proto__, key: __proto__}}
      - {provider: local, kind: file, config: {path: out.json, format: json, key: constructor}}
  - name: prototype
    kind: static
    config: {value: v}
    targets: [{provider: local, kind: file, config: {path: prototype, key: prototype}}]
`;

const LOCKFILE = JSON.stringify({
  version: '1.0',
  secrets: JSON.parse('{"__proto__": {"hash": "ab", "created_at": "2025-01-01T00:00:00", "updated_at": "2025-01-01T00:00:00", "polluted": true}}'),
  __proto__: { polluted: true },
}).replace('"secrets"', '"__proto__":{"polluted":true},"secrets"');

function prototypeSnapshot() {
  return [Object, Array, Function, String].map((C) =>
    Object.getOwnPropertyNames(C.prototype).sort().join(','),
  );
}

function assertClean(before, label) {
  assert.deepEqual(prototypeSnapshot(), before, `${label}: a prototype changed`);
  assert.equal({}.polluted, undefined, `${label}: Object.prototype polluted`);
  assert.equal([].polluted, undefined, label);
  assert.equal(Object.prototype.toString.call({}), '[object Object]');
}

describe('prototype pollution', () => {
  const before = prototypeSnapshot();

  test('parse and sync keep hostile keys as own keys and touch no prototype', () => {
    for (const mod of [api, loadCjs()]) {
      const p = mod.parseSecretfile(HOSTILE, { env: JSON.parse('{"__proto__": "x", "CONSTRUCTOR": "y"}') });
      assertClean(before, 'parse');
      const sf = p.secretfile;
      assert.ok(Object.hasOwn(sf.variables, '__proto__'));
      assert.equal(Object.getPrototypeOf(sf.variables), Object.prototype);
      assert.equal(sf.variables.__proto__.polluted, true);
      assert.deepEqual(sf.secrets.map((s) => s.name), ['__proto__', 'constructor', 'prototype']);
      assert.ok(Object.hasOwn(sf.secrets[0].config, '__proto__'));

      const { report, writes } = mod.agentSync({
        text: HOSTILE,
        now: NOW,
        env: {},
        lockfile: LOCKFILE,
        values: JSON.parse('{"__proto__": "supplied-proto-value", "toString": "x"}'),
        files: JSON.parse('{"__proto__": "OLD=1\\n", "out.json": null, "prototype": null}'),
      });
      assertClean(before, 'sync');
      // `__proto__` was already recorded in the (hostile) lockfile; the others synced.
      assert.deepEqual(report.already_synced, ['__proto__']);
      assert.deepEqual(report.synced_secrets, ['constructor', 'prototype']);
      // The target file called `__proto__` was passed in (its OLD=1 line is kept).
      const protoWrite = writes.find((w) => w.path === '__proto__');
      assert.ok(protoWrite.contents.startsWith('OLD=1\n'), 'the file `__proto__` was lost on the way in');
      // A supplied value for `toString` is a warning about an unknown secret, by name.
      assert.ok(report.warnings.some((w) => w.message.includes('`toString`')));
      const text = mod.formatReport(report, { format: 'text' });
      const json = mod.formatReport(report, { format: 'json' });
      assert.ok(text.length > 0 && JSON.parse(json).status === report.status);
      assertClean(before, 'format');
    }
  });

  test('pending secrets named __proto__ are own keys of the report', () => {
    const text = HOSTILE.replace("LOCK", '');
    const { report } = api.agentSync({ text, now: NOW, env: {} });
    assert.ok(Object.hasOwn(report.pending_secrets, '__proto__'));
    assert.equal(Object.getPrototypeOf(report.pending_secrets), Object.prototype);
    assert.equal(report.pending_secrets.__proto__.summary, 'S {\'polluted\': True}');
    const params = report.pending_secrets.__proto__.steps[0].params;
    assert.ok(Object.hasOwn(params, '__proto__') && Object.hasOwn(params, 'constructor'));
    assertClean(before, 'pending');
  });

  test('syncProject and the CLI on a project with hostile names', async () => {
    const dir = tempDir('sz-proto-');
    fs.writeFileSync(path.join(dir, 'Secretfile.yml'), HOSTILE);
    fs.writeFileSync(path.join(dir, '__proto__'), 'OLD=1\n');
    const { report, files } = await api.syncProject({
      cwd: dir,
      env: JSON.parse('{"__proto__": "x", "PATH": "/bin"}'),
      values: JSON.parse('{"__proto__": "supplied-proto-value"}'),
    });
    assertClean(before, 'syncProject');
    assert.deepEqual(report.synced_secrets, ['__proto__', 'constructor', 'prototype']);
    assert.ok(files.some((f) => f.path === '__proto__' && f.action === 'updated'));
    assert.match(fs.readFileSync(path.join(dir, '__proto__'), 'utf8'), /^OLD=1\n/);
    const lock = JSON.parse(fs.readFileSync(path.join(dir, '.gitsecrets.lock'), 'utf8'));
    assert.ok(Object.hasOwn(lock.secrets, '__proto__'));
    const r = cli(['agent', 'sync', '--json'], { cwd: dir });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).already_synced, ['__proto__', 'constructor', 'prototype']);
  });
});

describe('wrong argument types', () => {
  const cyclic = {};
  cyclic.self = cyclic;
  const BAD = [undefined, null, 0, 1.5, -1, NaN, true, '', 'x', [], [1], {}, { text: 5 }, Symbol('s'), 10n, () => 1, cyclic, new Date(NaN), Object.create(null), new Map(), { text: 'secrets: []', now: 5 }, { text: 'secrets: []', files: { a: 5 } }, { text: 'secrets: []', env: [] }, { text: 'secrets: []', values: { a: 10n } }, { text: 'secrets: []', identity: cyclic }];

  const report = api.agentSync({ text: 'secrets: []\n', now: NOW }).report;
  /** Good arguments of each function; each position is replaced by each bad value in turn. */
  const FNS = {
    parseSecretfile: ['secrets: []\n', {}],
    validateSecretfile: ['secrets: []\n', {}],
    classifySecret: [{ name: 'a', kind: 'uuid' }, {}],
    generateSecret: ['uuid', {}],
    generateSecrets: ['uuid', 3, {}],
    targetFiles: [{ text: 'secrets: []\n' }],
    planScripts: [{ text: 'secrets: []\n' }],
    agentSync: [{ text: 'secrets: []\n' }],
    formatReport: [report, {}],
    formatDiagnostics: ['S.yml', [], {}],
    collectIdentity: [{}],
  };

  test('every exported function throws SecretZeroError, never anything else', async () => {
    let calls = 0;
    const kinds = new Map();
    for (const mod of [api, loadCjs()]) {
      for (const [name, good] of Object.entries(FNS)) {
        mod[name](...good); // the good arguments work
        for (let pos = 0; pos < good.length; pos++) {
          for (const bad of BAD) {
            const args = [...good];
            args[pos] = bad;
            calls++;
            try {
              mod[name](...args);
            } catch (e) {
              let shown;
              try {
                shown = typeof bad === 'symbol' ? 'a symbol' : String(bad);
              } catch {
                shown = 'an object without a prototype';
              }
              assert.ok(mod.isSecretZeroError(e), `${name}(arg ${pos} = ${shown}) threw ${e?.name}: ${e?.message}`);
              assert.ok(e instanceof Error && typeof e.code === 'string');
              kinds.set(e.code, (kinds.get(e.code) ?? 0) + 1);
            }
          }
        }
      }
      assert.equal(mod.version().length > 0, true, 'the instance still answers');
    }
    // syncProject: options checked before any file is touched.
    const dir = tempDir('sz-types-');
    for (const bad of BAD.slice(1)) {
      const plain = typeof bad === 'object' && bad !== null && !Array.isArray(bad);
      await assert.rejects(api.syncProject(plain ? { cwd: dir, ...bad } : bad), (e) => api.isSecretZeroError(e));
      calls++;
    }
    for (const bad of [-1, 'x', NaN, Infinity, '5']) {
      await assert.rejects(api.syncProject({ cwd: dir, lockTimeout: bad }), { code: 'USAGE' });
    }
    assert.deepEqual(fs.readdirSync(dir), [], 'nothing written');
    assert.ok(calls > 500, `${calls}`);
    console.log(`wrong types: ${calls} calls, every failure a SecretZeroError (${[...kinds].map(([k, n]) => `${k}: ${n}`).join(', ')})`);
  });
});
