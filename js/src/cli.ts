#!/usr/bin/env node
/**
 * The `secretzero` command: `agent sync`, `agent instructions`, `agent handoff`, `status`,
 * `validate`, `schema` and `mcp`.
 *
 * Exit codes: 0 when the command ran (for `agent sync`: whatever the report's status, like the
 * reference CLI, so CI scripts can read the report), 1 when the Secretfile cannot be loaded or
 * the sync cannot run (invalid Secretfile, unreadable or unwritable file, target outside the
 * project) or `--interactive` reached the end of its input, 2 on usage errors (unknown option,
 * missing `-f` file), 3 when `--fail-on` matched, 130 when `--interactive` was interrupted
 * (Ctrl-C; nothing is written).
 *
 * With `--json`, stdout holds exactly one JSON document — the report, or on error
 * `{"error": {code, message, line, column}, "diagnostics": [...]}` — and nothing else.
 *
 * Startup stays fast: only `node:` built-ins at the top; the WebAssembly core is loaded when a
 * command needs it, and compiled with V8's baseline compiler only (see `loadApi`).
 *
 * @module
 */

import { existsSync, readFileSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';

import type { Diagnostic, Secret, SecretDetail, SyncReport } from '../wasm/api.js';
import type { SyncOptions } from './index.js';
import type { SyncProjectOptions, SyncProjectResult } from './project.js';

type Api = typeof import('./node.js');


const EXIT_OK = 0;
const EXIT_ERROR = 1;
const EXIT_USAGE = 2;
const EXIT_FAIL_ON = 3;
const EXIT_INTERRUPTED = 130;

class UsageError extends Error {
  constructor(
    message: string,
    readonly usage: string,
  ) {
    super(message);
  }
}

const ROOT_HELP = `Usage: secretzero [OPTIONS] COMMAND [ARGS]...

  SecretZero agent-guided secret synchronisation (@secretzero/agent).

Options:
  --version   Show the version and exit.
  -h, --help  Show this message and exit.

Commands:
  agent     Agent-aware commands (agent sync, agent instructions, agent handoff).
  mcp       Serve the tools to AI agents over MCP (stdio).
  schema    Print the JSON Schema of the Secretfile.
  status    Drift: do the tracked targets still hold the recorded values?
  validate  Validate a Secretfile and report every problem.

Run 'secretzero COMMAND --help' for a command's options.
`;

const AGENT_HELP = `Usage: secretzero agent [OPTIONS] COMMAND [ARGS]...

  Agent-aware secret synchronisation.

Options:
  --version   Show the version and exit.
  -h, --help  Show this message and exit.

Commands:
  handoff       Let a person enter a secret's value on a one-time local page.
  instructions  Print the instructions of the secrets that need a person.
  sync          Generate what can be generated; give instructions for the rest.
`;

const SYNC_HELP = `Usage: secretzero agent sync [OPTIONS]

  Agent-aware secret synchronisation with guided instructions.

  Generates and stores every secret that needs no person (random passwords and
  strings, UUIDs, static values, values supplied through UPPER_NAME environment
  variables), records them in the lockfile, and prints step-by-step
  instructions for the secrets that need someone (sign-ups, OAuth flows,
  approvals).

Options:
  -f, --file PATH         Path to Secretfile (default: Secretfile.yml)
  -l, --lockfile PATH     Path to lockfile (default: derived from the Secretfile)
  -v, --var-file PATH     Variable file to merge (repeatable)
  -e, --environment TEXT  Named environment profile
  --dry-run               Preview changes without applying them
  --json                  Output the report as JSON (exactly one document on stdout)
  --interactive           Ask for the value of each pending secret (input hidden),
                          check it, store it in its targets and the lockfile
  --refresh/--no-refresh  Refresh lockfile target validity before sync (default: on)
  --allow-scripts         Let \`script\` secrets run (otherwise they need approval)
  --allow-outside-root    Let targets, lockfiles and variable files lie outside
                          the project directory (refused by default)
  --lock-timeout SECONDS  Wait this long for another sync of the project to
                          finish (default: 30), then fail with LOCKED
  --fail-on [pending|failed]
                          Exit 3 when a secret is failed (\`failed\`), or pending or
                          failed (\`pending\`)
  --version               Show the version and exit.
  -h, --help              Show this message and exit.

--interactive: for each pending secret, its instructions, then "Have you
obtained the value?" y = type it (nothing is shown), n or Enter = not now,
s = skip, q = stop asking. A value that fails the secret's \`validation\` is
refused with the reason and asked again. Nothing is written until the last
answer; Ctrl-C or the end of input aborts and leaves every file as it was.
Not with --json (pass values to scripts through UPPER_NAME variables instead).

Exit status: 0 when the sync ran (whatever its status), 1 when the Secretfile
cannot be loaded, a file cannot be read or written, or --interactive reached
the end of its input, 2 on usage errors, 3 when --fail-on matched, 130 when
--interactive was interrupted.
`;

const INSTRUCTIONS_HELP = `Usage: secretzero agent instructions [OPTIONS]

  Print the instructions of the secrets that still need a person: the secrets
  \`agent sync\` would report as pending (not in the lockfile, not generatable,
  no value in their UPPER_NAME variable). Writes nothing.

Options:
  -f, --file PATH         Path to Secretfile (default: Secretfile.yml)
  -l, --lockfile PATH     Path to lockfile (default: derived from the Secretfile)
  -v, --var-file PATH     Variable file to merge (repeatable)
  -e, --environment TEXT  Named environment profile
  --allow-outside-root    Let the lockfile and variable files lie outside the
                          project directory (refused by default)
  -s, --secret NAME       Only this secret (repeatable)
  --all                   Every secret that has agent_instructions
  --detailed              Also prerequisites, tools, timing, fallback and docs
  --format [text|json]    Output format (default: text)
  --json                  Same as --format json: {scope, total, secrets}
  --version               Show the version and exit.
  -h, --help              Show this message and exit.

Exit status: 0 when the instructions were printed (also when there are none),
1 when the Secretfile cannot be loaded, 2 on usage errors.
`;

const SCHEMA_HELP = `Usage: secretzero schema [OPTIONS]

  Print the JSON Schema (draft 2020-12) of the Secretfile, for editors and
  validators: secretzero schema > secretfile.schema.json

Options:
  --version   Show the version and exit.
  -h, --help  Show this message and exit.
`;

const VALIDATE_HELP = `Usage: secretzero validate [OPTIONS]

  Validate a Secretfile: every error and warning, with its line and column.

Options:
  -f, --file PATH         Path to Secretfile (default: Secretfile.yml)
  --json                  Output the result as JSON (also: --format json)
  --format [text|json]    Output format (default: text)
  --version               Show the version and exit.
  -h, --help              Show this message and exit.

Exit status: 0 when the Secretfile is valid (warnings allowed), 1 when it is
invalid, 2 on usage errors.
`;

const STATUS_HELP = `Usage: secretzero status [OPTIONS]

  Drift: for every secret in the lockfile, whether each tracked target (local
  files, AWS parameters and secrets, your adapters' stores) still holds the
  value whose hash the lockfile recorded. Nothing is written; no value or hash
  is printed.

Options:
  -f, --file PATH         Path to Secretfile (default: Secretfile.yml)
  -l, --lockfile PATH     Path to lockfile (default: derived from the Secretfile)
  -v, --var-file PATH     Variable file to merge (repeatable)
  -e, --environment TEXT  Named environment profile
  --allow-outside-root    Let the lockfile and variable files lie outside the
                          project directory (refused by default)
  --json                  Output the result as JSON
  --version               Show the version and exit.
  -h, --help              Show this message and exit.

States: in_sync, drifted (holds another value), missing (the entry or key is
gone), unknown (cannot be read here). Exit status: 0 when the check ran, 1 when
the Secretfile cannot be loaded, 2 on usage errors.
`;

const out = (s: string): void => {
  process.stdout.write(s);
};
const err = (s: string): void => {
  process.stderr.write(s);
};

function envFlag(name: string): boolean {
  const v = process.env[name];
  return v !== undefined && v !== '';
}

function useColor(stream: NodeJS.WriteStream): boolean {
  if (envFlag('NO_COLOR')) return false;
  if (envFlag('FORCE_COLOR') && process.env['FORCE_COLOR'] !== '0') return true;
  return stream.isTTY === true;
}

function paint(on: boolean, code: string, s: string): string {
  return on ? `\u001b[${code}m${s}\u001b[0m` : s;
}

function terminalWidth(): number {
  if (process.stdout.isTTY && process.stdout.columns > 0) return process.stdout.columns;
  const c = Number.parseInt(process.env['COLUMNS'] ?? '', 10);
  return Number.isInteger(c) && c > 0 ? c : 80;
}

/**
 * `FILE:LINE:COL: error[CODE]: message (at `path`)` plus an indented `hint:` line, to stderr
 * (the core's `render_diagnostics` format).
 */
function printDiagnostics(file: string, diagnostics: readonly Diagnostic[]): void {
  const color = useColor(process.stderr);
  for (const d of diagnostics) {
    const where = d.line != null && d.column != null ? `${file}:${d.line}:${d.column}` : file;
    const kind =
      d.severity === 'error' ? paint(color, '1;31', 'error') : paint(color, '1;33', 'warning');
    const at = d.path ? ` (at \`${d.path}\`)` : '';
    err(`${where}: ${kind}[${d.code}]: ${d.message}${at}\n`);
    if (d.hint) err(`  ${paint(color, '2', 'hint:')} ${d.hint}\n`);
  }
}

interface ErrorLike {
  code: string;
  message: string;
  line?: number | undefined;
  column?: number | undefined;
  diagnostics?: readonly Diagnostic[];
}

function errorDocument(e: ErrorLike): string {
  return `${JSON.stringify(
    {
      error: {
        code: e.code,
        message: e.message,
        line: e.line ?? null,
        column: e.column ?? null,
      },
      diagnostics: e.diagnostics ?? [],
    },
    null,
    2,
  )}\n`;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Edit distance with adjacent transpositions (for "did you mean"). */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => d[i]?.[j] ?? 0;
  for (let i = 1; i <= a.length; i++) {
    const row = d[i] ?? [];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, at(i - 2, j - 2) + 1);
      }
      row[j] = v;
    }
  }
  return at(a.length, b.length);
}

