// AWS SSM Parameter Store and Secrets Manager targets against a real AWS API on 127.0.0.1
// (moto in server mode, see moto.mjs), through the installed package: sync, read back with the
// SDK, lockfile, rerun, an unreachable provider, a store that fails mid-way, dry-run, drift
// (`secretzero status`), lazy loading of the SDK, and the reference CLI's lockfile interop.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { parseDotenv } from './dotenv.mjs';
import { cli, consumer, loadEsm, tempDir } from './helpers.mjs';
import { REFERENCE_CLI, freePort, motoMissing, startMoto } from './moto.mjs';

// The SDK warns about Node 20 on every client; not what these tests are about.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const sha256 = (s) => createHash('sha256').update(s, 'utf8').digest('hex');
const skip = motoMissing();
if (skip) console.log(`# SKIP AWS tests: ${skip}`);

/** Equal secret values, without printing them when they differ. */
function same(a, b, what) {
  assert.ok(typeof a === 'string' && a !== '' && a === b, `${what}: values differ (not shown)`);
}

const readEnvFile = (dir) => parseDotenv(fs.readFileSync(path.join(dir, '.env'), 'utf8'));
const readLock = (dir) => JSON.parse(fs.readFileSync(path.join(dir, '.gitsecrets.lock'), 'utf8'));

function project(text) {
  const dir = tempDir('sz-aws-');
  fs.writeFileSync(path.join(dir, 'Secretfile.yml'), text);
  return dir;
}

const MAIN = (p) => `version: '1.0'
providers:
  aws:
    kind: aws
    auth:
      kind: static
      config:
        access_key_id: \${TEST_KEY_ID}
        secret_access_key: \${TEST_SECRET}
        region: us-east-1
    config:
      endpoint_url: \${MOTO_URL}
  aws_eu:
    kind: aws
    auth:
      kind: ambient
    config:
      region: eu-west-1
      endpoint_url: \${MOTO_URL}
secrets:
  - name: db_password
    kind: random_password
    config: {length: 24}
    targets:
      - provider: aws
        kind: ssm_parameter
        config: {name: /${p}/db_password}
      - provider: local
        kind: file
        config: {path: .env}
  - name: api_token
    kind: random_string
    config: {length: 32}
    targets:
      - provider: aws_eu
        kind: secrets_manager
        config: {name: ${p}/api_token, description: API token for the app}
      - provider: local
        kind: file
        config: {path: .env}
  - name: feature_flag
    kind: static
    config: {default: 'on'}
    targets:
      - provider: aws
        kind: ssm_parameter
        config: {name: /${p}/feature_flag, type: String, description: a plain flag}
  - name: service_account
    kind: static
    config:
      default: '{"token": "tok-123", "user": "svc"}'
    targets:
      - provider: aws
        kind: secrets_manager
        config: {name: ${p}/service_token, value_field: token}
`;

