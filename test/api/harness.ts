// Test harness: a temporary directory per suite with its own database (an SQLite file in it, or a
// PostgreSQL database in jest's postgres project: test/db/database.ts) and model store, and a server
// on a free port talking to them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultDataRoots } from '../../src/data/files.js';
import type { Config } from '../../src/config.js';
import { type SpikelabServer, startServer } from '../../src/server.js';
import { dropTestDatabase, newTestDatabase } from '../db/database.js';

export interface TempDirs {
  dir: string;
  databaseUrl: string;
  storeDir: string;
  cleanup(): void;
}

export function makeTempDirs(prefix = 'spikelab-test-'): TempDirs {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const databaseUrl = newTestDatabase(dir);
  return {
    dir,
    databaseUrl,
    storeDir: join(dir, 'store'),
    cleanup: () => {
      dropTestDatabase(databaseUrl);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface GqlResponse {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- result shapes are pinned by the assertions
  data?: Record<string, any> | null;
  errors?: { message: string; path?: string[]; extensions: { code: string; field?: string; [k: string]: unknown } }[];
}

export interface TestServer {
  server: SpikelabServer;
  tmp: TempDirs;
  base: string;
  /** What the server logged (internal errors with their causes). */
  logged: unknown[][];
  gql(query: string, variables?: Record<string, unknown>): Promise<GqlResponse>;
  stop(): Promise<void>;
}

export async function startTestServer(): Promise<TestServer> {
  const tmp = makeTempDirs();
  // the temporary directory is a data root too: tests import checkpoints and data sets written there
  const config: Config = { port: 0, host: '127.0.0.1', databaseUrl: tmp.databaseUrl, storeDir: tmp.storeDir, backend: 'cpu', dataRoots: [...defaultDataRoots(tmp.storeDir), tmp.dir] };
  const logged: unknown[][] = [];
  const server = await startServer(config, { log: (...args) => logged.push(args) });
  const base = `http://127.0.0.1:${server.port}`;
  return {
    server,
    tmp,
    base,
    logged,
    async gql(query, variables) {
      const res = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as GqlResponse;
    },
    async stop() {
      await server.close();
      tmp.cleanup();
    },
  };
}

/** The code of the first error (fails the test if the response has no error). */
export function errorOf(res: GqlResponse): { code: string; field?: string; message: string } {
  const err = res.errors?.[0];
  if (!err) throw new Error(`expected an error, got ${JSON.stringify(res)}`);
  return { code: err.extensions.code, field: err.extensions.field, message: err.message };
}

/** One field of each item of a list from a GraphQL result. */
export function pluck<K extends string>(items: unknown, key: K): unknown[] {
  return (items as Record<K, unknown>[]).map((item) => item[key]);
}
