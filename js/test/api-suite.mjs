// The API suite, run once per way of loading the package (ESM, CommonJS, browser entry):
// api.esm.test.mjs, api.cjs.test.mjs, api.web.test.mjs. Each file is its own process.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { pkgJson } from './helpers.mjs';

const INVALID = 'secrets:\n  - name: db\n    kind: random_password\n  - name: api\n';
const VALID = `secrets:
  - name: db_password
    kind: random_password
    config: {length: 24}
  - name: stripe_key
    kind: static
    agent_instructions:
      summary: Get a key
      steps:
        - action: Visit the dashboard
          description: Create a key
`;

/** Assert `fn` throws a SecretZeroError with `code`, and return it. */
export function assertSzError(api, fn, code) {
  let caught;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught !== undefined, 'expected a throw');
  assert.ok(caught instanceof Error, 'a real Error');
  assert.ok(caught instanceof api.SecretZeroError, 'instanceof SecretZeroError');
  assert.ok(api.isSecretZeroError(caught));
  assert.equal(caught.name, 'SecretZeroError');
  assert.equal(caught.code, code, `${caught.code}: ${caught.message}`);
  assert.equal(typeof caught.message, 'string');
  assert.ok(Array.isArray(caught.diagnostics));
  assert.equal(typeof caught.stack, 'string');
  return caught;
}

