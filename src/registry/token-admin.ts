// Token administration on the server's machine (`spikelab token …`), straight on the database: it
// bootstraps the first admin token, so it cannot go through the API. A new database gets the schema
// first; an existing one's schema is never touched (a server may have it open; the server migrates).
import { openDatabase } from './db.js';
import { DatabaseFileError } from './errors.js';
import { applyPendingMigrations, migrationNamesFor } from './migrate.js';
import { inspectDatabase, preflightDatabase } from './preflight.js';
import { TokenService } from './tokens.js';

export interface TokenAdmin {
  tokens: TokenService;
  /** Migrations applied because the database was new (empty otherwise). */
  migrated: string[];
  close(): Promise<void>;
}

/**
 * Opens the token service on the database at `url` (SQLite or PostgreSQL). `createIfNew`: a missing
 * or empty database is given Spikelab's schema (token create; a PostgreSQL database itself must
 * exist); otherwise it must have it (token list / revoke). Refuses, without modifying it, a file
 * that is not SQLite, a database from a newer Spikelab, and a database that is not Spikelab's.
 */
export async function openTokenAdmin(url: string, opts: { createIfNew: boolean }): Promise<TokenAdmin> {
  const before = await inspectDatabase(url);
  if (before.state === 'missing' && !opts.createIfNew) throw new DatabaseFileError(before.label, 'there is no database there (start the server once, or create a token first)');
  const found = await preflightDatabase(url, await migrationNamesFor(url));
  if (found.state === 'foreign') throw new DatabaseFileError(found.label, "it is a database without Spikelab's schema");
  let migrated: string[] = [];
  if (found.state !== 'spikelab') {
    if (!opts.createIfNew) throw new DatabaseFileError(found.label, 'it has no Spikelab schema yet (start the server once, or create a token first)');
    migrated = await applyPendingMigrations(url);
  }
  const db = openDatabase(url);
  return { tokens: new TokenService(db.prisma), migrated, close: () => db.close() };
}
