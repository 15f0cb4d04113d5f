// Loads Prisma's schema engine compiled to WebAssembly and connects it to the database through a
// driver adapter (better-sqlite3 for SQLite, pg for PostgreSQL), so migrations run without the
// native engine (notes/offline-prisma.md).
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import {
  ColumnTypeEnum,
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
  type SqlQuery,
} from '@prisma/driver-adapter-utils';
import type { SchemaEngine } from '@prisma/schema-engine-wasm';
import type * as EngineGlue from '@prisma/schema-engine-wasm/schema_engine_bg';
import { postgresConfig } from './db.js';
import { providerOf } from './provider.js';

type WasmGlue = typeof EngineGlue & {
  __wbg_set_wasm(exports: WebAssembly.Exports): void;
};

let gluePromise: Promise<WasmGlue> | undefined;

// The package's main entry imports the .wasm file as an ES module, which Node 20 cannot do:
// instantiate it by hand the way Prisma's own loader does.
async function loadGlue(): Promise<WasmGlue> {
  const glue = (await import('@prisma/schema-engine-wasm/schema_engine_bg')) as WasmGlue;
  const require = createRequire(import.meta.url);
  const pkgDir = dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg'));
  const bytes = await readFile(join(pkgDir, 'schema_engine_bg.wasm'));
  const imports: WebAssembly.ModuleImports = { ...glue };
  // The engine races every PostgreSQL query against a 10 s timer it never clears: unref'd, those
  // timers no longer keep a finished process (db:migrate, `spikelab token`) alive for 10 s.
  for (const [name, fn] of Object.entries(glue)) {
    if (!name.startsWith('__wbg_setTimeout_') || typeof fn !== 'function') continue;
    imports[name] = (...args: unknown[]): unknown => {
      const timer = (fn as (...a: unknown[]) => unknown)(...args);
      (timer as { unref?: () => void } | null)?.unref?.();
      return timer;
    };
  }
  const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': imports });
  glue.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  return glue;
}

// better-sqlite3 refuses multi-statement strings in prepare(); the engine replays whole migration
// scripts on the shadow database through argument-less executeRaw, so route those to exec().
// Every connection handed to the engine is tracked so dispose() can close it (the engine does not,
// and a leftover connection would keep SQLite locked for the next opener).
function scriptAwareShadow(factory: PrismaBetterSqlite3, opened: SqlDriverAdapter[]): SqlMigrationAwareDriverAdapterFactory {
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => {
      const conn = await factory.connect();
      opened.push(conn);
      return conn;
    },
    connectToShadowDb: async (): Promise<SqlDriverAdapter> => {
      const shadow = await factory.connectToShadowDb();
      opened.push(shadow);
      const executeRaw = shadow.executeRaw.bind(shadow);
      shadow.executeRaw = async (query: SqlQuery): Promise<number> => {
        if (query.args.length === 0) {
          await shadow.executeScript(query.sql);
          return 0;
        }
        return executeRaw(query);
      };
      return shadow;
    },
  };
}

/** PostgreSQL's `"char"` type (pg_type oid 18) and `text` (oid 25). */
const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;

interface PgInternals {
  performIO(query: SqlQuery): Promise<{ fields: { dataTypeID: number }[] }>;
  onError(error: unknown): never;
  underlyingDriver(): { query(text: string): Promise<unknown> };
}

