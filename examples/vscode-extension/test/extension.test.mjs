// The VS Code extension, against the packed package (CommonJS entry):
//
// 1. it compiles with `tsc --strict` (plus exactOptionalPropertyTypes, noUncheckedIndexedAccess)
//    against @types/vscode and the package's shipped .d.ts;
// 2. its pure logic (diagnostics -> ranges, report -> tree items, debouncing) is tested with
//    the real core's output;
// 3. activate() runs against a small stand-in for the `vscode` module (test/vscode-stub.cjs):
//    diagnostics appear as a Secretfile is typed, the tree shows the pending secrets, the sync
//    commands write the project and print the report, and an entered value reaches the
//    targets without ever reaching the output channel or a message.
//
// The extension is copied to target/surfaces/vscode-extension with the installed package
// linked into its node_modules, as `npm install` would.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { parse as parseDotenv } from 'dotenv';

const here = path.dirname(fileURLToPath(import.meta.url));
const src = path.resolve(here, '..');
const root = path.resolve(src, '../..');
const installed = path.join(root, 'target/consumer/node_modules/@secretzero/agent');
const dir = path.join(root, 'target/surfaces/vscode-extension');
const quickstart = path.join(root, 'examples/quickstart/Secretfile.yml');

let require;
let ranges;
let tree;
let debounce;
let sz;

before(() => {
  assert.ok(fs.existsSync(path.join(installed, 'package.json')), 'run scripts/consumer.mjs first');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'node_modules/@secretzero'), { recursive: true });
  for (const f of ['package.json', 'tsconfig.json', 'src']) fs.cpSync(path.join(src, f), path.join(dir, f), { recursive: true });
  fs.symlinkSync(installed, path.join(dir, 'node_modules/@secretzero/agent'), 'dir');
  // @types/vscode, @types/node and typescript come from the repository's node_modules (above).
  const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', dir], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    assert.fail(`tsc --strict failed:\n${e.stdout}${e.stderr}`);
  }
  // After tsc: a `vscode` module for the activation tests.
  fs.mkdirSync(path.join(dir, 'node_modules/vscode'), { recursive: true });
  fs.copyFileSync(path.join(here, 'vscode-stub.cjs'), path.join(dir, 'node_modules/vscode/index.js'));
  require = createRequire(path.join(dir, 'out/extension.js'));
  ranges = require('./logic/ranges.js');
  tree = require('./logic/tree.js');
  debounce = require('./logic/debounce.js');
  sz = require('@secretzero/agent');
});

describe('logic: diagnostics -> ranges', () => {
  test('a span after non-ASCII text: UTF-16 columns, exact token', () => {
    const text = 'secrets:\n  - name: a\n    kind: random_password\n    config: {note: "🔑é", length: "24"}\n';
    const { diagnostics } = sz.validateSecretfile(text);
    const wrong = diagnostics.find((d) => d.code === 'WRONG_TYPE');
    assert.ok(wrong, JSON.stringify(diagnostics));
    const r = ranges.toEditorDiagnostic(wrong, text);
    const line = text.split('\n')[r.start.line];
    assert.equal(r.start.line, 3);
    assert.equal(r.end.line, 3);
    assert.equal(line.slice(r.start.character, r.end.character), '"24"');
    assert.equal(r.severity, 'error');
    assert.equal(r.code, 'WRONG_TYPE');
    assert.match(r.message, /at secrets\[0\]\.config\.length/);
    // The unknown generator option `note` is a warning on its key; `"24"` above sits after the
    // surrogate pair, so its range already proves the UTF-16 columns.
    const unknown = ranges.toEditorDiagnostics(diagnostics, text).find((d) => d.code === 'UNKNOWN_KEY');
    assert.ok(unknown);
    assert.equal(unknown.severity, 'warning');
    assert.equal(line.slice(unknown.start.character, unknown.end.character), 'note');
  });

  test('every diagnostic of every fixture gets a non-empty range inside the text', () => {
    const fixtures = path.join(root, 'tests/fixtures');
    let count = 0;
    for (const name of fs.readdirSync(fixtures)) {
      const file = path.join(fixtures, name, 'Secretfile.yml');
      if (!fs.existsSync(file)) continue;
      const text = fs.readFileSync(file, 'utf8');
      const lines = text.split(/\r\n|\r|\n/);
      for (const d of ranges.toEditorDiagnostics(sz.validateSecretfile(text).diagnostics, text)) {
        count += 1;
        assert.ok(d.start.line >= 0 && d.end.line < lines.length, `${name}: ${JSON.stringify(d)}`);
        assert.ok(d.start.character <= lines[d.start.line].length, `${name}: ${JSON.stringify(d)}`);
        assert.ok(d.end.character <= lines[d.end.line].length, `${name}: ${JSON.stringify(d)}`);
        const empty = d.start.line === d.end.line && d.start.character === d.end.character;
        assert.ok(!empty || lines[d.start.line].length === 0, `${name}: empty range ${JSON.stringify(d)}`);
      }
    }
    assert.ok(count >= 20, `only ${count} diagnostics in the fixtures`);
  });

  test('without a span: line and scalar column become UTF-16; without a line: the first line', () => {
    const text = 'a: 1\nb: "🔑" x\n';
    const r = ranges.toEditorDiagnostic({ code: 'INVALID_VALUE', severity: 'error', message: 'm', line: 2, column: 8 }, text);
    assert.deepEqual([r.start, r.end], [{ line: 1, character: 8 }, { line: 1, character: 9 }]);
    assert.equal(text.split('\n')[1].slice(8, 9), 'x');
    const w = ranges.toEditorDiagnostic({ code: 'YAML_PARSE', severity: 'error', message: 'm' }, text);
    assert.deepEqual([w.start, w.end], [{ line: 0, character: 0 }, { line: 0, character: 4 }]);
    // A YAML syntax error from the core is placed inside the text.
    const bad = 'secrets:\n  - name: [unclosed\n';
    const d = sz.validateSecretfile(bad).diagnostics[0];
    const yr = ranges.toEditorDiagnostic(d, bad);
    assert.ok(yr.start.line >= 1 && yr.start.line <= 2, JSON.stringify([d, yr]));
  });

  test('which files are Secretfiles', () => {
    for (const f of ['/p/Secretfile.yml', 'C:\\p\\Secretfile.prod.yaml', 'Secretfile.yaml']) assert.ok(ranges.isSecretfile(f), f);
    for (const f of ['/p/secrets.yml', '/p/Secretfile', '/p/Secretfile.yml.bak', '/Secretfile.yml/x.json']) assert.ok(!ranges.isSecretfile(f), f);
  });
});

