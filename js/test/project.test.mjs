// syncProject()'s host side — reading what the core asks for, applying its writes safely —
// tested against a scripted core, so it does not depend on the planner's progress. The
// scripted core replaces the real one behind the same internal bridge (pkg/dist/core.js).

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeEach, describe, test } from 'node:test';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

import { tempDir, root } from './helpers.mjs';

const dist = path.join(root, 'pkg/dist');
const node = await import(pathToFileURL(path.join(dist, 'node.js')).href);
const core = await import(pathToFileURL(path.join(dist, 'core.js')).href);
const realCall = createRequire(import.meta.url)(path.join(root, 'pkg/wasm/agent.cjs')).call;

const REPORT = { status: 'complete', synced_secrets: ['a'], warnings: [] };

/** A scripted core: records requests, answers from `plan`. */
function scripted(plan) {
  const calls = [];
  core.setBackend((op, input) => {
    const req = JSON.parse(input);
    calls.push({ op, req });
    if (op === 'version') return JSON.stringify({ ok: { version: '9.9.9' } });
    if (op === 'target_files') {
      const laneRead = req.lane_var_files?.['lane.szvar'] !== undefined;
      return JSON.stringify({
        ok: {
          files: plan.files(laneRead),
          lockfile_path: plan.lockfile ?? '.gitsecrets.lock',
          local_lockfile_path: '.gitsecrets.local.lock',
          var_files: plan.laneVarFiles ?? [],
        },
      });
    }
    if (op === 'plan_scripts' && !plan.realScripts) {
      return JSON.stringify({ ok: { scripts: [] } });
    }
    if (op === 'sync') {
      if (plan.error) return JSON.stringify({ error: plan.error });
      return JSON.stringify({ ok: { report: { ...REPORT, dry_run: req.dry_run === true }, writes: req.dry_run ? [] : plan.writes } });
    }
    return realCall(op, input);
  });
  return calls;
}

let dir;
const p = (...xs) => path.join(dir, ...xs);
const mode = (f) => fs.statSync(f).mode & 0o777;
const umask = process.umask();

beforeEach(() => {
  dir = tempDir('sz-project-');
  fs.writeFileSync(p('Secretfile.yml'), 'secrets: []\n');
});

