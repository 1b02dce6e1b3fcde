/**
 * The file-backed `agent sync` of a project directory (Node only).
 *
 * The core is pure: it is told the text of every file it needs and answers with the report and
 * the writes that apply it. This module is the host side of that contract: it reads the
 * Secretfile, the variable files, the target files the core asks for and the lockfiles, then
 * applies the writes safely:
 *
 * - each file is written atomically (a temporary file in the same directory, `fsync`, then
 *   `rename`), so a crash never leaves a half-written target or lockfile;
 * - files holding secrets are created with mode `0600`; an existing file keeps its mode;
 * - writes happen in the core's order: targets first, lockfiles last, so the lockfile never
 *   claims a value that no target holds;
 * - a target path, lockfile path or lane variable file that resolves outside the project
 *   directory — through `../`, an absolute path or a symlink (of the file or of a parent
 *   directory) — is refused with `PATH_OUTSIDE_ROOT` before anything is read or written, unless
 *   `allowOutsideRoot` is set. A symlink that stays inside the project is followed: the file it
 *   points to is updated, the link is kept, and the result says so (`followedSymlink`);
 * - every file is read defensively (regular files only, at most 16 MiB, strict UTF-8: see
 *   `files.ts`), so invalid bytes are `INVALID_ENCODING` with their offset instead of being
 *   replaced and written back;
 * - syncs of one project are serialised by a lock file next to the lockfile (see `lock.ts`):
 *   a second sync waits (up to `lockTimeout`), then reads what the first one wrote, so no
 *   secret is generated twice; when the wait runs out it fails with `LOCKED` naming the holder;
 * - temporary files left by a sync that was killed are removed by the next one.
 *
 * Test hook (for the crash-safety suite only, never for production use): with
 * `SECRETZERO_TEST_HOOKS=1` in the environment, `SECRETZERO_TEST_PAUSE_BETWEEN_WRITES_MS=N`
 * makes the sync print `secretzero-test-step <label>` on stderr and pause N ms at each step of
 * the write sequence (after taking the lock, before each write, before each rename), so a
 * test can kill the process at a chosen point. Without `SECRETZERO_TEST_HOOKS=1` the pause
 * variable is ignored.
 *
 * @module
 */

import * as fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import * as path from 'node:path';

import type {
  FileWrite,
  InstructionsResponse,
  ScriptSpec,
  StatusReport,
  SyncReport,
  TargetFilesResponse,
  VarFile,
  WriteRole,
} from '../wasm/api.js';
import {
  checkKeys,
  checkOptBool,
  checkOptObject,
  checkOptString,
  checkOptStringMap,
  checkString,
} from './core.js';
import { SecretZeroError, usageError } from './errors.js';
import { ioError, isMissing, readTextFile } from './files.js';
import { collectIdentity } from './identity.js';
import { agentInstructions, planScripts, targetFiles } from './index.js';
import { DEFAULT_LOCK_STALE_MS, DEFAULT_LOCK_TIMEOUT_MS, acquireLock } from './lock.js';
import type { ProjectLock } from './lock.js';
import type { EnvInput, SyncOptions } from './index.js';
import { runStorePhase, statusWithAdapters } from './stores.js';
import type { StoreOutcome } from './stores.js';

