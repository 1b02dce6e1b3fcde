/**
 * The one error type of `@secretzero/agent`.
 *
 * Every failure of the library — an invalid Secretfile, a wrong argument, a file that cannot be
 * written — is thrown as a {@link SecretZeroError}: a real `Error` (with a stack) carrying a
 * stable machine-readable `code`, the position of the first problem and every diagnostic.
 * Messages never contain a secret value.
 *
 * @module
 */

import type { Diagnostic, ErrorCode } from '../wasm/api.js';

/**
 * Marks instances across copies of this module: Node may load the package once as ESM
 * (`import`) and once as CommonJS (`require`), which gives two `SecretZeroError` classes.
 * `instanceof` and {@link isSecretZeroError} check this registry symbol, so an error thrown by
 * either copy is recognised by both.
 */
const BRAND: unique symbol = Symbol.for('@secretzero/agent:SecretZeroError') as never;

/** What {@link SecretZeroError} is made of. */
export interface SecretZeroErrorInit {
  /** Stable machine-readable code (`"MISSING_FIELD"`, `"USAGE"`, `"IO"`, ...). */
  code: ErrorCode;
  /** Lowercase human-readable text; never contains a secret value. */
  message: string;
  /** 1-based line of the first problem, when known. */
  line?: number | null | undefined;
  /** 1-based column (Unicode scalar values) of the first problem, when known. */
  column?: number | null | undefined;
  /** Every diagnostic (errors and warnings). Default: none. */
  diagnostics?: Diagnostic[] | undefined;
  /** The underlying error, for debugging (a Node `fs` error, a wasm trap). */
  cause?: unknown;
}

/**
 * An error raised by `@secretzero/agent`.
 *
 * @example
 * ```ts
 * try {
 *   agentSync({ text });
 * } catch (e) {
 *   if (isSecretZeroError(e)) console.error(e.code, e.line, e.column, e.diagnostics);
 * }
 * ```
 */
export class SecretZeroError extends Error {
  /** Always `"SecretZeroError"`. */
  override readonly name = 'SecretZeroError' as const;
  /** Stable machine-readable code; codes are public API, message prose is not. */
  readonly code: ErrorCode;
  /** 1-based line of the first problem, when known. */
  readonly line: number | undefined;
  /** 1-based column (Unicode scalar values) of the first problem, when known. */
  readonly column: number | undefined;
  /** Every diagnostic found (errors and warnings), in document order. */
  readonly diagnostics: Diagnostic[];
  declare readonly [BRAND]: true;

  /** Build an error; see {@link SecretZeroErrorInit}. */
  constructor(init: SecretZeroErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.line = init.line ?? undefined;
    this.column = init.column ?? undefined;
    this.diagnostics = init.diagnostics ?? [];
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** `instanceof` recognises errors from every copy of the package (ESM and CommonJS). */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== SecretZeroError) {
      return Function.prototype[Symbol.hasInstance].call(this, value);
    }
    return isSecretZeroError(value);
  }

  /** The JSON form: `{name, code, message, line, column, diagnostics}`. */
  toJSON(): {
    name: 'SecretZeroError';
    code: ErrorCode;
    message: string;
    line: number | null;
    column: number | null;
    diagnostics: Diagnostic[];
  } {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      line: this.line ?? null,
      column: this.column ?? null,
      diagnostics: this.diagnostics,
    };
  }
}

/**
 * Whether `value` is a {@link SecretZeroError} (from any copy of the package).
 *
 * @example
 * ```ts
 * catch (e) { if (isSecretZeroError(e) && e.code === 'USAGE') ... }
 * ```
 */
export function isSecretZeroError(value: unknown): value is SecretZeroError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { [BRAND]?: unknown })[BRAND] === true
  );
}

/** A `USAGE` error: the API was called with wrong arguments. */
export function usageError(message: string, cause?: unknown): SecretZeroError {
  return new SecretZeroError({ code: 'USAGE', message, cause });
}
