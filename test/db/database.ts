// The database a test suite runs on. Jest's `sqlite` project gives each suite SQLite files in its
// temporary directory; the `postgres` project (package.json) sets SPIKELAB_TEST_DATABASE and a
// throw-away cluster (pg-global-setup.ts), and each suite gets databases of its own in it, created
// and dropped synchronously with psql so the harnesses keep their synchronous shape.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { postgresConfig } from '../../src/registry/db.js';
import { sqliteFilePath } from '../../src/registry/paths.js';
import { providerOf, type Provider } from '../../src/registry/provider.js';
import { findPostgresBin } from '../../src/tools/pg-cluster.js';

/** Which database this test process runs on. */
export function testProvider(): Provider {
  return process.env.SPIKELAB_TEST_DATABASE === 'postgresql' ? 'postgresql' : 'sqlite';
}

/** The cluster's `postgres` database (set by pg-global-setup.ts), for administration. */
export function clusterUrl(): string {
  const url = process.env.SPIKELAB_TEST_PG_URL;
  if (!url) throw new Error('SPIKELAB_TEST_PG_URL is not set: the postgres project starts a cluster in its globalSetup (run the suite through jest)');
  return url;
}

function psql(url: string, command: string): string {
  const bin = findPostgresBin();
  if (!bin) throw new Error('psql not found');
  return execFileSync(join(bin, 'psql'), [url, '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-c', command], { encoding: 'utf8' });
}

/** A new, empty database: an SQLite file `name` in `dir`, or a fresh PostgreSQL database. */
export function newTestDatabase(dir: string, name = 'test.db'): string {
  if (testProvider() === 'sqlite') return `file:${join(dir, name)}`;
  const db = `t_${randomBytes(6).toString('hex')}`;
  psql(clusterUrl(), `CREATE DATABASE "${db}"`);
  return clusterUrl().replace(/\/[^/]*$/, `/${db}`);
}

/** Drops a PostgreSQL test database (even with connections left open); an SQLite file goes with its directory. */
export function dropTestDatabase(url: string): void {
  if (providerOf(url) !== 'postgresql') return;
  const name = new URL(url).pathname.slice(1);
  psql(clusterUrl(), `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}

/**
 * Runs SQL on a connection of its own (not the server's): `$1, $2 …` parameters on both databases.
 * Without parameters an SQLite string may hold several statements.
 */
export async function sql(url: string, text: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  if (providerOf(url) === 'sqlite') {
    const db = new Database(sqliteFilePath(url));
    try {
      if (params.length === 0 && !/^\s*(select|with)\b/i.test(text)) {
        db.exec(text);
        return [];
      }
      const stmt = db.prepare(text.replace(/\$(\d+)/g, '@p$1'));
      const args = params.length > 0 ? [Object.fromEntries(params.map((v, i) => [`p${i + 1}`, v]))] : [];
      return stmt.reader ? (stmt.all(...args) as Record<string, unknown>[]) : (stmt.run(...args), []);
    } finally {
      db.close();
    }
  }
  const client = new pg.Client(postgresConfig(url));
  await client.connect();
  try {
    return (await client.query(text, params)).rows as Record<string, unknown>[];
  } finally {
    await client.end();
  }
}
