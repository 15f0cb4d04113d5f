// The one request context (HTTP request or WebSocket operation): who calls, a request id for logs,
// every service a resolver needs (put there by the composition root, src/app.ts), and one set of
// DataLoaders created fresh per request.
import { randomUUID } from 'node:crypto';
import DataLoader from 'dataloader';
import type { EventBus } from '../jobs/events.js';
import type { ExportFile } from '../jobs/export.js';
import type { ImportCheckpointParams } from '../jobs/import.js';
import type { ImportOnnxModelParams } from '../jobs/onnx-import.js';
import type { RemoteJobs } from '../jobs/remote.js';
import type { ImportedModel } from '../registry/onnx-models.js';
import type { SeriesSelection, StepPoint } from '../registry/metrics.js';
import type { Checkpoint, Dataset, Job, LayerStat, Model, TrainingMetric } from '../registry/records.js';
import type { Registry } from '../registry/registry.js';
import type { SweepState } from '../registry/sweeps.js';
import type { TokenRole } from '../registry/vocab.js';

/**
 * Who calls (src/graphql/token/auth.ts decides): `local` while no API token exists (the server then
 * listens on loopback only and lets every local caller in), else a token, else anonymous (refused).
 */
export type Caller = { kind: 'anonymous' } | { kind: 'local' } | { kind: 'token'; tokenId: number; name: string; role: TokenRole };

/** What the composition root hands every request. */
export interface Services {
  registry: Registry;
  events: EventBus;
  /** What remote workers call (claim, report, finish): src/jobs/remote.ts. */
  remote: RemoteJobs;
  /** importCheckpoint with the server's worker settings (src/jobs/import.ts). */
  importCheckpoint(p: ImportCheckpointParams): Promise<Checkpoint>;
  /** An ONNX file registered as a model with its first checkpoint (src/jobs/onnx-import.ts). */
  importOnnxModel(p: ImportOnnxModelParams): Promise<ImportedModel>;
  /** A checkpoint's ANN as a standalone ONNX file (src/jobs/export.ts). */
  exportAnn(checkpointId: number): Promise<ExportFile>;
  /** A finished conversion run's SNN as a standalone ONNX file (src/jobs/export.ts). */
  exportSnn(runId: number): Promise<ExportFile>;
}

export interface StepSeriesKey {
  runId: number;
  name: string;
  sel: SeriesSelection;
}

export interface Loaders {
  modelById: DataLoader<number, Model | null>;
  datasetById: DataLoader<number, Dataset | null>;
  checkpointById: DataLoader<number, Checkpoint | null>;
  checkpointAliases: DataLoader<number, string[]>;
  jobById: DataLoader<number, Job | null>;
  layerStats: DataLoader<number, LayerStat[]>;
  metricNames: DataLoader<number, string[]>;
  trainingMetrics: DataLoader<number, TrainingMetric[]>;
  stepMetrics: DataLoader<StepSeriesKey, StepPoint[], string>;
  sweepState: DataLoader<number, SweepState>;
}

export interface Context extends Services {
  requestId: string;
  caller: Caller;
  loaders: Loaders;
}

function createLoaders(r: Registry): Loaders {
  return {
    modelById: new DataLoader((ids) => r.models.byIds(ids)),
    datasetById: new DataLoader((ids) => r.datasets.byIds(ids)),
    checkpointById: new DataLoader((ids) => r.checkpoints.byIds(ids)),
    checkpointAliases: new DataLoader((ids) => r.checkpoints.aliasesOf(ids)),
    jobById: new DataLoader((ids) => r.jobs.byIds(ids)),
    layerStats: new DataLoader((ids) => r.metrics.layerStatsOf(ids)),
    metricNames: new DataLoader((ids) => r.metrics.namesOf(ids)),
    trainingMetrics: new DataLoader((ids) => r.trainingRuns.metricsOf(ids)),
    stepMetrics: new DataLoader((keys) => r.metrics.seriesMany(keys), {
      cacheKeyFn: (k) => JSON.stringify([k.runId, k.name, k.sel.steps ?? null, k.sel.every ?? null, k.sel.sample ?? null]),
    }),
    sweepState: new DataLoader((ids) => r.sweeps.statesOf(ids)),
  };
}

export function createContext(services: Services, requestId: string = randomUUID()): Context {
  return { ...services, requestId, caller: { kind: 'anonymous' }, loaders: createLoaders(services.registry) };
}
