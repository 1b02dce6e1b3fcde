/**
 * Target adapters: how a host writes to shared stores (AWS, Vault, a company's own service).
 *
 * The core plans; it never talks to a network. For every target whose provider is not `local`
 * it hands the host a {@link StoreTarget} (target ID, adapter key `"<provider kind>/<target
 * kind>"`, the target's `config` and the Secretfile's `providers.<alias>` block) and, after
 * planning, the value to store there. An adapter registered under that key does the talking:
 *
 * - {@link TargetAdapter.testConnection} — the access gate, before anything is generated: a
 *   target that fails it fails only the secrets that write to it (`TARGET_UNREACHABLE`, with
 *   the adapter's error message) and no value is generated for them;
 * - {@link TargetAdapter.store} — write one value;
 * - {@link TargetAdapter.read} — read it back, for drift checks (`secretzero status`).
 *
 * The registry is one per process: the Node entry registers the AWS adapters
 * (`aws/ssm_parameter`, `aws/secrets_manager`) and the local file adapters at import; the
 * browser entry starts empty, and a page registers adapters that run in the page. It lives on
 * `globalThis` under a registry symbol, so the ESM and CommonJS copies of the package (which
 * Node may load side by side) share it.
 *
 * Adapters receive secret values and credentials (a `static` provider's keys are in
 * `target.provider_config`): they must never log them, nor put them in an error message.
 *
 * @module
 */

import type { StoreTarget } from '../wasm/api.js';
import { checkString, checkObject } from './core.js';
import { usageError } from './errors.js';
import type { EnvInput } from './index.js';

export type { StoreTarget, StoreWrite } from '../wasm/api.js';

/** What every adapter call is told about the run. */
export interface AdapterContext {
  /**
   * The environment of the sync (`syncProject`'s `env`, default `process.env`): adapters read
   * region, profile and endpoint variables here rather than from `process.env`.
   */
  env: EnvInput;
  /** The project directory (Node; absent in browsers). */
  cwd?: string | undefined;
  /** Whether local target paths may leave `cwd` (the `allowOutsideRoot` option). */
  allowOutsideRoot?: boolean | undefined;
}

/** What {@link TargetAdapter.store} is told besides the context. */
export interface StoreContext extends AdapterContext {
  /** The secret being stored (`secret.field` for a template field), for descriptions and messages. */
  secret: string;
}

/**
 * One kind of shared store, registered with {@link registerAdapter} under its adapter key
 * (`"aws/ssm_parameter"`: the provider's `kind` — or its alias when it has none — and the
 * target's `kind`).
 *
 * Every method may be async. Failures are thrown: the error's `message` is what the report
 * shows (it must not contain a value or a credential).
 *
 * @example
 * ```ts
 * const memory = new Map<string, string>();
 * registerAdapter('memory/kv', {
 *   async testConnection() {},
 *   async store(target, value) { memory.set(String(target.config.key), value); },
 *   async read(target) { return memory.get(String(target.config.key)) ?? null; },
 * });
 * ```
 */
export interface TargetAdapter {
  /**
   * The access gate: resolve when the target can be written, throw with the provider's error
   * otherwise. Runs before the sync generates anything (also under dry-run).
   */
  testConnection(target: StoreTarget, context: AdapterContext): Promise<void> | void;
  /** Store `value` (after `value_field` extraction) at `target`. Throw when the store refuses. */
  store(target: StoreTarget, value: string, context: StoreContext): Promise<void> | void;
  /**
   * Read back what `target` holds, for drift checks: the value, `null` when the store has no
   * such entry, `undefined` when this adapter cannot read (the target is then `unknown`).
   * Optional: without it every target of this adapter is `unknown`.
   */
  read?(target: StoreTarget, context: AdapterContext): Promise<string | null | undefined> | string | null | undefined;
  /**
   * Targets with the same connection key share one {@link testConnection} per run (say, every
   * parameter of one AWS account and region). Optional: without it each target is tested.
   */
  connectionKey?(target: StoreTarget, context: AdapterContext): string;
}

/** One entry of {@link listAdapters}. */
export interface AdapterInfo {
  /** The adapter key. */
  key: string;
  /** `true` for the adapters this package registers itself. */
  builtin: boolean;
}

interface Entry {
  adapter: TargetAdapter;
  builtin: boolean;
}

const REGISTRY: unique symbol = Symbol.for('@secretzero/agent:adapters') as never;

function registry(): Map<string, Entry> {
  const g = globalThis as { [REGISTRY]?: Map<string, Entry> };
  let r = g[REGISTRY];
  if (r === undefined) {
    r = new Map();
    Object.defineProperty(globalThis, REGISTRY, { value: r });
  }
  return r;
}

const KEY = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

function checkKey(fn: string, key: unknown): string {
  checkString(fn, 'key', key);
  if (!KEY.test(key as string)) {
    throw usageError(`${fn}: \`key\` must look like "provider/kind" (e.g. "aws/ssm_parameter")`);
  }
  return key as string;
}

/**
 * Register (or replace) the adapter for `key` (`"<provider kind>/<target kind>"`). Secrets
 * whose targets have no adapter fail with `TARGET_UNREACHABLE`; the others sync.
 *
 * @throws {@link SecretZeroError} `USAGE` for a malformed key or an object without
 * `testConnection` and `store` functions.
 */
export function registerAdapter(key: string, adapter: TargetAdapter): void {
  const fn = 'registerAdapter';
  checkKey(fn, key);
  const a = checkObject(fn, 'adapter', adapter);
  for (const m of ['testConnection', 'store'] as const) {
    if (typeof a[m] !== 'function') throw usageError(`${fn}: \`adapter.${m}\` must be a function`);
  }
  for (const m of ['read', 'connectionKey'] as const) {
    if (a[m] !== undefined && typeof a[m] !== 'function') {
      throw usageError(`${fn}: \`adapter.${m}\` must be a function when present`);
    }
  }
  registry().set(key, { adapter, builtin: false });
}

/** @internal Register one of this package's own adapters (unless the user replaced it). */
export function registerBuiltinAdapter(key: string, adapter: TargetAdapter): void {
  const r = registry();
  if (!r.has(key)) r.set(key, { adapter, builtin: true });
}

/** Remove the adapter registered for `key`; returns whether there was one. */
export function unregisterAdapter(key: string): boolean {
  return registry().delete(checkKey('unregisterAdapter', key));
}

/** The adapter registered for `key`, if any. */
export function getAdapter(key: string): TargetAdapter | undefined {
  return registry().get(key)?.adapter;
}

/** Every registered adapter key, sorted. */
export function listAdapters(): AdapterInfo[] {
  return [...registry()]
    .map(([key, e]) => ({ key, builtin: e.builtin }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The message of anything thrown (adapters may throw non-Errors). Never a stack. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) {
    const name = e.name && e.name !== 'Error' ? `${e.name}: ` : '';
    return `${name}${e.message}`.trim() || 'unknown error';
  }
  return typeof e === 'string' && e !== '' ? e : 'unknown error';
}
