// PostgreSQL's own behaviour (jest's postgres project only; the shared suites run there too): its
// migration history and refusals, token administration, the data version that two server replicas
// share (and the deadlock it must not cause), the health probe through an outage.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { DEFAULT_CONVERSION_CONFIG, summariseSeries } from '../../src/formats/index.js';
import { PrismaClient as PostgresPrismaClient } from '../../src/generated/prisma-pg/client.js';
import { CompareService } from '../../src/registry/compare.js';
import { COMPARE_TABLES } from '../../src/registry/data-version.js';
import { openPostgresPool, type PrismaClient } from '../../src/registry/db.js';
import { DatabaseFileError } from '../../src/registry/errors.js';
import { applyPendingMigrations, createMigration, diffDatabaseAgainstSchema, localMigrationNames } from '../../src/registry/migrate.js';
import { SCHEMA_PATH } from '../../src/registry/paths.js';
import { derivePostgresSchema, filesOf } from '../../src/registry/provider.js';
import { openRegistry, type Registry } from '../../src/registry/registry.js';
import { openTokenAdmin } from '../../src/registry/token-admin.js';
import { startPgCluster } from '../../src/tools/pg-cluster.js';
import { spikelab } from '../client/cli-run.js';
import { clusterUrl, dropTestDatabase, newTestDatabase, sql } from '../db/database.js';

const PG = filesOf('postgresql');

