// The work behind `spikelab token …`: wraps the server's token administration (src/cli-token.ts,
// TokenService) on the server's database. Server code is imported lazily: the only client commands
// that run it are this one and `serve`.
import { printJson } from '../output.js';
import type { TokenOptions } from './token.js';

async function databaseUrl(opts: { databaseUrl?: string }): Promise<string> {
  const { databaseUrlFromEnv } = await import('../../../src/registry/db.js');
  return opts.databaseUrl ?? databaseUrlFromEnv();
}

export async function runTokenCreate(name: string, opts: TokenOptions): Promise<void> {
  const { createApiToken } = await import('../../../src/cli-token.js');
  const { id, secret } = await createApiToken(await databaseUrl(opts), name, opts.role);
  if (opts.json) return printJson({ id: String(id), name, role: opts.role, secret });
  console.log(`created ${opts.role} token ${id} "${name}"; its secret (shown only now):`);
  console.log(secret);
  console.log('use it with --token <secret> or SPIKELAB_TOKEN=<secret>');
}

/** list (revoke = undefined) or revoke one token, on an existing database. */
export async function runTokenAdmin(opts: { databaseUrl?: string; json?: boolean }, revoke?: string): Promise<void> {
  const [{ createPrismaClient }, { TokenService }, { formatTable }] = await Promise.all([
    import('../../../src/registry/db.js'),
    import('../../../src/registry/tokens.js'),
    import('../output.js'),
  ]);
  const prisma = createPrismaClient(await databaseUrl(opts));
  try {
    const tokens = new TokenService(prisma);
    if (revoke !== undefined) {
      const t = await tokens.revoke(Number(revoke));
      console.log(`token ${t.id} "${t.name}" revoked`);
      return;
    }
    const list = await tokens.list();
    const rows = list.map((t) => ({ id: t.id, name: t.name, role: t.role, state: t.revokedAt ? 'revoked' : 'active', lastUsed: t.lastUsedAt?.toISOString() ?? null }));
    if (opts.json) return printJson(rows);
    console.log(formatTable(['id', 'name', 'role', 'state', 'last used'], rows.map((r) => [r.id, r.name, r.role, r.state, r.lastUsed])));
  } finally {
    await prisma.$disconnect();
  }
}
