/**
 * AWS target adapters: `aws/ssm_parameter` (Systems Manager Parameter Store) and
 * `aws/secrets_manager`, through the official AWS SDK for JavaScript v3.
 *
 * The SDK packages (`@aws-sdk/client-ssm`, `@aws-sdk/client-secrets-manager`) are optional
 * dependencies, imported lazily the first time an AWS target is tested, stored or read: a
 * project without AWS targets never loads them (nor needs them installed). Without them, an AWS
 * target fails its secrets at the access gate with a message saying what to install.
 *
 * Target `config` keys and defaults follow the reference CLI:
 * - `ssm_parameter`: `name` (required), `type` (`SecureString`; also `String`, `StringList`),
 *   `overwrite` (true), `tier` (`Standard`), `description` (`Managed by SecretZero: <secret>`),
 *   `kms_key_id` (a KMS key for `SecureString`), `format` (`raw`; `json` requires JSON).
 * - `secrets_manager`: `name` (required), `description`, `kms_key_id`, `format`; created with
 *   CreateSecret, or given a new value with UpdateSecret when it exists.
 * - both: `region` and `endpoint_url` override the provider's.
 *
 * Connection (the Secretfile's `providers.<alias>` block):
 * - `auth.kind`: `ambient` (default; also `default`): the standard AWS credential chain —
 *   `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/`AWS_SESSION_TOKEN` from the sync's
 *   environment, else the SDK's chain (shared config files, SSO, web identity, ECS, IMDS);
 *   `profile`: `auth.config.profile` (else `AWS_PROFILE`, else `default`) from the shared
 *   config files; `static` (also `token`): `auth.config.access_key_id`,
 *   `secret_access_key`, `session_token` — write them as `${ENV_VAR}` so they never sit in the
 *   file; `assume_role`: `auth.config.role_arn` (required) and `session_name` (default
 *   `secretzero-session`), assumed with STS AssumeRole from the ambient credentials, as the
 *   reference does (needs the optional `@aws-sdk/client-sts`; the temporary credentials are
 *   renewed before they expire). STS is reached at `AWS_ENDPOINT_URL_STS`, else the provider's
 *   `endpoint_url`, else `AWS_ENDPOINT_URL`, else AWS. Other kinds are refused at the access
 *   gate.
 * - region: the target's `region`, `auth.config.region` (or `auth.region`, where the reference
 *   reads it), the provider's `config.region`, `AWS_REGION`, `AWS_DEFAULT_REGION`, else
 *   `us-east-1` (the reference's default).
 * - endpoint (local stores such as moto or LocalStack): the target's `endpoint_url`, the
 *   provider's `config.endpoint_url` (or `auth.config.endpoint_url`),
 *   `AWS_ENDPOINT_URL_SSM` / `AWS_ENDPOINT_URL_SECRETS_MANAGER`, `AWS_ENDPOINT_URL`.
 * - `config.max_attempts`: SDK attempts per call (default 3).
 *
 * Access gate: DescribeParameters / ListSecrets with `MaxResults: 1` (the service, region,
 * endpoint and credentials the stores will use). An access-denied answer still proves the
 * connection and credentials, so it passes: a missing write permission shows up when storing.
 *
 * Credentials and values never appear in a message: errors carry the SDK's error name and
 * message, which name neither.
 *
 * @module
 */

import { createRequire } from 'node:module';
import * as path from 'node:path';

import type { AdapterContext, StoreContext, TargetAdapter } from './adapters.js';
import type { StoreTarget } from '../wasm/api.js';

type Ssm = typeof import('@aws-sdk/client-ssm');
type Sm = typeof import('@aws-sdk/client-secrets-manager');
type Sts = typeof import('@aws-sdk/client-sts');
type Service = 'ssm' | 'secretsmanager';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;

function bool(v: unknown, dflt: boolean): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (['true', 'yes', 'on', '1'].includes(s)) return true;
    if (['false', 'no', 'off', '0'].includes(s)) return false;
  }
  return dflt;
}

