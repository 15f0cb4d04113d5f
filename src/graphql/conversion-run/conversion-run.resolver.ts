import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { TokenRole } from '../../registry/vocab.js';
import type { StepMetricsEvent } from '../../jobs/events.js';
import { NotFoundError } from '../../registry/errors.js';
import { parseId } from '../../registry/pagination.js';
import { CheckpointType, toCheckpointType } from '../checkpoint/checkpoint.type.js';
import { toConnection } from '../connection.js';
import type { Context } from '../context.js';
import { DatasetType, toDatasetType } from '../dataset/dataset.type.js';
import { JobType, toJobType } from '../job/job.type.js';
import { toRunFilter } from '../run-filter.input.js';
import { ConversionRunsArgs, StartConversionInput, StepMetricsArgs } from './conversion-run.input.js';
import { ConversionRunConnection, ConversionRunType, LayerStatType, SegmentationPanelType, StepPointType, toConversionRunType, toLayerStatType } from './conversion-run.type.js';
import { StepMetricsEventType, toStepMetricsEventType } from './step-metrics-event.type.js';

/** Step-metric events of a run until its last (done) event; nothing when the run already ended. */
async function* stepStream(ctx: Context, runId: number): AsyncGenerator<StepMetricsEvent> {
  const { registry, events } = ctx;
  const updates = events.subscribe('stepMetrics', runId);
  try {
    const run = await registry.conversionRuns.get(runId);
    if (run.status !== 'QUEUED' && run.status !== 'RUNNING') return;
    for await (const e of updates) {
      yield e;
      if (e.done) return;
    }
  } finally {
    await updates.return?.();
  }
}

@Resolver(() => ConversionRunType)
export class ConversionRunResolver {
  @Authorized<TokenRole>('writer')
  @Mutation(() => ConversionRunType, {
    description: 'Queue conversion + simulation of a checkpoint on a dataset (BAD_USER_INPUT / NOT_FOUND before anything is queued). An identical request whose run succeeded before is answered by that run (cached: true) unless force.',
  })
  async startConversion(@Arg('input', () => StartConversionInput) input: StartConversionInput, @Ctx() ctx: Context): Promise<ConversionRunType> {
    const { registry, events } = ctx;
    const { run, cached, job } = await registry.conversionRuns.request({
      checkpointId: parseId(input.checkpointId, 'checkpointId'),
      datasetId: parseId(input.datasetId, 'datasetId'),
      ...(input.config && { config: { ...input.config } }),
      maxSamples: input.maxSamples ?? null,
      backend: input.backend ?? null,
      priority: input.priority,
      maxAttempts: input.maxAttempts,
      force: input.force,
    });
    if (job !== undefined) {
      events.publish('job', job.id, job);
      // the run's job field reads it from the loader: the row the request wrote, not a second read
      ctx.loaders.jobById.prime(job.id, job);
    }
    return toConversionRunType(run, cached);
  }

  @Authorized<TokenRole>('reader')
  @Query(() => ConversionRunConnection, { description: 'Conversion runs, oldest first unless orderBy says otherwise.' })
  async conversionRuns(@Args(() => ConversionRunsArgs) args: ConversionRunsArgs, @Ctx() ctx: Context): Promise<ConversionRunConnection> {
    return toConnection(await ctx.registry.conversionRuns.list(toRunFilter(args.filter), args), toConversionRunType);
  }

  @Authorized<TokenRole>('reader')
  @Query(() => ConversionRunType)
  async conversionRun(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<ConversionRunType> {
    return toConversionRunType(await ctx.registry.conversionRuns.get(parseId(id)));
  }

  @Authorized<TokenRole>('writer')
  @Mutation(() => ConversionRunType, { description: 'Soft-delete a conversion run.' })
  async deleteConversionRun(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<ConversionRunType> {
    return toConversionRunType(await ctx.registry.conversionRuns.softDelete(parseId(id)));
  }

  @FieldResolver(() => [StepPointType], { description: 'One metric per step; pick steps, every k-th step, or a downsample (at most one).' })
  async stepMetrics(@Root() run: ConversionRunType, @Args(() => StepMetricsArgs) args: StepMetricsArgs, @Ctx() ctx: Context): Promise<StepPointType[]> {
    const { steps, every, sample } = args;
    return ctx.loaders.stepMetrics.load({ runId: Number(run.id), name: args.name, sel: { steps, every, sample } });
  }

  @FieldResolver(() => [String], { description: 'Names of the per-step metrics recorded.' })
  async metricNames(@Root() run: ConversionRunType, @Ctx() ctx: Context): Promise<string[]> {
    return ctx.loaders.metricNames.load(Number(run.id));
  }

  @FieldResolver(() => [LayerStatType])
  async layerStats(@Root() run: ConversionRunType, @Ctx() ctx: Context): Promise<LayerStatType[]> {
    return (await ctx.loaders.layerStats.load(Number(run.id))).map(toLayerStatType);
  }

  @FieldResolver(() => [SegmentationPanelType], { nullable: true, description: 'Segmentation runs: a few test images for figures.' })
  async panels(@Root() run: ConversionRunType, @Ctx() ctx: Context): Promise<SegmentationPanelType[] | null> {
    return ctx.registry.conversionRuns.panels(Number(run.id));
  }

  @FieldResolver(() => CheckpointType)
  async checkpoint(@Root() run: ConversionRunType, @Ctx() ctx: Context): Promise<CheckpointType> {
    const row = await ctx.loaders.checkpointById.load(Number(run.checkpointId));
    if (!row) throw new NotFoundError('Checkpoint', run.checkpointId);
    return toCheckpointType(row);
  }

  @FieldResolver(() => DatasetType)
  async dataset(@Root() run: ConversionRunType, @Ctx() ctx: Context): Promise<DatasetType> {
    const row = await ctx.loaders.datasetById.load(Number(run.datasetId));
    if (!row) throw new NotFoundError('Dataset', run.datasetId);
    return toDatasetType(row);
  }

  @FieldResolver(() => JobType, { nullable: true, description: 'The job computing this run: its own, or the job of its sweep on its checkpoint.' })
  async job(@Root() run: ConversionRunType, @Ctx() ctx: Context): Promise<JobType | null> {
    const jobId = run.jobId != null ? Number(run.jobId) : await ctx.registry.sweeps.jobOfRun({ sweepId: run.sweepId == null ? null : Number(run.sweepId), checkpointId: Number(run.checkpointId) });
    if (jobId == null) return null;
    const row = await ctx.loaders.jobById.load(jobId);
    return row ? toJobType(row) : null;
  }

  @Authorized<TokenRole>('reader')
  @Subscription(() => StepMetricsEventType, {
    name: 'stepMetrics',
    description: 'Per-step metrics of a queued or running conversion run as the simulation produces them (see StepMetricsEvent).',
    subscribe: ({ args, context }) => stepStream(context as Context, parseId(String((args as { runId: string }).runId), 'runId')),
  })
  stepMetricsStream(@Arg('runId', () => ID) _runId: string, @Root() e: StepMetricsEvent): StepMetricsEventType {
    return toStepMetricsEventType(e);
  }
}
