/**
 * The API shared by every entry of `@secretzero/agent` (Node ESM, Node CommonJS, browsers).
 *
 * Everything here is pure: the caller passes text in (Secretfile, lockfile, target files,
 * environment, time) and gets typed objects back; nothing reads or writes files. The Node entry
 * adds `syncProject()`, which does the file work around {@link agentSync}.
 *
 * Option objects are camelCase; results (reports, diagnostics, the parsed Secretfile) keep the
 * snake_case shapes of the core, which are also the public JSON report format. Every function
 * throws {@link SecretZeroError} on failure.
 *
 * @module
 */

import type {
  ClassifyResponse,
  Diagnostic,
  FileWrite,
  InstructionsResponse,
  ParseResponse,
  ReportFormat,
  ScriptsResponse,
  Secret,
  Secretfile,
  StatusReport,
  StoreWrite,
  SyncReport,
  SyncRequest,
  TargetFilesResponse,
  ValidateResponse,
  VarFile,
} from '../wasm/api.js';
import {
  checkKeys,
  checkObject,
  checkOptBool,
  checkOptInt,
  checkOptObject,
  checkOptString,
  checkOptStringList,
  checkOptStringMap,
  checkString,
  invoke,
  toSnake,
} from './core.js';
import { usageError } from './errors.js';

export type {
  AgentConfig,
  AgentInstructions,
  AgentMode,
  AutomationLevel,
  AutomationSummary,
  ByLevel,
  Classification,
  ClassifyRequest,
  ClassifyResponse,
  Diagnostic,
  DiagnosticsRequest,
  EngineResults,
  EnvironmentProfile,
  Environments,
  ErrorCode,
  FileWrite,
  FormatInstructionsRequest,
  FormatRequest,
  FormatResponse,
  GenerateManyRequest,
  GenerateManyResponse,
  GenerateRequest,
  GenerateResponse,
  GeneratorSpec,
  InstructionScope,
  InstructionsRequest,
  InstructionsResponse,
  Outcome,
  ParseResponse,
  PendingSecret,
  Provider,
  RefreshReport,
  RefreshRow,
  RefreshStatus,
  ReportFormat,
  ScriptSpec,
  ScriptsResponse,
  Secret,
  SecretDetail,
  Secretfile,
  SecretStatus,
  SecretfileInput,
  Severity,
  Source,
  Span,
  StatusReport,
  StatusRequest,
  Step,
  StoreTarget,
  StoreWrite,
  SyncReport,
  SyncRequest,
  SyncResponse,
  SyncResults,
  SyncStatus,
  Target,
  TargetFilesResponse,
  TargetProfile,
  TargetResult,
  TargetState,
  TargetStatus,
  Template,
  TemplateField,
  ValidateResponse,
  VarFile,
  VersionResponse,
  WriteRole,
} from '../wasm/api.js';
export { SecretZeroError, isSecretZeroError } from './errors.js';
export type { SecretZeroErrorInit } from './errors.js';
export { STEP_TRUST_NOTICE, classifyStep, stepKind } from './steps.js';
export type { StepClass, StepKind } from './steps.js';

/**
 * Environment variables: `process.env` can be passed as it is (`undefined` entries are
 * ignored). Used for `${NAME}` interpolation and `UPPER_NAME` value overrides.
 */
export type EnvInput = Readonly<Record<string, string | undefined>>;

/** Options of {@link parseSecretfile} and {@link validateSecretfile}. */
export interface SecretfileOptions {
  /** Environment for `${NAME}` interpolation. Default: none (the core never reads a process environment). */
  env?: EnvInput | undefined;
  /** Variable files (`-v`), already read, merged into `variables` in order. Default: none. */
  varFiles?: readonly VarFile[] | undefined;
}

function secretfileInput(fn: string, text: unknown, options: unknown): Record<string, unknown> {
  checkString(fn, 'text', text);
  const o = checkOptObject(fn, 'options', options) ?? {};
  checkKeys(fn, o, ['env', 'varFiles']);
  return {
    text,
    env: checkOptStringMap(fn, 'options.env', o['env']),
    var_files: checkVarFiles(fn, 'options.varFiles', o['varFiles']),
  };
}

function checkVarFiles(fn: string, name: string, v: unknown): VarFile[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw usageError(`${fn}: \`${name}\` must be an array of {path, text}`);
  return v.map((f: unknown, i) => {
    const o = checkObject(fn, `${name}[${i}]`, f);
    return {
      path: checkString(fn, `${name}[${i}].path`, o['path']),
      text: checkString(fn, `${name}[${i}].text`, o['text']),
    };
  });
}

