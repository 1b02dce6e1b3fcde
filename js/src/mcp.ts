/**
 * `secretzero mcp`: a Model Context Protocol server on stdio, built on the official TypeScript
 * SDK (`@modelcontextprotocol/sdk`, loaded only by this command).
 *
 * Tools: `sync_secrets` (the agent sync, or its dry run), `list_pending_secrets` (what needs a
 * person, with instructions and automation levels), `validate_secretfile` (diagnostics with
 * line and column), `start_handoff` (a one-time page where a person types a value) and
 * `handoff_status`.
 *
 * What crosses to the client is decided field by field (an allow-list, not a filter): names,
 * statuses, counts, instructions, file paths and diagnostics. Never a secret value, never a
 * value hash (the lockfile's hashes are not read here at all). No tool takes a secret value as
 * input either: values reach a project only through the hand-off page, so they never enter a
 * model's context. `agent_instructions` come from the repository and may be hostile: every step
 * carries a `kind` (`command`, `url`, `instruction`), and command-like steps are described as
 * commands for a person or an approved agent to run. This server never runs a step, and never
 * runs `script` secrets (they stay `requires_approval`).
 *
 * Every tool works on a project directory inside the server's root (`--root`, default the
 * directory the server was started in); paths that leave the root are refused.
 *
 * Where the client supports URL-mode elicitation (MCP 2025-11-25), `start_handoff` sends the
 * link through `elicitation/create` with `mode: "url"`, so the client shows it to the person and
 * the model never sees it; otherwise the link is in the tool result, to be given to the person.
 *
 * @module
 */

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile, realpath } from 'node:fs/promises';
import * as path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

import { serialized, startHandoff } from './handoff.js';
import type { Handoff, HandoffOutcome } from './handoff.js';
import {
  INSTRUCTIONS,
  TOOLS,
  checkArgs,
  countsOut,
  detailsOut,
  diagnosticOut,
  fail,
  failFrom,
  filesOut,
  ok,
  pendingOut,
} from './mcp-tools.js';
import type { Json } from './mcp-tools.js';
import { SecretZeroError, syncProject, validateSecretfile } from './node.js';
import type { WrittenFile } from './node.js';
import { STEP_TRUST_NOTICE } from './steps.js';

/** Most hand-offs waiting at once. */
const MAX_ACTIVE_HANDOFFS = 8;
/** Finished hand-offs remembered for `handoff_status`. */
const MAX_REMEMBERED_HANDOFFS = 100;

// --- paths -------------------------------------------------------------------------------------

function inside(root: string, p: string): boolean {
  const r = path.relative(root, p);
  return r === '' || (r !== '..' && !r.startsWith(`..${path.sep}`) && !path.isAbsolute(r));
}

/** Resolve symlinks of the longest existing prefix of `p`. */
async function realNearest(p: string): Promise<string> {
  const tail: string[] = [];
  let cur = p;
  for (;;) {
    try {
      return path.join(await realpath(cur), ...tail);
    } catch {
      const parent = path.dirname(cur);
      if (parent === cur) return p;
      tail.unshift(path.basename(cur));
      cur = parent;
    }
  }
}

function outside(what: string, p: string): SecretZeroError {
  return new SecretZeroError({
    code: 'PATH_OUTSIDE_ROOT',
    message: `the ${what} \`${p}\` is outside the server root`,
  });
}

interface Project {
  /** Absolute project directory. */
  cwd: string;
  /** Relative to the root ("." for the root). */
  rel: string;
  file: string;
  varFiles: string[];
  environment: string | undefined;
}

