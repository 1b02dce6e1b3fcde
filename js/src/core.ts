/**
 * Internal: the bridge to the WebAssembly core and the argument checks shared by every entry.
 *
 * The core exports one function, `call(op, json) -> json`, that never throws: it answers
 * `{"ok": ...}` or `{"error": {code, message, line?, column?, diagnostics}}`. Strings cross
 * the boundary and `JSON.parse` builds the objects here, so hostile keys such as `__proto__`
 * never reach a prototype. Each entry (Node, browser) plugs its instance in with
 * {@link setBackend}.
 *
 * @internal
 * @module
 */

import type { Diagnostic, ErrorCode } from '../wasm/api.js';
import { SecretZeroError, usageError } from './errors.js';

/** The core's exported function. */
export type CallFn = (op: string, input: string) => string;

let backend: CallFn | undefined;
let crashed: unknown;

/**
 * Largest request handed to the core, in UTF-16 code units of its JSON. The core's own
 * budgets (16 MiB Secretfile) reject less than this; the cap keeps a huge argument (a giant
 * `files` entry, a 500-million-character string) from being copied into the WebAssembly
 * memory at all, where running out of its 4 GiB would trap and poison the instance.
 */
export const MAX_REQUEST_CHARS = 64 * 1024 * 1024;

/** Plug in the core instance used by every API function. */
export function setBackend(fn: CallFn): void {
  backend = fn;
  crashed = undefined;
}

/** Whether a core instance is plugged in. */
export function hasBackend(): boolean {
  return backend !== undefined;
}

interface ErrorEnvelope {
  code?: ErrorCode;
  message?: string;
  line?: number | null;
  column?: number | null;
  diagnostics?: Diagnostic[];
}

/** Run operation `op` on `request`; return the `ok` payload or throw a SecretZeroError. */
export function invoke<T>(op: string, request: unknown): T {
  if (backend === undefined) {
    throw usageError(
      'the WebAssembly module is not initialised: call `await init()` (browser entry) first',
    );
  }
  if (crashed !== undefined) {
    throw new SecretZeroError({
      code: 'INTERNAL',
      message:
        'the WebAssembly core crashed earlier and cannot be used any more; restart the process ' +
        '(or reload the page) and please report the bug',
      cause: crashed,
    });
  }
  let input: string;
  try {
    input = JSON.stringify(request);
  } catch (e) {
    // JSON.stringify's messages name properties, never values; keep it as the cause only.
    throw usageError(`the \`${op}\` request cannot be converted to JSON`, e);
  }
  if (input.length > MAX_REQUEST_CHARS) {
    const message = `the \`${op}\` request is ${input.length} characters of JSON, more than the limit of ${MAX_REQUEST_CHARS}`;
    throw new SecretZeroError({
      code: 'BUDGET_EXCEEDED',
      message,
      diagnostics: [
        {
          code: 'BUDGET_EXCEEDED',
          severity: 'error',
          message,
          hint: 'a Secretfile is at most 16 MiB; pass smaller files',
        },
      ],
    });
  }
  let out: string;
  try {
    out = backend(op, input);
  } catch (e) {
    // `call` never throws by contract: this is a trap (a panic) inside the core. The instance
    // may be inconsistent now, so refuse to use it again.
    crashed = e;
    throw new SecretZeroError({
      code: 'INTERNAL',
      message: `the WebAssembly core crashed during \`${op}\` (this is a bug; please report it)`,
      cause: e,
    });
  }
  const envelope = JSON.parse(out) as { ok?: T; error?: ErrorEnvelope };
  if (envelope.error !== undefined) {
    throw fromEnvelope(envelope.error);
  }
  return envelope.ok as T;
}

function fromEnvelope(e: ErrorEnvelope): SecretZeroError {
  return new SecretZeroError({
    code: e.code ?? 'INTERNAL',
    message: e.message ?? 'unknown error',
    line: e.line,
    column: e.column,
    diagnostics: Array.isArray(e.diagnostics) ? e.diagnostics : [],
  });
}