/** Options of {@link syncProject}. */
export interface SyncProjectOptions {
  /** The project directory; every relative path is resolved against it. Default `process.cwd()`. */
  cwd?: string | undefined;
  /** The Secretfile (`-f`), relative to `cwd`. Default `"Secretfile.yml"`. */
  file?: string | undefined;
  /** The lockfile (`-l`), relative to `cwd`. Default: derived from the Secretfile (`.gitsecrets.lock`). */
  lockfilePath?: string | undefined;
  /** Variable files (`-v`), relative to `cwd`, merged in order after the lane's own. Default: none. */
  varFiles?: readonly string[] | undefined;
  /** The environment lane (`-e`). Default: the Secretfile's `environments.default`. */
  environment?: string | undefined;
  /** Environment variables. Default `process.env`. */
  env?: EnvInput | undefined;
  /** Current time. Default: now. */
  now?: string | Date | undefined;
  /** Plan and report without writing anything. Default false. */
  dryRun?: boolean | undefined;
  /** Prune stale lockfile target entries. Default true. */
  refresh?: boolean | undefined;
  /** Whether `script` secrets may run. Default false. */
  allowScripts?: boolean | undefined;
  /** Values supplied for secrets by name. Default: none. */
  values?: Readonly<Record<string, string>> | undefined;
  /** Recorded in the lockfile's `sync_identity`. Default {@link collectIdentity}`({ env })`. */
  identity?: Readonly<Record<string, unknown>> | undefined;
  /**
   * Allow target paths, lockfile paths and lane variable files (and symlinks) that leave `cwd`.
   * Default false.
   */
  allowOutsideRoot?: boolean | undefined;
  /**
   * How long to wait for another sync of the same project to release the project lock, in
   * milliseconds, before failing with `LOCKED`. Default 30000. (Dry runs take no lock.)
   */
  lockTimeout?: number | undefined;
}

/** One file touched by {@link syncProject} (never its contents). */
export interface WrittenFile {
  /** The path as the core named it (relative to `cwd`). */
  path: string;
  /** Where it was actually written (absolute, symlinks resolved). */
  realPath: string;
  /** What the file is. */
  role: WriteRole;
  /** Whether it holds secret values. */
  secret: boolean;
  /** What happened. `unchanged`: the file already had exactly these bytes. */
  action: 'created' | 'updated' | 'unchanged' | 'deleted';
  /** Permission bits after the write (`0o600` for a new secret file); absent when deleted. */
  mode?: number;
  /** Whether `path` (or a parent directory) is a symlink inside the project that was followed. */
  followedSymlink: boolean;
}

/** What {@link syncProject} returns. */
export interface SyncProjectResult {
  /** The sync report (the `--json` document). */
  report: SyncReport;
  /** The files written, in order (empty under dry-run). */
  files: WrittenFile[];
  /**
   * Every shared-store write attempted (AWS, your adapters), in order, without values. A
   * `failed` one fails its secret in the report. Empty under dry-run.
   */
  stores: StoreOutcome[];
}

const PROJECT_KEYS = [
  'cwd',
  'file',
  'lockfilePath',
  'varFiles',
  'environment',
  'env',
  'now',
  'dryRun',
  'refresh',
  'allowScripts',
  'values',
  'identity',
  'allowOutsideRoot',
  'lockTimeout',
] as const satisfies readonly (keyof SyncProjectOptions)[];

/** A dictionary without a prototype: a key such as `__proto__` stays an ordinary key. */
function dict<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The test hook's pause (see the module docs); 0 unless both variables are set. */
function testPauseMs(): number {
  if (process.env['SECRETZERO_TEST_HOOKS'] !== '1') return 0;
  const ms = Number(process.env['SECRETZERO_TEST_PAUSE_BETWEEN_WRITES_MS'] ?? '');
  return Number.isFinite(ms) && ms > 0 ? ms : 0;
}

async function testStep(label: string): Promise<void> {
  const ms = testPauseMs();
  if (ms === 0) return;
  process.stderr.write(`secretzero-test-step ${label}\n`);
  await sleep(ms);
}

/**
 * Built-in modules that only some paths need, loaded on first use: importing
 * `node:child_process` and `node:crypto` costs ~7 ms each (the package's whole import budget is
 * 15 ms, see bench/README.md); only `script` secrets, git look-ups and file writes use them.
 */
const lazy = {
  child: undefined as typeof import('node:child_process') | undefined,
  crypto: undefined as typeof import('node:crypto') | undefined,
};

function builtin<T>(name: string): T {
  // A require function for built-in modules; the file it is anchored to does not matter.
  return createRequire(path.resolve('secretzero-agent.cjs'))(name) as T;
}

function child(): typeof import('node:child_process') {
  return (lazy.child ??= builtin<typeof import('node:child_process')>('node:child_process'));
}

