import { GraphQLJSON, GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, InputType, Int } from 'type-graphql';

@InputType({ description: 'A worker process announcing itself (checked again by the registry: protocol, version, bounds).' })
export class RegisterWorkerInput {
  @Field({ description: 'host/pid of the worker process.' })
  id!: string;

  @Field(() => Int, { description: 'Worker protocol (src/formats/worker.ts WORKER_PROTOCOL).' })
  protocol!: number;

  @Field({ description: 'Spikelab version of the worker; older than the server is refused.' })
  version!: string;

  @Field(() => [String], { description: 'Backends it can run: TensorFlow.js backend names and ONNX Runtime execution providers.' })
  backends!: string[];

  @Field(() => [String], { description: 'Devices, free text (e.g. "cpu: 16 cores").' })
  devices!: string[];

  @Field(() => Int)
  concurrency!: number;

  @Field({ description: 'redis (takes jobs from the queue) | api (claims through claimJob).' })
  source!: string;
}

@InputType({ description: 'What a worker reports on a job it holds: progress, training curves, a committed conversion batch, a finished sweep point.' })
export class JobReportInput {
  @Field({ description: 'The holder: host/pid/slot.' })
  workerId!: string;

  @Field(() => ID)
  jobId!: string;

  @Field(() => GraphQLJSONObject, { nullable: true, description: '{ fraction, phase, epoch?, step?, message?, etaSeconds? }' })
  progress?: Record<string, unknown> | null;

  @Field(() => GraphQLJSON, { nullable: true, description: 'Training: [{ iteration, loss, lr }].' })
  iterations?: unknown;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Training: one EpochRecord.' })
  epoch?: Record<string, unknown> | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Conversion: { sums: BatchSums, samples, batches, stepMetrics } of a finished test batch.' })
  batch?: Record<string, unknown> | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Sweep: { runId, calibrations, simulations, result: ConversionResult } of a finished point (calibrations and simulations the engine ran since the previous point).' })
  point?: Record<string, unknown> | null;
}

@InputType({ description: 'How a held job ended on the worker.' })
export class FinishJobInput {
  @Field()
  workerId!: string;

  @Field(() => ID)
  jobId!: string;

  @Field({ description: 'SUCCEEDED | FAILED | CANCELLED' })
  status!: string;

  @Field(() => String, { nullable: true })
  error?: string | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Conversion: the ConversionResult.' })
  conversion?: Record<string, unknown> | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Training: { uploadId (weights sent to PUT /uploads), manifest, metricName, bestEpoch, bestMetric, backendUsed }.' })
  training?: Record<string, unknown> | null;
}
