// Shared helpers of the node:test suites. Every suite runs against the BUILT package as a user
// installs it: target/consumer/ (created by scripts/consumer.mjs from `npm pack pkg/`).

import { spawnSync } from 'node:child_process';
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
