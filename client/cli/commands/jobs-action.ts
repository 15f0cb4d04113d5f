// The work behind `spikelab jobs …` (loaded only when the command runs).
import type { Command } from 'commander';
import type { Job } from '../../api/client.js';
import { withClient } from '../context.js';
import { followJob } from '../follow.js';
import { formatTable, printJson } from '../output.js';
import type { JobsListOptions } from './jobs.js';

const pct = (j: Job): string => `${(j.progress * 100).toFixed(0)}%`;
const ago = (iso: string | null): string => (iso === null ? '-' : iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z'));

export async function runJobsList(opts: JobsListOptions, cmd: Command): Promise<void> {
  const jobs = await withClient(cmd, (c) => c.jobs({ ...(opts.status && { status: opts.status }), ...(opts.kind && { kind: opts.kind }) }, 100_000));
  if (opts.json) return printJson(jobs);
  console.log(formatTable(['job', 'kind', 'status', 'progress', 'phase', 'run', 'created', 'error'],
    jobs.slice(-opts.limit).map((j) => [j.id, j.kind, j.status, pct(j), j.phase, j.trainingRunId ?? j.conversionRunId, ago(j.createdAt), j.error?.slice(0, 60)])));
}

export async function runJobShow(id: string, opts: { json?: boolean }, cmd: Command): Promise<void> {
  const j = await withClient(cmd, (c) => c.job(id));
  if (opts.json) return printJson(j);
  const run = j.trainingRunId ? `training run ${j.trainingRunId}` : j.conversionRunId ? `conversion run ${j.conversionRunId}` : '-';
  console.log(formatTable(['field', 'value'], [
    ['job', j.id], ['kind', j.kind], ['status', j.status], ['progress', pct(j)], ['phase', j.phase], ['message', j.message],
    ['run', run], ['attempts', j.attempts], ['created', ago(j.createdAt)], ['started', ago(j.startedAt)], ['finished', ago(j.finishedAt)], ['error', j.error],
  ]));
}

export async function runJobWait(id: string, cmd: Command): Promise<void> {
  await withClient(cmd, async (c) => {
    const j = await followJob(c, id, `job ${id}`);
    console.log(`job ${j.id} ${j.status}`);
  });
}

export async function runJobCancel(id: string, cmd: Command): Promise<void> {
  const j = await withClient(cmd, (c) => c.cancelJob(id));
  console.log(j.status === 'CANCELLED' ? `job ${j.id} cancelled` : j.cancelRequested ? `job ${j.id}: cancellation requested (${j.status}; stops within one batch)` : `job ${j.id} already ${j.status}`);
}