export function apiSuite(name, load) {
  describe(`API through ${name}`, async () => {
    const api = await load();

    test('version() is the package version', () => {
      assert.equal(api.version(), pkgJson.version);
    });

    test('parseSecretfile returns the model and positioned diagnostics', () => {
      const r = api.parseSecretfile(VALID);
      assert.equal(r.valid, true);
      assert.deepEqual(r.diagnostics, []);
      assert.deepEqual(
        r.secretfile.secrets.map((s) => [s.name, s.kind]),
        [
          ['db_password', 'random_password'],
          ['stripe_key', 'static'],
        ],
      );
      // Plain objects, not Maps (the report and model are JSON-shaped).
      assert.equal(Object.getPrototypeOf(r.secretfile), Object.prototype);
      assert.equal(r.secretfile.secrets[0].config.length, 24);
    });

    test('validateSecretfile reports a missing field with line and column', () => {
      const r = api.validateSecretfile(INVALID);
      assert.equal(r.valid, false);
      assert.equal(r.errors, 1);
      const d = r.diagnostics.find((x) => x.severity === 'error');
      assert.equal(d.code, 'MISSING_FIELD');
      assert.equal(d.line, 4);
      assert.equal(typeof d.column, 'number');
      assert.equal(d.path, 'secrets[1].kind');
    });

    test('interpolation uses the env option only (the core never reads process.env)', () => {
      const text = 'variables:\n  x: ${SZ_TEST_VAR:-fallback}\nsecrets: []\n';
      process.env.SZ_TEST_VAR = 'from-process';
      try {
        assert.equal(api.parseSecretfile(text).secretfile.variables.x, 'fallback');
        assert.equal(
          api.parseSecretfile(text, { env: { SZ_TEST_VAR: 'given' } }).secretfile.variables.x,
          'given',
        );
      } finally {
        delete process.env.SZ_TEST_VAR;
      }
    });

    test('classifySecret: generator automatic, instructions pending', () => {
      const sf = api.parseSecretfile(VALID).secretfile;
      const db = api.classifySecret(sf.secrets[0]);
      assert.equal(db.name, 'db_password');
      assert.equal(db.outcome, 'automatic');
      assert.equal(db.automation_level, 'fully_automated');
      const stripe = api.classifySecret(sf.secrets[1], { secretfile: sf });
      assert.equal(stripe.outcome, 'pending');
      const supplied = api.classifySecret(sf.secrets[1], { env: { STRIPE_KEY: 'x' } });
      assert.equal(supplied.outcome, 'automatic');
    });

    test('wrong argument types throw USAGE and the instance stays usable', () => {
      const cases = [
        () => api.parseSecretfile(42),
        () => api.parseSecretfile(null),
        () => api.validateSecretfile('a: 1', { env: { X: 1 } }),
        () => api.validateSecretfile('a: 1', { varFiles: 'dev.szvar' }),
        () => api.classifySecret('db'),
        () => api.generateSecret(7),
        () => api.agentSync(),
        () => api.agentSync({ text: 1 }),
        () => api.agentSync({ text: '', dryRun: 'yes' }),
        () => api.agentSync({ text: '', now: new Date(NaN) }),
        () => api.targetFiles({ text: '', files: { '.env': 3 } }),
        () => api.formatReport(null),
        () => api.formatReport({}, { format: 'yaml' }),
        () => api.formatReport({}, { width: -1 }),
      ];
      for (const c of cases) {
        const e = assertSzError(api, c, 'USAGE');
        assert.equal(e.line, undefined);
      }
      assert.equal(api.validateSecretfile(VALID).valid, true);
    });

    test('misspelt option names are refused, with the camelCase spelling', () => {
      const e = assertSzError(api, () => api.agentSync({ text: '', dry_run: true }), 'USAGE');
      assert.match(e.message, /dry_run/);
      assert.match(e.message, /dryRun/);
      assertSzError(api, () => api.parseSecretfile('', { enviroment: {} }), 'USAGE');
    });

    test('argument errors never echo values', () => {
      const secret = 'hunter2-do-not-print';
      const e = assertSzError(
        api,
        () => api.agentSync({ text: '', values: { db: 42 }, env: { A: secret, B: 5 } }),
        'USAGE',
      );
      assert.ok(!e.message.includes(secret));
      assert.ok(!JSON.stringify(e).includes(secret));
    });

    test('SecretZeroError serialises to {name, code, message, line, column, diagnostics}', () => {
      const e = assertSzError(api, () => api.parseSecretfile(1), 'USAGE');
      const j = JSON.parse(JSON.stringify(e));
      assert.deepEqual(Object.keys(j), ['name', 'code', 'message', 'line', 'column', 'diagnostics']);
      assert.equal(j.line, null);
    });

    test('formatReport json round-trips a report', () => {
      const report = {
        status: 'pending_manual',
        synced_secrets: ['db'],
        already_synced: [],
        pending_secrets: { k: { summary: 'Get it', steps: [{ action: 'a', description: 'd', required: true }] } },
        failed_secrets: {},
        automation_summary: {
          fully_synced: 1,
          already_synced: 0,
          requires_intervention: 1,
          failed: 0,
          by_level: { fully_automated: 1, semi_automated: 1, manual_only: 0, requires_approval: 0 },
        },
        sync_results: {},
        dry_run: false,
        sz_agent: false,
        resolved_mode: 'auto',
        web_url: null,
        web_session_id: null,
        selected_environment: null,
        resolved_var_files: [],
        resolved_lockfile: '.gitsecrets.lock',
        resolved_target_profile: null,
        warnings: [],
      };
      const text = api.formatReport(report, { format: 'json' });
      assert.ok(text.endsWith('\n'));
      assert.deepEqual(JSON.parse(text), report);
      assert.match(text, /\n {2}"status": "pending_manual",\n/);
      const human = api.formatReport(report);
      assert.equal(typeof human, 'string');
      assert.ok(human.length > 0);
    });

    test('an invalid Secretfile makes agentSync throw with positions and diagnostics', () => {
      const e = assertSzError(api, () => api.agentSync({ text: INVALID }), 'MISSING_FIELD');
      assert.equal(e.line, 4);
      assert.equal(typeof e.column, 'number');
      assert.ok(e.diagnostics.some((d) => d.code === 'MISSING_FIELD' && d.line === 4));
    });

    test('agentSync: report plus writes, values only in writes', () => {
      const text = `secrets:
  - name: db_password
    kind: random_password
    config: {length: 40, special: false}
    targets:
      - {provider: local, kind: file, config: {path: .env, format: dotenv}}
`;
      const { report, writes } = api.agentSync({ text, files: { '.env': null } });
      assert.deepEqual(report.synced_secrets, ['db_password']);
      assert.equal(report.status, 'complete');
      const env = writes.find((w) => w.path === '.env');
      assert.ok(env, 'writes .env');
      assert.equal(env.secret, true);
      assert.equal(env.role, 'target');
      const value = /^db_password=("?)(.+)\1$/m.exec(env.contents)?.[2];
      assert.equal(value?.length, 40);
      assert.ok(!JSON.stringify(report).includes(value), 'no value in the report');
      const lock = writes.at(-1);
      assert.equal(lock.role, 'lockfile');
      assert.ok(!lock.contents.includes(value), 'no value in the lockfile');
      const dry = api.agentSync({ text, files: { '.env': null }, dryRun: true });
      assert.equal(dry.report.dry_run, true);
      assert.deepEqual(dry.writes, []);
    });


    test('formatDiagnostics: FILE:LINE:COL lines with hints', () => {
      const { diagnostics } = api.validateSecretfile(INVALID);
      const text = api.formatDiagnostics('Secretfile.yml', diagnostics);
      assert.match(text, /^Secretfile\.yml:4:\d+: error\[MISSING_FIELD\]: /m);
      assert.doesNotMatch(text, /\u001b\[/);
      assert.match(api.formatDiagnostics('x', diagnostics, { color: true }), /\u001b\[/);
      assertSzError(api, () => api.formatDiagnostics('x', 'nope'), 'USAGE');
    });

    test('secretfileSchema: a JSON Schema object', () => {
      const schema = api.secretfileSchema();
      assert.equal(typeof schema, 'object');
      assert.ok(JSON.stringify(schema).includes('agent_instructions'));
    });

    test('planScripts: nothing without allowScripts or under dry-run', () => {
      const text = 'secrets:\n  - name: s\n    kind: script\n    config: {command: echo, args: [hi]}\n';
      assert.deepEqual(api.planScripts({ text }).scripts, []);
      assert.deepEqual(api.planScripts({ text, allowScripts: true, dryRun: true }).scripts, []);
      const [s] = api.planScripts({ text, allowScripts: true }).scripts;
      assert.deepEqual([s.name, s.command, s.args, s.shell], ['s', 'echo', ['hi'], false]);
      assert.deepEqual(api.planScripts({ text, allowScripts: true, env: { S: 'given' } }).scripts, []);
    });

    test('generateSecret: lengths, charsets, uuid v4, fresh values', () => {
      const a = api.generateSecret('random_password', { length: 48 });
      const b = api.generateSecret('random_password', { length: 48 });
      assert.equal(a.length, 48);
      assert.notEqual(a, b);
      const hex = api.generateSecret('random_string', { length: 64, charset: 'hex' });
      assert.match(hex, /^[0-9a-f]{64}$/);
      const uuids = new Set(Array.from({ length: 200 }, () => api.generateSecret('uuid')));
      assert.equal(uuids.size, 200);
      for (const u of uuids) assert.match(u, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assertSzError(api, () => api.generateSecret('random_password', { upper: false, lower: false, number: false, special: false }), 'UNSATISFIABLE_GENERATOR');
    });
  });
}
