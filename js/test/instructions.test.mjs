// `secretzero agent instructions` and `secretzero schema` through the installed bin, and the
// `agentInstructions` / `formatInstructions` API. Where the reference CLI is installed, the
// JSON document (`{scope, total, secrets}`) must be byte for byte the reference's, concise and
// `--detailed` (ours adds `automation_level` per secret there), pending-only and `--all`.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';

import { cli, loadEsm, noOracle, oracleAsync, root, snapshot, tempDir, tempProject } from './helpers.mjs';

const api = await loadEsm();

describe('secretzero agent instructions', () => {
  test('pending only by default: the rendered instructions, nothing written', () => {
    const dir = tempProject();
    const before = snapshot(dir);
    const r = cli(['agent', 'instructions'], { cwd: dir });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^\nAgent instructions \(2 pending manual secrets\)\n\n─+ stripe_api_key ─+\n {2}Summary: Sign up for Stripe/);
    assert.match(r.stdout, / {4}1\. \[link\] Visit https:\/\/dashboard\.stripe\.com\/register\n {7}Create a Stripe account\n/);
    assert.doesNotMatch(r.stdout, /Docs:/, 'concise by default');
    assert.equal(r.stderr, '');
    assert.deepEqual(snapshot(dir), before);
  });

  test('--json / --format json: {scope, total, secrets} with summary and steps', () => {
    const dir = tempProject();
    const a = cli(['agent', 'instructions', '--json'], { cwd: dir });
    const b = cli(['agent', 'instructions', '--format', 'json'], { cwd: dir });
    assert.equal(a.status, 0, a.stderr);
    assert.equal(a.stdout, b.stdout);
    const doc = JSON.parse(a.stdout);
    assert.deepEqual(Object.keys(doc), ['scope', 'total', 'secrets']);
    assert.equal(doc.scope, 'pending');
    assert.equal(doc.total, 2);
    assert.deepEqual(Object.keys(doc.secrets), ['stripe_api_key', 'github_oauth_client_secret']);
    assert.deepEqual(Object.keys(doc.secrets.stripe_api_key), ['summary', 'steps']);
  });

  test('--all --detailed: every secret with instructions, every field, automation_level', () => {
    const dir = tempProject();
    const doc = JSON.parse(cli(['agent', 'instructions', '--all', '--detailed', '--json'], { cwd: dir }).stdout);
    assert.equal(doc.scope, 'all');
    const s = doc.secrets.stripe_api_key;
    assert.equal(s.documentation_url, 'https://stripe.com/docs/keys');
    assert.equal(s.automation_level, 'manual_only');
    const text = cli(['agent', 'instructions', '--all', '--detailed'], { cwd: dir }).stdout;
    assert.match(text, /\(2 all configured secrets\)/);
    assert.match(text, /\n {2}Docs: https:\/\/stripe\.com\/docs\/keys\n/);
    assert.match(text, /\n {2}Prerequisites:\n {4}• A GitHub account/);
  });

  test('-s filters; an unknown name is a warning on stderr with a suggestion', () => {
    const dir = tempProject();
    const r = cli(['agent', 'instructions', '--json', '-s', 'stripe_api_key', '--secret', 'github_oauth_client_secrt', '-s', 'nope'], { cwd: dir });
    assert.equal(r.status, 0);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(doc.secrets), ['stripe_api_key']);
    assert.match(r.stderr, /warning\[UNKNOWN_REFERENCE\]: `github_oauth_client_secrt` is not a secret/);
    assert.match(r.stderr, /did you mean `github_oauth_client_secret`\?/);
    assert.match(r.stderr, /`nope` is not a secret[^\n]*\n {2}hint: the secrets of this Secretfile: database_password, /);
  });

  test('agrees with agent sync: a stored or supplied value is no longer pending', () => {
    const dir = tempProject();
    const key = 'sk_test_Instructions0123';
    const supplied = JSON.parse(cli(['agent', 'instructions', '--json'], { cwd: dir, env: { STRIPE_API_KEY: key } }).stdout);
    assert.deepEqual(Object.keys(supplied.secrets), ['github_oauth_client_secret']);
    assert.equal(cli(['agent', 'sync'], { cwd: dir, env: { STRIPE_API_KEY: key } }).status, 0);
    const after = JSON.parse(cli(['agent', 'instructions', '--json'], { cwd: dir }).stdout);
    assert.deepEqual(Object.keys(after.secrets), ['github_oauth_client_secret']);
    const all = JSON.parse(cli(['agent', 'instructions', '--json', '--all'], { cwd: dir }).stdout);
    assert.deepEqual(Object.keys(all.secrets), ['stripe_api_key', 'github_oauth_client_secret']);
    // SZ_AGENT changes what a sync reports, not what needs a person.
    const agent = JSON.parse(cli(['agent', 'instructions', '--json'], { cwd: dir, env: { SZ_AGENT: '1' } }).stdout);
    assert.equal(agent.total, 1);
  });

  test('nothing pending: says so (text) or total 0 (JSON)', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'Secretfile.yml'), 'secrets:\n  - name: a\n    kind: uuid\n');
    assert.equal(cli(['agent', 'instructions'], { cwd: dir }).stdout, 'No pending secrets with agent instructions\n');
    assert.equal(cli(['agent', 'instructions', '--all'], { cwd: dir }).stdout, 'No secrets with agent instructions\n');
    assert.deepEqual(JSON.parse(cli(['agent', 'instructions', '--json'], { cwd: dir }).stdout), { scope: 'pending', total: 0, secrets: {} });
  });

  test('an invalid Secretfile: exit 1, one JSON error document under --json', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'Secretfile.yml'), 'secrets:\n  - name: a\n');
    const r = cli(['agent', 'instructions', '--json'], { cwd: dir });
    assert.equal(r.status, 1);
    assert.equal(JSON.parse(r.stdout).error.code, 'MISSING_FIELD');
    const t = cli(['agent', 'instructions'], { cwd: dir });
    assert.equal(t.status, 1);
    assert.match(t.stderr, /^Secretfile\.yml:2:5: error\[MISSING_FIELD\]/m);
  });

  test('the API: agentInstructions + formatInstructions', () => {
    const text = fs.readFileSync(path.join(root, 'examples/quickstart/Secretfile.yml'), 'utf8');
    const files = { '.env': null, 'config.json': null };
    const r = api.agentInstructions({ text, files }, { all: false, secrets: ['stripe_api_key'] });
    assert.equal(r.total, 1);
    assert.equal(r.secrets.stripe_api_key.automation_level, 'manual_only');
    assert.deepEqual(r.warnings, []);
    const json = api.formatInstructions(r, { format: 'json' });
    assert.deepEqual(JSON.parse(json), { scope: 'pending', total: 1, secrets: { stripe_api_key: { summary: r.secrets.stripe_api_key.summary, steps: r.secrets.stripe_api_key.steps } } });
    assert.match(api.formatInstructions(r, { bare: true }), /^\n─+ stripe_api_key ─+\n/);
    assert.throws(() => api.agentInstructions({ text }, { bogus: true }), { code: 'USAGE' });
    assert.throws(() => api.formatInstructions(r, { format: 'yaml' }), { code: 'USAGE' });
  });
});

