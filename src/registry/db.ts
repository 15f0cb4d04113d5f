// The one module that creates database connections: the PrismaClient (through the better-sqlite3
// driver adapter) and raw better-sqlite3 handles on the same file for bulk ingestion.
import Database from 'better-sqlite3';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaClient } from '../generated/prisma/client.js';
import { DEFAULT_DATABASE_URL, sqliteFilePath } from './paths.js';

export type {
  PrismaClient,
  ApiToken,
  Checkpoint,
  CheckpointAlias,
  ConversionRun,
  Dataset,
  Job,
  LayerStat,
  Model,
  StepMetric,
  TrainingMetric,
  TrainingRun,
} from '../generated/prisma/client.js';
export { Prisma } from '../generated/prisma/client.js';

export { DEFAULT_DATABASE_URL };
/** How long a writer waits for SQLite's lock before failing with SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5000;

export function databaseUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return env.DATABASE_URL?.trim() || DEFAULT_DATABASE_URL;
}

function normaliseUrl(url: string): string {
  return `file:${sqliteFilePath(url)}`;
}

/**
 * Raw better-sqlite3 connection on the database file (WAL journal, busy timeout, foreign keys on),
 * for work Prisma is too slow for, e.g. ingesting 100 000s of StepMetric rows per second with one
 * prepared INSERT inside db.transaction(). Close it when done.
 */
export function openRawDatabase(url: string, options: { readonly?: boolean } = {}): Database.Database {
  const db = new Database(sqliteFilePath(normaliseUrl(url)), { readonly: options.readonly ?? false, timeout: BUSY_TIMEOUT_MS });
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
  }
  db.pragma('foreign_keys = ON');
  return db;
}

/**
 * Creates the PrismaClient for the SQLite file at `url`. A process normally has one, owned by the
 * server (src/server.ts) and handed to the registry services. Switches the file to WAL so readers
 * never block the writer and a killed process loses nothing that was committed.
 */
export function createPrismaClient(url: string): PrismaClient {
  const normalised = normaliseUrl(url);
  const raw = openRawDatabase(normalised); // sets WAL (persistent in the file) before Prisma connects
  raw.close();
  const adapter = new PrismaBetterSqlite3({ url: normalised, timeout: BUSY_TIMEOUT_MS });
  return new PrismaClient({ adapter });
}

/** True when the database answers a query on its migration table (for /healthz). */
export async function isDatabaseReachable(prisma: PrismaClient): Promise<boolean> {
  try {
    await prisma.$queryRawUnsafe('SELECT count(*) AS n FROM _prisma_migrations');
    return true;
  } catch {
    return false;
  }
}
