// The browser entry in a real browser: headless Chromium (Debian's /usr/bin/chromium) loads a
// page that imports the installed package's web entry, awaits init() (which fetches
// agent_bg.wasm next to the module through import.meta.url) and runs the API.
// Skipped when Chromium is not installed (`make setup` installs it).

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

import { installed, pkgJson } from './helpers.mjs';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const skip = fs.existsSync(CHROMIUM) ? false : `${CHROMIUM} not found (run \`make setup\`)`;

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>pending</title></head>
<body><pre id="out"></pre>
<script type="module">
import * as sz from '/pkg/dist/web.js';
const out = {};
try {
  let before;
  try { sz.version(); } catch (e) { before = e.code; }
  out.before = before;
  await sz.init();
  out.version = sz.version();
  const v = sz.validateSecretfile('secrets:\\n  - name: a\\n');
  out.valid = v.valid;
  out.diagnostic = [v.diagnostics[0].code, v.diagnostics[0].line];
  const pw = [sz.generateSecret('random_password', { length: 30 }), sz.generateSecret('random_password', { length: 30 })];
  out.passwords = [pw[0].length, pw[1].length, pw[0] !== pw[1]];
  out.uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(sz.generateSecret('uuid'));
  const { report, writes } = sz.agentSync({
    text: 'secrets:\\n  - name: token\\n    kind: random_string\\n    targets:\\n      - {provider: local, kind: file, config: {path: .env}}\\n',
    files: { '.env': null },
  });
  out.synced = report.synced_secrets;
  out.writes = writes.map((w) => w.path);
  try { sz.parseSecretfile(1); } catch (e) { out.error = [e instanceof sz.SecretZeroError, e.code]; }
  // A target adapter that runs in the page (here: the page's sessionStorage).
  sz.registerAdapter('page/session', {
    testConnection() {},
    store(target, value) { sessionStorage.setItem(target.config.name, value); },
    read(target) { return sessionStorage.getItem(target.config.name); },
  });
  const stored = await sz.syncWithAdapters({
    text: 'secrets:\\n  - name: key\\n    kind: random_string\\n    targets:\\n      - {provider: page, kind: session, config: {name: k1}}\\n',
  });
  out.adapter = [stored.report.synced_secrets, stored.stores.map((s) => s.status + ' ' + s.target_id),
    (sessionStorage.getItem('k1') || '').length, stored.writes.map((w) => w.path)];
} catch (e) {
  out.crash = String(e && e.stack || e);
}
document.getElementById('out').textContent = JSON.stringify(out);
document.title = 'done';
</script></body></html>`;

function serve() {
  const types = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
      return;
    }
    const rel = url.pathname.replace(/^\/pkg\//, '');
    const file = path.join(installed, rel);
    if (!url.pathname.startsWith('/pkg/') || !file.startsWith(installed) || !fs.existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

test('browser entry in headless Chromium: await init(), then the API', { skip, timeout: 60_000 }, async () => {
  const server = await serve();
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'sz-chromium-'));
  try {
    const url = `http://127.0.0.1:${server.address().port}/`;
    const dom = await new Promise((resolve, reject) => {
      execFile(
        CHROMIUM,
        [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-dev-shm-usage',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          `--user-data-dir=${profile}`,
          '--virtual-time-budget=15000',
          '--dump-dom',
          url,
        ],
        { timeout: 45_000, maxBuffer: 8 * 1024 * 1024 },
        (err, stdout) => (err ? reject(err) : resolve(stdout)),
      );
    });
    const m = /<pre id="out">(.*?)<\/pre>/s.exec(dom);
    assert.ok(m && m[1], `no result in the page:\n${dom.slice(0, 2000)}`);
    const out = JSON.parse(m[1].replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'));
    assert.equal(out.crash, undefined, out.crash);
    assert.equal(out.before, 'USAGE');
    assert.equal(out.version, pkgJson.version);
    assert.equal(out.valid, false);
    assert.deepEqual(out.diagnostic, ['MISSING_FIELD', 2]);
    assert.deepEqual(out.passwords, [30, 30, true]);
    assert.equal(out.uuid, true);
    assert.deepEqual(out.synced, ['token']);
    assert.deepEqual(out.writes, ['.env', '.gitsecrets.lock']);
    assert.deepEqual(out.error, [true, 'USAGE']);
    assert.deepEqual(out.adapter, [['key'], ['stored page/session/k1'], 32, ['.gitsecrets.lock']]);
  } finally {
    server.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
});
