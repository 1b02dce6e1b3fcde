#!/usr/bin/env node
// `make bench`: the benchmark suite of @secretzero/agent, side by side with its baselines.
//
//   node bench/run.mjs [--quick] [--only=command,inproc,generate,startup,size] [--out=DIR]
//
// Measures the built package in pkg/ (run `make build` first; `make bench` does) and writes
//   bench/results/results.md    tables (median, min, max over repeated runs; ratios; budgets)
//   bench/results/results.json  every sample
//   bench/results/chart.svg     whole command and in-process work, log scale
//
// Sections:
//   command   `secretzero agent sync --json --dry-run` on generated Secretfiles of 10, 50, 1,000
//             and 10,000 secrets (bench/gen-secretfile.mjs), against the reference CLI
//             (../shared/oracle, skipped with a note when not installed) and `node -e 0`
//   inproc    parse, validate, agentSync and formatReport in one Node process, against js-yaml
//             and yaml parsing the same text
//   generate  passwords of 16/32/64 characters and UUIDs per second, against crypto.randomUUID()
//             and a plain JS rejection-sampling generator
//   startup   import of the package (ESM, CommonJS) until ready; wasm compile + instantiate in
//             headless Chromium (Debian chromium + playwright-core; skipped when absent)
//   size      agent_bg.wasm raw, gzip -9, brotli -11; the packed tarball
//
// Runs are interleaved (A B C A B C ...) so that load from other processes spreads over every
// contender; the machine's load average is recorded with the results.

import { execFileSync, spawnSync } from 'node:child_process';
import { randomUUID, getRandomValues } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as zlib from 'node:zlib';

import { secretfile } from './gen-secretfile.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = path.join(root, 'pkg');
const cli = path.join(pkg, 'dist/cli.js');
const args = new Map(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k, v ?? 'true'];
  }),
);
const QUICK = args.has('quick');
const ONLY = args.has('only') ? new Set(args.get('only').split(',')) : null;
const OUT = path.resolve(root, args.get('out') ?? 'bench/results');
const want = (s) => ONLY === null || ONLY.has(s);
const require = createRequire(import.meta.url);

if (!fs.existsSync(cli)) {
  console.error('bench: pkg/ is not built; run `make build` (or `make bench`)');
  process.exit(1);
}

// ---------------------------------------------------------------------------------------------
// Statistics

function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], max: s[s.length - 1], n: s.length, samples };
}

/** Time `f` (synchronous) `runs` times after `warmup` calls; milliseconds. */
function timeSync(f, runs, warmup = 2) {
  for (let i = 0; i < warmup; i++) f();
  const out = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    f();
    out.push(performance.now() - t);
  }
  return out;
}

const fmtMs = (ms) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));
const cell = (st) => `${fmtMs(st.median)} (${fmtMs(st.min)}–${fmtMs(st.max)})`;
const ratio = (a, b) => (a / b).toFixed(2);

function log(msg) {
  console.error(`bench: ${msg}`);
}

// ---------------------------------------------------------------------------------------------
// Inputs

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sz-bench-'));
process.on('exit', () => fs.rmSync(work, { recursive: true, force: true }));

const SIZES = [10, 50, 1000, 10000];
const INPROC_SIZES = [10, 50, 1000, 5000, 10000];
const texts = new Map();
function project(n) {
  const dir = path.join(work, `sf${n}`);
  if (!fs.existsSync(dir)) {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'Secretfile.yml'), secretfile(n));
  }
  return dir;
}
function text(n) {
  if (!texts.has(n)) texts.set(n, secretfile(n));
  return texts.get(n);
}

const results = {
  date: new Date().toISOString(),
  machine: {
    node: process.version,
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    loadavg_start: os.loadavg(),
  },
  quick: QUICK,
};

// ---------------------------------------------------------------------------------------------
// 1. Whole command

const ORACLE_VENV = process.env.SZ_ORACLE_VENV ?? path.join(os.homedir(), '.cache/secretzero-oracle/venv');
const ORACLE = path.join(ORACLE_VENV, 'bin/secretzero');
const ORACLE_RUN = path.resolve(root, '../shared/oracle/run.sh');

