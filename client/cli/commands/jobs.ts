// `spikelab jobs [list|show|wait|cancel]`
import { type Command, Option } from 'commander';
import type { Job } from '../../api/client.js';
import { JOB_KINDS } from '../../../src/registry/jobs.js';
import { RUN_STATUSES } from '../../../src/registry/vocab.js';
import { withClient } from '../context.js';
import { followJob } from '../follow.js';
import { formatTable, listOrder, orderOption, printJson } from '../output.js';
import { int } from '../parse.js';

interface ListOptions {
  status?: string;
  kind?: string;
  limit: number;
  order: string;
  json?: boolean;
}

const pct = (j: Job): string => `${(j.progress * 100).toFixed(0)}%`;
const ago = (iso: string | null): string => (iso === null ? '-' : iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z'));

export function registerJobs(program: Command): void {
  const jobs = program.command('jobs').description(`list, show, follow and cancel jobs (${JOB_KINDS.join(', ')})`);
  jobs
    .command('list', { isDefault: true })
    .description('list jobs, newest first (the default command)')
    .addOption(new Option('--status <status>', 'only jobs with this status').choices(RUN_STATUSES))
    .addOption(new Option('--kind <kind>', 'only jobs of this kind').choices(JOB_KINDS))
    .option('--limit <n>', 'show at most n jobs', int(1, 10000), 50)
    .addOption(orderOption())
    .option('--json', 'print JSON')
    .action(async (opts: ListOptions, c: Command) => {
      const filter = { ...(opts.status && { status: opts.status }), ...(opts.kind && { kind: opts.kind }) };
      const list = await withClient(c, (client) => client.jobs(filter, opts.limit, listOrder(opts.order)));
      if (opts.json) return printJson(list);
      console.log(formatTable(['job', 'kind', 'status', 'progress', 'phase', 'run', 'created', 'error'],
        list.map((j) => [j.id, j.kind, j.status, pct(j), j.phase, j.trainingRunId ?? j.conversionRunId, ago(j.createdAt), j.error?.slice(0, 60)])));
    });
  jobs
    .command('show')
    .description('show one job')
    .argument('<id>', 'job id')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { json?: boolean }, c: Command) => {
      const j = await withClient(c, (client) => client.job(id));
      if (opts.json) return printJson(j);
      const run = j.trainingRunId ? `training run ${j.trainingRunId}` : j.conversionRunId ? `conversion run ${j.conversionRunId}` : '-';
      console.log(formatTable(['field', 'value'], [
        ['job', j.id], ['kind', j.kind], ['status', j.status], ['progress', pct(j)], ['phase', j.phase], ['message', j.message],
        ['run', run], ['attempts', j.attempts], ['created', ago(j.createdAt)], ['started', ago(j.startedAt)], ['finished', ago(j.finishedAt)], ['error', j.error],
      ]));
    });
  jobs
    .command('wait')
    .description('follow a job with a progress bar until it ends (exit 1 if it fails)')
    .argument('<id>', 'job id')
    .action(async (id: string, _opts: unknown, c: Command) => {
      await withClient(c, async (client) => {
        const j = await followJob(client, id, `job ${id}`);
        console.log(`job ${j.id} ${j.status}`);
      });
    });
  jobs
    .command('cancel')
    .description('cancel a queued or running job')
    .argument('<id>', 'job id')
    .action(async (id: string, _opts: unknown, c: Command) => {
      const j = await withClient(c, (client) => client.cancelJob(id));
      console.log(j.status === 'CANCELLED' ? `job ${j.id} cancelled` : j.cancelRequested ? `job ${j.id}: cancellation requested (${j.status}; stops within one batch)` : `job ${j.id} already ${j.status}`);
    });
}
