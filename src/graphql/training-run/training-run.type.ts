import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import type { TrainingMetric, TrainingRun as TrainingRunRow } from '../../registry/training-runs.js';
import { Connection } from '../connection.js';

@ObjectType('TrainingMetric', { description: "One point of a training curve: unit 'epoch' (trainLoss, trainMetric, valLoss, valMetric, learningRate, seconds) or 'iteration' (loss, learningRate)." })
export class TrainingMetricType {
  @Field()
  unit!: string;

  @Field()
  name!: string;

  @Field(() => Int)
  step!: number;

  @Field(() => Float)
  value!: number;
}

@ObjectType('TrainingRun', { description: 'Training of a model on a dataset; on success its best weights become a checkpoint.' })
export class TrainingRunType {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  modelId!: string;

  @Field(() => ID)
  datasetId!: string;

  @Field(() => ID, { nullable: true })
  initCheckpointId!: string | null;

  @Field(() => GraphQLJSONObject, { description: 'TrainingConfig (src/formats/training.ts).' })
  config!: Record<string, unknown>;

  @Field({ description: 'QUEUED | RUNNING | SUCCEEDED | FAILED | CANCELLED' })
  status!: string;

  @Field()
  backend!: string;

  @Field(() => String, { nullable: true })
  backendUsed!: string | null;

  @Field(() => Int)
  epochsCompleted!: number;

  @Field(() => String, { nullable: true, description: 'accuracy | softDice (validation metric used for model selection)' })
  metricName!: string | null;

  @Field(() => Int, { nullable: true })
  bestEpoch!: number | null;

  @Field(() => Float, { nullable: true })
  bestMetric!: number | null;

  @Field(() => ID, { nullable: true, description: 'The checkpoint holding the best weights.' })
  resultCheckpointId!: string | null;

  @Field(() => ID, { nullable: true })
  jobId!: string | null;

  @Field(() => String, { nullable: true })
  error!: string | null;

  @Field()
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  startedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  finishedAt!: Date | null;
}

@ObjectType()
export class TrainingRunConnection extends Connection(TrainingRunType, 'TrainingRun') {}

const id = (v: number | null): string | null => (v == null ? null : String(v));

export function toTrainingRunType(row: TrainingRunRow): TrainingRunType {
  return Object.assign(new TrainingRunType(), {
    id: String(row.id),
    modelId: String(row.modelId),
    datasetId: String(row.datasetId),
    initCheckpointId: id(row.initCheckpointId),
    config: { ...row.config },
    status: row.status,
    backend: row.backend,
    backendUsed: row.backendUsed,
    epochsCompleted: row.epochsCompleted,
    metricName: row.metricName,
    bestEpoch: row.bestEpoch,
    bestMetric: row.bestMetric,
    resultCheckpointId: id(row.resultCheckpointId),
    jobId: id(row.jobId),
    error: row.error,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
  });
}

export function toTrainingMetricType(row: TrainingMetric): TrainingMetricType {
  return Object.assign(new TrainingMetricType(), { unit: row.unit, name: row.name, step: row.step, value: row.value });
}
