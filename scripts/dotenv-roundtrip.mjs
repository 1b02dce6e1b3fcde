#!/usr/bin/env node
// Check which dotenv files our encoder writes read back through npm `dotenv`.
//
// Reads scripts/dotenv-roundtrip.cases.json (written by the Rust test
// `roundtrip_fixture_is_current`). Each case carries `npm`: whether the module docs of
// src/targets/dotenv.rs promise that npm dotenv's `parse` returns the value exactly. The
// check fails when reality differs in either direction, so the documented table stays true.
// dotenv >= 18 also has a `{ fast: true }` parser; it is held to the same promise.
// The combined document must give back every value promised for npm.
//
// `dotenv` is resolved from the current directory (npm install dotenv), or from the
// directory given in DOTENV_MODULE_DIR. Usage: node dotenv-roundtrip.mjs [CASES_JSON]

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const casesPath = process.argv[2] ?? join(here, 'dotenv-roundtrip.cases.json');
const base = process.env.DOTENV_MODULE_DIR ?? process.cwd();

let dotenv;
let version;
try {
  const require = createRequire(join(base, 'noop.js'));
  dotenv = require('dotenv');
  version = require('dotenv/package.json').version;
} catch (e) {
  console.error(`dotenv-roundtrip.mjs: cannot load npm dotenv from ${base} (npm install dotenv): ${e.message}`);
  process.exit(2);
}

const doc = JSON.parse(readFileSync(casesPath, 'utf8'));
const major = Number(version.split('.')[0]);
const modes = [['parse', {}]];
if (major >= 18) modes.push(['parse fast', { fast: true }]);

const failures = [];
const counts = { cases: 0, promised: 0 };
for (const c of doc.cases) {
  counts.cases += 1;
  if (c.npm) counts.promised += 1;
  for (const [name, opts] of modes) {
    const got = dotenv.parse(c.text, opts).K;
    if ((got === c.value) !== c.npm) {
      failures.push({ name, value: c.value, encoding: c.encoding, text: c.text, got, promised: c.npm });
    }
  }
}
for (const [name, opts] of modes) {
  const read = dotenv.parse(doc.combined.text, opts);
  doc.combined.keys.forEach((key, i) => {
    const c = doc.cases[i];
    if (c.npm && read[key] !== c.value) {
      failures.push({ name: `${name} combined ${key}`, value: c.value, encoding: c.encoding, got: read[key], promised: true });
    }
  });
  for (const [key, value] of Object.entries(doc.combined.extra)) {
    if (read[key] !== value) failures.push({ name: `${name} combined ${key}`, value, got: read[key], promised: true });
  }
}

console.log(
  `npm dotenv ${version} (${modes.map((m) => m[0]).join(', ')}): ${counts.cases} values, ` +
    `${counts.promised} promised to round-trip; ${failures.length} mismatch(es) with the documented table`,
);
for (const f of failures.slice(0, 20)) {
  console.log(`  FAIL ${f.name} [${f.encoding}] promised=${f.promised}: value=${JSON.stringify(f.value)} text=${JSON.stringify(f.text)} got=${JSON.stringify(f.got)}`);
}
process.exit(failures.length ? 1 : 0);