/**
 * Parse a Secretfile: the model plus every diagnostic (errors and warnings, with 1-based
 * positions). An invalid Secretfile is not an exception here: check `valid`.
 *
 * @param text - The Secretfile's YAML text.
 * @example
 * ```ts
 * const { valid, secretfile, diagnostics } = parseSecretfile(yaml, { env: process.env });
 * ```
 * @throws {@link SecretZeroError} `USAGE` when an argument has the wrong type.
 */
export function parseSecretfile(text: string, options?: SecretfileOptions): ParseResponse {
  return invoke('parse', secretfileInput('parseSecretfile', text, options));
}

/**
 * Validate a Secretfile: `valid`, the error and warning counts and every diagnostic.
 *
 * @param text - The Secretfile's YAML text.
 * @throws {@link SecretZeroError} `USAGE` when an argument has the wrong type.
 */
export function validateSecretfile(text: string, options?: SecretfileOptions): ValidateResponse {
  return invoke('validate', secretfileInput('validateSecretfile', text, options));
}

/** Options of {@link classifySecret}. */
export interface ClassifyOptions {
  /** The Secretfile the secret belongs to (needed for `templates.<name>` kinds). */
  secretfile?: Secretfile | undefined;
  /** Environment: a set, non-empty `UPPER_NAME` supplies the value. Default: none. */
  env?: EnvInput | undefined;
  /** Whether `script` secrets may run. Default false. */
  allowScripts?: boolean | undefined;
}

/**
 * Classify one secret: outcome (`automatic`, `pending`, `failed`), value source and
 * automation level.
 *
 * @param secret - A secret as found in `parseSecretfile(...).secretfile.secrets`.
 * @throws {@link SecretZeroError} `USAGE` when an argument has the wrong type.
 */
export function classifySecret(secret: Secret, options?: ClassifyOptions): ClassifyResponse {
  const fn = 'classifySecret';
  checkObject(fn, 'secret', secret);
  const o = checkOptObject(fn, 'options', options) ?? {};
  checkKeys(fn, o, ['secretfile', 'env', 'allowScripts']);
  return invoke('classify', {
    secret,
    secretfile: checkOptObject(fn, 'options.secretfile', o['secretfile']),
    env: checkOptStringMap(fn, 'options.env', o['env']),
    allow_scripts: checkOptBool(fn, 'options.allowScripts', o['allowScripts']),
  });
}

/**
 * Generate one value with a generator: `random_password`, `random_string`, `uuid` or
 * `static`. The only function that returns a secret value; randomness comes from the
 * platform's CSPRNG (`crypto.getRandomValues`).
 *
 * @param kind - The generator kind.
 * @param config - Generator options as in a Secretfile (`{ length: 32, special: false }`).
 * @example
 * ```ts
 * const password = generateSecret('random_password', { length: 32 });
 * ```
 * @throws {@link SecretZeroError} `USAGE` for wrong argument types, the diagnostic's code
 * (`UNSATISFIABLE_GENERATOR`, `WRONG_TYPE`, ...) for unusable options.
 */
export function generateSecret(kind: string, config?: Readonly<Record<string, unknown>>): string {
  const fn = 'generateSecret';
  checkString(fn, 'kind', kind);
  const c = checkOptObject(fn, 'config', config);
  return invoke<{ value: string }>('generate', { kind, config: c }).value;
}

/**
 * Generate `count` independent values with one generator in a single call into the core (up
 * to 1,000,000 values and 64 MiB): bulk provisioning, or checking the randomness
 * statistically. Each value is drawn exactly as {@link generateSecret} draws one.
 *
 * @param kind - The generator kind.
 * @param count - How many values (0 to 1,000,000).
 * @param config - Generator options as in a Secretfile.
 * @example
 * ```ts
 * const ids = generateSecrets('uuid', 100);
 * ```
 * @throws {@link SecretZeroError} as {@link generateSecret}; `INVALID_VALUE` for a `count`
 * over the limit, `BUDGET_EXCEEDED` when the values would pass 64 MiB.
 */
