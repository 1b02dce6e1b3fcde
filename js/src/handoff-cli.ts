/**
 * `secretzero agent handoff NAME`: the running part of the command (its options are parsed
 * and checked by `cli.ts`, like every other command's). Loaded by `cli.ts` only for this
 * command.
 *
 * Prints the one-time link (for the person, not for an agent to open), waits until the value
 * was stored, the link expired or Ctrl-C, and prints the outcome. Never prints a value.
 *
 * @module
 */

import { isSecretZeroError, startHandoff } from './node.js';
import type { HandoffOptions, HandoffOutcome } from './node.js';

/**
 * Start the hand-off, print the link, wait for the outcome and print it; resolves to the exit
 * code (0 stored, 1 not stored or the project cannot be loaded).
 */
export async function runHandoff(options: HandoffOptions, json: boolean): Promise<number> {
  const { name } = options;
  const emit = (doc: Record<string, unknown>): void => {
    process.stdout.write(`${JSON.stringify(doc)}\n`);
  };

  let handoff;
  try {
    handoff = await startHandoff({ ...options, lingerSeconds: 0 });
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
