// `spikelab token create|list|revoke`: API tokens, on the server's machine, straight in its
// database (src/registry/token-admin.ts; it bootstraps the first admin token, so it cannot need
// one). The only token administration path; server code is imported only when a command runs.
import { type Command, Option } from 'commander';
import { CONFIG_SOURCES } from '../../../src/config.js';
import type { TokenService } from '../../../src/registry/tokens.js';
import { TOKEN_ROLES, type TokenRole } from '../../../src/registry/vocab.js';
import { orDefault } from '../context.js';
import { formatTable, printJson } from '../output.js';
import { int } from '../parse.js';

interface DatabaseOptions {
  databaseUrl: string;
  json?: boolean;
}

const { databaseUrl } = CONFIG_SOURCES;
const databaseOption = (): Option =>
  new Option(`${databaseUrl.flag} <url>`, "the server's database").env(databaseUrl.env).default(databaseUrl.default).argParser(orDefault(databaseUrl.default));

async function withTokens<T>(databaseUrl: string, createIfNew: boolean, fn: (tokens: TokenService) => Promise<T>): Promise<T> {
  const { openTokenAdmin } = await import('../../../src/registry/token-admin.js');
  const admin = await openTokenAdmin(databaseUrl, { createIfNew });
  try {
    return await fn(admin.tokens);
  } finally {
    await admin.close();
  }
}

export function registerToken(program: Command): void {
  const token = program.command('token').description('manage API tokens (on the server machine: talks to its database directly)');
  token
    .command('create')
    .description('create an API token and print its secret (shown once); a new database is created with the schema first')
    .argument('<name>', 'who or what the token is for')
    .addOption(new Option('--role <role>', 'what the token may do (README, "Access")').choices(TOKEN_ROLES).default('reader'))
    .addOption(databaseOption())
    .option('--json', 'print JSON: id, name, role, secret')
    .action(async (name: string, opts: DatabaseOptions & { role: TokenRole }) => {
      const { token: t, secret } = await withTokens(opts.databaseUrl, true, (tokens) => tokens.create(name, opts.role));
      if (opts.json) return printJson({ id: String(t.id), name: t.name, role: t.role, secret });
      console.log(`created ${t.role} token ${t.id} "${t.name}"; its secret (shown only now):`);
      console.log(secret);
      console.log('use it with --token <secret> or SPIKELAB_TOKEN=<secret>');
    });
  token
    .command('list')
    .description('list API tokens (never their secrets)')
    .addOption(databaseOption())
    .option('--json', 'print JSON')
    .action(async (opts: DatabaseOptions) => {
      const list = await withTokens(opts.databaseUrl, false, (tokens) => tokens.list());
      const rows = list.map((t) => ({ id: t.id, name: t.name, role: t.role, state: t.revokedAt ? 'revoked' : 'active', lastUsed: t.lastUsedAt?.toISOString() ?? null }));
      if (opts.json) return printJson(rows);
      console.log(formatTable(['id', 'name', 'role', 'state', 'last used'], rows.map((r) => [r.id, r.name, r.role, r.state, r.lastUsed])));
    });
  token
    .command('revoke')
    .description('revoke an API token')
    .argument('<id>', 'token id (see token list)', int(1))
    .addOption(databaseOption())
    .action(async (id: number, opts: DatabaseOptions) => {
      const t = await withTokens(opts.databaseUrl, false, (tokens) => tokens.revoke(id));
      console.log(`token ${t.id} "${t.name}" revoked`);
    });
}
