// Loads Prisma's schema engine compiled to WebAssembly and connects it to SQLite through the
// better-sqlite3 driver adapter, so migrations run without the native engine (notes/offline-prisma.md).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
  type SqlQuery,
} from '@prisma/driver-adapter-utils';
import type { SchemaEngine } from '@prisma/schema-engine-wasm';
import type * as EngineGlue from '@prisma/schema-engine-wasm/schema_engine_bg';

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

export interface EngineHandle {
  engine: SchemaEngine;
  /** Turns an engine failure into an Error with the driver's real message when there is one. */
  explain(err: unknown): Error;
  dispose(): Promise<void>;
}

/** Opens the wasm schema engine on the SQLite file at `url` (`file:…`). */
export async function openSchemaEngine(url: string, schemaPath: string, schemaText: string): Promise<EngineHandle> {
  gluePromise ??= loadGlue();
  const glue = await gluePromise;
  const opened: SqlDriverAdapter[] = [];
  const adapter = bindMigrationAwareSqlAdapterFactory(scriptAwareShadow(new PrismaBetterSqlite3({ url }), opened));
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