async function resolveProject(root: string, args: Json): Promise<Project> {
  const cwdArg = typeof args['cwd'] === 'string' ? args['cwd'] : '.';
  const abs = path.resolve(root, cwdArg);
  let cwd: string;
  try {
    cwd = await realpath(abs);
  } catch {
    throw new SecretZeroError({ code: 'IO', message: `the project directory \`${cwdArg}\` does not exist` });
  }
  if (!inside(root, cwd)) throw outside('project directory', cwdArg);
  const file = typeof args['file'] === 'string' ? args['file'] : 'Secretfile.yml';
  if (!inside(root, await realNearest(path.resolve(cwd, file)))) throw outside('Secretfile', file);
  const varFiles = Array.isArray(args['var_files']) ? (args['var_files'] as string[]) : [];
  for (const v of varFiles) {
    if (!inside(root, await realNearest(path.resolve(cwd, v)))) throw outside('variable file', v);
  }
  return {
    cwd,
    rel: path.relative(root, cwd) || '.',
    file,
    varFiles,
    environment: typeof args['environment'] === 'string' ? args['environment'] : undefined,
  };
}

// --- the server --------------------------------------------------------------------------------

interface Entry {
  handoff: Handoff;
  project: string;
  delivered: 'elicitation' | 'link';
  declined: boolean;
}

/** Options of {@link createMcpServer}. */
export interface McpServerOptions {
  /** The directory the tools may work in (absolute, symlinks resolved). */
  root: string;
  /** Environment for syncs (interpolation, `UPPER_NAME` values). Default `process.env`. */
  env?: NodeJS.ProcessEnv | undefined;
}

