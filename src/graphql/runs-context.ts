// Run-side services and their per-request DataLoaders, reached from a request's Context without
// widening it: the server binds the RunServices (and the job runner's event bus) to its Registry
// once; loaders are created lazily, one set per Context object.
import DataLoader from 'dataloader';
import type { JobEvents } from '../jobs/events.js';
import type { ImportCheckpointParams } from '../jobs/import.js';
import type { Checkpoint, ConversionRun, Dataset, Job, LayerStat } from '../registry/db.js';
import type { SeriesSelection, StepPoint } from '../registry/metrics.js';
import type { Registry } from '../registry/registry.js';
import type { RunServices } from '../registry/run-services.js';
import type { TrainingMetric } from '../registry/training-runs.js';
import type { Context } from './context.js';

export interface RunLoaders {
  datasetById: DataLoader<number, Dataset | null>;
  checkpointById: DataLoader<number, Checkpoint | null>;
  jobById: DataLoader<number, Job | null>;
  conversionRunById: DataLoader<number, ConversionRun | null>;
  layerStats: DataLoader<number, LayerStat[]>;
  metricNames: DataLoader<number, string[]>;
  trainingMetrics: DataLoader<number, TrainingMetric[]>;
  stepMetrics: DataLoader<StepSeriesKey, StepPoint[], string>;
}

export interface StepSeriesKey {
  runId: number;
  name: string;
  sel: SeriesSelection;
}

export interface RunBinding {
  services: RunServices;
  events: JobEvents;
  importCheckpoint(p: ImportCheckpointParams): Promise<Checkpoint>;
}

export interface RunsContext extends RunBinding {
  loaders: RunLoaders;
}

const bound = new WeakMap<Registry, RunBinding>();
const perRequest = new WeakMap<Context, RunsContext>();

/** Called once by the server after opening the registry and starting the job runner. */
export function bindRunServices(registry: Registry, binding: RunBinding): void {
  bound.set(registry, binding);
}

function byId<T extends { id: number }>(fetch: (ids: number[]) => Promise<T[]>): DataLoader<number, T | null> {
  return new DataLoader(async (ids) => {
    const rows = await fetch([...ids]);
    const map = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => map.get(id) ?? null);
  });
}

function createLoaders(registry: Registry, s: RunServices): RunLoaders {
  const prisma = registry.prisma;
  return {
    datasetById: byId((ids) => prisma.dataset.findMany({ where: { id: { in: ids } } })),
    checkpointById: byId((ids) => prisma.checkpoint.findMany({ where: { id: { in: ids } } })),
    jobById: byId((ids) => prisma.job.findMany({ where: { id: { in: ids } } })),
    conversionRunById: byId((ids) => prisma.conversionRun.findMany({ where: { id: { in: ids } } })),
    layerStats: new DataLoader((ids) => s.metrics.layerStatsOf(ids)),
    metricNames: new DataLoader((ids) => Promise.resolve(s.metrics.namesOf(ids))),
    trainingMetrics: new DataLoader((ids) => s.trainingRuns.metricsOf(ids)),
    stepMetrics: new DataLoader((keys) => Promise.resolve(s.metrics.seriesMany(keys)), {
      cacheKeyFn: (k) => JSON.stringify([k.runId, k.name, k.sel.steps ?? null, k.sel.every ?? null, k.sel.sample ?? null]),
    }),
  };
}

/** The run services of this request's server, with this request's loaders. */
export function runsOf(ctx: Context): RunsContext {
  let rc = perRequest.get(ctx);
  if (!rc) {
    const b = bound.get(ctx.registry);
    if (!b) throw new Error('run services are not bound to this registry (server start-up did not call bindRunServices)');
    rc = { ...b, loaders: createLoaders(ctx.registry, b.services) };
    perRequest.set(ctx, rc);
  }
  return rc;
}
