// Token administration on the server's machine (`spikelab token …`), straight on the database: it
// bootstraps the first admin token, so it cannot go through the API. A new database gets the schema
// first; an existing one's schema is never touched (a server may have it open; the server migrates).
import { existsSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { createPrismaClient } from './db.js';
import { DatabaseFileError } from './errors.js';
import { applyPendingMigrations, localMigrationNames } from './migrate.js';
import { sqliteFilePath } from './paths.js';
import { preflightDatabase } from './preflight.js';
import { TokenService } from './tokens.js';

export interface TokenAdmin {
  tokens: TokenService;
  /** Migrations applied because the database was new (empty otherwise). */
  migrated: string[];
  close(): Promise<void>;
}

type DatabaseState = 'missing' | 'empty' | 'spikelab' | 'foreign';

function stateOf(path: string): DatabaseState {
  if (!existsSync(path)) return 'missing';
  if (statSync(path).isFile() && statSync(path).size === 0) return 'empty';
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name);
    if (tables.includes('_prisma_migrations')) return 'spikelab';
    return tables.length === 0 ? 'empty' : 'foreign';
  } finally {
    db.close();
  }
}

/**
 * Opens the token service on the database at `url`. `createIfNew`: a missing or empty database is
 * created with Spikelab's schema (token create); otherwise it must exist (token list / revoke).
 * Refuses, without modifying it, a file that is not SQLite, one from a newer Spikelab, and an
 * SQLite database that is not Spikelab's.
 */
export async function openTokenAdmin(url: string, opts: { createIfNew: boolean }): Promise<TokenAdmin> {
  const path = sqliteFilePath(url);
  if (!opts.createIfNew && !existsSync(path)) throw new DatabaseFileError(path, 'there is no database there (start the server once, or create a token first)');
  preflightDatabase(url, await localMigrationNames());
  const state = stateOf(path);
  if (state === 'foreign') throw new DatabaseFileError(path, "it is an SQLite database without Spikelab's schema");
  let migrated: string[] = [];
  if (state !== 'spikelab') {
    if (!opts.createIfNew) throw new DatabaseFileError(path, "it has no Spikelab schema yet (start the server once, or create a token first)");
    migrated = await applyPendingMigrations(url);
  }
  const prisma = createPrismaClient(url);
  return { tokens: new TokenService(prisma), migrated, close: () => prisma.$disconnect() };
}