describe('AWS targets against moto', { skip }, () => {
  let moto;
  let api;
  let sdk;
  let env;
  let ssm;
  let smUs;
  let smEu;
  before(async () => {
    moto = await startMoto();
    api = await loadEsm();
    const downPort = await freePort(); // nobody listens there: connection refused
    env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      MOTO_URL: moto.url,
      DOWN_URL: `http://127.0.0.1:${downPort}`,
      TEST_KEY_ID: 'AKIATESTSTATICKEY001',
      TEST_SECRET: 'static-secret-for-moto',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
    };
    sdk = {
      ssm: await import('@aws-sdk/client-ssm'),
      sm: await import('@aws-sdk/client-secrets-manager'),
    };
    const base = { endpoint: moto.url, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } };
    ssm = new sdk.ssm.SSMClient({ ...base, region: 'us-east-1' });
    smUs = new sdk.sm.SecretsManagerClient({ ...base, region: 'us-east-1' });
    smEu = new sdk.sm.SecretsManagerClient({ ...base, region: 'eu-west-1' });
  });
  after(async () => {
    for (const c of [ssm, smUs, smEu]) c?.destroy();
    await moto?.stop();
  });

  const param = async (Name) =>
    (await ssm.send(new sdk.ssm.GetParameterCommand({ Name, WithDecryption: true }))).Parameter;
  const secret = async (client, SecretId) =>
    (await client.send(new sdk.sm.GetSecretValueCommand({ SecretId }))).SecretString;
  const noParam = async (Name) =>
    assert.rejects(param(Name), (e) => e.name === 'ParameterNotFound');

  it('sync stores SSM parameters and Secrets Manager secrets; lockfile; rerun; drift', async () => {
    const dir = project(MAIN('main'));
    const r = await api.syncProject({ cwd: dir, env });
    assert.equal(r.report.status, 'complete', JSON.stringify(r.report.failed_secrets));
    assert.deepEqual(r.report.synced_secrets, ['db_password', 'api_token', 'feature_flag', 'service_account']);
    assert.deepEqual(
      r.stores.map((s) => `${s.status} ${s.target_id}`),
      [
        'stored aws/ssm_parameter//main/db_password',
        'stored aws_eu/secrets_manager/main/api_token',
        'stored aws/ssm_parameter//main/feature_flag',
        'stored aws/secrets_manager/main/service_token',
      ],
    );
    assert.deepEqual(r.files.map((f) => `${f.action} ${f.path}`), ['created .env', 'created .gitsecrets.lock']);

    // Read back with the SDK: values, and the reference's defaults.
    const dotenv = readEnvFile(dir);
    const db = await param('/main/db_password');
    same(db.Value, dotenv.db_password, 'SSM /main/db_password vs .env');
    assert.equal(db.Type, 'SecureString');
    const described = await ssm.send(
      new sdk.ssm.DescribeParametersCommand({
        ParameterFilters: [{ Key: 'Name', Values: ['/main/db_password', '/main/feature_flag'] }],
      }),
    );
    const meta = Object.fromEntries(described.Parameters.map((p) => [p.Name, p]));
    assert.equal(meta['/main/db_password'].Description, 'Managed by SecretZero: db_password');
    assert.equal(meta['/main/db_password'].Tier, 'Standard');
    assert.equal(meta['/main/feature_flag'].Description, 'a plain flag');
    const flag = await param('/main/feature_flag');
    assert.deepEqual([flag.Type, flag.Value], ['String', 'on']);
    same(await secret(smEu, 'main/api_token'), dotenv.api_token, 'eu-west-1 secret vs .env');
    const eu = await smEu.send(new sdk.sm.DescribeSecretCommand({ SecretId: 'main/api_token' }));
    assert.equal(eu.Description, 'API token for the app');
    await assert.rejects(secret(smUs, 'main/api_token'), (e) => e.name === 'ResourceNotFoundException');
    // value_field: the JSON object's `token` is what the store holds.
    assert.equal(await secret(smUs, 'main/service_token'), 'tok-123');

    // The lockfile records every target by ID with the hash of what it holds.
    const lock = readLock(dir);
    assert.deepEqual(lock.secrets.db_password.targets, {
      'aws/ssm_parameter//main/db_password': sha256(dotenv.db_password),
      'local/file/.env': sha256(dotenv.db_password),
    });
    assert.deepEqual(lock.secrets.api_token.targets, {
      'aws_eu/secrets_manager/main/api_token': sha256(dotenv.api_token),
      'local/file/.env': sha256(dotenv.api_token),
    });
    assert.deepEqual(lock.secrets.feature_flag.targets, {
      'aws/ssm_parameter//main/feature_flag': sha256('on'),
    });
    // As the reference: the target's hash is that of the secret's value, not of the field stored.
    assert.deepEqual(lock.secrets.service_account.targets, {
      'aws/secrets_manager/main/service_token': sha256('{"token": "tok-123", "user": "svc"}'),
    });
    // Neither the report nor the lockfile holds a value or the static credentials.
    const texts = [JSON.stringify(r.report), JSON.stringify(r.stores), JSON.stringify(lock)];
    for (const v of [dotenv.db_password, dotenv.api_token, env.TEST_SECRET]) {
      for (const t of texts) assert.ok(!t.includes(v), 'a secret leaked into a report or lockfile');
    }

    // Rerun: nothing regenerated, nothing stored, the stores keep their first version.
    const again = await api.syncProject({ cwd: dir, env });
    assert.deepEqual(again.report.synced_secrets, []);
    assert.deepEqual(again.report.already_synced, ['db_password', 'api_token', 'feature_flag', 'service_account']);
    assert.deepEqual(again.stores, []);
    assert.equal((await param('/main/db_password')).Version, 1);
    same((await param('/main/db_password')).Value, dotenv.db_password, 'SSM after rerun');
    const versions = await smEu.send(new sdk.sm.ListSecretVersionIdsCommand({ SecretId: 'main/api_token' }));
    assert.equal(versions.Versions.length, 1);

    // Drift: someone changes a parameter and deletes a secret. (A `value_field` target holds
    // only the field while the lockfile hashes the whole value, so the core cannot confirm it is
    // in sync: it is left out of these checks until the core handles it — see the README.)
    const stateOf = (doc) =>
      Object.fromEntries(
        doc.secrets
          .filter((s) => s.name !== 'service_account')
          .flatMap((s) => s.targets.map((t) => [t.target_id, t.state])),
      );
    let st = cli(['status', '--json'], { cwd: dir, env });
    assert.equal(st.status, 0, st.stderr);
    let doc = JSON.parse(st.stdout);
    assert.deepEqual(new Set(Object.values(stateOf(doc))), new Set(['in_sync']));
    assert.deepEqual([doc.missing, doc.unknown, doc.not_synced], [0, 0, 0]);
    await ssm.send(
      new sdk.ssm.PutParameterCommand({ Name: '/main/db_password', Value: 'rotated-by-hand', Overwrite: true }),
    );
    await smEu.send(
      new sdk.sm.DeleteSecretCommand({ SecretId: 'main/api_token', ForceDeleteWithoutRecovery: true }),
    );
    st = cli(['status', '--json'], { cwd: dir, env });
    doc = JSON.parse(st.stdout);
    assert.deepEqual(stateOf(doc), {
      'aws/ssm_parameter//main/db_password': 'drifted',
      'local/file/.env': 'in_sync',
      'aws_eu/secrets_manager/main/api_token': 'missing',
      'aws/ssm_parameter//main/feature_flag': 'in_sync',
    });
    assert.equal(doc.missing, 1);
    const human = cli(['status'], { cwd: dir, env });
    assert.match(human.stdout, /drifted\s+aws\/ssm_parameter\/\/main\/db_password/);
    assert.match(human.stdout, /missing\s+aws_eu\/secrets_manager\/main\/api_token/);
    for (const v of [dotenv.db_password, dotenv.api_token, 'rotated-by-hand', 'tok-123']) {
      assert.ok(!human.stdout.includes(v) && !st.stdout.includes(v), 'status printed a value');
    }
  });

  it('an unreachable provider fails only its secrets, and no value is generated for them', async () => {
    const dir = project(`version: '1.0'
providers:
  aws:
    kind: aws
    config: {endpoint_url: '\${MOTO_URL}'}
  aws_down:
    kind: aws
    config: {endpoint_url: '\${DOWN_URL}'}
secrets:
  - name: up
    kind: random_string
    targets:
      - {provider: aws, kind: ssm_parameter, config: {name: /gate/up}}
      - {provider: local, kind: file, config: {path: .env}}
  - name: down
    kind: random_string
    targets:
      - {provider: aws_down, kind: ssm_parameter, config: {name: /gate/down}}
      - {provider: local, kind: file, config: {path: .env}}
  - name: both
    kind: random_string
    targets:
      - {provider: aws, kind: ssm_parameter, config: {name: /gate/both}}
      - {provider: aws_down, kind: secrets_manager, config: {name: gate/both}}
  - name: local_only
    kind: random_string
    targets:
      - {provider: local, kind: file, config: {path: .env}}
`);
    const t0 = Date.now();
    const r = await api.syncProject({ cwd: dir, env });
    const ms = Date.now() - t0;
    assert.deepEqual(r.report.synced_secrets, ['up', 'local_only']);
    assert.deepEqual(Object.keys(r.report.failed_secrets), ['down', 'both']);
    for (const name of ['down', 'both']) {
      assert.match(r.report.failed_secrets[name], /ECONNREFUSED/);
      const d = r.report.sync_results.details.find((x) => x.name === name);
      assert.equal(d.error_code, 'TARGET_UNREACHABLE');
      assert.equal(d.generated, false);
    }
    // Nothing of theirs anywhere: not in .env, not in the lockfile, not in the reachable store.
    const dotenv = readEnvFile(dir);
    assert.deepEqual(Object.keys(dotenv).sort(), ['local_only', 'up']);
    assert.deepEqual(Object.keys(readLock(dir).secrets).sort(), ['local_only', 'up']);
    await noParam('/gate/both');
    same((await param('/gate/up')).Value, dotenv.up, 'reachable store');
    assert.deepEqual(r.stores.map((s) => s.target_id), ['aws/ssm_parameter//gate/up']);
    assert.ok(ms < 20_000, `the gate took ${ms} ms`);
  });

  it('assume_role: the stores are reached with the role assumed through STS; STS down fails the gate', async () => {
    const text = (role) => `version: '1.0'
providers:
  aws_role:
    kind: aws
    auth:
      kind: assume_role
      config: {${role}region: us-east-1, session_name: ci-sync}
    config: {endpoint_url: '\${MOTO_URL}'}
secrets:
  - name: role_token
    kind: random_string
    targets:
      - {provider: aws_role, kind: ssm_parameter, config: {name: /role/token}}
      - {provider: aws_role, kind: secrets_manager, config: {name: role/token}}
      - {provider: local, kind: file, config: {path: .env}}
`;
    const withRole = text("role_arn: 'arn:aws:iam::123456789012:role/SecretAdmin', ");
    // STS unreachable: the credentials cannot be had, so the gate fails the secret and nothing
    // is generated or stored (this is also what shows that STS is asked at all).
    const down = project(withRole);
    const r1 = await api.syncProject({ cwd: down, env: { ...env, AWS_ENDPOINT_URL_STS: env.DOWN_URL } });
    assert.deepEqual(Object.keys(r1.report.failed_secrets), ['role_token']);
    assert.match(r1.report.failed_secrets.role_token, /STS AssumeRole arn:aws:iam::123456789012:role\/SecretAdmin failed/);
    assert.equal(r1.report.sync_results.details[0].generated, false);
    await noParam('/role/token');

    // No role_arn: a configuration error that says what to add, before any request.
    const noArn = project(text(''));
    const r2 = await api.syncProject({ cwd: noArn, env });
    assert.match(r2.report.failed_secrets.role_token, /auth kind assume_role needs auth\.config\.role_arn/);

    // STS at moto: the role is assumed and both stores get the value.
    const dir = project(withRole);
    const r3 = await api.syncProject({ cwd: dir, env });
    assert.deepEqual(r3.report.synced_secrets, ['role_token'], JSON.stringify(r3.report.failed_secrets));
    const value = readEnvFile(dir).role_token;
    same((await param('/role/token')).Value, value, 'SSM');
    same(await secret(smUs, 'role/token'), value, 'Secrets Manager');
    // moto keeps the sessions it handed out: the role, with the configured session name.
    const state = await (await fetch(`${moto.url}/moto-api/data.json`)).json();
    const sessions = (state.sts?.AssumedRole ?? []).filter(
      (a) => a.role_arn === 'arn:aws:iam::123456789012:role/SecretAdmin',
    );
    assert.deepEqual(sessions.map((a) => a.session_name), ['ci-sync'], 'the role was assumed once, by this sync');
  });

  it('a store that fails mid-way: the others are stored, a second round fails only that secret', async () => {
    const dir = project(`version: '1.0'
providers:
  aws:
    kind: aws
    config: {endpoint_url: '\${MOTO_URL}'}
secrets:
  - name: first
    kind: random_string
    targets:
      - {provider: aws, kind: ssm_parameter, config: {name: /mid/first}}
      - {provider: local, kind: file, config: {path: .env}}
  - name: rejected
    kind: random_string
    targets:
      - {provider: local, kind: file, config: {path: .env}}
      - {provider: aws, kind: ssm_parameter, config: {name: ssm-reserved-prefix}}
  - name: third
    kind: random_string
    targets:
      - {provider: aws, kind: secrets_manager, config: {name: mid/third}}
      - {provider: local, kind: file, config: {path: .env}}
`);
    const r = await api.syncProject({ cwd: dir, env });
    assert.deepEqual(
      r.stores.map((s) => `${s.status} ${s.secret}`),
      ['stored first', 'failed rejected', 'stored third'],
    );
    assert.match(r.stores[1].message, /ValidationException/);
    assert.deepEqual(r.report.synced_secrets, ['first', 'third']);
    assert.deepEqual(Object.keys(r.report.failed_secrets), ['rejected']);
    assert.match(r.report.failed_secrets.rejected, /ValidationException/);
    assert.equal(r.report.status, 'failed');
    const lock = readLock(dir);
    assert.deepEqual(Object.keys(lock.secrets).sort(), ['first', 'third']);
    // The second round reused the first round's values: stores, .env and lockfile agree.
    const dotenv = readEnvFile(dir);
    const first = (await param('/mid/first')).Value;
    same(first, dotenv.first, 'first: store vs .env');
    assert.equal(lock.secrets.first.hash, sha256(first));
    const third = await secret(smUs, 'mid/third');
    same(third, dotenv.third, 'third: store vs .env');
    assert.equal(lock.secrets.third.targets['aws/secrets_manager/mid/third'], sha256(third));
    // Rerun: only the rejected secret is tried again.
    const again = await api.syncProject({ cwd: dir, env });
    assert.deepEqual(again.report.already_synced, ['first', 'third']);
    assert.deepEqual(again.stores.map((s) => `${s.status} ${s.secret}`), ['failed rejected']);
  });

  it('dry-run stores nothing and names each would-be store by target id', async () => {
    const dir = project(MAIN('dry'));
    const j = cli(['agent', 'sync', '--dry-run', '--json'], { cwd: dir, env });
    assert.equal(j.status, 0, j.stderr);
    const report = JSON.parse(j.stdout);
    const would = report.sync_results.details.flatMap((d) =>
      d.targets.filter((t) => t.provider !== 'local').map((t) => `${d.name} ${t.status} ${t.target_id}`),
    );
    assert.deepEqual(would, [
      'db_password would_store aws/ssm_parameter//dry/db_password',
      'api_token would_store aws_eu/secrets_manager/dry/api_token',
      'feature_flag would_store aws/ssm_parameter//dry/feature_flag',
      'service_account would_store aws/secrets_manager/dry/service_token',
    ]);
    const h = cli(['agent', 'sync', '--dry-run'], { cwd: dir, env });
    assert.match(h.stdout, /Would store in shared stores:\n {2}• db_password → aws\/ssm_parameter\/\/dry\/db_password\n/);
    await noParam('/dry/db_password');
    assert.deepEqual(fs.readdirSync(dir), ['Secretfile.yml']);
  });

  it('importing the package loads no AWS SDK module; the first AWS target does', async (t) => {
    const log = path.join(tempDir(), 'resolved.log');
    const script = path.join(consumer, `lazy-${process.pid}.mjs`);
    fs.writeFileSync(
      script,
      `import * as fs from 'node:fs';
import { register } from 'node:module';
import { createRequire } from 'node:module';
const log = ${JSON.stringify(log)};
register('data:text/javascript,' + encodeURIComponent(
  'import * as fs from "node:fs";' +
  'export async function resolve(s, c, next) {' +
  '  if (s.includes("@aws-sdk")) fs.appendFileSync(' + JSON.stringify(log) + ', s + "\\\\n");' +
  '  return next(s, c); }'));
const seen = () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\\n').filter(Boolean) : []);
const t0 = performance.now();
const api = await import('@secretzero/agent');
const importMs = performance.now() - t0;
const require = createRequire(import.meta.url);
const cjs = require('@secretzero/agent');
const cjsAws = () => Object.keys(require.cache).filter((k) => k.includes('@aws-sdk')).length;
const before = { esm: seen().length, cjs: cjsAws() };
const target = { target_id: 'aws/ssm_parameter//x', adapter: 'aws/ssm_parameter', provider: 'aws',
  kind: 'ssm_parameter', config: { name: '/x' }, provider_config: { config: { endpoint_url: ${JSON.stringify(moto.url)} } } };
const ctx = { env: { AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' } };
await api.getAdapter('aws/ssm_parameter').testConnection(target, ctx);
const afterEsm = seen().length;
await cjs.getAdapter('aws/secrets_manager').testConnection({ ...target, adapter: 'aws/secrets_manager', kind: 'secrets_manager' }, ctx);
console.log(JSON.stringify({ before, afterEsm, afterCjs: cjsAws(), importMs }));
`,
    );
    try {
      const r = spawnSync(process.execPath, [script], {
        cwd: consumer,
        encoding: 'utf8',
        env: { ...env },
        timeout: 60_000,
      });
      assert.equal(r.status, 0, r.stderr);
      const m = JSON.parse(r.stdout.trim().split('\n').pop());
      assert.deepEqual(m.before, { esm: 0, cjs: 0 }, 'the AWS SDK was loaded at import');
      assert.ok(m.afterEsm > 0, 'the ESM copy did not load @aws-sdk/client-ssm on first use');
      assert.ok(m.afterCjs > 0, 'the CommonJS copy did not load @aws-sdk/client-secrets-manager on first use');
      t.diagnostic(`import of @secretzero/agent: ${m.importMs.toFixed(0)} ms, 0 @aws-sdk modules`);
    } finally {
      fs.rmSync(script, { force: true });
    }
  });

  describe('lockfile interop with the reference CLI (boto3 installed)', () => {
    const refMissing = fs.existsSync(REFERENCE_CLI)
      ? undefined
      : `the reference CLI with boto3 is not installed (${REFERENCE_CLI}): run \`make setup\``;
    if (refMissing) console.log(`# SKIP reference interop: ${refMissing}`);

    // The reference reads neither endpoint_url nor a region from the Secretfile (its AWS
    // provider only uses boto3's own settings), so both tools get them from the environment.
    const INTEROP = (p) => `version: '1.0'
providers:
  aws:
    kind: aws
    auth:
      kind: ambient
secrets:
  - name: db_password
    kind: random_password
    # No special characters: the reference writes .env values with quotes unescaped (one of
    # the documented differences), which would make a random value unreadable at times.
    config: {length: 24, special: false}
    targets:
      - {provider: aws, kind: ssm_parameter, config: {name: /${p}/db_password}}
      - {provider: local, kind: file, config: {path: .env}}
  - name: api_token
    kind: random_string
    config: {length: 40}
    targets:
      - {provider: aws, kind: secrets_manager, config: {name: ${p}/api_token}}
  - name: service_account
    kind: static
    config:
      default: '{"token": "tok-${p}", "user": "svc"}'
    targets:
      - {provider: aws, kind: secrets_manager, config: {name: ${p}/service, value_field: token}}
`;
    const ALL = ['db_password', 'api_token', 'service_account'];
    const refEnv = () => ({
      PATH: '/usr/local/bin:/usr/bin:/bin',
      HOME: tempDir(),
      LANG: 'C.UTF-8',
      AWS_ENDPOINT_URL: moto.url,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: 'us-east-1',
    });
    const reference = (dir) => {
      const r = spawnSync(REFERENCE_CLI, ['agent', 'sync', '--json'], {
        cwd: dir,
        encoding: 'utf8',
        env: refEnv(),
        timeout: 120_000,
      });
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout);
    };

    it('after our sync the reference reports every secret already synced', { skip: refMissing }, async () => {
      const dir = project(INTEROP('ours'));
      const ours = await api.syncProject({ cwd: dir, env: { ...env, ...refEnv() } });
      assert.deepEqual(ours.report.synced_secrets, ALL);
      const lockBefore = fs.readFileSync(path.join(dir, '.gitsecrets.lock'), 'utf8');
      const ref = reference(dir);
      assert.deepEqual(ref.synced_secrets, []);
      assert.deepEqual(ref.already_synced, ALL);
      assert.equal(ref.sync_results.refresh.mismatch_targets, 0);
      assert.equal(fs.readFileSync(path.join(dir, '.gitsecrets.lock'), 'utf8'), lockBefore);
    });

    it('after the reference syncs, we store nothing and read every target back in sync', { skip: refMissing }, async () => {
      const dir = project(INTEROP('ref'));
      const ref = reference(dir);
      assert.deepEqual(ref.synced_secrets, ALL);
      assert.equal(ref.status, 'complete', JSON.stringify(ref.sync_results.errors));
      const ours = await api.syncProject({ cwd: dir, env: { ...env, ...refEnv() } });
      assert.deepEqual(ours.report.already_synced, ALL);
      assert.deepEqual(ours.stores, []);
      // Our read-back hashes match the hashes the reference recorded for what it stored.
      const st = await api.projectStatus({ cwd: dir, env: { ...env, ...refEnv() } });
      assert.deepEqual(st.errors, {});
      // (The value_field target is left out: see the drift note in the first test.)
      assert.deepEqual(
        st.status.secrets
          .filter((s) => s.name !== 'service_account')
          .flatMap((s) => s.targets.map((t) => `${t.state} ${t.target_id}`)),
        [
          'in_sync aws/ssm_parameter//ref/db_password',
          'in_sync local/file/.env',
          'in_sync aws/secrets_manager/ref/api_token',
        ],
      );
      // The reference stored the field, as we do.
      assert.equal(await secret(smUs, 'ref/service'), 'tok-ref');
    });
  });
});
