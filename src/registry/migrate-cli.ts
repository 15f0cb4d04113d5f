// npm run db:migrate            → apply pending migrations to DATABASE_URL
// npm run db:migration -- <name> → create prisma/migrations/<ts>_<name>/ from schema.prisma changes
import { relative } from 'node:path';
import { databaseUrlFromEnv } from './db.js';
import { applyPendingMigrations, createMigration } from './migrate.js';

async function main(argv: string[]): Promise<void> {
  const [command, name] = argv;
  if (command === 'deploy') {
    const url = databaseUrlFromEnv();
    const applied = await applyPendingMigrations(url);
    console.log(applied.length ? `applied ${applied.join(', ')} to ${url}` : `${url} is up to date`);
  } else if (command === 'create') {
    if (!name) throw new Error('usage: npm run db:migration -- <name>');
    const dir = await createMigration(name);
    console.log(dir ? `created ${relative(process.cwd(), dir)}/migration.sql` : 'schema.prisma has no changes: no migration created');
  } else {
    throw new Error('usage: migrate-cli deploy | create <name>');
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
