// The human hand-off: `startHandoff()` of the installed package (ESM and CommonJS) and the
// `secretzero agent handoff` command, end to end — in headless Chromium (Debian's
// /usr/bin/chromium through playwright-core) and with raw HTTP: the page shows the
// instructions, takes a value, stores it in the target file and the lockfile, works once,
// refuses cross-site posts from a real browser and expires. Also the step classifier.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';

import { assertSecurityHeaders, csrfOf, parseDotenv, postForm, request } from './agent-helpers.mjs';
import { bin, cli, loadCjs, loadEsm, tempDir, tempProject } from './helpers.mjs';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const noBrowser = fs.existsSync(CHROMIUM) ? false : `${CHROMIUM} not found (run \`make setup\`)`;

const env = (dir) => parseDotenv(fs.readFileSync(path.join(dir, '.env'), 'utf8'));
const lock = (dir) => JSON.parse(fs.readFileSync(path.join(dir, '.gitsecrets.lock'), 'utf8'));

describe('classifyStep', () => {
  let api;
  before(async () => {
    api = await loadEsm();
  });

  const cases = [
    // the seed's own examples
    ["curl -X POST https://api.example.com/v1/keys -H 'Authorization: Bearer $TOKEN'", 'command'],
    ['Visit https://dashboard.stripe.com/register', 'url', 'https://dashboard.stripe.com/register'],
    ['Navigate to Developers > API Keys', 'instruction'],
    ["Click 'Create secret key'", 'instruction'],
    ['Copy the key (starts with sk_)', 'instruction'],
    ['Open browser to https://console.example.com', 'url', 'https://console.example.com'],
    ['Click Settings → API Keys → Generate New Key', 'instruction'],
    // commands in their usual disguises
    ['gh auth token', 'command'],
    ['aws secretsmanager get-secret-value --secret-id prod/db', 'command'],
    ['$ make keys', 'command'],
    ['`openssl rand -hex 32`', 'command'],
    ['Run `npm run setup`', 'command'],
    ['Run: stripe login', 'command'],
    ['In a terminal, run ./scripts/bootstrap.sh', 'command'],
    ['Authenticate with `gh auth login` first', 'command'],
    ['API_KEY=abc ./bin/fetch-key', 'command'],
    ['echo hello | sh', 'command'],
    ['Download the installer && run it', 'command'],
    ['Fetch the key with $(cat ~/.token)', 'command'],
    ['mytool create-key --name ci', 'command'],
    ['go to https://example.com/keys', 'url', 'https://example.com/keys'],
    ['https://example.com/settings/tokens.', 'url', 'https://example.com/settings/tokens'],
    ['go run ./cmd/keygen', 'command'],
    // sentences that are not commands
    ['Set the callback URL to http://localhost:3000/auth/callback', 'instruction'],
    ['Run the setup wizard in the dashboard', 'instruction'],
    ['Wait for the confirmation e-mail', 'instruction'],
    ['Ask your team lead for access', 'instruction'],
    ['', 'instruction'],
  ];
  for (const [action, kind, url] of cases) {
    test(`${JSON.stringify(action)} -> ${kind}`, () => {
      const c = api.classifyStep(action);
      assert.equal(c.kind, kind);
      assert.equal(c.url, url);
      assert.equal(api.stepKind(action), kind);
    });
  }
  test('CommonJS exports the same classifier and notice', () => {
    const cjs = loadCjs();
    assert.equal(cjs.stepKind('gh auth token'), 'command');
    assert.equal(cjs.STEP_TRUST_NOTICE, api.STEP_TRUST_NOTICE);
  });
});

