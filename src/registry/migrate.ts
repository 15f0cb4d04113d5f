// Migrations in Prisma's standard layout, one history per database (Prisma keeps one per provider):
// prisma/migrations/<ts>_<name>/migration.sql for SQLite, prisma/postgresql/migrations/… for
// PostgreSQL, created and applied with the wasm schema engine. `_prisma_migrations` is kept exactly
// as `prisma migrate deploy` keeps it, so a machine with the native engine can use the same folders.
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { MigrationList } from '@prisma/schema-engine-wasm';
import { preflightDatabase } from './preflight.js';
import { derivePostgresSchema, filesOf, lockfileContent, providerOf, type Provider } from './provider.js';
import { openSchemaEngine } from './schema-engine.js';

const LOCKFILE = 'migration_lock.toml';

/**
 * Tables the PostgreSQL history creates by hand, outside the Prisma schema (the compare cache's
 * data version, data-version.ts): the engine leaves them alone when it diffs.
 */
const POSTGRES_EXTERNAL_TABLES = ['public.DataVersion', 'public.DataVersionBump'];

function filtersOf(provider: Provider): { externalTables: string[]; externalEnums: string[] } {
  return { externalTables: provider === 'postgresql' ? POSTGRES_EXTERNAL_TABLES : [], externalEnums: [] };
}

export interface MigrateOptions {
  migrationsDir?: string;
  schemaPath?: string;
}

/** Names of the migration directories, oldest first. */
export async function localMigrationNames(migrationsDir = filesOf('sqlite').migrationsDir): Promise<string[]> {
  if (!existsSync(migrationsDir)) return [];
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory() && existsSync(join(migrationsDir, e.name, 'migration.sql')))
    .map((e) => e.name)
    .sort();
}

async function migrationList(migrationsDir: string): Promise<MigrationList> {
  const names = await localMigrationNames(migrationsDir);
  const lockPath = join(migrationsDir, LOCKFILE);
  const migrationDirectories = await Promise.all(
    names.map(async (path) => ({
      path,
      migrationFile: {
        path: 'migration.sql',
        content: { tag: 'ok' as const, value: await readFile(join(migrationsDir, path, 'migration.sql'), 'utf8') },
      },
    })),
  );
  return {
    baseDir: migrationsDir,
    lockfile: { path: LOCKFILE, content: existsSync(lockPath) ? await readFile(lockPath, 'utf8') : null },
    shadowDbInitScript: '',
    migrationDirectories,
  };
}

function resolved(url: string, opts: MigrateOptions): { provider: Provider; migrationsDir: string; schemaPath: string } {
  const provider = providerOf(url);
  const files = filesOf(provider);
  return { provider, migrationsDir: opts.migrationsDir ?? files.migrationsDir, schemaPath: opts.schemaPath ?? files.schemaPath };
}

/** The migration names of the history that applies to `url` (SQLite's or PostgreSQL's). */
export function migrationNamesFor(url: string, opts: MigrateOptions = {}): Promise<string[]> {
  return localMigrationNames(resolved(url, opts).migrationsDir);
}

/**
 * Applies every pending migration of the database's own history to the database at `url` and
 * returns their names. Refuses (without touching it) a file that is not SQLite or a database that
 * carries migrations this code does not know (a newer Spikelab).
 */
export async function applyPendingMigrations(url: string, opts: MigrateOptions = {}): Promise<string[]> {
  const { provider, migrationsDir, schemaPath } = resolved(url, opts);
  const local = await localMigrationNames(migrationsDir);
  await preflightDatabase(url, local);
  const handle = await openSchemaEngine(url, schemaPath, await readFile(schemaPath, 'utf8'));
  try {
    const out = await handle.engine.applyMigrations({ migrationsList: await migrationList(migrationsDir), filters: filtersOf(provider) });
    return out.appliedMigrationNames;
  } catch (err) {
    throw handle.explain(err);
  } finally {
    await handle.dispose();
  }
}

function timestamp(d = new Date()): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

/**
 * The SQL that takes the history in `migrationsDir` (replayed on a shadow database: in memory for
 * SQLite, a temporary database created beside `url` for PostgreSQL) to `schemaText`; null when
 * there is nothing to change.
 */
