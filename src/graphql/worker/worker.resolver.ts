// Remote job workers: what a worker-role token may call (register, heartbeat, claim, report,
// finish, release; plus PUT /uploads and the GET /worker/… downloads), and the `workers` list.
import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { WORKER_PROTOCOL, type ConversionResult } from '../../formats/index.js';
import type { JobFinish, TrainingFinish } from '../../jobs/remote.js';
import { InvalidInputError } from '../../registry/errors.js';
import { parseId } from '../../registry/pagination.js';
import type { TokenRole } from '../../registry/vocab.js';
import type { Context } from '../context.js';
import { JobType, toJobType } from '../job/job.type.js';
import { FinishJobInput, JobReportInput, RegisterWorkerInput } from './worker.input.js';
import { ClaimResult, JobReportAck, WorkerRegistration, WorkerType, toWorkerType } from './worker.type.js';

const FINISH_STATUSES = ['SUCCEEDED', 'FAILED', 'CANCELLED'] as const;

@Resolver(() => WorkerType)
export class WorkerResolver {
  @Authorized<TokenRole>('reader')
  @Query(() => [WorkerType], { description: 'Workers seen in the last day, most recent heartbeat first, with the jobs they run.' })
  async workers(@Ctx() ctx: Context): Promise<WorkerType[]> {
    return (await ctx.registry.workers.list()).map(toWorkerType);
  }

  @Authorized<TokenRole>('worker')
  @Mutation(() => WorkerRegistration, { description: 'A worker announces itself (WORKER_REFUSED for another protocol or an older version).' })
  async registerWorker(@Arg('input', () => RegisterWorkerInput) input: RegisterWorkerInput, @Ctx() ctx: Context): Promise<WorkerRegistration> {
    const w = await ctx.registry.workers.register({ ...input, source: input.source as 'redis' | 'api' });
    return Object.assign(new WorkerRegistration(), { worker: toWorkerType(w), serverVersion: ctx.registry.workers.serverVersion, protocol: WORKER_PROTOCOL });
  }

  @Authorized<TokenRole>('worker')
  @Mutation(() => [ID], { description: 'Heartbeat of a worker process and the jobs it holds; answers the ids among them asked to cancel.' })
  async workerHeartbeat(@Arg('workerId') workerId: string, @Arg('jobIds', () => [ID]) jobIds: string[], @Ctx() ctx: Context): Promise<string[]> {
    return (await ctx.remote.heartbeat(workerId, jobIds.map((id) => parseId(id, 'jobIds')))).map(String);
  }

  @Authorized<TokenRole>('worker')
  @Mutation(() => Boolean, { description: 'A worker stops (it holds no job any more).' })
  async stopWorker(@Arg('workerId') workerId: string, @Ctx() ctx: Context): Promise<boolean> {
    await ctx.registry.workers.stop(workerId);
    return true;
  }

  @Authorized<TokenRole>('worker')
  @Mutation(() => ClaimResult, { description: 'Takes job `jobId` (delivered by the Redis queue) or, without it, the next queued job this worker can run, for slot workerId = host/pid/slot.' })
  async claimJob(@Arg('workerId') workerId: string, @Arg('jobId', () => ID, { nullable: true }) jobId: string | null, @Ctx() ctx: Context): Promise<ClaimResult> {
    const r = await ctx.remote.claim(workerId, jobId == null ? null : parseId(jobId, 'jobId'));
    return Object.assign(new ClaimResult(), { assignment: r.assignment ? { ...r.assignment } : null, skipped: r.skipped });
  }

  @Authorized<TokenRole>('worker')
  @Mutation(() => JobReportAck, { description: 'Progress, curves or a committed batch of a held job (JOB_NOT_HELD when this worker no longer holds it).' })
  async reportJob(@Arg('input', () => JobReportInput) input: JobReportInput, @Ctx() ctx: Context): Promise<JobReportAck> {
    const { workerId, jobId, ...report } = input;
    const ack = await ctx.remote.report(workerId, parseId(jobId, 'jobId'), report as Parameters<Context['remote']['report']>[2]);
    return Object.assign(new JobReportAck(), ack);
  }

  @Authorized<TokenRole>('worker')
  @Mutation(() => JobType, { description: 'Ends a held job with its result, or FAILED / CANCELLED.' })
  async finishJob(@Arg('input', () => FinishJobInput) input: FinishJobInput, @Ctx() ctx: Context): Promise<JobType> {
    if (!(FINISH_STATUSES as readonly string[]).includes(input.status)) throw new InvalidInputError('status', `must be one of ${FINISH_STATUSES.join(', ')}`);
    const f: JobFinish = {
      status: input.status as JobFinish['status'],
      error: input.error ?? null,
      conversion: (input.conversion ?? null) as ConversionResult | null,
      training: (input.training ?? null) as TrainingFinish | null,
    };
    return toJobType(await ctx.remote.finish(input.workerId, parseId(input.jobId, 'jobId'), f));
  }

  @Authorized<TokenRole>('worker')
  @Mutation(() => JobType, { description: 'The worker cannot finish a held job (its thread died: counts an attempt; it is stopping: does not). QUEUED again, or FAILED past maxAttempts.' })
  async releaseJob(
    @Arg('workerId') workerId: string,
    @Arg('jobId', () => ID) jobId: string,
    @Arg('reason') reason: string,
    @Arg('countAttempt', () => Boolean, { defaultValue: true }) countAttempt: boolean,
    @Ctx() ctx: Context,
  ): Promise<JobType> {
    return toJobType(await ctx.remote.release(workerId, parseId(jobId, 'jobId'), reason.slice(0, 1000), countAttempt));
  }
}


