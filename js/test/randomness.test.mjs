// Randomness of the shipped build with the real RNG (crypto.getRandomValues through
// getrandom), in Node and in headless Chromium: 1,000,000 passwords of length 16 from the
// default 94-character alphabet, generated in the wasm core in one call
// (`generateSecrets`), then
//
// - chi-square of the character counts at each of the 16 positions (93 degrees of freedom),
// - chi-square of all 16,000,000 characters together,
// - chi-square of adjacent pairs (8,835 degrees of freedom: catches serial dependence),
// - no value repeated (a repeat among 10^6 draws from 94^16 would mean a broken source).
//
// Each p-value must lie in (1e-6, 1 - 1e-6): a fair source fails one of the 18 tests with a
// probability of about 4e-5. Unsatisfiable password options are diagnostics at validation.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { describe, test } from 'node:test';

import { installed, loadEsm } from './helpers.mjs';

const N = 1_000_000;
const LEN = 16;
const ALPHABET =
  'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

const api = await loadEsm();

/** Upper tail of the chi-square distribution (Wilson-Hilferty; fine for df >= 30). */
function chiSquareP(x, df) {
  const z = (Math.cbrt(x / df) - (1 - 2 / (9 * df))) / Math.sqrt(2 / (9 * df));
  return 0.5 * erfc(z / Math.SQRT2);
}

