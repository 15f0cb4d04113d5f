// The one module that creates database connections: the PrismaClient (through the driver adapter of
// the database DATABASE_URL names: better-sqlite3 for `file:`, pg for `postgresql://`) and, beside
// it, the raw connection that the few pieces of hand-written SQL run on (bulk ingestion, the data
// version, the health probe).
import Database from 'better-sqlite3';
import pg from 'pg';
import { parseIntoClientConfig } from 'pg-connection-string';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.js';
import { PrismaClient as PostgresPrismaClient } from '../generated/prisma-pg/client.js';
import { DEFAULT_DATABASE_URL, sqliteFilePath } from './paths.js';
import { providerOf, redactUrl, type Provider } from './provider.js';

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
// the error classes come from Prisma's runtime, shared by both generated clients
export { Prisma } from '../generated/prisma/client.js';
import type { Prisma } from '../generated/prisma/client.js';

export { DEFAULT_DATABASE_URL };
/** How long a writer waits for SQLite's lock before failing with SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5000;
/** Connections per process to PostgreSQL (Prisma's queries and the raw SQL share them). */
const PG_POOL_SIZE = 10;

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

/** pg's connection settings from a `postgresql://user:password@host:port/database?…` URL. */
export function postgresConfig(url: string): pg.PoolConfig {
  const config = parseIntoClientConfig(url);
  if ('schema' in config) {
    throw new Error(`DATABASE_URL "${redactUrl(url)}": ?schema= is not supported; give Spikelab a database of its own (its tables live in the public schema)`);
  }
  return { ...config, application_name: config.application_name ?? 'spikelab', connectionTimeoutMillis: 10_000 };
}

/** A pg pool that reports a dropped idle connection instead of crashing the process (pg emits 'error'). */
export function openPostgresPool(url: string, max = PG_POOL_SIZE, onError: (err: Error) => void = () => undefined): pg.Pool {
  const pool = new pg.Pool({ ...postgresConfig(url), max });
  pool.on('error', onError);
  return pool;
}

/** The connection hand-written SQL runs on: a better-sqlite3 handle, or the pg pool Prisma also uses. */
export type RawConnection = { readonly provider: 'sqlite'; readonly db: Database.Database } | { readonly provider: 'postgresql'; readonly pool: pg.Pool };

export interface DatabaseHandle {
  readonly provider: Provider;
  /** DATABASE_URL as given (it may hold a password: log redactUrl(url)). */
  readonly url: string;
  readonly prisma: PrismaClient;
  readonly raw: RawConnection;
  close(): Promise<void>;
}

/**
 * The PostgreSQL client typed as the SQLite one. Sound because both are generated from the one
 * data model (prisma/postgresql/schema.prisma is derived from prisma/schema.prisma; a test fails
 * when they differ), so their models and query methods are the same; their types differ only in
 * provider-only extras (isolation levels, case-insensitive filters) that the registry does not use.
 */
function asRegistryClient(client: PostgresPrismaClient): PrismaClient {
  return client as unknown as PrismaClient;
}

/**
 * Opens the database at `url`: its PrismaClient and its raw connection. A process normally has one,
 * owned by the registry (src/registry/registry.ts). An SQLite file is switched to WAL so readers
 * never block the writer and a killed process loses nothing that was committed.
 */
export function openDatabase(url: string): DatabaseHandle {
  const provider = providerOf(url);
  switch (provider) {
    case 'sqlite': {
      const normalised = normaliseUrl(url);
      const db = openRawDatabase(normalised); // sets WAL (persistent in the file) before Prisma connects
      const prisma = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: normalised, timeout: BUSY_TIMEOUT_MS }) });
      return {
        provider,
        url,
        prisma,
        raw: { provider, db },
        close: async () => {
          await prisma.$disconnect();
          db.close();
        },
      };
    }
    case 'postgresql': {
      const pool = openPostgresPool(url);
      const prisma = asRegistryClient(new PostgresPrismaClient({ adapter: new PrismaPg(pool) }));
      return {
        provider,
        url,
        prisma,
        raw: { provider, pool },
        close: async () => {
          await prisma.$disconnect();
          await pool.end();
        },
      };
    }
  }
}

/**
 * A `contains` filter that matches as SQLite's LIKE does, regardless of letter case, on both
 * databases (PostgreSQL's LIKE is case-sensitive: it gets ILIKE, Prisma's insensitive mode).
 */
export function containsText(provider: Provider, text: string): Prisma.StringFilter {
  // `mode` is PostgreSQL-only; the SQLite client's type (the registry's) does not declare it
  return provider === 'postgresql' ? ({ contains: text, mode: 'insensitive' } as Prisma.StringFilter) : { contains: text };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/**
 * For /healthz: true when the server's connection answers within 3 s, and, for SQLite, the file at
 * the configured path is still the database it opened (a fresh connection, as a restarted server
 * would make, reads it). A deleted, moved or overwritten file, a stopped PostgreSQL, or a dead
 * connection, is false.
 */
export async function isDatabaseReachable(db: DatabaseHandle): Promise<boolean> {
  try {
    await withTimeout(db.prisma.$queryRawUnsafe('SELECT 1'), 3000);
    if (db.raw.provider === 'sqlite') {
      const fresh = new Database(sqliteFilePath(normaliseUrl(db.url)), { readonly: true, fileMustExist: true, timeout: 1000 });
      try {
        fresh.prepare('SELECT count(*) FROM sqlite_master').get();
      } finally {
        fresh.close();
      }
    }
    return true;
  } catch {
    return false;
  }
}
