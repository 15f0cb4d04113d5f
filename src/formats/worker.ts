// What the server and a remote job worker (`spikelab worker`) exchange: the worker protocol's
// version, the task a worker is handed (inputs named by sha256, fetched over HTTP), and the
// additive sums of one simulated test batch that let a retried conversion resume after it.
import { z } from 'zod';
import type { ConversionConfig } from './conversion.js';
import type { DatasetSpec } from './dataset.js';
import type { CheckpointManifest, ZooModelSpec } from './model.js';
import type { TrainingConfig } from './training.js';

/**
 * Bumped whenever the messages below change shape. The BullMQ queue's name carries it, so a worker
 * of another protocol never sees the jobs; the server also refuses its registration.
 */
export const WORKER_PROTOCOL = 2;

/** The Redis queue jobs of this protocol go through (`spikelab-v<protocol>`). */
export const QUEUE_NAME = `spikelab-v${WORKER_PROTOCOL}`;

const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, { error: 'must be a sha256 in hex' });

/**
 * One finished test batch of a conversion: its samples and, per sum name, one additive value per
 * step (e.g. top-1 hits after step t). The engine turns summed batches into metrics; a resumed run
 * adds the stored batches' sums instead of simulating them again, so no batch counts twice.
 */
export const batchSumsSchema = z.strictObject({
  /** 1-based index of the batch in the run's test order. */
  batch: z.number().int().min(1).max(1_000_000),
  samples: z.number().int().min(1).max(1_000_000),
  sums: z.record(z.string().min(1).max(64), z.array(z.union([z.number(), z.nan(), z.null()]).transform((v) => v ?? NaN)).max(4096)).refine((s) => Object.keys(s).length <= 64, { error: 'at most 64 sums' }),
});
export type BatchSums = z.output<typeof batchSumsSchema>;

/** A file a worker downloads: its name under the data set's directory, sha256 and size. */
export interface RemoteFile {
  name: string;
  sha256: string;
  sizeBytes: number;
}

/** A checkpoint a worker downloads from GET /worker/blobs/<sha256>. */
export interface RemoteCheckpoint {
  manifest: CheckpointManifest;
  sha256: string;
  sizeBytes: number;
}

/** A data set as a worker gets it: the spec without the server's path, and its files. */
export interface RemoteDataset {
  id: number;
  spec: Omit<DatasetSpec, 'path'>;
  /** Empty for synthetic sets; else every file the format reads (GET /worker/datasets/<id>/files/<name>). */
  files: RemoteFile[];
}

export type RemoteTask =
  | { kind: 'training'; modelSpec: ZooModelSpec; dataset: RemoteDataset; config: TrainingConfig; init: RemoteCheckpoint | null }
  | { kind: 'conversion'; checkpoint: RemoteCheckpoint; dataset: RemoteDataset; config: ConversionConfig; maxSamples: number | null; resume: BatchSums[] }
  /** The open points of one sweep on one checkpoint: configs[i] is run runIds[i]'s; each result is reported as a `point` (with its run id) as soon as it is complete. */
  | { kind: 'sweep'; checkpoint: RemoteCheckpoint; dataset: RemoteDataset; configs: ConversionConfig[]; runIds: number[]; maxSamples: number | null };

/** What claimJob hands a worker: the job it now holds (as `workerId`, attempt `attempt`) and its task. */
export interface WorkerAssignment {
  jobId: number;
  kind: RemoteTask['kind'];
  attempt: number;
  workerId: string;
  /** The backend the run asked for, resolved for this worker. */
  backend: string;
  task: RemoteTask;
}

export { sha256Schema };