/** Everything a client needs, resolved from the target, its provider block and the environment. */
interface Connection {
  service: Service;
  region: string;
  endpoint: string | undefined;
  auth: 'ambient' | 'profile' | 'static' | 'assume_role';
  profile: string | undefined;
  /** For `assume_role`: the role, the session name and where STS is. */
  role: { arn: string; session: string; stsEndpoint: string | undefined } | undefined;
  credentials:
    | { accessKeyId: string; secretAccessKey: string; sessionToken?: string }
    | undefined;
  maxAttempts: number | undefined;
}

/** A configuration problem (or a missing SDK): reported as is, without an SDK error name. */
class AwsConfigError extends Error {}

function resolve(service: Service, t: StoreTarget, ctx: AdapterContext): Connection {
  const env = ctx.env;
  const pc: Obj = isObj(t.provider_config) ? (t.provider_config as Obj) : {};
  const pconf: Obj = isObj(pc['config']) ? (pc['config'] as Obj) : {};
  const auth: Obj = isObj(pc['auth']) ? (pc['auth'] as Obj) : {};
  // The reference reads `region`/`profile` from the auth block itself; `auth.config` is the
  // documented place. Both are accepted, `auth.config` first.
  const aconf: Obj = { ...auth, ...(isObj(auth['config']) ? (auth['config'] as Obj) : {}) };
  const tconf: Obj = t.config as Obj;

  const kindRaw = (str(auth['kind']) ?? 'ambient').toLowerCase();
  const kind =
    kindRaw === 'ambient' || kindRaw === 'default'
      ? 'ambient'
      : kindRaw === 'static' || kindRaw === 'token'
        ? 'static'
        : kindRaw === 'profile'
          ? 'profile'
          : kindRaw === 'assume_role'
            ? 'assume_role'
            : undefined;
  if (kind === undefined) {
    throw new AwsConfigError(
      `provider \`${t.provider}\`: auth kind \`${kindRaw}\` is not supported by this host's AWS adapter ` +
        '(use ambient, profile, static or assume_role)',
    );
  }
  const region =
    str(tconf['region']) ??
    str(aconf['region']) ??
    str(pconf['region']) ??
    str(env['AWS_REGION']) ??
    str(env['AWS_DEFAULT_REGION']) ??
    'us-east-1';
  const serviceEnv = service === 'ssm' ? 'AWS_ENDPOINT_URL_SSM' : 'AWS_ENDPOINT_URL_SECRETS_MANAGER';
  const endpoint =
    str(tconf['endpoint_url']) ??
    str(pconf['endpoint_url']) ??
    str(aconf['endpoint_url']) ??
    str(env[serviceEnv]) ??
    str(env['AWS_ENDPOINT_URL']);
  const httpUrl = (u: string | undefined, what: string): void => {
    if (u !== undefined && !/^https?:\/\/[^\s/]/i.test(u)) {
      throw new AwsConfigError(`provider \`${t.provider}\`: ${what} must be an http(s) URL`);
    }
  };
  httpUrl(endpoint, 'endpoint_url');
  let role: Connection['role'];
  if (kind === 'assume_role') {
    const arn = str(aconf['role_arn']);
    if (arn === undefined) {
      throw new AwsConfigError(`provider \`${t.provider}\`: auth kind assume_role needs auth.config.role_arn`);
    }
    // STS is one endpoint for every service: the provider's, not a target's service endpoint.
    const stsEndpoint =
      str(env['AWS_ENDPOINT_URL_STS']) ??
      str(pconf['endpoint_url']) ??
      str(aconf['endpoint_url']) ??
      str(env['AWS_ENDPOINT_URL']);
    httpUrl(stsEndpoint, 'the STS endpoint (AWS_ENDPOINT_URL_STS)');
    role = { arn, session: str(aconf['session_name']) ?? 'secretzero-session', stsEndpoint };
  }
  let credentials: Connection['credentials'];
  if (kind === 'static') {
    const id = str(aconf['access_key_id']);
    const secret = str(aconf['secret_access_key']);
    if (id === undefined || secret === undefined) {
      throw new AwsConfigError(
        `provider \`${t.provider}\`: auth kind static needs auth.config.access_key_id and ` +
          'auth.config.secret_access_key (write them as ${ENV_VAR} references)',
      );
    }
    const token = str(aconf['session_token']);
    credentials = { accessKeyId: id, secretAccessKey: secret, ...(token ? { sessionToken: token } : {}) };
  } else if (kind === 'ambient' || kind === 'assume_role') {
    // For assume_role these are the credentials that assume the role.
    const id = str(env['AWS_ACCESS_KEY_ID']);
    const secret = str(env['AWS_SECRET_ACCESS_KEY']);
    if (id !== undefined && secret !== undefined) {
      const token = str(env['AWS_SESSION_TOKEN']);
      credentials = { accessKeyId: id, secretAccessKey: secret, ...(token ? { sessionToken: token } : {}) };
    }
  }
  const attempts = Number(pconf['max_attempts']);
  return {
    service,
    region,
    endpoint,
    auth: kind,
    profile: kind === 'profile' ? (str(aconf['profile']) ?? str(env['AWS_PROFILE']) ?? 'default') : undefined,
    role,
    credentials,
    maxAttempts: Number.isInteger(attempts) && attempts > 0 ? attempts : undefined,
  };
}

