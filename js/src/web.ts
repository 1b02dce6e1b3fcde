/**
 * Browser entry of `@secretzero/agent` (also what bundlers pick by default).
 *
 * Call `await init()` once before anything else: it fetches and instantiates `agent_bg.wasm`
 * (located next to this module through `import.meta.url`; pass a URL, a `Response`, bytes or a
 * compiled `WebAssembly.Module` to load it from elsewhere). Calls are idempotent; the functions
 * are the same pure API as in Node (everything except `syncProject`).
 *
 * @example
 * ```ts
 * import { init, agentSync } from '@secretzero/agent';
 * await init();
 * const { report, writes } = agentSync({ text, lockfile, files });
 * ```
 * @module
 */

import initGlue, { call, initSync as initSyncGlue } from '../wasm/agent.js';
import type { InitInput, SyncInitInput } from '../wasm/agent.js';
import { hasBackend, setBackend } from './core.js';

export * from './index.js';
export { getAdapter, listAdapters, registerAdapter, unregisterAdapter } from './adapters.js';
export type {
  AdapterContext,
  AdapterInfo,
  StoreContext,
  TargetAdapter,
} from './adapters.js';
export { statusWithAdapters, syncWithAdapters } from './stores.js';
export type {
  StatusWithAdaptersResult,
  StoreOutcome,
  SyncWithAdaptersOptions,
  SyncWithAdaptersResult,
} from './stores.js';
export type { InitInput, SyncInitInput };

let pending: Promise<void> | undefined;

/**
 * Load the WebAssembly core. Resolves once it is ready; later calls return the same promise
 * (a failed load can be retried).
 *
 * @param input - Where to load `agent_bg.wasm` from: a URL or path, a `Request`/`Response`,
 * its bytes or a compiled `WebAssembly.Module`. Default: the file next to this module.
 */
export function init(input?: InitInput | Promise<InitInput>): Promise<void> {
  if (pending !== undefined) return pending;
  const p = (async () => {
    await initGlue(input === undefined ? undefined : { module_or_path: input });
    setBackend(call);
  })();
  pending = p.catch((e: unknown) => {
    pending = undefined;
    throw e;
  });
  return pending;
}

/**
 * Load the WebAssembly core synchronously from its bytes or a compiled module (workers, Node
 * tests, environments without `fetch`). Does nothing when already initialised.
 */
export function initSync(module: SyncInitInput): void {
  initSyncGlue({ module });
  setBackend(call);
  pending = Promise.resolve();
}

/** Whether the core is ready. */
export function isInitialized(): boolean {
  return hasBackend();
}
