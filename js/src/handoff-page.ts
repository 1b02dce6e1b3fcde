/**
 * The pages of the hand-off (see `handoff.ts`): the form with the secret's instructions, the
 * short status pages, and the headers every response carries.
 *
 * No script at all: the Content-Security-Policy is `default-src 'none'` plus one nonce'd style
 * sheet, forms post only to the page itself and it is never framed. Every dynamic text is
 * HTML-escaped; instruction steps (from the repository, possibly hostile) are shown as text,
 * command-like ones labelled, and links are never made clickable.
 *
 * @module
 */

import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { PendingSecret } from '../wasm/api.js';
import { STEP_TRUST_NOTICE, classifyStep } from './steps.js';

/** What the secret is and where its value goes, shown on the page (no values). */
export interface PageInfo {
  name: string;
  project: string;
  instructions: PendingSecret | undefined;
  failedReason: string | undefined;
  destinations: string[];
  validation: string | undefined;
}

function securityHeaders(res: ServerResponse, nonce: string): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader(
    'Content-Security-Policy',
    `default-src 'none'; style-src 'nonce-${nonce}'; img-src 'none'; form-action 'self'; ` +
      `frame-ancestors 'none'; base-uri 'none'`,
  );
}

/** A page, rendered with the response's CSP nonce. */
export interface Page {
  html: (nonce: string) => string;
}

export function send(res: ServerResponse, code: number, page: Page, req?: IncomingMessage): void {
  const nonce = randomBytes(16).toString('base64');
  securityHeaders(res, nonce);
  const body = Buffer.from(page.html(nonce), 'utf8');
  res.writeHead(code, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': body.length,
  });
  res.end(req?.method === 'HEAD' ? undefined : body);
}

export function sendJson(res: ServerResponse, code: number, doc: unknown): void {
  securityHeaders(res, randomBytes(16).toString('base64'));
  const body = Buffer.from(`${JSON.stringify(doc)}\n`, 'utf8');
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': body.length });
  res.end(body);
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `
body{font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b;background:#fff}
h1{font-size:1.4rem}h2{font-size:1.15rem}code,kbd{font:0.95em ui-monospace,monospace;background:#f2f2f2;padding:0 .2em;border-radius:3px;word-break:break-all}
ol{padding-left:1.4rem}li{margin:.5rem 0}.kind{font-size:.8rem;text-transform:uppercase;letter-spacing:.04em;color:#555;border:1px solid #bbb;border-radius:3px;padding:0 .3em;margin-right:.4em}
.kind.command,.kind.url{color:#8a4b00;border-color:#d9a55b;background:#fff7ea}.note{font-size:.9rem;color:#444;border-left:3px solid #d9a55b;padding-left:.7rem}
.error{color:#a00;font-weight:600}label{display:block;font-weight:600;margin-top:1.2rem}input[type=password]{width:100%;box-sizing:border-box;font:1rem ui-monospace,monospace;padding:.5rem;margin:.4rem 0}
button{font-size:1rem;padding:.5rem 1.2rem}.muted{color:#555;font-size:.9rem}
@media (prefers-color-scheme:dark){body{background:#161616;color:#e8e8e8}code,kbd{background:#2a2a2a}.muted,.note,.kind{color:#bbb}.kind.command,.kind.url{background:#3a2a10;color:#f3c27a}}`;

function layout(title: string, inner: string): Page {
  return {
    html: (nonce) =>
      `<!doctype html><html lang="en"><head><meta charset="utf-8">` +
      `<meta name="viewport" content="width=device-width,initial-scale=1">` +
      `<meta name="referrer" content="no-referrer"><title>${esc(title)} · SecretZero</title>` +
      `<style nonce="${nonce}">${STYLE}</style></head><body>${inner}</body></html>`,
  };
}

export function textPage(title: string, message: string): Page {
  return layout(title, `<h1>${esc(title)}</h1><p>${esc(message)}</p>`);
}

export function formPage(info: PageInfo, csrf: string, expiresAt: Date, action: string, error?: string): Page {
  const ai = info.instructions;
  const parts: string[] = [
    `<h1>Enter the value of <code>${esc(info.name)}</code></h1>`,
    `<p class="muted">Project <code>${esc(info.project)}</code>. This page works once and expires at ` +
      `${esc(expiresAt.toISOString())}. The value goes straight into the project's files; the agent ` +
      `that sent you here only learns whether it was stored.</p>`,
  ];
  if (ai !== undefined) {
    parts.push(`<h2>${esc(ai.summary)}</h2>`);
    if (ai.prerequisites && ai.prerequisites.length > 0) {
      parts.push(`<p>Before you start:</p><ul>${ai.prerequisites.map((p) => `<li>${esc(p)}</li>`).join('')}</ul>`);
    }
    if (ai.steps.length > 0) {
      parts.push(`<p class="note">${esc(STEP_TRUST_NOTICE)}</p><ol>`);
      for (const s of ai.steps) {
        const k = classifyStep(s.action).kind;
        const action = k === 'instruction' ? esc(s.action) : `<code>${esc(s.action)}</code>`;
        const label = k === 'command' ? 'command' : k === 'url' ? 'link' : 'step';
        parts.push(
          `<li><span class="kind ${k}">${label}</span>${action}` +
            `${s.description ? `<br><span class="muted">${esc(s.description)}</span>` : ''}</li>`,
        );
      }
      parts.push('</ol>');
    }
    const extra: string[] = [];
    if (ai.automation_hint) extra.push(`Automation: ${esc(ai.automation_hint)}`);
    if (ai.estimated_time) extra.push(`Estimated time: ${esc(ai.estimated_time)}`);
    if (ai.documentation_url) extra.push(`Documentation: <code>${esc(ai.documentation_url)}</code>`);
    if (ai.fallback) extra.push(`If this does not work: ${esc(ai.fallback)}`);
    if (extra.length > 0) parts.push(`<p class="muted">${extra.join('<br>')}</p>`);
  } else if (info.failedReason !== undefined) {
    parts.push(`<p>${esc(info.failedReason)}</p>`);
  }
  if (info.destinations.length > 0) {
    parts.push(
      `<p class="muted">Stored in: ${info.destinations.map((d) => `<code>${esc(d)}</code>`).join(', ')} ` +
        `and recorded (as a hash) in the lockfile.</p>`,
    );
  }
  if (info.validation !== undefined) {
    parts.push(`<p class="muted">Expected format (regular expression): <code>${esc(info.validation)}</code></p>`);
  }
  parts.push(
    `<form method="post" action="${esc(action)}" autocomplete="off">` +
      `<input type="hidden" name="csrf" value="${esc(csrf)}">` +
      `<label for="value">Value of ${esc(info.name)}</label>` +
      (error !== undefined ? `<p class="error" role="alert">${esc(error)}</p>` : '') +
      `<input type="password" id="value" name="value" required autocomplete="off" autocapitalize="off" ` +
      `spellcheck="false" autofocus>` +
      `<button type="submit">Store</button></form>`,
  );
  return layout(`Enter ${info.name}`, parts.join('\n'));
}