function randomHex(bytes: number): string {
  return (lazy.crypto ??= builtin<typeof import('node:crypto')>('node:crypto'))
    .randomBytes(bytes)
    .toString('hex');
}

function isInside(root: string, p: string): boolean {
  const r = path.relative(root, p);
  return r !== '' && r !== '..' && !r.startsWith(`..${path.sep}`) && !path.isAbsolute(r);
}

/** The real path of `p`, resolving symlinks of every existing ancestor; missing tails are kept. */
async function realpathNearest(p: string): Promise<string> {
  const tail: string[] = [];
  let cur = p;
  for (;;) {
    try {
      return path.join(await fs.realpath(cur), ...tail);
    } catch (e) {
      if (!isMissing(e)) throw e;
      const parent = path.dirname(cur);
      if (parent === cur) return path.join(cur, ...tail);
      tail.unshift(path.basename(cur));
      cur = parent;
    }
  }
}

/**
 * Where a target path really leads: symlinks of the file itself (also dangling ones) and of its
 * parent directories resolved. Refuses a destination outside `realRoot`.
 *
 * @internal (also used by the local adapters)
 */
export async function locate(
  cwd: string,
  realRoot: string,
  rel: string,
  allowOutside: boolean,
  what = 'target',
): Promise<string> {
  let target = path.resolve(cwd, rel);
  try {
    for (let hops = 0; ; hops++) {
      if (hops > 40) throw ioError('resolve', rel, { code: 'ELOOP' });
      let st;
      try {
        st = await fs.lstat(target);
      } catch (e) {
        if (!isMissing(e)) throw e;
        break;
      }
      if (!st.isSymbolicLink()) break;
      target = path.resolve(path.dirname(target), await fs.readlink(target));
    }
    target = path.join(await realpathNearest(path.dirname(target)), path.basename(target));
  } catch (e) {
    if (e instanceof SecretZeroError) throw e;
    throw ioError('resolve', rel, e);
  }
  if (!allowOutside && !isInside(realRoot, target)) {
    const message = `the ${what} \`${rel}\` resolves outside the project directory`;
    throw new SecretZeroError({
      code: 'PATH_OUTSIDE_ROOT',
      message,
      diagnostics: [
        {
          code: 'PATH_OUTSIDE_ROOT',
          severity: 'error',
          message,
          hint: `point the ${what} (or its symlink) inside the project, or allow outside paths explicitly (\`allowOutsideRoot\`, \`--allow-outside-root\`)`,
        },
      ],
    });
  }
  return target;
}

/** Whether `real` is not simply `rel` under the project root (a symlink was followed). */
function viaSymlink(realRoot: string, rel: string, real: string, cwd: string): boolean {
  return path.relative(realRoot, real) !== path.relative(cwd, path.resolve(cwd, rel));
}

/**
 * Run `secretzero agent sync` on a project directory: read the Secretfile, variable files,
 * target files and lockfiles, test the shared stores' connections (the access gate), plan with
 * `agentSync`, then apply the writes (atomically, secret files `0600`): target files, then the
 * shared stores through the registered adapters, then the lockfiles — or, when a store failed,
 * a second plan without the secrets it failed (see `syncWithAdapters`). Under `dryRun` nothing
 * is written or stored.
 *
 * @example
 * ```ts
 * const { report, files } = await syncProject({ cwd: repo, env: process.env });
 * for (const f of files) console.log(f.action, f.path, f.mode?.toString(8));
 * ```
 * @throws {@link SecretZeroError} `IO` when a file cannot be read or written,
 * `PATH_OUTSIDE_ROOT` for a target, lockfile or lane variable file outside the project,
 * `INVALID_ENCODING` for a file that is not UTF-8, `BUDGET_EXCEEDED` for a file over 16 MiB,
 * `LOCKED` when another sync of the project holds the lock longer than `lockTimeout`, the
 * first diagnostic's code when the Secretfile is invalid, `USAGE` for wrong option types.
 */
export async function syncProject(options: SyncProjectOptions = {}): Promise<SyncProjectResult> {
  const project = await openProject(options, 'syncProject', true);
  try {
    return await project.sync(await project.withScripts());
  } finally {
    await project.close();
  }
}

