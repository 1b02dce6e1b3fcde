#!/usr/bin/env node
// Install the built package the way users get it, then type-check consumers against it.
//
//   node scripts/consumer.mjs
//
// 1. `npm pack pkg/` (the `files` list decides what ships) and `npm install` the tarball into
//    target/consumer/ (--prefer-offline: its one dependency, @modelcontextprotocol/sdk, comes
//    from npm's cache when `npm ci` put it there, else from the registry) — this also creates
//    node_modules/.bin/secretzero like a real install.
// 2. Small shims there (esm.mjs, cjs.cjs, web.mjs) let js/test/*.test.mjs load the package by
//    its name, through its exports map.
// 3. publint and @arethetypeswrong/cli on pkg/ (exports map, types per resolution mode; the
//    `./web` subpath is ESM-only by design, so it is left out of attw's CommonJS checks).
// 4. `tsc --strict` on js/test/consumers/node (NodeNext, lib ES2022, no DOM, skipLibCheck off)
//    and js/test/consumers/browser (Bundler resolution, with and without the "browser"
//    condition): the shipped .d.ts must compile for both.

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = path.join(root, 'pkg');
const dir = path.join(root, 'target/consumer');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function fail(msg) {
  console.error(`consumer: ${msg}`);
  process.exit(1);
}

function run(cmd, args, cwd) {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    process.stderr.write(e.stdout ?? '');
    process.stderr.write(e.stderr ?? '');
    fail(`${path.basename(cmd)} ${args.join(' ')} failed`);
  }
}

if (!fs.existsSync(path.join(pkg, 'package.json'))) fail('pkg/ is missing: run `make build`');

fs.rmSync(dir, { recursive: true, force: true });
fs.mkdirSync(dir, { recursive: true });
const packed = JSON.parse(run(npm, ['pack', pkg, '--json', '--pack-destination', dir], root));
const tarball = path.join(dir, packed[0].filename);
console.error(
  `consumer: packed ${packed[0].filename}: ${packed[0].entryCount} files, ` +
    `${packed[0].size} B packed, ${packed[0].unpackedSize} B unpacked`,
);
const shippedFiles = packed[0].files.map((f) => f.path).sort();
for (const must of [
  'package.json',
  'README.md',
  'LICENSE',
  'CHANGELOG.md',
  'dist/cli.js',
  'dist/node.js',
  'dist/web.js',
  'cjs/node.js',
  'cjs/package.json',
  'wasm/agent_bg.wasm',
  'wasm/agent.cjs',
  'wasm/api.d.ts',
  'secretfile.schema.json',
]) {
  if (!shippedFiles.includes(must)) fail(`the tarball lacks ${must}`);
}
for (const f of shippedFiles) {
  if (/\.(ts|mts|cts)$/.test(f) && !/\.d\.(ts|mts|cts)$/.test(f)) fail(`TypeScript source shipped: ${f}`);
  if (f.endsWith('.map') || f.startsWith('test')) fail(`unexpected file shipped: ${f}`);
}

fs.writeFileSync(
  path.join(dir, 'package.json'),
  `${JSON.stringify({ name: 'secretzero-consumer', private: true, type: 'module' }, null, 2)}\n`,
);
run(npm, ['install', '--no-save', '--no-audit', '--no-fund', '--ignore-scripts', '--prefer-offline', tarball], dir);

fs.writeFileSync(path.join(dir, 'esm.mjs'), "export * from '@secretzero/agent';\n");
fs.writeFileSync(path.join(dir, 'web.mjs'), "export * from '@secretzero/agent/web';\n");
fs.writeFileSync(path.join(dir, 'cjs.cjs'), "module.exports = require('@secretzero/agent');\n");

const bin = (name) => path.join(root, 'node_modules/.bin', name);
run(bin('publint'), ['--strict'], pkg);
console.error('consumer: publint --strict: ok');
run(bin('attw'), ['--pack', '.', '--exclude-entrypoints', './agent_bg.wasm', './web', './secretfile.schema.json'], pkg);
console.error('consumer: attw (node10, node16 CJS/ESM, bundler): ok');

const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
for (const name of ['node', 'browser']) {
  const src = path.join(root, 'js/test/consumers', name);
  const dst = path.join(dir, `ts-${name}`);
  fs.cpSync(src, dst, { recursive: true });
  run(process.execPath, [tsc, '-p', dst], dst);
  console.error(`consumer: tsc --strict ${name} consumer: ok`);
}
// The Node consumer again under `module: node16` (what many CommonJS projects, VS Code
// extensions among them, compile with): no require(esm) in the types.
const node16 = path.join(dir, 'ts-node/tsconfig.node16.json');
fs.writeFileSync(
  node16,
  JSON.stringify({ extends: './tsconfig.json', compilerOptions: { module: 'Node16', moduleResolution: 'Node16' } }),
);
run(process.execPath, [tsc, '-p', node16], path.dirname(node16));
console.error('consumer: tsc --strict node consumer (module node16): ok');
// The same browser consumer, resolving with the "browser" condition as bundlers do.
const browserCond = path.join(dir, 'ts-browser/tsconfig.browser.json');
fs.writeFileSync(
  browserCond,
  JSON.stringify({ extends: './tsconfig.json', compilerOptions: { customConditions: ['browser'] } }),
);
run(process.execPath, [tsc, '-p', browserCond], path.dirname(browserCond));
console.error('consumer: tsc --strict browser consumer (customConditions: browser): ok');
