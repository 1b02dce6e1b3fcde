// Nothing outside the project is touched (real core, real files, through the CLI and
// syncProject): targets, lockfiles (`-l`, a lane's `lockfile`) and a lane's `var_files` that
// leave the project — by `../`, an absolute path, a symlinked file or a symlinked parent
// directory — are refused with PATH_OUTSIDE_ROOT unless allowed; secret files are created
// 0600 and existing files keep their mode; a symlinked target inside the project is followed,
// never silently.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';

import { cli, listFiles, loadEsm, tempDir } from './helpers.mjs';

const api = await loadEsm();

const target = (p) => `secrets:
  - name: token
    kind: random_string
    config: {length: 20}
    targets: [{provider: local, kind: file, config: {path: ${JSON.stringify(p)}}}]
`;

function project(text) {
  // Nested one level so that `..` stays inside a temporary directory we own.
  const outer = tempDir('sz-paths-');
  const dir = path.join(outer, 'project');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'Secretfile.yml'), text);
  return { outer, dir };
}

function assertRefused(r, label) {
  assert.equal(r.status, 1, `${label}: ${r.stdout}${r.stderr}`);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.error.code, 'PATH_OUTSIDE_ROOT', `${label}: ${r.stdout}`);
}

describe('paths outside the project', () => {
  test('a lockfile path outside (-l ../x, -l /abs) is refused unless allowed', () => {
    const { outer, dir } = project(target('.env'));
    for (const l of ['../x.lock', path.join(outer, 'abs.lock'), 'sub/../../y.lock']) {
      assertRefused(cli(['agent', 'sync', '--json', '-l', l], { cwd: dir }), `-l ${l}`);
    }
    assert.deepEqual(listFiles(outer), ['project/Secretfile.yml'], 'nothing written anywhere');
    const r = cli(['agent', 'sync', '--json', '-l', '../x.lock', '--allow-outside-root'], { cwd: dir });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(fs.existsSync(path.join(outer, 'x.lock')));
    assert.ok(!fs.existsSync(path.join(outer, 'x.lock.lock')), 'the project lock was released');
  });

  test('status and agent instructions refuse a lockfile outside unless allowed, like sync', () => {
    const { outer, dir } = project(target('.env'));
    for (const cmd of [['status'], ['agent', 'instructions']]) {
      assertRefused(cli([...cmd, '--json', '-l', '../x.lock'], { cwd: dir }), cmd.join(' '));
      const r = cli([...cmd, '--json', '-l', '../x.lock', '--allow-outside-root'], { cwd: dir });
      assert.equal(r.status, 0, `${cmd.join(' ')}: ${r.stdout}${r.stderr}`);
      JSON.parse(r.stdout);
    }
    assert.deepEqual(listFiles(outer), ['project/Secretfile.yml'], 'neither command writes');
  });

  test("a lane's lockfile or var file outside the project is refused before it is read", async () => {
    const { outer, dir } = project(`environments:
  default: prod
  profiles:
    prod:
      var_files: [../outside.szvar]
secrets: []
`);
    // A var file outside holding something a hostile Secretfile would like to print.
    fs.writeFileSync(path.join(outer, 'outside.szvar'), 'stolen: from-outside\n');
    await assert.rejects(api.syncProject({ cwd: dir, env: {} }), (e) => {
      assert.equal(e.code, 'PATH_OUTSIDE_ROOT');
      assert.match(e.message, /variable file `\.\.\/outside\.szvar`/);
      return true;
    });
    fs.writeFileSync(path.join(dir, 'Secretfile.yml'), `environments:
  default: prod
  profiles:
    prod:
      lockfile: ../../stolen.lock
${target('.env')}`);
    await assert.rejects(api.syncProject({ cwd: dir, env: {} }), { code: 'PATH_OUTSIDE_ROOT' });
    assert.deepEqual(listFiles(outer), ['outside.szvar', 'project/Secretfile.yml']);
  });

  test('targets outside: ../, absolute, a symlinked file, a symlinked parent directory', () => {
    const outside = tempDir('sz-paths-out-');
    for (const [label, p, setup] of [
      ['../', '../escape.env'],
      ['absolute', path.join(outside, 'abs.env')],
      ['symlinked file', 'link.env', (dir) => fs.symlinkSync(path.join(outside, 'via-link.env'), path.join(dir, 'link.env'))],
      ['symlinked parent', 'linkdir/app.env', (dir) => fs.symlinkSync(outside, path.join(dir, 'linkdir'))],
    ]) {
      const { outer, dir } = project(target(p));
      setup?.(dir);
      const r = cli(['agent', 'sync', '--json'], { cwd: dir });
      // The core refuses `../` and absolute paths itself (the secret fails with the reason);
      // symlinks are refused by the host before anything is written.
      const out = r.stdout;
      assert.match(out, /PATH_OUTSIDE_ROOT|outside the project|leaves the project/, `${label}: ${out}`);
      assert.deepEqual(fs.readdirSync(outside), [], `${label}: something was written outside`);
      assert.ok(!fs.existsSync(path.join(outer, 'escape.env')), label);
      assert.ok(!fs.existsSync(path.join(dir, '.gitsecrets.lock')) || !/token/.test(fs.readFileSync(path.join(dir, '.gitsecrets.lock'), 'utf8')), `${label}: recorded`);
    }
  });

  test('new secret files are 0600, existing files keep their mode', () => {
    const { dir } = project(`secrets:
  - name: a
    kind: uuid
    targets:
      - {provider: local, kind: file, config: {path: new.env}}
      - {provider: local, kind: file, config: {path: shared.env}}
`);
    fs.writeFileSync(path.join(dir, 'shared.env'), 'OTHER=1\n');
    fs.chmodSync(path.join(dir, 'shared.env'), 0o640);
    const r = cli(['agent', 'sync', '--json'], { cwd: dir });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(fs.statSync(path.join(dir, 'new.env')).mode & 0o777, 0o600);
    assert.equal(fs.statSync(path.join(dir, 'shared.env')).mode & 0o777, 0o640);
  });

  test('a symlinked target inside the project is followed, and says so', async () => {
    const { dir } = project(target('.env'));
    fs.mkdirSync(path.join(dir, 'real'));
    fs.writeFileSync(path.join(dir, 'real/.env'), 'OLD=1\n');
    fs.symlinkSync('real/.env', path.join(dir, '.env'));
    const r = cli(['agent', 'sync'], { cwd: dir });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /note: `\.env` is a symlink; wrote `.*real\/\.env`/);
    assert.ok(fs.lstatSync(path.join(dir, '.env')).isSymbolicLink(), 'the link is kept');
    assert.match(fs.readFileSync(path.join(dir, 'real/.env'), 'utf8'), /^OLD=1\ntoken=/);
    fs.writeFileSync(path.join(dir, 'Secretfile.yml'), target('.env').replace('token', 'token2'));
    const { files } = await api.syncProject({ cwd: dir, env: {} });
    const env = files.find((f) => f.path === '.env');
    assert.equal(env.followedSymlink, true);
    assert.equal(files.find((f) => f.role === 'lockfile').followedSymlink, false);
  });
});