/** `node:crypto`, loaded on first use (importing it costs milliseconds of every start-up). */
let nodeCrypto: typeof import('node:crypto') | undefined;
function sha256(): import('node:crypto').Hash {
  nodeCrypto ??= createRequire(path.resolve('secretzero-agent.cjs'))('node:crypto') as typeof import('node:crypto');
  return nodeCrypto.createHash('sha256');
}

/** The secret half of a connection's credentials as a hash (for cache keys); '' without any. */
function credentialDigest(c: Connection): string {
  return c.credentials
    ? sha256()
        .update(`${c.credentials.secretAccessKey}\0${c.credentials.sessionToken ?? ''}`)
        .digest('hex')
    : '';
}

/** A stable key for a connection; the secret key only enters as a hash. */
function connectionId(c: Connection): string {
  const secret = credentialDigest(c);
  return JSON.stringify([
    c.service,
    c.region,
    c.endpoint ?? '',
    c.auth,
    c.profile ?? '',
    c.credentials?.accessKeyId ?? '',
    secret,
    c.role?.arn ?? '',
    c.role?.session ?? '',
    c.role?.stsEndpoint ?? '',
    c.maxAttempts ?? 0,
  ]);
}

/** Where, for messages: service, region and endpoint host (never credentials). */
function where(c: Connection): string {
  let host = '';
  if (c.endpoint !== undefined) {
    try {
      host = `, ${new URL(c.endpoint).host}`;
    } catch {
      host = '';
    }
  }
  const name = c.service === 'ssm' ? 'SSM' : 'Secrets Manager';
  return `AWS ${name} (${c.region}${host})`;
}

let ssmModule: Promise<Ssm> | undefined;
let smModule: Promise<Sm> | undefined;
let stsModule: Promise<Sts> | undefined;

function missingSdk(pkg: string, e: unknown): Error {
  const err = new AwsConfigError(
    `the AWS SDK package ${pkg} is not installed (it is an optional dependency of @secretzero/agent): ` +
      `npm install ${pkg}`,
  );
  (err as { cause?: unknown }).cause = e;
  return err;
}

/** The SDK modules, loaded on first use only. */
function loadSsm(): Promise<Ssm> {
  ssmModule ??= import('@aws-sdk/client-ssm').catch((e: unknown) => {
    ssmModule = undefined;
    throw missingSdk('@aws-sdk/client-ssm', e);
  });
  return ssmModule;
}