function erfc(x) {
  // Numerical Recipes' erfcc: relative error < 1.2e-7.
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

function chiSquare(counts, expected) {
  let x = 0;
  for (const c of counts) x += (c - expected) ** 2 / expected;
  return x;
}

/**
 * Counts of a batch of passwords: per position, pairs, and how many distinct values. Kept
 * self-contained (no closures over this module) so the browser page can run the same code.
 */
function tally(values, alphabet, len) {
  const k = alphabet.length;
  const index = new Int16Array(128).fill(-1);
  for (let i = 0; i < k; i++) index[alphabet.charCodeAt(i)] = i;
  const pos = Array.from({ length: len }, () => new Array(k).fill(0));
  const pairs = new Array(k * k).fill(0);
  let bad = 0;
  for (const v of values) {
    if (v.length !== len) {
      bad++;
      continue;
    }
    let prev = -1;
    for (let j = 0; j < len; j++) {
      const c = index[v.charCodeAt(j)] ?? -1;
      if (c < 0) {
        bad++;
        break;
      }
      pos[j][c]++;
      if (prev >= 0) pairs[prev * k + c]++;
      prev = c;
    }
  }
  return { pos, pairs, bad, distinct: new Set(values).size, n: values.length };
}

function check(t, where) {
  const k = ALPHABET.length;
  assert.equal(t.n, N);
  assert.equal(t.bad, 0, `${where}: values outside the alphabet or of the wrong length`);
  assert.equal(t.distinct, N, `${where}: ${N - t.distinct} repeated values`);
  const ps = [];
  const all = new Array(k).fill(0);
  t.pos.forEach((counts, j) => {
    const p = chiSquareP(chiSquare(counts, N / k), k - 1);
    ps.push([`position ${j + 1}`, p]);
    counts.forEach((c, i) => (all[i] += c));
  });
  ps.push(['all characters', chiSquareP(chiSquare(all, (N * LEN) / k), k - 1)]);
  ps.push(['adjacent pairs', chiSquareP(chiSquare(t.pairs, (N * (LEN - 1)) / (k * k)), k * k - 1)]);
  for (const [name, p] of ps) {
    assert.ok(p > 1e-6 && p < 1 - 1e-6, `${where}: chi-square of ${name}: p = ${p}`);
  }
  const min = Math.min(...ps.map(([, p]) => p));
  return { min, overall: ps[LEN][1], pairs: ps[LEN + 1][1] };
}

describe('randomness', () => {
  test('the chi-square machinery rejects a biased source', () => {
    // A source that favours the first symbol a little (as a bare modulo would).
    const biased = Array.from({ length: 200_000 }, (_, i) => {
      let s = '';
      let x = i * 2654435761;
      for (let j = 0; j < LEN; j++) {
        x = (x * 1103515245 + 12345) >>> 0;
        const r = x % 100;
        s += ALPHABET[r < 2 ? 0 : x % ALPHABET.length];
      }
      return s;
    });
    const t = tally(biased, ALPHABET, LEN);
    const all = new Array(ALPHABET.length).fill(0);
    t.pos.forEach((c) => c.forEach((n, i) => (all[i] += n)));
    assert.ok(chiSquareP(chiSquare(all, (200_000 * LEN) / ALPHABET.length), ALPHABET.length - 1) < 1e-6);
  });

  test(`Node: ${N.toLocaleString('en')} passwords of length ${LEN}`, { timeout: 120_000 }, () => {
    const t0 = performance.now();
    const values = api.generateSecrets('random_password', N, { length: LEN });
    const genMs = performance.now() - t0;
    const r = check(tally(values, ALPHABET, LEN), 'Node');
    console.log(
      `randomness (Node): ${N} passwords generated in ${genMs.toFixed(0)} ms (one call), ` +
        `no repeats, smallest p = ${r.min.toExponential(2)}, all characters p = ${r.overall.toFixed(3)}, pairs p = ${r.pairs.toFixed(3)}`,
    );
  });

  test('unsatisfiable password options are diagnostics at validation', () => {
    for (const config of [
      '{upper: false, lower: false, number: false, special: false}',
      '{special: false, number: false, exclude_characters: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"}',
      '{length: 0}',
    ]) {
      const text = `secrets:\n  - name: p\n    kind: random_password\n    config: ${config}\n    targets: [{provider: local, kind: file, config: {path: .env}}]\n`;
      const v = api.validateSecretfile(text);
      assert.equal(v.valid, false, config);
      assert.ok(
        v.diagnostics.some((d) => d.code === 'UNSATISFIABLE_GENERATOR' && d.severity === 'error' && d.line === 4),
        `${config}: ${JSON.stringify(v.diagnostics)}`,
      );
      // A sync refuses the file before generating anything.
      assert.throws(() => api.agentSync({ text, files: { '.env': null } }), { code: 'UNSATISFIABLE_GENERATOR' });
    }
  });

  const skip = fs.existsSync(CHROMIUM) ? false : `${CHROMIUM} not found (run \`make setup\`)`;
  test(`Chromium: ${N.toLocaleString('en')} passwords of length ${LEN}`, { skip, timeout: 120_000 }, async () => {
    const page = `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"></head><body><script type="module">
import * as sz from '/pkg/dist/web.js';
const tally = ${tally.toString()};
let out;
try {
  await sz.init();
  const t0 = performance.now();
  const values = sz.generateSecrets('random_password', ${N}, { length: ${LEN} });
  const genMs = performance.now() - t0;
  out = { ...tally(values, ${JSON.stringify(ALPHABET)}, ${LEN}), genMs, ua: navigator.userAgent };
} catch (e) {
  out = { crash: String(e && e.stack || e) };
}
await fetch('/result', { method: 'POST', body: JSON.stringify(out) });
</script></body></html>`;
    let resolveResult;
    const result = new Promise((r) => (resolveResult = r));
    const server = http.createServer((req, res) => {
      const url = new URL(req.url, 'http://127.0.0.1');
      if (url.pathname === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end(page);
      if (url.pathname === '/result') {
        let body = '';
        req.on('data', (d) => (body += d)).on('end', () => {
          res.writeHead(204).end();
          resolveResult(JSON.parse(body));
        });
        return undefined;
      }
      const file = path.join(installed, url.pathname.replace(/^\/pkg\//, ''));
      if (!url.pathname.startsWith('/pkg/') || !file.startsWith(installed) || !fs.existsSync(file)) return res.writeHead(404).end();
      const types = { '.js': 'text/javascript', '.wasm': 'application/wasm' };
      res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
      return fs.createReadStream(file).pipe(res);
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'sz-chromium-'));
    const chromium = spawn(
      CHROMIUM,
      ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, `http://127.0.0.1:${server.address().port}/`],
      // Its own process group: Chromium's helper processes go with it.
      { stdio: 'ignore', detached: true },
    );
    let timer;
    try {
      const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('no result from Chromium in 100 s')), 100_000);
      });
      const out = await Promise.race([result, timeout]);
      assert.equal(out.crash, undefined, out.crash);
      const r = check(out, 'Chromium');
      console.log(
        `randomness (Chromium ${/Chrome\/([\d.]+)/.exec(out.ua)?.[1] ?? '?'}): ${N} passwords generated in ${out.genMs.toFixed(0)} ms (one call), ` +
          `no repeats, smallest p = ${r.min.toExponential(2)}, all characters p = ${r.overall.toFixed(3)}, pairs p = ${r.pairs.toFixed(3)}`,
      );
    } finally {
      clearTimeout(timer);
      const exited = new Promise((r) => chromium.once('exit', r));
      try {
        process.kill(-chromium.pid, 'SIGKILL');
      } catch {
        chromium.kill('SIGKILL');
      }
      await exited;
      server.close();
      fs.rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    }
  });
});
