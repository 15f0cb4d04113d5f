// The registry: one PrismaClient + the model store, and the services built on them. The server
// opens one per process; tests open one per temporary database.
import { defaultDataRoots } from '../data/files.js';
import { CheckpointService } from './checkpoints.js';
import { createPrismaClient, isDatabaseReachable, type PrismaClient } from './db.js';
import { DatasetService } from './datasets.js';
import { applyPendingMigrations } from './migrate.js';
import { ModelService } from './models.js';
import { ModelStore } from './store.js';

export interface RegistryOptions {
  databaseUrl: string;
  storeDir: string;
  /** Directories data sets and imported checkpoints may be read from (default: defaultDataRoots(storeDir)). */
  dataRoots?: readonly string[];
  /** Apply pending migrations first (default true). Fails, file untouched, on a foreign/newer DB. */
  migrate?: boolean;
}

export interface Registry {
  readonly prisma: PrismaClient;
  readonly store: ModelStore;
  readonly datasets: DatasetService;
  readonly models: ModelService;
  readonly checkpoints: CheckpointService;
  /** Where server-side paths may point (SPIKELAB_DATA_ROOTS). */
  readonly dataRoots: readonly string[];
  /** Migrations applied while opening (empty when the database was up to date). */
  readonly appliedMigrations: string[];
  isDatabaseReachable(): Promise<boolean>;
  close(): Promise<void>;
}

export async function openRegistry(opts: RegistryOptions): Promise<Registry> {
  const appliedMigrations = opts.migrate === false ? [] : await applyPendingMigrations(opts.databaseUrl);
  const prisma = createPrismaClient(opts.databaseUrl);
  const store = new ModelStore(opts.storeDir);
  await store.init();
  const dataRoots = opts.dataRoots ?? defaultDataRoots(opts.storeDir);
  return {
    prisma,
    store,
    datasets: new DatasetService(prisma, dataRoots),
    models: new ModelService(prisma),
    checkpoints: new CheckpointService(prisma, store),
    dataRoots,
    appliedMigrations,
    isDatabaseReachable: () => isDatabaseReachable(prisma),
    close: () => prisma.$disconnect(),
  };
}
