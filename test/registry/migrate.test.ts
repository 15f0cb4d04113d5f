import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DatabaseFileError } from '../../src/registry/errors.js';
import { applyPendingMigrations, createMigration, diffDatabaseAgainstSchema, localMigrationNames } from '../../src/registry/migrate.js';
import { SCHEMA_PATH } from '../../src/registry/paths.js';
import { makeTempDirs, type TempDirs } from '../api/harness.js';

const sha = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('migrations (wasm schema engine + better-sqlite3)', () => {
  let tmp: TempDirs;
  beforeEach(() => {
    tmp = makeTempDirs();
  });
  afterEach(() => tmp.cleanup());

  it('applies every migration to a fresh database, then nothing; the tables match schema.prisma', async () => {
    const local = await localMigrationNames();
    expect(local.length).toBeGreaterThanOrEqual(1);
    expect(await applyPendingMigrations(tmp.databaseUrl)).toEqual(local);
    expect(await applyPendingMigrations(tmp.databaseUrl)).toEqual([]);

    const db = new Database(join(tmp.dir, 'test.db'), { readonly: true });
    const rows = db.prepare('SELECT migration_name, finished_at, rolled_back_at FROM _prisma_migrations ORDER BY migration_name').all() as Record<string, unknown>[];
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name);
    db.close();
    expect(rows.map((r) => r.migration_name)).toEqual(local);
    expect(rows.every((r) => r.finished_at !== null && r.rolled_back_at === null)).toBe(true);

    const models = [...readFileSync(SCHEMA_PATH, 'utf8').matchAll(/^model (\w+) \{/gm)].map((m) => m[1]);
    expect(models).toEqual(expect.arrayContaining(['Dataset', 'Model', 'Checkpoint', 'TrainingRun', 'ConversionRun', 'StepMetric', 'LayerStat', 'Job', 'ApiToken']));
    for (const model of models) expect(tables).toContain(model);
    // the engine finds nothing to change between the migrated database and the Prisma schema
    expect(await diffDatabaseAgainstSchema(tmp.databaseUrl)).toBe('');
  });

  it('refuses a file that is not SQLite and leaves it untouched', async () => {
    const path = join(tmp.dir, 'test.db');
    writeFileSync(path, 'this is a spreadsheet, not a database\n'.repeat(100));
    const before = sha(path);
    await expect(applyPendingMigrations(tmp.databaseUrl)).rejects.toThrow(/not an SQLite database/);
    await expect(applyPendingMigrations(tmp.databaseUrl)).rejects.toBeInstanceOf(DatabaseFileError);
    expect(sha(path)).toBe(before);
  });

  it('creates a missing directory for the file and refuses non-SQLite URLs', async () => {
    expect(await applyPendingMigrations(`file:${join(tmp.dir, 'a', 'b', 'deep.db')}`)).toEqual(await localMigrationNames());
    await expect(applyPendingMigrations('postgres://localhost/spikelab')).rejects.toThrow(/not supported: use file:/);
  });

  it('refuses a database migrated by a newer Spikelab and leaves it untouched', async () => {
    const path = join(tmp.dir, 'test.db');
    await applyPendingMigrations(tmp.databaseUrl);
    const db = new Database(path);
    db.prepare(
      "INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, started_at, applied_steps_count) VALUES ('x', 'c', CURRENT_TIMESTAMP, '29991231000000_from_the_future', CURRENT_TIMESTAMP, 1)",
    ).run();
    db.close();
    const before = sha(path);
    await expect(applyPendingMigrations(tmp.databaseUrl)).rejects.toThrow(/newer Spikelab.*29991231000000_from_the_future/);
    expect(sha(path)).toBe(before);
  });

  it('creates a migration from schema changes and none when there are none', async () => {
    const migrationsDir = join(tmp.dir, 'migrations');
    mkdirSync(migrationsDir);
    const schemaPath = join(tmp.dir, 'schema.prisma');
    copyFileSync(SCHEMA_PATH, schemaPath);
    const first = await createMigration('init', { migrationsDir, schemaPath });
    expect(first).not.toBeNull();
    expect(readFileSync(join(first!, 'migration.sql'), 'utf8')).toMatch(/CREATE TABLE "StepMetric"/);
    expect(readFileSync(join(migrationsDir, 'migration_lock.toml'), 'utf8')).toMatch(/provider = "sqlite"/);
    expect(await createMigration('nothing', { migrationsDir, schemaPath })).toBeNull();

    writeFileSync(schemaPath, readFileSync(schemaPath, 'utf8') + '\nmodel Note {\n  id   Int    @id @default(autoincrement())\n  text String\n}\n');
    await new Promise((r) => setTimeout(r, 1100)); // migration names are second-resolution timestamps
    const second = await createMigration('add_note', { migrationsDir, schemaPath });
    expect(readFileSync(join(second!, 'migration.sql'), 'utf8')).toMatch(/CREATE TABLE "Note"/);
    expect(await applyPendingMigrations(tmp.databaseUrl, { migrationsDir, schemaPath })).toHaveLength(2);
    expect(await diffDatabaseAgainstSchema(tmp.databaseUrl, { schemaPath })).toBe('');
  });
});