export function generateSecrets(
  kind: string,
  count: number,
  config?: Readonly<Record<string, unknown>>,
): string[] {
  const fn = 'generateSecrets';
  checkString(fn, 'kind', kind);
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) {
    throw usageError(`${fn}: \`count\` must be a whole number (0 or more)`);
  }
  const c = checkOptObject(fn, 'config', config);
  return invoke<{ values: string[] }>('generate_many', { kind, config: c, count }).values;
}

/**
 * Everything a sync needs. All text is passed in: the pure functions never touch files (the
 * Node entry's `syncProject()` reads and writes them for you).
 */
export interface SyncOptions {
  /** The Secretfile's YAML text. */
  text: string;
  /** The Secretfile path as given (`-f`), relative to the working directory. Default `"Secretfile.yml"`. */
  secretfilePath?: string | undefined;
  /** Environment (interpolation, `UPPER_NAME` overrides, `SZ_AGENT`). Default: none. */
  env?: EnvInput | undefined;
  /** Variable files given with `-v`, already read. Default: none. */
  varFiles?: readonly VarFile[] | undefined;
  /**
   * Texts of the selected lane's variable files by path, as listed by {@link targetFiles}
   * (`null` for a missing file); merged before `varFiles`. Default: none.
   */
  laneVarFiles?: Readonly<Record<string, string | null>> | undefined;
  /** The environment lane (`-e`). Default: the Secretfile's `environments.default`. */
  environment?: string | undefined;
  /** The lockfile path given with `-l`. Default: derived from the Secretfile path. */
  lockfilePath?: string | undefined;
  /** The lockfile's text; absent or `null` when it does not exist. */
  lockfile?: string | null | undefined;
  /** The local lockfile's text (`.gitsecrets.local.lock`); absent or `null` when it does not exist. */
  localLockfile?: string | null | undefined;
  /** Current time, ISO-8601 string or `Date`. Default: now. */
  now?: string | Date | undefined;
  /** Plan and report without writing anything. Default false. */
  dryRun?: boolean | undefined;
  /** Prune stale lockfile target entries. Default true. */
  refresh?: boolean | undefined;
  /** Whether `script` secrets may run. Default false (they are pending, `requires_approval`). */
  allowScripts?: boolean | undefined;
  /** Values supplied for secrets by name (a person's answers). Default: none. */
  values?: Readonly<Record<string, string>> | undefined;
  /**
   * Existing contents of the target files listed by {@link targetFiles}, by path; `null` for a
   * file that does not exist. Default: none.
   */
  files?: Readonly<Record<string, string | null>> | undefined;
  /** Who is syncing, recorded in the lockfile's `sync_identity`. Default: none. */
  identity?: Readonly<Record<string, unknown>> | undefined;
  /** Allow target paths outside the working directory. Default false. */
  allowOutsideRoot?: boolean | undefined;
  /**
   * Outputs of `script` secrets the host ran (only with `allowScripts`), by secret name.
   * Default: none.
   */
  scriptOutputs?: Readonly<Record<string, string>> | undefined;
  /** The host's absolute working directory (only used to print resolved paths like the reference). */
  cwd?: string | undefined;
  /**
   * Adapter keys (`"aws/ssm_parameter"`, ...) of the shared stores this host can write; secrets
   * with other non-local targets fail with `TARGET_UNREACHABLE`. Default: none.
   */
  adapters?: readonly string[] | undefined;
  /**
   * Store targets the host's access gate could not reach, by target ID, with the provider's
   * error: their secrets fail and no value is generated for them. Default: none.
   */
  unreachable?: Readonly<Record<string, string>> | undefined;
  /**
   * Store targets whose write failed in a first round, by target ID (run the second round with
   * the first round's `produced` values in `values`). Default: none.
   */
  storeFailures?: Readonly<Record<string, string>> | undefined;
}

const SYNC_KEYS = [
  'text',
  'secretfilePath',
  'env',
  'varFiles',
  'laneVarFiles',
  'environment',
  'lockfilePath',
  'lockfile',
  'localLockfile',
  'now',
  'dryRun',
  'refresh',
  'allowScripts',
  'values',
  'files',
  'identity',
  'allowOutsideRoot',
  'scriptOutputs',
  'cwd',
  'adapters',
  'unreachable',
  'storeFailures',
] as const satisfies readonly (keyof SyncOptions)[];

// Compile-time guard: every field of the core's SyncRequest has a camelCase option here.
type CamelCase<S extends string> = S extends `${infer H}_${infer T}`
  ? `${H}${Capitalize<CamelCase<T>>}`
  : S;