/** The MCP server (not yet connected) and a function that ends every running hand-off. */
export function createMcpServer(options: McpServerOptions): { server: Server; closeHandoffs: () => Promise<void> } {
  const { root } = options;
  const env = options.env ?? process.env;
  const version = packageVersion();
  const server = new Server(
    { name: 'secretzero', title: 'SecretZero', version },
    { capabilities: { tools: {} }, instructions: INSTRUCTIONS },
  );
  const schemas = new Map(TOOLS.map((t) => [t.name, t.inputSchema as Json]));
  const handoffs = new Map<string, Entry>();

  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: TOOLS }));

  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const { name } = request.params;
    const args = (request.params.arguments ?? {}) as Json;
    const schema = schemas.get(name);
    if (schema === undefined) return fail('USAGE', `unknown tool \`${name}\``);
    const problem = checkArgs(schema, args, 'arguments');
    if (problem !== undefined) return fail('USAGE', `invalid arguments for ${name}: ${problem}`);
    try {
      switch (name) {
        case 'sync_secrets':
          return await toolSync(args);
        case 'list_pending_secrets':
          return await toolPending(args);
        case 'validate_secretfile':
          return await toolValidate(args);
        case 'start_handoff':
          return await toolStartHandoff(args, extra.signal);
        default:
          return await toolHandoffStatus(args);
      }
    } catch (e) {
      return failFrom(e);
    }
  });

  async function sync(p: Project, dryRun: boolean) {
    return serialized(p.cwd, () =>
      syncProject({
        cwd: p.cwd,
        file: p.file,
        varFiles: p.varFiles,
        environment: p.environment,
        env,
        dryRun,
        allowScripts: false,
      }),
    );
  }

  async function toolSync(args: Json): Promise<CallToolResult> {
    const p = await resolveProject(root, args);
    const dryRun = args['dry_run'] === true;
    const { report, files } = await sync(p, dryRun);
    const pending = Object.entries(report.pending_secrets).map(([n, s]) => pendingOut(n, s));
    const doc: Json = {
      project: p.rel,
      secretfile: p.file,
      status: report.status,
      dry_run: report.dry_run,
      synced: [...report.synced_secrets],
      already_synced: [...report.already_synced],
      pending,
      failed: Object.entries(report.failed_secrets).map(([n, reason]) => ({ name: n, reason })),
      counts: countsOut(report),
      details: detailsOut(report),
      files: filesOut(files),
      warnings: (report.warnings ?? []).map(diagnosticOut),
      trust_notice: STEP_TRUST_NOTICE,
    };
    const verb = dryRun ? 'would sync' : 'synced';
    return ok(
      doc,
      `${report.status}: ${verb} ${report.synced_secrets.length}, already synced ` +
        `${report.already_synced.length}, pending ${pending.length}, failed ` +
        `${Object.keys(report.failed_secrets).length}${dryRun ? ' (dry run: nothing written)' : ''}.`,
    );
  }

  async function toolPending(args: Json): Promise<CallToolResult> {
    const p = await resolveProject(root, args);
    const { report } = await sync(p, true);
    const pending = Object.entries(report.pending_secrets).map(([n, s]) => pendingOut(n, s));
    const failed = Object.entries(report.failed_secrets).map(([n, reason]) => ({ name: n, reason }));
    const doc: Json = {
      project: p.rel,
      secretfile: p.file,
      status: report.status,
      pending,
      failed,
      counts: countsOut(report),
      trust_notice: STEP_TRUST_NOTICE,
    };
    return ok(doc, `${pending.length} secret(s) need a person; ${failed.length} failed.`);
  }

  async function toolValidate(args: Json): Promise<CallToolResult> {
    const p = await resolveProject(root, args);
    const read = async (f: string): Promise<string> => {
      try {
        return await readFile(path.resolve(p.cwd, f), 'utf8');
      } catch (e) {
        throw new SecretZeroError({
          code: 'IO',
          message: `cannot read \`${f}\`: ${(e as { code?: string }).code ?? 'unknown error'}`,
        });
      }
    };
    const text = await read(p.file);
    const varFiles = await Promise.all(p.varFiles.map(async (f) => ({ path: f, text: await read(f) })));
    const r = validateSecretfile(text, { env, varFiles });
    const doc: Json = {
      project: p.rel,
      secretfile: p.file,
      valid: r.valid,
      errors: r.errors,
      warnings: r.warnings,
      diagnostics: r.diagnostics.map(diagnosticOut),
    };
    return ok(doc, r.valid ? `valid (${r.warnings} warning(s))` : `invalid: ${r.errors} error(s), ${r.warnings} warning(s)`);
  }

  function entryOut(id: string, e: Entry, extra: Json = {}): Json {
    const h = e.handoff;
    const status = e.declined ? 'declined' : h.status();
    const o: Json = {
      handoff_id: id,
      name: h.name,
      project: e.project,
      status,
      delivered: e.delivered,
      expires_at: h.expiresAt.toISOString(),
      ...extra,
    };
    if (e.delivered === 'link' && status === 'waiting') o['url'] = h.url;
    return o;
  }

  async function toolStartHandoff(args: Json, signal: AbortSignal): Promise<CallToolResult> {
    const active = [...handoffs.values()].filter((e) => e.handoff.status() === 'waiting' && !e.declined);
    if (active.length >= MAX_ACTIVE_HANDOFFS) {
      return fail('USAGE', `${active.length} hand-offs are already waiting; wait for them to end first`);
    }
    const p = await resolveProject(root, args);
    const name = args['name'] as string;
    const expires = typeof args['expires_in_seconds'] === 'number' ? args['expires_in_seconds'] : 600;
    const handoff = await startHandoff({
      name,
      cwd: p.cwd,
      file: p.file,
      varFiles: p.varFiles,
      environment: p.environment,
      env,
      expiresInSeconds: expires,
    });
    const id = handoff.id;
    const entry: Entry = { handoff, project: p.rel, delivered: 'link', declined: false };
    remember(id, entry);

    const caps = server.getClientCapabilities();
    if (caps?.elicitation?.url !== undefined && caps.elicitation.url !== null) {
      const elicitationId = randomUUID();
      try {
        const answer = await server.elicitInput(
          {
            mode: 'url',
            elicitationId,
            url: handoff.url,
            message:
              `SecretZero needs the value of "${name}" for the project "${path.basename(p.cwd)}". ` +
              'Open this local page to enter it; it works once and expires at ' +
              `${handoff.expiresAt.toISOString()}. The agent never sees the value.`,
          },
          { timeout: expires * 1000, signal },
        );
        entry.delivered = 'elicitation';
        if (answer.action !== 'accept') {
          entry.declined = true;
          await handoff.close();
          return ok(
            entryOut(id, entry, { message: `The person ${answer.action === 'decline' ? 'declined' : 'dismissed'} the link; nothing was stored.` }),
            `hand-off for ${name}: ${answer.action === 'decline' ? 'declined' : 'dismissed'}`,
          );
        }
        void handoff.done.then(async (o) => {
          if (o.status === 'stored') {
            await server.createElicitationCompletionNotifier(elicitationId)().catch(() => undefined);
          }
        });
        return ok(
          entryOut(id, entry, {
            message:
              'The client showed the person the link. Wait for them: call handoff_status with ' +
              'wait_seconds. Do not ask for the value in the chat.',
          }),
          `hand-off for ${name}: link sent to the person through the client`,
        );
      } catch {
        if (signal.aborted) {
          // The tool call itself was cancelled: so is the hand-off.
          await handoff.close();
          return fail('USAGE', 'the start_handoff call was cancelled; the hand-off is closed');
        }
        // The client said it supports URL elicitation but the request failed: fall back to
        // handing the link to the agent.
        entry.delivered = 'link';
      }
    }
    return ok(
      entryOut(id, entry, {
        message:
          'Give this link to the person (it is for them, not for you to open): they read the ' +
          'instructions there and enter the value, which goes straight into the project. It ' +
          'works once and expires at expires_at. Then call handoff_status with wait_seconds.',
      }),
      `hand-off for ${name}: give the person this link: ${handoff.url}`,
    );
  }

  async function toolHandoffStatus(args: Json): Promise<CallToolResult> {
    const id = args['handoff_id'] as string;
    const e = handoffs.get(id);
    if (e === undefined) return fail('UNKNOWN_REFERENCE', `no hand-off \`${id}\` (ids come from start_handoff)`);
    const wait = typeof args['wait_seconds'] === 'number' ? args['wait_seconds'] : 0;
    let outcome: HandoffOutcome | undefined;
    if (!e.declined) {
      outcome = await Promise.race([
        e.handoff.done,
        delay(wait * 1000, undefined, { ref: false }),
      ]);
    }
    const extra: Json = {};
    if (outcome?.reason !== undefined) extra['reason'] = outcome.reason;
    if (outcome?.files !== undefined) extra['files'] = filesOut(outcome.files as WrittenFile[]);
    const doc = entryOut(id, e, extra);
    return ok(doc, `hand-off for ${e.handoff.name}: ${String(doc['status'])}`);
  }

  function remember(id: string, e: Entry): void {
    handoffs.set(id, e);
    if (handoffs.size > MAX_REMEMBERED_HANDOFFS) {
      for (const [k, old] of handoffs) {
        if (old.handoff.status() !== 'waiting' || old.declined) {
          handoffs.delete(k);
          break;
        }
      }
    }
  }

  const closeHandoffs = async (): Promise<void> => {
    await Promise.all([...handoffs.values()].map((e) => e.handoff.close()));
  };
  return { server, closeHandoffs };
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/**
 * `secretzero mcp [--root DIR]`: serve on stdio until the client closes stdin. Returns the exit
 * code.
 */
/**
 * Serve the tools over stdio until the client disconnects; resolves to the exit code. `rootOption`
 * is `--root` (default: the current directory); the options are parsed by `cli.ts`.
 */
export async function serveStdio(rootOption: string | undefined): Promise<number> {
  let root: string;
  try {
    root = await realpath(path.resolve(rootOption ?? process.cwd()));
  } catch {
    process.stderr.write(`Error: the root directory \`${rootOption ?? '.'}\` does not exist\n`);
    return 2;
  }

  const { server, closeHandoffs } = createMcpServer({ root });
  const transport = new StdioServerTransport();
  let finished!: () => void;
  const closed = new Promise<void>((r) => {
    finished = r;
  });
  let closing = false;
  const shutdown = async (): Promise<void> => {
    if (closing) return;
    closing = true;
    await closeHandoffs().catch(() => undefined);
    await server.close().catch(() => undefined);
    finished();
  };
  server.onclose = () => void shutdown();
  process.stdin.once('end', () => void shutdown());
  process.stdin.once('close', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
  await server.connect(transport);
  process.stderr.write(`secretzero mcp: serving on stdio (root ${root})\n`);
  await closed;
  return 0;
}
