// Helpers of the agent suites (MCP server, hand-off, Node agent example): read back the values
// a sync wrote, the hashes of the lockfile, and talk raw HTTP to a hand-off page (custom Host
// and Origin headers, which `fetch` does not let a test set).

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';

/** `KEY=value` / `KEY="escaped"` lines of a dotenv file. */
export function parseDotenv(text) {
  const out = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) continue;
    let v = m[2];
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) {
      v = v.slice(1, -1).replace(/\\(.)/g, (_, c) => ({ n: '\n', r: '\r', t: '\t' })[c] ?? c);
    } else if (v.startsWith("'") && v.endsWith("'") && v.length >= 2) {
      v = v.slice(1, -1);
    }
    out[m[1]] = v;
  }
  return out;
}

/**
 * Every secret value the quickstart's sync wrote (read back from .env and config.json), by key.
 * `app_name` (a static, non-secret value) is left out.
 */
export function writtenValues(dir) {
  const values = {};
  const env = path.join(dir, '.env');
  if (fs.existsSync(env)) Object.assign(values, parseDotenv(fs.readFileSync(env, 'utf8')));
  const json = path.join(dir, 'config.json');
  if (fs.existsSync(json)) {
    for (const [k, v] of Object.entries(JSON.parse(fs.readFileSync(json, 'utf8')))) {
      if (k !== 'app_name' && typeof v === 'string') values[`config.${k}`] = v;
    }
  }
  return values;
}

/** Every hash string of the lockfile (value hashes, target hashes, definition hashes). */
export function lockfileHashes(dir, name = '.gitsecrets.lock') {
  const p = path.join(dir, name);
  if (!fs.existsSync(p)) return [];
  const out = new Set();
  const walk = (v) => {
    if (typeof v === 'string' && /^[0-9a-f]{32,}$/i.test(v)) out.add(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(JSON.parse(fs.readFileSync(p, 'utf8')));
  return [...out];
}

/** Assert that none of `needles` (values or hashes) occurs in `haystack`. */
export function assertNoneIn(haystack, needles, what) {
  for (const n of needles) {
    assert.ok(n.length >= 8, `a needle of ${n.length} characters proves nothing`);
    assert.ok(!haystack.includes(n), `${what} contains a secret value or hash`);
  }
}

/**
 * A raw HTTP request (node:http), so that tests can send any Host and Origin. Resolves to
 * `{ status, headers, body }`.
 */
export function request(url, { method = 'GET', headers = {}, body } = {}) {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        method,
        headers: { connection: 'close', ...headers },
        setHost: !Object.keys(headers).some((h) => h.toLowerCase() === 'host'),
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** The CSRF token of a hand-off form page. */
export function csrfOf(html) {
  const m = /name="csrf" value="([^"]+)"/.exec(html);
  assert.ok(m, 'the page has a CSRF field');
  return m[1];
}

/** POST a value to a hand-off page as its own form would (same origin, form encoding). */
export function postForm(url, fields, headers = {}) {
  const origin = new URL(url).origin;
  return request(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      origin,
      ...headers,
    },
    body: new URLSearchParams(fields).toString(),
  });
}

/** Check the security headers every hand-off response carries. */
export function assertSecurityHeaders(headers) {
  assert.equal(headers['cache-control'], 'no-store');
  assert.equal(headers['referrer-policy'], 'no-referrer');
  assert.equal(headers['x-content-type-options'], 'nosniff');
  assert.equal(headers['x-frame-options'], 'DENY');
  const csp = headers['content-security-policy'];
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /form-action 'self'/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.doesNotMatch(csp, /script-src|unsafe-inline|unsafe-eval/);
}