type MissingSyncOptions = Exclude<CamelCase<keyof SyncRequest & string>, keyof SyncOptions>;
const syncOptionsCoverRequest: [MissingSyncOptions] extends [never] ? true : MissingSyncOptions =
  true;
void syncOptionsCoverRequest;

function syncRequest(fn: string, options: unknown): SyncRequest {
  const o = checkObject(fn, 'options', options);
  checkKeys(fn, o, SYNC_KEYS);
  const now = o['now'];
  let nowText: string;
  if (now instanceof Date) {
    if (Number.isNaN(now.getTime())) throw usageError(`${fn}: \`options.now\` is an invalid Date`);
    nowText = now.toISOString();
  } else {
    nowText = checkOptString(fn, 'options.now', now) ?? new Date().toISOString();
  }
  const req = toSnake({
    text: checkString(fn, 'options.text', o['text']),
    secretfilePath: checkOptString(fn, 'options.secretfilePath', o['secretfilePath']),
    env: checkOptStringMap(fn, 'options.env', o['env']),
    varFiles: checkVarFiles(fn, 'options.varFiles', o['varFiles']),
    laneVarFiles: checkOptStringMap(fn, 'options.laneVarFiles', o['laneVarFiles'], true),
    environment: checkOptString(fn, 'options.environment', o['environment']),
    lockfilePath: checkOptString(fn, 'options.lockfilePath', o['lockfilePath']),
    lockfile: checkOptString(fn, 'options.lockfile', o['lockfile']),
    localLockfile: checkOptString(fn, 'options.localLockfile', o['localLockfile']),
    now: nowText,
    dryRun: checkOptBool(fn, 'options.dryRun', o['dryRun']),
    refresh: checkOptBool(fn, 'options.refresh', o['refresh']),
    allowScripts: checkOptBool(fn, 'options.allowScripts', o['allowScripts']),
    values: checkOptStringMap(fn, 'options.values', o['values']),
    files: checkOptStringMap(fn, 'options.files', o['files'], true),
    identity: checkOptObject(fn, 'options.identity', o['identity']),
    allowOutsideRoot: checkOptBool(fn, 'options.allowOutsideRoot', o['allowOutsideRoot']),
    scriptOutputs: checkOptStringMap(fn, 'options.scriptOutputs', o['scriptOutputs']),
    cwd: checkOptString(fn, 'options.cwd', o['cwd']),
    adapters: checkOptStringList(fn, 'options.adapters', o['adapters']),
    unreachable: checkOptStringMap(fn, 'options.unreachable', o['unreachable']),
    storeFailures: checkOptStringMap(fn, 'options.storeFailures', o['storeFailures']),
  });
  return req as unknown as SyncRequest;
}

/**
 * The files a sync of `options` reads besides the Secretfile: target files (pass their
 * contents back in `files`), the lockfile paths and the selected lane's variable files.
 *
 * @throws {@link SecretZeroError} when the Secretfile is invalid (with every diagnostic) or an
 * argument has the wrong type (`USAGE`).
 */
export function targetFiles(options: SyncOptions): TargetFilesResponse {
  return invoke('target_files', syncRequest('targetFiles', options));
}

/**
 * The `script` secrets a sync of `options` needs the host to run first: only with
 * `allowScripts`, never under `dryRun`, only for secrets not yet in the lockfile and without a
 * supplied value. Run each (`command` with `args`, or `/bin/sh -c command` when `shell`), kill
 * it after `timeout_seconds`, and pass the trimmed stdout in `scriptOutputs` by `name`.
 * (`syncProject()` does this for you.)
 *
 * @throws {@link SecretZeroError} as {@link agentSync}.
 */
export function planScripts(options: SyncOptions): ScriptsResponse {
  return invoke('plan_scripts', syncRequest('planScripts', options));
}

/** What {@link agentSync} returns. */
export interface SyncResult {
  /** The sync report: the same document `secretzero agent sync --json` prints. Never holds a value. */
  report: SyncReport;
  /**
   * Files to write, in order (targets first, lockfiles last; empty under dry-run). `contents`
   * holds secret values: write them, never log them. `contents: null` means delete the file.
   */
  writes: FileWrite[];
  /**
   * Values to store in shared stores (non-local targets), in order; empty under dry-run.
   * `value` is a secret: hand it to the target's adapter, never log it. Store them after the
   * target files and before the lockfiles; if a store fails, run `agentSync` again with
   * `storeFailures` and `values: produced` and apply that round's writes instead
   * (`syncWithAdapters` and `syncProject` do all this).
   */
  stores: StoreWrite[];
  /**
   * The values behind `stores` by secret (`secret.field` for template fields), for that second
   * round. Secrets: never log them.
   */
  produced: Record<string, string>;
}

