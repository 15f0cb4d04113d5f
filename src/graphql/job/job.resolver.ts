import { Arg, Args, Authorized, Ctx, ID, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { TokenRole } from '../../registry/vocab.js';
import type { Job } from '../../registry/jobs.js';
import { TERMINAL_STATUSES } from '../../registry/jobs.js';
import { parseId } from '../../registry/pagination.js';
import type { RunStatus } from '../../registry/vocab.js';
import { toConnection } from '../connection.js';
import type { Context } from '../context.js';
import { JobsArgs } from './job.input.js';
import { JobConnection, JobType, toJobType } from './job.type.js';

/** The job's current state, then every change, ending after a terminal status. */
async function* jobStream(ctx: Context, id: number): AsyncGenerator<Job> {
  const { registry, events } = ctx;
  const updates = events.subscribe('job', id);
  try {
    const first = await registry.jobs.get(id);
    yield first;
    if (TERMINAL_STATUSES.includes(first.status as RunStatus)) return;
    for await (const job of updates) {
      yield job;
      if (TERMINAL_STATUSES.includes(job.status as RunStatus)) return;
    }
  } finally {
    await updates.return?.();
  }
}

@Resolver(() => JobType)
export class JobResolver {
  @Authorized<TokenRole>('reader')
  @Query(() => JobType)
  async job(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<JobType> {
    return toJobType(await ctx.registry.jobs.get(parseId(id)));
  }

  @Authorized<TokenRole>('reader')
  @Query(() => JobConnection, { description: 'Jobs, oldest first unless orderBy says otherwise.' })
  async jobs(@Args(() => JobsArgs) args: JobsArgs, @Ctx() ctx: Context): Promise<JobConnection> {
    return toConnection(await ctx.registry.jobs.list({ status: args.status, kind: args.kind }, args), toJobType);
  }

  @Authorized<TokenRole>('writer')
  @Mutation(() => JobType, { description: 'Cancel a job: a queued one at once, a running one within one batch. A finished job is returned unchanged.' })
  async cancelJob(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<JobType> {
    const { registry, events } = ctx;
    const jobId = parseId(id);
    // the runner holding it stops it now; the cancelRequested write below may wait behind batch commits
    events.publish('cancelAsked', jobId, { jobId });
    const job = await registry.jobs.requestCancel(jobId);
    events.publish('job', job.id, job);
    return toJobType(job);
  }

  @Authorized<TokenRole>('reader')
  @Subscription(() => JobType, {
    description: 'The job now, then each progress update or status change; completes when the job ends (FAILED carries the error).',
    subscribe: ({ args, context }) => jobStream(context as Context, parseId(String((args as { id: string }).id))),
  })
  jobProgress(@Arg('id', () => ID) _id: string, @Root() job: Job): JobType {
    return toJobType(job);
  }
}