/** " Did you mean 'x'?" when a candidate is a plausible typo of `word` (as the core's suggest.rs). */
function didYouMean(word: string, candidates: readonly string[]): string {
  const limit = word.length <= 4 ? 1 : word.length <= 9 ? 2 : 3;
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== undefined && bestD <= limit ? ` Did you mean '${best}'?` : '';
}

const HANDOFF_HELP = `Usage: secretzero agent handoff [OPTIONS] NAME

  Let a person enter the value of the secret NAME on a one-time page on
  127.0.0.1. The value is checked against the secret's validation and stored
  in its targets and the lockfile; it never passes through the terminal, the
  agent or a log. Give the printed link to the person; it works once and
  expires (default 10 minutes).

Options:
  -f, --file PATH         Path to Secretfile (default: Secretfile.yml)
  -l, --lockfile PATH     Path to lockfile (default: derived from the Secretfile)
  -v, --var-file PATH     Variable file to merge (repeatable)
  -e, --environment TEXT  Named environment profile
  --allow-outside-root    Let targets, lockfiles and variable files lie outside
                          the project directory (refused by default)
  --expires DURATION      How long the link works: seconds, or 90s, 10m, 1h
                          (default: 10m; at most 24h)
  --json                  JSON lines on stdout: {"event": "started", "name",
                          "url", "expires_at"} then {"event": "stored" |
                          "expired" | "cancelled" | "failed", ...}
  --version               Show the version and exit.
  -h, --help              Show this message and exit.

Exit status: 0 when the value was stored, 1 when it was not (expired,
cancelled, failed) or the Secretfile cannot be loaded, 2 on usage errors.
`;

