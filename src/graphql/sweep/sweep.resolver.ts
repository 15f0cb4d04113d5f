import { Arg, Args, Authorized, Ctx, FieldResolver, Float, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { NotFoundError } from '../../registry/errors.js';
import { parseId } from '../../registry/pagination.js';
import type { SweepState } from '../../registry/sweeps.js';
import type { TokenRole } from '../../registry/vocab.js';
import { toConnection } from '../connection.js';
import type { Context } from '../context.js';
import { ConversionRunType, toConversionRunType } from '../conversion-run/conversion-run.type.js';
import { DatasetType, toDatasetType } from '../dataset/dataset.type.js';
import { toJobType } from '../job/job.type.js';
import { StartSweepInput, SweepsArgs, toSweepAxes } from './sweep.input.js';
import { SweepConnection, SweepPointType, SweepType, SweepWorkType, toSweepType } from './sweep.type.js';

const stateOf = (sweep: SweepType, ctx: Context): Promise<SweepState> => ctx.loaders.sweepState.load(Number(sweep.id));

@Resolver(() => SweepType)
export class SweepResolver {
  @Authorized<TokenRole>('writer')
  @Mutation(() => SweepType, {
    description: 'Queue a sweep: the cross product of the listed config values for each checkpoint, one job per checkpoint. A point whose identical run succeeded before reuses it (cached) unless force. BAD_USER_INPUT / NOT_FOUND before anything is queued.',
  })
  async startSweep(@Arg('input', () => StartSweepInput) input: StartSweepInput, @Ctx() ctx: Context): Promise<SweepType> {
    const { registry, events } = ctx;
    const sweep = await registry.sweeps.start({
      checkpointIds: input.checkpointIds.map((id) => parseId(id, 'checkpointIds')),
      datasetId: parseId(input.datasetId, 'datasetId'),
      axes: toSweepAxes(input.axes),
      maxSamples: input.maxSamples ?? null,
      backend: input.backend ?? null,
      force: input.force,
      priority: input.priority,
      maxAttempts: input.maxAttempts,
    });
    for (const w of await registry.sweeps.jobsOf(sweep.id)) if (w.job) events.publish('job', w.job.id, w.job);
    return toSweepType(sweep);
  }

  @Authorized<TokenRole>('writer')
  @Mutation(() => SweepType, { description: 'Cancel a sweep: its queued jobs at once, its running ones within one batch. Finished points keep their results.' })
  async cancelSweep(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<SweepType> {
    const { registry, events } = ctx;
    const sweepId = parseId(id);
    for (const job of await registry.sweeps.cancel(sweepId)) events.publish('job', job.id, job);
    return toSweepType(await registry.sweeps.get(sweepId));
  }

  @Authorized<TokenRole>('reader')
  @Query(() => SweepType)
  async sweep(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<SweepType> {
    return toSweepType(await ctx.registry.sweeps.get(parseId(id)));
  }

  @Authorized<TokenRole>('reader')
  @Query(() => SweepConnection, { description: 'Sweeps, oldest first unless orderBy says otherwise.' })
  async sweeps(@Args(() => SweepsArgs) args: SweepsArgs, @Ctx() ctx: Context): Promise<SweepConnection> {
    const filter = { datasetId: args.datasetId == null ? null : parseId(args.datasetId, 'datasetId'), status: args.status ?? null };
    return toConnection(await ctx.registry.sweeps.list(filter, args), toSweepType);
  }

  @FieldResolver(() => DatasetType)
  async dataset(@Root() sweep: SweepType, @Ctx() ctx: Context): Promise<DatasetType> {
    const row = await ctx.loaders.datasetById.load(Number(sweep.datasetId));
    if (!row) throw new NotFoundError('Dataset', sweep.datasetId);
    return toDatasetType(row);
  }

  @FieldResolver(() => [SweepPointType], { description: 'The points in order, each with its run.' })
  async points(@Root() sweep: SweepType, @Ctx() ctx: Context): Promise<SweepPointType[]> {
    return (await ctx.registry.sweeps.points(Number(sweep.id))).map((p) =>
      Object.assign(new SweepPointType(), { position: p.position, checkpointId: String(p.checkpointId), cached: p.cached, run: toConversionRunType(p.run, p.cached) }),
    );
  }

  @FieldResolver(() => [ConversionRunType], { description: 'The runs of the points, in point order (cached: reused from the registry).' })
  async runs(@Root() sweep: SweepType, @Ctx() ctx: Context): Promise<ConversionRunType[]> {
    return (await ctx.registry.sweeps.points(Number(sweep.id))).map((p) => toConversionRunType(p.run, p.cached));
  }

  @FieldResolver(() => [SweepWorkType], { description: 'Its work per checkpoint: the job, the points it computes, the calibrations and simulations they took.' })
  async work(@Root() sweep: SweepType, @Ctx() ctx: Context): Promise<SweepWorkType[]> {
    return (await ctx.registry.sweeps.jobsOf(Number(sweep.id))).map((w) =>
      Object.assign(new SweepWorkType(), { checkpointId: String(w.checkpointId), points: w.points, calibrations: w.calibrations, simulations: w.simulations, job: w.job && toJobType(w.job) }),
    );
  }

  @FieldResolver(() => Float, { description: 'Fraction done, 0..1: finished points plus the running jobs\' fractions.' })
  async progress(@Root() sweep: SweepType, @Ctx() ctx: Context): Promise<number> {
    return (await stateOf(sweep, ctx)).progress;
  }

  @FieldResolver(() => String, { nullable: true, description: 'Which point each running job computes (null when none runs).' })
  async message(@Root() sweep: SweepType, @Ctx() ctx: Context): Promise<string | null> {
    return (await stateOf(sweep, ctx)).message;
  }

  @FieldResolver(() => Int, { description: 'Points whose run has succeeded (reused ones included).' })
  async pointsDone(@Root() sweep: SweepType, @Ctx() ctx: Context): Promise<number> {
    return (await stateOf(sweep, ctx)).pointsDone;
  }

  @FieldResolver(() => Int, { description: 'Points answered from the registry (identical runs that had succeeded before).' })
  async cachedPoints(@Root() sweep: SweepType, @Ctx() ctx: Context): Promise<number> {
    return (await stateOf(sweep, ctx)).cachedPoints;
  }

  @FieldResolver(() => Int, { description: 'Calibrations the engine ran for this sweep (all checkpoints).' })
  async calibrations(@Root() sweep: SweepType, @Ctx() ctx: Context): Promise<number> {
    return (await stateOf(sweep, ctx)).calibrations;
  }

  @FieldResolver(() => Int, { description: 'SNN simulations the engine ran for this sweep (all checkpoints).' })
  async simulations(@Root() sweep: SweepType, @Ctx() ctx: Context): Promise<number> {
    return (await stateOf(sweep, ctx)).simulations;
  }
}
