// `secretzero agent sync --interactive` through a real pseudo-terminal (js/test/pty-driver.py,
// Python's `pty` module): values typed are stored in their targets and the lockfile, never
// shown (the terminal transcript holds no value), refused with the reason when they fail
// `validation`; skip, "not now" and quit work; Ctrl-C and the end of input leave every file
// byte for byte as it was. Also without a terminal (answers piped in) and the usage error
// with --json.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';

import { bin, cli, root, snapshot, tempProject } from './helpers.mjs';

const DRIVER = path.join(root, 'js/test/pty-driver.py');
const python = spawnSync('python3', ['-c', 'import pty, termios'], { encoding: 'utf8' });
const noPty =
  python.status === 0 && process.platform !== 'win32'
    ? false
    : 'needs python3 with the pty module (POSIX) to drive a pseudo-terminal';

const STRIPE = 'sk_test_Pty0123456789Secret';
const GITHUB = 'gh-oauth client "secret" #1 ünïcode';

/** Run the CLI on a pseudo-terminal, typing `steps`. */
function onTerminal(dir, args, steps, env = {}) {
  const job = {
    argv: [bin, ...args],
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', TERM: 'xterm', ...env },
    steps,
    timeout: 20,
  };
  const r = spawnSync('python3', [DRIVER], { input: JSON.stringify(job), encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.error, null, `${out.error}\n--- transcript ---\n${out.transcript}`);
  return out;
}

const question = (name) => ({ expect: `value for '${name}'\\? \\[y/N/s\\(kip\\)/q\\(uit\\)\\] ` });
const hidden = (name) => ({ expect: `Enter the value for '${name}'( again)? \\(input hidden` });

/** Values of a dotenv file, read with npm dotenv (a standard parser). */
async function readDotenv(p) {
  const { parse } = await import('dotenv');
  return parse(fs.readFileSync(p, 'utf8'));
}

const sha256 = (s) => createHash('sha256').update(s, 'utf8').digest('hex');

function lockfile(dir) {
  return JSON.parse(fs.readFileSync(path.join(dir, '.gitsecrets.lock'), 'utf8'));
}

describe('agent sync --interactive on a terminal', { skip: noPty }, () => {
  test('typed values are stored in targets and lockfile, never shown', async () => {
    const dir = tempProject();
    const r = onTerminal(
      dir,
      ['agent', 'sync', '--interactive'],
      [
        { ...question('stripe_api_key'), send: 'y\r' },
        // Editing works: a typo, Backspace, then the rest.
        { ...hidden('stripe_api_key'), send: `${STRIPE.slice(0, 10)}X\x7f${STRIPE.slice(10)}\r` },
        { expect: 'Value received for stripe_api_key' },
        { ...question('github_oauth_client_secret'), send: 'yes\r' },
        { ...hidden('github_oauth_client_secret'), send: `${GITHUB}\r` },
      ],
    );
    assert.equal(r.status, 0, r.transcript);
    // The conversation shows each secret's instructions before its question.
    assert.ok(r.transcript.indexOf('Summary: Sign up for Stripe') < r.transcript.indexOf("value for 'stripe_api_key'?"));
    // Nothing typed as a value reached the terminal (raw mode, no echo, no `*`).
    for (const v of [STRIPE, GITHUB, STRIPE.slice(0, 10), 'ünïcode', '"secret"']) {
      assert.ok(!r.transcript.includes(v), `the terminal showed ${JSON.stringify(v)}`);
    }
    assert.ok(!/\*{4}/.test(r.transcript), 'no masking stars either');
    assert.match(r.transcript, /Successfully synced 6 secret\(s\)/);
    assert.doesNotMatch(r.transcript, /require manual intervention/);

    const env = await readDotenv(path.join(dir, '.env'));
    assert.equal(env.STRIPE_API_KEY, STRIPE);
    const lock = lockfile(dir);
    assert.equal(lock.secrets.stripe_api_key.hash, sha256(STRIPE));
    assert.equal(lock.secrets.stripe_api_key.targets['local/file/.env'], sha256(STRIPE));
    assert.equal(lock.secrets.github_oauth_client_secret.hash, sha256(GITHUB));
    for (const f of fs.readdirSync(dir).filter((f) => !f.startsWith('.env'))) {
      const text = fs.readFileSync(path.join(dir, f), 'utf8');
      assert.ok(!text.includes(STRIPE) && !text.includes(GITHUB), `${f} holds a value`);
    }

    // The next run finds them synced and asks nothing.
    const again = cli(['agent', 'sync', '--json'], { cwd: dir });
    const report = JSON.parse(again.stdout);
    assert.deepEqual(report.pending_secrets, {});
    assert.ok(report.already_synced.includes('stripe_api_key'));
    assert.ok(report.already_synced.includes('github_oauth_client_secret'));
  });

  test('a value failing `validation` is refused with the reason (not the value) and asked again', async () => {
    const dir = tempProject();
    const bad = ['pk_live_wrong_prefix_1', 'sk_test_has space', 'nope-again'];
    const r = onTerminal(
      dir,
      ['agent', 'sync', '--interactive'],
      [
        { ...question('stripe_api_key'), send: 'y\r' },
        { ...hidden('stripe_api_key'), send: `${bad[0]}\r` },
        { expect: 'does not match', ...hidden('stripe_api_key'), send: `${bad[1]}\r` },
        { ...hidden('stripe_api_key'), send: `${bad[2]}\r` },
        { expect: "'stripe_api_key' stays pending" },
        { ...question('github_oauth_client_secret'), send: 'n\r' },
      ],
    );
    assert.equal(r.status, 0, r.transcript);
    assert.match(r.transcript, /✗ the value does not match the secret's `validation` pattern/);
    assert.match(r.transcript, /It must match `\^sk_\(test\|live\)_\[A-Za-z0-9\]\+\$`/);
    for (const v of bad) assert.ok(!r.transcript.includes(v), `showed ${v}`);
    const env = await readDotenv(path.join(dir, '.env'));
    assert.equal(env.STRIPE_API_KEY, undefined);
    assert.ok(env.DATABASE_PASSWORD.length > 0, 'the automatic secrets are still synced');
    assert.equal(lockfile(dir).secrets.stripe_api_key, undefined);
    assert.match(r.transcript, /require manual intervention/);
  });

  test('a refused value can be corrected on the next try', async () => {
    const dir = tempProject();
    const r = onTerminal(
      dir,
      ['agent', 'sync', '--interactive'],
      [
        { ...question('stripe_api_key'), send: 'y\r' },
        { ...hidden('stripe_api_key'), send: 'wrong\r' },
        { ...hidden('stripe_api_key'), send: `${STRIPE}\r` },
        { expect: 'Value received for stripe_api_key' },
        { ...question('github_oauth_client_secret'), send: '\r' },
        { expect: "'github_oauth_client_secret' stays pending" },
      ],
    );
    assert.equal(r.status, 0, r.transcript);
    assert.equal((await readDotenv(path.join(dir, '.env'))).STRIPE_API_KEY, STRIPE);
  });

  test('skip and quit: those secrets stay pending, the others are stored', async () => {
    const dir = tempProject();
    const r = onTerminal(
      dir,
      ['agent', 'sync', '--interactive'],
      [
        { ...question('stripe_api_key'), send: 'maybe\r' },
        { expect: 'Please answer y, n, s or q', ...question('stripe_api_key'), send: 's\r' },
        { expect: "Skipped 'stripe_api_key'" },
        { ...question('github_oauth_client_secret'), send: 'q\r' },
        { expect: 'Stopped asking' },
      ],
    );
    assert.equal(r.status, 0, r.transcript);
    const report = JSON.parse(cli(['agent', 'sync', '--json', '--dry-run'], { cwd: dir }).stdout);
    assert.deepEqual(Object.keys(report.pending_secrets), ['stripe_api_key', 'github_oauth_client_secret']);
    assert.ok(report.already_synced.includes('database_password'));
  });

  test('quit keeps the values already entered', async () => {
    const dir = tempProject();
    const r = onTerminal(
      dir,
      ['agent', 'sync', '--interactive'],
      [
        { ...question('stripe_api_key'), send: 'y\r' },
        { ...hidden('stripe_api_key'), send: `${STRIPE}\r` },
        { ...question('github_oauth_client_secret'), send: 'q\r' },
      ],
    );
    assert.equal(r.status, 0, r.transcript);
    assert.equal((await readDotenv(path.join(dir, '.env'))).STRIPE_API_KEY, STRIPE);
    assert.equal(lockfile(dir).secrets.github_oauth_client_secret, undefined);
  });

  for (const [when, steps] of [
    ['at the first question', [{ ...question('stripe_api_key'), send: '\x03' }]],
    [
      'while typing a value, after another value was accepted',
      [
        { ...question('stripe_api_key'), send: 'y\r' },
        { ...hidden('stripe_api_key'), send: `${STRIPE}\r` },
        { ...question('github_oauth_client_secret'), send: 'y\r' },
        { ...hidden('github_oauth_client_secret'), send: 'half-typed\x03' },
      ],
    ],
  ]) {
    test(`Ctrl-C ${when} leaves every file as it was`, () => {
      const dir = tempProject();
      // A lockfile and a target that already exist must survive untouched too.
      fs.writeFileSync(path.join(dir, '.env'), 'KEEP=1\n');
      const before = snapshot(dir);
      const r = onTerminal(dir, ['agent', 'sync', '--interactive'], steps);
      assert.equal(r.status, 130, r.transcript);
      assert.match(r.transcript, /Aborted \(Ctrl-C\): nothing was written\./);
      assert.deepEqual(snapshot(dir), before);
      assert.ok(!r.transcript.includes(STRIPE) && !r.transcript.includes('half-typed'));
    });
  }

  test('Ctrl-D (end of input) at the value prompt leaves every file as it was', () => {
    const dir = tempProject();
    const before = snapshot(dir);
    const r = onTerminal(
      dir,
      ['agent', 'sync', '--interactive'],
      [
        { ...question('stripe_api_key'), send: 'y\r' },
        { ...hidden('stripe_api_key'), send: '\x04' },
      ],
    );
    assert.equal(r.status, 1, r.transcript);
    assert.match(r.transcript, /Aborted \(end of input\): nothing was written\./);
    assert.deepEqual(snapshot(dir), before);
  });

  test('the terminal is restored (echo back on) after the conversation', () => {
    const dir = tempProject();
    // `stty -a` after the CLI, in the same terminal: echo and canonical mode are on again.
    const sh = `${JSON.stringify(bin)} agent sync --interactive; stty -a`;
    const job = {
      argv: ['/bin/sh', '-c', sh],
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', TERM: 'xterm' },
      steps: [
        { ...question('stripe_api_key'), send: 's\r' },
        { ...question('github_oauth_client_secret'), send: 's\r' },
      ],
      timeout: 20,
    };
    const r = JSON.parse(spawnSync('python3', [DRIVER], { input: JSON.stringify(job), encoding: 'utf8' }).stdout);
    assert.equal(r.error, null, r.transcript);
    assert.match(r.transcript, /(^|\s)echo(\s|$)/m);
    assert.match(r.transcript, /(^|\s)icanon(\s|$)/m);
  });
});

describe('agent sync --interactive without a terminal', () => {
  test('answers piped in are used (and the value still never printed)', async () => {
    const dir = tempProject();
    const r = cli(['agent', 'sync', '--interactive'], { cwd: dir, input: `y\n${STRIPE}\ns\n` });
    assert.equal(r.status, 0, r.stderr);
    assert.equal((await readDotenv(path.join(dir, '.env'))).STRIPE_API_KEY, STRIPE);
    assert.ok(!r.stdout.includes(STRIPE) && !r.stderr.includes(STRIPE));
    // stdout is the report alone; the conversation went to stderr.
    assert.match(r.stdout, /^\n✅ Successfully synced/);
    assert.match(r.stderr, /Have you obtained the value for 'stripe_api_key'\?/);
  });

  test('the end of input before the last answer writes nothing', () => {
    const dir = tempProject();
    const before = snapshot(dir);
    for (const input of ['', 'y\n', `y\n${STRIPE}\n`]) {
      const r = cli(['agent', 'sync', '--interactive'], { cwd: dir, input });
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /Aborted \(end of input\): nothing was written\./);
      assert.deepEqual(snapshot(dir), before);
    }
  });

  test('--interactive --dry-run checks the answers and writes nothing', () => {
    const dir = tempProject();
    const before = snapshot(dir);
    const r = cli(['agent', 'sync', '--interactive', '--dry-run'], { cwd: dir, input: `y\n${STRIPE}\nn\n` });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /checked; --dry-run stores nothing/);
    assert.match(r.stdout, /Would sync 5 secret\(s\)[\s\S]*stripe_api_key/);
    assert.deepEqual(snapshot(dir), before);
  });

  test('nothing pending: no question is asked', () => {
    const dir = tempProject();
    const r = cli(['agent', 'sync', '--interactive'], {
      cwd: dir,
      input: '',
      env: { STRIPE_API_KEY: STRIPE, GITHUB_OAUTH_CLIENT_SECRET: 'x' },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /Have you obtained/);
  });

  test('with SZ_AGENT set nothing is asked, and it says why', () => {
    const dir = tempProject();
    const r = cli(['agent', 'sync', '--interactive', '--dry-run'], { cwd: dir, input: '', env: { SZ_AGENT: '1' } });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /SZ_AGENT is set/);
  });

  test('--interactive with --json is a usage error (exit 2) that says what to do', () => {
    const dir = tempProject();
    const before = snapshot(dir);
    const r = cli(['agent', 'sync', '--interactive', '--json'], { cwd: dir, input: 'y\n' });
    assert.equal(r.status, 2);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.error.code, 'USAGE');
    assert.match(doc.error.message, /--interactive cannot be used with --json.*UPPER_NAME/s);
    const human = cli(['agent', 'sync', '--json', '--interactive'], { cwd: dir });
    assert.equal(human.status, 2);
    assert.deepEqual(snapshot(dir), before);
  });
});
