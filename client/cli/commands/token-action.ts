// The work behind `spikelab token …`: the registry's TokenService on the server's database (lazy
// imports: the only client command besides `serve` that runs server code).
import { existsSync } from 'node:fs';
import { printJson } from '../output.js';
import type { TokenOptions } from './token.js';

function sqliteFileExists(url: string): boolean {
  if (!url.startsWith('file:')) return false;
  return existsSync(url.slice('file:'.length).replace(/\?.*$/, ''));
}

export async function runTokenCreate(name: string, opts: TokenOptions): Promise<void> {
  const [{ loadConfig }, { openRegistry }, { TokenService }] = await Promise.all([
    import('../../../src/config.js'),
    import('../../../src/registry/registry.js'),
    import('../../../src/registry/tokens.js'),
  ]);
  const config = loadConfig(opts.databaseUrl ? ['--database-url', opts.databaseUrl] : [], process.env);
  // migrate only a database that does not exist yet (bootstrapping before the first `serve`): the
  // migration check cannot share an SQLite file with a running server
  const registry = await openRegistry({ databaseUrl: config.databaseUrl, storeDir: config.storeDir, migrate: !sqliteFileExists(config.databaseUrl) });
  try {
    const { token, secret } = await new TokenService(registry.prisma).create(name, opts.role);
    if (opts.json) return printJson({ id: String(token.id), name: token.name, role: token.role, secret });
    console.log(`created ${token.role} token ${token.id} "${token.name}"; its secret (shown only now):`);
    console.log(secret);
    console.log('use it with --token <secret> or SPIKELAB_TOKEN=<secret>');
  } finally {
    await registry.close();
  }
}