function spawnTimed(cmd, argv, opts) {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...opts });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) {
    throw new Error(`${cmd} ${argv.join(' ')} exited ${r.status}: ${(r.stderr ?? '').slice(0, 500)}`);
  }
  return { ms, stdout: r.stdout };
}

function summary(report) {
  return {
    status: report.status,
    synced: report.synced_secrets.length,
    pending: Object.keys(report.pending_secrets).length,
    failed: Object.keys(report.failed_secrets).length,
  };
}

function benchCommand() {
  const haveOracle = fs.existsSync(ORACLE) && fs.existsSync(ORACLE_RUN);
  const out = { sizes: {}, reference: haveOracle ? ORACLE : null };
  if (!haveOracle) {
    out.note = `reference CLI not installed (${ORACLE_RUN} / ${ORACLE}): run \`make setup\`; its column is skipped`;
    log(out.note);
  }
  // Both CLIs get the same small, clean environment (like ../shared/oracle/run.sh).
  const home = path.join(work, 'home');
  fs.mkdirSync(home, { recursive: true });
  const env = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: home,
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    PYTHONIOENCODING: 'utf-8',
    COLUMNS: '80',
  };
  for (const n of SIZES) {
    const runs = QUICK ? 3 : n <= 50 ? 20 : n <= 1000 ? 10 : 5;
    const refRuns = QUICK ? 1 : n <= 50 ? 10 : n <= 1000 ? 5 : 3;
    const dir = project(n);
    const contenders = [
      { name: 'node -e 0', cmd: process.execPath, argv: ['-e', '0'], runs },
      {
        name: 'secretzero (this package)',
        cmd: process.execPath,
        argv: [cli, 'agent', 'sync', '--json', '--dry-run'],
        runs,
        check: true,
      },
    ];
    if (haveOracle) {
      contenders.push({
        name: 'reference CLI 0.14.23',
        cmd: ORACLE,
        argv: ['agent', 'sync', '--json', '--dry-run'],
        runs: refRuns,
        check: true,
      });
    }
    const samples = new Map(contenders.map((c) => [c.name, []]));
    const checks = {};
    const rounds = Math.max(...contenders.map((c) => c.runs)) + 1; // round 0 = warm-up
    for (let r = 0; r < rounds; r++) {
      for (const c of contenders) {
        if (r > c.runs) continue;
        const { ms, stdout } = spawnTimed(c.cmd, c.argv, { cwd: dir, env });
        if (r === 0) {
          if (c.check) checks[c.name] = summary(JSON.parse(stdout));
          continue;
        }
        samples.get(c.name).push(ms);
      }
    }
    // Dry runs must not have written anything.
    const left = fs.readdirSync(dir).filter((f) => f !== 'Secretfile.yml');
    if (left.length > 0) throw new Error(`a dry run wrote ${left.join(', ')} in ${dir}`);
    const row = { bytes: Buffer.byteLength(text(n)), checks, contenders: {} };
    for (const [name, s] of samples) row.contenders[name] = stats(s);
    out.sizes[n] = row;
    log(
      `command n=${n}: ` +
        [...samples.keys()].map((k) => `${k} ${fmtMs(row.contenders[k].median)} ms`).join(', '),
    );
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// 2. In process

async function benchInproc() {
  const api = await import(pathToFileURL(path.join(pkg, 'dist/node.js')).href);
  const jsyaml = require('js-yaml');
  const YAML = require('yaml');
  const out = {
    versions: {
      'js-yaml': require('js-yaml/package.json').version,
      yaml: require('yaml/package.json').version,
    },
    sizes: {},
  };
  const now = '2025-01-01T00:00:00.000Z';
  for (const n of INPROC_SIZES) {
    const t = text(n);
    const runs = QUICK ? 3 : n <= 50 ? 50 : n <= 1000 ? 20 : 7;
    const base = { text: t, now, dryRun: true, cwd: '/bench/project' };
    const plan = api.targetFiles(base);
    const files = Object.fromEntries(plan.files.map((f) => [f, null]));
    const opts = { ...base, files };
    const { report } = api.agentSync(opts);
    const check = summary(report);
    let round = 0;
    // Interleave the contenders round by round.
    const fns = {
      'parseSecretfile': () => api.parseSecretfile(t),
      'validateSecretfile': () => api.validateSecretfile(t),
      // A full sync parses the file: the core keeps the last parse for the same input (so that
      // `targetFiles` then `agentSync`, as `syncProject` calls them, parse once), so each call
      // here gets a different text (a trailing comment) and parses it.
      'agentSync (dry run)': () => api.agentSync({ ...opts, text: `${t}# ${++round}\n` }),
      // What `syncProject` pays after `targetFiles` read the same input: the parse is reused.
      'agentSync (parse reused)': () => api.agentSync(opts),
      'formatReport json': () => api.formatReport(report, { format: 'json' }),
      'formatReport text': () => api.formatReport(report, { format: 'text' }),
      'js-yaml load': () => jsyaml.load(t),
    };
    // `yaml` is ~10x slower than js-yaml: fewer runs on the big files.
    const yamlRuns = n >= 5000 ? Math.min(runs, 3) : runs;
    const samples = Object.fromEntries(Object.keys(fns).map((k) => [k, []]));
    samples['yaml parse'] = [];
    for (const f of Object.values(fns)) f();
    YAML.parse(t);
    for (let r = 0; r < runs; r++) {
      for (const [k, f] of Object.entries(fns)) {
        // Untimed: `targetFiles` of the same input, as in `syncProject`, leaves its parse.
        if (k === 'agentSync (parse reused)') api.targetFiles(base);
        samples[k].push(...timeSync(f, 1, 0));
      }
      if (r < yamlRuns) samples['yaml parse'].push(...timeSync(() => YAML.parse(t), 1, 0));
    }
    const row = { bytes: Buffer.byteLength(t), check, ops: {} };
    for (const [k, s] of Object.entries(samples)) row.ops[k] = stats(s);
    out.sizes[n] = row;
    log(
      `inproc n=${n}: agentSync ${fmtMs(row.ops['agentSync (dry run)'].median)} ms, ` +
        `js-yaml ${fmtMs(row.ops['js-yaml load'].median)} ms`,
    );
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// 3. Generation

// random_password's default alphabet: ASCII letters, digits and Python's string.punctuation.
const PASSWORD_CHARSET =
  'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789' +
  '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

/** A plain JS password generator: one random batch per password, rejection sampling. */
function jsPassword(length, charset = PASSWORD_CHARSET) {
  const n = charset.length;
  const limit = 256 - (256 % n);
  let out = '';
  let buf = new Uint8Array(length * 2);
  getRandomValues(buf);
  let i = 0;
  while (out.length < length) {
    if (i === buf.length) {
      getRandomValues(buf);
      i = 0;
    }
    const b = buf[i++];
    if (b < limit) out += charset[b % n];
  }
  return out;
}

async function benchGenerate() {
  const api = await import(pathToFileURL(path.join(pkg, 'dist/node.js')).href);
  const calls = QUICK ? 500 : 5000;
  const runs = QUICK ? 3 : 9;
  const cases = {};
  const batches = {};
  for (const len of [16, 32, 64]) {
    cases[`password ${len}: generateSecret`] = () =>
      api.generateSecret('random_password', { length: len });
    cases[`password ${len}: plain JS`] = () => jsPassword(len);
    // One call for the whole run: the boundary is crossed once, randomness read in blocks.
    batches[`password ${len}: generateSecrets (one batch per run)`] = () =>
      api.generateSecrets('random_password', calls, { length: len });
  }
  cases['uuid: generateSecret'] = () => api.generateSecret('uuid');
  cases['uuid: crypto.randomUUID()'] = () => randomUUID();
  batches['uuid: generateSecrets (one batch per run)'] = () => api.generateSecrets('uuid', calls);
  const samples = Object.fromEntries([...Object.keys(cases), ...Object.keys(batches)].map((k) => [k, []]));
  for (const f of Object.values(cases)) for (let i = 0; i < 200; i++) f();
  for (const f of Object.values(batches)) f();
  for (let r = 0; r < runs; r++) {
    for (const [k, f] of Object.entries(cases)) {
      const t = performance.now();
      for (let i = 0; i < calls; i++) f();
      const ms = performance.now() - t;
      samples[k].push((calls / ms) * 1000); // per second
    }
    for (const [k, f] of Object.entries(batches)) {
      const t = performance.now();
      if (f().length !== calls) throw new Error(`${k}: wrong number of values`);
      samples[k].push((calls / (performance.now() - t)) * 1000);
    }
  }
  const out = { calls_per_run: calls, per_second: {} };
  for (const [k, s] of Object.entries(samples)) out.per_second[k] = stats(s);
  log(`generate: ${Object.entries(out.per_second).map(([k, s]) => `${k} ${Math.round(s.median)}/s`).join(', ')}`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// 4. Start-up

function childMs(code, type) {
  const argv = type === 'esm' ? ['--input-type=module', '-e', code] : ['-e', code];
  const r = spawnSync(process.execPath, argv, { encoding: 'utf8', cwd: root });
  if (r.status !== 0) throw new Error(`startup child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

async function benchChromium(runs) {
  const chromium = process.env.CHROMIUM ?? '/usr/bin/chromium';
  let pw;
  try {
    pw = require('playwright-core');
  } catch {
    return { note: 'playwright-core is not installed (npm ci)' };
  }
  if (!fs.existsSync(chromium)) return { note: `${chromium} not found (make setup)` };
  const types = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };
  const page = `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>bench</title>`;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const headers = { 'cache-control': 'no-store' };
    if (url.pathname === '/') {
      res.writeHead(200, { ...headers, 'content-type': 'text/html' }).end(page);
      return;
    }
    const file = path.join(pkg, url.pathname.replace(/^\/pkg\//, ''));
    if (!url.pathname.startsWith('/pkg/') || !file.startsWith(pkg) || !fs.existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { ...headers, 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${server.address().port}/`;
  const browser = await pw.chromium.launch({
    executablePath: chromium,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  const samples = { fetch: [], compile: [], instantiate: [], 'init() (fetch + streaming compile + instantiate)': [] };
  let version;
  try {
    for (let r = 0; r <= runs; r++) {
      // A fresh page per run: the glue can be initialised once per page.
      const ctx = await browser.newContext();
      const p = await ctx.newPage();
      await p.goto(base);
      const m = await p.evaluate(async () => {
        const t0 = performance.now();
        const bytes = await (await fetch('/pkg/wasm/agent_bg.wasm')).arrayBuffer();
        const t1 = performance.now();
        const module = await WebAssembly.compile(bytes);
        const t2 = performance.now();
        const glue = await import('/pkg/wasm/agent.js');
        const t3 = performance.now();
        glue.initSync({ module });
        const t4 = performance.now();
        return { fetch: t1 - t0, compile: t2 - t1, instantiate: t4 - t3 };
      });
      const p2 = await ctx.newPage();
      await p2.goto(base);
      const init = await p2.evaluate(async () => {
        const sz = await import('/pkg/dist/web.js');
        const t = performance.now();
        await sz.init();
        const ms = performance.now() - t;
        return { ms, version: sz.version() };
      });
      version = init.version;
      await ctx.close();
      if (r === 0) continue; // warm-up (browser start, HTTP)
      samples.fetch.push(m.fetch);
      samples.compile.push(m.compile);
      samples.instantiate.push(m.instantiate);
      samples['init() (fetch + streaming compile + instantiate)'].push(init.ms);
    }
  } finally {
    await browser.close();
    server.close();
  }
  const out = { browser: `${chromium} (${browser.version?.() ?? ''})`.trim(), version, ms: {} };
  for (const [k, s] of Object.entries(samples)) out.ms[k] = stats(s);
  return out;
}

async function benchStartup() {
  const runs = QUICK ? 3 : 15;
  const esmUrl = pathToFileURL(path.join(pkg, 'dist/node.js')).href;
  const cjsPath = path.join(pkg, 'cjs/node.js');
  const wasmPath = path.join(pkg, 'wasm/agent_bg.wasm');
  const probes = {
    'import (ESM) until ready': [
      `const t=performance.now();const m=await import(${JSON.stringify(esmUrl)});m.version();console.log(performance.now()-t)`,
      'esm',
    ],
    'require (CommonJS) until ready': [
      `const t=performance.now();const m=require(${JSON.stringify(cjsPath)});m.version();console.log(performance.now()-t)`,
      'cjs',
    ],
    'new WebAssembly.Module (sync compile)': [
      `const b=require('fs').readFileSync(${JSON.stringify(wasmPath)});const t=performance.now();new WebAssembly.Module(b);console.log(performance.now()-t)`,
      'cjs',
    ],
    'new WebAssembly.Module, --liftoff-only': [
      `require('v8').setFlagsFromString('--liftoff-only');const b=require('fs').readFileSync(${JSON.stringify(wasmPath)});const t=performance.now();new WebAssembly.Module(b);console.log(performance.now()-t)`,
      'cjs',
    ],
  };
  const samples = Object.fromEntries(Object.keys(probes).map((k) => [k, []]));
  for (let r = 0; r <= runs; r++) {
    for (const [k, [code, type]] of Object.entries(probes)) {
      const ms = childMs(code, type);
      if (r > 0) samples[k].push(ms);
    }
  }
  const out = { node: {} };
  for (const [k, s] of Object.entries(samples)) out.node[k] = stats(s);
  log(`startup: ${Object.entries(out.node).map(([k, s]) => `${k} ${fmtMs(s.median)} ms`).join(', ')}`);
  try {
    out.chromium = await benchChromium(QUICK ? 2 : 10);
  } catch (e) {
    out.chromium = { note: `Chromium run failed: ${String(e.message ?? e).split('\n')[0]}` };
  }
  if (out.chromium.note) log(`startup: chromium skipped: ${out.chromium.note}`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// 5. Size

function benchSize() {
  const wasm = fs.readFileSync(path.join(pkg, 'wasm/agent_bg.wasm'));
  const out = {
    wasm: {
      raw: wasm.length,
      gzip: zlib.gzipSync(wasm, { level: 9 }).length,
      brotli: zlib.brotliCompressSync(wasm, {
        params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 },
      }).length,
    },
  };
  try {
    const packed = JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
        cwd: pkg,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }),
    )[0];
    out.tarball = { packed: packed.size, unpacked: packed.unpackedSize, files: packed.entryCount };
  } catch (e) {
    out.tarball = { note: `npm pack failed: ${e.message}` };
  }
  log(`size: wasm ${out.wasm.raw} B raw, ${out.wasm.gzip} B gzip, ${out.wasm.brotli} B brotli; tarball ${out.tarball.packed} B`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Report

const BUDGETS = {
  command50: 1.6, // × node -e 0
  vsReference50: 8, // × faster
  vsReference1000: 20,
  linear: 11, // time(10n) / time(n)
  gzipKB: 300,
  importMs: 15,
};

function budgets(r) {
  const rows = [];
  const add = (name, measured, ok, note = '') => rows.push({ name, measured, ok, note });
  const c = r.command?.sizes;
  const ours = 'secretzero (this package)';
  const ref = 'reference CLI 0.14.23';
  if (c?.[50]) {
    const x = c[50].contenders[ours].median / c[50].contenders['node -e 0'].median;
    add(`whole command, 50 secrets, within ${BUDGETS.command50}× of \`node -e 0\``, `${x.toFixed(2)}×`, x <= BUDGETS.command50);
    if (c[50].contenders[ref]) {
      const y = c[50].contenders[ref].median / c[50].contenders[ours].median;
      add(`whole command, 50 secrets, ≥ ${BUDGETS.vsReference50}× faster than the reference`, `${y.toFixed(1)}×`, y >= BUDGETS.vsReference50);
    }
  }
  if (c?.[1000]?.contenders[ref]) {
    const y = c[1000].contenders[ref].median / c[1000].contenders[ours].median;
    add(`whole command, 1,000 secrets, ≥ ${BUDGETS.vsReference1000}× faster than the reference`, `${y.toFixed(1)}×`, y >= BUDGETS.vsReference1000);
  }
  const ip = r.inproc?.sizes;
  if (ip?.[5000]) {
    const a = ip[5000].ops['agentSync (dry run)'].median;
    const j = ip[5000].ops['js-yaml load'].median;
    add('in process, `agentSync` of 5,000 secrets no slower than js-yaml parsing the file', `${fmtMs(a)} ms vs ${fmtMs(j)} ms (${ratio(a, j)}×)`, a <= j);
  }
  if (ip?.[1000] && ip?.[10000]) {
    const x = ip[10000].ops['agentSync (dry run)'].median / ip[1000].ops['agentSync (dry run)'].median;
    add(`linear: \`agentSync\` on 10,000 vs 1,000 secrets ≤ ${BUDGETS.linear}×`, `${x.toFixed(1)}×`, x <= BUDGETS.linear);
  }
  if (c?.[1000] && c?.[10000]) {
    const x = c[10000].contenders[ours].median / c[1000].contenders[ours].median;
    add(`linear: whole command on 10,000 vs 1,000 secrets ≤ ${BUDGETS.linear}×`, `${x.toFixed(1)}×`, x <= BUDGETS.linear);
  }
  if (r.size) {
    const kb = r.size.wasm.gzip / 1000;
    add(`\`.wasm\` ≤ ${BUDGETS.gzipKB} KB gzip`, `${kb.toFixed(1)} KB`, kb <= BUDGETS.gzipKB);
  }
  if (r.startup) {
    for (const k of ['import (ESM) until ready', 'require (CommonJS) until ready']) {
      const ms = r.startup.node[k].median;
      add(`Node ${k} < ${BUDGETS.importMs} ms`, `${fmtMs(ms)} ms`, ms < BUDGETS.importMs);
    }
  }
  return rows;
}

function markdown(r) {
  const L = [];
  const m = r.machine;
  L.push('# @secretzero/agent benchmarks', '');
  L.push(
    `Generated by \`make bench\` (bench/run.mjs) on ${r.date}: Node ${m.node}, ${m.cpus} × ${m.cpu}, ${m.platform}. ` +
      `Load average at start ${m.loadavg_start.map((x) => x.toFixed(2)).join(' / ')}, at end ${m.loadavg_end.map((x) => x.toFixed(2)).join(' / ')} ` +
      '(other processes share the machine: medians are the figures to read; min/max show the spread). ' +
      'Cells are `median (min–max)` in milliseconds unless stated.' +
      (r.quick ? ' **Quick run (`--quick`): few samples.**' : ''),
    '',
  );
  const b = budgets(r);
  if (b.length) {
    L.push('## Budgets', '', '| budget | measured | met |', '| --- | --- | --- |');
    for (const x of b) L.push(`| ${x.name} | ${x.measured} | ${x.ok ? 'yes' : '**no**'} |`);
    L.push('');
  }
  if (r.command) {
    const ours = 'secretzero (this package)';
    const ref = 'reference CLI 0.14.23';
    L.push('## Whole command: `secretzero agent sync --json --dry-run`', '');
    L.push('Fresh project (no lockfile), Secretfiles from `bench/gen-secretfile.mjs` (per 10 secrets: 3 passwords, 2 random strings, 1 UUID, 2 statics, 2 manual secrets with instructions).', '');
    if (r.command.note) L.push(`Note: ${r.command.note}.`, '');
    L.push('| secrets | file size | `node -e 0` | this package | reference CLI | ours ÷ node | reference ÷ ours | report (ours / reference) |');
    L.push('| --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const [n, row] of Object.entries(r.command.sizes)) {
      const c = row.contenders;
      const chk = (x) => (x ? `${x.status}, ${x.synced} synced, ${x.pending} pending, ${x.failed} failed` : '—');
      L.push(
        `| ${Number(n).toLocaleString('en')} | ${(row.bytes / 1024).toFixed(0)} KiB | ${cell(c['node -e 0'])} | ${cell(c[ours])} | ${c[ref] ? cell(c[ref]) : 'skipped'} | ` +
          `${ratio(c[ours].median, c['node -e 0'].median)} | ${c[ref] ? ratio(c[ref].median, c[ours].median) : '—'} | ${chk(row.checks[ours])} / ${chk(row.checks[ref])} |`,
      );
    }
    L.push('');
  }
  if (r.inproc) {
    L.push('## In process (Node): the API on the same texts', '');
    L.push(`js-yaml ${r.inproc.versions['js-yaml']} \`load\` and yaml ${r.inproc.versions.yaml} \`parse\` only parse; \`parseSecretfile\` parses, interpolates, validates and returns the model; \`agentSync\` does the whole dry-run plan and returns the report; \`formatReport\` prints it.`, '');
    const ops = Object.keys(Object.values(r.inproc.sizes)[0].ops);
    L.push(`| secrets | ${ops.join(' | ')} | agentSync ÷ js-yaml |`);
    L.push(`| --- | ${ops.map(() => '---').join(' | ')} | --- |`);
    for (const [n, row] of Object.entries(r.inproc.sizes)) {
      L.push(
        `| ${Number(n).toLocaleString('en')} | ${ops.map((o) => cell(row.ops[o])).join(' | ')} | ${ratio(row.ops['agentSync (dry run)'].median, row.ops['js-yaml load'].median)} |`,
      );
    }
    L.push('');
  }
  if (r.generate) {
    L.push('## Generation (values per second, median (min–max))', '');
    L.push(`${r.generate.calls_per_run} calls per run. \`generateSecret\` crosses the JS/wasm boundary once per value (JSON request and response); \`generateSecrets\` makes all of a run's values in one call.`, '');
    L.push('| generator | per second |', '| --- | --- |');
    for (const [k, s] of Object.entries(r.generate.per_second)) {
      L.push(`| ${k} | ${Math.round(s.median).toLocaleString('en')} (${Math.round(s.min).toLocaleString('en')}–${Math.round(s.max).toLocaleString('en')}) |`);
    }
    L.push('');
  }
  if (r.startup) {
    L.push('## Start-up', '');
    L.push('Node: each sample is a fresh `node` process; the time is measured inside it, from just before the import to the first API call returning.', '');
    L.push('| Node | ms |', '| --- | --- |');
    for (const [k, s] of Object.entries(r.startup.node)) L.push(`| ${k} | ${cell(s)} |`);
    L.push('');
    const ch = r.startup.chromium;
    if (ch?.ms) {
      L.push(`Chromium (headless, ${ch.browser}): a fresh page per sample, served from localhost with \`cache-control: no-store\`.`, '');
      L.push('| Chromium | ms |', '| --- | --- |');
      for (const [k, s] of Object.entries(ch.ms)) L.push(`| ${k} | ${cell(s)} |`);
      L.push('');
    } else if (ch?.note) {
      L.push(`Chromium: skipped (${ch.note}).`, '');
    }
  }
  if (r.size) {
    const s = r.size;
    L.push('## Size', '');
    L.push('| file | raw | gzip -9 | brotli -11 |', '| --- | --- | --- | --- |');
    L.push(`| wasm/agent_bg.wasm | ${s.wasm.raw.toLocaleString('en')} B | ${s.wasm.gzip.toLocaleString('en')} B | ${s.wasm.brotli.toLocaleString('en')} B |`);
    if (s.tarball.packed) {
      L.push('', `Packed tarball (\`npm pack\`): ${s.tarball.packed.toLocaleString('en')} B, ${s.tarball.unpacked.toLocaleString('en')} B unpacked, ${s.tarball.files} files.`);
    }
    L.push('');
  }
  return L.join('\n');
}

function svg(r) {
  const W = 760;
  const rowH = 16;
  const pad = 8;
  const left = 230;
  const bars = [];
  const groups = [];
  const colors = { ours: '#2f6fd0', ref: '#d0632f', base: '#8a8a8a', js: '#3a9a4a', yaml: '#9a3a8a' };
  if (r.command) {
    const g = { title: 'Whole command: agent sync --json --dry-run (ms, log scale)', rows: [] };
    for (const [n, row] of Object.entries(r.command.sizes)) {
      const c = row.contenders;
      g.rows.push({ label: `${Number(n).toLocaleString('en')} secrets: node -e 0`, v: c['node -e 0'].median, color: colors.base });
      g.rows.push({ label: `${Number(n).toLocaleString('en')} secrets: this package`, v: c['secretzero (this package)'].median, color: colors.ours });
      if (c['reference CLI 0.14.23']) g.rows.push({ label: `${Number(n).toLocaleString('en')} secrets: reference CLI`, v: c['reference CLI 0.14.23'].median, color: colors.ref });
    }
    groups.push(g);
  }
  if (r.inproc) {
    const g = { title: 'In process (Node, ms, log scale)', rows: [] };
    for (const n of [1000, 5000, 10000]) {
      const row = r.inproc.sizes[n];
      if (!row) continue;
      const N = Number(n).toLocaleString('en');
      g.rows.push({ label: `${N}: agentSync (dry run)`, v: row.ops['agentSync (dry run)'].median, color: colors.ours });
      g.rows.push({ label: `${N}: parseSecretfile`, v: row.ops.parseSecretfile.median, color: colors.ours });
      g.rows.push({ label: `${N}: js-yaml load`, v: row.ops['js-yaml load'].median, color: colors.js });
      g.rows.push({ label: `${N}: yaml parse`, v: row.ops['yaml parse'].median, color: colors.yaml });
    }
    groups.push(g);
  }
  const all = groups.flatMap((g) => g.rows.map((x) => x.v));
  const lo = Math.pow(10, Math.floor(Math.log10(Math.min(...all))));
  const hi = Math.pow(10, Math.ceil(Math.log10(Math.max(...all))));
  const plotW = W - left - 70;
  const x = (v) => left + (plotW * (Math.log10(v) - Math.log10(lo))) / (Math.log10(hi) - Math.log10(lo));
  let y = pad;
  const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  for (const g of groups) {
    bars.push(`<text x="${pad}" y="${y + 12}" font-weight="bold">${esc(g.title)}</text>`);
    y += 20;
    const top = y;
    for (const row of g.rows) {
      bars.push(`<text x="${left - 6}" y="${y + 12}" text-anchor="end">${esc(row.label)}</text>`);
      bars.push(`<rect x="${left}" y="${y + 2}" width="${Math.max(1, x(row.v) - left).toFixed(1)}" height="${rowH - 4}" fill="${row.color}"/>`);
      bars.push(`<text x="${(x(row.v) + 4).toFixed(1)}" y="${y + 12}">${fmtMs(row.v)}</text>`);
      y += rowH;
    }
    for (let d = lo; d <= hi; d *= 10) {
      bars.push(`<line x1="${x(d).toFixed(1)}" y1="${top}" x2="${x(d).toFixed(1)}" y2="${y}" stroke="#ccc" stroke-dasharray="2,2"/>`);
      bars.push(`<text x="${x(d).toFixed(1)}" y="${y + 12}" text-anchor="middle" fill="#666">${d >= 1000 ? `${d / 1000} s` : `${d} ms`}</text>`);
    }
    y += 28;
  }
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${y}" viewBox="0 0 ${W} ${y}" font-family="sans-serif" font-size="11">\n` +
    `<rect width="100%" height="100%" fill="white"/>\n${bars.join('\n')}\n</svg>\n`
  );
}

// ---------------------------------------------------------------------------------------------

if (want('size')) results.size = benchSize();
if (want('startup')) results.startup = await benchStartup();
if (want('generate')) results.generate = await benchGenerate();
if (want('inproc')) results.inproc = await benchInproc();
if (want('command')) results.command = benchCommand();
results.machine.loadavg_end = os.loadavg();

fs.mkdirSync(OUT, { recursive: true });
fs.writeFileSync(path.join(OUT, 'results.json'), `${JSON.stringify(results, null, 1)}\n`);
fs.writeFileSync(path.join(OUT, 'results.md'), `${markdown(results)}\n`);
if (results.command || results.inproc) fs.writeFileSync(path.join(OUT, 'chart.svg'), svg(results));
log(`wrote ${path.relative(root, OUT)}/results.md, results.json${results.command || results.inproc ? ', chart.svg' : ''}`);
for (const b of budgets(results)) log(`budget ${b.ok ? 'met   ' : 'MISSED'} ${b.name}: ${b.measured}`);
