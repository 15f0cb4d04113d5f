// The run-side services (jobs, runs, metrics, compare, tokens) over one registry. Opened by the
// server next to openRegistry; they share its PrismaClient and store, plus one raw read handle for
// the hot read paths (compare, step-metric series).
import type Database from 'better-sqlite3';
import { CompareService } from './compare.js';
import { ConversionRunService } from './conversion-runs.js';
import { openRawDatabase } from './db.js';
import { JobService } from './jobs.js';
import { MetricsService } from './metrics.js';
import type { Registry } from './registry.js';
import type { GcResult } from './store.js';
import { TokenService } from './tokens.js';
import { TrainingRunService } from './training-runs.js';

export interface RunServices {
  readonly jobs: JobService;
  readonly trainingRuns: TrainingRunService;
  readonly conversionRuns: ConversionRunService;
  readonly metrics: MetricsService;
  readonly compare: CompareService;
  readonly tokens: TokenService;
  readonly deletion: DeletionService;
  readonly databaseUrl: string;
  close(): void;
}

/** Soft deletes that may free stored files, followed by the store's garbage collection. */
export class DeletionService {
  constructor(private readonly registry: Registry) {}

  /** Soft-deletes a checkpoint and collects files nothing references any more. */
  async checkpoint(id: number, gcMinAgeMs = 0): Promise<GcResult> {
    await this.registry.checkpoints.softDelete(id);
    return this.registry.checkpoints.collectGarbage(gcMinAgeMs);
  }

  /** Soft-deletes a model with all its checkpoints, then collects their files. */
  async model(id: number, gcMinAgeMs = 0): Promise<GcResult> {
    await this.registry.models.get(id);
    const cps = await this.registry.prisma.checkpoint.findMany({ where: { modelId: id, deletedAt: null }, select: { id: true } });
    for (const cp of cps) await this.registry.checkpoints.softDelete(cp.id);
    await this.registry.models.softDelete(id);
    return this.registry.checkpoints.collectGarbage(gcMinAgeMs);
  }
}

export function openRunServices(registry: Registry, databaseUrl: string): RunServices {
  const raw: Database.Database = openRawDatabase(databaseUrl);
  const jobs = new JobService(registry.prisma);
  return {
    jobs,
    trainingRuns: new TrainingRunService(registry.prisma, jobs, registry.checkpoints),
    conversionRuns: new ConversionRunService(registry.prisma, jobs),
    metrics: new MetricsService(registry.prisma, raw),
    compare: new CompareService(raw),
    tokens: new TokenService(registry.prisma),
    deletion: new DeletionService(registry),
    databaseUrl,
    close: () => raw.close(),
  };
}
