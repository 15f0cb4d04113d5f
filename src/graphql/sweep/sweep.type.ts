import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { DEFAULT_CONVERSION_CONFIG, SWEEP_AXES, axisValueText, sweptAxes, type ConversionConfig } from '../../formats/index.js';
import type { Sweep } from '../../registry/sweeps.js';
import { Connection } from '../connection.js';
import { ConversionRunType } from '../conversion-run/conversion-run.type.js';
import { JobType } from '../job/job.type.js';

@ObjectType('SweepAxis', { description: 'A conversion config field and the values the sweep lists for it.', simpleResolvers: true })
export class SweepAxisType {
  @Field() name!: string;
  @Field(() => [String], { description: 'The values, as text (numbers and booleans in JSON).' }) values!: string[];
}

@ObjectType('SweepPoint', { description: 'One point of a sweep: a checkpoint with one config of the grid, and its conversion run.' })
export class SweepPointType {
  @Field(() => Int, { description: 'Checkpoints in the order given, then the configs in cross-product order.' }) position!: number;
  @Field(() => ID) checkpointId!: string;
  @Field({ description: 'true: an identical run had succeeded before and is reused (its sweepId names whoever computed it).' }) cached!: boolean;
  @Field(() => ConversionRunType) run!: ConversionRunType;
}

@ObjectType('SweepWork', { description: 'The work of a sweep on one checkpoint: one job computing the points not answered from the registry.' })
export class SweepWorkType {
  @Field(() => ID) checkpointId!: string;
  @Field(() => Int, { description: 'Points this job computes.' }) points!: number;
  @Field(() => Int, { description: 'Calibrations the engine ran for them (one per percentile, channel-wise, … group when the work is shared).' }) calibrations!: number;
  @Field(() => Int, { description: 'SNN simulations the engine ran for them (one per distinct SNN when the work is shared).' }) simulations!: number;
  @Field(() => JobType, { nullable: true, description: 'null when every point of this checkpoint came from the registry.' }) job!: JobType | null;
}

@ObjectType('Sweep', { description: 'A grid of conversions: the cross product of the listed config values for each checkpoint, on one data set. Its points are ordinary conversion runs.' })
export class SweepType {
  @Field(() => ID) id!: string;
  @Field(() => ID) datasetId!: string;
  @Field(() => [SweepAxisType], { description: 'Every config field the sweep lists values for (one value: fixed).' }) axes!: SweepAxisType[];
  @Field(() => [String], { description: 'The axes with more than one value, in table order.' }) sweptAxes!: string[];
  @Field(() => GraphQLJSONObject, { description: 'The values of the fields not swept (listed once, or the defaults).' }) fixed!: Partial<ConversionConfig>;
  @Field(() => Int, { nullable: true }) maxSamples!: number | null;
  @Field() backend!: string;
  @Field({ description: 'true: every point was computed again, none taken from the registry.' }) force!: boolean;
  @Field(() => Int, { description: 'Checkpoints × configs.' }) pointCount!: number;
  @Field({ description: 'QUEUED | RUNNING | SUCCEEDED | FAILED | CANCELLED (from its jobs: SUCCEEDED when every job succeeded or none was needed).' }) status!: string;
  @Field(() => String, { nullable: true }) error!: string | null;
  @Field() createdAt!: Date;
  @Field(() => Date, { nullable: true }) startedAt!: Date | null;
  @Field(() => Date, { nullable: true }) finishedAt!: Date | null;
}

@ObjectType()
export class SweepConnection extends Connection(SweepType, 'Sweep') {}

export function toSweepType(s: Sweep): SweepType {
  const swept = sweptAxes(s.axes);
  const fixed = Object.fromEntries(SWEEP_AXES.filter((a) => !swept.includes(a)).map((a) => [a, s.axes[a]?.[0] ?? DEFAULT_CONVERSION_CONFIG[a]]));
  return Object.assign(new SweepType(), {
    id: String(s.id),
    datasetId: String(s.datasetId),
    axes: SWEEP_AXES.filter((a) => s.axes[a] !== undefined).map((a) => ({ name: a, values: (s.axes[a] as unknown[]).map(axisValueText) })),
    sweptAxes: swept,
    fixed,
    maxSamples: s.maxSamples,
    backend: s.backend,
    force: s.force,
    pointCount: s.pointCount,
    status: s.status,
    error: s.error,
    createdAt: s.createdAt,
    startedAt: s.startedAt,
    finishedAt: s.finishedAt,
  });
}
