/**
 * The store phase of a sync: the host side of the core's shared-store protocol.
 *
 * 1. **Access gate.** Every store target this run will write (a dry-run preview of the plan
 *    names them; `targetFiles().stores` lists them all) is tested by its adapter (once per
 *    connection key) before anything is generated. Failures go
 *    to the core as `unreachable`; their secrets fail with `TARGET_UNREACHABLE` and the
 *    provider's message, and no value is generated for them. The other secrets sync.
 * 2. **Plan.** `agentSync` with `adapters` (the registered keys) and `unreachable` returns the
 *    file writes (target files, then lockfiles), the store writes and the values behind them.
 * 3. **Apply.** Target files first, then each store through its adapter, then — only when every
 *    store succeeded — the lockfiles. A lockfile therefore never records a value that a store
 *    refused.
 * 4. **Second round.** When a store failed, the sync is planned again with `storeFailures` and
 *    the first round's values (`values: produced`, so nothing is regenerated), on the target
 *    files as they now are; that round's writes are applied. Its report lists the secrets whose
 *    store failed as failed, and its lockfile leaves them out (the next run retries them).
 *
 * Dry-run: the gate runs (it only reads), nothing is stored and the report lists each
 * would-be store with its `target_id` (`sync_results.details[].targets[]`, `would_store`).
 *
 * Drift ({@link statusWithAdapters}): each store target is read back by its adapter and the
 * core compares what it holds with the lockfile's hash.
 *
 * No value is ever logged or put into a message here; adapter errors are reported by their
 * message only.
 *
 * @module
 */

import type { FileWrite, SecretDetail, StoreTarget, StoreWrite, SyncReport } from '../wasm/api.js';
import { errorMessage, getAdapter, listAdapters } from './adapters.js';
import type { AdapterContext } from './adapters.js';
import { checkKeys, checkObject, checkOptObject } from './core.js';
import { agentSync, driftStatus, targetFiles } from './index.js';
import type { EnvInput, StatusOptions, SyncOptions } from './index.js';

/** How long one connection test may take before its target counts as unreachable. */
export const GATE_TIMEOUT_MS = 30_000;

/** What happened to one store write (never its value). */
export interface StoreOutcome {
  /** The secret (`secret.field` for a template field). */
  secret: string;
  /** The lockfile target ID. */
  target_id: string;
  /** The adapter key. */
  adapter: string;
  /** `stored`, or `failed` (then the secret is failed in the report and not in the lockfile). */
  status: 'stored' | 'failed';
  /** The adapter's error, when it failed. */
  message?: string;
}

/** @internal How the store phase touches files: Node writes them, a page collects them. */
export interface StorePhaseIO<W> {
  /** Apply these writes now (Node: atomically, to disk); returns what was done. */
  apply(writes: FileWrite[]): Promise<W[]>;
  /** The target files as they are after the first round's writes (for the second round). */
  reread(): Promise<Record<string, string | null> | undefined>;
}