describe('startHandoff (package API)', () => {
  test('ESM: eligibility errors name the problem', async () => {
    const { startHandoff, isSecretZeroError } = await loadEsm();
    const dir = tempProject();
    const code = (p) =>
      p.then(
        () => 'resolved',
        (e) => (isSecretZeroError(e) ? e.code : String(e)),
      );
    assert.equal(await code(startHandoff({ cwd: dir, name: 'nope' })), 'UNKNOWN_REFERENCE');
    assert.equal(await code(startHandoff({ cwd: dir, name: 'database_password' })), 'USAGE');
    assert.equal(await code(startHandoff({ cwd: dir, name: 'stripe_api_key', expiresInSeconds: 0 })), 'USAGE');
    assert.equal(await code(startHandoff({ cwd: dir })), 'USAGE');
    assert.deepEqual(fs.readdirSync(dir), ['Secretfile.yml'], 'nothing written');
  });

  test('CommonJS: two hand-offs finishing together both land (syncs are serialised)', async () => {
    const { startHandoff } = loadCjs();
    const dir = tempProject();
    const a = await startHandoff({ cwd: dir, name: 'stripe_api_key', lingerSeconds: 0 });
    const b = await startHandoff({ cwd: dir, name: 'github_oauth_client_secret', lingerSeconds: 0 });
    assert.notEqual(a.url, b.url);
    assert.equal(a.instructions.automation_level, 'manual_only');
    const [pa, pb] = await Promise.all([request(a.url), request(b.url)]);
    const stripe = 'sk_test_Concurrent1234';
    const github = 'gho_concurrent_value_5678';
    const [ra, rb] = await Promise.all([
      postForm(a.url, { csrf: csrfOf(pa.body), value: stripe }),
      // JSON is accepted too (for scripted clients), with the same checks.
      request(b.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', origin: new URL(b.url).origin },
        body: JSON.stringify({ csrf: csrfOf(pb.body), value: github }),
      }),
    ]);
    assert.equal(ra.status, 200);
    assert.equal(rb.status, 200);
    assert.deepEqual(JSON.parse(rb.body), { status: 'stored', message: 'The value of github_oauth_client_secret was stored. You can close this page.' });
    const oa = await a.done;
    assert.equal(oa.status, 'stored');
    assert.equal(oa.name, 'stripe_api_key');
    assert.ok(oa.files.some((f) => f.path === '.env' && f.role === 'target'));
    assert.ok(oa.files.some((f) => f.path === '.gitsecrets.lock' && f.role === 'lockfile'));
    assert.equal((await b.done).status, 'stored');
    const e = env(dir);
    assert.equal(e.STRIPE_API_KEY, stripe);
    assert.equal(e.GITHUB_OAUTH_CLIENT_SECRET, github);
    assert.ok(e.DATABASE_PASSWORD, 'the storing sync also synced the automatic secrets');
    const l = lock(dir);
    for (const n of ['stripe_api_key', 'github_oauth_client_secret', 'database_password']) assert.ok(l.secrets[n], n);
    await Promise.all([a.close(), b.close()]);
  });

  test('an invalid value is refused with the reason and can be corrected; attempts are limited', async () => {
    const { startHandoff } = await loadEsm();
    const dir = tempProject();
    const h = await startHandoff({ cwd: dir, name: 'stripe_api_key', maxAttempts: 2, lingerSeconds: 1 });
    // Plain `fetch` (no Origin, no Sec-Fetch-Site: not a browser) works like any client.
    const page = await fetch(h.url);
    assert.equal(page.status, 200);
    assertSecurityHeaders(Object.fromEntries(page.headers));
    const r1 = await fetch(h.url, {
      method: 'POST',
      body: new URLSearchParams({ csrf: csrfOf(await page.text()), value: 'not-a-stripe-key' }),
    }).then(async (r) => ({ status: r.status, body: await r.text() }));
    assert.equal(r1.status, 422);
    assert.match(r1.body, /does not match|validation/i);
    assert.ok(!r1.body.includes('not-a-stripe-key'));
    assert.equal(h.status(), 'waiting');
    const r2 = await postForm(h.url, { csrf: csrfOf(r1.body), value: 'still-not-a-key' });
    assert.equal(r2.status, 422);
    const outcome = await h.done;
    assert.equal(outcome.status, 'failed');
    assert.ok(!JSON.stringify(outcome).includes('still-not-a-key'));
    assert.equal((await request(h.url)).status, 410);
    assert.ok(!fs.existsSync(path.join(dir, '.env')), 'nothing stored');
    await h.close();
  });

  test('close() cancels', async () => {
    const { startHandoff } = await loadEsm();
    const h = await startHandoff({ cwd: tempProject(), name: 'stripe_api_key' });
    await h.close();
    assert.equal(h.status(), 'cancelled');
    assert.equal((await h.done).status, 'cancelled');
    await assert.rejects(request(h.url), { code: 'ECONNREFUSED' });
  });
});

