// Type-checked (never run): the browser face, as a bundler-based app sees it.
import { agentSync, formatReport, init, initSync, isSecretZeroError } from '@secretzero/agent';
// @ts-expect-error syncProject needs a file system: Node entry only
import { syncProject } from '@secretzero/agent';
import type { SyncReport } from '@secretzero/agent';

export async function setup(yaml: string, wasm: BufferSource): Promise<string> {
  await init();
  await init(new URL('/assets/agent_bg.wasm', location.href));
  await init(fetch('/assets/agent_bg.wasm'));
  initSync(wasm);
  try {
    const report: SyncReport = agentSync({ text: yaml, env: {}, dryRun: true }).report;
    return formatReport(report, { format: 'json' });
  } catch (e) {
    return isSecretZeroError(e) ? `${e.code}:${e.line ?? 0}` : 'unknown';
  }
}
void syncProject;