// Two limits of adapter-pg 7.10 that the engine's connections (never the server's) work around:
// - the engine reads PostgreSQL's catalog (to diff a database, or migrations replayed on a shadow
//   database) with queries returning `"char"` columns (relkind, contype, …), a type the adapter
//   refuses ("Column type 'char' could not be deserialized"); pg hands such values over as
//   one-letter strings, which are passed on as the engine's Character type;
// - executeScript splits a migration at every ';', even inside comments and $$-quoted function
//   bodies; a script is sent whole instead, as one simple query, which PostgreSQL runs as a single
//   transaction (a migration applies completely or not at all).
function forTheEngine<T extends SqlDriverAdapter>(conn: T): T {
  const pg = conn as unknown as PgInternals;
  const charColumns = new WeakMap<SqlQuery, number[]>();
  const performIO = pg.performIO.bind(conn);
  pg.performIO = async (query) => {
    const result = await performIO(query);
    const chars = result.fields.flatMap((f, i) => (f.dataTypeID === PG_CHAR_OID ? [i] : []));
    if (chars.length > 0) {
      charColumns.set(query, chars);
      result.fields = result.fields.map((f) => (f.dataTypeID === PG_CHAR_OID ? { ...f, dataTypeID: PG_TEXT_OID } : f));
    }
    return result;
  };
  const queryRaw = conn.queryRaw.bind(conn);
  conn.queryRaw = async (query) => {
    const result = await queryRaw(query);
    for (const i of charColumns.get(query) ?? []) result.columnTypes[i] = ColumnTypeEnum.Character;
    return result;
  };
  conn.executeScript = async (script: string): Promise<void> => {
    try {
      await pg.underlyingDriver().query(script);
    } catch (err) {
      pg.onError(err);
    }
  };
  return conn;
}

/** Runs one statement on a connection of its own (shadow databases are created and dropped from the main database). */
async function adminQuery(config: pg.ClientConfig, text: string): Promise<void> {
  const client = new pg.Client(config);
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/**
 * PostgreSQL for the engine. Shadow databases are made here rather than by the adapter, whose
 * disposal drops the database while its own pool is still connected to it ("being accessed by
 * other users"), leaving it behind: this one closes the pool first, then drops it.
 */
function pgForTheEngine(url: string, opened: SqlDriverAdapter[]): SqlMigrationAwareDriverAdapterFactory {
  const config = postgresConfig(url);
  const factory = new PrismaPg(config);
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => {
      const conn = forTheEngine(await factory.connect());
      opened.push(conn);
      return conn;
    },
    connectToShadowDb: async () => {
      const database = `prisma_migrate_shadow_db_${randomUUID().replace(/-/g, '')}`;
      await adminQuery(config, `CREATE DATABASE "${database}"`);
      const conn = forTheEngine(await new PrismaPg({ ...config, database }).connect());
      const dispose = conn.dispose.bind(conn);
      let disposed: Promise<void> | undefined;
      conn.dispose = () => (disposed ??= dispose().then(() => adminQuery(config, `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`)));
      opened.push(conn);
      return conn;
    },
  };
}

export interface EngineHandle {
  engine: SchemaEngine;
  /** Turns an engine failure into an Error with the driver's real message when there is one. */
  explain(err: unknown): Error;
  dispose(): Promise<void>;
}

/**
 * Opens the wasm schema engine on the database at `url` (an SQLite `file:…`, or PostgreSQL, where a
 * shadow database is created beside it when migrations are replayed).
 */
export async function openSchemaEngine(url: string, schemaPath: string, schemaText: string): Promise<EngineHandle> {
  gluePromise ??= loadGlue();
  const glue = await gluePromise;
  const opened: SqlDriverAdapter[] = [];
  const factory = providerOf(url) === 'sqlite' ? scriptAwareShadow(new PrismaBetterSqlite3({ url }), opened) : pgForTheEngine(url, opened);
  const adapter = bindMigrationAwareSqlAdapterFactory(factory);
  const log = (_line: string): void => undefined;
  const engine = await glue.SchemaEngine.new({ datamodels: [[schemaPath, schemaText]] }, log, adapter);
  const explain = (err: unknown): Error => {
    const id = (err as { id?: unknown } | null)?.id;
    const driverErr = typeof id === 'number' ? adapter.errorRegistry.consumeError(id)?.error : undefined;
    const base = err instanceof Error ? err : new Error(String(err));
    if (driverErr instanceof Error) return new Error(`${base.message}: ${driverErr.message}`, { cause: err });
    return base;
  };
  const dispose = async (): Promise<void> => {
    engine.free();
    await Promise.all(opened.splice(0).map((conn) => conn.dispose()));
  };
  return { engine, explain, dispose };
}
