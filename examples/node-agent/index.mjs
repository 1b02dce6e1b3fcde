#!/usr/bin/env node
// An AI-agent integration of SecretZero in Node — the "Integrating with AI Agent Workflows"
// example of the agent-sync guide, done with the package API instead of a subprocess:
//
//   1. syncProject(): generate and store every secret that needs no person;
//   2. route each pending secret by its automation level:
//        fully_automated   -> the steps an agent would follow (printed, never executed here)
//        requires_approval -> ask the person; approved: as above, refused: hand it to them
//        semi_automated,
//        manual_only       -> a hand-off link: the person types the value on a one-time local
//                             page; it goes straight into the project, never through this
//                             program (which only learns "stored")
//
// Usage (in a project with a Secretfile.yml, e.g. a copy of examples/quickstart):
//
//   node examples/node-agent/index.mjs [PROJECT_DIR] [--dry-run] [--expires SECONDS]
//
// Exit status: 0 when nothing is left to do, 1 when some secret is still missing.
//
// Steps come from the repository's Secretfile and may be hostile: nothing in them is run.

import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';

const { values: opts, positionals } = parseArgs({
  options: { 'dry-run': { type: 'boolean' }, expires: { type: 'string' } },
  allowPositionals: true,
});
const project = positionals[0] ?? process.cwd();
const expiresInSeconds = opts.expires ? Number(opts.expires) : 600;

// `npm install @secretzero/agent` gives you the package; inside this repository the example
// falls back to the package built by `make build` (pkg/).
async function loadPackage() {
  try {
    return await import('@secretzero/agent');
  } catch (e) {
    if (e?.code !== 'ERR_MODULE_NOT_FOUND') throw e;
    return import(new URL('../../pkg/dist/node.js', import.meta.url).href);
  }
}
const { STEP_TRUST_NOTICE, classifyStep, startHandoff, syncProject } = await loadPackage();

// --- 1. sync ---------------------------------------------------------------------------------
const { report } = await syncProject({ cwd: project, env: process.env, dryRun: opts['dry-run'] === true });

for (const name of report.synced_secrets) console.log(`✅ ${name} is ready${report.dry_run ? ' (dry run)' : ''}`);
for (const name of report.already_synced) console.log(`✅ ${name} was already set up`);
for (const [name, reason] of Object.entries(report.failed_secrets)) console.log(`❌ ${name}: ${reason}`);

// --- 2. route the pending secrets --------------------------------------------------------------
const LABEL = { command: 'command', url: 'open', instruction: 'step' };

/** What an (approved) agent would do. Printed for the record; this example runs nothing. */
function followInstructions(name, pending) {
  console.log(`🤖 ${name}: an approved agent would follow these steps (not run here):`);
  pending.steps.forEach((s, i) => {
    const { kind } = classifyStep(s.action);
    console.log(`   ${i + 1}. [${LABEL[kind]}] ${s.action}`);
    if (s.description) console.log(`      ${s.description}`);
  });
  console.log(`   then supply the result as ${name.toUpperCase()} in the environment and sync again.`);
}

/** Ask the person at the terminal; without one there is nobody to approve. */
async function askApproval(name, pending) {
  if (!process.stdin.isTTY) {
    console.log(`✋ ${name} needs approval (${pending.automation_hint ?? 'policy'}); no one to ask here.`);
    return false;
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question(`✋ ${name}: ${pending.summary}\n   May an agent follow its steps? [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/** Hand the secret to a person: print the one-time link; the value never comes back here. */
async function delegateToUser(name, pending) {
  const h = await startHandoff({ cwd: project, name, env: process.env, expiresInSeconds });
  console.log(`🔗 ${name}: ${pending.summary}`);
  console.log(`   Give this link to the person (works once, until ${h.expiresAt.toISOString()}): ${h.url}`);
  return h;
}

const pendingEntries = Object.entries(report.pending_secrets);
if (pendingEntries.length > 0) console.log(`\n${STEP_TRUST_NOTICE}\n`);

const handoffs = [];
let missing = Object.keys(report.failed_secrets).length;
for (const [name, pending] of pendingEntries) {
  const level = pending.automation_level;
  if (level === 'fully_automated') {
    followInstructions(name, pending);
    missing++;
  } else if (level === 'requires_approval' && (await askApproval(name, pending))) {
    followInstructions(name, pending);
    missing++;
  } else if (report.dry_run) {
    console.log(`🔗 ${name}: would hand this one to a person (${level}).`);
    missing++;
  } else {
    handoffs.push(await delegateToUser(name, pending));
  }
}

// --- 3. wait for the people ------------------------------------------------------------------
if (handoffs.length > 0) {
  console.log(`\n⏳ Waiting for ${handoffs.length} value(s)…`);
  for (const outcome of await Promise.all(handoffs.map((h) => h.done))) {
    if (outcome.status === 'stored') {
      console.log(`✅ ${outcome.name} stored`);
    } else {
      console.log(`❌ ${outcome.name} not stored: ${outcome.reason ?? outcome.status}`);
      missing++;
    }
  }
  await Promise.all(handoffs.map((h) => h.close()));
}
process.exitCode = missing === 0 ? 0 : 1;
