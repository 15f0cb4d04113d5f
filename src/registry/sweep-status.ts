// A sweep's status follows its jobs, and the runs a sweep job computes follow that job, in the
// transaction that changes the job (syncRunStatus in jobs.ts calls syncSweepJob): nothing else
// writes either. A sweep job's runs are the sweep's runs on its checkpoint that have not ended;
// each one it stores on the way is SUCCEEDED already (ConversionRunService.storePoint).
import type { Prisma } from './db.js';
import { RUN_STATUSES, type RunStatus } from './vocab.js';

type Tx = Prisma.TransactionClient;

const OPEN: RunStatus[] = ['QUEUED', 'RUNNING'];

/** The sweep's status from its jobs' (no job: every point came from the registry). */
export function sweepStatusOf(jobs: readonly RunStatus[]): RunStatus {
  if (jobs.length === 0 || jobs.every((s) => s === 'SUCCEEDED')) return 'SUCCEEDED';
  if (jobs.every((s) => s === 'QUEUED')) return 'QUEUED';
  if (jobs.some((s) => OPEN.includes(s))) return 'RUNNING';
  return jobs.includes('FAILED') ? 'FAILED' : 'CANCELLED';
}

/** Recomputes a sweep's status, start, end and error from its jobs. */
export async function refreshSweepStatus(tx: Tx, sweepId: number): Promise<void> {
  const rows = await tx.sweepJob.findMany({ where: { sweepId, jobId: { not: null } }, orderBy: { position: 'asc' }, select: { job: { select: { status: true, error: true, startedAt: true } } } });
  const jobs = rows.flatMap((r) => (r.job ? [r.job] : []));
  const status = sweepStatusOf(jobs.map((j) => (RUN_STATUSES as readonly string[]).includes(j.status) ? (j.status as RunStatus) : 'FAILED'));
  const sweep = await tx.sweep.findUnique({ where: { id: sweepId }, select: { startedAt: true, finishedAt: true } });
  if (!sweep) return;
  const terminal = !OPEN.includes(status);
  const started = jobs.map((j) => j.startedAt).filter((d): d is Date => d !== null).sort((a, b) => a.getTime() - b.getTime())[0] ?? null;
  await tx.sweep.update({
    where: { id: sweepId },
    data: {
      status,
      startedAt: sweep.startedAt ?? started,
      finishedAt: terminal ? (sweep.finishedAt ?? new Date()) : null,
      error: jobs.find((j) => j.error)?.error ?? null,
    },
  });
}

/** The runs of a sweep job follow the job's new status; then the sweep's status is recomputed. No-op for other jobs. */
export async function syncSweepJob(tx: Tx, jobId: number, status: RunStatus, error: string | null): Promise<void> {
  const sj = await tx.sweepJob.findUnique({ where: { jobId }, select: { sweepId: true, checkpointId: true } });
  if (!sj) return;
  const runs = (statuses: RunStatus[]): Prisma.ConversionRunWhereInput => ({ sweepId: sj.sweepId, checkpointId: sj.checkpointId, status: { in: statuses } });
  const now = new Date();
  switch (status) {
    case 'RUNNING':
      await tx.conversionRun.updateMany({ where: runs(['QUEUED']), data: { status: 'RUNNING', startedAt: now, error: null } });
      break;
    case 'QUEUED':
      await tx.conversionRun.updateMany({ where: runs(['RUNNING']), data: { status: 'QUEUED', startedAt: null } });
      break;
    case 'FAILED':
    case 'CANCELLED':
      await tx.conversionRun.updateMany({ where: runs(OPEN), data: { status, finishedAt: now, error } });
      break;
    case 'SUCCEEDED':
      // every point was stored as it came; one still open had no result
      await tx.conversionRun.updateMany({ where: runs(OPEN), data: { status: 'FAILED', finishedAt: now, error: 'the sweep job ended without a result for this point' } });
      break;
  }
  await refreshSweepStatus(tx, sj.sweepId);
}