/** @internal What {@link runStorePhase} returns. */
export interface StorePhaseResult<W> {
  /** The report of the last round. */
  report: SyncReport;
  /** Every write of the last round (targets and lockfiles), applied or not. */
  writes: FileWrite[];
  /** What `io.apply` returned, in order. */
  applied: W[];
  /** Every store write attempted, in order. */
  stores: StoreOutcome[];
  /** Store targets the access gate found unreachable, by target ID, with the message. */
  unreachable: Record<string, string>;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/**
 * The access gate: test every store target whose adapter is registered (once per connection
 * key, concurrently) and return the unreachable ones with the adapter's message. Targets
 * without an adapter are left to the core (it fails them as having no adapter).
 */
export async function accessGate(
  targets: readonly StoreTarget[],
  context: AdapterContext,
): Promise<Record<string, string>> {
  const groups = new Map<string, StoreTarget[]>();
  for (const t of targets) {
    const adapter = getAdapter(t.adapter);
    if (adapter === undefined) continue;
    let key: string;
    try {
      key = `${t.adapter}\0${adapter.connectionKey?.(t, context) ?? `target\0${t.target_id}`}`;
    } catch {
      key = `${t.adapter}\0target\0${t.target_id}`;
    }
    const g = groups.get(key);
    if (g === undefined) groups.set(key, [t]);
    else g.push(t);
  }
  const unreachable: Record<string, string> = {};
  await Promise.all(
    [...groups.values()].map(async (group) => {
      const first = group[0] as StoreTarget;
      const adapter = getAdapter(first.adapter);
      if (adapter === undefined) return;
      try {
        await withTimeout(
          Promise.resolve().then(() => adapter.testConnection(first, context)),
          GATE_TIMEOUT_MS,
          'the connection test',
        );
      } catch (e) {
        const message = errorMessage(e);
        for (const t of group) unreachable[t.target_id] = message;
      }
    }),
  );
  return unreachable;
}

/** The adapter keys to announce to the core: every registered one. */
function adapterKeys(): string[] {
  return listAdapters().map((a) => a.key);
}

async function storeOne(w: StoreWrite, context: AdapterContext): Promise<StoreOutcome> {
  const base = { secret: w.secret, target_id: w.target_id, adapter: w.adapter };
  const adapter = getAdapter(w.adapter);
  if (adapter === undefined) {
    return { ...base, status: 'failed', message: `no adapter for \`${w.adapter}\`` };
  }
  try {
    await adapter.store(stripWrite(w), w.value, { ...context, secret: w.secret });
    return { ...base, status: 'stored' };
  } catch (e) {
    return { ...base, status: 'failed', message: errorMessage(e) };
  }
}

/** The target of a store write, without the value (adapters get the value separately). */
function stripWrite(w: StoreWrite): StoreTarget {
  const t: StoreTarget = {
    target_id: w.target_id,
    adapter: w.adapter,
    provider: w.provider,
    kind: w.kind,
    config: w.config,
  };
  if (w.provider_config !== undefined) t.provider_config = w.provider_config;
  return t;
}

const isTargetWrite = (w: FileWrite): boolean => w.role === 'target' || w.role === 'template';

/**
 * @internal Run a sync through the registered adapters (see the module docs). `request` is a
 * complete `agentSync` request; `stores` the store targets `targetFiles` listed.
 */
export async function runStorePhase<W>(
  request: SyncOptions,
  stores: readonly StoreTarget[],
  context: AdapterContext,
  io: StorePhaseIO<W>,
): Promise<StorePhaseResult<W>> {
  const adapters = adapterKeys();
  let gated: readonly StoreTarget[] = [];
  if (stores.length > 0) {
    // Only the targets this run will write: a preview plan names them (`would_store`), so a
    // rerun with everything already synced touches no network.
    const preview = agentSync({ ...request, dryRun: true, adapters });
    const needed = new Set<string>();
    const details = (preview.report.sync_results as { details?: SecretDetail[] } | null | undefined)
      ?.details;
    for (const d of details ?? []) {
      for (const t of d.targets) if (t.target_id !== undefined) needed.add(t.target_id);
    }
    gated = stores.filter((t) => needed.has(t.target_id));
  }
  const unreachable = {
    ...(request.unreachable ?? {}),
    ...(gated.length > 0 ? await accessGate(gated, context) : {}),
  };
  const base: SyncOptions = { ...request, adapters, unreachable };
  let round = agentSync(base);
  const applied: W[] = [];
  const outcomes: StoreOutcome[] = [];
  if (request.dryRun === true) {
    return { report: round.report, writes: round.writes, applied, stores: outcomes, unreachable };
  }
  applied.push(...(await io.apply(round.writes.filter(isTargetWrite))));

  // Stores in plan order. A value is stored once: later rounds only store what is new.
  const done = new Map<string, string>();
  const failures: Record<string, string> = { ...(request.storeFailures ?? {}) };
  let values: Record<string, string> = { ...(request.values ?? {}) };
  // Each extra round fails at least one more target, so this ends.
  for (let n = 0; ; n++) {
    let failed = false;
    for (const w of round.stores) {
      if (done.get(w.target_id) === w.value) continue;
      const o = await storeOne(w, context);
      outcomes.push(o);
      if (o.status === 'stored') {
        done.set(w.target_id, w.value);
      } else {
        failures[w.target_id] = o.message ?? 'the store failed';
        failed = true;
      }
    }
    if (!failed) break;
    if (n > stores.length + 1) break; // unreachable by construction; never loop forever
    values = { ...values, ...round.produced };
    const files = (await io.reread()) ?? request.files;
    round = agentSync({ ...base, files, values, storeFailures: failures });
    applied.push(...(await io.apply(round.writes.filter(isTargetWrite))));
  }
  applied.push(...(await io.apply(round.writes.filter((w) => !isTargetWrite(w)))));
  return { report: round.report, writes: round.writes, applied, stores: outcomes, unreachable };
}

/** Options of {@link syncWithAdapters}: a sync request plus the adapters' environment. */
export interface SyncWithAdaptersOptions extends SyncOptions {
  /** The project directory told to adapters (local paths); absent in browsers. */
  adapterCwd?: string | undefined;
}

/** What {@link syncWithAdapters} returns. */
export interface SyncWithAdaptersResult {
  /** The report (the `--json` document). */
  report: SyncReport;
  /** The files to write (target files, then lockfiles), as after the stores; empty under dry-run. */
  writes: FileWrite[];
  /** Every store write attempted (never a value). */
  stores: StoreOutcome[];
  /** Store targets the access gate found unreachable, by target ID. */
  unreachable: Record<string, string>;
}

/**
 * A sync whose shared-store targets are written through the registered adapters: access gate,
 * plan, stores, and the second round when a store fails (see the module docs). Files are not
 * touched: the result's `writes` are the files to write afterwards (the browser entry's way;
 * the Node entry's `syncProject()` writes target files before the stores and lockfiles after).
 *
 * @example
 * ```ts
 * registerAdapter('memory/kv', myAdapter);
 * const { report, writes, stores } = await syncWithAdapters({ text, files, lockfile });
 * ```
 * @throws {@link SecretZeroError} as `agentSync`. Adapter failures are not thrown: they fail
 * their secrets in the report.
 */
export async function syncWithAdapters(options: SyncWithAdaptersOptions): Promise<SyncWithAdaptersResult> {
  const fn = 'syncWithAdapters';
  const o = checkObject(fn, 'options', options);
  const { adapterCwd, ...rest } = o as SyncWithAdaptersOptions & Record<string, unknown>;
  const request = rest as SyncOptions;
  const plan = targetFiles(request);
  const context: AdapterContext = { env: request.env ?? {}, cwd: adapterCwd };
  const r = await runStorePhase(request, plan.stores ?? [], context, {
    apply: async () => [],
    reread: async () => request.files,
  });
  return {
    report: r.report,
    writes: request.dryRun === true ? [] : r.writes,
    stores: r.stores,
    unreachable: r.unreachable,
  };
}

/** What {@link statusWithAdapters} returns. */
export interface StatusWithAdaptersResult {
  /** Per secret, each tracked target's state (no value, no hash). */
  status: import('../wasm/api.js').StatusReport;
  /** Store targets that could not be read, by target ID, with the adapter's message (`unknown`). */
  errors: Record<string, string>;
}

/**
 * Drift through the registered adapters: read back every store target (adapters without
 * `read`, or failing, leave it `unknown`) and compare with the lockfile (`driftStatus`).
 *
 * @throws {@link SecretZeroError} as `agentSync`.
 */
export async function statusWithAdapters(
  options: StatusOptions,
  context?: Partial<AdapterContext>,
): Promise<StatusWithAdaptersResult> {
  const fn = 'statusWithAdapters';
  const o = checkObject(fn, 'options', options) as StatusOptions & Record<string, unknown>;
  const c = checkOptObject(fn, 'context', context) ?? {};
  checkKeys(fn, c, ['env', 'cwd', 'allowOutsideRoot']);
  const { storeValues: _ignored, ...request } = o;
  const plan = targetFiles(request);
  const ctx: AdapterContext = {
    env: (c['env'] as EnvInput | undefined) ?? request.env ?? {},
    cwd: c['cwd'] as string | undefined,
    allowOutsideRoot: c['allowOutsideRoot'] as boolean | undefined,
  };
  const storeValues: Record<string, string | null> = {};
  const errors: Record<string, string> = {};
  await Promise.all(
    (plan.stores ?? []).map(async (t) => {
      const adapter = getAdapter(t.adapter);
      if (adapter?.read === undefined) return;
      try {
        const v = await adapter.read(t, ctx);
        if (v !== undefined) storeValues[t.target_id] = v;
      } catch (e) {
        errors[t.target_id] = errorMessage(e);
      }
    }),
  );
  return { status: driftStatus({ ...request, storeValues }), errors };
}
