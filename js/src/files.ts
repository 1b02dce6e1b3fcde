/**
 * Internal: reading the files of a project defensively (Node only).
 *
 * Every file a sync or a validation reads — the Secretfile, variable files, target files,
 * lockfiles — may come from a repository nobody has looked at yet. So each read:
 *
 * - refuses anything but a regular file (a FIFO would block the sync forever, a device
 *   would never end);
 * - checks the size before reading: more than {@link MAX_FILE_BYTES} is `BUDGET_EXCEEDED`
 *   (the core's own limit for a Secretfile; no real target file or lockfile comes close);
 * - decodes strict UTF-8: invalid bytes are `INVALID_ENCODING` with the byte offset, line and
 *   column of the first one. Decoding leniently would turn them into U+FFFD — for a target
 *   file that the sync then rewrites, that silently corrupts its other entries.
 *
 * @internal
 * @module
 */

import { isUtf8 } from 'node:buffer';
import * as fs from 'node:fs/promises';

import { SecretZeroError } from './errors.js';

/** Largest file read (bytes): the core's Secretfile budget (`yaml::Budgets::max_bytes`). */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;

/**
 * Byte offset of the first byte of `bytes` that is not part of well-formed UTF-8 (RFC 3629:
 * no overlong forms, no surrogates, nothing above U+10FFFF), or -1 when all of it is.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  if (isUtf8(bytes)) return -1;
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i += 1;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      const [min, max] = k === 1 ? [lo, hi] : [0x80, 0xbf];
      if (c === undefined || c < min || c > max) return i;
    }
    i += need + 1;
  }
  return -1;
}

/**
 * `bytes` as a string, or `INVALID_ENCODING` naming `shown` and the position of the first
 * invalid byte (1-based line and column; the column counts characters, like the core's). The
 * error's `line`/`column` fields are set only with `positioned` (the Secretfile: hosts print
 * them as `Secretfile.yml:LINE:COL`); for other files the position is in the message.
 */
export function decodeUtf8(bytes: Uint8Array, shown: string, positioned = false): string {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bad = firstInvalidUtf8(buf);
  if (bad < 0) return buf.toString('utf8');
  const before = buf.subarray(0, bad).toString('utf8');
  const lineStart = before.lastIndexOf('\n') + 1;
  const line = before.split('\n').length;
  const column = [...before.slice(lineStart)].length + 1;
  const message = `\`${shown}\` is not valid UTF-8: byte ${bad} (0x${(buf[bad] as number)
    .toString(16)
    .padStart(2, '0')}) at line ${line}, column ${column}`;
  const at = positioned ? { line, column } : {};
  throw new SecretZeroError({
    code: 'INVALID_ENCODING',
    message,
    ...at,
    diagnostics: [
      {
        code: 'INVALID_ENCODING',
        severity: 'error',
        message,
        ...at,
        hint: 'save the file as UTF-8 (nothing was written)',
      },
    ],
  });
}

function errCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null ? (e as { code?: string }).code : undefined;
}

/** The `IO` error of a failed file operation (never the file's contents). */
export function ioError(what: string, p: string, e: unknown): SecretZeroError {
  return new SecretZeroError({
    code: 'IO',
    message: `cannot ${what} \`${p}\`: ${errCode(e) ?? 'unknown error'}`,
    cause: e,
  });
}

/** Whether `e` says the file (or a parent directory) does not exist. */
export function isMissing(e: unknown): boolean {
  const c = errCode(e);
  return c === 'ENOENT' || c === 'ENOTDIR';
}

/**
 * Read `abs` as strict UTF-8 within {@link MAX_FILE_BYTES}; `undefined` when it does not exist
 * and `optional` is set. `shown` names the file in errors; `positioned`: see {@link decodeUtf8}.
 */
export async function readTextFile(
  abs: string,
  shown: string,
  optional = false,
  positioned = false,
): Promise<string | undefined> {
  let fh: fs.FileHandle;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; regular files ignore it.
    fh = await fs.open(abs, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (e) {
    if (optional && isMissing(e)) return undefined;
    throw ioError('read', shown, e);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw ioError('read', shown, { code: 'ENOTFILE' });
    if (st.size > MAX_FILE_BYTES) {
      const message = `\`${shown}\` is ${st.size} bytes, more than the limit of ${MAX_FILE_BYTES} bytes`;
      throw new SecretZeroError({
        code: 'BUDGET_EXCEEDED',
        message,
        diagnostics: [
          {
            code: 'BUDGET_EXCEEDED',
            severity: 'error',
            message,
            hint: 'a Secretfile, lockfile or target file this large is almost certainly not one',
          },
        ],
      });
    }
    const bytes = await fh.readFile().catch((e: unknown) => {
      throw ioError('read', shown, e);
    });
    // The file may have grown between stat and read.
    if (bytes.length > MAX_FILE_BYTES) {
      throw ioError('read', shown, { code: 'EFBIG' });
    }
    return decodeUtf8(bytes, shown, positioned);
  } finally {
    await fh.close().catch(() => undefined);
  }
}