describe('logic: report -> tree', () => {
  test('pending secrets with steps, prerequisites, time and docs; ready names; never a value', () => {
    const text = fs.readFileSync(quickstart, 'utf8');
    const { files } = sz.targetFiles({ text });
    const { report, writes } = sz.agentSync({ text, files: Object.fromEntries(files.map((f) => [f, null])) });
    const nodes = tree.reportTree(report);
    assert.deepEqual(
      nodes.map((n) => n.label),
      ['Needs you (2)', 'Ready (4)'],
    );
    const [pending, ready] = nodes;
    assert.deepEqual(
      pending.children.map((n) => [n.label, n.description, n.kind]),
      [
        ['stripe_api_key', 'manual only', 'pending'],
        ['github_oauth_client_secret', 'semi automated', 'pending'],
      ],
    );
    const stripe = pending.children[0];
    assert.equal(stripe.tooltip, 'Sign up for Stripe and generate API key');
    assert.deepEqual(
      stripe.children.filter((n) => n.kind === 'step').map((n) => [n.label, n.tooltip]),
      [
        ['1. Visit https://dashboard.stripe.com/register', 'Create a Stripe account'],
        ['2. Navigate to Developers > API Keys', 'Access API key management'],
        ["3. Click 'Create secret key'", 'Generate a new secret key'],
        ['4. Copy the key (starts with sk_)', 'Save securely – shown only once'],
      ],
    );
    const docs = stripe.children.find((n) => n.kind === 'docs');
    assert.equal(docs.url, 'https://stripe.com/docs/keys');
    assert.ok(stripe.children.some((n) => n.label === 'Estimated time: 5-10 minutes'));
    const github = pending.children[1];
    assert.deepEqual(
      github.children[0].children.map((n) => n.label),
      ['A GitHub account with access to the organisation'],
    );
    assert.deepEqual(
      ready.children.map((n) => [n.label, n.description]),
      [
        ['database_password', 'synced now'],
        ['session_secret', 'synced now'],
        ['instance_id', 'synced now'],
        ['app_name', 'synced now'],
      ],
    );
    // Ids are unique.
    const ids = [];
    const walk = (ns) => ns.forEach((n) => (ids.push(n.id), walk(n.children)));
    walk(nodes);
    assert.equal(new Set(ids).size, ids.length);
    // No generated value is anywhere in the tree.
    const env = parseDotenv(writes.find((w) => w.path === '.env').contents);
    const json = JSON.stringify(nodes);
    for (const v of Object.values(env)) assert.ok(!json.includes(v));
    assert.equal(tree.summaryLine(report), 'SecretZero: 4 synced, 2 need you.');
  });

  test('nothing pending: one "every secret is set up" node; dry runs say so', () => {
    const text = 'secrets:\n  - {name: a, kind: uuid}\n';
    const { report } = sz.agentSync({ text, files: { '.env': null }, dryRun: true });
    assert.deepEqual(
      tree.reportTree(report).map((n) => [n.label, n.kind]),
      [
        ['Every secret is set up', 'empty'],
        ['Ready (1)', 'group'],
      ],
    );
    assert.equal(tree.reportTree(report)[1].children[0].description, 'would be generated');
    assert.equal(tree.summaryLine(report), 'SecretZero (dry run): 1 would be synced.');
  });

  test('failed secrets are listed with their reason', () => {
    const text = 'secrets:\n  - name: k\n    kind: static\n    config: {validation: "^sk_"}\n';
    const { report } = sz.agentSync({ text, files: { '.env': null }, values: { k: 'nope' } });
    const failed = tree.reportTree(report).find((n) => n.id === 'failed');
    assert.equal(failed.children[0].label, 'k');
    assert.match(failed.children[0].description, /validation/);
  });
});

