#!/usr/bin/env node
// Build the setup page into dist/: one esbuild bundle (src/app.js + the package's browser
// entry), the page, its stylesheet and icon, and the package's agent_bg.wasm beside the
// bundle (esbuild does not copy assets; app.js loads it with `new URL(..., import.meta.url)`).
//
//   node build.mjs [--out=DIR] [--node-modules=DIR]
//
// --node-modules: where to find @secretzero/agent when it is not installed next to this
// example (the repository's tests point it at the packed tarball's install).

import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

import * as esbuild from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, ...v] = a.replace(/^--/, '').split('=');
    return [k, v.join('=') || 'true'];
  }),
);
const out = path.resolve(args.out ?? path.join(here, 'dist'));
const nodePaths = args['node-modules'] ? [path.resolve(args['node-modules'])] : [];

export async function build({ outDir = out, modules = nodePaths } = {}) {
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const result = await esbuild.build({
    entryPoints: [path.join(here, 'src/app.js')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: false,
    outfile: path.join(outDir, 'app.js'),
    nodePaths: modules,
    logLevel: 'warning',
    metafile: true,
  });
  // The .wasm of the very package that was bundled.
  const req = createRequire(path.join(here, 'src/app.js'));
  const wasm = req.resolve('@secretzero/agent/agent_bg.wasm', { paths: [here, ...modules] });
  fs.copyFileSync(wasm, path.join(outDir, 'agent_bg.wasm'));
  for (const f of ['index.html', 'style.css', 'favicon.svg']) {
    fs.copyFileSync(path.join(here, 'src', f), path.join(outDir, f));
  }
  return { outDir, bytes: Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0) };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { outDir, bytes } = await build();
  console.error(`browser-setup: built ${path.relative(process.cwd(), outDir) || '.'} (app.js ${bytes} B + agent_bg.wasm)`);
}
