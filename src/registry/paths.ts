// Where the project's files live, whether running from src/ (tsc output under dist/) or a clone.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Walks up from this module to the directory holding prisma/schema.prisma. */
function findProjectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'prisma', 'schema.prisma'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find prisma/schema.prisma above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

export const PROJECT_ROOT = findProjectRoot();
export const SCHEMA_PATH = join(PROJECT_ROOT, 'prisma', 'schema.prisma');
export const MIGRATIONS_DIR = join(PROJECT_ROOT, 'prisma', 'migrations');
/** This checkout's version (package.json): what a worker announces and the least a server accepts from one. */
export const SPIKELAB_VERSION: string = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
/** The server's database when neither --database-url nor DATABASE_URL names one. */
export const DEFAULT_DATABASE_URL = 'file:./spikelab.db';

/** `file:./x.db` / `file:/abs/x.db` / plain path → absolute file path (relative to the cwd). */
export function sqliteFilePath(databaseUrl: string): string {
  if (!databaseUrl.startsWith('file:')) {
    throw new Error(`DATABASE_URL "${databaseUrl}" is not supported: use file:<path> (an SQLite file)`);
  }
  const path = databaseUrl.slice('file:'.length).replace(/\?.*$/, '');
  if (path === '') throw new Error(`DATABASE_URL "${databaseUrl}" names no file`);
  return resolve(path);
}
