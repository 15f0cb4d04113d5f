// `spikelab jobs [list|show|cancel]`
import { type Command, Option } from 'commander';
import { int } from '../parse.js';

export interface JobsListOptions {
  status?: string;
  kind?: string;
  limit: number;
  json?: boolean;
}

export function registerJobs(program: Command): void {
  const jobs = program.command('jobs').description('list, show and cancel jobs (training, conversion, import)');
  jobs
    .command('list', { isDefault: true })
    .description('list the most recent jobs, oldest first (the default command)')
    .addOption(new Option('--status <status>', 'only jobs with this status').choices(['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED']))
    .addOption(new Option('--kind <kind>', 'only jobs of this kind').choices(['training', 'conversion', 'import']))
    .option('--limit <n>', 'show the last n jobs', int(1, 10000), 50)
    .option('--json', 'print JSON')
    .action(async (opts: JobsListOptions, cmd: Command) => {
      const { runJobsList } = await import('./jobs-action.js');
      await runJobsList(opts, cmd);
    });
  jobs
    .command('show')
    .description('show one job')
    .argument('<id>', 'job id')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { json?: boolean }, cmd: Command) => {
      const { runJobShow } = await import('./jobs-action.js');
      await runJobShow(id, opts, cmd);
    });
  jobs
    .command('wait')
    .description('follow a job with a progress bar until it ends (exit 1 if it fails)')
    .argument('<id>', 'job id')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const { runJobWait } = await import('./jobs-action.js');
      await runJobWait(id, cmd);
    });
  jobs
    .command('cancel')
    .description('cancel a queued or running job')
    .argument('<id>', 'job id')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const { runJobCancel } = await import('./jobs-action.js');
      await runJobCancel(id, cmd);
    });
}