/** Tables of the public schema and the migrations recorded: what "left untouched" is checked on. */
async function snapshot(url: string): Promise<string> {
  const tables = await sql(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename");
  const migrations = tables.some((t) => t.tablename === '_prisma_migrations') ? await sql(url, 'SELECT migration_name, checksum FROM _prisma_migrations ORDER BY migration_name') : [];
  return JSON.stringify({ tables, migrations });
}

describe('PostgreSQL migration history', () => {
  let dir: string;
  let url: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'spikelab-pgmig-'));
    url = newTestDatabase(dir);
  });
  afterEach(() => {
    dropTestDatabase(url);
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies every migration to a fresh database, then nothing; the tables match the derived schema', async () => {
    const local = await localMigrationNames(PG.migrationsDir);
    expect(local.length).toBeGreaterThanOrEqual(2);
    expect(await applyPendingMigrations(url)).toEqual(local);
    expect(await applyPendingMigrations(url)).toEqual([]);
    const rows = await sql(url, 'SELECT migration_name, finished_at, rolled_back_at FROM _prisma_migrations ORDER BY migration_name');
    expect(rows.map((r) => r.migration_name)).toEqual(local);
    expect(rows.every((r) => r.finished_at !== null && r.rolled_back_at === null)).toBe(true);
    const models = [...readFileSync(PG.schemaPath, 'utf8').matchAll(/^model (\w+) \{/gm)].map((m) => m[1]);
    const tables = (await sql(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).map((t) => t.tablename);
    for (const model of models) expect(tables).toContain(model);
    expect(tables).toEqual(expect.arrayContaining(['DataVersion', 'DataVersionBump']));
    // the engine finds nothing to change between the migrated database and the derived schema
    expect(await diffDatabaseAgainstSchema(url)).toBe('');
  });

  it('refuses a database migrated by a newer Spikelab, leaves it untouched and never prints the password', async () => {
    await applyPendingMigrations(url);
    await sql(url, "INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, started_at, applied_steps_count) VALUES ('x', 'c', now(), '29991231000000_from_the_future', now(), 1)");
    const before = await snapshot(url);
    const withPassword = url.replace('://spikelab@', '://spikelab:s3cret-pw@'); // trust authentication ignores it
    const err = await applyPendingMigrations(withPassword).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseFileError);
    expect((err as Error).message).toMatch(/newer Spikelab.*29991231000000_from_the_future.*The database was not modified/);
    expect((err as Error).message).toContain('spikelab:***@');
    expect((err as Error).message).not.toContain('s3cret-pw');
    expect(await snapshot(url)).toBe(before);
  });

  it('says which server it cannot reach', async () => {
    await expect(applyPendingMigrations('postgresql://nobody:pw@127.0.0.1:1/none')).rejects.toThrow(/cannot connect to PostgreSQL at postgresql:\/\/nobody:\*\*\*@127\.0\.0\.1:1\/none/);
  });

  it('writes a new migration to both histories, PostgreSQL\'s from the derived schema, and leaves no shadow database', async () => {
    const schemaPath = join(dir, 'schema.prisma');
    copyFileSync(SCHEMA_PATH, schemaPath);
    mkdirSync(join(dir, 'pg'));
    const sqlite = { migrationsDir: join(dir, 'migrations'), schemaPath };
    const postgresql = { migrationsDir: join(dir, 'pg', 'migrations'), schemaPath: join(dir, 'pg', 'schema.prisma') };
    const opts = { sqlite, postgresql, postgresUrl: url };
    const first = await createMigration('init', opts);
    expect(first).toHaveLength(2);
    expect(readFileSync(join(first[1]!, 'migration.sql'), 'utf8')).toMatch(/CREATE TABLE "StepMetric"[\s\S]*DOUBLE PRECISION/);
    expect(readFileSync(join(postgresql.migrationsDir, 'migration_lock.toml'), 'utf8')).toMatch(/provider = "postgresql"/);
    expect(readFileSync(postgresql.schemaPath, 'utf8')).toBe(derivePostgresSchema(readFileSync(schemaPath, 'utf8')));
    expect(await createMigration('nothing', opts)).toEqual([]);

    writeFileSync(schemaPath, readFileSync(schemaPath, 'utf8') + '\nmodel Note {\n  id   Int    @id @default(autoincrement())\n  text String\n}\n');
    await new Promise((r) => setTimeout(r, 1100)); // migration names are second-resolution timestamps
    const second = await createMigration('add_note', opts);
    expect(second.map((d) => d.split('/').at(-1))).toEqual([second[0]!.split('/').at(-1), second[0]!.split('/').at(-1)]);
    expect(readFileSync(join(second[1]!, 'migration.sql'), 'utf8')).toMatch(/CREATE TABLE "Note"[\s\S]*SERIAL/);
    const fresh = newTestDatabase(dir);
    try {
      expect(await applyPendingMigrations(fresh, postgresql)).toHaveLength(2);
      expect(await diffDatabaseAgainstSchema(fresh, postgresql)).toBe('');
    } finally {
      dropTestDatabase(fresh);
    }
    expect(await sql(clusterUrl(), "SELECT datname FROM pg_database WHERE datname LIKE 'prisma_migrate_shadow%'")).toEqual([]);
  });
});

describe('token administration on PostgreSQL', () => {
  let dir: string;
  let url: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'spikelab-pgtok-'));
    url = newTestDatabase(dir);
  });
  afterEach(() => {
    dropTestDatabase(url);
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives an empty database the schema, then a token; list needs the schema', async () => {
    await expect(openTokenAdmin(url, { createIfNew: false })).rejects.toThrow(/has no Spikelab schema yet/);
    const admin = await openTokenAdmin(url, { createIfNew: true });
    try {
      expect(admin.migrated).toEqual(await localMigrationNames(PG.migrationsDir));
      await admin.tokens.create('ci', 'admin');
    } finally {
      await admin.close();
    }
    const again = await openTokenAdmin(url, { createIfNew: false });
    try {
      expect(again.migrated).toEqual([]);
      expect((await again.tokens.list()).map((t) => t.name)).toEqual(['ci']);
    } finally {
      await again.close();
    }
  });

  it("refuses, unchanged, a database that is not Spikelab's", async () => {
    await sql(url, 'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)');
    const before = await snapshot(url);
    await expect(openTokenAdmin(url, { createIfNew: true })).rejects.toThrow(/without Spikelab's schema/);
    expect(await snapshot(url)).toBe(before);
  });

  it('`spikelab token create` works on DATABASE_URL=postgresql://… as the acceptance checks call it', async () => {
    const created = await spikelab(['token', 'create', 'wk', '--role', 'writer', '--json'], { DATABASE_URL: url });
    expect({ code: created.code, stderr: created.stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(created.stdout)).toMatchObject({ name: 'wk', role: 'writer', secret: expect.stringMatching(/^slk_/) as unknown });
    expect((await spikelab(['token', 'list', '--database-url', url])).stdout).toMatch(/^\s*1\s+wk\s+writer\s+active/m);
  });
});