function loadSm(): Promise<Sm> {
  smModule ??= import('@aws-sdk/client-secrets-manager').catch((e: unknown) => {
    smModule = undefined;
    throw missingSdk('@aws-sdk/client-secrets-manager', e);
  });
  return smModule;
}

function loadSts(): Promise<Sts> {
  stsModule ??= import('@aws-sdk/client-sts').catch((e: unknown) => {
    stsModule = undefined;
    throw missingSdk('@aws-sdk/client-sts', e);
  });
  return stsModule;
}

/** Temporary credentials of an assumed role, as the SDK's clients take them. */
interface RoleCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration?: Date;
}

/** Assumed roles by role, session, STS endpoint and base credentials: one AssumeRole serves every client. */
const roleSessions = new Map<string, Promise<RoleCredentials>>();

/** Renew assumed credentials this long before they expire. */
const ROLE_RENEW_MS = 5 * 60_000;

/**
 * A credential provider for `assume_role`: STS AssumeRole with the base credentials (or the
 * SDK's chain), shared by the SSM and Secrets Manager clients of the same role. The SDK calls it
 * again when the credentials it returned are about to expire; then the role is assumed again.
 */
function assumeRole(c: Connection, role: NonNullable<Connection['role']>): () => Promise<RoleCredentials> {
  const key = JSON.stringify([
    role.arn,
    role.session,
    role.stsEndpoint ?? '',
    c.region,
    c.credentials?.accessKeyId ?? '',
    credentialDigest(c),
  ]);
  return async () => {
    const cached = roleSessions.get(key);
    if (cached !== undefined) {
      const k = await cached.catch(() => undefined);
      if (k !== undefined && (k.expiration === undefined || k.expiration.getTime() - Date.now() > ROLE_RENEW_MS)) {
        return k;
      }
    }
    const fresh = assumeRoleOnce(c, role);
    roleSessions.set(key, fresh);
    fresh.catch(() => {
      if (roleSessions.get(key) === fresh) roleSessions.delete(key);
    });
    return fresh;
  };
}

/** One STS AssumeRole call; its failure names the role and the STS error, never a credential. */
async function assumeRoleOnce(c: Connection, role: NonNullable<Connection['role']>): Promise<RoleCredentials> {
  const mod = await loadSts();
  const sts = new mod.STSClient({
    region: c.region,
    ...(role.stsEndpoint !== undefined ? { endpoint: role.stsEndpoint } : {}),
    ...(c.credentials !== undefined ? { credentials: c.credentials } : {}),
    ...(c.maxAttempts !== undefined ? { maxAttempts: c.maxAttempts } : {}),
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000, throwOnRequestTimeout: true },
  });
  try {
    const r = await sts.send(new mod.AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: role.session }));
    const k = r.Credentials;
    if (k?.AccessKeyId === undefined || k.SecretAccessKey === undefined || k.SessionToken === undefined) {
      throw new AwsConfigError(`STS AssumeRole ${role.arn} returned no credentials`);
    }
    return {
      accessKeyId: k.AccessKeyId,
      secretAccessKey: k.SecretAccessKey,
      sessionToken: k.SessionToken,
      ...(k.Expiration !== undefined ? { expiration: k.Expiration } : {}),
    };
  } catch (e) {
    if (e instanceof AwsConfigError) throw e;
    const err = new AwsConfigError(`STS AssumeRole ${role.arn} failed: ${sdkErrorText(e)}`);
    (err as { cause?: unknown }).cause = e;
    throw err;
  } finally {
    sts.destroy();
  }
}

const clients = new Map<string, Promise<unknown>>();