const MCP_HELP = `Usage: secretzero mcp [OPTIONS]

  Serve SecretZero to AI agents over the Model Context Protocol (stdio).

  Tools: sync_secrets, list_pending_secrets, validate_secretfile,
  start_handoff, handoff_status. Tool results never contain a secret value
  or hash; a person enters values on a one-time local page (the hand-off).

Options:
  --root DIR  Directory the tools may work in (default: the current directory)
  --version   Show the version and exit.
  -h, --help  Show this message and exit.

Configure it in an MCP host as the command \`npx -y @secretzero/agent mcp\`
(or \`secretzero mcp\`), started in the project directory.
`;

/** Every command takes these. */
const COMMON: Options = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
};

function parse(
  argv: string[],
  options: Options,
  usage: string,
  allowPositionals = false,
): ReturnType<typeof parseArgs> {
  const all = { ...options, ...COMMON };
  try {
    return parseArgs({ args: argv, options: all, strict: true, allowPositionals });
  } catch (e) {
    // parseArgs messages name the option, never an option's value; ours say what to do.
    const code = (e as { code?: string }).code;
    const message = e instanceof Error ? e.message : String(e);
    const m = /'([^']+)'/.exec(message);
    const arg = m?.[1] ?? '';
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const names = Object.entries(all).flatMap(([k, o]) => [`--${k}`, ...(o.short ? [`-${o.short}`] : [])]);
      throw new UsageError(`No such option: ${arg}.${didYouMean(arg.split('=')[0] ?? arg, names)}`, usage);
    }
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      throw new UsageError(
        `Got unexpected extra argument (${arg}). This command takes options only.`,
        usage,
      );
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const flag = arg.replace(/ <value>$/, '');
      throw new UsageError(
        message.includes('does not take an argument')
          ? `Option '${flag}' does not take a value.`
          : `Option '${flag}' requires a value.`,
        usage,
      );
    }
    throw new UsageError(message, usage);
  }
}

/** `--help` / `--version` of a command; undefined when neither was given. */
function helpOrVersion(v: Record<string, unknown>, help: string): number | undefined {
  if (v['help'] === true) {
    out(help);
    return EXIT_OK;
  }
  if (v['version'] === true) {
    printVersion();
    return EXIT_OK;
  }
  return undefined;
}

function printVersion(): void {
  // The package version is the core's (the build takes both from Cargo.toml); reading it
  // from package.json spares compiling the core.
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  out(`secretzero, version ${pkg.version} (@secretzero/agent)\n`);
}

function requireFile(flag: string, p: string, usage: string): void {
  if (!existsSync(p)) {
    throw new UsageError(`Invalid value for ${flag}: Path '${p}' does not exist.`, usage);
  }
  if (statSync(p).isDirectory()) {
    throw new UsageError(`Invalid value for ${flag}: Path '${p}' is a directory.`, usage);
  }
}

/**
 * The package's Node entry, for the commands that run one sync-like operation and exit.
 *
 * Such a run is short: it keeps the WebAssembly core on V8's baseline compiler. With the
 * default tiering, the optimising compiler works on background threads that the process then
 * waits for at exit: `agent sync` on the quickstart took ~460 ms instead of ~170 ms (Node 20,
 * 2 cores). The flag must be set before the core is compiled, i.e. before `./node.js` is
 * imported; `node:v8` is loaded here so that `--version`, `--help` and usage errors do not pay
 * for it, and `secretzero mcp` (long-running) keeps the default tiering. Node 24 freezes V8's
 * flags after start-up, so there this does nothing (bench/README.md, "Start-up").
 */
