// `spikelab token …` on the database directly: a new database gets the schema, an existing one's
// schema is never touched, and files that are not Spikelab's are refused unchanged.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DatabaseFileError } from '../../src/registry/errors.js';
import { applyPendingMigrations, localMigrationNames } from '../../src/registry/migrate.js';
import { openTokenAdmin } from '../../src/registry/token-admin.js';
import { makeTempDirs, type TempDirs } from '../api/harness.js';

const sha = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');
const migrationRows = (path: string): string[] => {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT migration_name AS n FROM _prisma_migrations ORDER BY n').all() as { n: string }[]).map((r) => r.n);
  } finally {
    db.close();
  }
};

describe('token administration on the database', () => {
  let tmp: TempDirs;
  let path: string;
  beforeEach(() => {
    tmp = makeTempDirs();
    path = join(tmp.dir, 'test.db');
  });
  afterEach(() => tmp.cleanup());

  it('creates a missing database with every migration, then a token in it', async () => {
    const admin = await openTokenAdmin(tmp.databaseUrl, { createIfNew: true });
    try {
      const local = await localMigrationNames();
      expect(admin.migrated).toEqual(local);
      const { token, secret } = await admin.tokens.create('ci', 'admin');
      expect(secret).toMatch(/^slk_/);
      expect((await admin.tokens.list()).map((t) => [t.id, t.name, t.role])).toEqual([[token.id, 'ci', 'admin']]);
    } finally {
      await admin.close();
    }
    expect(migrationRows(path)).toEqual(await localMigrationNames());
  });

  it("never migrates an existing database, even one with a migration pending (that is the server's job)", async () => {
    await applyPendingMigrations(tmp.databaseUrl);
    const all = await localMigrationNames();
    // pretend the newest migration is pending, as on a database of an older Spikelab
    const db = new Database(path);
    db.prepare('DELETE FROM _prisma_migrations WHERE migration_name = ?').run(all[all.length - 1]);
    db.close();
    const admin = await openTokenAdmin(tmp.databaseUrl, { createIfNew: true });
    try {
      expect(admin.migrated).toEqual([]);
      await admin.tokens.create('ci', 'reader');
    } finally {
      await admin.close();
    }
    expect(migrationRows(path)).toEqual(all.slice(0, -1));
  });

  it('list and revoke need an existing database and create none', async () => {
    await expect(openTokenAdmin(tmp.databaseUrl, { createIfNew: false })).rejects.toThrow(/there is no database there/);
    expect(existsSync(path)).toBe(false);
  });

  it('refuses, unchanged, a file that is not SQLite and an SQLite database that is not Spikelab\'s', async () => {
    writeFileSync(path, 'not a database at all, just text\n');
    const before = sha(path);
    await expect(openTokenAdmin(tmp.databaseUrl, { createIfNew: true })).rejects.toThrow(DatabaseFileError);
    expect(sha(path)).toBe(before);

    const other = join(tmp.dir, 'other.db');
    const db = new Database(other);
    db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)');
    db.close();
    const otherBefore = sha(other);
    await expect(openTokenAdmin(`file:${other}`, { createIfNew: true })).rejects.toThrow(/without Spikelab's schema/);
    expect(sha(other)).toBe(otherBefore);
  });
});
