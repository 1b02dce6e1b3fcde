/**
 * Internal: the project lock that serialises syncs of one project (Node only).
 *
 * Two agents (or two calls in one process) syncing the same project at once would both see a
 * secret as missing, both generate it, and the later writes would replace the earlier ones —
 * a value one of them already handed out would be lost. So a sync holds a lock file next to
 * the lockfile (`.gitsecrets.lock.lock`) from before it reads the target files and the lockfile
 * until its last write:
 *
 * - taken with an exclusive create (`O_EXCL`), holding `{pid, hostname, created, nonce}`;
 * - a waiting sync polls (with jitter) up to `timeoutMs`, then fails with `LOCKED` naming the
 *   holder; when it gets the lock it reads the files again, so it sees what the winner wrote
 *   and generates nothing twice;
 * - a lock is stale when its process is dead (same host) or it is older than `staleMs` (any
 *   host: the pid of another machine cannot be checked). A stale lock is moved aside and
 *   removed — only if it is still the same lock (its nonce), so two waiters cannot break each
 *   other's fresh locks;
 * - the holder releases only its own lock (nonce checked) and checks it still holds it before
 *   writing.
 *
 * @internal
 * @module
 */

import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';

import { SecretZeroError } from './errors.js';
import { ioError, isMissing } from './files.js';

/** `bytes` random bytes as hex, from the global Web Crypto (no `node:crypto` import at startup). */
function randomHex(bytes: number): string {
  return Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(bytes))).toString('hex');
}

/** Default wait for a lock held by another sync (ms). */
export const DEFAULT_LOCK_TIMEOUT_MS = 30_000;
/** Default age after which any lock counts as abandoned (ms). */
export const DEFAULT_LOCK_STALE_MS = 10 * 60_000;

/** What a lock file holds. */
export interface LockHolder {
  pid: number;
  hostname: string;
  created: string;
  nonce: string;
  tool?: string;
}

function hostname(): string {
  try {
    return os.hostname();
  } catch {
    return 'unknown';
  }
}

function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as { code?: string }).code === 'EPERM';
  }
}

async function readHolder(file: string): Promise<{ holder?: LockHolder; mtimeMs: number } | undefined> {
  try {
    const [text, st] = await Promise.all([fs.readFile(file, 'utf8'), fs.stat(file)]);
    let holder: LockHolder | undefined;
    try {
      const v = JSON.parse(text) as Partial<LockHolder> | null;
      if (v !== null && typeof v === 'object' && typeof v.nonce === 'string') {
        holder = {
          pid: typeof v.pid === 'number' ? v.pid : -1,
          hostname: typeof v.hostname === 'string' ? v.hostname : '',
          created: typeof v.created === 'string' ? v.created : '',
          nonce: v.nonce,
        };
      }
    } catch {
      // Being written right now (or garbage): judged by its age below.
    }
    return holder === undefined ? { mtimeMs: st.mtimeMs } : { holder, mtimeMs: st.mtimeMs };
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw e;
  }
}