async function loadApi(): Promise<Api> {
  (await import('node:v8')).setFlagsFromString('--liftoff-only');
  return import('./node.js');
}

/** The options of every command that reads a project (sync, status, instructions). */
const PROJECT_OPTIONS: Options = {
  file: { type: 'string', short: 'f' },
  lockfile: { type: 'string', short: 'l' },
  'var-file': { type: 'string', short: 'v', multiple: true },
  environment: { type: 'string', short: 'e' },
  'allow-outside-root': { type: 'boolean' },
};

/**
 * The project part of a command's options: the Secretfile and `-v` files checked to exist,
 * the rest as {@link SyncProjectOptions}.
 */
function projectOptions(
  v: Record<string, unknown>,
  usage: string,
): { file: string; options: SyncProjectOptions } {
  const file = (v['file'] as string | undefined) ?? 'Secretfile.yml';
  requireFile("'-f' / '--file'", file, usage);
  const varFiles = (v['var-file'] as string[] | undefined) ?? [];
  for (const f of varFiles) requireFile("'-v' / '--var-file'", f, usage);
  return {
    file,
    options: {
      cwd: process.cwd(),
      file,
      lockfilePath: v['lockfile'] as string | undefined,
      varFiles,
      environment: v['environment'] as string | undefined,
      env: process.env,
      allowOutsideRoot: v['allow-outside-root'] === true,
    },
  };
}

const SYNC_OPTIONS: Options = {
  ...PROJECT_OPTIONS,
  'dry-run': { type: 'boolean' },
  json: { type: 'boolean' },
  interactive: { type: 'boolean' },
  refresh: { type: 'boolean' },
  'no-refresh': { type: 'boolean' },
  'allow-scripts': { type: 'boolean' },
  'lock-timeout': { type: 'string' },
  'fail-on': { type: 'string' },
};

async function cmdSync(argv: string[], json: boolean): Promise<number> {
  const usage = 'Usage: secretzero agent sync [OPTIONS]';
  const { values: v } = parse(argv, SYNC_OPTIONS, usage);
  const early = helpOrVersion(v, SYNC_HELP);
  if (early !== undefined) return early;
  const failOn = v['fail-on'] as string | undefined;
  if (failOn !== undefined && failOn !== 'pending' && failOn !== 'failed') {
    throw new UsageError(
      `Invalid value for '--fail-on': '${failOn}' is not one of 'pending', 'failed'.`,
      usage,
    );
  }
  const interactive = v['interactive'] === true;
  if (interactive && json) {
    throw new UsageError(
      "--interactive cannot be used with --json: the JSON report is for programs, which can " +
        'hand values in through UPPER_NAME environment variables (e.g. STRIPE_API_KEY=...). ' +
        'Drop --json to answer the questions yourself.',
      usage,
    );
  }
  const lockTimeoutText = v['lock-timeout'] as string | undefined;
  const lockTimeout = lockTimeoutText === undefined ? undefined : Number(lockTimeoutText);
  if (lockTimeout !== undefined && (!Number.isFinite(lockTimeout) || lockTimeout < 0)) {
    throw new UsageError(
      `Invalid value for '--lock-timeout': '${lockTimeoutText}' is not a number of seconds.`,
      usage,
    );
  }
  const { file, options: project } = projectOptions(v, usage);

  const api = await loadApi();
  const options: SyncProjectOptions = {
    ...project,
    dryRun: v['dry-run'] === true,
    refresh: v['no-refresh'] === true ? false : undefined,
    allowScripts: v['allow-scripts'] === true,
    lockTimeout: lockTimeout === undefined ? undefined : lockTimeout * 1000,
  };
  let report: SyncReport;
  let written: Awaited<ReturnType<Api['syncProject']>>['files'];
  try {
    if (interactive) {
      const r = await interactiveSync(api, options);
      if (typeof r === 'number') return r;
      ({ report, files: written } = r);
    } else {
      ({ report, files: written } = await api.syncProject(options));
    }
  } catch (e) {
    return reportError(api, e, file, json);
  }
  // A symlinked target is followed (inside the project only), never silently.
  for (const f of written) {
    if (f.followedSymlink) err(`note: \`${f.path}\` is a symlink; wrote \`${f.realPath}\`\n`);
  }

  if (json) {
    out(api.formatReport(report, { format: 'json' }));
  } else {
    out(
      api.formatReport(report, {
        format: 'text',
        color: useColor(process.stdout),
        width: terminalWidth(),
      }),
    );
    // The reference's table has no target IDs; list the shared-store writes a dry run plans.
    if (report.dry_run === true) out(wouldStore(report));
    if (report.warnings !== undefined && report.warnings.length > 0) {
      printDiagnostics(file, report.warnings);
    }
  }
  const failed = Object.keys(report.failed_secrets).length > 0;
  const pending = Object.keys(report.pending_secrets).length > 0;
  if ((failOn === 'failed' && failed) || (failOn === 'pending' && (failed || pending))) {
    return EXIT_FAIL_ON;
  }
  return EXIT_OK;
}

