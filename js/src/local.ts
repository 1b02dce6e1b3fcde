/**
 * `local/file` and `local/template` behind the adapter interface (Node).
 *
 * The sync itself does not route local targets through these: one file holds many secrets and
 * the core merges each into the existing file (or renders a template once after every secret),
 * so `syncProject` applies the core's planned file writes directly. These adapters expose the
 * same operations at the level a local target really has — the whole file — for hosts and
 * tools that treat every target alike:
 *
 * - `testConnection`: the path stays inside the project (`PATH_OUTSIDE_ROOT` otherwise, unless
 *   `allowOutsideRoot`) and its directory can be written;
 * - `read`: the file's text (`null` when it does not exist) — what `status` parses per format;
 * - `store`: replace the file's text atomically (temporary file, fsync, rename; `0600` for a
 *   new file), as `syncProject` writes target files.
 *
 * `target.config` is the Secretfile's: `path` (default `.env`) for `local/file`, `output_path`
 * for `local/template`; paths are relative to `context.cwd`.
 *
 * @module
 */

import { constants } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

import type { StoreTarget } from '../wasm/api.js';
import type { AdapterContext, TargetAdapter } from './adapters.js';
import { usageError } from './errors.js';

function relPath(t: StoreTarget): string {
  const c = t.config as Record<string, unknown>;
  const p = t.kind === 'template' ? c['output_path'] : (c['path'] ?? '.env');
  if (typeof p !== 'string' || p === '') {
    throw usageError(
      `${t.target_id}: config.${t.kind === 'template' ? 'output_path' : 'path'} must be a non-empty string`,
    );
  }
  return p;
}

/** The file-backed sync's path checks and atomic write, loaded on first use (start-up cost). */
const project = (): Promise<typeof import('./project.js')> => import('./project.js');

async function where(t: StoreTarget, ctx: AdapterContext) {
  const { locate } = await project();
  const cwd = path.resolve(ctx.cwd ?? process.cwd());
  const realRoot = await fs.realpath(cwd);
  const rel = relPath(t);
  const real = await locate(cwd, realRoot, rel, ctx.allowOutsideRoot === true);
  return { cwd, realRoot, rel, real };
}

function local(kind: 'file' | 'template'): TargetAdapter {
  return {
    async testConnection(t, ctx) {
      const { rel, real } = await where(t, ctx);
      // The nearest directory that exists must be writable (parents are created on write).
      let dir = path.dirname(real);
      for (;;) {
        try {
          await fs.access(dir, constants.W_OK);
          return;
        } catch (e) {
          const code = (e as { code?: string }).code;
          const parent = path.dirname(dir);
          if (code !== 'ENOENT' || parent === dir) {
            throw new Error(`cannot write \`${rel}\`: ${code ?? 'unknown error'}`);
          }
          dir = parent;
        }
      }
    },
    async read(t, ctx) {
      const { real } = await where(t, ctx);
      try {
        return await fs.readFile(real, 'utf8');
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return null;
        throw e;
      }
    },
    async store(t, text, ctx) {
      const { cwd, realRoot, rel, real } = await where(t, ctx);
      const { applyWrite } = await project();
      await applyWrite(
        cwd,
        realRoot,
        { path: rel, contents: text, role: kind === 'template' ? 'template' : 'target', secret: true },
        real,
        async () => undefined,
      );
    },
    connectionKey(t) {
      return relPath(t);
    },
  };
}

/** `local/file`: the whole target file (see the module docs). */
export const localFileAdapter: TargetAdapter = local('file');
/** `local/template`: the rendered output file (see the module docs). */
export const localTemplateAdapter: TargetAdapter = local('template');
