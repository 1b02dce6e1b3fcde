// Type-checked (never run): the CommonJS face (`require`) in Node.
import agent = require('@secretzero/agent');

const version: string = agent.version();
const r = agent.validateSecretfile('secrets: []\n');
const n: number = r.errors;
function onError(e: unknown): string | undefined {
  return agent.isSecretZeroError(e) ? e.code : undefined;
}
void agent.syncProject({ dryRun: true }).then((res) => res.report.status);
void [version, n, onError];
void agent.startHandoff({ name: 'stripe_api_key' }).then((h) => h.done).then((o) => o.status);
const stepKind: 'command' | 'url' | 'instruction' = agent.stepKind('curl https://example.com');
void stepKind;