/**
 * `agent sync --interactive`: plan (dry run), ask for each pending secret's value, check each
 * answer with another dry run (the core applies the secret's `validation`), then run ONE sync
 * with every accepted value and apply its writes. Nothing is written before the last answer,
 * so Ctrl-C or the end of input leaves every file as it was. The conversation goes to stderr;
 * stdout gets the same report as without `--interactive`. No value is ever printed.
 *
 * The questions are asked without holding the project lock (a person may take longer than a
 * lock stays fresh); the final sync opens the project again under the lock, so it sees what
 * another sync wrote meanwhile.
 *
 * Returns the result, or an exit code when the person aborted.
 */
async function interactiveSync(
  api: Api,
  options: SyncProjectOptions,
): Promise<SyncProjectResult | number> {
  const { openProject } = await import('./project.js');
  const { Prompter, PromptAbort } = await import('./prompt.js');
  const project = await openProject(options);
  const request = project.request;
  const plan = api.agentSync({ ...request, dryRun: true }).report;
  const names = Object.keys(plan.pending_secrets);
  const color = useColor(process.stderr);
  const width =
    process.stderr.isTTY && process.stderr.columns > 0 ? process.stderr.columns : terminalWidth();
  const say = (s: string): void => err(`${s}\n`);
  const values: Record<string, string> = {};

  if (names.length === 0 && plan.sz_agent && Object.keys(plan.failed_secrets).length > 0) {
    say(
      paint(color, '33', '--interactive: SZ_AGENT is set, so secrets that need a person are ' +
        'failures and nothing is asked (unset SZ_AGENT to answer them).'),
    );
  }
  if (names.length > 0) {
    const parsed = api.parseSecretfile(request.text, { env: request.env, varFiles: request.varFiles });
    const secrets = new Map((parsed.secretfile?.secrets ?? []).map((s) => [s.name, s]));
    const prompter = new Prompter(process.stdin, process.stderr);
    say('');
    say(paint(color, '1;33', `⏳ ${names.length} secret(s) need a value from you.`));
    say(
      '   y: type it now (nothing is shown)   n or Enter: not now   s: skip   q: stop asking\n' +
        '   Nothing is written until the last answer; Ctrl-C aborts and writes nothing.',
    );
    try {
      questions: for (const name of names) {
        const entry = plan.pending_secrets[name];
        if (entry === undefined) continue;
        err(
          api.formatInstructions(
            { scope: 'pending', total: 1, secrets: { [name]: entry }, warnings: [] },
            { bare: true, detailed: true, color, width },
          ),
        );
        const secret = secrets.get(name);
        if (secret?.kind.startsWith('templates.') === true) {
          say(`'${name}' is a template secret (one value per field): it cannot be entered here and stays pending.`);
          continue;
        }
        for (;;) {
          const answer = (
            await prompter.ask(`\nHave you obtained the value for '${name}'? [y/N/s(kip)/q(uit)] `)
          )
            .trim()
            .toLowerCase();
          if (answer === 'q' || answer === 'quit') {
            const n = Object.keys(values).length;
            say(`Stopped asking: ${n} value(s) entered ${project.dryRun ? 'checked' : 'will be stored'}.`);
            break questions;
          }
          if (answer === 's' || answer === 'skip') {
            say(`Skipped '${name}'.`);
            break;
          }
          if (answer === '' || answer === 'n' || answer === 'no') {
            say(`'${name}' stays pending.`);
            break;
          }
          if (answer !== 'y' && answer !== 'yes') {
            say('Please answer y, n, s or q.');
            continue;
          }
          const accepted = await askValue(api, prompter, request, values, name, secret, color, say);
          if (accepted !== undefined) {
            values[name] = accepted;
            say(
              paint(color, '32', `✅ Value received for ${name}`) +
                (project.dryRun ? ' (checked; --dry-run stores nothing)' : ' (stored when you finish)'),
            );
          }
          break;
        }
      }
      await prompter.finish();
      if (prompter.aborted !== undefined) throw prompter.aborted;
    } catch (e) {
      prompter.close();
      if (e instanceof PromptAbort) {
        say(
          paint(color, '31', e.reason === 'interrupt' ? 'Aborted (Ctrl-C)' : 'Aborted (end of input)') +
            ': nothing was written.',
        );
        return e.reason === 'interrupt' ? EXIT_INTERRUPTED : EXIT_ERROR;
      }
      throw e;
    } finally {
      prompter.close();
    }
  }

  // One sync with every accepted value. A Ctrl-C now would cut the writes short: let them
  // finish (each is atomic; targets before the lockfile) and say so.
  const hold = (): void => say('\nFinishing the writes first (they take a moment).');
  process.on('SIGINT', hold);
  try {
    // The whole sync (shared stores included), with every accepted value at once.
    const locked = await openProject(options, 'syncProject', true);
    try {
      return await locked.sync({ ...(await locked.withScripts()), values });
    } finally {
      await locked.close();
    }
  } finally {
    process.off('SIGINT', hold);
  }
}