/** What {@link projectStatus} returns. */
export interface ProjectStatusResult {
  /** Per secret, each tracked target's state: `in_sync`, `drifted`, `missing`, `unknown`. */
  status: StatusReport;
  /** Store targets that could not be read back, by target ID, with the adapter's message. */
  errors: Record<string, string>;
}

/**
 * Drift of a project directory (`secretzero status`): reads the Secretfile, lockfiles and
 * target files as {@link syncProject} does, reads every shared-store target back through its
 * adapter, and tells for each tracked target whether it still holds the value the lockfile
 * recorded. Nothing is written; the result holds no value and no hash.
 *
 * @throws {@link SecretZeroError} as {@link syncProject}.
 */
export async function projectStatus(options: SyncProjectOptions = {}): Promise<ProjectStatusResult> {
  const p = await openProject(options, 'projectStatus');
  return statusWithAdapters(p.request, {
    env: p.request.env ?? {},
    cwd: p.realRoot,
    allowOutsideRoot: p.allowOutsideRoot,
  });
}

/** Options of {@link projectInstructions}. */
export interface ProjectInstructionsOptions extends SyncProjectOptions {
  /** Every secret that has instructions, not only the pending ones (`--all`). Default false. */
  all?: boolean | undefined;
  /** Only these secrets (`-s NAME`). Default: every secret. */
  secrets?: readonly string[] | undefined;
}

/**
 * The instructions of the secrets that still need a person in a project directory (what
 * `secretzero agent instructions` prints): the secrets a sync would report as pending, or with
 * `all` every secret that has `agent_instructions`, rendered, in manifest order. Reads the
 * same files as {@link syncProject} and writes nothing.
 *
 * @example
 * ```ts
 * const { total, secrets } = await projectInstructions({ cwd: repo });
 * for (const [name, i] of Object.entries(secrets)) console.log(name, i.summary);
 * ```
 * @throws {@link SecretZeroError} as {@link syncProject}.
 */
export async function projectInstructions(
  options: ProjectInstructionsOptions = {},
): Promise<InstructionsResponse> {
  const fn = 'projectInstructions';
  const o = checkOptObject(fn, 'options', options) ?? {};
  const { all, secrets, ...rest } = o;
  const project = await openProject(rest, fn);
  return agentInstructions(project.request, {
    all: checkOptBool(fn, 'options.all', all),
    secrets: secrets as readonly string[] | undefined,
  });
}

/**
 * A project read for a sync: the request with every file's text, and the means to apply the
 * core's writes. Internal (the CLI's `--interactive` plans several times before one write).
 *
 * @internal
 */
export interface OpenProject {
  /** The sync request: Secretfile, var files, target files and lockfiles already read. */
  readonly request: SyncOptions;
  /** Whether the caller asked for a dry run. */
  readonly dryRun: boolean;
  /** The request plus the outputs of the `script` secrets it needs (run once, when trusted). */
  withScripts(): Promise<SyncOptions>;
  /** Apply writes in order (atomic, 0600, targets before lockfiles). */
  apply(writes: readonly FileWrite[]): Promise<WrittenFile[]>;
  /**
   * Run the whole sync of `request` (normally {@link OpenProject.withScripts}, plus `values`):
   * the shared stores' access gate, the plan, the target files, the stores (a second round
   * when one fails), then the lockfiles. Nothing is written under dry-run.
   */
  sync(request: SyncOptions): Promise<SyncProjectResult>;
  /** What `targetFiles` listed for this project (target files, lockfiles, store targets). */
  readonly plan: TargetFilesResponse;
  /** The project directory with symlinks resolved. */
  readonly realRoot: string;
  /** Whether paths outside the project are allowed. */
  readonly allowOutsideRoot: boolean;
  /** The target files as they are now (checked against the project root). */
  readFiles(): Promise<Record<string, string | null>>;
  /** Release the project lock (taken when opened for writing); idempotent. */
  close(): Promise<void>;
}

