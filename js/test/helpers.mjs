// Shared helpers of the node:test suites. Every suite runs against the BUILT package as a user
// installs it: target/consumer/ (created by scripts/consumer.mjs from `npm pack pkg/`).

import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const consumer = path.join(root, 'target/consumer');
export const installed = path.join(consumer, 'node_modules/@secretzero/agent');
export const bin = path.join(consumer, 'node_modules/.bin/secretzero');
export const quickstart = path.join(root, 'examples/quickstart');

if (!fs.existsSync(path.join(installed, 'package.json'))) {
  throw new Error('target/consumer is missing: run `make build && node scripts/consumer.mjs`');
}

export const pkgJson = JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8'));

/** The package through `import` (Node ESM, "node" + "import" conditions). */
export async function loadEsm() {
  return import(pathToFileURL(path.join(consumer, 'esm.mjs')).href);
}

/** The package through `require` (Node CommonJS, "node" + "require" conditions). */
export function loadCjs() {
  return createRequire(path.join(consumer, 'cjs.cjs'))('@secretzero/agent');
}

/** Run the installed `secretzero` bin. */
export function cli(args, { cwd = consumer, env = {}, input } = {}) {
  const r = spawnSync(bin, args, {
    cwd,
    encoding: 'utf8',
    input,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...env },
    timeout: 30_000,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const temporary = [];
process.on('exit', () => {
  for (const d of temporary) fs.rmSync(d, { recursive: true, force: true });
});

/** A temporary directory, removed when the test process exits. */
export function tempDir(prefix = 'sz-test-') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  temporary.push(dir);
  return dir;
}

/** A fresh temporary directory holding a copy of `from` (default: examples/quickstart). */
export function tempProject(from = quickstart) {
  const dir = tempDir();
  if (from) fs.cpSync(from, dir, { recursive: true });
  return dir;
}

/** Every regular file under `dir` (relative paths), sorted. */
export function listFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/** `{relative path: bytes}` of every file under `dir` (a symlink: `-> its target`), with modes. */
export function snapshot(dir) {
  return Object.fromEntries(
    listFiles(dir).map((f) => {
      const p = path.join(dir, f);
      const st = fs.lstatSync(p);
      const body = st.isSymbolicLink() ? `-> ${fs.readlinkSync(p)}` : fs.readFileSync(p).toString('base64');
      return [f, `${(st.mode & 0o7777).toString(8)} ${body}`];
    }),
  );
}

// The reference CLI (Python secretzero 0.14.23), when installed: `make setup` runs
// ../shared/oracle/setup.sh when that exists. Tests that compare with it skip without it.
const ORACLE_SETUP = path.resolve(root, '../shared/oracle');
const ORACLE_VENV = process.env.SZ_ORACLE_VENV ?? path.join(os.homedir(), '.cache/secretzero-oracle/venv');
/** The reference CLI's executable. */
export const oracleBin = path.join(ORACLE_VENV, 'bin/secretzero');
/** The Python of the reference CLI's venv (has PyYAML and python-dotenv). */
export const oraclePython = path.join(ORACLE_VENV, 'bin/python');
/** `false` when the reference CLI is installed, else the reason to skip (for `{ skip }`). */
export const noOracle =
  fs.existsSync(ORACLE_SETUP) && fs.existsSync(oracleBin)
    ? false
    : `reference CLI not installed (needs ${path.relative(root, ORACLE_SETUP)} and ${ORACLE_VENV}; run \`make setup\`)`;

/**
 * Run the reference CLI in `cwd` (it writes there), with a scrubbed environment like
 * ../shared/oracle/run.sh: PATH, a throwaway HOME, UTF-8 locale, plus `env`.
 */
export function oracle(args, { cwd, env = {} } = {}) {
  const r = spawnSync(oracleBin, args, { cwd, encoding: 'utf8', timeout: 120_000, env: oracleEnv(env) });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** {@link oracle} without blocking (the reference takes ~1.5 s to start: run several at once). */
export function oracleAsync(args, { cwd, env = {} } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(oracleBin, args, { cwd, env: oracleEnv(env), timeout: 120_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function oracleEnv(env) {
  return {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    HOME: tempDir('sz-oracle-home-'),
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    PYTHONIOENCODING: 'utf-8',
    COLUMNS: '80',
    ...env,
  };
}
