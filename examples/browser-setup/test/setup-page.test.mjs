// End-to-end test of the setup page as a person uses it, in headless Chromium (Debian's
// /usr/bin/chromium through playwright-core), against the packed package:
//
// 1. the page is built (esbuild) from the tarball's install and served on 127.0.0.1;
// 2. the quickstart Secretfile is loaded with the file picker: the generated secrets are
//    listed by name, the pending ones with their instructions (steps, prerequisites, time,
//    docs link);
// 3. a value that fails the secret's `validation` is refused with the core's reason; then the
//    pending values are entered (one with the button, one with Enter);
// 4. .env, config.json and the lockfile are downloaded: .env parses (npm dotenv) to exactly the
//    expected keys, with the entered values and generated values of the right form;
// 5. no secret value ever appears in the page's HTML or the console, and no request leaves
//    127.0.0.1;
// 6. a Secretfile with errors, pasted into the text box, shows its diagnostics with line numbers.
// Screenshots go to target/test-output/ (look at them).

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { parse as parseDotenv } from 'dotenv';

import { build } from '../build.mjs';
import { serve } from '../serve.mjs';
import { launch, skip } from '../../../js/test/surfaces/chromium.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const modules = path.join(root, 'target/consumer/node_modules');
const outDir = path.join(root, 'target/test-output');
const quickstart = path.join(root, 'examples/quickstart/Secretfile.yml');

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('browser setup page', { skip, timeout: 120_000 }, () => {
  let server;
  let browser;
  let page;
  let origin;
  const requests = [];
  const consoleText = [];

  before(async () => {
    assert.ok(fs.existsSync(path.join(modules, '@secretzero/agent/package.json')), 'run scripts/consumer.mjs first');
    const dist = path.join(root, 'target/surfaces/browser-setup');
    await build({ outDir: dist, modules: [modules] });
    server = await serve(dist);
    origin = `http://127.0.0.1:${server.address().port}`;
    browser = await launch();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => consoleText.push(m.text()));
    page.on('pageerror', (e) => consoleText.push(`pageerror: ${e.message}`));
    fs.mkdirSync(outDir, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    server?.close();
  });

  test('quickstart: synced names, pending instructions, values, downloads', async () => {
    await page.goto(`${origin}/`);
    await page.locator('#engine.ok').waitFor({ timeout: 30_000 });
    // Empty states before anything is loaded.
    assert.match(await page.locator('#summary').innerText(), /Load a Secretfile/);
    assert.match(await page.locator('#downloads').innerText(), /will appear here/);

    await page.setInputFiles('#secretfile-input', quickstart);
    await page.locator('#synced li').first().waitFor();
    assert.equal(await page.locator('#diagnostics').innerText(), 'No problems found.');
    assert.deepEqual(await page.locator('#synced li').allInnerTexts(), [
      'database_password',
      'session_secret',
      'instance_id',
      'app_name',
    ]);
    assert.equal(await page.locator('#summary').innerText(), '4 of 6 secrets ready, 2 need you.');
    const pending = page.locator('#pending > li');
    assert.deepEqual(await pending.evaluateAll((els) => els.map((e) => e.dataset.secret)), [
      'stripe_api_key',
      'github_oauth_client_secret',
    ]);

    // Instructions: steps as a checklist, time, level, docs link, prerequisites.
    const stripe = page.locator('li[data-secret="stripe_api_key"]');
    assert.match(await stripe.innerText(), /Sign up for Stripe and generate API key/);
    assert.equal(await stripe.locator('.steps input[type=checkbox]').count(), 4);
    assert.deepEqual(await stripe.locator('.steps label').allInnerTexts(), [
      '1. Visit https://dashboard.stripe.com/register',
      '2. Navigate to Developers > API Keys',
      "3. Click 'Create secret key'",
      '4. Copy the key (starts with sk_)',
    ]);
    assert.match(await stripe.locator('.meta').innerText(), /Estimated time: 5-10 minutes/);
    assert.match(await stripe.locator('.meta').innerText(), /manual only/);
    assert.equal(
      await stripe.getByRole('link', { name: 'Documentation for stripe_api_key' }).getAttribute('href'),
      'https://stripe.com/docs/keys',
    );
    assert.match(await stripe.locator('.rule').innerText(), /\^sk_\(test\|live\)_/);
    const github = page.locator('li[data-secret="github_oauth_client_secret"]');
    // Jinja in instructions is rendered by the core.
    assert.match(await github.innerText(), /Register a GitHub OAuth app for quickstart/);
    assert.deepEqual(await github.locator('.prereqs li').allInnerTexts(), ['A GitHub account with access to the organisation']);
    assert.match(await github.locator('.meta').innerText(), /Estimated time: 3 minutes/);
    // Ticking a step is kept across re-renders.
    await stripe.getByLabel('1. Visit https://dashboard.stripe.com/register').check();

    // A value that fails `validation`: refused with the core's reason, input cleared.
    const badValue = `pk_${randomBytes(6).toString('hex')}`;
    await page.getByLabel('Value of stripe_api_key', { exact: true }).fill(badValue);
    await stripe.getByRole('button', { name: 'Save value' }).click();
    await page.locator('li[data-secret="stripe_api_key"] .error').filter({ hasText: 'Not saved' }).waitFor();
    assert.match(await page.locator('li[data-secret="stripe_api_key"] .error').innerText(), /validation/);
    assert.equal(await page.getByLabel('Value of stripe_api_key', { exact: true }).inputValue(), '');
    assert.ok(await page.locator('li[data-secret="stripe_api_key"] .steps input').first().isChecked());
    await page.screenshot({ path: path.join(outDir, 'setup-page-refused.png'), fullPage: true });

    // The real values: one saved with the button, one with Enter.
    const stripeKey = `sk_test_${randomBytes(12).toString('hex')}`;
    const githubSecret = `gh${randomBytes(16).toString('hex')}`;
    await page.getByLabel('Value of stripe_api_key', { exact: true }).fill(stripeKey);
    await page.locator('li[data-secret="stripe_api_key"]').getByRole('button', { name: 'Save value' }).click();
    await page.locator('li[data-secret="stripe_api_key"]').waitFor({ state: 'detached' });
    assert.equal(await page.locator('#summary').innerText(), '5 of 6 secrets ready, 1 needs you.');
    const ghInput = page.getByLabel('Value of github_oauth_client_secret', { exact: true });
    // Focus moved to the next value to fill.
    assert.ok(await ghInput.evaluate((e) => e === document.activeElement));
    await ghInput.fill(githubSecret);
    await ghInput.press('Enter');
    await page.locator('#pending-box').waitFor({ state: 'hidden' });
    assert.equal(await page.locator('#summary').innerText(), 'All 6 secrets are ready. Download the files below.');
    assert.deepEqual(await page.locator('#synced li').allInnerTexts(), [
      'database_password',
      'session_secret',
      'instance_id',
      'app_name',
      'stripe_api_key',
      'github_oauth_client_secret',
    ]);
    await page.screenshot({ path: path.join(outDir, 'setup-page.png'), fullPage: true });

    // Downloads.
    const links = page.locator('#downloads a');
    assert.deepEqual(await links.evaluateAll((as) => as.map((a) => a.dataset.path)), [
      '.env',
      'config.json',
      '.gitsecrets.lock',
    ]);
    for (const href of await links.evaluateAll((as) => as.map((a) => a.href))) {
      assert.ok(href.startsWith(`blob:${origin}/`), href);
    }
    // Browsers rename dotfiles on download: the page says where each one goes.
    assert.equal(
      await page.locator('#downloads li', { has: page.locator('a[data-path=".env"]') }).locator('.save-as').innerText(),
      'save it as .env in your project',
    );
    async function download(p) {
      const [dl] = await Promise.all([
        page.waitForEvent('download'),
        page.locator(`#downloads a[data-path="${p}"]`).click(),
      ]);
      return fs.readFileSync(await dl.path(), 'utf8');
    }
    const env = parseDotenv(await download('.env'));
    assert.deepEqual(Object.keys(env).sort(), [
      'DATABASE_PASSWORD',
      'GITHUB_OAUTH_CLIENT_SECRET',
      'SESSION_SECRET',
      'STRIPE_API_KEY',
    ]);
    assert.equal(env.STRIPE_API_KEY, stripeKey);
    assert.equal(env.GITHUB_OAUTH_CLIENT_SECRET, githubSecret);
    // random_password, length 32, special: false -> letters and digits only.
    assert.match(env.DATABASE_PASSWORD, /^[A-Za-z0-9]{32}$/);
    // random_string, length 64, charset hex.
    assert.match(env.SESSION_SECRET, /^[0-9a-f]{64}$/);
    const config = JSON.parse(await download('config.json'));
    assert.deepEqual(Object.keys(config).sort(), ['app_name', 'instance_id', 'session_secret']);
    assert.match(config.instance_id, UUID_V4);
    assert.equal(config.session_secret, env.SESSION_SECRET);
    assert.equal(config.app_name, 'quickstart');
    const lock = await download('.gitsecrets.lock');
    const lockDoc = JSON.parse(lock);
    assert.equal(typeof lockDoc, 'object');
    for (const name of ['database_password', 'stripe_api_key', 'github_oauth_client_secret', 'instance_id']) {
      assert.ok(lock.includes(`"${name}"`), `${name} is recorded in the lockfile`);
    }

    // No value anywhere in the page, its attributes or the console; nothing left 127.0.0.1.
    const values = [stripeKey, githubSecret, badValue, env.DATABASE_PASSWORD, env.SESSION_SECRET, config.instance_id];
    const html = await page.content();
    const attrs = await page.evaluate(() =>
      [...document.querySelectorAll('*')].flatMap((e) => [...e.attributes].map((a) => a.value)).join('\n'),
    );
    for (const v of values) {
      assert.ok(!html.includes(v), 'a secret value is in the page HTML');
      assert.ok(!attrs.includes(v), 'a secret value is in a DOM attribute');
      assert.ok(!lock.includes(v), 'a secret value is in the lockfile');
      assert.ok(!consoleText.some((t) => t.includes(v)), 'a secret value went to the console');
    }
    assert.deepEqual(consoleText, []);
    assert.ok(requests.length >= 4);
    for (const url of requests) {
      assert.ok(url.startsWith(`${origin}/`) || url.startsWith(`blob:${origin}/`), `request left the page's origin: ${url}`);
    }
  });

  test('a Secretfile with errors: diagnostics with their line numbers', async () => {
    const broken = [
      'secrets:', //                      1
      '  - name: a', //                   2
      '    kind: random_password', //     3
      '    config:', //                   4
      '      length: "24"', //            5  wrong type
      '  - name: b', //                   6  no kind
      '    knd: static', //               7  unknown key
      '',
    ].join('\n');
    await page.locator('#paste-box summary').click();
    await page.getByLabel('Secretfile text').fill(broken);
    await page.getByRole('button', { name: 'Use this text' }).click();
    await page.locator('#diagnostics li').first().waitFor();
    const items = await page.locator('#diagnostics li').evaluateAll((els) =>
      els.map((e) => ({
        line: Number(e.dataset.line),
        severity: e.classList.contains('warning') ? 'warning' : 'error',
        code: e.querySelector('.code')?.textContent?.trim(),
        where: e.querySelector('.where')?.textContent,
      })),
    );
    assert.deepEqual(items, [
      { line: 5, severity: 'error', code: 'WRONG_TYPE', where: 'Line 5, column 15: ' },
      { line: 6, severity: 'error', code: 'MISSING_FIELD', where: 'Line 6, column 5: ' },
      { line: 7, severity: 'warning', code: 'UNKNOWN_KEY', where: 'Line 7, column 5: ' },
    ]);
    assert.match(await page.locator('#diagnostics').innerText(), /2 errors to fix, 1 warning/);
    assert.match(await page.locator('#diagnostics').innerText(), /Hint: /);
    assert.match(await page.locator('#summary').innerText(), /Nothing was set up: the Secretfile has 2 errors/);
    assert.ok(await page.locator('#synced-box').isHidden());
    assert.match(await page.locator('#downloads').innerText(), /Fix the Secretfile first/);
    await page.screenshot({ path: path.join(outDir, 'setup-page-errors.png'), fullPage: true });
    for (const url of requests) {
      assert.ok(url.startsWith(`${origin}/`) || url.startsWith(`blob:${origin}/`), `request left the page's origin: ${url}`);
    }
  });
});
