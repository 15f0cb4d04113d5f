// API token administration on the server's machine (the CLI wraps it as `spikelab token ...`):
//   node dist/src/cli-token.js create <name> <reader|writer|admin>   → prints the secret once
//   node dist/src/cli-token.js list
//   node dist/src/cli-token.js revoke <id>
// Uses DATABASE_URL (or --database-url), like the server.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { sqliteFilePath } from './registry/paths.js';
import { databaseUrlFromEnv } from './registry/db.js';
import { createPrismaClient } from './registry/db.js';
import { applyPendingMigrations } from './registry/migrate.js';
import { TokenService } from './registry/tokens.js';

/** A database that has no schema yet gets it; one a server has open is left to that server. */
async function migrateIfNew(databaseUrl: string): Promise<void> {
  const path = sqliteFilePath(databaseUrl);
  if (existsSync(path)) {
    const db = new Database(path, { readonly: true });
    try {
      if (db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ApiToken'").get()) return;
    } finally {
      db.close();
    }
  }
  await applyPendingMigrations(databaseUrl);
}

/** Creates a token in the database at `databaseUrl`; returns the secret (shown once). */
export async function createApiToken(databaseUrl: string, name: string, role: string): Promise<{ id: number; secret: string }> {
  await migrateIfNew(databaseUrl);
  const prisma = createPrismaClient(databaseUrl);
  try {
    const { token, secret } = await new TokenService(prisma).create(name, role);
    return { id: token.id, secret };
  } finally {
    await prisma.$disconnect();
  }
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ options: { 'database-url': { type: 'string' } }, allowPositionals: true });
  const url = values['database-url'] ?? databaseUrlFromEnv();
  const [cmd, ...rest] = positionals;
  if (cmd === 'create' && rest[0]) {
    const { id, secret } = await createApiToken(url, rest[0], rest[1] ?? 'reader');
    console.error(`token ${id} "${rest[0]}" (${rest[1] ?? 'reader'}) created; the secret is shown only now:`);
    console.log(secret);
    return;
  }
  await migrateIfNew(url);
  const prisma = createPrismaClient(url);
  try {
    const tokens = new TokenService(prisma);
    if (cmd === 'list') {
      for (const t of await tokens.list()) console.log(`${t.id}\t${t.name}\t${t.role}\t${t.revokedAt ? 'revoked' : 'active'}\tlast used ${t.lastUsedAt?.toISOString() ?? 'never'}`);
    } else if (cmd === 'revoke' && rest[0]) {
      const t = await tokens.revoke(Number(rest[0]));
      console.log(`token ${t.id} "${t.name}" revoked`);
    } else {
      console.error('usage: cli-token.js create <name> <reader|writer|admin> | list | revoke <id>  [--database-url file:...]');
      process.exitCode = 2;
    }
  } finally {
    await prisma.$disconnect();
  }
}

if (process.argv[1]?.endsWith('cli-token.js')) {
  main().catch((err: unknown) => {
    console.error(`cli-token: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
