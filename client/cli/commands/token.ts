// `spikelab token create|list|revoke`: API tokens, written straight into the registry's database
// (this bootstraps the first admin token, so it cannot need one). Server code is imported lazily.
import { type Command, Option } from 'commander';
import { TOKEN_ROLES } from '../../../src/registry/vocab.js';
import { int } from '../parse.js';

export interface TokenOptions {
  databaseUrl?: string;
  role: string;
  json?: boolean;
}

export function registerToken(program: Command): void {
  const token = program.command('token').description('manage API tokens (on the server machine: talks to the database directly)');
  token
    .command('create')
    .description('create an API token and print its secret (shown once)')
    .argument('<name>', 'who or what the token is for')
    .addOption(new Option('--role <role>', 'reader: queries; writer: + mutations; admin: + tokens; worker: remote job workers').choices(TOKEN_ROLES).default('reader'))
    .option('--database-url <url>', 'database (env DATABASE_URL, default the server\'s default SQLite file)')
    .option('--json', 'print JSON')
    .action(async (name: string, opts: TokenOptions) => {
      const { runTokenCreate } = await import('./token-action.js');
      await runTokenCreate(name, opts);
    });
  token
    .command('list')
    .description('list API tokens (never their secrets)')
    .option('--database-url <url>', 'database (env DATABASE_URL)')
    .option('--json', 'print JSON')
    .action(async (opts: { databaseUrl?: string; json?: boolean }) => {
      const { runTokenAdmin } = await import('./token-action.js');
      await runTokenAdmin(opts);
    });
  token
    .command('revoke')
    .description('revoke an API token')
    .argument('<id>', 'token id (see token list)', int(1))
    .option('--database-url <url>', 'database (env DATABASE_URL)')
    .action(async (id: number, opts: { databaseUrl?: string }) => {
      const { runTokenAdmin } = await import('./token-action.js');
      await runTokenAdmin(opts, String(id));
    });
}
