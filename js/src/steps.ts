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
 * unread. Pure and synchronous; no core call.
 *
 * @module
 */

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

/** Command-line programs a step is likely to start with (matched exactly, lower case). */
const COMMANDS = new Set([
  // HTTP and version control
  'curl', 'wget', 'http', 'https', 'xh', 'gh', 'glab', 'git', 'hub',
  // clouds, infrastructure, secret stores
  'aws', 'az', 'gcloud', 'gsutil', 'doctl', 'linode-cli', 'oci', 'ibmcloud', 'kubectl', 'helm',
  'terraform', 'tofu', 'pulumi', 'ansible', 'ansible-vault', 'vault', 'op', 'bw', 'lpass',
  'doppler', 'infisical', 'sops', 'age', 'kubeseal', 'secretzero', 'heroku', 'fly', 'flyctl',
  'vercel', 'netlify', 'firebase', 'supabase', 'stripe', 'wrangler', 'railway', 'render',
  // package managers and runtimes
  'npm', 'npx', 'pnpm', 'pnpx', 'yarn', 'bun', 'bunx', 'deno', 'node', 'python', 'python3',
  'pip', 'pip3', 'pipx', 'uv', 'uvx', 'poetry', 'ruby', 'gem', 'bundle', 'go', 'cargo',
  'rustup', 'java', 'mvn', 'gradle', 'dotnet', 'php', 'composer', 'brew', 'apt', 'apt-get',
  'dnf', 'yum', 'apk', 'pacman', 'choco', 'winget', 'scoop', 'snap', 'nix',
  // containers and build tools
  'docker', 'podman', 'docker-compose', 'make', 'just', 'task',
  // shells and shell built-ins
  'sh', 'bash', 'zsh', 'fish', 'pwsh', 'powershell', 'cmd', 'sudo', 'doas', 'env', 'export',
  'set', 'setx', 'source', 'eval', 'exec', 'echo', 'printf', 'read', 'cd', 'cat', 'tee',
  'mkdir', 'chmod', 'chown', 'cp', 'mv', 'rm', 'ln', 'touch', 'tar', 'unzip', 'xargs',
  // text, crypto and database tools
  'jq', 'yq', 'sed', 'awk', 'grep', 'head', 'tail', 'base64', 'xxd', 'openssl', 'ssh',
  'ssh-keygen', 'scp', 'gpg', 'keytool', 'psql', 'mysql', 'redis-cli', 'mongosh', 'sqlite3',
]);

const URL_RE = /\bhttps?:\/\/[^\s<>"'`)\]]+/i;
const BARE_URL_RE = /^<?https?:\/\/\S+?>?$/i;
/** Navigation verbs: "Open https://…", "Visit …", "Go to …", "Sign up at …". */
const NAVIGATE_RE =
  /^(?:please\s+)?(?:open|visit|go\s+to|navigate\s+to|browse\s+to|head\s+(?:over\s+)?to|load|sign\s+(?:up|in)\s+(?:at|on|to)|log\s*in\s+(?:at|on|to)|register\s+(?:at|on))\b/i;
/** "Run `…`", "Run: …", "Execute …", "Run the command …", "In a terminal, run …". */
const RUN_RE =
  /^(?:(?:in|from)\s+(?:a|the|your)\s+(?:terminal|shell|console)\s*,?\s*)?(?:please\s+)?(?:run|execute|exec|type|enter|paste)(?:\s+the\s+(?:following\s+)?command)?\s*:?\s+/i;
/** Shell syntax a sentence rarely contains: `$(…)`, `&&`, `||`, a here-doc, a pipe into a shell. */
const SHELL_SYNTAX_RE = /\$\(|`[^`]+`\s*\||&&|\|\||<<-?\s*['"]?\w|\|\s*(?:sudo\s+)?(?:ba|z|fi)?sh\b/;
/** `NAME=value` environment assignments before a command. */
const ASSIGNMENT_RE = /^(?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+)+/;

function firstToken(s: string): string {
  return s.split(/\s+/, 1)[0] ?? '';
}

/** Whether a command line (already stripped of prompts and "Run") starts like a command. */
function startsLikeCommand(line: string): boolean {
  const s = line.replace(ASSIGNMENT_RE, '');
  const tok = firstToken(s);
  if (tok === '') return false;
  if (COMMANDS.has(tok)) return true;
  // ./script.sh, /usr/local/bin/tool, ~/bin/tool, bin/setup, C:\tools\x.exe
  if (/^(?:\.{1,2}\/|\/|~\/|[A-Za-z]:\\)\S/.test(tok)) return true;
  if (/^[\w.-]+\/[\w./-]+$/.test(tok) && !tok.includes('://') && /[a-z]/.test(tok)) {
    return /\s-{1,2}[A-Za-z]/.test(s) || /\.(?:sh|py|rb|js|mjs|ps1)$/.test(tok);
  }
  if (/\.(?:sh|bash|py|rb|pl|ps1|bat|cmd|exe)$/i.test(tok)) return true;
  // `mytool create-key --name x`: a lower-case first word followed by an option.
  return /^[a-z][a-z0-9._-]*$/.test(tok) && /\s--?[A-Za-z][\w-]*(?:[=\s]|$)/.test(s);
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
  const text = action.trim();
  if (text === '') return { kind: 'instruction' };

  // A whole action in back-quotes (or a fenced block) is a command by convention.
  const fenced = /^```[\w-]*\s*([\s\S]*?)\s*```$/.exec(text) ?? /^`([^`]+)`$/.exec(text);
  if (fenced?.[1] !== undefined && fenced[1].trim() !== '') return { kind: 'command' };
  // A shell prompt: `$ make keys`, `> npm run setup`, `PS> ./setup.ps1`.
  if (/^(?:\$|>|PS>|%)\s+\S/.test(text)) return { kind: 'command' };
  if (SHELL_SYNTAX_RE.test(text)) return { kind: 'command' };

  // "Run `…`" / "Run: …" / "Execute …": a command when what follows is one.
  const run = RUN_RE.exec(text);
  if (run !== null) {
    const rest = text.slice(run[0].length).trim();
    if (/^`[^`]+`/.test(rest) || /^["'][^"']+["']$/.test(rest) || startsLikeCommand(rest)) {
      return { kind: 'command' };
    }
  }
  // Any back-quoted span that itself starts like a command ("Authenticate with `gh auth login`").
  for (const m of text.matchAll(/`([^`]+)`/g)) {
    if (m[1] !== undefined && startsLikeCommand(m[1].trim())) return { kind: 'command' };
  }
  // "go to https://…" is a page to open even though `go` is also a program.
  const url = URL_RE.exec(text)?.[0]?.replace(/[.,;:!?]+$/, '');
  if (url !== undefined && (BARE_URL_RE.test(text) || NAVIGATE_RE.test(text))) {
    return { kind: 'url', url };
  }
  if (startsLikeCommand(text)) return { kind: 'command' };
  return { kind: 'instruction' };
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
