#!/usr/bin/env node
// Build the npm package @secretzero/agent into pkg/.
//
//   node scripts/build.mjs [--opt=O3|Os|Oz|none]
//
// 1. cargo: the core for wasm32-unknown-unknown (release, feature `wasm`, --locked)
// 2. wasm-bindgen (the CLI version pinned in Cargo.lock): `web` glue (ESM) and `nodejs` glue
//    (CommonJS) sharing ONE .wasm (checked byte for byte), staged in js/wasm/
// 3. wasm-opt from the npm `binaryen` devDependency (never a system binaryen: Debian's 108
//    corrupts wasm-bindgen output); results are cached by input hash in target/wasm-opt-cache/
// 4. tsc: js/src -> pkg/dist (ESM + .d.ts) and the Node entry again -> pkg/cjs (CommonJS)
// 5. pkg/: package.json (version from Cargo.toml), README.md, CHANGELOG.md, LICENSE, wasm/,
//    secretfile.schema.json (the committed JSON Schema, exported as a subpath)
//
// Nothing is downloaded. Prints the size of the shipped .wasm (raw, gzip, brotli).

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as zlib from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const rel = (p) => path.relative(root, p) || '.';
const args = new Map(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k, v ?? 'true'];
  }),
);
// -O3 and -Os were measured on the 5,000-secret benchmark file (see README "Size and speed"):
// -O3 parses faster for a few KB more; keep it the default.
const OPT = args.get('opt') ?? process.env.WASM_OPT_LEVEL ?? 'O3';
if (!['O3', 'Os', 'Oz', 'O2', 'none'].includes(OPT)) fail(`unknown --opt=${OPT}`);
// Functions with a single caller are not inlined beyond 100 bytes: by default binaryen merged
// them into a 200 KB `call` function that V8 (lazy compilation) had to compile at the first API
// call, ~20 ms of start-up; the module also compresses better (bench/README.md, "Start-up").
// The producers section names the toolchain; nobody needs it at run time.
const WASM_OPT_FLAGS = ['--one-caller-inline-max-function-size=100', '--strip-producers'];

function fail(msg) {
  console.error(`build: ${msg}`);
  process.exit(1);
}

function run(cmd, argv, opts = {}) {
  const t = Date.now();
  try {
    execFileSync(cmd, argv, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], ...opts });
  } catch (e) {
    fail(`${cmd} ${argv.join(' ')} failed (${e.status ?? e.code})`);
  }
  return Date.now() - t;
}

function step(name) {
  console.error(`build: ${name}`);
}

// --- versions ------------------------------------------------------------------------------
const cargoToml = fs.readFileSync(path.join(root, 'Cargo.toml'), 'utf8');
const version = /^\[package\][^[]*?^version\s*=\s*"([^"]+)"/ms.exec(cargoToml)?.[1];
if (!version) fail('cannot read the package version from Cargo.toml');
const lock = fs.readFileSync(path.join(root, 'Cargo.lock'), 'utf8');
const lockVersion = (name) =>
  new RegExp(`^name = "${name}"\\nversion = "([^"]+)"`, 'm').exec(lock)?.[1];
const wbgVersion = lockVersion('wasm-bindgen');
if (!wbgVersion) fail('wasm-bindgen is not in Cargo.lock');
const getrandoms = lock.match(/^name = "getrandom"$/gm)?.length ?? 0;
if (getrandoms !== 1) {
  fail(`Cargo.lock has ${getrandoms} getrandom versions; exactly one (0.4, wasm_js) may exist`);
}
let cliVersion = '';
try {
  cliVersion = execFileSync('wasm-bindgen', ['--version'], { encoding: 'utf8' }).trim().split(/\s+/)[1];
} catch {
  fail('wasm-bindgen CLI not found: run `make setup`');
}
if (cliVersion !== wbgVersion) {
  fail(`wasm-bindgen CLI ${cliVersion} does not match Cargo.lock's ${wbgVersion}: run \`make setup\``);
}

// --- 1. cargo ------------------------------------------------------------------------------
step('cargo build (wasm32-unknown-unknown, release, --features wasm)');
run('cargo', [
  'build',
  '--target',
  'wasm32-unknown-unknown',
  '--release',
  '--features',
  'wasm',
  '--locked',
]);
const targetDir = path.resolve(root, process.env.CARGO_TARGET_DIR ?? 'target');
const rawWasm = path.join(targetDir, 'wasm32-unknown-unknown/release/secretzero_agent.wasm');

// --- 2. wasm-bindgen -----------------------------------------------------------------------
step(`wasm-bindgen ${cliVersion} (web + nodejs)`);
const stage = path.join(root, 'js/wasm');
fs.rmSync(stage, { recursive: true, force: true });
fs.mkdirSync(stage, { recursive: true });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sz-wbg-'));
run('wasm-bindgen', ['--target', 'web', '--out-dir', stage, '--out-name', 'agent', rawWasm]);
run('wasm-bindgen', ['--target', 'nodejs', '--out-dir', tmp, '--out-name', 'agent', rawWasm]);
const webWasm = fs.readFileSync(path.join(stage, 'agent_bg.wasm'));
if (!webWasm.equals(fs.readFileSync(path.join(tmp, 'agent_bg.wasm')))) {
  fail('the web and nodejs targets produced different .wasm files');
}
// The nodejs glue is CommonJS in a .js file; inside a "type": "module" package it must be .cjs.
// It loads `${__dirname}/agent_bg.wasm`, i.e. the shared file.
const cjsGlue = fs
  .readFileSync(path.join(tmp, 'agent.js'), 'utf8')
  .replace('/* @ts-self-types="./agent.d.ts" */', '/* @ts-self-types="./agent.d.cts" */');
