// The packed package in the browser consumers people build: a Vite build and an esbuild build
// of the same small app, each also starting a module Web Worker that uses the web entry, loaded
// in headless Chromium (Debian's /usr/bin/chromium via playwright-core) from 127.0.0.1 under a
// strict Content-Security-Policy (no 'unsafe-eval', only 'wasm-unsafe-eval').
//
// The apps live in the throwaway consumer project target/consumer/ (scripts/consumer.mjs
// installed the tarball there), so `@secretzero/agent` resolves exactly as for a user.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { serve } from '../../../examples/browser-setup/serve.mjs';
import { consumer, pkgJson } from '../helpers.mjs';
import { launch, skip } from './chromium.mjs';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

// The same checks in the page and in the worker: init() (the .wasm found by the bundler or
// copied beside the bundle), then the pure API.
const CHECKS = `
import { agentSync, generateSecret, init, isInitialized, validateSecretfile, version } from '@secretzero/agent';

export async function checks() {
  const out = { before: isInitialized() };
  await init();
  out.version = version();
  const v = validateSecretfile('secrets:\\n  - name: a\\n');
  out.diagnostic = [v.valid, v.diagnostics[0].code, v.diagnostics[0].line];
  out.password = generateSecret('random_password', { length: 40, special: false });
  out.uuid = generateSecret('uuid');
  const { report, writes } = agentSync({
    text: 'secrets:\\n  - name: token\\n    kind: random_string\\n    targets:\\n      - {provider: local, kind: file, config: {path: .env}}\\n',
    files: { '.env': null },
  });
  out.synced = report.synced_secrets;
  out.writes = writes.map((w) => w.path);
  out.env = /^token=[A-Za-z0-9]{32}\\n$/.test(writes[0].contents);
  return out;
}
`;

const MAIN = `
import { checks } from './checks.js';

async function main() {
  const result = { page: await checks() };
  result.worker = await new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    worker.onmessage = (e) => resolve(e.data);
    worker.onerror = (e) => reject(new Error(e.message || 'worker error'));
  });
  return result;
}
main().then(
  (r) => { window.__result = r; document.title = 'done'; },
  (e) => { window.__result = { crash: String(e && e.stack || e) }; document.title = 'done'; },
);
`;

const WORKER = `
import { checks } from './checks.js';

checks().then(
  (r) => self.postMessage(r),
  (e) => self.postMessage({ crash: String(e && e.stack || e) }),
);
`;

const HTML = (script) => `<!doctype html>
<html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; connect-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'">
<link rel="icon" href="/favicon.svg"><title>pending</title>
<script type="module" src="${script}"></script>
</head><body></body></html>
`;

const apps = path.join(consumer, 'apps');

function writeApp(name, script) {
  const dir = path.join(apps, name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'checks.js'), CHECKS);
  fs.writeFileSync(path.join(dir, 'main.js'), MAIN);
  fs.writeFileSync(path.join(dir, 'worker.js'), WORKER);
  fs.writeFileSync(path.join(dir, 'index.html'), HTML(script));
  return dir;
}

function icon(dist) {
  fs.writeFileSync(path.join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
}

async function viteBuild() {
  const { build } = await import('vite');
  const dir = writeApp('vite', './main.js');
  const dist = path.join(dir, 'dist');
  await build({
    root: dir,
    configFile: false,
    logLevel: 'error',
    build: { outDir: dist, emptyOutDir: true, target: 'es2022' },
    worker: { format: 'es' },
  });
  icon(dist);
  return dist;
}

async function esbuildBuild() {
  const esbuild = await import('esbuild');
  const dir = writeApp('esbuild', './main.js');
  const dist = path.join(dir, 'dist');
  fs.mkdirSync(dist, { recursive: true });
  await esbuild.build({
    entryPoints: [path.join(dir, 'main.js'), path.join(dir, 'worker.js')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outdir: dist,
    logLevel: 'error',
  });
  // esbuild does not copy assets: the exported `./agent_bg.wasm` goes beside the bundle, where
  // the web entry's `new URL('agent_bg.wasm', import.meta.url)` looks for it.
  const wasm = createRequire(path.join(dir, 'main.js')).resolve('@secretzero/agent/agent_bg.wasm');
  fs.copyFileSync(wasm, path.join(dist, 'agent_bg.wasm'));
  fs.copyFileSync(path.join(dir, 'index.html'), path.join(dist, 'index.html'));
  icon(dist);
  return dist;
}

describe('bundled browser apps in headless Chromium', { skip, timeout: 180_000 }, () => {
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  for (const [name, bundle] of [
    ['Vite', viteBuild],
    ['esbuild', esbuildBuild],
  ]) {
    test(`${name} build: page and module worker`, async () => {
      const dist = await bundle();
      const server = await serve(dist);
      const origin = `http://127.0.0.1:${server.address().port}`;
      const page = await browser.context.newPage();
      const requests = [];
      const problems = [];
      page.on('request', (r) => requests.push(r.url()));
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
      });
      page.on('pageerror', (e) => problems.push(e.message));
      try {
        await page.goto(`${origin}/`);
        await page.waitForFunction(() => document.title === 'done', null, { timeout: 60_000 });
        const result = await page.evaluate(() => window.__result);
        assert.equal(result.crash, undefined, result.crash);
        for (const where of ['page', 'worker']) {
          const r = result[where];
          assert.equal(r.crash, undefined, `${where}: ${r.crash}`);
          assert.equal(r.before, false, where);
          assert.equal(r.version, pkgJson.version, where);
          assert.deepEqual(r.diagnostic, [false, 'MISSING_FIELD', 2], where);
          assert.match(r.password, /^[A-Za-z0-9]{40}$/, where);
          assert.match(r.uuid, UUID_V4, where);
          assert.deepEqual(r.synced, ['token'], where);
          assert.deepEqual(r.writes, ['.env', '.gitsecrets.lock'], where);
          assert.equal(r.env, true, where);
        }
        assert.notEqual(result.page.password, result.worker.password);
        assert.deepEqual(problems, []);
        assert.ok(requests.some((u) => /\.wasm$/.test(u)), `no .wasm request: ${requests.join(', ')}`);
        for (const u of requests) assert.ok(u.startsWith(`${origin}/`), `request left 127.0.0.1: ${u}`);
      } finally {
        await page.close();
        server.close();
      }
    });
  }
});
