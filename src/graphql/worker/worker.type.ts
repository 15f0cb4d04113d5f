import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { WorkerRecord } from '../../registry/workers.js';

@ObjectType('Worker', { description: 'A remote job worker (`spikelab worker`) as it announced itself.' })
export class WorkerType {
  @Field(() => ID, { description: 'host/pid' })
  id!: string;

  @Field()
  host!: string;

  @Field()
  version!: string;

  @Field(() => [String])
  backends!: string[];

  @Field(() => [String])
  devices!: string[];

  @Field(() => Int)
  concurrency!: number;

  @Field({ description: 'redis | api' })
  source!: string;

  @Field(() => [ID], { description: 'Jobs running on it now.' })
  currentJobIds!: string[];

  @Field()
  startedAt!: Date;

  @Field()
  lastHeartbeatAt!: Date;

  @Field({ description: 'Heartbeat within the last 30 s and not stopped.' })
  online!: boolean;

  @Field(() => Date, { nullable: true })
  stoppedAt!: Date | null;
}

export function toWorkerType(w: WorkerRecord): WorkerType {
  return Object.assign(new WorkerType(), {
    id: w.id,
    host: w.host,
    version: w.version,
    backends: w.backends,
    devices: w.devices,
    concurrency: w.concurrency,
    source: w.source,
    currentJobIds: w.jobIds.map(String),
    startedAt: w.startedAt,
    lastHeartbeatAt: w.lastHeartbeatAt,
    online: w.stoppedAt === null && Date.now() - w.lastHeartbeatAt.getTime() < 30_000,
    stoppedAt: w.stoppedAt,
  });
}

@ObjectType({ description: 'A worker after registering: what the server is.' })
export class WorkerRegistration {
  @Field(() => WorkerType)
  worker!: WorkerType;

  @Field()
  serverVersion!: string;

  @Field(() => Int)
  protocol!: number;
}

@ObjectType({ description: 'claimJob: the job now held and its task (WorkerAssignment, src/formats/worker.ts), or why none was taken.' })
export class ClaimResult {
  @Field(() => GraphQLJSONObject, { nullable: true })
  assignment!: Record<string, unknown> | null;

  @Field(() => String, { nullable: true, description: 'gone (ended or cancelled) | busy (held by a live worker) | backend (this worker lacks it) | none (nothing queued)' })
  skipped!: string | null;
}

@ObjectType()
export class JobReportAck {
  @Field({ description: 'The job was asked to cancel: stop it and finish it CANCELLED.' })
  cancelRequested!: boolean;
}