function clientConfig(c: Connection): Obj {
  return {
    region: c.region,
    ...(c.endpoint !== undefined ? { endpoint: c.endpoint } : {}),
    ...(c.role !== undefined
      ? { credentials: assumeRole(c, c.role) }
      : c.credentials !== undefined
        ? { credentials: c.credentials }
        : {}),
    ...(c.profile !== undefined ? { profile: c.profile } : {}),
    ...(c.maxAttempts !== undefined ? { maxAttempts: c.maxAttempts } : {}),
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000, throwOnRequestTimeout: true },
  };
}

function ssmClient(c: Connection): Promise<{ mod: Ssm; client: InstanceType<Ssm['SSMClient']> }> {
  const id = connectionId(c);
  let p = clients.get(id) as Promise<{ mod: Ssm; client: InstanceType<Ssm['SSMClient']> }> | undefined;
  if (p === undefined) {
    p = loadSsm().then((mod) => ({ mod, client: new mod.SSMClient(clientConfig(c)) }));
    p.catch(() => clients.delete(id));
    clients.set(id, p);
  }
  return p;
}

function smClient(
  c: Connection,
): Promise<{ mod: Sm; client: InstanceType<Sm['SecretsManagerClient']> }> {
  const id = connectionId(c);
  let p = clients.get(id) as
    | Promise<{ mod: Sm; client: InstanceType<Sm['SecretsManagerClient']> }>
    | undefined;
  if (p === undefined) {
    p = loadSm().then((mod) => ({ mod, client: new mod.SecretsManagerClient(clientConfig(c)) }));
    p.catch(() => clients.delete(id));
    clients.set(id, p);
  }
  return p;
}

/** The SDK error's name (`ParameterNotFound`, `AccessDeniedException`, ...). */
function errName(e: unknown): string {
  if (typeof e !== 'object' || e === null) return '';
  const o = e as { name?: unknown; Code?: unknown; code?: unknown };
  if (typeof o.name === 'string' && o.name !== 'Error') return o.name;
  if (typeof o.Code === 'string') return o.Code;
  if (typeof o.code === 'string') return o.code;
  return '';
}

/** An SDK failure as `<name>: <message>` (the SDK's texts name no credential and no value). */
function sdkErrorText(e: unknown): string {
  const name = errName(e);
  const raw = e instanceof Error ? e.message : '';
  const message = raw && raw !== name ? raw : 'request failed';
  return `${name ? `${name}: ` : ''}${message}`;
}

/** Rethrow an SDK failure as `<where>: <what> failed: <name>: <message>`. */
function fail(c: Connection, what: string, e: unknown): never {
  if (e instanceof AwsConfigError) throw e;
  const err = new Error(`${where(c)}: ${what} failed: ${sdkErrorText(e)}`);
  (err as { cause?: unknown }).cause = e;
  throw err;
}

const ACCESS_DENIED = new Set(['AccessDeniedException', 'AccessDenied']);

function serialize(value: string, format: unknown): string {
  const fmt = (str(format) ?? 'raw').trim().toLowerCase();
  if (fmt === 'json') {
    try {
      JSON.parse(value);
    } catch {
      throw new AwsConfigError("invalid JSON payload for AWS target format 'json'");
    }
    return value;
  }
  if (fmt === '' || fmt === 'raw') return value;
  throw new AwsConfigError(`unsupported AWS target format: ${fmt} (use raw or json)`);
}

function requireName(t: StoreTarget): string {
  const name = str((t.config as Obj)['name']);
  if (name === undefined) {
    throw new AwsConfigError(`target ${t.target_id}: config.name is required`);
  }
  return name;
}