// ---------------------------------------------------------------------------------------------
// Argument checks: wrong types become USAGE errors with the parameter's name (never its value).

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}

/** `v` must be a string. */
export function checkString(fn: string, name: string, v: unknown): string {
  if (typeof v !== 'string') {
    throw usageError(`${fn}: \`${name}\` must be a string, got ${typeName(v)}`);
  }
  return v;
}

/** `v` must be a string or absent. */
export function checkOptString(fn: string, name: string, v: unknown): string | undefined {
  return v === undefined || v === null ? undefined : checkString(fn, name, v);
}

/** `v` must be a boolean or absent. */
export function checkOptBool(fn: string, name: string, v: unknown): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') {
    throw usageError(`${fn}: \`${name}\` must be a boolean, got ${typeName(v)}`);
  }
  return v;
}

/** `v` must be a positive integer or absent. */
export function checkOptInt(fn: string, name: string, v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw usageError(`${fn}: \`${name}\` must be a positive integer`);
  }
  return v;
}

/** `v` must be a plain object (not null, not an array) or absent. */
export function checkOptObject(
  fn: string,
  name: string,
  v: unknown,
): Record<string, unknown> | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) {
    throw usageError(`${fn}: \`${name}\` must be an object, got ${typeName(v)}`);
  }
  return v as Record<string, unknown>;
}

/** `v` must be an object. */
export function checkObject(fn: string, name: string, v: unknown): Record<string, unknown> {
  const o = checkOptObject(fn, name, v);
  if (o === undefined) {
    throw usageError(`${fn}: \`${name}\` must be an object, got ${typeName(v)}`);
  }
  return o;
}

/**
 * `v` must map names to strings (`process.env` qualifies: `undefined` entries are dropped).
 * Values are never echoed in errors.
 */
export function checkOptStringMap(
  fn: string,
  name: string,
  v: unknown,
  nullable = false,
): Record<string, string> | undefined {
  const o = checkOptObject(fn, name, v);
  if (o === undefined) return undefined;
  // No prototype: a key such as `__proto__` (a secret may be called that) stays a key.
  const out = Object.create(null) as Record<string, string>;
  for (const [k, val] of Object.entries(o)) {
    if (val === undefined) continue;
    if (typeof val === 'string' || (nullable && val === null)) {
      out[k] = val as string;
      continue;
    }
    throw usageError(
      `${fn}: \`${name}\` must map names to strings${nullable ? ' or null' : ''}; ` +
        `the entry \`${k}\` is ${typeName(val)}`,
    );
  }
  return out;
}

/** `v` must be an array of strings or absent. */
export function checkOptStringList(fn: string, name: string, v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
    throw usageError(`${fn}: \`${name}\` must be an array of strings, got ${typeName(v)}`);
  }
  return [...(v as string[])];
}

function camelToSnake(s: string): string {
  return s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function snakeToCamel(s: string): string {
  return s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Reject option keys this function does not know (a misspelt `dryRun` must not silently
 * write files). Suggests the camelCase spelling of a snake_case key.
 */
export function checkKeys(fn: string, o: Record<string, unknown>, known: readonly string[]): void {
  for (const k of Object.keys(o)) {
    if (known.includes(k)) continue;
    const camel = snakeToCamel(k);
    const hint = camel !== k && known.includes(camel) ? ` (did you mean \`${camel}\`?)` : '';
    throw usageError(`${fn}: unknown option \`${k}\`${hint}`);
  }
}

/** Map `{fooBar: 1}` to `{foo_bar: 1}`, dropping `undefined` values. */
export function toSnake(o: Record<string, unknown>): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of Object.entries(o)) {
    if (v !== undefined) out[camelToSnake(k)] = v;
  }
  return out;
}
