// `spikelab serve`: starts the server (GraphQL, subscriptions, dashboard) in this process. Its
// options are the server's configuration table (src/config.ts: flag, environment variable,
// default); the server code itself is imported only when the command runs.
import { type Command, Option } from 'commander';
import { BACKENDS, CONFIG_SOURCES, loadConfig, type Config } from '../../../src/config.js';

const HELP: Record<keyof typeof CONFIG_SOURCES, string> = {
  port: 'TCP port (0 = any free port)',
  host: 'interface to bind',
  databaseUrl: 'database',
  storeDir: 'model store directory',
  backend: `compute backend: ${BACKENDS.join(' | ')}`,
  dataRoots: 'directories server-side paths may point into (colon-separated, absolute; default: working directory, model store, /usr/share/datasets)',
  queueUrl: 'redis://host:port: jobs go to remote workers through this Redis (BullMQ), events across replicas (default: in-process runner)',
};

export function registerServe(program: Command): void {
  const cmd = program
    .command('serve')
    .description('start the Spikelab server: GraphQL + subscriptions on /graphql, dashboard on /');
  const flags = (Object.keys(CONFIG_SOURCES) as (keyof typeof CONFIG_SOURCES)[]).map((key) => {
    const src = CONFIG_SOURCES[key];
    const option = new Option(`${src.flag} <value>`, HELP[key]).env(src.env).default(src.default);
    cmd.addOption(option);
    return [src.flag, option.attributeName()] as const;
  });
  cmd.action(async (opts: Record<string, string>) => {
    // commander resolved flag > environment > default; the server's loader validates the values
    let config: Config;
    try {
      config = loadConfig(flags.flatMap(([flag, attribute]) => [flag, opts[attribute] ?? '']), {});
    } catch (err) {
      return cmd.error(`error: ${(err as Error).message}`, { exitCode: 2, code: 'spikelab.config' });
    }
    const { serveUntilSignal } = await import('../../../src/server.js');
    await serveUntilSignal(config);
  });
}
