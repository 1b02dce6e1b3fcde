/**
 * `secretzero agent handoff NAME`: the hand-off from the command line. Loaded by `cli.ts` only
 * for this command.
 *
 * Prints the one-time link (for the person, not for an agent to open), waits until the value
 * was stored, the link expired or Ctrl-C, and prints the outcome. Never prints a value.
 *
 * @module
 */

import { parseArgs } from 'node:util';

import { isSecretZeroError, startHandoff } from './node.js';
import type { HandoffOutcome } from './node.js';

const HELP = `Usage: secretzero agent handoff [OPTIONS] NAME

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
  --expires DURATION      How long the link works: seconds, or 90s, 10m, 1h
                          (default: 10m; at most 24h)
  --json                  JSON lines on stdout: {"event": "started", "name",
                          "url", "expires_at"} then {"event": "stored" |
                          "expired" | "cancelled" | "failed", ...}
  -h, --help              Show this message and exit.

Exit status: 0 when the value was stored, 1 when it was not (expired,
cancelled, failed) or the Secretfile cannot be loaded, 2 on usage errors.
`;

/** `90`, `90s`, `10m`, `1h` -> seconds; undefined when malformed. */
export function parseDuration(s: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(s|sec|m|min|h)?$/i.exec(s.trim());
  if (m === null || m[1] === undefined) return undefined;
  const n = Number(m[1]);
  const unit = (m[2] ?? 's').toLowerCase();
  const seconds = unit.startsWith('h') ? n * 3600 : unit.startsWith('m') ? n * 60 : n;
  return Number.isFinite(seconds) && seconds >= 1 && seconds <= 86_400 ? seconds : undefined;
}

function usage(message: string): number {
  process.stderr.write(
    `Usage: secretzero agent handoff [OPTIONS] NAME\nTry 'secretzero agent handoff --help' for help.\n\nError: ${message}\n`,
  );
  return 2;
}

/** Run the command; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        file: { type: 'string', short: 'f' },
        lockfile: { type: 'string', short: 'l' },
        'var-file': { type: 'string', short: 'v', multiple: true },
        environment: { type: 'string', short: 'e' },
        expires: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (e) {
    return usage(e instanceof Error ? e.message : String(e));
  }
  const v = parsed.values;
  if (v.help === true) {
    process.stdout.write(HELP);
    return 0;
  }
  const [name, ...extra] = parsed.positionals;
  if (name === undefined) return usage("Missing argument 'NAME'.");
  if (extra.length > 0) return usage(`Got unexpected extra argument (${extra[0]})`);
  let expires = 600;
  if (v.expires !== undefined) {
    const d = parseDuration(v.expires);
    if (d === undefined) return usage(`Invalid value for '--expires': '${v.expires}' (use e.g. 300, 90s, 10m, 1h; at most 24h).`);
    expires = d;
  }
  const json = v.json === true;
  const emit = (doc: Record<string, unknown>): void => {
    process.stdout.write(`${JSON.stringify(doc)}\n`);
  };

  let handoff;
  try {
    handoff = await startHandoff({
      name,
      cwd: process.cwd(),
      file: v.file,
      lockfilePath: v.lockfile,
      varFiles: v['var-file'],
      environment: v.environment,
      env: process.env,
      expiresInSeconds: expires,
      lingerSeconds: 0,
    });
  } catch (e) {
    if (!isSecretZeroError(e)) throw e;
    if (json) {
      emit({ event: 'error', error: { code: e.code, message: e.message, line: e.line ?? null, column: e.column ?? null } });
    } else {
      process.stderr.write(`error[${e.code}]: ${e.message}\n`);
    }
    return 1;
  }

  const expiresAt = handoff.expiresAt.toISOString();
  if (json) {
    emit({ event: 'started', name, url: handoff.url, expires_at: expiresAt });
  } else {
    process.stdout.write(
      `Give this link to the person who has the value of ${name}\n` +
        `(it works once and expires at ${expiresAt}):\n\n  ${handoff.url}\n\n`,
    );
    process.stderr.write('Waiting for the value… (Ctrl-C to cancel)\n');
  }
  const cancel = (): void => {
    void handoff.close();
  };
  process.once('SIGINT', cancel);
  process.once('SIGTERM', cancel);
  const outcome: HandoffOutcome = await handoff.done;
  process.off('SIGINT', cancel);
  process.off('SIGTERM', cancel);
  await handoff.close();

  if (json) {
    const { status, ...rest } = outcome;
    emit({ event: status, ...rest });
  } else if (outcome.status === 'stored') {
    const files = (outcome.files ?? []).map((f) => f.path).join(', ');
    process.stdout.write(`✓ ${name} stored${files ? ` (${files})` : ''}\n`);
  } else {
    process.stdout.write(`✗ ${name} not stored: ${outcome.status}${outcome.reason ? ` (${outcome.reason})` : ''}\n`);
  }
  return outcome.status === 'stored' ? 0 : 1;
}
