// Looks at a database before anything opens it with write side effects: a file that is not SQLite,
// a database that is not Spikelab's, or one migrated by a newer Spikelab must make start-up fail and
// stay untouched (an SQLite file byte-for-byte). One variant per database, read-only both.
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { postgresConfig } from './db.js';
import { DatabaseFileError } from './errors.js';
import { sqliteFilePath } from './paths.js';
import { providerOf, redactUrl } from './provider.js';

const SQLITE_MAGIC = 'SQLite format 3\0';

/**
 * - missing: no SQLite file yet (PostgreSQL databases are created by their administrator);
 * - empty: no tables at all;
 * - spikelab: it has Prisma's migration table;
 * - foreign: tables, but not Spikelab's.
 */
export type DatabaseState = 'missing' | 'empty' | 'spikelab' | 'foreign';

export interface DatabaseInspection {
  state: DatabaseState;
  /** Names recorded in _prisma_migrations (finished or not, excluding rolled-back ones). */
  applied: string[];
  /** How to name the database in messages (a file path, or the URL without its password). */
  label: string;
}

function readHeader(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(16);
    const n = readSync(fd, buf, 0, 16, 0);
    return buf.subarray(0, n).toString('latin1');
  } finally {
    closeSync(fd);
  }
}

function inspectSqlite(url: string): DatabaseInspection {
  const path = sqliteFilePath(url);
  if (!existsSync(path)) return { state: 'missing', applied: [], label: path };
  if (!statSync(path).isFile()) throw new DatabaseFileError(path, 'it is not a regular file');
  if (statSync(path).size === 0) return { state: 'empty', applied: [], label: path };
  if (readHeader(path) !== SQLITE_MAGIC) throw new DatabaseFileError(path, 'it is not an SQLite database (wrong file header)');
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name);
      if (!tables.includes('_prisma_migrations')) return { state: tables.length === 0 ? 'empty' : 'foreign', applied: [], label: path };
      const rows = db.prepare('SELECT migration_name AS name FROM _prisma_migrations WHERE rolled_back_at IS NULL').all() as { name: string }[];
      return { state: 'spikelab', applied: rows.map((r) => r.name), label: path };
    } finally {
      db.close();
    }
  } catch (err) {
    throw new DatabaseFileError(path, `it cannot be read as SQLite (${(err as Error).message})`);
  }
}

async function inspectPostgres(url: string): Promise<DatabaseInspection> {
  const label = redactUrl(url);
  const client = new pg.Client(postgresConfig(url));
  try {
    await client.connect();
  } catch (err) {
    throw new Error(`cannot connect to PostgreSQL at ${label}: ${(err as Error).message}`, { cause: err });
  }
  try {
    // read-only, and the tables are looked up in the public schema whatever the role's search_path
    await client.query('BEGIN READ ONLY');
    const { rows } = await client.query<{ n: string; migrated: boolean }>(
      "SELECT count(*) AS n, bool_or(tablename = '_prisma_migrations') AS migrated FROM pg_catalog.pg_tables WHERE schemaname = 'public'",
    );
    const tables = Number(rows[0]?.n ?? 0);
    if (!rows[0]?.migrated) return { state: tables === 0 ? 'empty' : 'foreign', applied: [], label };
    const applied = await client.query<{ name: string }>('SELECT migration_name AS name FROM public._prisma_migrations WHERE rolled_back_at IS NULL');
    return { state: 'spikelab', applied: applied.rows.map((r) => r.name), label };
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    await client.end();
  }
}

/** What is at `url` now, without changing it. */
export async function inspectDatabase(url: string): Promise<DatabaseInspection> {
  switch (providerOf(url)) {
    case 'sqlite':
      return inspectSqlite(url);
    case 'postgresql':
      return inspectPostgres(url);
  }
}

/**
 * Throws DatabaseFileError when the database at `url` is not SQLite (an existing file), or records
 * migrations that are not in `knownMigrations` (it comes from a newer schema). A missing or empty
 * database is fine: migrations will create the schema (an SQLite file's directory is created here).
 */
export async function preflightDatabase(url: string, knownMigrations: readonly string[]): Promise<DatabaseInspection> {
  if (url === 'file::memory:') return { state: 'empty', applied: [], label: url };
  const found = await inspectDatabase(url);
  if (found.state === 'missing' && providerOf(url) === 'sqlite') mkdirSync(dirname(found.label), { recursive: true }); // SQLite creates the file, not its directory
  const known = new Set(knownMigrations);
  const unknown = found.applied.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new DatabaseFileError(
      found.label,
      `it was migrated by a newer Spikelab (unknown migration${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}); upgrade Spikelab or use another DATABASE_URL`,
    );
  }
  return found;
}
