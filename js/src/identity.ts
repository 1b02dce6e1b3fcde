/**
 * Internal: who is syncing (`collectIdentity`), for the lockfile's `sync_identity`. Its own
 * module so that the Node entry can offer it without loading the file-backed sync.
 *
 * @internal
 * @module
 */

import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';

import { checkKeys, checkOptBool, checkOptObject, checkOptString, checkOptStringMap } from './core.js';
import { version } from './index.js';
import type { EnvInput } from './index.js';

/** `node:child_process`, loaded on first use (only the git look-ups need it). */
let childProcess: typeof import('node:child_process') | undefined;
function child(): typeof import('node:child_process') {
  childProcess ??= createRequire(path.resolve('secretzero-agent.cjs'))(
    'node:child_process',
  ) as typeof import('node:child_process');
  return childProcess;
}

/** Options of {@link collectIdentity}. */
export interface CollectIdentityOptions {
  /** Environment (CI detection, `SZ_SYNC_ENVIRONMENT`). Default `process.env`. */
  env?: EnvInput | undefined;
  /** Directory for git look-ups. Default `process.cwd()`. */
  cwd?: string | undefined;
  /** Also record `git config user.name/user.email` and the HEAD commit (spawns git). Default false. */
  git?: boolean | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

const CI_SYSTEMS: readonly {
  system: string;
  when: (e: Env) => boolean;
  fields: (e: Env) => Record<string, string | undefined>;
}[] = [
  {
    system: 'github_actions',
    when: (e) => e['GITHUB_ACTIONS'] === 'true',
    fields: (e) => {
      const server = (e['GITHUB_SERVER_URL'] ?? '').replace(/\/+$/, '');
      const repo = e['GITHUB_REPOSITORY'];
      const run = e['GITHUB_RUN_ID'];
      return {
        ci_actor: e['GITHUB_ACTOR'],
        ci_repository: repo,
        ci_job_id: run,
        ci_run_url: server && repo && run ? `${server}/${repo}/actions/runs/${run}` : undefined,
        ci_workflow_name: e['GITHUB_WORKFLOW'],
        ci_pipeline_name: e['GITHUB_JOB'],
      };
    },
  },
  {
    system: 'gitlab_ci',
    when: (e) => e['GITLAB_CI'] === 'true',
    fields: (e) => ({
      ci_actor: e['GITLAB_USER_LOGIN'] || e['CI_COMMIT_AUTHOR'],
      ci_repository: e['CI_PROJECT_PATH'],
      ci_job_id: e['CI_PIPELINE_ID'] || e['CI_JOB_ID'],
      ci_run_url: e['CI_PIPELINE_URL'] || e['CI_JOB_URL'],
      ci_workflow_name: e['CI_JOB_NAME'],
      ci_pipeline_name: e['CI_PIPELINE_NAME'],
    }),
  },
  {
    system: 'jenkins',
    when: (e) => !!e['JENKINS_URL'],
    fields: (e) => ({
      ci_actor: e['BUILD_USER_ID'] || e['BUILD_USER'],
      ci_repository: e['GIT_URL'] || e['JOB_NAME'],
      ci_job_id: e['BUILD_NUMBER'],
      ci_run_url: e['BUILD_URL'],
      ci_workflow_name: e['JOB_NAME'],
      ci_pipeline_name: e['JOB_BASE_NAME'],
    }),
  },
  {
    system: 'circleci',
    when: (e) => e['CIRCLECI'] === 'true',
    fields: (e) => ({
      ci_actor: e['CIRCLE_USERNAME'],
      ci_repository:
        e['CIRCLE_PROJECT_USERNAME'] && e['CIRCLE_PROJECT_REPONAME']
          ? `${e['CIRCLE_PROJECT_USERNAME']}/${e['CIRCLE_PROJECT_REPONAME']}`
          : undefined,
      ci_job_id: e['CIRCLE_BUILD_NUM'] || e['CIRCLE_WORKFLOW_ID'],
      ci_run_url: e['CIRCLE_BUILD_URL'],
      ci_workflow_name: e['CIRCLE_WORKFLOW_ID'],
      ci_pipeline_name: e['CIRCLE_JOB'],
    }),
  },
  {
    system: 'buildkite',
    when: (e) => e['BUILDKITE'] === 'true',
    fields: (e) => ({
      ci_actor: e['BUILDKITE_BUILD_CREATOR'],
      ci_repository: e['BUILDKITE_REPO'],
      ci_job_id: e['BUILDKITE_BUILD_NUMBER'],
      ci_run_url: e['BUILDKITE_BUILD_URL'],
      ci_workflow_name: e['BUILDKITE_PIPELINE_SLUG'],
      ci_pipeline_name: e['BUILDKITE_PIPELINE_NAME'],
    }),
  },
  {
    system: 'azure_pipelines',
    when: (e) => e['TF_BUILD'] === 'True',
    fields: (e) => ({
      ci_actor: e['BUILD_REQUESTEDFOR'] || e['BUILD_REQUESTEDFOREMAIL'],
      ci_repository: e['BUILD_REPOSITORY_NAME'],
      ci_job_id: e['BUILD_BUILDID'],
      ci_run_url: e['BUILD_URL'] || e['BUILD_BUILDURI'],
      ci_workflow_name: e['BUILD_DEFINITIONNAME'],
      ci_pipeline_name: e['BUILD_REPOSITORY_NAME'],
    }),
  },
  {
    system: 'teamcity',
    when: (e) => !!e['TEAMCITY_VERSION'],
    fields: (e) => ({
      ci_repository: e['TEAMCITY_PROJECT_NAME'],
      ci_job_id: e['BUILD_NUMBER'],
      ci_workflow_name: e['TEAMCITY_BUILDCONF_NAME'],
      ci_pipeline_name: e['TEAMCITY_BUILD_TYPE_ID'],
    }),
  },
  {
    system: 'travis',
    when: (e) => !!e['CI'] && e['TRAVIS'] === 'true',
    fields: (e) => ({
      ci_repository: e['TRAVIS_REPO_SLUG'],
      ci_job_id: e['TRAVIS_BUILD_ID'],
      ci_run_url: e['TRAVIS_BUILD_WEB_URL'],
      ci_workflow_name: e['TRAVIS_BUILD_STAGE_NAME'],
      ci_pipeline_name: e['TRAVIS_JOB_NAME'],
    }),
  },
  {
    system: 'generic',
    when: (e) => !!e['CI'],
    fields: (e) => ({
      ci_actor: e['CI_USER'] || e['USER'],
      ci_job_id: e['CI_JOB_ID'] || e['CI_PIPELINE_ID'],
      ci_run_url: e['CI_JOB_URL'],
    }),
  },
];

function tryOr<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

function gitLine(args: string[], cwd: string): string | undefined {
  const r = tryOr(() =>
    child().spawnSync('git', args, { cwd, encoding: 'utf8', timeout: 3000, stdio: ['ignore', 'pipe', 'ignore'] }),
  );
  if (r === undefined || r.status !== 0 || typeof r.stdout !== 'string') return undefined;
  return r.stdout.trim() || undefined;
}

/**
 * Who is syncing, for the lockfile's `secretfile.sync_identity` (the reference CLI's keys):
 * `client: "agent"`, `secretzero_version`, `os_user`, `os_uid`, `os_euid`, `hostname`,
 * `platform`, `environment_label`, CI fields from well-known CI variables and, with
 * `git: true`, the git user and HEAD commit. Missing fields are omitted. No secret is read:
 * CI tokens are never looked at.
 */
export function collectIdentity(options: CollectIdentityOptions = {}): Record<string, string | number> {
  const fn = 'collectIdentity';
  const o = checkOptObject(fn, 'options', options) ?? {};
  checkKeys(fn, o, ['env', 'cwd', 'git']);
  const env: Env = checkOptStringMap(fn, 'options.env', o['env']) ?? process.env;
  const cwd = checkOptString(fn, 'options.cwd', o['cwd']) ?? process.cwd();
  const git = checkOptBool(fn, 'options.git', o['git']);
  const ci = CI_SYSTEMS.find((c) => c.when(env));
  const fields: Record<string, string | number | undefined> = {
    client: 'agent',
    secretzero_version: version(),
    os_user:
      env['LOGNAME'] || env['USER'] || env['LNAME'] || env['USERNAME'] || tryOr(() => os.userInfo().username),
    os_uid: typeof process.getuid === 'function' ? process.getuid() : undefined,
    os_euid: typeof process.geteuid === 'function' ? process.geteuid() : undefined,
    hostname: tryOr(() => os.hostname()),
    platform: `${os.type()}-${os.release()}-${tryOr(() => os.machine()) ?? process.arch}`,
    environment_label:
      env['SZ_SYNC_ENVIRONMENT'] || env['DEPLOYMENT_ENVIRONMENT'] || env['ENVIRONMENT'] || env['ENV'],
    ...(git === true
      ? {
          git_user_name: gitLine(['config', 'user.name'], cwd),
          git_user_email: gitLine(['config', 'user.email'], cwd),
          git_commit_sha: gitLine(['rev-parse', '--short', 'HEAD'], cwd),
        }
      : {}),
    ...(ci !== undefined ? { ci_system: ci.system, ...ci.fields(env) } : {}),
  };
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (v !== undefined && v !== '') out[k] = v;
  }
  return out;
}
