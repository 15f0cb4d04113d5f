// Following a job from the terminal: a progress bar fed by waitForJob, closed on every outcome.
import type { Job, SpikelabClient } from '../api/client.js';
import { ProgressBar } from './output.js';

function describe(job: Job): string {
  const parts: string[] = [job.status === 'RUNNING' ? (job.phase ?? 'running') : job.status.toLowerCase()];
  if (job.epoch !== null) parts.push(`epoch ${job.epoch}`);
  if (job.step !== null) parts.push(`step ${job.step}`);
  if (job.message) parts.push(job.message);
  if (job.etaSeconds !== null && job.status === 'RUNNING') parts.push(`ETA ${Math.round(job.etaSeconds)} s`);
  return parts.join(' · ');
}

/** Waits for the job with a progress bar on stderr; rethrows JOB_FAILED / JOB_CANCELLED after closing the bar. */
export async function followJob(client: SpikelabClient, jobId: string, label: string): Promise<Job> {
  const bar = new ProgressBar(label);
  const started = Date.now();
  // Ctrl-C stops following, not the job: say how to cancel it
  const onInterrupt = (): void => {
    bar.finish(`interrupted: job ${jobId} keeps running on the server (\`spikelab jobs cancel ${jobId}\` stops it)`);
    process.exit(130);
  };
  process.once('SIGINT', onInterrupt);
  try {
    const job = await client.waitForJob(jobId, { onProgress: (j) => bar.update(j.progress, describe(j)) });
    bar.finish(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return job;
  } catch (err) {
    bar.finish('stopped');
    throw err;
  } finally {
    process.removeListener('SIGINT', onInterrupt);
  }
}