/** Spawn `secretzero agent handoff … --json`; resolves once the "started" line is read. */
function startCli(dir, args) {
  const child = spawn(bin, ['agent', 'handoff', ...args, '--json'], {
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines = [];
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const rl = createInterface({ input: child.stdout });
  const exited = new Promise((resolve) => child.on('close', (code) => resolve(code)));
  const first = new Promise((resolve, reject) => {
    rl.on('line', (l) => {
      lines.push(JSON.parse(l));
      if (lines.length === 1) resolve(lines[0]);
    });
    child.on('close', () => reject(new Error(`exited before starting: ${stderr}`)));
  });
  return { child, first, lines, exited, stderr: () => stderr };
}

async function browser() {
  const { chromium } = await import('playwright-core');
  return chromium.launchPersistentContext(tempDir('sz-chromium-'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

describe('secretzero agent handoff in Chromium', { skip: noBrowser }, () => {
  let ctx;
  before(async () => {
    ctx = await browser();
  });
  after(async () => {
    await ctx?.close();
  });

  test('a person reads the instructions, types the value, it is stored once', async () => {
    const dir = tempProject();
    const run = startCli(dir, ['stripe_api_key', '--expires', '2m']);
    const started = await run.first;
    assert.equal(started.event, 'started');
    assert.equal(started.name, 'stripe_api_key');
    assert.ok(Date.parse(started.expires_at) > Date.now() + 100_000);

    const page = await ctx.newPage();
    const cspViolations = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    const res = await page.goto(started.url);
    assert.equal(res.status(), 200);
    assert.equal(await page.title(), 'Enter stripe_api_key · SecretZero');
    const body = await page.textContent('body');
    assert.match(body, /Sign up for Stripe and generate API key/);
    assert.match(body, /Automation: Manual only – requires email verification/);
    assert.match(body, /Estimated time: 5-10 minutes/);
    assert.match(body, /Visit https:\/\/dashboard\.stripe\.com\/register/);
    assert.match(body, /never runs them/);
    assert.match(body, /local\/file: \.env \(key STRIPE_API_KEY\)/);
    assert.equal(await page.getAttribute('#value', 'type'), 'password');
    // The style sheet is allowed by its nonce: the page is styled, with no CSP violation.
    assert.equal(await page.$eval('body', (b) => getComputedStyle(b).maxWidth), '704px');

    // A wrong value first: the page says why and keeps the form.
    await page.fill('#value', 'pk_test_wrong');
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    assert.match(await page.textContent('[role=alert]'), /value for `stripe_api_key`/);
    assert.ok(!(await page.content()).includes('pk_test_wrong'));

    const value = 'sk_test_FromTheBrowser42';
    await page.fill('#value', value);
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    assert.match(await page.textContent('h1'), /Stored/);
    assert.equal(await run.exited, 0);
    const done = run.lines.at(-1);
    assert.equal(done.event, 'stored');
    assert.deepEqual(done.files.map((f) => f.path), ['.env', 'config.json', '.gitsecrets.lock']);
    assert.equal(env(dir).STRIPE_API_KEY, value);
    assert.ok(lock(dir).secrets.stripe_api_key.targets['local/file/.env']);
    const transcript = JSON.stringify(run.lines) + run.stderr();
    assert.ok(!transcript.includes(value), 'the command never prints the value');
    assert.deepEqual(cspViolations, []);

    // The second use: the command has exited, the link is dead.
    const again = await page.goto(started.url).then(
      (r) => r.status(),
      (e) => (/ERR_CONNECTION_REFUSED/.test(e.message) ? 'refused' : e.message),
    );
    assert.equal(again, 'refused');
    await page.close();
  });

  test('a cross-site form post from another page is refused by the server', async () => {
    const { startHandoff } = await loadEsm();
    const dir = tempProject();
    const h = await startHandoff({ cwd: dir, name: 'stripe_api_key' });
    const page = await ctx.newPage();
    await page.goto(h.url);
    const csrf = await page.getAttribute('input[name=csrf]', 'value');
    // An attacker page on another origin that knows the URL and even a valid CSRF token.
    const evil = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' }).end(
        `<!doctype html><title>evil</title><form id=f method=post action="${h.url}">` +
          `<input name=csrf value="${csrf}"><input name=value value="sk_test_Attacker123"></form>` +
          `<script>document.getElementById('f').submit()</script>`,
      );
    });
    await new Promise((r) => evil.listen(0, '127.0.0.1', r));
    try {
      const evilUrl = `http://localhost:${evil.address().port}/`;
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.url() === h.url && r.request().method() === 'POST'),
        page.goto(evilUrl),
      ]);
      assert.equal(response.status(), 403);
      assert.equal(h.status(), 'waiting');
      assert.ok(!fs.existsSync(path.join(dir, '.env')));
    } finally {
      evil.close();
      await h.close();
      await page.close();
    }
  });
});

