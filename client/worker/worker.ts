// `spikelab worker`: a job worker on any machine that can reach the server over HTTP. It needs no
// shared filesystem and no database credentials: it registers (protocol, version, backends,
// devices), takes jobs — from the Redis queue (BullMQ) with --queue, else by claiming through the
// API every second — fetches their inputs by sha256, runs them in worker threads with the same
// code as the server's in-process runner, reports through the API, heartbeats every 2 s, and on
// SIGINT/SIGTERM hands running jobs back (not counted as an attempt) and says goodbye.
import { cpus, hostname } from 'node:os';
import { DelayedError, Worker as QueueWorker, type Job as QueueJob } from 'bullmq';
import { QUEUE_NAME, WORKER_PROTOCOL, type BackendName, type WorkerAssignment } from '../../src/formats/index.js';
import { redisOptions } from '../../src/jobs/redis.js';
import { WorkerSlot } from '../../src/jobs/slot.js';
import { SPIKELAB_VERSION } from '../../src/registry/paths.js';
import { WorkerApi } from './api.js';
import { InputCache } from './cache.js';
import { executeJob, type JobOutcome } from './execute.js';

export interface WorkerOptions {
  servers: string[];
  token?: string;
  /** redis://…: take jobs from the BullMQ queue; absent: claim through the API. */
  queue?: string;
  backend: BackendName;
  concurrency: number;
  cacheDir: string;
  /** Announced version (default this checkout's); tests announce an old one. */
  version?: string;
  /** BullMQ lock: a worker silent this long loses its job to another (default 15 s). */
  lockMs?: number;
  log?: (msg: string) => void;
}