/** `aws/ssm_parameter`: AWS Systems Manager Parameter Store. */
export const ssmParameterAdapter: TargetAdapter = {
  connectionKey(t, ctx) {
    return connectionId(resolve('ssm', t, ctx));
  },
  async testConnection(t, ctx) {
    const c = resolve('ssm', t, ctx);
    const { mod, client } = await ssmClient(c);
    try {
      await client.send(new mod.DescribeParametersCommand({ MaxResults: 1 }));
    } catch (e) {
      if (!ACCESS_DENIED.has(errName(e))) fail(c, 'the connection test', e);
    }
  },
  async store(t, value, ctx: StoreContext) {
    const name = requireName(t);
    const cfg = t.config as Obj;
    const c = resolve('ssm', t, ctx);
    const body = serialize(value, cfg['format']);
    const type = str(cfg['type']) ?? 'SecureString';
    const kms = str(cfg['kms_key_id']);
    const { mod, client } = await ssmClient(c);
    try {
      await client.send(
        new mod.PutParameterCommand({
          Name: name,
          Value: body,
          Type: type as 'SecureString',
          Description: str(cfg['description']) ?? `Managed by SecretZero: ${ctx.secret}`,
          Overwrite: bool(cfg['overwrite'], true),
          Tier: (str(cfg['tier']) ?? 'Standard') as 'Standard',
          ...(kms !== undefined && type === 'SecureString' ? { KeyId: kms } : {}),
        }),
      );
    } catch (e) {
      fail(c, `PutParameter ${name}`, e);
    }
  },
  async read(t, ctx) {
    const name = requireName(t);
    const c = resolve('ssm', t, ctx);
    const { mod, client } = await ssmClient(c);
    try {
      const r = await client.send(new mod.GetParameterCommand({ Name: name, WithDecryption: true }));
      return r.Parameter?.Value ?? null;
    } catch (e) {
      if (errName(e) === 'ParameterNotFound') return null;
      return fail(c, `GetParameter ${name}`, e);
    }
  },
};

/** `aws/secrets_manager`: AWS Secrets Manager. */
export const secretsManagerAdapter: TargetAdapter = {
  connectionKey(t, ctx) {
    return connectionId(resolve('secretsmanager', t, ctx));
  },
  async testConnection(t, ctx) {
    const c = resolve('secretsmanager', t, ctx);
    const { mod, client } = await smClient(c);
    try {
      await client.send(new mod.ListSecretsCommand({ MaxResults: 1 }));
    } catch (e) {
      if (!ACCESS_DENIED.has(errName(e))) fail(c, 'the connection test', e);
    }
  },
  async store(t, value, ctx: StoreContext) {
    const name = requireName(t);
    const cfg = t.config as Obj;
    const c = resolve('secretsmanager', t, ctx);
    const body = serialize(value, cfg['format']);
    const kms = str(cfg['kms_key_id']);
    const { mod, client } = await smClient(c);
    try {
      await client.send(
        new mod.CreateSecretCommand({
          Name: name,
          Description: str(cfg['description']) ?? `Managed by SecretZero: ${ctx.secret}`,
          SecretString: body,
          ...(kms !== undefined ? { KmsKeyId: kms } : {}),
        }),
      );
      return;
    } catch (e) {
      if (errName(e) !== 'ResourceExistsException') fail(c, `CreateSecret ${name}`, e);
    }
    // It exists: a new value (the reference's UpdateSecret).
    try {
      await client.send(new mod.UpdateSecretCommand({ SecretId: name, SecretString: body }));
    } catch (e) {
      fail(c, `UpdateSecret ${name}`, e);
    }
  },
  async read(t, ctx) {
    const name = requireName(t);
    const c = resolve('secretsmanager', t, ctx);
    const { mod, client } = await smClient(c);
    try {
      const r = await client.send(new mod.GetSecretValueCommand({ SecretId: name }));
      return r.SecretString ?? null;
    } catch (e) {
      if (errName(e) === 'ResourceNotFoundException') return null;
      return fail(c, `GetSecretValue ${name}`, e);
    }
  },
};

/** @internal Forget cached clients (tests; a long-running host whose credentials rotated). */
export function resetAwsClients(): void {
  for (const p of clients.values()) {
    p.then((x) => (x as { client: { destroy(): void } }).client.destroy()).catch(() => undefined);
  }
  clients.clear();
  roleSessions.clear();
}
