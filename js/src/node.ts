/**
 * Node entry of `@secretzero/agent` (ESM `import` and CommonJS `require`).
 *
 * The WebAssembly core is loaded synchronously when this module is first imported (Node's
 * CommonJS glue reads `agent_bg.wasm` next to it), so there is nothing to initialise and no
 * top-level await. Besides the shared pure API it offers {@link syncProject}, the whole
 * file-backed `agent sync` of a project directory.
 *
 * @example
 * ```ts
 * import { syncProject } from '@secretzero/agent';
 * const { report } = await syncProject({ cwd: '/path/to/project' });
 * ```
 * @module
 */

import { call } from '../wasm/agent.cjs';
import { registerBuiltinAdapter } from './adapters.js';
import { secretsManagerAdapter, ssmParameterAdapter } from './aws.js';
import { setBackend } from './core.js';
import type { Handoff, HandoffOptions } from './handoff.js';
import type {
  ProjectInstructionsOptions,
  ProjectStatusResult,
  SyncProjectOptions,
  SyncProjectResult,
} from './project.js';
import type { InstructionsResponse } from './index.js';
import { localFileAdapter, localTemplateAdapter } from './local.js';

setBackend(call);
// The AWS SDK is not loaded here: only when an AWS target is tested, stored or read.
registerBuiltinAdapter('aws/ssm_parameter', ssmParameterAdapter);
registerBuiltinAdapter('aws/secrets_manager', secretsManagerAdapter);
// Local targets are written by the core's planned file writes; these expose them alike.
registerBuiltinAdapter('local/file', localFileAdapter);
registerBuiltinAdapter('local/template', localTemplateAdapter);

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
export { secretsManagerAdapter, ssmParameterAdapter } from './aws.js';
export { localFileAdapter, localTemplateAdapter } from './local.js';
export { collectIdentity } from './identity.js';
export type { CollectIdentityOptions } from './identity.js';
export type {
  ProjectInstructionsOptions,
  ProjectStatusResult,
  SyncProjectOptions,
  SyncProjectResult,
  WrittenFile,
} from './project.js';
export type { Handoff, HandoffOptions, HandoffOutcome, HandoffStatus } from './handoff.js';

// The file-backed functions live in project.js, loaded on their first call: importing the
// package then costs only the core and the pure API (see bench/README.md, "Start-up").

/**
 * Run `secretzero agent sync` on a project directory: read the Secretfile, variable files,
 * target files and lockfiles, test the shared stores' connections, plan, then write atomically
 * (secret files `0600`): target files, then shared stores through their adapters, then the
 * lockfiles. Under `dryRun` nothing is written or stored. Syncs of one project are serialised
 * by a lock file next to the lockfile.
 *
 * @example
 * ```ts
 * const { report, files } = await syncProject({ cwd: '/path/to/project' });
 * for (const f of files) console.log(f.action, f.path, f.mode?.toString(8));
 * ```
 * @throws {@link SecretZeroError} `IO` when a file cannot be read or written,
 * `PATH_OUTSIDE_ROOT` for a target, lockfile or lane variable file outside the project,
 * `INVALID_ENCODING` for a file that is not UTF-8, `BUDGET_EXCEEDED` for a file over 16 MiB,
 * `LOCKED` when another sync of the project holds the lock longer than `lockTimeout`, the
 * first diagnostic's code when the Secretfile is invalid, `USAGE` for wrong option types.
 */
export async function syncProject(options?: SyncProjectOptions): Promise<SyncProjectResult> {
  return (await import('./project.js')).syncProject(options);
}

/**
 * Drift of a project directory (`secretzero status`): for each tracked target, whether it
 * still holds the value the lockfile recorded (shared stores are read back through their
 * adapters). Nothing is written; the result holds no value and no hash.
 *
 * @throws {@link SecretZeroError} as {@link syncProject}.
 */
export async function projectStatus(options?: SyncProjectOptions): Promise<ProjectStatusResult> {
  return (await import('./project.js')).projectStatus(options);
}

/**
 * The instructions of the secrets that still need a person in a project directory (what
 * `secretzero agent instructions` prints); with `all`, every secret that has instructions.
 * Reads the same files as {@link syncProject} and writes nothing.
 *
 * @example
 * ```ts
 * const { total, secrets } = await projectInstructions({ cwd: repo });
 * for (const [name, i] of Object.entries(secrets)) console.log(name, i.summary);
 * ```
 * @throws {@link SecretZeroError} as {@link syncProject}.
 */
export async function projectInstructions(
  options?: ProjectInstructionsOptions,
): Promise<InstructionsResponse> {
  return (await import('./project.js')).projectInstructions(options);
}

/**
 * Start a human hand-off for a secret that needs a value: a one-time page on 127.0.0.1 where
 * a person types the value, which is then stored in the secret's targets and the lockfile. The
 * caller gets the link (give it to the person; never log it) and, in `done`, only the outcome.
 * Loaded on first use (`node:http`), so importing the package stays cheap.
 *
 * @example
 * ```ts
 * const h = await startHandoff({ cwd: repo, name: 'stripe_api_key' });
 * console.log(`Open ${h.url} (expires ${h.expiresAt.toISOString()})`);
 * console.log((await h.done).status); // "stored"
 * ```
 * @throws {@link SecretZeroError} `UNKNOWN_REFERENCE` for an unknown secret, `USAGE` when it
 * needs no value (already synced, or generated), or what a dry-run sync of the project throws.
 */
export async function startHandoff(options: HandoffOptions): Promise<Handoff> {
  const m = await import('./handoff.js');
  return m.startHandoff(options);
}

/**
 * Does nothing in Node (the core is ready at import); exists so that code shared with the
 * browser entry can always `await init()`.
 */
export function init(_input?: unknown): Promise<void> {
  return Promise.resolve();
}

/** Does nothing in Node (the core is ready at import); mirrors the browser entry's `initSync`. */
export function initSync(_module?: unknown): void {}

/** Always true in Node: the core is loaded at import. */
export function isInitialized(): boolean {
  return true;
}