describe('logic: debouncing', () => {
  test('runs once per key after the last call', async () => {
    const calls = [];
    const d = new debounce.Debouncer(30, (k) => calls.push(k));
    d.schedule('a');
    d.schedule('a');
    d.schedule('b');
    d.schedule('a');
    d.schedule('c');
    d.cancel('c');
    await new Promise((r) => setTimeout(r, 80));
    assert.deepEqual(calls.sort(), ['a', 'b']);
    d.dispose();
  });
});

describe('extension: activate() against a vscode stand-in', () => {
  let vscode;
  let ext;
  let project;
  const context = { subscriptions: [] };

  before(() => {
    project = fs.mkdtempSync(path.join(os.tmpdir(), 'sz-vscode-'));
    fs.copyFileSync(quickstart, path.join(project, 'Secretfile.yml'));
    vscode = require('vscode');
    vscode.__test.state.folders.push(project);
    ext = require('./extension.js');
    ext.activate(context);
  });

  after(() => {
    for (const s of context.subscriptions) s.dispose?.();
    fs.rmSync(project, { recursive: true, force: true });
  });

  const settle = (ms = 50) => new Promise((r) => setTimeout(r, ms));
  async function until(check, what) {
    for (let i = 0; i < 200; i += 1) {
      if (check()) return;
      await settle(25);
    }
    assert.fail(`timed out waiting for ${what}`);
  }
  const roots = () => vscode.__test.state.trees.get('secretzero.pending').getChildren();

  test('registers the commands the manifest contributes', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(src, 'package.json'), 'utf8'));
    const contributed = manifest.contributes.commands.map((c) => c.command).sort();
    assert.deepEqual([...vscode.__test.state.commands.keys()].sort(), contributed);
    const titles = Object.fromEntries(manifest.contributes.commands.map((c) => [c.command, `${c.category}: ${c.title}`]));
    assert.equal(titles['secretzero.agentSync'], 'SecretZero: Agent Sync');
    assert.equal(titles['secretzero.agentSyncDryRun'], 'SecretZero: Agent Sync (Dry Run)');
    assert.deepEqual(manifest.contributes.yamlValidation[0], {
      fileMatch: 'Secretfile*.yml',
      url: './node_modules/@secretzero/agent/secretfile.schema.json',
    });
    assert.ok(fs.existsSync(path.join(dir, manifest.contributes.yamlValidation[0].url)));
  });

  test('the tree shows the pending secrets after activation (a dry run: nothing written)', async () => {
    await until(() => roots().length > 0, 'the tree');
    assert.deepEqual(
      roots().map((n) => n.label),
      ['Needs you (2)', 'Ready (4)'],
    );
    assert.deepEqual(fs.readdirSync(project), ['Secretfile.yml']);
    const item = vscode.__test.state.trees.get('secretzero.pending').getTreeItem(roots()[0].children[0]);
    assert.equal(item.label, 'stripe_api_key');
    assert.equal(item.contextValue, 'pending');
  });

  test('diagnostics follow the typing, debounced, with exact ranges', async () => {
    const file = path.join(project, 'Secretfile.yml');
    const doc = vscode.__test.open(file, 'secrets:\n  - name: a\n    kind: uuid\n');
    const diags = () => vscode.__test.state.diagnostics.get(doc.uri.toString());
    assert.deepEqual(diags(), []); // checked at once when opened
    const broken = 'secrets:\n  - name: a\n    kind: random_password\n    config: {length: "24"}\n';
    vscode.__test.edit(doc, broken.slice(0, 20));
    vscode.__test.edit(doc, broken);
    await settle(100);
    assert.deepEqual(diags(), []); // not yet: 300 ms debounce
    await settle(350);
    const [d] = diags();
    assert.equal(d.code, 'WRONG_TYPE');
    assert.equal(d.source, 'secretzero');
    assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
    assert.deepEqual([d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character], [3, 21, 3, 25]);
    assert.equal(broken.split('\n')[3].slice(21, 25), '"24"');
    vscode.__test.close(doc);
    assert.equal(diags(), undefined);
    // Other YAML files are left alone.
    const other = vscode.__test.open(path.join(project, 'values.yml'), 'a: [');
    assert.equal(vscode.__test.state.diagnostics.get(other.uri.toString()), undefined);
  });

  test('Agent Sync (Dry Run) prints the report and writes nothing', async () => {
    vscode.__test.state.output.length = 0;
    await vscode.commands.executeCommand('secretzero.agentSyncDryRun');
    const out = vscode.__test.state.output.join('');
    assert.match(out, /secretzero agent sync --dry-run/);
    assert.match(out, /stripe_api_key/);
    assert.deepEqual(fs.readdirSync(project).sort(), ['Secretfile.yml']);
    assert.deepEqual(vscode.__test.state.messages.at(-1), ['info', 'SecretZero (dry run): 4 would be synced, 2 need you.']);
  });

  test('Agent Sync writes the targets; an entered value goes to them and nowhere else', async () => {
    await vscode.commands.executeCommand('secretzero.agentSync');
    assert.deepEqual(fs.readdirSync(project).sort(), ['.env', '.gitsecrets.lock', 'Secretfile.yml', 'config.json']);
    assert.deepEqual(vscode.__test.state.messages.at(-1), ['info', 'SecretZero: 4 synced, 2 need you.']);

    const stripeNode = roots()[0].children.find((n) => n.secret === 'stripe_api_key');
    const bad = `pk_${randomBytes(8).toString('hex')}`;
    vscode.__test.state.answers.push(bad);
    await vscode.commands.executeCommand('secretzero.enterValue', stripeNode);
    assert.equal(vscode.__test.state.inputBoxes.at(-1).password, true);
    assert.equal(vscode.__test.state.messages.at(-1)[0], 'error');
    assert.match(vscode.__test.state.messages.at(-1)[1], /stripe_api_key not saved: .*validation/);

    const good = `sk_live_${randomBytes(12).toString('hex')}`;
    vscode.__test.state.answers.push(good);
    await vscode.commands.executeCommand('secretzero.enterValue', stripeNode);
    assert.deepEqual(vscode.__test.state.messages.at(-1), ['info', 'SecretZero: stripe_api_key saved to its targets.']);
    const env = parseDotenv(fs.readFileSync(path.join(project, '.env')));
    assert.equal(env.STRIPE_API_KEY, good);
    assert.deepEqual(
      roots()[0].children.map((n) => n.secret),
      ['github_oauth_client_secret'],
    );

    // Cancelling the input box does nothing.
    vscode.__test.state.answers.push(undefined);
    await vscode.commands.executeCommand('secretzero.enterValue', roots()[0].children[0]);
    assert.equal(fs.readFileSync(path.join(project, '.env'), 'utf8').includes('GITHUB_OAUTH_CLIENT_SECRET='), false);

    const shown = JSON.stringify([vscode.__test.state.output, vscode.__test.state.messages, vscode.__test.state.diagnostics.size]);
    for (const v of [good, bad, env.DATABASE_PASSWORD, env.SESSION_SECRET]) {
      assert.ok(!shown.includes(v), 'a value reached the output channel or a message');
    }
  });

  test('the docs node opens its link', async () => {
    const docs = roots()[0].children[0].children.find((n) => n.kind === 'docs');
    const item = vscode.__test.state.trees.get('secretzero.pending').getTreeItem(docs);
    await vscode.commands.executeCommand(item.command.command, ...item.command.arguments);
    assert.deepEqual(vscode.__test.state.opened, ['https://docs.github.com/apps/oauth-apps']);
  });

  test('an invalid Secretfile: the sync command reports it, the tree says why', async () => {
    fs.writeFileSync(path.join(project, 'Secretfile.yml'), 'secrets:\n  - name: a\n');
    await vscode.commands.executeCommand('secretzero.agentSync');
    assert.equal(vscode.__test.state.messages.at(-1)[0], 'error');
    assert.match(roots()[0].label, /^Cannot sync: /);
    assert.match(vscode.__test.state.output.join(''), /MISSING_FIELD/);
  });
});