/**
 * Plan an agent sync: classify every secret, generate the automatic ones, render the
 * instructions of the pending ones, and return the report plus the file writes that apply it.
 * Pure: nothing is written (use the Node entry's `syncProject()` for the file-backed sync).
 *
 * @example
 * ```ts
 * const { report, writes } = agentSync({ text, lockfile, files, env: process.env });
 * ```
 * @throws {@link SecretZeroError} when the Secretfile is invalid (with every diagnostic) or an
 * argument has the wrong type (`USAGE`).
 */
export function agentSync(options: SyncOptions): SyncResult {
  const r = invoke<Partial<SyncResult>>('sync', syncRequest('agentSync', options));
  return {
    report: r.report as SyncReport,
    writes: r.writes ?? [],
    stores: r.stores ?? [],
    produced: r.produced ?? {},
  };
}

/** Options of {@link driftStatus}: the sync inputs plus what the adapters read back. */
export interface StatusOptions extends SyncOptions {
  /**
   * What each shared-store target holds now, by target ID, as read by its adapter: the value,
   * or `null` when the entry is gone. Targets left out are `unknown`. Default: none.
   */
  storeValues?: Readonly<Record<string, string | null>> | undefined;
}

/**
 * Drift: for every secret, whether each target the lockfile tracks still holds the recorded
 * value (`in_sync`, `drifted`, `missing`, `unknown`). Pass the target files in `files` (as for
 * {@link agentSync}) and the shared stores' current values in `storeValues`. The report holds
 * no value and no hash. (The Node entry's `projectStatus()` reads everything for you.)
 *
 * @throws {@link SecretZeroError} as {@link agentSync}.
 */
export function driftStatus(options: StatusOptions): StatusReport {
  const fn = 'driftStatus';
  const o = checkObject(fn, 'options', options);
  const { storeValues, ...rest } = o;
  const req = syncRequest(fn, rest);
  return invoke('status', {
    ...req,
    store_values: checkOptStringMap(fn, 'options.storeValues', storeValues, true),
  });
}

/** Which secrets {@link agentInstructions} lists. */
export interface InstructionsFilter {
  /** Every secret that has instructions, not only the pending ones (`--all`). Default false. */
  all?: boolean | undefined;
  /** Only these secrets (`-s NAME`); unknown names give a warning. Default: every secret. */
  secrets?: readonly string[] | undefined;
}

/**
 * The rendered instructions of the secrets that still need a person: exactly the secrets
 * {@link agentSync} would report as pending (`SZ_AGENT` aside), or with `all` every secret that
 * has `agent_instructions`. Same shape as the reference CLI's `agent instructions --format
 * json` (`{scope, total, secrets}`), with the full instructions and `automation_level` per
 * secret, plus `warnings`. Pure: pass the same inputs as for a sync.
 *
 * @throws {@link SecretZeroError} as {@link agentSync}.
 */
export function agentInstructions(
  options: SyncOptions,
  filter?: InstructionsFilter,
): InstructionsResponse {
  const fn = 'agentInstructions';
  const f = checkOptObject(fn, 'filter', filter) ?? {};
  checkKeys(fn, f, ['all', 'secrets']);
  const names = f['secrets'] ?? [];
  if (!Array.isArray(names)) throw usageError(`${fn}: \`filter.secrets\` must be an array of names`);
  names.forEach((n: unknown, i) => checkString(fn, `filter.secrets[${i}]`, n));
  return invoke('instructions', {
    request: syncRequest(fn, options),
    all: checkOptBool(fn, 'filter.all', f['all']),
    secrets: names,
  });
}

/** Options of {@link formatInstructions}. */
export interface FormatInstructionsOptions {
  /** `"text"` (default) or `"json"` (the reference's `{scope, total, secrets}` document). */
  format?: ReportFormat | undefined;
  /**
   * Every instruction field (prerequisites, tools, automation, time, fallback, docs); without
   * it, summary and steps only (the reference's default). Default false.
   */
  detailed?: boolean | undefined;
  /** Text: leave out the header line (for one secret shown on its own). Default false. */
  bare?: boolean | undefined;
  /** Text: ANSI colours. Default false. */
  color?: boolean | undefined;
  /** Text: line width. Default 80. */
  width?: number | undefined;
}

