// The registry: one database (SQLite or PostgreSQL, db.ts) + the model store, and every service
// built on them (the only code that talks to the database). The composition root (src/app.ts) opens one per process;
// tests open one per temporary database.
import { defaultDataRoots } from '../data/files.js';
import { CheckpointService } from './checkpoints.js';
import { CompareService } from './compare.js';
import { ConversionRunService } from './conversion-runs.js';
import { openDataVersion } from './data-version.js';
import { isDatabaseReachable, openDatabase, type PrismaClient } from './db.js';
import { DatasetService } from './datasets.js';
import { DeletionService } from './deletion.js';
import { JobService } from './jobs.js';
import { MetricsService } from './metrics.js';
import { applyPendingMigrations } from './migrate.js';
import { ModelService } from './models.js';
import { OnnxModelService } from './onnx-models.js';
import type { Provider } from './provider.js';
import { ModelStore } from './store.js';
import { SweepService } from './sweeps.js';
import { TokenService } from './tokens.js';
import { TrainingRunService } from './training-runs.js';
import { SPIKELAB_VERSION } from './paths.js';
import { WorkerService } from './workers.js';

export interface RegistryOptions {
  databaseUrl: string;
  storeDir: string;
  /** Directories data sets and imported checkpoints may be read from (default: defaultDataRoots(storeDir)). */
  dataRoots?: readonly string[];
  /** Apply pending migrations first (default true). Fails, file untouched, on a foreign/newer DB. */
  migrate?: boolean;
}

export interface Registry {
  readonly databaseUrl: string;
  /** Which database DATABASE_URL names. */
  readonly provider: Provider;
  readonly prisma: PrismaClient;
  readonly store: ModelStore;
  readonly datasets: DatasetService;
  readonly models: ModelService;
  readonly checkpoints: CheckpointService;
  /** Models imported from ONNX files, registered with their first checkpoint. */
  readonly onnxModels: OnnxModelService;
  readonly jobs: JobService;
  readonly trainingRuns: TrainingRunService;
  readonly conversionRuns: ConversionRunService;
  readonly sweeps: SweepService;
  readonly metrics: MetricsService;
  readonly compare: CompareService;
  readonly tokens: TokenService;
  readonly deletion: DeletionService;
  readonly workers: WorkerService;
  /** Where server-side paths may point (SPIKELAB_DATA_ROOTS). */
  readonly dataRoots: readonly string[];
  /** Migrations applied while opening (empty when the database was up to date). */
  readonly appliedMigrations: string[];
  isDatabaseReachable(): Promise<boolean>;
  close(): Promise<void>;
}

export async function openRegistry(opts: RegistryOptions): Promise<Registry> {
  const appliedMigrations = opts.migrate === false ? [] : await applyPendingMigrations(opts.databaseUrl);
  const store = new ModelStore(opts.storeDir);
  await store.init();
  const db = openDatabase(opts.databaseUrl);
  const { prisma } = db;
  const dataVersion = openDataVersion(db);
  const dataRoots = opts.dataRoots ?? defaultDataRoots(opts.storeDir);
  const jobs = new JobService(prisma);
  const models = new ModelService(prisma, db.provider);
  const checkpoints = new CheckpointService(prisma, store);
  return {
    databaseUrl: opts.databaseUrl,
    provider: db.provider,
    prisma,
    store,
    datasets: new DatasetService(prisma, db.provider, dataRoots),
    models,
    checkpoints,
    onnxModels: new OnnxModelService(prisma, store),
    jobs,
    trainingRuns: new TrainingRunService(prisma, jobs, checkpoints),
    conversionRuns: new ConversionRunService(prisma, jobs, db.provider),
    sweeps: new SweepService(prisma, jobs),
    metrics: new MetricsService(prisma, db.raw),
    compare: new CompareService(prisma, () => dataVersion.read()),
    tokens: new TokenService(prisma),
    deletion: new DeletionService(prisma, models, checkpoints),
    workers: new WorkerService(prisma, jobs, SPIKELAB_VERSION),
    dataRoots,
    appliedMigrations,
    isDatabaseReachable: () => isDatabaseReachable(db),
    close: async () => {
      dataVersion.close();
      await db.close();
    },
  };
}
