/**
 * Core diagnostics -> editor ranges, without VS Code (tested with node:test).
 *
 * The core gives every diagnostic a span whose `line`/`column_utf16` and
 * `end_line`/`end_column_utf16` are 1-based and counted in UTF-16 code units — exactly what
 * VS Code positions count (0-based). A diagnostic with only a line and column gets the word
 * there; one without a position gets the file's first line.
 */

import type { Diagnostic } from '@secretzero/agent';

/** A 0-based position (VS Code's `Position`). */
export interface Pos {
  line: number;
  character: number;
}

/** What becomes one `vscode.Diagnostic`. */
export interface EditorDiagnostic {
  start: Pos;
  end: Pos;
  severity: 'error' | 'warning';
  /** `message` plus the hint, and the dotted path when known. */
  message: string;
  /** The stable code, e.g. `WRONG_TYPE`. */
  code: string;
}

function lineText(lines: readonly string[], line: number): string {
  return lines[line] ?? '';
}

/** The end of the word (or quoted scalar) starting at `character`, at least one character on. */
function wordEnd(text: string, character: number): number {
  if (character >= text.length) return text.length;
  const quote = text[character];
  if (quote === '"' || quote === "'") {
    const close = text.indexOf(quote, character + 1);
    return close === -1 ? text.length : close + 1;
  }
  const m = /^[^\s:,\]}#]+/.exec(text.slice(character));
  return character + Math.max(1, m ? m[0].length : 1);
}

/** The range of one diagnostic in `text` (the document the core read). */
export function toEditorDiagnostic(d: Diagnostic, text: string): EditorDiagnostic {
  const lines = text.split(/\r\n|\r|\n/);
  const last = Math.max(0, lines.length - 1);
  const clampLine = (l: number): number => Math.min(Math.max(0, l), last);
  const clampChar = (l: number, c: number): number => Math.min(Math.max(0, c), lineText(lines, l).length);
  let start: Pos;
  let end: Pos;
  const s = d.span;
  if (s) {
    const sl = clampLine(s.line - 1);
    start = { line: sl, character: clampChar(sl, s.column_utf16 - 1) };
    const el = clampLine(s.end_line - 1);
    end = { line: el, character: clampChar(el, s.end_column_utf16 - 1) };
    if (end.line < start.line || (end.line === start.line && end.character <= start.character)) {
      end = { line: start.line, character: wordEnd(lineText(lines, start.line), start.character) };
    }
  } else if (d.line !== undefined && d.line !== null) {
    const l = clampLine(d.line - 1);
    const text = lineText(lines, l);
    // Without a span the column counts scalar values: convert to UTF-16 units.
    const scalars = Array.from(text);
    const before = scalars.slice(0, Math.max(0, (d.column ?? 1) - 1)).join('').length;
    start = { line: l, character: before };
    end = { line: l, character: wordEnd(text, before) };
  } else {
    start = { line: 0, character: 0 };
    end = { line: 0, character: lineText(lines, 0).length };
  }
  let message = d.message;
  if (d.path) message += ` (at ${d.path})`;
  if (d.hint) message += `\nhint: ${d.hint}`;
  return { start, end, severity: d.severity === 'warning' ? 'warning' : 'error', message, code: d.code };
}

/** Every diagnostic of a `validateSecretfile` answer, as editor ranges. */
export function toEditorDiagnostics(diagnostics: readonly Diagnostic[], text: string): EditorDiagnostic[] {
  return diagnostics.map((d) => toEditorDiagnostic(d, text));
}

/** Whether a file name is a Secretfile (`Secretfile.yml`, `Secretfile.prod.yaml`, ...). */
export function isSecretfile(fileName: string): boolean {
  const base = fileName.split(/[\\/]/).pop() ?? '';
  return /^Secretfile[^/\\]*\.ya?ml$/.test(base);
}
