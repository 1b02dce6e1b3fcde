// `secretzero mcp` driven by the official SDK's own client over stdio: the installed bin is
// spawned in a temporary copy of the quickstart. Tools are listed and called; results are
// checked; and no generated value (read back from the written files) nor lockfile hash may
// appear in any tool result or in the server's stderr. The hand-off is driven end to end through
// the tools: without elicitation (the link is in the result) and with URL-mode elicitation
// (the link goes to the "person" — this test — through the client, never into the result).

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import {
  ElicitRequestSchema,
  ElicitationCompleteNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';

import {
  assertNoneIn,
  assertSecurityHeaders,
  csrfOf,
  lockfileHashes,
  parseDotenv,
  postForm,
  request,
  writtenValues,
} from './agent-helpers.mjs';
import { bin, tempDir, tempProject } from './helpers.mjs';

/** Every tool result and every byte of stderr, checked for values at the end. */
const transcript = [];

async function connect(cwd, { capabilities = {}, args = [] } = {}) {
  const transport = new StdioClientTransport({
    command: bin,
    args: ['mcp', ...args],
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1' },
    stderr: 'pipe',
  });
  const stderr = [];
  transport.stderr.on('data', (d) => stderr.push(d));
  const client = new Client({ name: 'secretzero-test', version: '1.0.0' }, { capabilities });
  await client.connect(transport);
  return {
    client,
    stderr: () => Buffer.concat(stderr).toString('utf8'),
    async call(name, args = {}) {
      const r = await client.callTool({ name, arguments: args });
      transcript.push(JSON.stringify(r));
      return r;
    },
    async close() {
      await client.close();
      transcript.push(Buffer.concat(stderr).toString('utf8'));
    },
  };
}

function errorOf(r) {
  assert.equal(r.isError, true, 'an error result');
  const doc = JSON.parse(r.content[0].text);
  assert.deepEqual(Object.keys(doc.error), ['code', 'message', 'line', 'column']);
  return doc;
}

const TOOLS = ['handoff_status', 'list_pending_secrets', 'start_handoff', 'sync_secrets', 'validate_secretfile'];

describe('secretzero mcp (SDK client over stdio)', () => {
  let dir;
  let s;
  before(async () => {
    dir = tempProject();
    fs.mkdirSync(path.join(dir, 'broken'));
    fs.writeFileSync(
      path.join(dir, 'broken/Secretfile.yml'),
      'secrets:\n  - name: ok\n    kind: uuid\n  - name: bad\n    kind: random_password\n    config:\n      length: "24"\n',
    );
    s = await connect(dir);
  });
  after(async () => {
    await s?.close();
  });

  test('lists five tools, every input documented, with output schemas and annotations', async () => {
    const { tools } = await s.client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), TOOLS);
    for (const t of tools) {
      assert.ok(t.description.length > 150, `${t.name}: a description an agent can act on`);
      assert.equal(t.inputSchema.type, 'object');
      assert.equal(t.inputSchema.additionalProperties, false, `${t.name}: unknown arguments are refused`);
      for (const [k, p] of Object.entries(t.inputSchema.properties ?? {})) {
        assert.ok(typeof p.description === 'string' && p.description.length > 20, `${t.name}.${k} is described`);
        assert.ok(typeof p.type === 'string', `${t.name}.${k} has a type`);
      }
      assert.equal(t.outputSchema?.type, 'object', `${t.name}: output schema`);
      assert.equal(typeof t.annotations?.readOnlyHint, 'boolean');
    }
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    assert.deepEqual(byName.start_handoff.inputSchema.required, ['name']);
    assert.deepEqual(byName.handoff_status.inputSchema.required, ['handoff_id']);
    assert.equal(byName.sync_secrets.inputSchema.properties.dry_run.type, 'boolean');
    // Command-like steps are flagged in the descriptions themselves.
    for (const n of ['sync_secrets', 'list_pending_secrets']) {
      assert.match(byName[n].description, /commands for a person or an approved agent to run/);
    }
    // No tool takes a value.
    for (const t of tools) {
      assert.ok(!Object.keys(t.inputSchema.properties ?? {}).some((k) => /value|secret$|password|token/i.test(k)), t.name);
    }
  });

  test('the server says how to use it (initialize instructions)', () => {
    const text = s.client.getInstructions();
    assert.match(text, /start_handoff/);
    assert.match(text, /never/i);
  });

  test('validate_secretfile: the quickstart is valid', async () => {
    const r = await s.call('validate_secretfile');
    assert.equal(r.isError, undefined);
    assert.equal(r.structuredContent.valid, true);
    assert.equal(r.structuredContent.errors, 0);
    assert.equal(r.structuredContent.secretfile, 'Secretfile.yml');
  });

  test('validate_secretfile: a broken file gives diagnostics with line and column', async () => {
    const r = await s.call('validate_secretfile', { cwd: 'broken' });
    const doc = r.structuredContent;
    assert.equal(doc.valid, false);
    assert.equal(doc.project, 'broken');
    assert.ok(doc.errors >= 1);
    const e = doc.diagnostics.find((d) => d.severity === 'error');
    assert.equal(e.code, 'WRONG_TYPE');
    assert.equal(e.line, 7);
    assert.equal(e.column, 15);
    assert.equal(e.path, 'secrets[1].config.length');
    assert.ok(e.end_column > e.column);
  });

  test('sync_secrets on a broken file is an error result with the diagnostics', async () => {
    const doc = errorOf(await s.call('sync_secrets', { cwd: 'broken' }));
    assert.equal(doc.error.code, 'WRONG_TYPE');
    assert.equal(doc.error.line, 7);
    assert.ok(doc.diagnostics.some((d) => d.code === 'WRONG_TYPE' && d.line === 7));
    assert.ok(!fs.existsSync(path.join(dir, 'broken/.gitsecrets.lock')), 'nothing written');
  });

  test('sync_secrets dry_run: the plan, nothing written', async () => {
    const r = await s.call('sync_secrets', { dry_run: true });
    const doc = r.structuredContent;
    assert.equal(doc.dry_run, true);
    assert.equal(doc.status, 'pending_manual');
    assert.deepEqual(doc.synced, ['database_password', 'session_secret', 'instance_id', 'app_name']);
    assert.deepEqual(doc.files, []);
    assert.deepEqual(
      doc.pending.map((p) => p.name),
      ['stripe_api_key', 'github_oauth_client_secret'],
    );
    assert.deepEqual(fs.readdirSync(dir).sort(), ['Secretfile.yml', 'broken']);
    // The text block repeats the structured result for clients that only read text.
    assert.deepEqual(JSON.parse(r.content[0].text.slice(r.content[0].text.indexOf('\n') + 1)), doc);
  });

  test('list_pending_secrets: levels, step kinds, what to do next', async () => {
    const doc = (await s.call('list_pending_secrets')).structuredContent;
    const [stripe, github] = doc.pending;
    assert.equal(stripe.automation_level, 'manual_only');
    assert.equal(github.automation_level, 'semi_automated');
    assert.deepEqual(
      stripe.steps.map((x) => x.kind),
      ['url', 'instruction', 'instruction', 'instruction'],
    );
    assert.equal(stripe.steps[0].url, 'https://dashboard.stripe.com/register');
    assert.equal(stripe.documentation_url, 'https://stripe.com/docs/keys');
    // A URL inside an instruction ("Set the callback URL to …") is not a page to open.
    assert.deepEqual(
      github.steps.map((x) => x.kind),
      ['url', 'instruction', 'instruction'],
    );
    assert.match(github.summary, /quickstart/, 'rendered instructions');
    for (const p of doc.pending) assert.match(p.next, /start_handoff/);
    assert.match(doc.trust_notice, /never runs them/);
    assert.equal(doc.counts.requires_intervention, 2);
  });

  test('sync_secrets writes; a second run finds everything synced', async () => {
    const doc = (await s.call('sync_secrets')).structuredContent;
    assert.equal(doc.dry_run, false);
    assert.deepEqual(doc.synced, ['database_password', 'session_secret', 'instance_id', 'app_name']);
    assert.deepEqual(
      doc.files.map((f) => [f.path, f.role, f.action]),
      [
        ['.env', 'target', 'created'],
        ['config.json', 'target', 'created'],
        ['.gitsecrets.lock', 'lockfile', 'created'],
      ],
    );
    assert.ok(doc.details.every((d) => d.stored && d.targets.every((t) => t.status === 'stored')));
    assert.ok(!JSON.stringify(doc).includes('hash'), 'no hash field anywhere');
    const again = (await s.call('sync_secrets')).structuredContent;
    assert.deepEqual(again.synced, []);
    assert.deepEqual(again.already_synced, ['database_password', 'session_secret', 'instance_id', 'app_name']);
  });

  test('paths that leave the root and bad arguments are refused', async () => {
    const outside = tempDir();
    fs.copyFileSync(path.join(dir, 'Secretfile.yml'), path.join(outside, 'Secretfile.yml'));
    for (const args of [{ cwd: '..' }, { cwd: outside }, { file: `../../${path.basename(outside)}/Secretfile.yml`, cwd: 'broken' }]) {
      assert.equal(errorOf(await s.call('list_pending_secrets', args)).error.code, 'PATH_OUTSIDE_ROOT');
    }
    fs.symlinkSync(outside, path.join(dir, 'link-out'));
    assert.equal(errorOf(await s.call('sync_secrets', { cwd: 'link-out' })).error.code, 'PATH_OUTSIDE_ROOT');
    assert.ok(!fs.existsSync(path.join(outside, '.env')));
    fs.unlinkSync(path.join(dir, 'link-out'));
    assert.equal(errorOf(await s.call('sync_secrets', { dry_run: 'yes' })).error.code, 'USAGE');
    assert.equal(errorOf(await s.call('sync_secrets', { allow_scripts: true })).error.code, 'USAGE');
    assert.equal(errorOf(await s.call('start_handoff', {})).error.code, 'USAGE');
    assert.equal(errorOf(await s.call('start_handoff', { name: 'nope' })).error.code, 'UNKNOWN_REFERENCE');
    assert.equal(errorOf(await s.call('start_handoff', { name: 'database_password' })).error.code, 'USAGE');
    assert.equal(errorOf(await s.call('handoff_status', { handoff_id: 'nope' })).error.code, 'UNKNOWN_REFERENCE');
  });

  test('hand-off without elicitation: the link is in the result; stored once; foreign origins refused', async () => {
    const started = await s.call('start_handoff', { name: 'stripe_api_key', expires_in_seconds: 120 });
    const h = started.structuredContent;
    assert.equal(h.status, 'waiting');
    assert.equal(h.delivered, 'link');
    assert.match(h.url, /^http:\/\/127\.0\.0\.1:\d+\/h\/[A-Za-z0-9_-]{43}$/);
    assert.match(started.content[0].text, /give the person this link/);

    const page = await request(h.url);
    assert.equal(page.status, 200);
    assertSecurityHeaders(page.headers);
    assert.match(page.body, /stripe_api_key/);
    assert.match(page.body, /<span class="kind url">link<\/span><code>Visit https:\/\/dashboard\.stripe\.com\/register<\/code>/);
    assert.match(page.body, /type="password"/);
    const csrf = csrfOf(page.body);

    const value = `sk_test_${'Zq7'.repeat(8)}`;
    // Wrong Host (DNS rebinding), foreign Origin, cross-site fetch metadata, no CSRF token,
    // wrong content type, GET with the value: all refused, nothing stored.
    const port = new URL(h.url).port;
    assert.equal((await request(h.url, { headers: { host: `evil.example:${port}` } })).status, 403);
    assert.equal((await request(h.url, { headers: { host: `localhost:${port}` } })).status, 403);
    assert.equal((await postForm(h.url, { csrf, value }, { origin: 'http://evil.example' })).status, 403);
    assert.equal((await postForm(h.url, { csrf, value }, { origin: 'null' })).status, 403);
    assert.equal((await postForm(h.url, { csrf, value }, { origin: 'null', 'sec-fetch-site': 'cross-site' })).status, 403);
    assert.equal((await postForm(h.url, { csrf, value }, { 'sec-fetch-site': 'cross-site' })).status, 403);
    assert.equal((await postForm(h.url, { csrf, value }, { 'sec-fetch-site': 'same-site' })).status, 403);
    assert.equal((await postForm(h.url, { value })).status, 403);
    assert.equal((await postForm(h.url, { csrf: 'A'.repeat(43), value })).status, 403);
    assert.equal((await postForm(h.url, { csrf, value }, { 'content-type': 'text/plain' })).status, 415);
    assert.equal((await postForm(h.url, { csrf, value }, { 'content-type': 'multipart/form-data; boundary=x' })).status, 415);
    assert.equal((await request(`${h.url}?value=${value}`)).status, 200);
    assert.equal((await request(h.url, { method: 'PUT' })).status, 405);
    // Linked from another site: fine; embedded or fetched by another site: refused.
    const nav = { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' };
    assert.equal((await request(h.url, { headers: nav })).status, 200);
    assert.equal((await request(h.url, { headers: { ...nav, 'sec-fetch-dest': 'iframe' } })).status, 403);
    assert.equal((await request(h.url, { headers: { ...nav, 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'image' } })).status, 403);
    assert.equal((await request(h.url, { headers: { ...nav, 'sec-fetch-mode': 'cors', 'sec-fetch-dest': 'empty' } })).status, 403);
    assert.equal((await request(h.url.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')))).status, 404);
    assert.equal(parseDotenv(fs.readFileSync(path.join(dir, '.env'), 'utf8')).STRIPE_API_KEY, undefined);

    // A value that fails the secret's validation: refused with the reason, without the value.
    const bad = await postForm(h.url, { csrf, value: 'pk_live_notasecretkey' });
    assert.equal(bad.status, 422);
    assert.match(bad.body, /role="alert"/);
    assert.ok(!bad.body.includes('pk_live_notasecretkey'));
    assert.equal((await s.call('handoff_status', { handoff_id: h.handoff_id })).structuredContent.status, 'waiting');

    const okRes = await postForm(h.url, { csrf, value });
    assert.equal(okRes.status, 200, okRes.body);
    assert.match(okRes.body, /stored/);
    assert.ok(!okRes.body.includes(value));

    const st = (await s.call('handoff_status', { handoff_id: h.handoff_id, wait_seconds: 5 })).structuredContent;
    assert.equal(st.status, 'stored');
    assert.equal(st.url, undefined, 'the link is gone once used');
    assert.deepEqual(st.files.map((f) => f.path), ['.env', '.gitsecrets.lock']);
    assert.equal(parseDotenv(fs.readFileSync(path.join(dir, '.env'), 'utf8')).STRIPE_API_KEY, value);
    const lock = JSON.parse(fs.readFileSync(path.join(dir, '.gitsecrets.lock'), 'utf8'));
    assert.ok(lock.secrets.stripe_api_key.targets['local/file/.env']);
    assert.ok(!fs.readFileSync(path.join(dir, '.gitsecrets.lock'), 'utf8').includes(value));

    // Works once: a second submission (even with a valid token) and the page itself are gone.
    assert.equal((await postForm(h.url, { csrf, value: `${value}X` })).status, 410);
    assert.equal((await request(h.url)).status, 410);
    assert.equal(parseDotenv(fs.readFileSync(path.join(dir, '.env'), 'utf8')).STRIPE_API_KEY, value);

    const pending = (await s.call('list_pending_secrets')).structuredContent;
    assert.deepEqual(pending.pending.map((p) => p.name), ['github_oauth_client_secret']);
  });

  test('hand-off links expire', async () => {
    const h = (await s.call('start_handoff', { name: 'github_oauth_client_secret', expires_in_seconds: 1 }))
      .structuredContent;
    assert.equal((await request(h.url)).status, 200);
    await sleep(1300);
    assert.equal((await request(h.url)).status, 410);
    const csrf = 'A'.repeat(43);
    assert.equal((await postForm(h.url, { csrf, value: 'late-value-123' })).status, 410);
    const st = (await s.call('handoff_status', { handoff_id: h.handoff_id })).structuredContent;
    assert.equal(st.status, 'expired');
    assert.match(st.reason, /expired/);
    assert.equal(parseDotenv(fs.readFileSync(path.join(dir, '.env'), 'utf8')).GITHUB_OAUTH_CLIENT_SECRET, undefined);
  });

  test('no generated value and no lockfile hash in any tool result or in stderr', async () => {
    // Generated values and the one a "person" entered through the hand-off page.
    const values = Object.values(writtenValues(dir));
    assert.ok(values.length >= 5, 'database_password, session_secret (twice), instance_id, stripe_api_key');
    const hashes = lockfileHashes(dir);
    assert.ok(hashes.length >= 5);
    transcript.push(s.stderr());
    const all = transcript.join('\n');
    assertNoneIn(all, values, 'the MCP transcript');
    assertNoneIn(all, hashes, 'the MCP transcript');
  });
});

describe('secretzero mcp with URL-mode elicitation', () => {
  test('the link goes to the person through the client; the agent never sees it', async () => {
    const dir = tempProject();
    let elicited;
    const completed = [];
    const s = await connect(dir, { capabilities: { elicitation: { url: {} } } });
    s.client.setRequestHandler(ElicitRequestSchema, (req) => {
      elicited = req.params;
      return { action: 'accept' };
    });
    s.client.setNotificationHandler(ElicitationCompleteNotificationSchema, (n) => {
      completed.push(n.params.elicitationId);
    });
    try {
      const r = await s.call('start_handoff', { name: 'stripe_api_key' });
      const h = r.structuredContent;
      assert.equal(h.status, 'waiting');
      assert.equal(h.delivered, 'elicitation');
      assert.equal(h.url, undefined);
      assert.equal(elicited.mode, 'url');
      assert.match(elicited.url, /^http:\/\/127\.0\.0\.1:\d+\/h\//);
      assert.match(elicited.message, /stripe_api_key/);
      assert.ok(!JSON.stringify(r).includes(elicited.url), 'the link is not in the tool result');
      assert.ok(!JSON.stringify(r).includes(new URL(elicited.url).pathname));

      const page = await request(elicited.url);
      const value = `sk_live_${'Elicit9'.repeat(4)}`;
      assert.equal((await postForm(elicited.url, { csrf: csrfOf(page.body), value })).status, 200);
      const st = (await s.call('handoff_status', { handoff_id: h.handoff_id, wait_seconds: 5 })).structuredContent;
      assert.equal(st.status, 'stored');
      for (let i = 0; i < 50 && completed.length === 0; i++) await sleep(20);
      assert.deepEqual(completed, [elicited.elicitationId], 'notifications/elicitation/complete');
      assert.equal(parseDotenv(fs.readFileSync(path.join(dir, '.env'), 'utf8')).STRIPE_API_KEY, value);
      assert.ok(!s.stderr().includes(value));
    } finally {
      await s.close();
    }
  });

  test('a declined link ends the hand-off', async () => {
    const dir = tempProject();
    let url;
    const s = await connect(dir, { capabilities: { elicitation: { url: {} } } });
    s.client.setRequestHandler(ElicitRequestSchema, (req) => {
      url = req.params.url;
      return { action: 'decline' };
    });
    try {
      const h = (await s.call('start_handoff', { name: 'stripe_api_key' })).structuredContent;
      assert.equal(h.status, 'declined');
      assert.equal(h.url, undefined);
      const st = (await s.call('handoff_status', { handoff_id: h.handoff_id, wait_seconds: 1 })).structuredContent;
      assert.equal(st.status, 'declined');
      await request(url).then(
        (r) => assert.equal(r.status, 410),
        (e) => assert.equal(e.code, 'ECONNREFUSED'),
      );
    } finally {
      await s.close();
    }
  });
});

describe('secretzero mcp --root', () => {
  test('tools work in a sub-project; the server exits when the client closes', async () => {
    const root = tempDir();
    const sub = path.join(root, 'apps/web');
    fs.mkdirSync(sub, { recursive: true });
    fs.copyFileSync(path.join(tempProject(), 'Secretfile.yml'), path.join(sub, 'Secretfile.yml'));
    const s = await connect(tempDir(), { args: ['--root', root] });
    const doc = (await s.call('sync_secrets', { cwd: 'apps/web', dry_run: true })).structuredContent;
    assert.equal(doc.project, path.join('apps', 'web'));
    assert.equal(doc.status, 'pending_manual');
    await s.close();
  });

  test('--help and usage errors', async () => {
    const { spawnSync } = await import('node:child_process');
    const help = spawnSync(bin, ['mcp', '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0);
    assert.match(help.stdout, /^Usage: secretzero mcp/);
    const bad = spawnSync(bin, ['mcp', '--nope'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.equal(bad.stdout, '');
    const typo = spawnSync(bin, ['mcp', '--rot', '.'], { encoding: 'utf8' });
    assert.equal(typo.status, 2);
    assert.match(typo.stderr, /No such option: --rot\. Did you mean '--root'\?/);
    const version = spawnSync(bin, ['mcp', '--version'], { encoding: 'utf8' });
    assert.equal(version.status, 0);
    assert.match(version.stdout, /^secretzero, version \d+\.\d+\.\d+ /);
  });
});