/**
 * Render {@link agentInstructions}' result as the text of `secretzero agent instructions` or
 * as its JSON document (Python `json.dumps(indent=2)` bytes, like the reference; `warnings`
 * are not part of it). Ends with a newline (text: empty string when `bare` and nothing to show).
 *
 * @throws {@link SecretZeroError} `USAGE` when an argument has the wrong type.
 */
export function formatInstructions(
  instructions: InstructionsResponse,
  options?: FormatInstructionsOptions,
): string {
  const fn = 'formatInstructions';
  checkObject(fn, 'instructions', instructions);
  const o = checkOptObject(fn, 'options', options) ?? {};
  checkKeys(fn, o, ['format', 'detailed', 'bare', 'color', 'width']);
  const format = checkOptString(fn, 'options.format', o['format']);
  if (format !== undefined && format !== 'text' && format !== 'json') {
    throw usageError(`${fn}: \`options.format\` must be "text" or "json"`);
  }
  return invoke<{ text: string }>('format_instructions', {
    instructions,
    format,
    detailed: checkOptBool(fn, 'options.detailed', o['detailed']),
    bare: checkOptBool(fn, 'options.bare', o['bare']),
    color: checkOptBool(fn, 'options.color', o['color']),
    width: checkOptInt(fn, 'options.width', o['width']),
  }).text;
}

/** Options of {@link formatReport}. */
export interface FormatOptions {
  /** `"text"` (the human report, default) or `"json"` (the exact `--json` bytes). */
  format?: ReportFormat | undefined;
  /** ANSI colours (decide with `isTTY` and `NO_COLOR`). Default false. */
  color?: boolean | undefined;
  /** Line width for rules and wrapping. Default 80. */
  width?: number | undefined;
}

/**
 * Render a sync report as the human text of `secretzero agent sync` or as its `--json`
 * document (Python `json.dumps(indent=2)` bytes, like the reference CLI). Ends with a newline.
 *
 * @throws {@link SecretZeroError} `USAGE` when `report` is not a sync report.
 */
export function formatReport(report: SyncReport, options?: FormatOptions): string {
  const fn = 'formatReport';
  checkObject(fn, 'report', report);
  const o = checkOptObject(fn, 'options', options) ?? {};
  checkKeys(fn, o, ['format', 'color', 'width']);
  const format = checkOptString(fn, 'options.format', o['format']);
  if (format !== undefined && format !== 'text' && format !== 'json') {
    throw usageError(`${fn}: \`options.format\` must be "text" or "json"`);
  }
  return invoke<{ text: string }>('format_report', {
    report,
    format,
    color: checkOptBool(fn, 'options.color', o['color']),
    width: checkOptInt(fn, 'options.width', o['width']),
  }).text;
}

/** Options of {@link formatDiagnostics}. */
export interface FormatDiagnosticsOptions {
  /** ANSI colours. Default false. */
  color?: boolean | undefined;
}

/**
 * Render diagnostics the way the CLI prints them on stderr: `FILE:LINE:COL: error[CODE]:
 * message (at `path`)` lines, each followed by an indented `hint:` line when there is one.
 *
 * @param file - The file the diagnostics are about.
 * @throws {@link SecretZeroError} `USAGE` when an argument has the wrong type.
 */
export function formatDiagnostics(
  file: string,
  diagnostics: readonly Diagnostic[],
  options?: FormatDiagnosticsOptions,
): string {
  const fn = 'formatDiagnostics';
  checkString(fn, 'file', file);
  if (!Array.isArray(diagnostics)) throw usageError(`${fn}: \`diagnostics\` must be an array`);
  const o = checkOptObject(fn, 'options', options) ?? {};
  checkKeys(fn, o, ['color']);
  return invoke<{ text: string }>('format_diagnostics', {
    file,
    diagnostics,
    color: checkOptBool(fn, 'options.color', o['color']),
  }).text;
}

/**
 * The JSON Schema of the Secretfile (for editors: `# yaml-language-server: $schema=...`),
 * generated from the core's model.
 */
export function secretfileSchema(): Record<string, unknown> {
  return invoke('schema', {});
}

/** The version of the core (the package version). */
export function version(): string {
  return invoke<{ version: string }>('version', {}).version;
}
