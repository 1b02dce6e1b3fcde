#!/usr/bin/env node
/**
 * The `secretzero` command: `secretzero agent sync` and `secretzero validate`.
 *
 * Exit codes: 0 when the command ran (for `agent sync`: whatever the report's status, like the
 * reference CLI, so CI scripts can read the report), 1 when the Secretfile cannot be loaded or
 * the sync cannot run (invalid Secretfile, unreadable or unwritable file, target outside the
 * project), 2 on usage errors (unknown option, missing `-f` file), 3 when `--fail-on` matched.
 *
 * With `--json`, stdout holds exactly one JSON document — the report, or on error
 * `{"error": {code, message, line, column}, "diagnostics": [...]}` — and nothing else.
 *
 * Startup stays fast: only `node:` built-ins at the top; the WebAssembly core is loaded when a
 * command needs it, and compiled with V8's baseline compiler only (see below).
 *
 * @module
 */

import { existsSync, readFileSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { setFlagsFromString } from 'node:v8';

import type { Diagnostic, SyncReport } from '../wasm/api.js';

type Api = typeof import('./node.js');

// A CLI run is short: keep the WebAssembly core on V8's baseline compiler. With the default
// tiering, the optimising compiler works on background threads that the process then waits for
// at exit: `agent sync` on the quickstart took ~460 ms instead of ~170 ms (Node 20, 2 cores).
// Must run before the core is compiled, i.e. before `./node.js` is imported.
setFlagsFromString('--liftoff-only');

const EXIT_OK = 0;
const EXIT_ERROR = 1;
const EXIT_USAGE = 2;
const EXIT_FAIL_ON = 3;

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
  agent     Agent-aware commands (agent sync).
  validate  Validate a Secretfile and report every problem.
`;

const AGENT_HELP = `Usage: secretzero agent [OPTIONS] COMMAND [ARGS]...

  Agent-aware secret synchronisation.

Options:
  -h, --help  Show this message and exit.

Commands:
  sync  Generate what can be generated; give instructions for the rest.
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
  --refresh/--no-refresh  Refresh lockfile target validity before sync (default: on)
  --allow-scripts         Let \`script\` secrets run (otherwise they need approval)
  --allow-outside-root    Let targets, lockfiles and variable files lie outside
                          the project directory (refused by default)
  --lock-timeout SECONDS  Wait this long for another sync of the project to
                          finish (default: 30), then fail with LOCKED
  --fail-on [pending|failed]
                          Exit 3 when a secret is failed (\`failed\`), or pending or
                          failed (\`pending\`)
  -h, --help              Show this message and exit.

Exit status: 0 when the sync ran (whatever its status), 1 when the Secretfile
cannot be loaded or a file cannot be read or written, 2 on usage errors, 3 when
--fail-on matched.
`;

const VALIDATE_HELP = `Usage: secretzero validate [OPTIONS]

  Validate a Secretfile: every error and warning, with its line and column.

Options:
  -f, --file PATH         Path to Secretfile (default: Secretfile.yml)
  --json                  Output the result as JSON (also: --format json)
  --format [text|json]    Output format (default: text)
  -h, --help              Show this message and exit.

Exit status: 0 when the Secretfile is valid (warnings allowed), 1 when it is
invalid, 2 on usage errors.
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

function parse(
  argv: string[],
  options: NonNullable<ParseArgsConfig['options']>,
  usage: string,
): ReturnType<typeof parseArgs> {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false });
  } catch (e) {
    // parseArgs messages name the option, never an option's value.
    throw new UsageError(e instanceof Error ? e.message : String(e), usage);
  }
}

function requireFile(flag: string, p: string, usage: string): void {
  if (!existsSync(p)) {
    throw new UsageError(`Invalid value for ${flag}: Path '${p}' does not exist.`, usage);
  }
  if (statSync(p).isDirectory()) {
    throw new UsageError(`Invalid value for ${flag}: Path '${p}' is a directory.`, usage);
  }
}

async function loadApi(): Promise<Api> {
  return import('./node.js');
}

async function cmdSync(argv: string[], json: boolean): Promise<number> {
  const usage = 'Usage: secretzero agent sync [OPTIONS]';
  const { values: v } = parse(
    argv,
    {
      file: { type: 'string', short: 'f' },
      lockfile: { type: 'string', short: 'l' },
      'var-file': { type: 'string', short: 'v', multiple: true },
      environment: { type: 'string', short: 'e' },
      'dry-run': { type: 'boolean' },
      json: { type: 'boolean' },
      refresh: { type: 'boolean' },
      'no-refresh': { type: 'boolean' },
      'allow-scripts': { type: 'boolean' },
      'allow-outside-root': { type: 'boolean' },
      'lock-timeout': { type: 'string' },
      'fail-on': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    usage,
  );
  if (v['help'] === true) {
    out(SYNC_HELP);
    return EXIT_OK;
  }
  const failOn = v['fail-on'] as string | undefined;
  if (failOn !== undefined && failOn !== 'pending' && failOn !== 'failed') {
    throw new UsageError(
      `Invalid value for '--fail-on': '${failOn}' is not one of 'pending', 'failed'.`,
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
  const file = (v['file'] as string | undefined) ?? 'Secretfile.yml';
  requireFile("'-f' / '--file'", file, usage);
  const varFiles = (v['var-file'] as string[] | undefined) ?? [];
  for (const f of varFiles) requireFile("'-v' / '--var-file'", f, usage);

  const api = await loadApi();
  let report: SyncReport;
  let written: Awaited<ReturnType<Api['syncProject']>>['files'];
  try {
    ({ report, files: written } = await api.syncProject({
      cwd: process.cwd(),
      file,
      lockfilePath: v['lockfile'] as string | undefined,
      varFiles,
      environment: v['environment'] as string | undefined,
      env: process.env,
      dryRun: v['dry-run'] === true,
      refresh: v['no-refresh'] === true ? false : undefined,
      allowScripts: v['allow-scripts'] === true,
      allowOutsideRoot: v['allow-outside-root'] === true,
      lockTimeout: lockTimeout === undefined ? undefined : lockTimeout * 1000,
    }));
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
      help: { type: 'boolean', short: 'h' },
    },
    usage,
  );
  if (v['help'] === true) {
    out(VALIDATE_HELP);
    return EXIT_OK;
  }
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

async function main(argv: string[]): Promise<number> {
  const json = argv.some(
    (a, i) => a === '--json' || a === '--format=json' || (a === '--format' && argv[i + 1] === 'json'),
  );
  try {
    const [cmd, ...rest] = argv;
    if (cmd === '--version') {
      // The package version is the core's (the build takes both from Cargo.toml); reading it
      // from package.json spares compiling the core.
      const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
        version: string;
      };
      out(`secretzero, version ${pkg.version} (@secretzero/agent)\n`);
      return EXIT_OK;
    }
    if (cmd === '--help' || cmd === '-h') {
      out(ROOT_HELP);
      return EXIT_OK;
    }
    if (cmd === 'validate') return await cmdValidate(rest, json);
    if (cmd === 'agent') {
      const [sub, ...args] = rest;
      if (sub === '--help' || sub === '-h') {
        out(AGENT_HELP);
        return EXIT_OK;
      }
      if (sub === 'sync') return await cmdSync(args, json);
      throw new UsageError(
        sub === undefined ? 'Missing command.' : `No such command '${sub}'.`,
        'Usage: secretzero agent [OPTIONS] COMMAND [ARGS]...',
      );
    }
    throw new UsageError(
      cmd === undefined ? 'Missing command.' : `No such command '${cmd}'.`,
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
