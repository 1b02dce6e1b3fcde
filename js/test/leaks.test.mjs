// No value leaks, as a property, end to end: randomized projects (seeded) synced through the
// CLI (text and --json) and through syncProject, including failures mid-way (a target that
// is a directory, a target whose parent is a file, a JSON target that is not JSON),
// validation failures of supplied values,
// invalid Secretfiles, a corrupt lockfile and a held project lock. No generated or supplied
// value may appear on stdout, stderr, in a thrown error (message, JSON, util.inspect), in what
// syncProject returns, or in the lockfile. Generated values are read back from the target
// files; supplied ones come in through UPPER_NAME environment variables.
//
// SECRETZERO_LEAK_PROJECTS (default 16) sets the number of CLI projects.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { inspect } from 'node:util';
import { test } from 'node:test';

import { cli, loadEsm, tempDir } from './helpers.mjs';

const PROJECTS = Number(process.env.SECRETZERO_LEAK_PROJECTS ?? 16);
const api = await loadEsm();

let seed = 0x5eed;
const rnd = () => {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return seed / 2 ** 32;
};
const below = (n) => Math.floor(rnd() * n);
const value = (tag) => {
  const A = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  return tag + Array.from({ length: 18 }, () => A[below(A.length)]).join('');
};

const FILES = [
  ['.env', 'dotenv'],
  ['config/app.json', 'json'],
  ['conf.yml', 'yaml'],
  ['broken.json', 'json'],
  ['dir.env', 'dotenv'],
  ['blocked/x.env', 'dotenv'],
];

function makeProject() {
  const dir = tempDir('sz-leak-');
  const env = {};
  const supplied = [];
  const secrets = [];
  let text = 'variables:\n  region: eu-west-1\nsecrets:\n';
  const n = 1 + below(5);
  for (let i = 0; i < n; i++) {
    const name = `s${i}_${['db', 'api', 'jwt'][below(3)]}`;
    const kind = ['random_password', 'random_string', 'uuid', 'static', 'static-validated'][below(5)];
    const config = {
      random_password: `{length: ${12 + below(20)}, special: ${rnd() < 0.5}}`,
      random_string: `{length: ${12 + below(20)}}`,
      uuid: '{}',
      static: '{}',
      'static-validated': "{validation: '^[a-z]+$'}",
    }[kind];
    text += `  - name: ${name}\n    kind: ${kind.replace('-validated', '')}\n    config: ${config}\n`;
    if (kind.startsWith('static')) {
      text += '    agent_instructions:\n      summary: Get {{ secret_name }} for ${region}\n      steps: [{action: ask, description: "into {{ target.path }}"}]\n';
      if (rnd() < 0.7) {
        const v = value(kind === 'static-validated' ? 'BAD9' : 'sv');
        env[name.toUpperCase()] = v;
        supplied.push(v);
      }
    }
    const paths = [];
    for (let k = 0; k < 1 + below(2); k++) {
      const [p] = FILES[below(rnd() < 0.9 ? 3 : FILES.length)];
      if (paths.includes(p)) continue;
      paths.push(p);
    }
    text += `    targets:\n${paths.map((p) => `      - {provider: local, kind: file, config: {path: ${p}, format: ${FILES.find((f) => f[0] === p)[1]}}}\n`).join('')}`;
    secrets.push({ name, paths });
  }
  // Failures: a target that is a directory (refused when read), a target whose parent is a
  // file (the write fails mid-way, after the targets before it), a JSON file that is not JSON.
  fs.mkdirSync(path.join(dir, 'dir.env'));
  fs.writeFileSync(path.join(dir, 'blocked'), 'a file, not a directory\n');
  fs.writeFileSync(path.join(dir, 'broken.json'), '{not json');
  if (rnd() < 0.15) text += '  - {name: bad, kind: random_password, config: {length: "x"}}\n';
  if (rnd() < 0.1) fs.writeFileSync(path.join(dir, '.gitsecrets.lock'), '{"version": 5}');
  fs.writeFileSync(path.join(dir, 'Secretfile.yml'), text);
  return { dir, env, supplied, secrets };
}