/**
 * Read one secret value (hidden) and check it with a dry run; asked again (three tries in
 * all) when the core refuses it. Returns the value, or undefined when the person gives up.
 */
async function askValue(
  api: Api,
  prompter: import('./prompt.js').Prompter,
  request: SyncOptions,
  values: Readonly<Record<string, string>>,
  name: string,
  secret: Secret | undefined,
  color: boolean,
  say: (s: string) => void,
): Promise<string | undefined> {
  const tries = 3;
  for (let attempt = 1; ; attempt++) {
    const value = await prompter.askHidden(
      attempt === 1
        ? `Enter the value for '${name}' (input hidden): `
        : `Enter the value for '${name}' again (input hidden, Enter to leave it pending): `,
    );
    if (value === '') {
      say(`No value entered: '${name}' stays pending.`);
      return undefined;
    }
    const check = api.agentSync({ ...request, dryRun: true, values: { ...values, [name]: value } }).report;
    if (check.synced_secrets.includes(name)) return value;
    // The core's reasons never contain the value.
    const reason = check.failed_secrets[name] ?? 'the value cannot be stored';
    say(paint(color, '31', `✗ ${reason}`));
    const pattern = secret?.config?.['validation'];
    if (typeof pattern === 'string' && pattern !== '') {
      say(`  It must match \`${pattern}\` from its first character.`);
    }
    if (attempt >= tries) {
      say(`'${name}' stays pending.`);
      return undefined;
    }
  }
}

/** `Would store in shared stores:` lines (secret → target ID), or nothing without such targets. */
function wouldStore(report: SyncReport): string {
  const lines: string[] = [];
  const results = report.sync_results as { details?: SecretDetail[] } | null | undefined;
  for (const d of results?.details ?? []) {
    for (const t of d.targets) {
      if (t.provider !== 'local' && t.status === 'would_store') {
        lines.push(`  • ${d.name} → ${t.target_id ?? `${t.provider}/${t.kind}`}\n`);
      }
    }
  }
  return lines.length > 0 ? `\nWould store in shared stores:\n${lines.join('')}` : '';
}

