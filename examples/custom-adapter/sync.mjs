// A custom target adapter: register it, then `syncProject` stores through it, and
// `projectStatus` reads back through it to report drift.
//
//   node sync.mjs          (in a directory holding this Secretfile.yml, with the package installed)
//
// The "store" here is a JSON file in `.teamstore/` so the example runs anywhere; a real adapter
// would call its service's API in the same three methods.

import * as fs from 'node:fs/promises';
import * as path from 'node:path';

import { projectStatus, registerAdapter, syncProject } from '@secretzero/agent';

/** The store's file, from the provider block's `config.directory`. */
function storeFile(target, context) {
  const dir = target.provider_config?.config?.directory ?? '.teamstore';
  return path.resolve(context.cwd ?? '.', dir, 'store.json');
}

async function load(file) {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (e) {
    if (e.code === 'ENOENT') return {};
    throw e;
  }
}

registerAdapter('teamstore/kv', {
  // The access gate: runs before anything is generated; throw to fail this target's secrets.
  async testConnection(target, context) {
    await fs.mkdir(path.dirname(storeFile(target, context)), { recursive: true });
  },
  // Store one value. Never log `value`; an error message must not contain it either.
  async store(target, value, context) {
    const file = storeFile(target, context);
    const data = await load(file);
    data[target.config.name] = value;
    await fs.writeFile(file, JSON.stringify(data, null, 2), { mode: 0o600 });
  },
  // Read back for drift: the value, or null when the entry is gone.
  async read(target, context) {
    const data = await load(storeFile(target, context));
    return data[target.config.name] ?? null;
  },
  // Targets with the same key share one connection test per sync.
  connectionKey(target) {
    return target.provider_config?.config?.directory ?? '.teamstore';
  },
});

const { report, stores } = await syncProject({ cwd: process.cwd() });
console.log(`status: ${report.status}; synced: ${report.synced_secrets.join(', ') || '-'}`);
for (const s of stores) console.log(`  ${s.status} ${s.secret} -> ${s.target_id}`);

const { status } = await projectStatus({ cwd: process.cwd() });
for (const s of status.secrets) {
  for (const t of s.targets) console.log(`  ${t.state.padEnd(8)} ${t.target_id}`);
}