export interface RunningWorker {
  id: string;
  backends: string[];
  /** Jobs finished (any status) since start. */
  readonly finished: number;
  stop(): Promise<void>;
  /** Resolves when the worker has stopped. */
  done: Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function startWorker(opts: WorkerOptions): Promise<RunningWorker> {
  const log = opts.log ?? ((m: string) => console.error(`worker: ${m}`));
  const id = `${hostname()}/${process.pid}`;
  const api = new WorkerApi({ servers: opts.servers, ...(opts.token && { token: opts.token }), log });
  const slots = Array.from({ length: opts.concurrency }, (_, i) => new WorkerSlot(i, opts.backend, (...a: unknown[]) => log(a.map(String).join(' '))));
  const threadBackend = await slots[0]!.warmUp();
  await Promise.all(slots.slice(1).map((s) => s.warmUp()));
  // TensorFlow.js backend of the threads (training), ONNX Runtime's CPU provider (conversion), and
  // its CUDA provider where installed
  const { cudaProvider } = await import('../../src/engine/ort/session.js');
  const backends = [...new Set([threadBackend, 'cpu', ...(cudaProvider().available ? ['cuda'] : [])])];
  const devices = [`cpu: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`];
  let reg: Awaited<ReturnType<WorkerApi['register']>>;
  try {
    reg = await api.register({ id, protocol: WORKER_PROTOCOL, version: opts.version ?? SPIKELAB_VERSION, backends, devices, concurrency: opts.concurrency, source: opts.queue ? 'redis' : 'api' });
  } catch (err) {
    // refused (old version, wrong protocol) or unreachable: nothing may keep this process alive
    await Promise.all(slots.map((s) => s.terminate(true)));
    await api.close();
    throw err;
  }
  log(`${id} registered with ${api.server} (server ${reg.serverVersion}); backends ${backends.join(', ')}; ${opts.concurrency} slot(s); taking jobs from ${opts.queue ? `the Redis queue ${QUEUE_NAME}` : 'the API'}`);
  const cache = new InputCache(opts.cacheDir, (path) => api.download(path));
  const held = new Map<number, { slot: WorkerSlot; cancel: () => void }>();
  const free = [...slots];
  let stopping = false;
  let finished = 0;

  const heartbeat = setInterval(() => {
    void api.heartbeat(id, [...held.keys()]).then(
      (cancel) => cancel.forEach((jobId) => held.get(jobId)?.cancel()),
      (err: Error) => log(`heartbeat failed: ${err.message}`),
    );
  }, 2000);

  /** Claims (job `jobId`, or any) on a free slot and runs it; the outcome tells the queue what to do. */
  const runOn = async (slot: WorkerSlot, jobId: number | null): Promise<{ skipped: string | null; outcome?: JobOutcome }> => {
    const workerId = `${id}/${slot.index}`;
    const { assignment, skipped } = await api.claim(workerId, jobId);
    if (!assignment) return { skipped };
    return { skipped: null, outcome: await run(slot, assignment) };
  };

  const active = new Set<Promise<JobOutcome>>();
  const run = (slot: WorkerSlot, a: WorkerAssignment): Promise<JobOutcome> => {
    const p = runJob(slot, a);
    active.add(p);
    void p.finally(() => active.delete(p)).catch(() => undefined);
    return p;
  };
  const runJob = async (slot: WorkerSlot, a: WorkerAssignment): Promise<JobOutcome> => {
    log(`job ${a.jobId} (${a.kind}, attempt ${a.attempt}) on slot ${slot.index}${a.task.kind === 'conversion' && a.task.resume.length > 0 ? `, resuming after ${a.task.resume.length} committed batch(es)` : ''}`);
    held.set(a.jobId, { slot, cancel: () => slot.cancel(a.jobId) });
    try {
      const outcome = await executeJob({ api, cache, backend: opts.backend, log }, slot, a, (cancel) => held.set(a.jobId, { slot, cancel }));
      if (outcome === 'crashed') await api.release(a.workerId, a.jobId, stopping ? 'the worker stopped' : 'the worker thread died', !stopping).catch((err: Error) => log(`job ${a.jobId}: release failed: ${err.message}`));
      log(`job ${a.jobId}: ${outcome}`);
      finished++;
      return outcome;
    } finally {
      held.delete(a.jobId);
    }
  };

  let queueWorker: QueueWorker | null = null;
  let loops: Promise<void>[] = [];
  if (opts.queue) {
    queueWorker = new QueueWorker(QUEUE_NAME, async (job: QueueJob<{ jobId: number }>, token?: string) => {
      const slot = free.shift();
      if (!slot) throw new Error('no free slot (concurrency exceeded)');
      try {
        const { skipped, outcome } = await runOn(slot, job.data.jobId);
        if (skipped === 'backend' || skipped === 'busy') {
          // not ours to run (now): back to the queue without using an attempt
          await job.moveToDelayed(Date.now() + (skipped === 'busy' ? 5000 : 2000), token);
          throw new DelayedError();
        }
        if (outcome === 'crashed' && !stopping) throw new Error(`job ${job.data.jobId}: the worker thread died`);
      } finally {
        free.push(slot);
      }
    }, { connection: redisOptions(opts.queue), concurrency: opts.concurrency, lockDuration: opts.lockMs ?? 15_000, stalledInterval: Math.min(5000, opts.lockMs ?? 15_000), maxStalledCount: 100, autorun: true });
    queueWorker.on('error', (err) => log(`queue (Redis): ${err.message}`));
  } else {
    loops = slots.map(async (slot) => {
      while (!stopping) {
        try {
          const { skipped } = await runOn(slot, null);
          if (skipped) await sleep(1000);
        } catch (err) {
          log(`claim failed: ${(err as Error).message}`);
          await sleep(2000);
        }
      }
    });
  }

  let resolveDone = (): void => {};
  const done = new Promise<void>((r) => (resolveDone = r));
  const stop = async (): Promise<void> => {
    if (stopping) return done;
    stopping = true;
    clearInterval(heartbeat);
    // running jobs are handed back (not counted as an attempt); the queue worker stops taking more
    const closing = queueWorker?.close(true);
    await Promise.all(slots.map((s) => s.terminate(true)));
    await Promise.allSettled([closing, ...loops, ...active]);
    await api.stop(id).catch(() => undefined);
    await api.close();
    resolveDone();
    return done;
  };
  return { id, backends, get finished() { return finished; }, stop, done };
}