describe('secretzero schema', () => {
  test('prints the committed secretfile.schema.json', () => {
    const r = cli(['schema']);
    assert.equal(r.status, 0, r.stderr);
    const committed = fs.readFileSync(path.join(root, 'secretfile.schema.json'), 'utf8');
    assert.deepEqual(JSON.parse(r.stdout), JSON.parse(committed));
    assert.equal(r.stdout.trimEnd(), committed.trimEnd());
    assert.equal(JSON.parse(r.stdout).$schema, 'https://json-schema.org/draft/2020-12/schema');
  });
});

// The reference's JSON, byte for byte. Fixtures whose secrets are all classified alike by both
// implementations (script and template secrets differ on purpose: see the README).
const FIXTURES = ['instr-all-fields', 'instr-jinja-rendering', 'instr-render-edge-cases', 'seed-stripe'];

describe('agent instructions against the reference CLI', { skip: noOracle, concurrency: true }, () => {
  for (const fixture of FIXTURES) {
    test(`${fixture}: pending (concise) and --all --detailed`, async () => {
      const dir = tempDir();
      fs.cpSync(path.join(root, 'tests/fixtures', fixture), dir, { recursive: true });
      const [refPending, refAllRun] = await Promise.all([
        oracleAsync(['agent', 'instructions', '--format', 'json'], { cwd: dir }),
        oracleAsync(['agent', 'instructions', '--format', 'json', '--all', '--detailed'], { cwd: dir }),
      ]);
      assert.equal(refPending.status, 0, refPending.stderr);
      assert.equal(cli(['agent', 'instructions', '--format', 'json'], { cwd: dir }).stdout, refPending.stdout);

      const refAll = JSON.parse(refAllRun.stdout);
      const ours = JSON.parse(cli(['agent', 'instructions', '--json', '--all', '--detailed'], { cwd: dir }).stdout);
      for (const s of Object.values(ours.secrets)) {
        assert.ok(['fully_automated', 'semi_automated', 'manual_only', 'requires_approval'].includes(s.automation_level));
        delete s.automation_level;
      }
      assert.deepEqual(ours, refAll);
    });
  }

  test('the reference reads our lockfile the same way (quickstart after our sync, -s filter)', async () => {
    const dir = tempProject();
    assert.equal(cli(['agent', 'sync'], { cwd: dir, env: { STRIPE_API_KEY: 'sk_test_Ref0123456789' } }).status, 0);
    const args = ['agent', 'instructions', '--format', 'json', '-s', 'stripe_api_key', '-s', 'github_oauth_client_secret'];
    const ref = await oracleAsync(args, { cwd: dir });
    assert.equal(cli(args, { cwd: dir }).stdout, ref.stdout);
    assert.deepEqual(Object.keys(JSON.parse(ref.stdout).secrets), ['github_oauth_client_secret']);
  });
});