async function pendingChange(url: string, provider: Provider, migrationsDir: string, schemaPath: string, schemaText: string): Promise<string | null> {
  const list = await migrationList(migrationsDir);
  const handle = await openSchemaEngine(url, schemaPath, schemaText);
  try {
    const from = list.migrationDirectories.length === 0 ? { tag: 'empty' as const } : { tag: 'migrations' as const, ...list };
    const result = await handle.engine.diff({
      from,
      to: { tag: 'schemaDatamodel', files: [{ path: schemaPath, content: schemaText }] },
      script: true,
      exitCode: true,
      filters: filtersOf(provider),
    });
    return result.exitCode === 2 ? (result.stdout ?? '') : null;
  } catch (err) {
    throw handle.explain(err);
  } finally {
    await handle.dispose();
  }
}

async function writeMigration(migrationsDir: string, dirName: string, sql: string, provider: Provider): Promise<string> {
  const dir = join(migrationsDir, dirName);
  const tmp = `${dir}.tmp`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  await writeFile(join(tmp, 'migration.sql'), sql);
  await rename(tmp, dir);
  if (!existsSync(join(migrationsDir, LOCKFILE))) await writeFile(join(migrationsDir, LOCKFILE), lockfileContent(provider));
  return dir;
}

export interface CreateMigrationOptions {
  /** SQLite's schema and history (default prisma/schema.prisma, prisma/migrations). */
  sqlite?: MigrateOptions;
  /** PostgreSQL's derived schema and history (default prisma/postgresql/…). */
  postgresql?: MigrateOptions;
  /**
   * A PostgreSQL database the engine may connect to and create shadow databases beside (the
   * history is replayed there). Without it only SQLite's history is written.
   */
  postgresUrl?: string;
}

/**
 * Diffs each history against prisma/schema.prisma (PostgreSQL's: against the schema derived from
 * it, which is rewritten) and writes the differences as a new migration of the same name in both.
 * Returns the directories written (none when the schema has no changes). Both diffs are computed
 * before anything is written.
 */
export async function createMigration(name: string, opts: CreateMigrationOptions = {}): Promise<string[]> {
  if (!/^[a-z0-9_]+$/i.test(name)) throw new Error(`migration name "${name}" must match [A-Za-z0-9_]+`);
  const lite = { ...filesOf('sqlite'), ...opts.sqlite };
  const pgFiles = { ...filesOf('postgresql'), ...opts.postgresql };
  const schemaText = await readFile(lite.schemaPath, 'utf8');
  const changes: { provider: Provider; migrationsDir: string; sql: string }[] = [];
  const liteSql = await pendingChange('file::memory:', 'sqlite', lite.migrationsDir, lite.schemaPath, schemaText);
  if (liteSql !== null) changes.push({ provider: 'sqlite', migrationsDir: lite.migrationsDir, sql: liteSql });
  if (opts.postgresUrl !== undefined) {
    const pgSchema = derivePostgresSchema(schemaText);
    const pgSql = await pendingChange(opts.postgresUrl, 'postgresql', pgFiles.migrationsDir, pgFiles.schemaPath, pgSchema);
    await mkdir(dirname(pgFiles.schemaPath), { recursive: true });
    await writeFile(pgFiles.schemaPath, pgSchema);
    if (pgSql !== null) changes.push({ provider: 'postgresql', migrationsDir: pgFiles.migrationsDir, sql: pgSql });
  }
  const dirName = `${timestamp()}_${name}`;
  const written: string[] = [];
  for (const c of changes) {
    await mkdir(c.migrationsDir, { recursive: true });
    written.push(await writeMigration(c.migrationsDir, dirName, c.sql, c.provider));
  }
  return written;
}

/**
 * SQL that would bring the database at `url` to its provider's schema; empty when they match
 * (used by tests and to diagnose drift).
 */
export async function diffDatabaseAgainstSchema(url: string, opts: MigrateOptions = {}): Promise<string> {
  const { provider, schemaPath } = resolved(url, opts);
  const schemaText = await readFile(schemaPath, 'utf8');
  const handle = await openSchemaEngine(url, schemaPath, schemaText);
  try {
    const result = await handle.engine.diff({
      // the datasource is reached through the driver adapter the engine was opened with
      from: { tag: 'schemaDatasource', files: [{ path: schemaPath, content: schemaText }], configDir: dirname(schemaPath) },
      to: { tag: 'schemaDatamodel', files: [{ path: schemaPath, content: schemaText }] },
      script: true,
      exitCode: true,
      filters: filtersOf(provider),
    });
    return result.exitCode === 2 ? (result.stdout ?? '') : '';
  } catch (err) {
    throw handle.explain(err);
  } finally {
    await handle.dispose();
  }
}