/**
 * Read everything a sync of `options` needs. With `forWrite` (and not a dry run) the project
 * lock is taken before the target files and lockfiles are read, and held until `close`.
 *
 * @internal
 */
export async function openProject(
  options: SyncProjectOptions,
  fn = 'syncProject',
  forWrite = false,
): Promise<OpenProject> {
  const o = checkOptObject(fn, 'options', options) ?? {};
  checkKeys(fn, o, PROJECT_KEYS);
  const cwd = path.resolve(checkOptString(fn, 'options.cwd', o['cwd']) ?? process.cwd());
  const file = checkOptString(fn, 'options.file', o['file']) ?? 'Secretfile.yml';
  const env = checkOptStringMap(fn, 'options.env', o['env']) ?? stringEnv(process.env);
  const cliVarPaths = o['varFiles'] ?? [];
  if (!Array.isArray(cliVarPaths)) throw usageError(`${fn}: \`options.varFiles\` must be an array of paths`);
  cliVarPaths.forEach((p: unknown, i) => checkString(fn, `options.varFiles[${i}]`, p));
  const allowOutsideRoot = checkOptBool(fn, 'options.allowOutsideRoot', o['allowOutsideRoot']) === true;
  const dryRun = checkOptBool(fn, 'options.dryRun', o['dryRun']) ?? false;
  const lockTimeout = o['lockTimeout'] ?? DEFAULT_LOCK_TIMEOUT_MS;
  if (typeof lockTimeout !== 'number' || !Number.isFinite(lockTimeout) || lockTimeout < 0) {
    throw usageError(`${fn}: \`options.lockTimeout\` must be a number of milliseconds (0 or more)`);
  }
  const identity =
    checkOptObject(fn, 'options.identity', o['identity']) ?? collectIdentity({ env, cwd });
  const allowScripts = checkOptBool(fn, 'options.allowScripts', o['allowScripts']);
  const values = checkOptStringMap(fn, 'options.values', o['values']);

  const realRoot = await fs.realpath(cwd).catch((e: unknown) => {
    throw ioError('open the project directory', cwd, e);
  });
  const read = async (p: string, positioned = false): Promise<string> =>
    (await readTextFile(path.resolve(cwd, p), p, false, positioned)) as string;
  const text = await read(file, true);
  const cliVarFiles: VarFile[] = await Promise.all(
    (cliVarPaths as string[]).map(async (p) => ({ path: p, text: await read(p) })),
  );

  const base: SyncOptions = {
    text,
    secretfilePath: file,
    env,
    varFiles: cliVarFiles,
    environment: checkOptString(fn, 'options.environment', o['environment']),
    lockfilePath: checkOptString(fn, 'options.lockfilePath', o['lockfilePath']),
    now: o['now'] as SyncOptions['now'],
    dryRun,
    refresh: checkOptBool(fn, 'options.refresh', o['refresh']),
    allowScripts,
    values,
    identity,
    allowOutsideRoot,
    cwd: realRoot,
  };

  // The lane's variable files may change target paths: read them, then ask again. They are
  // named by the Secretfile, so they must stay inside the project like targets.
  let plan = targetFiles(base);
  if (plan.var_files.length > 0) {
    const lane = dict<string | null>();
    for (const p of plan.var_files) {
      const real = await locate(cwd, realRoot, p, allowOutsideRoot, 'variable file');
      lane[p] = (await readTextFile(real, p, true)) ?? null;
    }
    base.laneVarFiles = lane;
    plan = targetFiles(base);
  }
  const lockfileReal = await locate(cwd, realRoot, plan.lockfile_path, allowOutsideRoot, 'lockfile');
  const localLockfileReal = await locate(
    cwd,
    realRoot,
    plan.local_lockfile_path,
    allowOutsideRoot,
    'lockfile',
  );

  // From here to the last write (`close`) the project is ours: what we read is what we
  // overwrite. Read-only uses (status, instructions, dry runs) take no lock.
  let lock: ProjectLock | undefined;
  if (forWrite && !dryRun) {
    lock = await acquireLock(`${lockfileReal}.lock`, `${plan.lockfile_path}.lock`, {
      timeoutMs: lockTimeout,
      staleMs: DEFAULT_LOCK_STALE_MS,
    });
  }
  try {
    await testStep('locked');
    const targets = plan.files;
    const readFiles = async (): Promise<Record<string, string | null>> => {
      const files = dict<string | null>();
      for (const p of targets) {
        const real = await locate(cwd, realRoot, p, allowOutsideRoot);
        files[p] = (await readTextFile(real, p, true)) ?? null;
      }
      return files;
    };
    const files = await readFiles();
    const [lockfile, localLockfile] = await Promise.all([
      readTextFile(lockfileReal, plan.lockfile_path, true),
      readTextFile(localLockfileReal, plan.local_lockfile_path, true),
    ]);

    const request: SyncOptions = { ...base, files, lockfile, localLockfile };
    let step = 0;
    let cleaned = false;
    const apply = async (writes: readonly FileWrite[]): Promise<WrittenFile[]> => {
      if (writes.length === 0) return [];
      const reals = await Promise.all(
        writes.map((w) =>
          locate(
            cwd,
            realRoot,
            w.path,
            allowOutsideRoot,
            w.role === 'lockfile' || w.role === 'local_lockfile' ? 'lockfile' : 'target',
          ),
        ),
      );
      if (!cleaned) {
        // Once per sync, before its first write: the lockfiles are written by a later call.
        cleaned = true;
        await removeStaleTemporaries([...reals, lockfileReal, localLockfileReal]);
      }
      await lock?.verify();
      const written: WrittenFile[] = [];
      for (const [i, w] of writes.entries()) {
        const n = step++;
        await testStep(`before-write ${n} ${w.role}`);
        written.push(
          await applyWrite(cwd, realRoot, w, reals[i] as string, () => testStep(`before-rename ${n}`)),
        );
      }
      return written;
    };
    let scripted: Promise<SyncOptions> | undefined;
    return {
      request,
      dryRun,
      // `script` secrets run here, in the host, only when the caller trusts them (the core
      // plans none without `allowScripts` or under dry-run).
      withScripts() {
        scripted ??=
          allowScripts === true && !dryRun
            ? runScripts(request, cwd).then((scriptOutputs) => ({ ...request, scriptOutputs }))
            : Promise.resolve(request);
        return scripted;
      },
      apply,
      async sync(req) {
        const r = await runStorePhase(
          req,
          plan.stores ?? [],
          { env: req.env ?? {}, cwd: realRoot, allowOutsideRoot },
          { apply, reread: readFiles },
        );
        await testStep('done');
        return { report: r.report, files: req.dryRun === true ? [] : r.applied, stores: r.stores };
      },
      plan,
      realRoot,
      allowOutsideRoot,
      readFiles,
      async close() {
        const l = lock;
        lock = undefined;
        await l?.release();
      },
    };
  } catch (e) {
    await lock?.release();
    throw e;
  }
}

