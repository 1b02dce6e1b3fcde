/**
 * The human hand-off: a one-time page on 127.0.0.1 where a person types the value of a secret
 * that needs them, so that the value reaches the secret's targets and the lockfile without
 * passing through an agent, a model or a log.
 *
 * {@link startHandoff} checks that the secret needs a value (pending, or failed for want of
 * one), then serves a page at `http://127.0.0.1:<ephemeral port>/h/<token>`, where the token is
 * 32 random bytes (base64url) — the URL is the capability. The page shows the secret's
 * instructions (command-like steps labelled as such: they come from the repository and are
 * never run) and a hidden input. A submitted value is checked by the core against the secret's
 * `validation` (a dry-run sync with the value), then stored by a real sync with
 * `values: { NAME: value }` — targets first, lockfile last, like every sync. The caller learns
 * only the outcome: `stored`, or why not (reasons never contain the value).
 *
 * The page works once: after a value is stored, or when the link expires (default 10 minutes),
 * every request gets `410 Gone` for a short linger, then the server closes. Requests are refused
 * unless the `Host` header is exactly `127.0.0.1:<port>` (DNS rebinding); a submission must be
 * a `POST` of `application/x-www-form-urlencoded` or `application/json` carrying the page's
 * CSRF token, from the page's own origin (checked with `Origin` and `Sec-Fetch-Site`;
 * cross-site posts are refused). Every
 * response is `Cache-Control: no-store`, `Referrer-Policy: no-referrer` and has a strict
 * Content-Security-Policy (no script at all, one nonce'd style sheet, forms only to itself,
 * never framed).
 *
 * Syncs of one project directory started from this process run one at a time
 * ({@link serialized}), so two hand-offs finishing together cannot lose each other's writes.
 *
 * @module
 */

import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { readFile, realpath } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import * as path from 'node:path';

import type { PendingSecret, SyncReport } from '../wasm/api.js';
import { formPage, send, sendJson, textPage } from './handoff-page.js';
import type { PageInfo } from './handoff-page.js';
import { SecretZeroError, isSecretZeroError, parseSecretfile, syncProject } from './node.js';
import type { EnvInput, SyncProjectOptions } from './node.js';

/** Options of {@link startHandoff}. */
export interface HandoffOptions {
  /** The secret a person is asked for. */
  name: string;
  /** The project directory. Default `process.cwd()`. */
  cwd?: string | undefined;
  /** The Secretfile, relative to `cwd`. Default `"Secretfile.yml"`. */
  file?: string | undefined;
  /** The lockfile, relative to `cwd`. Default: derived from the Secretfile. */
  lockfilePath?: string | undefined;
  /** Variable files, relative to `cwd`. Default: none. */
  varFiles?: readonly string[] | undefined;
  /** The environment lane. Default: the Secretfile's `environments.default`. */
  environment?: string | undefined;
  /** Environment variables. Default `process.env`. */
  env?: EnvInput | undefined;
  /**
   * Let targets, the lockfile and variable files lie outside `cwd` (as
   * {@link SyncProjectOptions.allowOutsideRoot}). Default `false`: refused with
   * `PATH_OUTSIDE_ROOT`.
   */
  allowOutsideRoot?: boolean | undefined;
  /** Seconds until the link stops working. Default 600 (10 minutes); at least 1, at most 86400. */
  expiresInSeconds?: number | undefined;
  /**
   * Seconds the server keeps answering `410 Gone` after the value was stored or the link
   * expired, before it closes. Default 5.
   */
  lingerSeconds?: number | undefined;
  /** Failed submissions (invalid value, failed write) allowed before the link is closed. Default 5. */
  maxAttempts?: number | undefined;
}

/** Where a hand-off stands. */
export type HandoffStatus = 'waiting' | 'stored' | 'expired' | 'cancelled' | 'failed';

/** How a hand-off ended. Never holds the value. */
export interface HandoffOutcome {
  /** `stored`, or why not. */
  status: Exclude<HandoffStatus, 'waiting'>;
  /** The secret. */
  name: string;
  /** Why it was not stored (`failed`, `expired`, `cancelled`); never contains the value. */
  reason?: string;
  /** Files the storing sync wrote (paths relative to the project, and what happened). */
  files?: { path: string; role: string; action: string }[];
}

/** A running hand-off. */
export interface Handoff {
  /** An identifier for this hand-off (not the secret token of the URL). */
  readonly id: string;
  /** The secret. */
  readonly name: string;
  /** The one-time URL (`http://127.0.0.1:PORT/h/TOKEN`): give it to the person, never log it. */
  readonly url: string;
  /** When the link stops working. */
  readonly expiresAt: Date;
  /** The secret's instructions (as in the sync report), when it has some. */
  readonly instructions: PendingSecret | undefined;
  /** Resolves when the value was stored, the link expired, was cancelled, or failed for good. */
  readonly done: Promise<HandoffOutcome>;
  /** Where it stands now. */
  status(): HandoffStatus;
  /** Stop now: the hand-off ends `cancelled` (unless already over) and the server closes. */
  close(): Promise<void>;
}

