// A real AWS API on 127.0.0.1 for the shared-store tests: moto in server mode, installed by
// scripts/setup-aws-test.sh (`make setup`) into ~/.cache/secretzero-aws/moto. Each test file
// starts its own server on a free port and stops it when done.

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export const AWS_TEST_HOME = process.env.SZ_AWS_TEST_HOME ?? path.join(os.homedir(), '.cache/secretzero-aws');
export const MOTO_SERVER = path.join(AWS_TEST_HOME, 'moto/bin/moto_server');
/** The reference CLI installed with boto3 (its shared oracle venv has none). */
export const REFERENCE_CLI = path.join(AWS_TEST_HOME, 'reference/bin/secretzero');

/** Why the moto tests cannot run here, or undefined when they can. */
export function motoMissing() {
  return fs.existsSync(MOTO_SERVER)
    ? undefined
    : `moto is not installed (${MOTO_SERVER}): run \`make setup\` (scripts/setup-aws-test.sh) to run the AWS tests`;
}

/** A TCP port nobody listens on right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Start moto; resolves to `{ url, stop }` once it answers. */
export async function startMoto() {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(MOTO_SERVER, ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8' },
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-4000);
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited (${child.exitCode}): ${stderr}`);
    try {
      const r = await fetch(`${url}/moto-api/reset`, { method: 'POST' });
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`moto_server did not answer within 60 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  return { url, port, stop };
}