if (!cjsGlue.includes('exports.call = call;')) fail('unexpected nodejs glue: no `exports.call`');
fs.writeFileSync(path.join(stage, 'agent.cjs'), cjsGlue);
// The nodejs declarations are DOM-free: the API types every Node-facing .d.ts imports.
const nodeDts = fs.readFileSync(path.join(tmp, 'agent.d.ts'), 'utf8');
fs.writeFileSync(path.join(stage, 'agent.d.cts'), nodeDts);
fs.writeFileSync(path.join(stage, 'api.d.ts'), nodeDts);
fs.rmSync(path.join(stage, 'agent_bg.wasm.d.ts'), { force: true });
fs.rmSync(tmp, { recursive: true, force: true });

// --- 3. wasm-opt ---------------------------------------------------------------------------
const wasmOpt = path.join(root, 'node_modules/.bin/wasm-opt');
if (OPT !== 'none') {
  if (!fs.existsSync(wasmOpt)) fail('node_modules/.bin/wasm-opt missing: run `npm ci` (make setup)');
  const binaryenVersion = JSON.parse(
    fs.readFileSync(path.join(root, 'node_modules/binaryen/package.json'), 'utf8'),
  ).version;
  const key = createHash('sha256')
    .update(webWasm)
    .update(`\0${OPT}\0${WASM_OPT_FLAGS.join(' ')}\0${binaryenVersion}`)
    .digest('hex')
    .slice(0, 32);
  const cacheDir = path.join(targetDir, 'wasm-opt-cache');
  const cached = path.join(cacheDir, `${key}.wasm`);
  if (fs.existsSync(cached)) {
    step(`wasm-opt -${OPT}: cached (${rel(cached)})`);
  } else {
    step(`wasm-opt -${OPT} (binaryen ${binaryenVersion} from npm)`);
    fs.mkdirSync(cacheDir, { recursive: true });
    const out = `${cached}.tmp`;
    const ms = run(wasmOpt, [`-${OPT}`, ...WASM_OPT_FLAGS, path.join(stage, 'agent_bg.wasm'), '-o', out]);
    // A module that no longer compiles must never be shipped (see toolchain pitfall 1).
    try {
      new WebAssembly.Module(fs.readFileSync(out));
    } catch (e) {
      fail(`wasm-opt produced an invalid module: ${e.message}`);
    }
    fs.renameSync(out, cached);
    step(`wasm-opt took ${(ms / 1000).toFixed(1)} s`);
  }
  fs.copyFileSync(cached, path.join(stage, 'agent_bg.wasm'));
}

// --- 4. tsc --------------------------------------------------------------------------------
const pkg = path.join(root, 'pkg');
fs.rmSync(pkg, { recursive: true, force: true });
fs.mkdirSync(pkg, { recursive: true });
const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
if (!fs.existsSync(tsc)) fail('typescript missing: run `npm ci` (make setup)');
step('tsc (ESM -> pkg/dist)');
run(process.execPath, [tsc, '-p', 'js/tsconfig.json']);
step('tsc (CommonJS Node entry -> pkg/cjs)');
run(process.execPath, [tsc, '-p', 'js/tsconfig.cjs.json']);
fs.writeFileSync(path.join(pkg, 'cjs/package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`);
// The CommonJS declarations must take the API types from the CommonJS glue's declarations
// (wasm/agent.d.cts, the same DOM-free text as api.d.ts): wasm/api.d.ts sits in a
// "type": "module" package, and a CommonJS .d.ts importing it fails under `module: node16`
// (TS1479/TS1541) — e.g. a VS Code extension compiled as CommonJS.
for (const f of fs.readdirSync(path.join(pkg, 'cjs')).filter((n) => n.endsWith('.d.ts'))) {
  const file = path.join(pkg, 'cjs', f);
  const text = fs.readFileSync(file, 'utf8');
  fs.writeFileSync(file, text.replaceAll("'../wasm/api.js'", "'../wasm/agent.cjs'").replaceAll('"../wasm/api.js"', '"../wasm/agent.cjs"'));
}
fs.chmodSync(path.join(pkg, 'dist/cli.js'), 0o755);
const cliHead = fs.readFileSync(path.join(pkg, 'dist/cli.js'), 'utf8').split('\n', 1)[0];
if (cliHead !== '#!/usr/bin/env node') fail('dist/cli.js lost its shebang');

// --- 5. assemble ---------------------------------------------------------------------------
step('assemble pkg/');
fs.mkdirSync(path.join(pkg, 'wasm'));
for (const f of ['agent_bg.wasm', 'agent.js', 'agent.d.ts', 'agent.cjs', 'agent.d.cts', 'api.d.ts']) {
  fs.copyFileSync(path.join(stage, f), path.join(pkg, 'wasm', f));
}
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'js/package.template.json'), 'utf8'));
manifest.version = version;
fs.writeFileSync(path.join(pkg, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
for (const f of ['README.md', 'CHANGELOG.md', 'LICENSE', 'secretfile.schema.json']) {
  if (!fs.existsSync(path.join(root, f))) fail(`${f} is missing`);
  fs.copyFileSync(path.join(root, f), path.join(pkg, f));
}

const shipped = fs.readFileSync(path.join(pkg, 'wasm/agent_bg.wasm'));
const gz = zlib.gzipSync(shipped, { level: 9 }).length;
const br = zlib.brotliCompressSync(shipped, {
  params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 },
}).length;
step(
  `done: pkg/ = @secretzero/agent@${version}; agent_bg.wasm ${shipped.length} B ` +
    `(gzip ${gz} B, brotli ${br} B, wasm-opt ${OPT})`,
);
