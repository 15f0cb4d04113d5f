// npm run db:migrate             → apply pending migrations to DATABASE_URL (SQLite or PostgreSQL)
// npm run db:migration -- <name> → from prisma/schema.prisma changes, write the migration <ts>_<name>
//   to both histories (prisma/migrations and prisma/postgresql/migrations) and rewrite
//   prisma/postgresql/schema.prisma. PostgreSQL's migration is diffed on a throw-away cluster
//   (src/tools/pg-cluster.ts), or on MIGRATION_POSTGRES_URL when given.
import { relative } from 'node:path';
import { databaseUrlFromEnv } from '../registry/db.js';
import { applyPendingMigrations, createMigration } from '../registry/migrate.js';
import { redactUrl } from '../registry/provider.js';
import { postgresUnavailableReason, startPgCluster } from './pg-cluster.js';

async function create(name: string): Promise<string[]> {
  const given = process.env.MIGRATION_POSTGRES_URL?.trim();
  if (given) return createMigration(name, { postgresUrl: given });
  const unavailable = postgresUnavailableReason();
  if (unavailable) throw new Error(`${unavailable}: PostgreSQL's migration history cannot be written without it (or set MIGRATION_POSTGRES_URL to a database whose server lets you create databases). Nothing was written.`);
  const cluster = await startPgCluster();
  try {
    return await createMigration(name, { postgresUrl: cluster.url() });
  } finally {
    await cluster.stop();
  }
}

async function main(argv: string[]): Promise<void> {
  const [command, name] = argv;
  if (command === 'deploy') {
    const url = databaseUrlFromEnv();
    const applied = await applyPendingMigrations(url);
    console.log(applied.length ? `applied ${applied.join(', ')} to ${redactUrl(url)}` : `${redactUrl(url)} is up to date`);
  } else if (command === 'create') {
    if (!name) throw new Error('usage: npm run db:migration -- <name>');
    const dirs = await create(name);
    if (dirs.length === 0) console.log('schema.prisma has no changes: no migration created');
    for (const dir of dirs) console.log(`created ${relative(process.cwd(), dir)}/migration.sql`);
    if (dirs.length > 0) console.log('then: npm run db:generate (both Prisma clients)');
  } else {
    throw new Error('usage: migrate-cli deploy | create <name>');
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
