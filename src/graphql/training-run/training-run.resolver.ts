import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { TokenRole } from '../../registry/vocab.js';
import { NotFoundError } from '../../registry/errors.js';
import { parseId } from '../../registry/pagination.js';
import { CheckpointType, toCheckpointType } from '../checkpoint/checkpoint.type.js';
import { toConnection } from '../connection.js';
import type { Context } from '../context.js';
import { DatasetType, toDatasetType } from '../dataset/dataset.type.js';
import { JobType, toJobType } from '../job/job.type.js';
import { ModelType, toModelType } from '../model/model.type.js';
import { toRunFilter } from '../run-filter.input.js';
import { StartTrainingInput, TrainingRunsArgs } from './training-run.input.js';
import { TrainingMetricType, TrainingRunConnection, TrainingRunType, toTrainingMetricType, toTrainingRunType } from './training-run.type.js';

@Resolver(() => TrainingRunType)
export class TrainingRunResolver {
  @Authorized<TokenRole>('writer')
  @Mutation(() => TrainingRunType, { description: 'Queue training of a model on a dataset (BAD_USER_INPUT / NOT_FOUND before anything is queued). Watch it with jobProgress(run.jobId).' })
  async startTraining(@Arg('input', () => StartTrainingInput) input: StartTrainingInput, @Ctx() ctx: Context): Promise<TrainingRunType> {
    const { registry, events } = ctx;
    const run = await registry.trainingRuns.start({
      modelId: parseId(input.modelId, 'modelId'),
      datasetId: parseId(input.datasetId, 'datasetId'),
      initCheckpointId: input.initCheckpointId == null ? null : parseId(input.initCheckpointId, 'initCheckpointId'),
      ...(input.config && { config: { ...input.config } }),
      backend: input.backend ?? null,
      priority: input.priority,
      maxAttempts: input.maxAttempts,
    });
    if (run.jobId != null) { const job = await registry.jobs.get(run.jobId); events.publish('job', job.id, job); }
    return toTrainingRunType(run);
  }

  @Authorized<TokenRole>('reader')
  @Query(() => TrainingRunConnection, { description: 'Training runs, oldest first unless orderBy says otherwise.' })
  async trainingRuns(@Args(() => TrainingRunsArgs) args: TrainingRunsArgs, @Ctx() ctx: Context): Promise<TrainingRunConnection> {
    return toConnection(await ctx.registry.trainingRuns.list(toRunFilter(args.filter), args), toTrainingRunType);
  }

  @Authorized<TokenRole>('reader')
  @Query(() => TrainingRunType)
  async trainingRun(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<TrainingRunType> {
    return toTrainingRunType(await ctx.registry.trainingRuns.get(parseId(id)));
  }

  @Authorized<TokenRole>('writer')
  @Mutation(() => TrainingRunType, { description: 'Soft-delete a training run (its checkpoints stay).' })
  async deleteTrainingRun(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<TrainingRunType> {
    return toTrainingRunType(await ctx.registry.trainingRuns.softDelete(parseId(id)));
  }

  @FieldResolver(() => ModelType)
  async model(@Root() run: TrainingRunType, @Ctx() ctx: Context): Promise<ModelType> {
    const row = await ctx.loaders.modelById.load(Number(run.modelId));
    if (!row) throw new NotFoundError('Model', run.modelId);
    return toModelType(row);
  }

  @FieldResolver(() => DatasetType)
  async dataset(@Root() run: TrainingRunType, @Ctx() ctx: Context): Promise<DatasetType> {
    const row = await ctx.loaders.datasetById.load(Number(run.datasetId));
    if (!row) throw new NotFoundError('Dataset', run.datasetId);
    return toDatasetType(row);
  }

  @FieldResolver(() => CheckpointType, { nullable: true })
  async resultCheckpoint(@Root() run: TrainingRunType, @Ctx() ctx: Context): Promise<CheckpointType | null> {
    if (run.resultCheckpointId == null) return null;
    const row = await ctx.loaders.checkpointById.load(Number(run.resultCheckpointId));
    return row ? toCheckpointType(row) : null;
  }

  @FieldResolver(() => JobType, { nullable: true })
  async job(@Root() run: TrainingRunType, @Ctx() ctx: Context): Promise<JobType | null> {
    if (run.jobId == null) return null;
    const row = await ctx.loaders.jobById.load(Number(run.jobId));
    return row ? toJobType(row) : null;
  }

  @FieldResolver(() => [TrainingMetricType], { description: "Training curves; unit 'epoch' or 'iteration' (default both)." })
  async metrics(@Root() run: TrainingRunType, @Ctx() ctx: Context, @Arg('unit', () => String, { nullable: true }) unit?: string, @Arg('name', () => String, { nullable: true }) name?: string): Promise<TrainingMetricType[]> {
    const rows = await ctx.loaders.trainingMetrics.load(Number(run.id));
    return rows.filter((r) => (unit == null || r.unit === unit) && (name == null || r.name === name)).map(toTrainingMetricType);
  }
}
