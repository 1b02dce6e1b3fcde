// Type-checked (never run) against the packed package: the ESM face in Node.
import {
  agentSync,
  classifySecret,
  classifyStep,
  collectIdentity,
  formatReport,
  generateSecret,
  init,
  isSecretZeroError,
  parseSecretfile,
  SecretZeroError,
  STEP_TRUST_NOTICE,
  startHandoff,
  syncProject,
  targetFiles,
  validateSecretfile,
  version,
} from '@secretzero/agent';
import type {
  AutomationLevel,
  Diagnostic,
  ErrorCode,
  FileWrite,
  Handoff,
  HandoffOutcome,
  HandoffStatus,
  PendingSecret,
  StepKind,
  SyncReport,
  SyncStatus,
  WrittenFile,
} from '@secretzero/agent';

await init();
const v: string = version();
const parsed = parseSecretfile('secrets: []\n', { env: process.env });
const diags: Diagnostic[] = parsed.diagnostics;
const firstSecret = parsed.secretfile?.secrets?.[0];
if (firstSecret !== undefined) {
  const level: AutomationLevel = classifySecret(firstSecret, { allowScripts: false }).automation_level;
  void level;
}
const valid: boolean = validateSecretfile('secrets: []\n').valid;
const password: string = generateSecret('random_password', { length: 32 });
const plan = targetFiles({ text: '', env: process.env });
const files: string[] = plan.files;

const { report, writes } = agentSync({
  text: 'secrets: []\n',
  env: process.env,
  now: new Date(),
  dryRun: true,
  files: { '.env': null },
  lockfile: null,
});
const status: SyncStatus = report.status;
const pending: Record<string, PendingSecret> = report.pending_secrets;
for (const [name, p] of Object.entries(pending)) {
  const steps: string[] = p.steps.map((s) => `${name}: ${s.action}`);
  void steps;
}
const w: FileWrite | undefined = writes[0];
const text: string = formatReport(report, { format: 'text', color: false, width: 100 });

// @ts-expect-error options are camelCase
agentSync({ text: '', dry_run: true });
// @ts-expect-error the format is "text" or "json"
formatReport(report, { format: 'yaml' });

try {
  const r: { report: SyncReport; files: WrittenFile[] } = await syncProject({
    cwd: '.',
    file: 'Secretfile.yml',
    varFiles: ['dev.szvar'],
    dryRun: true,
  });
  const mode: number | undefined = r.files[0]?.mode;
  void mode;
} catch (e) {
  if (isSecretZeroError(e)) {
    const code: ErrorCode = e.code;
    const line: number | undefined = e.line;
    const all: Diagnostic[] = e.diagnostics;
    void [code, line, all];
  }
  if (e instanceof SecretZeroError) {
    const c: ErrorCode = e.code;
    void c;
  }
}
const id: Record<string, string | number> = collectIdentity({ git: false });
void [v, diags, valid, password, files, status, w, text, id];

// The hand-off and the step classifier.
const handoff: Handoff = await startHandoff({ name: 'stripe_api_key', cwd: '.', expiresInSeconds: 60 });
const link: string = handoff.url;
const outcome: HandoffOutcome = await handoff.done;
const ended: HandoffStatus = handoff.status();
const kind: StepKind = classifyStep('gh auth token').kind;
const notice: string = STEP_TRUST_NOTICE;
// @ts-expect-error a hand-off needs the secret's name
void startHandoff({ cwd: '.' });
void [link, outcome.status, outcome.files?.[0]?.path, ended, kind, notice];
