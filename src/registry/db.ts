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
  Sweep,
  SweepJob,
  SweepPoint,
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
 * A counter that changes whenever any connection commits to the database (SQLite's
 * PRAGMA data_version, read on a connection of its own that never writes, so its own writes
 * cannot go unseen). The compare cache's one invalidation rule is built on it.
 */
export function openDataVersion(url: string): { read: () => number; close: () => void } {
  const db = openRawDatabase(url, { readonly: true });
  return { read: () => db.pragma('data_version', { simple: true }) as number, close: () => db.close() };
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

/**
 * For /healthz: true when the server's connection answers, and the file at the configured path is
 * still the database it opened (a fresh connection, as a restarted server would make, reads it).
 * A deleted, moved or overwritten file, or a dead connection, is false.
 */
export async function isDatabaseReachable(prisma: PrismaClient, url: string): Promise<boolean> {
  try {
    await prisma.$queryRawUnsafe('SELECT 1');
    const fresh = new Database(sqliteFilePath(normaliseUrl(url)), { readonly: true, fileMustExist: true, timeout: 1000 });
    try {
      fresh.prepare('SELECT count(*) FROM sqlite_master').get();
    } finally {
      fresh.close();
    }
    return true;
  } catch {
    return false;
  }
}
