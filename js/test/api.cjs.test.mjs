import assert from 'node:assert/strict';
import { test } from 'node:test';

import { apiSuite } from './api-suite.mjs';
import { loadCjs, loadEsm } from './helpers.mjs';

apiSuite('CommonJS require', async () => loadCjs());

test('ESM and CommonJS copies recognise each other\'s errors', async () => {
  const cjs = loadCjs();
  const esm = await loadEsm();
  assert.notEqual(cjs.SecretZeroError, esm.SecretZeroError, 'two copies of the class');
  let fromCjs;
  try {
    cjs.parseSecretfile(1);
  } catch (e) {
    fromCjs = e;
  }
  assert.ok(fromCjs instanceof esm.SecretZeroError);
  assert.ok(esm.isSecretZeroError(fromCjs));
  assert.ok(!(new Error('x') instanceof cjs.SecretZeroError));
  assert.ok(!esm.isSecretZeroError({ code: 'USAGE', message: 'look-alike' }));
  // One wasm instance behind both.
  assert.equal(cjs.version(), esm.version());
});