/** The temporary-file name pattern of {@link applyWrite} for the file `base`. */
function temporaryPattern(base: string): RegExp {
  const escaped = base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^\\.${escaped}\\.[0-9a-f]{12}\\.tmp$`);
}

/**
 * Remove what a killed sync left behind: the temporary files of the files about to be
 * written (`.<name>.<12 hex>.tmp` next to them). Only called under the project lock, so none
 * of them belongs to a sync still running.
 */
async function removeStaleTemporaries(reals: readonly string[]): Promise<void> {
  const byDir = new Map<string, RegExp[]>();
  for (const r of reals) {
    const d = path.dirname(r);
    byDir.set(d, [...(byDir.get(d) ?? []), temporaryPattern(path.basename(r))]);
  }
  for (const [dir, patterns] of byDir) {
    let names: string[];
    try {
      names = await fs.readdir(dir);
    } catch {
      continue;
    }
    for (const n of names) {
      if (patterns.some((re) => re.test(n))) {
        await fs.unlink(path.join(dir, n)).catch(() => undefined);
      }
    }
  }
}

/**
 * Run the `script` secrets the core asks for (`plan_scripts`: only those a sync will use) and
 * return their outputs (stdout, trimmed) by secret name. Like the reference: `command` with
 * `args` (no shell), or `/bin/sh -c command` with `shell: true`, killed after
 * `timeout_seconds`. A script that fails is left out: the report then lists the secret as
 * failed.
 */
async function runScripts(req: SyncOptions, cwd: string): Promise<Record<string, string>> {
  const outputs = dict<string>();
  for (const s of planScripts(req).scripts) {
    const out = await runScript(s, cwd);
    if (out !== undefined) outputs[s.name] = out;
  }
  return outputs;
}

function runScript(s: ScriptSpec, cwd: string): Promise<string | undefined> {
  const [file, list] = s.shell
    ? process.platform === 'win32'
      ? ['cmd', ['/c', s.command]]
      : ['/bin/sh', ['-c', s.command]]
    : [s.command, s.args];
  const timeout = s.timeout_seconds > 0 ? Math.ceil(s.timeout_seconds * 1000) : 30_000;
  return new Promise((resolve) => {
    child().execFile(
      file,
      list,
      { cwd, timeout, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout) => resolve(error ? undefined : stdout.trim()),
    );
  });
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out = dict<string>();
  for (const [k, v] of Object.entries(env)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** @internal Write (or delete) one file atomically; also used by the local adapters. */
export async function applyWrite(
  cwd: string,
  realRoot: string,
  w: FileWrite,
  real: string,
  beforeRename: () => Promise<void>,
): Promise<WrittenFile> {
  const out = {
    path: w.path,
    realPath: real,
    role: w.role,
    secret: w.secret,
    followedSymlink: viaSymlink(realRoot, w.path, real, cwd),
  };

  // The generated types say `undefined`, the JSON says `null`: accept both.
  if (w.contents === null || w.contents === undefined) {
    try {
      await fs.unlink(real);
      return { ...out, action: 'deleted' };
    } catch (e) {
      if (isMissing(e)) return { ...out, action: 'unchanged' };
      throw ioError('delete', w.path, e);
    }
  }

  const bytes = Buffer.from(w.contents, 'utf8');
  let existing;
  try {
    existing = await fs.stat(real);
  } catch (e) {
    if (!isMissing(e)) throw ioError('write', w.path, e);
  }
  if (existing !== undefined) {
    if (!existing.isFile()) throw ioError('write', w.path, { code: 'ENOTFILE' });
    const current = await fs.readFile(real).catch((e: unknown) => {
      throw ioError('read', w.path, e);
    });
    if (current.equals(bytes)) {
      return { ...out, action: 'unchanged', mode: existing.mode & 0o7777 };
    }
  }
  const mode = existing !== undefined ? existing.mode & 0o7777 : w.secret ? 0o600 : 0o666;
  const dir = path.dirname(real);
  const tmp = path.join(dir, `.${path.basename(real)}.${randomHex(6)}.tmp`);
  try {
    await fs.mkdir(dir, { recursive: true });
    const fh = await fs.open(tmp, 'wx', mode);
    try {
      await fh.writeFile(bytes);
      if (existing !== undefined) {
        await fh.chmod(mode);
        if (typeof process.getuid === 'function' && existing.uid !== process.getuid()) {
          await fh.chown(existing.uid, existing.gid).catch(() => undefined);
        }
      }
      await fh.sync();
    } finally {
      await fh.close();
    }
    await beforeRename();
    await fs.rename(tmp, real);
  } catch (e) {
    await fs.unlink(tmp).catch(() => undefined);
    throw ioError('write', w.path, e);
  }
  await syncDir(dir);
  const final = await fs.stat(real);
  return {
    ...out,
    action: existing === undefined ? 'created' : 'updated',
    mode: final.mode & 0o7777,
  };
}

/** Make the rename durable (best effort: not every platform can fsync a directory). */
async function syncDir(dir: string): Promise<void> {
  try {
    const d = await fs.open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    // Windows and some file systems refuse; the data itself is already synced.
  }
}