describe('secretzero agent handoff (command)', () => {
  test('the link expires: exit 1, nothing stored', async () => {
    const dir = tempProject();
    const run = startCli(dir, ['github_oauth_client_secret', '--expires', '1']);
    const started = await run.first;
    assert.equal((await request(started.url)).status, 200);
    assert.equal(await run.exited, 1);
    assert.equal(run.lines.at(-1).event, 'expired');
    await assert.rejects(request(started.url), { code: 'ECONNREFUSED' });
    assert.ok(!fs.existsSync(path.join(dir, '.env')));
  });

  test('usage errors exit 2; an unknown secret exits 1', () => {
    const dir = tempProject();
    assert.equal(cli(['agent', 'handoff'], { cwd: dir }).status, 2);
    assert.equal(cli(['agent', 'handoff', 'stripe_api_key', '--expires', '2d'], { cwd: dir }).status, 2);
    assert.equal(cli(['agent', 'handoff', 'a', 'b'], { cwd: dir }).status, 2);
    const r = cli(['agent', 'handoff', 'nope', '--json'], { cwd: dir });
    assert.equal(r.status, 1);
    assert.equal(JSON.parse(r.stdout).error.code, 'UNKNOWN_REFERENCE');
    const help = cli(['agent', 'handoff', '--help'], { cwd: dir });
    assert.equal(help.status, 0);
    assert.match(help.stdout, /^Usage: secretzero agent handoff/);
    assert.match(help.stdout, /--allow-outside-root/);
  });

  test('options are checked like the other commands: did-you-mean, a missing -f, --json errors', () => {
    const dir = tempProject();
    const typo = cli(['agent', 'handoff', 'stripe_api_key', '--expire', '10m'], { cwd: dir });
    assert.equal(typo.status, 2);
    assert.match(typo.stderr, /No such option: --expire\. Did you mean '--expires'\?/);
    const missing = cli(['agent', 'handoff', 'stripe_api_key', '-f', 'nope.yml'], { cwd: dir });
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /Invalid value for '-f' \/ '--file': Path 'nope\.yml' does not exist\./);
    const json = cli(['agent', 'handoff', '--json'], { cwd: dir });
    assert.equal(json.status, 2);
    assert.equal(JSON.parse(json.stdout).error.code, 'USAGE');
    assert.equal(cli(['agent', 'handoff', '--version'], { cwd: dir }).status, 0);
  });

  test('a lockfile outside the project is refused unless --allow-outside-root', async () => {
    const dir = tempProject();
    const refused = cli(['agent', 'handoff', 'stripe_api_key', '-l', '../x.lock', '--json'], { cwd: dir });
    assert.equal(refused.status, 1, refused.stderr);
    assert.equal(JSON.parse(refused.stdout).error.code, 'PATH_OUTSIDE_ROOT');
    const run = startCli(dir, ['stripe_api_key', '-l', '../x.lock', '--allow-outside-root']);
    const started = await run.first;
    assert.equal(started.event, 'started');
    assert.equal((await request(started.url)).status, 200);
    run.child.kill('SIGINT');
    assert.equal(await run.exited, 1);
    assert.equal(run.lines.at(-1).event, 'cancelled');
    assert.ok(!fs.existsSync(path.join(dir, '..', 'x.lock')), 'nothing was stored');
  });
});
