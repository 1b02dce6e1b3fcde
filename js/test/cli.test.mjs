// The `secretzero` bin as installed from the packed tarball: help, version, validate, exit
// codes and the purity of --json (stdout is exactly one JSON document, errors included).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';

import { bin, cli, pkgJson, tempProject } from './helpers.mjs';

/** stdout must be exactly one JSON document (JSON.parse refuses trailing text). */
function oneJson(r) {
  assert.ok(r.stdout.endsWith('\n'), 'ends with a newline');
  let doc;
  assert.doesNotThrow(() => {
    doc = JSON.parse(r.stdout);
  }, `stdout is not one JSON document:\n${r.stdout}`);
  return doc;
}

function errorDoc(r, code) {
  const doc = oneJson(r);
  assert.deepEqual(Object.keys(doc.error), ['code', 'message', 'line', 'column']);
  if (code) assert.equal(doc.error.code, code);
  assert.ok(Array.isArray(doc.diagnostics));
  return doc;
}

const INVALID = 'secrets:\n  - name: ok\n    kind: uuid\n  - name: broken\n    knd: static\n';

describe('secretzero CLI', () => {
  test('--version prints the package version', () => {
    const r = cli(['--version']);
    assert.equal(r.status, 0);
    assert.equal(r.stdout, `secretzero, version ${pkgJson.version} (@secretzero/agent)\n`);
    assert.equal(r.stderr, '');
  });

  for (const args of [
    ['--help'],
    ['-h'],
    ['agent', '--help'],
    ['agent', 'sync', '--help'],
    ['agent', 'sync', '-h'],
    ['agent', 'instructions', '--help'],
    ['agent', 'instructions', '-h'],
    ['validate', '--help'],
    ['validate', '-h'],
    ['schema', '--help'],
    ['schema', '-h'],
  ]) {
    test(`${args.join(' ')} prints usage on stdout and exits 0`, () => {
      const r = cli(args);
      assert.equal(r.status, 0);
      assert.match(r.stdout, /^Usage: secretzero/);
      assert.equal(r.stderr, '');
    });
  }

  for (const args of [
    ['agent', '--version'],
    ['agent', 'sync', '--version'],
    ['agent', 'instructions', '--version'],
    ['validate', '--version'],
    ['schema', '--version'],
  ]) {
    test(`${args.join(' ')} prints the version`, () => {
      const r = cli(args);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, `secretzero, version ${pkgJson.version} (@secretzero/agent)\n`);
    });
  }

  test('every help names its commands and the --version / --help options', () => {
    const root = cli(['--help']).stdout;
    for (const c of ['agent', 'schema', 'validate']) assert.match(root, new RegExp(`^  ${c} `, 'm'));
    const agent = cli(['agent', '--help']).stdout;
    for (const c of ['sync', 'instructions']) assert.match(agent, new RegExp(`^  ${c} `, 'm'));
    for (const args of [['agent', 'sync'], ['agent', 'instructions'], ['validate'], ['schema'], ['agent']]) {
      const h = cli([...args, '--help']).stdout;
      assert.match(h, /--version/, args.join(' '));
      assert.match(h, /-h, --help/, args.join(' '));
    }
    const instr = cli(['agent', 'instructions', '--help']).stdout;
    for (const opt of ['-f, --file', '-l, --lockfile', '-v, --var-file', '-e, --environment', '-s, --secret', '--all', '--detailed', '--format', '--json']) {
      assert.ok(instr.includes(opt), opt);
    }
  });

  test('agent sync --help documents every option and the exit codes', () => {
    const { stdout } = cli(['agent', 'sync', '--help']);
    for (const opt of ['-f, --file', '-l, --lockfile', '-v, --var-file', '-e, --environment', '--dry-run', '--json', '--interactive', '--no-refresh', '--allow-scripts', '--fail-on']) {
      assert.ok(stdout.includes(opt), opt);
    }
    assert.match(stdout, /Exit status/);
  });

  for (const [args, why] of [
    [[], 'no command'],
    [['nope'], 'unknown command'],
    [['agent'], 'agent without a subcommand'],
    [['agent', 'nope'], 'unknown agent subcommand'],
    [['agent', 'sync', '--bogus'], 'unknown option'],
    [['agent', 'sync', 'extra'], 'stray argument'],
    [['agent', 'sync', '--fail-on', 'sometimes'], 'bad --fail-on value'],
    [['validate', '--format', 'yaml'], 'bad --format value'],
    [['agent', 'instructions', '--format', 'yaml'], 'bad instructions --format value'],
    [['agent', 'instructions', '-s'], 'option without its value'],
    [['schema', 'extra'], 'schema with an argument'],
  ]) {
    test(`usage error (${why}) exits 2 with the usage on stderr`, () => {
      const dir = tempProject();
      const r = cli(args, { cwd: dir });
      assert.equal(r.status, 2);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^Usage: secretzero/);
      assert.match(r.stderr, /Error: /);
    });
  }

  for (const [args, message] of [
    [['agent', 'snyc'], /No such command 'snyc'\. Did you mean 'sync'\?/],
    [['agnet', 'sync'], /No such command 'agnet'\. Did you mean 'agent'\?/],
    [['agent', 'sync', '--dryrun'], /No such option: --dryrun\. Did you mean '--dry-run'\?/],
    [['agent', 'sync', '-f'], /Option '-f, --file' requires a value\./],
    [['agent', 'sync', '--json=yes'], /Option '--json' does not take a value\./],
    [['agent', 'sync', 'now'], /Got unexpected extra argument \(now\)/],
    [['agent', '--dry-run'], /Options go after the command/],
    [[], /Missing command: try 'secretzero agent sync'/],
  ]) {
    test(`usage error says what to do: ${args.join(' ') || '(no arguments)'}`, () => {
      const r = cli(args, { cwd: tempProject() });
      assert.equal(r.status, 2);
      assert.match(r.stderr, message);
      assert.match(r.stderr, /Try 'secretzero[^']*--help' for help\./);
    });
  }

  test('usage errors under --json: one JSON document, code USAGE, exit 2', () => {
    const dir = tempProject();
    for (const args of [
      ['agent', 'sync', '--json', '--bogus'],
      ['agent', 'sync', '--json', '-f', 'missing.yml'],
      ['validate', '--json', '-f', 'missing.yml'],
      ['validate', '--format', 'json', '-f', 'missing.yml'],
      ['agent', 'instructions', '--json', '--bogus'],
      ['agent', 'instructions', '--format', 'json', '-f', 'missing.yml'],
    ]) {
      const r = cli(args, { cwd: dir });
      assert.equal(r.status, 2, args.join(' '));
      errorDoc(r, 'USAGE');
    }
  });

  test('a missing -f file is a usage error (exit 2), like the reference CLI', () => {
    const dir = tempProject();
    const r = cli(['agent', 'sync', '-f', 'nope.yml'], { cwd: dir });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /Path 'nope\.yml' does not exist/);
    // The default Secretfile.yml missing too; and a directory is not a Secretfile.
    const empty = tempProject(null);
    assert.equal(cli(['agent', 'sync'], { cwd: empty }).status, 2);
    assert.equal(cli(['validate'], { cwd: empty }).status, 2);
    fs.mkdirSync(path.join(empty, 'Secretfile.yml'));
    assert.equal(cli(['agent', 'sync'], { cwd: empty }).status, 2);
    assert.equal(cli(['agent', 'sync', '-v', 'nope.szvar'], { cwd: dir }).status, 2);
  });

  test('validate: a valid Secretfile exits 0', () => {
    const dir = tempProject();
    const r = cli(['validate'], { cwd: dir });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Secretfile is valid/);
    assert.match(r.stdout, /Secrets: 6/);
  });

  test('validate: an invalid Secretfile exits 1 with FILE:LINE:COL diagnostics on stderr', () => {
    const dir = tempProject(null);
    fs.writeFileSync(path.join(dir, 'broken.yml'), INVALID);
    const r = cli(['validate', '-f', 'broken.yml'], { cwd: dir });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^broken\.yml:4:5: error\[MISSING_FIELD\]: /m);
    assert.match(r.stderr, /^broken\.yml:5:5: warning\[UNKNOWN_KEY\]: /m);
    assert.match(r.stderr, /^ {2}hint: /m);
    assert.doesNotMatch(r.stderr, /\u001b\[/, 'no colour when NO_COLOR is set');
  });

  test('validate --json: exactly one document, valid or not', () => {
    const dir = tempProject();
    const ok = cli(['validate', '--json'], { cwd: dir });
    assert.equal(ok.status, 0);
    const doc = oneJson(ok);
    assert.equal(doc.valid, true);
    assert.equal(doc.file, 'Secretfile.yml');
    assert.equal(doc.config.secrets_count, 6);
    assert.equal(ok.stderr, '');

    fs.writeFileSync(path.join(dir, 'broken.yml'), INVALID);
    const bad = cli(['validate', '--json', '-f', 'broken.yml'], { cwd: dir });
    assert.equal(bad.status, 1);
    const e = errorDoc(bad, 'MISSING_FIELD');
    assert.equal(e.valid, false);
    assert.equal(e.error.line, 4);
    assert.equal(e.error.column, 5);
    assert.deepEqual(
      e.diagnostics.map((d) => [d.code, d.severity]),
      [
        ['MISSING_FIELD', 'error'],
        ['UNKNOWN_KEY', 'warning'],
      ],
    );
    assert.equal(bad.stderr, '');
  });

  test('agent sync --json: exactly one JSON document whatever happens', () => {
    const dir = tempProject();
    fs.writeFileSync(path.join(dir, 'broken.yml'), INVALID);
    for (const args of [
      ['agent', 'sync', '--json', '--dry-run'],
      ['agent', 'sync', '--json', '-f', 'broken.yml'],
    ]) {
      const r = cli(args, { cwd: dir });
      assert.ok(r.status === 0 || r.status === 1, `${args.join(' ')}: exit ${r.status}`);
      const doc = oneJson(r);
      if (r.status === 1) errorDoc(r);
      else assert.equal(typeof doc.status, 'string');
    }
  });

  test('a reader that stops early is not an error (EPIPE)', async () => {
    const dir = tempProject();
    const child = spawn(bin, ['validate', '--json'], { cwd: dir, env: { PATH: process.env.PATH } });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise((resolve) => child.on('close', resolve));
    assert.equal(code, 0);
    assert.equal(stderr, '');
  });

  test('agent sync on an invalid Secretfile exits 1 and writes nothing', () => {
    const dir = tempProject(null);
    fs.writeFileSync(path.join(dir, 'Secretfile.yml'), INVALID);
    const r = cli(['agent', 'sync'], { cwd: dir });
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^Secretfile\.yml/m);
    assert.deepEqual(fs.readdirSync(dir), ['Secretfile.yml']);
  });
});