/** Values found in the project's target files for its secrets. */
function writtenValues(p) {
  const out = [];
  for (const { name, paths } of p.secrets) {
    for (const f of paths) {
      let text;
      try {
        text = fs.readFileSync(path.join(p.dir, f), 'utf8');
      } catch {
        continue;
      }
      if (f.endsWith('.json')) {
        try {
          const v = JSON.parse(text)[name];
          if (typeof v === 'string') out.push(v);
        } catch {
          // not JSON (the broken one)
        }
      } else {
        const m = new RegExp(`^${name}[=:] ?"?([^"\\n]*)"?$`, 'm').exec(text);
        if (m) out.push(m[1]);
      }
    }
  }
  return out.filter((v) => v.length >= 12);
}

function assertClean(what, haystack, values, p) {
  for (const v of values) {
    assert.ok(!haystack.includes(v), `a value leaked into ${what}:\n${fs.readFileSync(path.join(p.dir, 'Secretfile.yml'), 'utf8')}\n${haystack.slice(0, 3000)}`);
  }
}

test(`no value leaks through the CLI over ${PROJECTS} random projects`, { timeout: 300_000 }, () => {
  let checked = 0;
  let failures = 0;
  for (let i = 0; i < PROJECTS; i++) {
    const p = makeProject();
    const outputs = [];
    for (const args of [['agent', 'sync'], ['agent', 'sync', '--json'], ['agent', 'sync', '--dry-run'], ['validate']]) {
      const r = cli(args, { cwd: p.dir, env: p.env });
      outputs.push([`${args.join(' ')} stdout`, r.stdout], [`${args.join(' ')} stderr`, r.stderr]);
      if (r.status !== 0) failures++;
    }
    const values = [...p.supplied, ...writtenValues(p)];
    for (const [what, text] of outputs) assertClean(what, text, values, p);
    for (const lock of ['.gitsecrets.lock', '.gitsecrets.local.lock']) {
      const f = path.join(p.dir, lock);
      if (fs.existsSync(f)) assertClean(lock, fs.readFileSync(f, 'utf8'), values, p);
    }
    checked += values.length;
  }
  console.log(`leaks (CLI): ${PROJECTS} projects x 4 commands, ${checked} values checked against stdout, stderr and lockfiles, ${failures} commands failed on purpose; none leaked`);
  assert.ok(checked > PROJECTS);
});

test('no value leaks through syncProject: results, thrown errors, a held lock', async () => {
  let checked = 0;
  for (let i = 0; i < 40; i++) {
    const p = makeProject();
    let shown;
    try {
      const r = await api.syncProject({ cwd: p.dir, env: p.env });
      shown = [inspect(r, { depth: null }), JSON.stringify(r), api.formatReport(r.report), api.formatDiagnostics('S.yml', r.report.warnings ?? [])];
    } catch (e) {
      assert.ok(api.isSecretZeroError(e), String(e));
      shown = [e.message, e.stack, JSON.stringify(e), inspect(e, { depth: null }), api.formatDiagnostics('S.yml', e.diagnostics)];
    }
    const values = [...p.supplied, ...writtenValues(p)];
    for (const s of shown) assertClean('syncProject output', s, values, p);
    checked += values.length;
    // The same project while another sync holds the lock: LOCKED, no value in the error.
    fs.writeFileSync(path.join(p.dir, '.gitsecrets.lock.lock'), JSON.stringify({ pid: 1, hostname: 'other.example', created: new Date().toISOString(), nonce: 'x' }));
    await assert.rejects(api.syncProject({ cwd: p.dir, env: p.env, lockTimeout: 0 }), (e) => {
      if (e.code !== 'LOCKED') assert.ok(['INVALID_LOCKFILE', 'WRONG_TYPE'].includes(e.code), e.code);
      assertClean('LOCKED error', inspect(e, { depth: null }), values, p);
      return true;
    });
  }
  assert.ok(checked > 40);
});
