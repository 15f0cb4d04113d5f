// `spikelab serve`: starts the server (GraphQL, subscriptions, dashboard) in this process. The
// server code is imported lazily: every other command stays a pure client.
import { type Command } from 'commander';

interface ServeOptions {
  port?: string;
  host?: string;
  databaseUrl?: string;
  store?: string;
  backend?: string;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('start the Spikelab server: GraphQL + subscriptions on /graphql, dashboard on /')
    .option('--port <port>', 'TCP port (env PORT, default 4000; 0 = any free port)')
    .option('--host <host>', 'interface to bind (env HOST, default 0.0.0.0)')
    .option('--database-url <url>', 'database (env DATABASE_URL, default an SQLite file)')
    .option('--store <dir>', 'model store directory (env SPIKELAB_STORE, default ./models-store)')
    .option('--backend <name>', 'compute backend: auto | tensorflow | webgpu | wasm | cpu (env SPIKELAB_BACKEND)')
    .action(async (opts: ServeOptions) => {
      const argv: string[] = [];
      if (opts.port !== undefined) argv.push('--port', opts.port);
      if (opts.host !== undefined) argv.push('--host', opts.host);
      if (opts.databaseUrl !== undefined) argv.push('--database-url', opts.databaseUrl);
      if (opts.store !== undefined) argv.push('--store', opts.store);
      if (opts.backend !== undefined) argv.push('--backend', opts.backend);
      const [{ loadConfig }, { serveUntilSignal }] = await Promise.all([import('../../../src/config.js'), import('../../../src/server.js')]);
      await serveUntilSignal(loadConfig(argv, process.env));
    });
}
