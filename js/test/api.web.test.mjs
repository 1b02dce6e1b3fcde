import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';

import { apiSuite, assertSzError } from './api-suite.mjs';
import { consumer, installed } from './helpers.mjs';

// Observed before anything initialises the core (suites are collected before tests run).
const web = await import(pathToFileURL(path.join(consumer, 'web.mjs')).href);
const bytes = fs.readFileSync(path.join(installed, 'wasm/agent_bg.wasm'));
const initializedBefore = web.isInitialized();
let errorBefore;
try {
  web.version();
} catch (e) {
  errorBefore = e;
}
const p1 = web.init(bytes);
const p2 = web.init();
await p1;

test('browser entry: calls before init() throw USAGE; init() is idempotent', () => {
  assert.equal(initializedBefore, false);
  assertSzError(web, () => {
    throw errorBefore;
  }, 'USAGE');
  assert.match(errorBefore.message, /init\(\)/);
  assert.equal(p1, p2, 'init() returns the same promise');
  assert.equal(web.isInitialized(), true);
  web.initSync(bytes); // no-op once ready
  assert.equal(typeof web.version(), 'string');
});

apiSuite('the browser entry (init with bytes)', async () => web);