const DEFAULT_EXPIRES_S = 600;
const MAX_BODY = 64 * 1024;
const MAX_CSRF_TOKENS = 16;

const queues = new Map<string, Promise<unknown>>();

/**
 * Run `fn` after every earlier `serialized(key, …)` call of this process has settled: syncs of
 * one project directory (key: its real path) never overlap.
 */
export function serialized<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const prev = queues.get(key) ?? Promise.resolve();
  const run = prev.then(fn, fn);
  const tail = run.then(
    () => undefined,
    () => undefined,
  );
  queues.set(key, tail);
  void tail.then(() => {
    if (queues.get(key) === tail) queues.delete(key);
  });
  return run;
}

function usage(message: string): SecretZeroError {
  return new SecretZeroError({ code: 'USAGE', message });
}

function checkSeconds(name: string, v: unknown, def: number, min: number, max: number): number {
  if (v === undefined) return def;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw usage(`startHandoff: \`options.${name}\` must be a number from ${min} to ${max}`);
  }
  return v;
}


function describeTargets(targets: unknown): string[] {
  if (!Array.isArray(targets)) return [];
  return targets.map((t: unknown) => {
    const o = (typeof t === 'object' && t !== null ? t : {}) as Record<string, unknown>;
    const c = (typeof o['config'] === 'object' && o['config'] !== null ? o['config'] : {}) as Record<
      string,
      unknown
    >;
    const where = typeof c['path'] === 'string' ? c['path'] : '';
    const key = typeof c['key'] === 'string' ? ` (key ${c['key']})` : '';
    return `${String(o['provider'] ?? '?')}/${String(o['kind'] ?? '?')}${where ? `: ${where}` : ''}${key}`;
  });
}

/**
 * Start a hand-off for one secret. Resolves once the page is listening; `done` resolves when
 * the value was stored (or the hand-off ended otherwise).
 *
 * @example
 * ```ts
 * const h = await startHandoff({ cwd: repo, name: 'stripe_api_key' });
 * console.log(`Open ${h.url} to enter the Stripe key (expires ${h.expiresAt.toISOString()})`);
 * const outcome = await h.done; // { status: 'stored', name: 'stripe_api_key', files: [...] }
 * ```
 * @throws {@link SecretZeroError} `UNKNOWN_REFERENCE` when the Secretfile has no such secret,
 * `USAGE` when it needs no value (already synced, or generated automatically) or an option is
 * wrong, and whatever a dry-run sync of the project throws (invalid Secretfile, `IO`).
 */
