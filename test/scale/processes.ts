// Servers and workers as separate processes (so that kill -9 is real), for the fault tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/registry/paths.js';
import type { GqlResponse } from '../api/harness.js';

export interface Proc {
  child: ChildProcess;
  log: string[];
  /** SIGKILL and wait for the exit. */
  kill(): Promise<void>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
}

function proc(child: ChildProcess, log: string[]): Proc {
  const signal = async (sig: NodeJS.Signals): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill(sig);
    await exited;
  };
  return { child, log, kill: () => signal('SIGKILL'), stop: () => signal('SIGTERM') };
}

export interface ServerProc extends Proc {
  base: string;
  gql(query: string, variables?: Record<string, unknown>, token?: string): Promise<GqlResponse>;
}

/** `node dist/src/server.js` on a free port with `env` (DATABASE_URL, SPIKELAB_STORE, SPIKELAB_QUEUE, …). */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProc> {
  const log: string[] = [];
  const child = spawn(process.execPath, [join(PROJECT_ROOT, 'dist/src/server.js')], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', SPIKELAB_BACKEND: 'cpu', SPIKELAB_WORKERS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr.on('data', (d: Buffer) => log.push(String(d)));
  const base = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      log.push(String(d));
      const m = /GraphQL at (http:\/\/[^/]+)\/graphql/.exec(String(d));
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${log.join('')}`)));
  });
  const gql = async (query: string, variables?: Record<string, unknown>, token?: string): Promise<GqlResponse> =>
    (await (await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) }, body: JSON.stringify({ query, variables }) })).json()) as GqlResponse;
  return { ...proc(child, log), base, gql };
}

/** `spikelab worker …` as its own process; resolves once it has registered. */
export async function startWorkerProcess(args: string[], env: Record<string, string> = {}): Promise<Proc> {
  const log: string[] = [];
  const child = spawn(process.execPath, [join(PROJECT_ROOT, 'client/bin/spikelab.js'), 'worker', ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, SPIKELAB_BACKEND: 'cpu', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d: Buffer) => log.push(String(d)));
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      log.push(String(d));
      if (/registered with/.test(log.join(''))) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}: ${log.join('')}`)));
  });
  return proc(child, log);
}
