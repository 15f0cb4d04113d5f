import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import type { Job as JobRow } from '../../registry/jobs.js';
import { Connection } from '../connection.js';

@ObjectType('Job', { description: 'A queued, running or finished unit of work (training, conversion, or one sweep\'s points on one checkpoint) run by a worker thread.' })
export class JobType {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'training | conversion | sweep' })
  kind!: string;

  @Field({ description: 'QUEUED | RUNNING | SUCCEEDED | FAILED | CANCELLED' })
  status!: string;

  @Field(() => Float, { description: 'Fraction done, 0..1.' })
  progress!: number;

  @Field(() => String, { nullable: true, description: 'Engine phase, e.g. train, validate, calibrate, simulate.' })
  phase!: string | null;

  @Field(() => Int, { nullable: true })
  epoch!: number | null;

  @Field(() => Int, { nullable: true, description: 'Iteration (training) or simulation step (conversion).' })
  step!: number | null;

  @Field(() => Float, { nullable: true, description: 'Estimated seconds left (from the progress rate so far).' })
  etaSeconds!: number | null;

  @Field(() => String, { nullable: true })
  message!: string | null;

  @Field(() => Int)
  attempts!: number;

  @Field(() => Int)
  maxAttempts!: number;

  @Field()
  cancelRequested!: boolean;

  @Field(() => String, { nullable: true, description: 'Why the job failed.' })
  error!: string | null;

  @Field(() => ID, { nullable: true })
  trainingRunId!: string | null;

  @Field(() => ID, { nullable: true })
  conversionRunId!: string | null;

  @Field(() => ID, { nullable: true, description: 'A sweep job: its sweep (the job computes the sweep\'s points on one checkpoint).' })
  sweepId!: string | null;

  @Field()
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  startedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  finishedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'Last sign of life from the worker.' })
  heartbeatAt!: Date | null;
}

@ObjectType()
export class JobConnection extends Connection(JobType, 'Job') {}

export function toJobType(row: JobRow): JobType {
  const { payload } = row;
  return Object.assign(new JobType(), {
    id: String(row.id),
    kind: row.kind,
    status: row.status,
    progress: row.progress,
    phase: row.phase,
    epoch: row.epoch,
    step: row.step,
    etaSeconds: row.etaSeconds,
    message: row.message,
    attempts: row.attempts,
    maxAttempts: row.maxAttempts,
    cancelRequested: row.cancelRequested,
    error: row.error,
    trainingRunId: payload.trainingRunId == null ? null : String(payload.trainingRunId),
    conversionRunId: payload.conversionRunId == null ? null : String(payload.conversionRunId),
    sweepId: payload.sweepId == null ? null : String(payload.sweepId),
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    heartbeatAt: row.heartbeatAt,
  });
}