describe('syncProject host side', () => {
  test('reads what the core asks for and passes it in', async () => {
    fs.writeFileSync(p('.env'), 'OLD=1\n');
    fs.writeFileSync(p('.gitsecrets.lock'), '{"version": "1.0"}');
    fs.writeFileSync(p('dev.szvar'), 'x: 1\n');
    const calls = scripted({ files: () => ['.env', 'missing/app.json'], writes: [] });
    const r = await node.syncProject({
      cwd: dir,
      varFiles: ['dev.szvar'],
      env: { HOME: '/h', EMPTY: undefined },
      now: '2026-01-02T03:04:05.000Z',
      environment: 'dev',
      lockfilePath: '.gitsecrets.lock',
      allowScripts: true,
      refresh: false,
    });
    assert.deepEqual(r.report.synced_secrets, ['a']);
    const sync = calls.find((c) => c.op === 'sync').req;
    assert.equal(sync.text, 'secrets: []\n');
    assert.equal(sync.secretfile_path, 'Secretfile.yml');
    assert.deepEqual(sync.files, { '.env': 'OLD=1\n', 'missing/app.json': null });
    assert.equal(sync.lockfile, '{"version": "1.0"}');
    assert.equal(sync.local_lockfile, undefined);
    assert.deepEqual(sync.var_files, [{ path: 'dev.szvar', text: 'x: 1\n' }]);
    assert.deepEqual(sync.env, { HOME: '/h' });
    assert.equal(sync.now, '2026-01-02T03:04:05.000Z');
    assert.equal(sync.environment, 'dev');
    assert.equal(sync.lockfile_path, '.gitsecrets.lock');
    assert.equal(sync.allow_scripts, true);
    assert.equal(sync.refresh, false);
    assert.equal(sync.dry_run, false);
    assert.equal(sync.identity.client, 'agent');
    assert.equal(sync.identity.secretzero_version, '9.9.9');
    for (const k of ['os_user', 'hostname', 'platform']) assert.equal(typeof sync.identity[k], 'string', k);
  });

  test('the lane\'s variable files are read and the plan asked again', async () => {
    fs.writeFileSync(p('lane.szvar'), 'dir: out\n');
    const calls = scripted({
      laneVarFiles: ['lane.szvar'],
      files: (laneRead) => (laneRead ? ['out/.env'] : ['.env']),
      writes: [],
    });
    await node.syncProject({ cwd: dir, env: {} });
    const sync = calls.find((c) => c.op === 'sync').req;
    assert.deepEqual(Object.keys(sync.files), ['out/.env']);
    assert.deepEqual(sync.lane_var_files, { 'lane.szvar': 'dir: out\n' });
    assert.deepEqual(sync.var_files, []);
    assert.equal(sync.cwd, fs.realpathSync(dir));
  });

  test('writes atomically: 0600 for secret files, parents created, targets then lockfile', async () => {
    scripted({
      files: () => ['.env', 'conf/app.json'],
      writes: [
        { path: '.env', contents: 'A=1\n', role: 'target', secret: true },
        { path: 'conf/deep/app.json', contents: '{}\n', role: 'target', secret: false },
        { path: '.gitsecrets.lock', contents: '{}', role: 'lockfile', secret: false },
      ],
    });
    const r = await node.syncProject({ cwd: dir, env: {} });
    assert.deepEqual(
      r.files.map((f) => [f.path, f.action, f.mode]),
      [
        ['.env', 'created', 0o600],
        ['conf/deep/app.json', 'created', 0o666 & ~umask],
        ['.gitsecrets.lock', 'created', 0o666 & ~umask],
      ],
    );
    assert.equal(fs.readFileSync(p('.env'), 'utf8'), 'A=1\n');
    assert.equal(mode(p('.env')), 0o600);
    assert.equal(r.files[0].realPath, fs.realpathSync(p('.env')));
    assert.ok(r.files.every((f) => !('contents' in f)));
    // No temporary files left behind.
    assert.deepEqual(fs.readdirSync(dir).sort(), ['.env', '.gitsecrets.lock', 'Secretfile.yml', 'conf']);
  });

  test('existing files keep their mode; identical bytes are left untouched; null deletes', async () => {
    fs.writeFileSync(p('.env'), 'OLD=1\n');
    fs.chmodSync(p('.env'), 0o640);
    fs.writeFileSync(p('same.txt'), 'same\n');
    const mtime = fs.statSync(p('same.txt')).mtimeMs;
    fs.writeFileSync(p('gone.txt'), 'x');
    scripted({
      files: () => ['.env', 'same.txt', 'gone.txt', 'never.txt'],
      writes: [
        { path: '.env', contents: 'NEW=2\n', role: 'target', secret: true },
        { path: 'same.txt', contents: 'same\n', role: 'target', secret: true },
        { path: 'gone.txt', contents: null, role: 'target', secret: false },
        { path: 'never.txt', contents: null, role: 'target', secret: false },
      ],
    });
    const r = await node.syncProject({ cwd: dir, env: {} });
    assert.deepEqual(r.files.map((f) => f.action), ['updated', 'unchanged', 'deleted', 'unchanged']);
    assert.equal(mode(p('.env')), 0o640);
    assert.equal(fs.readFileSync(p('.env'), 'utf8'), 'NEW=2\n');
    assert.equal(fs.statSync(p('same.txt')).mtimeMs, mtime);
    assert.equal(fs.existsSync(p('gone.txt')), false);
  });

  test('allowScripts: the host runs the needed scripts and passes their output', async () => {
    fs.writeFileSync(
      p('Secretfile.yml'),
      `secrets:
  - name: from_args
    kind: script
    config: {command: ${JSON.stringify(process.execPath)}, args: ["-e", "console.log('  out-1  ')"]}
  - name: from_shell
    kind: script
    config: {command: "printf 'out-2\\n'", shell: true}
  - name: recorded
    kind: script
    config: {command: /bin/false}
  - name: supplied
    kind: script
    config: {command: /bin/false}
  - name: broken
    kind: script
    config: {command: /bin/false}
`,
    );
    const at = '2026-01-01T00:00:00.000000+00:00';
    fs.writeFileSync(
      p('.gitsecrets.lock'),
      JSON.stringify({ version: '1.0', secrets: { recorded: { hash: 'ab', created_at: at, updated_at: at } } }),
    );
    let calls = scripted({ files: () => [], writes: [], realScripts: true });
    await node.syncProject({ cwd: dir, env: { SUPPLIED: 'x' }, allowScripts: true });
    const outputs = calls.find((c) => c.op === 'sync').req.script_outputs;
    assert.deepEqual(outputs, { from_args: 'out-1', from_shell: 'out-2' });
    // Not trusted, or a dry run: nothing runs.
    calls = scripted({ files: () => [], writes: [], realScripts: true });
    await node.syncProject({ cwd: dir, env: {} });
    await node.syncProject({ cwd: dir, env: {}, allowScripts: true, dryRun: true });
    assert.ok(calls.filter((c) => c.op === 'sync').every((c) => c.req.script_outputs === undefined));
  });

  test('dry-run writes nothing', async () => {
    scripted({ files: () => ['.env'], writes: [{ path: '.env', contents: 'A=1\n', role: 'target', secret: true }] });
    const r = await node.syncProject({ cwd: dir, env: {}, dryRun: true });
    assert.deepEqual(r.files, []);
    assert.equal(r.report.dry_run, true);
    assert.deepEqual(fs.readdirSync(dir), ['Secretfile.yml']);
  });

  test('symlinks leading out of the project are refused before anything is written', async () => {
    const outside = tempDir('sz-outside-');
    fs.symlinkSync(path.join(outside, 'x.env'), p('.env')); // dangling, outside
    fs.symlinkSync(outside, p('linkdir')); // a parent directory out
    for (const target of ['.env', 'linkdir/app.env', '../escape.env']) {
      scripted({
        files: () => ['ok.env', target],
        writes: [
          { path: 'ok.env', contents: 'A=1\n', role: 'target', secret: true },
          { path: target, contents: 'B=2\n', role: 'target', secret: true },
        ],
      });
      await assert.rejects(node.syncProject({ cwd: dir, env: {} }), (e) => {
        assert.ok(node.isSecretZeroError(e));
        assert.equal(e.code, 'PATH_OUTSIDE_ROOT');
        assert.equal(e.diagnostics[0].code, 'PATH_OUTSIDE_ROOT');
        return true;
      });
      assert.equal(fs.existsSync(p('ok.env')), false, 'nothing written');
    }
    assert.deepEqual(fs.readdirSync(outside), []);
    assert.equal(fs.existsSync(path.join(path.dirname(dir), 'escape.env')), false);
  });

  test('allowOutsideRoot lets a symlink out be followed', async () => {
    const outside = tempDir('sz-outside-');
    fs.symlinkSync(path.join(outside, 'x.env'), p('.env'));
    scripted({ files: () => ['.env'], writes: [{ path: '.env', contents: 'A=1\n', role: 'target', secret: true }] });
    await node.syncProject({ cwd: dir, env: {}, allowOutsideRoot: true });
    assert.equal(fs.readFileSync(path.join(outside, 'x.env'), 'utf8'), 'A=1\n');
    assert.ok(fs.lstatSync(p('.env')).isSymbolicLink());
  });

  test('symlinks inside the project are followed and kept', async () => {
    fs.mkdirSync(p('real'));
    fs.writeFileSync(p('real/.env'), 'OLD=1\n');
    fs.symlinkSync('real/.env', p('.env'));
    fs.symlinkSync('real', p('alias'));
    const calls = scripted({
      files: () => ['.env', 'alias/new.env'],
      writes: [
        { path: '.env', contents: 'A=1\n', role: 'target', secret: true },
        { path: 'alias/new.env', contents: 'B=2\n', role: 'target', secret: true },
      ],
    });
    await node.syncProject({ cwd: dir, env: {} });
    assert.equal(calls.find((c) => c.op === 'sync').req.files['.env'], 'OLD=1\n');
    assert.ok(fs.lstatSync(p('.env')).isSymbolicLink());
    assert.equal(fs.readFileSync(p('real/.env'), 'utf8'), 'A=1\n');
    assert.equal(fs.readFileSync(p('real/new.env'), 'utf8'), 'B=2\n');
    assert.equal(mode(p('real/new.env')), 0o600);
  });

  test('errors: a missing Secretfile is IO, an error envelope keeps code and diagnostics', async () => {
    scripted({ files: () => [], writes: [] });
    await assert.rejects(node.syncProject({ cwd: dir, file: 'nope.yml', env: {} }), { code: 'IO' });
    await assert.rejects(node.syncProject({ cwd: dir, varFiles: ['nope.szvar'], env: {} }), { code: 'IO' });
    scripted({
      files: () => [],
      error: { code: 'MISSING_FIELD', message: 'missing `kind`', line: 3, column: 5, diagnostics: [{ code: 'MISSING_FIELD', severity: 'error', message: 'missing `kind`', line: 3, column: 5 }] },
    });
    await assert.rejects(node.syncProject({ cwd: dir, env: {} }), (e) => {
      assert.ok(e instanceof node.SecretZeroError);
      assert.deepEqual([e.code, e.line, e.column, e.diagnostics.length], ['MISSING_FIELD', 3, 5, 1]);
      return true;
    });
    await assert.rejects(node.syncProject({ cwd: dir, dry_run: true }), { code: 'USAGE' });
    await assert.rejects(node.syncProject({ cwd: dir, varFiles: 'x' }), { code: 'USAGE' });
  });

  test('a core that traps is reported as INTERNAL and not used again', () => {
    core.setBackend(() => {
      throw new WebAssembly.RuntimeError('unreachable');
    });
    assert.throws(() => node.version(), { code: 'INTERNAL' });
    assert.throws(() => node.version(), (e) => e.code === 'INTERNAL' && /crashed earlier/.test(e.message));
  });
});

describe('collectIdentity', () => {
  test('reference keys, CI detection, no empty fields, no git unless asked', () => {
    scripted({ files: () => [], writes: [] });
    const id = node.collectIdentity({
      env: { USER: 'ci-bot', GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'o/r', GITHUB_RUN_ID: '7', GITHUB_SERVER_URL: 'https://github.com/', GITHUB_TOKEN: 'ghs_secret' },
    });
    assert.equal(id.client, 'agent');
    assert.equal(id.os_user, 'ci-bot');
    assert.equal(id.ci_system, 'github_actions');
    assert.equal(id.ci_run_url, 'https://github.com/o/r/actions/runs/7');
    assert.ok(!JSON.stringify(id).includes('ghs_secret'));
    assert.ok(!('git_user_name' in id));
    for (const v of Object.values(id)) assert.notEqual(v, '');
    assert.deepEqual(Object.keys(id).slice(0, 2), ['client', 'secretzero_version']);
  });
});
