#!/usr/bin/env node
// Measure a variant of the core (another opt-level, other wasm-opt flags, a code change) with
// the package's JS glue: size, cold costs in fresh processes, warm throughput.
//
//   node bench/variant.mjs path/to/agent_bg.wasm [more.wasm ...]
//
// Each .wasm must come from the same crate version as pkg/ (wasm-bindgen glue is shared; the
// script checks the module instantiates). Produce one like scripts/build.mjs does, e.g.:
//   cargo build --target wasm32-unknown-unknown --features wasm --locked \
//     --config 'profile.optz.inherits="release"' --config 'profile.optz.opt-level="z"' --profile optz
//   wasm-bindgen --target web --out-dir /tmp/v --out-name agent \
//     target/wasm32-unknown-unknown/optz/secretzero_agent.wasm
//   node_modules/.bin/wasm-opt -Oz --one-caller-inline-max-function-size=100 \
//     /tmp/v/agent_bg.wasm -o /tmp/v/opt.wasm
//   node bench/variant.mjs pkg/wasm/agent_bg.wasm /tmp/v/opt.wasm
//
// Prints one JSON line per variant: raw/gzip/brotli bytes; `cold`: a fresh `node --liftoff-only`
// process (like the CLI) doing import, targetFiles, agentSync and formatReport on 50 secrets
// (medians of 5, ms); `warm`: validateSecretfile and agentSync medians on 1,000 and 5,000 secrets.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as zlib from 'node:zlib';

import { secretfile } from './gen-secretfile.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sz-variant-'));
process.on('exit', () => fs.rmSync(work, { recursive: true, force: true }));
for (const n of [50, 1000, 5000]) fs.writeFileSync(path.join(work, `sf${n}.yml`), secretfile(n));

const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];

// Runs inside the copied package: `mode` cold or warm.
const PROBE = `
import fs from 'node:fs';
const [pkg, work, mode] = process.argv.slice(2);
const now = '2025-01-01T00:00:00.000Z';
const t0 = performance.now();
const api = await import(pkg + '/dist/node.js');
const t1 = performance.now();
const run = (n) => {
  const text = fs.readFileSync(work + '/sf' + n + '.yml', 'utf8');
  const base = { text, dryRun: true, now, cwd: '/bench' };
  const a = performance.now();
  const plan = api.targetFiles(base);
  const b = performance.now();
  const { report } = api.agentSync({ ...base, files: Object.fromEntries(plan.files.map((f) => [f, null])) });
  const c = performance.now();
  api.formatReport(report, { format: 'json' });
  const d = performance.now();
  return { text, base, plan, t: [b - a, c - b, d - c] };
};
if (mode === 'cold') {
  const r = run(50);
  console.log(JSON.stringify({ import: t1 - t0, targetFiles: r.t[0], agentSync: r.t[1], formatReport: r.t[2] }));
} else {
  const out = {};
  for (const n of [1000, 5000]) {
    const { text, base, plan } = run(n);
    const opts = { ...base, files: Object.fromEntries(plan.files.map((f) => [f, null])) };
    const time = (f) => { f(); const s = []; for (let i = 0; i < 7; i++) { const t = performance.now(); f(); s.push(performance.now() - t); } return s.sort((x, y) => x - y)[3]; };
    out['validate' + n] = time(() => api.validateSecretfile(text));
    out['agentSync' + n] = time(() => api.agentSync(opts));
  }
  console.log(JSON.stringify(out));
}
`;
fs.writeFileSync(path.join(work, 'probe.mjs'), PROBE);

for (const wasm of process.argv.slice(2)) {
  const pkg = path.join(work, `pkg-${path.basename(path.dirname(path.resolve(wasm)))}`);
  fs.cpSync(path.join(root, 'pkg'), pkg, { recursive: true });
  fs.copyFileSync(wasm, path.join(pkg, 'wasm/agent_bg.wasm'));
  const bytes = fs.readFileSync(wasm);
  new WebAssembly.Module(bytes); // must compile
  const probe = (mode, flags = []) => {
    const r = spawnSync(process.execPath, [...flags, path.join(work, 'probe.mjs'), pathToFileURL(pkg).href, work, mode], {
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(r.stderr);
    return JSON.parse(r.stdout);
  };
  const colds = Array.from({ length: 5 }, () => probe('cold', ['--liftoff-only']));
  const cold = {};
  for (const k of Object.keys(colds[0])) cold[k] = +median(colds.map((c) => c[k])).toFixed(1);
  const warm = Object.fromEntries(Object.entries(probe('warm')).map(([k, v]) => [k, +v.toFixed(1)]));
  console.log(
    JSON.stringify({
      wasm,
      raw: bytes.length,
      gzip: zlib.gzipSync(bytes, { level: 9 }).length,
      brotli: zlib.brotliCompressSync(bytes, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
      cold,
      warm,
      loadavg: os.loadavg().map((x) => +x.toFixed(2)),
    }),
  );
}
