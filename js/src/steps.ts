/**
 * What kind of thing an `agent_instructions` step asks for: a shell command, a page to open, or
 * a plain instruction.
 *
 * `agent_instructions` come from the Secretfile, i.e. from whatever repository was cloned, and
 * may be hostile: a step's `action` can be `curl … | sh`. This package never executes a step.
 * Hosts that show steps to an agent or a person (the MCP server, the hand-off page, the Node
 * agent example) label each one with {@link stepKind}, so that command-like steps are presented
 * as *commands for a person or an approved agent to run*, never as something to run
 * automatically.
 *
 * The classification is a heuristic biased towards `command`: labelling an instruction as a
 * command costs a second look; labelling a command as an instruction could get it run
 * unread. The rules live in the Rust core (`src/steps.rs`, also used by the human report);
 * this is a synchronous call into it.
 *
 * @module
 */

import { invoke } from './core.js';

/** The kind of an instruction step. */
export type StepKind = 'command' | 'url' | 'instruction';

/** What {@link classifyStep} returns. */
export interface StepClass {
  /**
   * `command`: looks like a shell command (`curl …`, `gh auth token`, `$ make keys`, anything
   * with `$(…)`, `&&`, `||` or a back-quoted command) — for a person or an approved agent to
   * run. `url`: a page to open (a bare URL, or "Open/Visit/Go to <url>"). `instruction`:
   * anything else (clicks, copy this, wait for that).
   */
  kind: StepKind;
  /** For `url` steps: the first `http(s)://` URL of the action. */
  url?: string;
}

/**
 * Classify one step's `action`.
 *
 * @example
 * ```ts
 * classifyStep("curl -X POST https://api.example.com/v1/keys"); // { kind: 'command' }
 * classifyStep('Visit https://dashboard.stripe.com/register');
 * // { kind: 'url', url: 'https://dashboard.stripe.com/register' }
 * classifyStep("Click 'Create secret key'"); // { kind: 'instruction' }
 * ```
 */
export function classifyStep(action: string): StepClass {
  if (typeof action !== 'string') return { kind: 'instruction' };
  const [c] = invoke<StepClass[]>('classify_steps', { actions: [action] });
  return c ?? { kind: 'instruction' };
}

/** Shorthand for `classifyStep(action).kind`. */
export function stepKind(action: string): StepKind {
  return classifyStep(action).kind;
}

/**
 * The sentence hosts show next to instruction steps: steps come from the repository, and this
 * package never runs them.
 */
export const STEP_TRUST_NOTICE =
  'These steps come from the Secretfile of the repository, not from SecretZero, and may be ' +
  'wrong or hostile. Steps of kind "command" and "url" are commands for a person or an ' +
  'approved agent to run after reading them; SecretZero never runs them.';