describe('the data version that server replicas share', () => {
  let dir: string;
  let url: string;
  let a: Registry;
  let b: Registry;
  let runId: number;
  const version = async () => Number((await sql(url, 'SELECT "version" FROM "DataVersion"'))[0]!.version);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spikelab-pgver-'));
    url = newTestDatabase(dir);
    a = await openRegistry({ databaseUrl: url, storeDir: join(dir, 'store') });
    b = await openRegistry({ databaseUrl: url, storeDir: join(dir, 'store') });
    const datasetId = (await a.datasets.register({ name: 'd', format: 'synthetic-classification', imageShape: [8, 8, 1], numClasses: 3 })).id;
    const model = await a.models.create({ name: 'm', architecture: 'cnn-small', inputShape: [8, 8, 1], numClasses: 3 });
    const checkpointId = (await a.checkpoints.create({ modelId: model.id, weights: new Uint8Array([1, 2, 3]), manifest: { format: 'tfjs-layers', spec: model.spec, weightSpecs: [], createdAt: '' }, aliases: ['best'] })).id;
    const run = await a.conversionRuns.start({ checkpointId, datasetId, config: { timeSteps: 4 } });
    await a.jobs.claimNext('w/1/0');
    const stepMetrics = { accuracy: [0.2, 0.6, 0.79, 0.8], top5: [0.5, 0.9, 0.95, 0.96] };
    const summary = { primaryMetric: 'accuracy', annValue: 0.8, ...summariseSeries(0.8, stepMetrics.accuracy), sops: 0, annMacs: 1, energyRatio: 0, eAcPj: 0.9, eMacPj: 4.6 };
    await a.conversionRuns.complete(run.id, run.jobId!, { task: 'classification', config: { ...DEFAULT_CONVERSION_CONFIG, timeSteps: 4 }, backend: 'cpu', samples: 10, annMetrics: { accuracy: 0.8, top5: 0.96 }, stepMetrics, layerStats: [], summary, warnings: [] });
    runId = run.id;
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    dropTestDatabase(url);
    rmSync(dir, { recursive: true, force: true });
  });

  it("a replica's cached comparison is dropped when the other replica commits a change to it, and only then", async () => {
    const first = await a.compare.compare({ runIds: [runId] });
    expect(await a.compare.compare({ runIds: [runId] })).toBe(first);
    // the other replica's writes to tables compare does not read (job progress, tokens) keep it
    const v = await version();
    await b.tokens.create('replica-b', 'reader');
    await b.prisma.job.updateMany({ data: { message: 'progress from elsewhere', heartbeatAt: new Date() } });
    expect(await version()).toBe(v);
    expect(await a.compare.compare({ runIds: [runId] })).toBe(first);
    // a commit by the other replica to a table compare reads: recomputed, with the new value
    await b.prisma.conversionRun.update({ where: { id: runId }, data: { annValue: 0.85 } });
    const after = await a.compare.compare({ runIds: [runId] });
    expect(after).not.toBe(first);
    expect(after.rows[0]!.annValue).toBeCloseTo(0.85, 12);
  });

  it('counts one commit of every table compare reads, none for a rollback', async () => {
    for (const table of COMPARE_TABLES) {
      const v = await version();
      // a statement that changes nothing is enough: the statement trigger does not look at the rows
      await sql(url, `DELETE FROM "${table}" WHERE false`);
      expect({ table, bumped: (await version()) - v }).toEqual({ table, bumped: 1 });
    }
    const v = await version();
    await b.prisma.$transaction(async (tx) => {
      await tx.conversionRun.update({ where: { id: runId }, data: { annValue: 0.5 } });
      await tx.stepMetric.updateMany({ where: { conversionRunId: runId }, data: { value: 0 } });
    });
    expect(await version()).toBe(v + 1); // one transaction, several statements: one bump
    await expect(b.prisma.$transaction(async (tx) => {
      await tx.conversionRun.update({ where: { id: runId }, data: { annValue: 0.1 } });
      throw new Error('abandoned');
    })).rejects.toThrow('abandoned');
    expect(await version()).toBe(v + 1);
    expect(await sql(url, 'SELECT count(*)::int AS n FROM "DataVersionBump"')).toEqual([{ n: 0 }]);
  });

  it('compare reads no table whose writes would not bump the version', async () => {
    const pool = openPostgresPool(url, 2);
    const client = new PostgresPrismaClient({ adapter: new PrismaPg(pool), log: [{ emit: 'event', level: 'query' }] });
    const queries: string[] = [];
    client.$on('query', (e) => queries.push(e.query));
    try {
      let n = 0;
      const uncached = new CompareService(client as unknown as PrismaClient, () => Promise.resolve(n++));
      await uncached.compare({ filter: { alias: 'best', family: 'plain', datasetId: 1 } });
      await uncached.compare({ runIds: [runId], metric: 'top5', steps: [1, 4] });
      const tables = new Set(queries.flatMap((q) => [...q.matchAll(/"public"\."(\w+)"/g)].map((m) => m[1]!)));
      expect(tables.size).toBeGreaterThanOrEqual(4);
      expect([...tables].filter((t) => !(COMPARE_TABLES as readonly string[]).includes(t))).toEqual([]);
    } finally {
      await client.$disconnect();
      await pool.end();
    }
    const triggered = (await sql(url, "SELECT DISTINCT tgrelid::regclass::text AS t FROM pg_trigger WHERE tgname LIKE '%_data_changed'")).map((r) => String(r.t).replace(/"/g, ''));
    expect(triggered.sort()).toEqual([...COMPARE_TABLES].sort());
  });

  it('two transactions that lock a job and a compare table in opposite orders both commit (no deadlock on the counter)', async () => {
    const jobId = Number((await sql(url, 'SELECT min("id") AS id FROM "Job"'))[0]!.id);
    // T1 writes a compare table first, T2 the job first; each then waits, then writes the other.
    // A counter bumped by the first write would be held by T1 while it waits for T2's job row.
    const t1 = sql(url, `BEGIN; UPDATE "ConversionRun" SET "error" = 't1' WHERE "id" = ${runId}; SELECT pg_sleep(0.5); UPDATE "Job" SET "message" = 't1' WHERE "id" = ${jobId}; COMMIT;`);
    const t2 = sql(url, `BEGIN; UPDATE "Job" SET "message" = 't2' WHERE "id" = ${jobId}; SELECT pg_sleep(0.25); UPDATE "Dataset" SET "description" = 't2'; SELECT pg_sleep(0.5); COMMIT;`);
    await expect(Promise.all([t1, t2])).resolves.toBeDefined();
    expect((await sql(url, `SELECT "message" FROM "Job" WHERE "id" = ${jobId}`))[0]!.message).toBe('t1');
  });
});

describe('the health probe through a PostgreSQL outage', () => {
  it('is false while the server is down and true again once it is back', async () => {
    const cluster = await startPgCluster();
    const dir = mkdtempSync(join(tmpdir(), 'spikelab-pgout-'));
    let reg: Registry | null = null;
    try {
      reg = await openRegistry({ databaseUrl: await cluster.createDatabase('outage'), storeDir: join(dir, 'store') });
      expect(await reg.isDatabaseReachable()).toBe(true);
      await cluster.pause();
      expect(await reg.isDatabaseReachable()).toBe(false);
      await cluster.resume();
      expect(await reg.isDatabaseReachable()).toBe(true);
      expect((await reg.models.list()).totalCount).toBe(0);
    } finally {
      await reg?.close();
      await cluster.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
