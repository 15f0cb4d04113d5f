// `spikelab worker`: run jobs for a server from this machine (client/worker); `spikelab workers`:
// the workers a server knows, with their current jobs and last heartbeat.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { BACKENDS, type BackendName } from '../../../src/formats/index.js';
import { type GlobalOptions, withClient } from '../context.js';
import { formatTable, printJson } from '../output.js';
import { int } from '../parse.js';

interface WorkerCliOptions {
  queue?: string;
  backend: BackendName;
  concurrency: number;
  cache: string;
  alsoServer?: string[];
  lockMs: number;
}

function redisUrl(value: string): string {
  if (!/^rediss?:\/\/[^\s]+$/.test(value)) throw new InvalidArgumentError(`expected a redis:// URL, got "${value}"`);
  return value;
}

function httpUrl(value: string, previous: string[] = []): string[] {
  try {
    if (!/^https?:$/.test(new URL(value).protocol)) throw new Error();
  } catch {
    throw new InvalidArgumentError(`expected an http(s) URL, got "${value}"`);
  }
  return [...previous, value];
}

const ago = (iso: string): string => `${Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000))} s ago`;

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('take and run training / conversion jobs of the server (--server) on this machine: inputs over HTTP, cached by sha256; needs a worker-role token')
    .addOption(new Option('--queue <redis-url>', 'take jobs from this Redis queue (the server\'s SPIKELAB_QUEUE); without it, claim queued jobs through the API every second').env('SPIKELAB_QUEUE').argParser(redisUrl))
    .addOption(new Option('--backend <name>', 'TensorFlow.js backend of the worker threads').choices(BACKENDS).default('auto').env('SPIKELAB_BACKEND'))
    .option('--concurrency <n>', 'jobs at once (one worker thread each)', int(1, 64), 1)
    .addOption(new Option('--cache <dir>', 'where downloaded checkpoints and data sets are kept (by sha256)').env('SPIKELAB_WORKER_CACHE').default(join(homedir(), '.cache', 'spikelab-worker')))
    .option('--lock-ms <ms>', 'with --queue: a worker silent this long (killed, frozen) loses its running job to another worker', int(1000, 600_000), 15_000)
    .option('--also-server <url>', 'another replica of the same server, used when --server cannot be reached (repeatable)', httpUrl)
    .action(async (opts: WorkerCliOptions, c: Command) => {
      const { server, token } = c.optsWithGlobals<GlobalOptions>();
      const { startWorker } = await import('../../worker/worker.js');
      const w = await startWorker({ servers: [server, ...(opts.alsoServer ?? [])], ...(token && { token }), ...(opts.queue && { queue: opts.queue }), backend: opts.backend, concurrency: opts.concurrency, cacheDir: opts.cache, lockMs: opts.lockMs });
      const stop = (): void => void w.stop();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      await w.done;
    });
  program
    .command('workers')
    .description('remote workers seen in the last day: backends, devices, current jobs, last heartbeat')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, c: Command) => {
      const list = await withClient(c, (client) => client.workers());
      if (opts.json) return printJson(list);
      console.log(formatTable(['worker', 'version', 'source', 'backends', 'slots', 'jobs', 'heartbeat', 'state', 'devices'],
        list.map((w) => [w.id, w.version, w.source, w.backends.join(','), w.concurrency, w.currentJobIds.join(',') || '-', ago(w.lastHeartbeatAt), w.online ? 'online' : w.stoppedAt ? 'stopped' : 'silent', w.devices.join('; ')])));
    });
}
