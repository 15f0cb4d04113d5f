import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DatabaseFileError } from '../../src/registry/errors.js';
import { applyPendingMigrations, createMigration, diffDatabaseAgainstSchema, localMigrationNames } from '../../src/registry/migrate.js';
import { PROJECT_ROOT, SCHEMA_PATH } from '../../src/registry/paths.js';
import { derivePostgresSchema, filesOf, providerOf, redactUrl } from '../../src/registry/provider.js';
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

  it('creates a missing directory for the file and refuses URLs of other databases', async () => {
    expect(await applyPendingMigrations(`file:${join(tmp.dir, 'a', 'b', 'deep.db')}`)).toEqual(await localMigrationNames());
    await expect(applyPendingMigrations('mysql://localhost/spikelab')).rejects.toThrow(/not supported: use file:<path> \(an SQLite file\) or postgresql:/);
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
    const sqlite = { migrationsDir, schemaPath };
    const [first, ...more] = await createMigration('init', { sqlite });
    expect(more).toEqual([]); // without a PostgreSQL server only SQLite's history is written
    expect(readFileSync(join(first!, 'migration.sql'), 'utf8')).toMatch(/CREATE TABLE "StepMetric"/);
    expect(readFileSync(join(migrationsDir, 'migration_lock.toml'), 'utf8')).toMatch(/provider = "sqlite"/);
    expect(await createMigration('nothing', { sqlite })).toEqual([]);

    writeFileSync(schemaPath, readFileSync(schemaPath, 'utf8') + '\nmodel Note {\n  id   Int    @id @default(autoincrement())\n  text String\n}\n');
    await new Promise((r) => setTimeout(r, 1100)); // migration names are second-resolution timestamps
    const [second] = await createMigration('add_note', { sqlite });
    expect(readFileSync(join(second!, 'migration.sql'), 'utf8')).toMatch(/CREATE TABLE "Note"/);
    expect(await applyPendingMigrations(tmp.databaseUrl, { migrationsDir, schemaPath })).toHaveLength(2);
    expect(await diffDatabaseAgainstSchema(tmp.databaseUrl, { schemaPath })).toBe('');
  });
});

describe('one data model, two databases', () => {
  it('derives prisma/postgresql/schema.prisma from prisma/schema.prisma (run `npm run db:migration -- <name>` after editing it)', () => {
    const derived = derivePostgresSchema(readFileSync(SCHEMA_PATH, 'utf8'));
    expect(derived).toMatch(/datasource db \{\s*provider = "postgresql"/);
    expect(readFileSync(filesOf('postgresql').schemaPath, 'utf8')).toBe(derived);
  });

  it('generates two Prisma clients with the same models, fields and types', () => {
    // the generated class module carries the data model the client runs with
    const dataModel = (dir: string): unknown => {
      const text = readFileSync(join(PROJECT_ROOT, 'src', 'generated', dir, 'internal', 'class.ts'), 'utf8');
      const m = /config\.runtimeDataModel = JSON\.parse\((".*")\)/.exec(text);
      return JSON.parse(JSON.parse(m![1]!) as string);
    };
    const lite = dataModel('prisma');
    expect(Object.keys((lite as { models: object }).models)).toEqual(expect.arrayContaining(['Dataset', 'ConversionRun', 'StepMetric', 'Job']));
    expect(dataModel('prisma-pg')).toEqual(lite);
  });

  it('tells the databases apart by URL and keeps passwords out of messages', () => {
    expect(providerOf('file:./spikelab.db')).toBe('sqlite');
    expect(providerOf('postgres://u@h/db')).toBe('postgresql');
    expect(providerOf('postgresql://u:p@h:5432/db?sslmode=require')).toBe('postgresql');
    expect(() => providerOf('mysql://root:hunter2@h/db')).toThrow(/"mysql:\/\/root:\*\*\*@h\/db" is not supported/);
    expect(redactUrl('postgresql://spikelab:p%40ss@db.lab:5432/registry')).toBe('postgresql://spikelab:***@db.lab:5432/registry');
    expect(redactUrl('postgresql://spikelab@db.lab/registry')).toBe('postgresql://spikelab@db.lab/registry');
    expect(redactUrl('file:/tmp/a.db')).toBe('file:/tmp/a.db');
  });
});
