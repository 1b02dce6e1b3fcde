// Every local target format written by the installed CLI and read back by a standard parser:
// dotenv (npm dotenv; python-dotenv), JSON (JSON.parse), YAML (PyYAML safe_load), TOML
// (tomllib). Hostile values — spaces, both quotes, `#`, `$` and `${...}`, backslashes,
// newlines, tabs, non-ASCII — reach the secrets through UPPER_NAME variables (so the
// Secretfile's own interpolation does not touch them) and must come back unchanged.
// (scripts/dotenv-roundtrip.* and scripts/formats-roundtrip.py, run by `make test-formats`,
// check the encoders on ~600 values, tfvars through Terraform included; this checks the CLI's
// path: merge into files, atomic writes.)

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';

import { cli, oraclePython, root, tempDir } from './helpers.mjs';

const CASES = JSON.parse(fs.readFileSync(path.join(root, 'scripts/dotenv-roundtrip.cases.json'), 'utf8')).cases;

// Up to four values of the cases file for each character class (no NUL: not in an environment).
const CLASSES = [' ', '"', "'", '#', '$', '${', '\\', '\n', '\t', '=', '`', 'é', 'ü', '\u00a0', '\u2028', '😀'];
const picked = [];
for (const ch of CLASSES) {
  for (const c of CASES.filter((c) => c.value.includes(ch) && !c.value.includes('\0')).slice(0, 4)) {
    if (!picked.includes(c)) picked.push(c);
  }
}
const FORMATS = [
  ['.env', 'dotenv'],
  ['out.json', 'json'],
  ['out.yaml', 'yaml'],
  ['out.toml', 'toml'],
];

function python() {
  for (const p of [oraclePython, 'python3']) {
    const r = spawnSync(p, ['-c', 'import sys, dotenv, yaml, tomllib'], { encoding: 'utf8' });
    if (r.status === 0) return p;
  }
  return undefined;
}
const py = python();

const READ_PY = `
import json, sys, tomllib, yaml
from dotenv import dotenv_values
d = sys.argv[1]
out = {
  "dotenv": dotenv_values(d + "/.env", interpolate=False),
  "yaml": yaml.safe_load(open(d + "/out.yaml", encoding="utf-8")),
  "toml": tomllib.load(open(d + "/out.toml", "rb")),
}
json.dump(out, sys.stdout)
`;

describe('target formats read back by standard parsers (CLI end to end)', () => {
  const dir = tempDir('sz-formats-');
  const secrets = picked.map((c, i) => {
    const targets = FORMATS.map(([p, format]) => `      - {provider: local, kind: file, config: {path: ${p}, format: ${format}, key: K${i}}}`);
    return `  - name: v${i}\n    kind: random_password\n    targets:\n${targets.join('\n')}`;
  });
  // Existing entries must survive the merge.
  fs.writeFileSync(path.join(dir, '.env'), '# keep this comment\nEXISTING=keep me\n');
  fs.writeFileSync(path.join(dir, 'out.json'), '{"existing": "keep me"}\n');
  fs.writeFileSync(path.join(dir, 'out.yaml'), '# comment\nexisting: keep me\n');
  fs.writeFileSync(path.join(dir, 'out.toml'), '# comment\nexisting = "keep me"\n');
  fs.writeFileSync(path.join(dir, 'Secretfile.yml'), `secrets:\n${secrets.join('\n')}\n`);
  const env = Object.fromEntries(picked.map((c, i) => [`V${i}`, c.value]));
  const run = cli(['agent', 'sync', '--json'], { cwd: dir, env });
  const expected = Object.fromEntries(picked.map((c, i) => [`K${i}`, c.value]));

  test('the sync stored every value', () => {
    assert.equal(run.status, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.equal(report.synced_secrets.length, picked.length);
    assert.deepEqual(report.failed_secrets, {});
    assert.ok(picked.length >= 30, `${picked.length} values`);
    for (const ch of CLASSES) assert.ok(picked.some((c) => c.value.includes(ch)), `a value with ${JSON.stringify(ch)}`);
  });

  test('JSON.parse', () => {
    const doc = JSON.parse(fs.readFileSync(path.join(dir, 'out.json'), 'utf8'));
    assert.deepEqual(doc, { existing: 'keep me', ...expected });
  });

  test('npm dotenv (every value its documented table promises)', async () => {
    const { parse } = await import('dotenv');
    const read = parse(fs.readFileSync(path.join(dir, '.env'), 'utf8'));
    assert.equal(read.EXISTING, 'keep me');
    let promised = 0;
    picked.forEach((c, i) => {
      if (!c.npm) return;
      promised += 1;
      assert.equal(read[`K${i}`], c.value, `K${i} (${c.encoding})`);
    });
    assert.ok(promised >= 20, `${promised} values checked`);
  });

  test('python-dotenv, PyYAML and tomllib', { skip: py ? false : 'no Python >= 3.11 with python-dotenv and PyYAML (run `make setup`, or pip install python-dotenv PyYAML)' }, () => {
    const r = spawnSync(py, ['-c', READ_PY, dir], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const read = JSON.parse(r.stdout);
    for (const f of ['dotenv', 'yaml', 'toml']) {
      const want = { ...expected, [f === 'dotenv' ? 'EXISTING' : 'existing']: 'keep me' };
      assert.deepEqual(read[f], want, f);
    }
    assert.ok(fs.readFileSync(path.join(dir, '.env'), 'utf8').startsWith('# keep this comment\n'));
  });
});
