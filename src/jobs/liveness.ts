// Deciding whether the worker that holds a RUNNING job is gone. Worker ids are host/pid/slot: on
// this host a dead pid is certain; elsewhere only a stale heartbeat tells.
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * isDead(workerId, heartbeatAt) for JobService.recover. `ours(workerId)` says whether this process
 * is running (or claiming) the job with that worker id.
 */
export function deadWorkerCheck(host: string, ours: (workerId: string) => boolean, staleMs: number): (workerId: string | null, heartbeatAt: Date | null) => boolean {
  return (workerId, heartbeatAt) => {
    const [h, pid] = (workerId ?? '').split('/');
    if (workerId && h === host && pid !== undefined) {
      if (Number(pid) === process.pid) return !ours(workerId);
      return !pidAlive(Number(pid));
    }
    return heartbeatAt === null || Date.now() - heartbeatAt.getTime() > staleMs;
  };
}

/** SPIKELAB_WORKERS: worker threads of the pool (default 1, at most 64). */
export function workersFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.SPIKELAB_WORKERS ?? '1');
  return Number.isInteger(n) && n >= 1 && n <= 64 ? n : 1;
}