function describe(holder: LockHolder | undefined): string {
  if (holder === undefined) return 'an unreadable lock';
  return `pid ${holder.pid} on ${holder.hostname || 'an unknown host'}${holder.created ? ` since ${holder.created}` : ''}`;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A held project lock. */
export class ProjectLock {
  constructor(
    readonly file: string,
    readonly shown: string,
    readonly nonce: string,
  ) {}

  /** Throw `LOCKED` when the lock is no longer ours (it was judged stale and taken over). */
  async verify(): Promise<void> {
    const now = await readHolder(this.file).catch(() => undefined);
    if (now?.holder?.nonce !== this.nonce) {
      throw new SecretZeroError({
        code: 'LOCKED',
        message: `the project lock \`${this.shown}\` was taken over by ${describe(now?.holder)} while this sync ran; nothing more was written — run the sync again`,
      });
    }
  }

  /** Remove the lock file if it is still ours. */
  async release(): Promise<void> {
    const now = await readHolder(this.file).catch(() => undefined);
    if (now?.holder?.nonce === this.nonce) {
      await fs.unlink(this.file).catch(() => undefined);
    }
  }
}

/** Options of {@link acquireLock}. */
export interface AcquireOptions {
  /** How long to wait for another holder (ms). */
  timeoutMs: number;
  /** Age after which any lock is abandoned (ms). */
  staleMs: number;
}

/**
 * Take the lock `file` (shown as `shown` in messages), waiting up to `timeoutMs` for another
 * holder. Throws `LOCKED` naming the holder when the wait runs out, `IO` when the lock cannot
 * be created.
 */
export async function acquireLock(file: string, shown: string, o: AcquireOptions): Promise<ProjectLock> {
  const deadline = Date.now() + Math.max(0, o.timeoutMs);
  const nonce = randomHex(12);
  const me: LockHolder = {
    pid: process.pid,
    hostname: hostname(),
    created: new Date().toISOString(),
    nonce,
    tool: '@secretzero/agent',
  };
  let delay = 20;
  let madeDir = false;
  for (;;) {
    let fh: fs.FileHandle | undefined;
    try {
      fh = await fs.open(file, 'wx', 0o600);
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === 'ENOENT' && !madeDir) {
        // The lockfile's directory does not exist yet (`-l state/x.lock`).
        madeDir = true;
        await fs.mkdir(path.dirname(file), { recursive: true }).catch((err: unknown) => {
          throw ioError('create the directory of', shown, err);
        });
        continue;
      }
      if (code !== 'EEXIST') throw ioError('create the project lock', shown, e);
    }
    if (fh !== undefined) {
      try {
        me.created = new Date().toISOString();
        await fh.writeFile(`${JSON.stringify(me)}\n`);
        await fh.sync().catch(() => undefined);
      } finally {
        await fh.close();
      }
      return new ProjectLock(file, shown, nonce);
    }

    const seen = await readHolder(file).catch(() => undefined);
    if (seen === undefined) continue; // released meanwhile
    const created = seen.holder !== undefined ? Date.parse(seen.holder.created) : Number.NaN;
    const age = Date.now() - (Number.isNaN(created) ? seen.mtimeMs : created);
    const dead =
      seen.holder !== undefined && seen.holder.hostname === me.hostname && !pidAlive(seen.holder.pid);
    // A lock without a readable holder is one being written; give it a few seconds.
    const unreadableTooLong = seen.holder === undefined && age > 5_000;
    if (dead || age > o.staleMs || unreadableTooLong) {
      await breakStale(file, seen.holder?.nonce);
      continue;
    }
    if (Date.now() >= deadline) {
      throw new SecretZeroError({
        code: 'LOCKED',
        message:
          `another sync of this project holds the lock \`${shown}\` (${describe(seen.holder)}); ` +
          `waited ${Math.round(o.timeoutMs / 100) / 10} s`,
        diagnostics: [
          {
            code: 'LOCKED',
            severity: 'error',
            message: `another sync of this project holds the lock \`${shown}\` (${describe(seen.holder)})`,
            hint: 'wait for it to finish and run the sync again; if no sync is running, delete the lock file',
          },
        ],
      });
    }
    await sleep(Math.min(delay, Math.max(1, deadline - Date.now())) * (0.5 + Math.random()));
    delay = Math.min(delay * 1.5, 250);
  }
}

/** Move a stale lock aside and delete it, unless it turned out to be a fresh one. */
async function breakStale(file: string, nonce: string | undefined): Promise<void> {
  const aside = `${file}.stale.${randomHex(6)}`;
  try {
    await fs.rename(file, aside);
  } catch (e) {
    if (isMissing(e)) return;
    throw ioError('remove the stale project lock', file, e);
  }
  const moved = await readHolder(aside).catch(() => undefined);
  if (moved?.holder?.nonce !== nonce) {
    // Someone replaced the stale lock with a fresh one between our read and the rename: put
    // it back (unless yet another lock exists by now).
    await fs.link(aside, file).catch(() => undefined);
  }
  await fs.unlink(aside).catch(() => undefined);
}