async function cmdStatus(argv: string[], json: boolean): Promise<number> {
  const usage = 'Usage: secretzero status [OPTIONS]';
  const { values: v } = parse(
    argv,
    {
      ...PROJECT_OPTIONS,
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    usage,
  );
  const early = helpOrVersion(v, STATUS_HELP);
  if (early !== undefined) return early;
  const { file, options } = projectOptions(v, usage);
  const api = await loadApi();
  let r: Awaited<ReturnType<Api['projectStatus']>>;
  try {
    r = await api.projectStatus(options);
  } catch (e) {
    return reportError(api, e, file, json);
  }
  const { secrets, drifted, missing, unknown, not_synced } = r.status;
  if (json) {
    out(`${JSON.stringify({ ...r.status, read_errors: r.errors }, null, 2)}\n`);
    return EXIT_OK;
  }
  const color = useColor(process.stdout);
  const mark: Record<string, string> = {
    in_sync: paint(color, '32', '✓ in sync'),
    drifted: paint(color, '31', '✗ drifted'),
    missing: paint(color, '31', '✗ missing'),
    unknown: paint(color, '33', '? unknown'),
  };
  out(`Status: ${file}\n`);
  for (const s of secrets) {
    if (!s.recorded) {
      out(`  ${s.name}: not synced yet\n`);
      continue;
    }
    out(`  ${s.name}\n`);
    for (const t of s.targets) {
      const why = r.errors[t.target_id];
      out(`    ${mark[t.state] ?? t.state}  ${t.target_id}${why ? ` (${why})` : ''}\n`);
    }
  }
  out(
    `\n${drifted} drifted, ${missing} missing, ${unknown} unknown, ${not_synced} not synced\n`,
  );
  return EXIT_OK;
}

function reportError(api: Api, e: unknown, file: string, json: boolean): number {
  if (!api.isSecretZeroError(e)) throw e;
  if (json) {
    out(errorDocument(e));
  } else if (e.diagnostics.length > 0) {
    printDiagnostics(file, e.diagnostics);
    const errors = e.diagnostics.filter((d) => d.severity === 'error').length;
    // Every error but IO is raised before the first write.
    const note = e.code === 'IO' ? '' : '; nothing was written';
    if (errors > 0) err(`${file}: ${errors} error(s)${note}\n`);
  } else {
    err(`error[${e.code}]: ${e.message}\n`);
  }
  return EXIT_ERROR;
}

async function cmdValidate(argv: string[], jsonFlag: boolean): Promise<number> {
  const usage = 'Usage: secretzero validate [OPTIONS]';
  const { values: v } = parse(
    argv,
    {
      file: { type: 'string', short: 'f' },
      json: { type: 'boolean' },
      format: { type: 'string' },
    },
    usage,
  );
  const early = helpOrVersion(v, VALIDATE_HELP);
  if (early !== undefined) return early;
  const format = v['format'] as string | undefined;
  if (format !== undefined && format !== 'text' && format !== 'json') {
    throw new UsageError(
      `Invalid value for '--format': '${format}' is not one of 'text', 'json'.`,
      usage,
    );
  }
  const json = jsonFlag || format === 'json';
  const file = (v['file'] as string | undefined) ?? 'Secretfile.yml';
  requireFile("'-f' / '--file'", file, usage);
  const api = await loadApi();
  let text: string;
  try {
    // Strict UTF-8 (INVALID_ENCODING with the byte offset), regular files up to 16 MiB.
    const { readTextFile } = await import('./files.js');
    text = (await readTextFile(file, file, false, true)) as string;
  } catch (e) {
    return reportError(api, e, file, json);
  }
  const r = api.parseSecretfile(text, { env: process.env });
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  const warnings = r.diagnostics.length - errors.length;
  const sf = r.secretfile;
  const config =
    sf != null
      ? {
          variables_count: Object.keys(sf.variables ?? {}).length,
          providers_count: Object.keys(sf.providers ?? {}).length,
          secrets_count: (sf.secrets ?? []).length,
          templates_count: Object.keys(sf.templates ?? {}).length,
        }
      : undefined;
  const first = errors[0];
  if (json) {
    const doc =
      first === undefined
        ? {
            valid: true,
            message: 'Secretfile is valid',
            file,
            config,
            errors: 0,
            warnings,
            diagnostics: r.diagnostics,
          }
        : {
            error: {
              code: first.code,
              message: first.message,
              line: first.line ?? null,
              column: first.column ?? null,
            },
            valid: false,
            file,
            errors: errors.length,
            warnings,
            diagnostics: r.diagnostics,
          };
    out(`${JSON.stringify(doc, null, 2)}\n`);
  } else {
    const color = useColor(process.stdout);
    out(`Validating: ${file}\n`);
    printDiagnostics(file, r.diagnostics);
    if (first === undefined) {
      out(`${paint(color, '32', '✓')} Secretfile is valid`);
      out(warnings > 0 ? ` (${warnings} warning(s))\n` : '\n');
      if (config !== undefined) {
        out(
          `\nConfiguration Summary:\n  Variables: ${config.variables_count}\n` +
            `  Providers: ${config.providers_count}\n  Secrets: ${config.secrets_count}\n` +
            `  Templates: ${config.templates_count}\n`,
        );
      }
    } else {
      out(`${paint(color, '31', '✗')} ${errors.length} error(s), ${warnings} warning(s)\n`);
    }
  }
  return first === undefined ? EXIT_OK : EXIT_ERROR;
}

function checkFormat(v: Record<string, unknown>, usage: string): string | undefined {
  const format = v['format'] as string | undefined;
  if (format !== undefined && format !== 'text' && format !== 'json') {
    throw new UsageError(
      `Invalid value for '--format': '${format}' is not one of 'text', 'json'.`,
      usage,
    );
  }
  return format;
}

async function cmdInstructions(argv: string[], jsonFlag: boolean): Promise<number> {
  const usage = 'Usage: secretzero agent instructions [OPTIONS]';
  const { values: v } = parse(
    argv,
    {
      ...PROJECT_OPTIONS,
      secret: { type: 'string', short: 's', multiple: true },
      all: { type: 'boolean' },
      detailed: { type: 'boolean' },
      format: { type: 'string' },
      json: { type: 'boolean' },
    },
    usage,
  );
  const early = helpOrVersion(v, INSTRUCTIONS_HELP);
  if (early !== undefined) return early;
  const json = jsonFlag || checkFormat(v, usage) === 'json';
  const { file, options } = projectOptions(v, usage);
  const api = await loadApi();
  let result;
  try {
    result = await api.projectInstructions({
      ...options,
      all: v['all'] === true,
      secrets: (v['secret'] as string[] | undefined) ?? [],
    });
  } catch (e) {
    return reportError(api, e, file, json);
  }
  const detailed = v['detailed'] === true;
  out(
    json
      ? api.formatInstructions(result, { format: 'json', detailed })
      : api.formatInstructions(result, {
          format: 'text',
          detailed,
          color: useColor(process.stdout),
          width: terminalWidth(),
        }),
  );
  if (result.warnings.length > 0) printDiagnostics(file, result.warnings);
  return EXIT_OK;
}

/** `90`, `90s`, `10m`, `1h` -> seconds (1 s to 24 h); undefined when malformed. */
function parseDuration(s: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(s|sec|m|min|h)?$/i.exec(s.trim());
  if (m === null || m[1] === undefined) return undefined;
  const n = Number(m[1]);
  const unit = (m[2] ?? 's').toLowerCase();
  const seconds = unit.startsWith('h') ? n * 3600 : unit.startsWith('m') ? n * 60 : n;
  return Number.isFinite(seconds) && seconds >= 1 && seconds <= 86_400 ? seconds : undefined;
}

async function cmdHandoff(argv: string[], json: boolean): Promise<number> {
  const usage = 'Usage: secretzero agent handoff [OPTIONS] NAME';
  const { values: v, positionals } = parse(
    argv,
    { ...PROJECT_OPTIONS, expires: { type: 'string' }, json: { type: 'boolean' } },
    usage,
    true,
  );
  const early = helpOrVersion(v, HANDOFF_HELP);
  if (early !== undefined) return early;
  const [name, ...extra] = positionals;
  if (name === undefined) throw new UsageError("Missing argument 'NAME'.", usage);
  if (extra.length > 0) throw new UsageError(`Got unexpected extra argument (${extra[0]}).`, usage);
  const expiresText = v['expires'] as string | undefined;
  const expires = expiresText === undefined ? 600 : parseDuration(expiresText);
  if (expires === undefined) {
    throw new UsageError(
      `Invalid value for '--expires': '${expiresText}' (use e.g. 300, 90s, 10m, 1h; at most 24h).`,
      usage,
    );
  }
  const { options } = projectOptions(v, usage);
  // Loaded only for this command: it starts a local HTTP server.
  return (await import('./handoff-cli.js')).runHandoff({ ...options, name, expiresInSeconds: expires }, json);
}

async function cmdMcp(argv: string[]): Promise<number> {
  const { values: v } = parse(argv, { root: { type: 'string' } }, 'Usage: secretzero mcp [OPTIONS]');
  const early = helpOrVersion(v, MCP_HELP);
  if (early !== undefined) return early;
  // Loaded only for this command: the MCP SDK is not imported by anything else.
  return (await import('./mcp.js')).serveStdio(v['root'] as string | undefined);
}

async function cmdSchema(argv: string[]): Promise<number> {
  const usage = 'Usage: secretzero schema [OPTIONS]';
  const { values: v } = parse(argv, {}, usage);
  const early = helpOrVersion(v, SCHEMA_HELP);
  if (early !== undefined) return early;
  const api = await loadApi();
  out(`${JSON.stringify(api.secretfileSchema(), null, 2)}\n`);
  return EXIT_OK;
}

const COMMANDS = ['agent', 'mcp', 'schema', 'status', 'validate'];
const AGENT_COMMANDS = ['handoff', 'instructions', 'sync'];

async function main(argv: string[]): Promise<number> {
  const json = argv.some(
    (a, i) => a === '--json' || a === '--format=json' || (a === '--format' && argv[i + 1] === 'json'),
  );
  try {
    const [cmd, ...rest] = argv;
    if (cmd === '--version') {
      printVersion();
      return EXIT_OK;
    }
    if (cmd === '--help' || cmd === '-h') {
      out(ROOT_HELP);
      return EXIT_OK;
    }
    if (cmd === 'validate') return await cmdValidate(rest, json);
    if (cmd === 'schema') return await cmdSchema(rest);
    if (cmd === 'mcp') return await cmdMcp(rest);
    if (cmd === 'status') return await cmdStatus(rest, json);
    if (cmd === 'agent') {
      const [sub, ...args] = rest;
      if (sub === '--help' || sub === '-h') {
        out(AGENT_HELP);
        return EXIT_OK;
      }
      if (sub === '--version') {
        printVersion();
        return EXIT_OK;
      }
      if (sub === 'sync') return await cmdSync(args, json);
      if (sub === 'handoff') return await cmdHandoff(args, json);
      if (sub === 'instructions') return await cmdInstructions(args, json);
      throw new UsageError(
        sub === undefined
          ? "Missing command: 'agent sync', 'agent instructions' or 'agent handoff'."
          : sub.startsWith('-')
            ? `No such option: ${sub}. Options go after the command ('secretzero agent sync ${sub}').`
            : `No such command '${sub}'.${didYouMean(sub, AGENT_COMMANDS)}`,
        'Usage: secretzero agent [OPTIONS] COMMAND [ARGS]...',
      );
    }
    throw new UsageError(
      cmd === undefined
        ? "Missing command: try 'secretzero agent sync'."
        : cmd.startsWith('-')
          ? `No such option: ${cmd}.${didYouMean(cmd, ['--version', '--help'])}`
          : `No such command '${cmd}'.${didYouMean(cmd, COMMANDS)}`,
      'Usage: secretzero [OPTIONS] COMMAND [ARGS]...',
    );
  } catch (e) {
    if (e instanceof UsageError) {
      if (json) {
        out(errorDocument({ code: 'USAGE', message: e.message }));
      } else {
        const cmdline = e.usage.replace(/^Usage: /, '').replace(/ \[OPTIONS\].*$/, '');
        err(`${e.usage}\nTry '${cmdline} --help' for help.\n\nError: ${e.message}\n`);
      }
      return EXIT_USAGE;
    }
    const message = e instanceof Error ? e.message : String(e);
    if (json) {
      out(errorDocument({ code: 'INTERNAL', message }));
    } else {
      err(`internal error (please report it): ${e instanceof Error ? (e.stack ?? message) : message}\n`);
    }
    return EXIT_ERROR;
  }
}

// A reader that stops early (`secretzero agent sync --json | head -1`) is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

// Set the exit code and let Node flush stdout (process.exit() could cut a piped report short).
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    err(`internal error (please report it): ${String(e)}\n`);
    process.exitCode = EXIT_ERROR;
  },
);
