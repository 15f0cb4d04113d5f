// A throw-away PostgreSQL cluster in a temporary directory, for tests and benchmarks: Debian's
// binaries (/usr/lib/postgresql/<v>/bin, or PG_BIN), initdb + pg_ctl, listening on 127.0.0.1 only
// with trust authentication for the superuser `spikelab`. PostgreSQL refuses to run as root: as
// root the cluster runs as the `postgres` user (runuser), as anyone else as that user.
import { execFile, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);
const SUPERUSER = 'spikelab';

/** The bin directory of the newest installed PostgreSQL (PG_BIN wins), or null when none is installed. */
export function findPostgresBin(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.PG_BIN) return existsSync(join(env.PG_BIN, 'initdb')) ? env.PG_BIN : null;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : null;
}

/** Why no cluster can be started here, or null when one can. */
export function postgresUnavailableReason(): string | null {
  return findPostgresBin() ? null : 'PostgreSQL is not installed (no /usr/lib/postgresql/<version>/bin/initdb; apt-get install postgresql, or set PG_BIN)';
}

export interface PgClusterOptions {
  /** fsync and synchronous commit as in production (default false: a test cluster need not survive a power cut). */
  durable?: boolean;
  /** Extra `-c name=value` server settings. */
  settings?: Record<string, string | number>;
}

export interface PgCluster {
  readonly port: number;
  readonly dir: string;
  /** Connection URL of a database of the cluster (default `postgres`). */
  url(database?: string): string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Shuts the server down (fast: connections are closed), keeping its data: an outage. */
  pause(): Promise<void>;
  /** Starts it again on the same port after pause(). */
  resume(): Promise<void>;
  /** Stops the server (immediate shutdown) and deletes the directory. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no free port'))));
    });
  });
}

/**
 * Runs a command with no pipes to this process: pg_ctl's server inherits its descriptors, and a
 * pipe held open by the server would keep this process alive until the cluster stops.
 */
function runDetached(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code ?? signal}`))));
  });
}

async function idsOf(user: string): Promise<{ uid: number; gid: number }> {
  const uid = Number((await run('id', ['-u', user])).stdout.trim());
  const gid = Number((await run('id', ['-g', user])).stdout.trim());
  return { uid, gid };
}

/** Starts a fresh cluster; stop() it when done. */
export async function startPgCluster(opts: PgClusterOptions = {}): Promise<PgCluster> {
  const bin = findPostgresBin();
  if (!bin) throw new Error(postgresUnavailableReason()!);
  const dir = mkdtempSync(join(tmpdir(), 'spikelab-pg-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? await idsOf('postgres') : null;
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const exec = (tool: string, args: string[]) => (owner ? run('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]) : run(join(bin, tool), args));
  const pgCtl = (args: string[]) => (owner ? runDetached('runuser', ['-u', 'postgres', '--', join(bin, 'pg_ctl'), ...args]) : runDetached(join(bin, 'pg_ctl'), args));
  const port = await freePort();
  const settings: Record<string, string | number> = {
    listen_addresses: '127.0.0.1',
    ...(opts.durable ? {} : { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' }),
    ...opts.settings,
  };
  const serverOptions = [`-p ${port}`, `-k ${dir}`, ...Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`)].join(' ');
  const start = () => pgCtl(['-D', data, '-o', serverOptions, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  try {
    await exec('initdb', ['-D', data, '-A', 'trust', '-U', SUPERUSER, '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']);
    await start();
  } catch (err) {
    const log = existsSync(join(dir, 'server.log')) ? readFileSync(join(dir, 'server.log'), 'utf8').slice(-2000) : '';
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`could not start a PostgreSQL cluster with ${bin}: ${(err as Error).message}${log ? `\n${log}` : ''}`, { cause: err });
  }
  // a watchdog stops the cluster and deletes it if this process dies without stop() (kill -9, a crash)
  const stopCommand = `${owner ? 'runuser -u postgres -- ' : ''}'${join(bin, 'pg_ctl')}' -D '${data}' -m immediate -w stop`;
  spawn('sh', ['-c', `while kill -0 ${process.pid} 2>/dev/null; do sleep 2; done; ${stopCommand}; rm -rf '${dir}'`], { detached: true, stdio: 'ignore' }).unref();
  const url = (database = 'postgres') => `postgresql://${SUPERUSER}@127.0.0.1:${port}/${database}`;
  let stopped = false;
  return {
    port,
    dir,
    url,
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`database name "${name}" must match [a-z_][a-z0-9_]*`);
      const client = new pg.Client({ connectionString: url() });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name}"`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    pause: () => pgCtl(['-D', data, '-m', 'fast', '-w', 'stop']),
    resume: start,
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        if (existsSync(join(data, 'postmaster.pid'))) await pgCtl(['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
