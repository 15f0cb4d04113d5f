// waitForJob: follows a job over the jobProgress subscription (graphql-ws) until it ends; falls
// back to polling `job(id)` when no WebSocket can be opened (e.g. a proxy that drops upgrades).
import { JobDocument, JobProgressDocument, type JobFieldsFragment } from '../generated/graphql.js';
import { SpikelabError } from './errors.js';
import type { Transport } from './transport.js';

export type Job = JobFieldsFragment;

export interface WaitOptions {
  /** Called with the job now and after every progress update or status change. */
  onProgress?: (job: Job) => void;
  /** Give up after this many ms (TIMEOUT; the job keeps running). Default: no limit. */
  timeoutMs?: number;
  /** Poll interval when subscriptions are unavailable (default 1000 ms). */
  pollMs?: number;
  /** Resolve with a FAILED / CANCELLED job instead of throwing JOB_FAILED / JOB_CANCELLED. */
  allowFailure?: boolean;
}

const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

export function isTerminal(job: Pick<Job, 'status'>): boolean {
  return TERMINAL.has(job.status);
}

function settle(job: Job, opts: WaitOptions): Job {
  if (opts.allowFailure || job.status === 'SUCCEEDED') return job;
  if (job.status === 'CANCELLED') throw new SpikelabError(`job ${job.id} (${job.kind}) was cancelled`, 'JOB_CANCELLED', { job });
  throw new SpikelabError(`job ${job.id} (${job.kind}) failed: ${job.error ?? 'no error message'}`, 'JOB_FAILED', { job });
}

async function poll(transport: Transport, id: string, opts: WaitOptions, deadline: number): Promise<Job> {
  for (;;) {
    const { job } = await transport.request(JobDocument, { id });
    opts.onProgress?.(job);
    if (isTerminal(job)) return job;
    if (Date.now() > deadline) throw new SpikelabError(`job ${id} still ${job.status} after ${opts.timeoutMs} ms`, 'TIMEOUT', { job });
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 1000));
  }
}

export async function waitForJob(transport: Transport, id: string, opts: WaitOptions = {}): Promise<Job> {
  const deadline = opts.timeoutMs === undefined ? Infinity : Date.now() + opts.timeoutMs;
  // one query first: NOT_FOUND / FORBIDDEN arrive with their codes, and a finished job needs no socket
  let last: Job | undefined = (await transport.request(JobDocument, { id })).job;
  opts.onProgress?.(last);
  if (isTerminal(last)) return settle(last, opts);
  const sub = transport.subscribe(JobProgressDocument, { id }, ({ jobProgress }) => {
    last = jobProgress;
    opts.onProgress?.(jobProgress);
    if (isTerminal(jobProgress)) sub.unsubscribe();
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    if (deadline !== Infinity) timer = setTimeout(() => reject(new SpikelabError(`job ${id} still ${last?.status ?? 'unknown'} after ${opts.timeoutMs} ms`, 'TIMEOUT', { job: last })), deadline - Date.now());
  });
  try {
    await Promise.race([sub.done, timeout]);
  } catch (err) {
    sub.unsubscribe();
    // a GraphQL error (NOT_FOUND, FORBIDDEN, …) is final; a transport failure falls back to polling
    if (!(err instanceof SpikelabError) || err.code !== 'CONNECTION_FAILED') throw err;
    return settle(await poll(transport, id, opts, deadline), opts);
  } finally {
    if (timer) clearTimeout(timer);
  }
  // the stream completed (or we unsubscribed at a terminal status): make sure we report the final state
  if (!last || !isTerminal(last)) last = (await transport.request(JobDocument, { id })).job;
  if (!isTerminal(last)) return settle(await poll(transport, id, opts, deadline), opts);
  return settle(last, opts);
}
