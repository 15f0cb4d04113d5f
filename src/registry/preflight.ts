// Checks a database file before anything opens it with write side effects: a file that is not
// SQLite, or one migrated by a newer Spikelab, must make start-up fail and stay byte-for-byte intact.
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { DatabaseFileError } from './errors.js';
import { sqliteFilePath } from './paths.js';

const SQLITE_MAGIC = 'SQLite format 3\0';

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

/** Names recorded in _prisma_migrations (finished or not, excluding rolled-back ones). */
function appliedMigrationNames(path: string): string[] {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'").get();
    if (!table) return [];
    const rows = db.prepare('SELECT migration_name AS name FROM _prisma_migrations WHERE rolled_back_at IS NULL').all() as { name: string }[];
    return rows.map((r) => r.name);
  } finally {
    db.close();
  }
}

/**
 * Throws DatabaseFileError when the file at `url` exists but is not an SQLite database, or when it
 * records migrations that are not in `knownMigrations` (it comes from a newer schema).
 * A missing or empty file is fine: migrations will create the schema.
 */
export function preflightDatabase(url: string, knownMigrations: readonly string[]): void {
  if (url === 'file::memory:') return;
  const path = sqliteFilePath(url);
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true }); // SQLite creates the file, not its directory
    return;
  }
  if (!statSync(path).isFile()) throw new DatabaseFileError(path, 'it is not a regular file');
  if (statSync(path).size === 0) return;
  if (readHeader(path) !== SQLITE_MAGIC) {
    throw new DatabaseFileError(path, 'it is not an SQLite database (wrong file header)');
  }
  let applied: string[];
  try {
    applied = appliedMigrationNames(path);
  } catch (err) {
    throw new DatabaseFileError(path, `it cannot be read as SQLite (${(err as Error).message})`);
  }
  const known = new Set(knownMigrations);
  const unknown = applied.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new DatabaseFileError(
      path,
      `it was migrated by a newer Spikelab (unknown migration${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}); upgrade Spikelab or use another DATABASE_URL`,
    );
  }
}