export async function startHandoff(options: HandoffOptions): Promise<Handoff> {
  if (typeof options !== 'object' || options === null) throw usage('startHandoff: `options` must be an object');
  const name = options.name;
  if (typeof name !== 'string' || name === '') throw usage('startHandoff: `options.name` must be a secret name');
  const expiresIn = checkSeconds('expiresInSeconds', options.expiresInSeconds, DEFAULT_EXPIRES_S, 1, 86_400);
  const linger = checkSeconds('lingerSeconds', options.lingerSeconds, 5, 0, 3600);
  const maxAttempts = checkSeconds('maxAttempts', options.maxAttempts, 5, 1, 100);
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const lockKey = await realpath(cwd).catch(() => cwd);
  const file = options.file ?? 'Secretfile.yml';
  const env = options.env ?? process.env;
  const base: SyncProjectOptions = {
    cwd,
    file,
    lockfilePath: options.lockfilePath,
    varFiles: options.varFiles,
    environment: options.environment,
    env,
    allowOutsideRoot: options.allowOutsideRoot,
  };

  // Does this secret need a value from a person?
  const { report } = await serialized(lockKey, () => syncProject({ ...base, dryRun: true }));
  const info = await pageInfo(name, cwd, file, env, report);

  const token = randomBytes(32).toString('base64url');
  const id = randomUUID();
  const csrfTokens: Buffer[] = [];
  let state: HandoffStatus = 'waiting';
  let busy = false;
  /** An end (expiry, cancel) that arrived while a value was being stored: applied after. */
  let deferredEnd: HandoffOutcome | undefined;
  let attempts = 0;
  let expiry: NodeJS.Timeout | undefined;
  let resolveDone!: (o: HandoffOutcome) => void;
  const done = new Promise<HandoffOutcome>((r) => {
    resolveDone = r;
  });
  let port = 0;
  const expiresAt = new Date(Date.now() + expiresIn * 1000);

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      // Never echo an error to the page: it could hold anything.
      if (!res.headersSent) send(res, 500, textPage('Something went wrong', 'The value was not stored.'));
      else res.destroy();
    });
  });
  server.requestTimeout = 60_000;
  server.headersTimeout = 30_000;
  server.keepAliveTimeout = 2_000;

  const finish = (outcome: HandoffOutcome): void => {
    if (state !== 'waiting') return;
    if (busy && outcome.status !== 'stored' && outcome.status !== 'failed') {
      deferredEnd ??= outcome;
      return;
    }
    state = outcome.status;
    clearTimeout(expiry);
    resolveDone(outcome);
    const stop = setTimeout(() => void closeServer(), linger * 1000);
    stop.unref();
  };
  const closeServer = (): Promise<void> =>
    new Promise((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
    });

  const origin = (): string => `http://127.0.0.1:${port}`;
  const pagePath = `/h/${token}`;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // DNS rebinding: only our own literal host:port.
    if (req.headers.host !== `127.0.0.1:${port}`) {
      return send(res, 403, textPage('Refused', 'This page only answers on its own address.'));
    }
    const url = new URL(req.url ?? '/', origin());
    if (!sameToken(url.pathname, pagePath)) {
      return send(res, 404, textPage('Not found', 'There is nothing here.'));
    }
    if (state !== 'waiting') {
      const why =
        state === 'stored'
          ? 'The value was stored. This link worked once and is now closed.'
          : state === 'expired'
            ? 'This link has expired. Ask for a new one.'
            : 'This link is closed. Ask for a new one.';
      return send(res, 410, textPage('Link closed', why), req);
    }
    if (req.method === 'GET' || req.method === 'HEAD') {
      // Another site may link here (a chat in the browser: a cross-site navigation), but not
      // embed or fetch the page.
      const site = req.headers['sec-fetch-site'];
      const mode = req.headers['sec-fetch-mode'];
      const dest = req.headers['sec-fetch-dest'];
      if (
        (site === 'cross-site' || site === 'same-site') &&
        (mode !== 'navigate' || (dest !== undefined && dest !== 'document'))
      ) {
        return send(res, 403, textPage('Refused', 'Open this link directly.'));
      }
      return send(res, 200, formPage(info, newCsrf(), expiresAt, pagePath), req);
    }
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'GET, HEAD, POST');
      return send(res, 405, textPage('Method not allowed', 'Use the form.'));
    }
    await submit(req, res);
  }

  async function submit(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Same-origin only. Under `Referrer-Policy: no-referrer` browsers send `Origin: null` even
    // for the page's own form (Fetch standard), so `null` is accepted only with the browser's
    // unforgeable `Sec-Fetch-Site: same-origin`. Clients that send neither (curl, scripts) are
    // not browsers and cannot be tricked into posting cross-site; they still need the CSRF token.
    const fetchSite = req.headers['sec-fetch-site'];
    const requestOrigin = req.headers.origin;
    const siteOk = fetchSite === undefined || fetchSite === 'same-origin';
    const originOk =
      requestOrigin === undefined ||
      requestOrigin === origin() ||
      (requestOrigin === 'null' && fetchSite === 'same-origin');
    if (!siteOk || !originOk) {
      return send(res, 403, textPage('Refused', 'Submissions from other sites are refused.'));
    }
    const type = (req.headers['content-type'] ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
    const json = type === 'application/json';
    if (!json && type !== 'application/x-www-form-urlencoded') {
      return send(res, 415, textPage('Unsupported', 'Submit the form on this page.'));
    }
    let body: string;
    try {
      body = await readBody(req);
    } catch {
      return send(res, 413, textPage('Too large', 'The submission is too large.'));
    }
    let fields: { value?: unknown; csrf?: unknown };
    try {
      fields = json
        ? (JSON.parse(body) as { value?: unknown; csrf?: unknown })
        : Object.fromEntries(new URLSearchParams(body));
    } catch {
      return reply(res, json, 400, 'invalid', 'The submission could not be read.');
    }
    if (typeof fields !== 'object' || fields === null || !checkCsrf(fields.csrf)) {
      return send(res, 403, textPage('Refused', 'This form is stale or was not sent by this page. Reload it.'));
    }
    const value = fields.value;
    if (typeof value !== 'string' || value === '') {
      return reply(res, json, 400, 'invalid', 'Enter a value.');
    }
    if (busy) return reply(res, json, 409, 'busy', 'A value is being stored already.');
    busy = true;
    try {
      const r = await serialized(lockKey, () => store(value));
      if (r.ok) {
        finish({ status: 'stored', name, files: r.files });
        return reply(res, json, 200, 'stored', `The value of ${name} was stored. You can close this page.`);
      }
      attempts++;
      if (attempts >= maxAttempts) {
        finish({ status: 'failed', name, reason: `${r.reason} (${attempts} attempts; the link is now closed)` });
        return reply(res, json, 422, 'failed', `${r.reason} The link is now closed.`);
      }
      return reply(res, json, 422, 'invalid', r.reason);
    } finally {
      busy = false;
      if (deferredEnd !== undefined) finish(deferredEnd);
    }
  }

  /** Check with a dry run, then store. Returns reasons without the value. */
  async function store(
    value: string,
  ): Promise<{ ok: true; files: NonNullable<HandoffOutcome['files']> } | { ok: false; reason: string }> {
    const scrub = (s: string): string =>
      value.length >= 4 ? s.split(value).join(`[REDACTED:${name}]`) : s;
    try {
      const values = { [name]: value };
      const check = await syncProject({ ...base, dryRun: true, values });
      const verdict = verdictOf(check.report, name);
      if (verdict !== undefined) return { ok: false, reason: scrub(verdict) };
      const result = await syncProject({ ...base, values });
      const after = verdictOf(result.report, name);
      if (after !== undefined) return { ok: false, reason: scrub(after) };
      return {
        ok: true,
        files: result.files.map((f) => ({ path: f.path, role: f.role, action: f.action })),
      };
    } catch (e) {
      const reason = isSecretZeroError(e) ? `${e.code}: ${e.message}` : 'the value could not be stored';
      return { ok: false, reason: scrub(reason) };
    }
  }

  function newCsrf(): string {
    const t = randomBytes(32);
    csrfTokens.push(t);
    if (csrfTokens.length > MAX_CSRF_TOKENS) csrfTokens.shift();
    return t.toString('base64url');
  }

  function checkCsrf(v: unknown): boolean {
    if (typeof v !== 'string') return false;
    const got = Buffer.from(v, 'base64url');
    return got.length === 32 && csrfTokens.some((t) => timingSafeEqual(t, got));
  }

  function reply(res: ServerResponse, json: boolean, code: number, status: string, message: string): void {
    if (json) return sendJson(res, code, { status, message });
    if (status === 'stored') return send(res, code, textPage('Stored', message));
    if (status === 'failed') return send(res, code, textPage('Not stored', message));
    return send(res, code, formPage(info, newCsrf(), expiresAt, pagePath, message));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  port = typeof address === 'object' && address !== null ? address.port : 0;
  expiry = setTimeout(
    () => finish({ status: 'expired', name, reason: `the link expired after ${expiresIn} s` }),
    expiresIn * 1000,
  );

  return {
    id,
    name,
    url: `${origin()}${pagePath}`,
    expiresAt,
    instructions: info.instructions,
    done,
    status: () => state,
    close: async () => {
      finish({ status: 'cancelled', name, reason: 'the hand-off was cancelled' });
      // A value being stored right now is stored first (the outcome then says so).
      await done;
      await closeServer();
    },
  };
}

/** Why the report does not say `name` was (or would be) stored, or undefined when it does. */
function verdictOf(report: SyncReport, name: string): string | undefined {
  if (report.synced_secrets.includes(name)) return undefined;
  const failed = report.failed_secrets[name];
  if (failed !== undefined) return failed;
  if (report.already_synced.includes(name)) return `${name} is already stored (recorded in the lockfile)`;
  return `${name} was not stored`;
}

async function pageInfo(
  name: string,
  cwd: string,
  file: string,
  env: EnvInput,
  report: SyncReport,
): Promise<PageInfo> {
  const text = await readFile(path.resolve(cwd, file), 'utf8');
  const secret = parseSecretfile(text, { env }).secretfile?.secrets?.find((s) => s.name === name);
  if (secret === undefined) {
    throw new SecretZeroError({
      code: 'UNKNOWN_REFERENCE',
      message: `the Secretfile has no secret named \`${name}\``,
    });
  }
  if (report.already_synced.includes(name)) {
    throw usage(`\`${name}\` is already synced (recorded in the lockfile): it needs no hand-off`);
  }
  if (report.synced_secrets.includes(name)) {
    throw usage(`\`${name}\` is generated automatically: run the sync instead of a hand-off`);
  }
  const config = (secret.config ?? {}) as Record<string, unknown>;
  return {
    name,
    project: path.basename(cwd),
    instructions: report.pending_secrets[name],
    failedReason: report.failed_secrets[name],
    destinations: describeTargets(secret.targets),
    validation: typeof config['validation'] === 'string' ? config['validation'] : undefined,
  };
}

function sameToken(got: string, want: string): boolean {
  const a = Buffer.from(got);
  const b = Buffer.from(want);
  return a.length === b.length && timingSafeEqual(a, b);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('too large'));
        req.pause();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
