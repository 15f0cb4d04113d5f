// Configuration from flags (highest priority), then environment variables, then defaults. Light on
// purpose (no database client): the CLI derives `spikelab serve`'s options from CONFIG_SOURCES.
import { parseArgs } from 'node:util';
import { type FileAccessError } from './data/errors.js';
import { parseDataRoots } from './data/files.js';
import { BACKENDS, type BackendName } from './formats/index.js';
import { InvalidInputError } from './registry/errors.js';
import { DEFAULT_DATABASE_URL } from './registry/paths.js';

export { BACKENDS };

export interface Config {
  port: number;
  host: string;
  databaseUrl: string;
  storeDir: string;
  backend: BackendName;
  /** Where server-side paths may point; absent: defaultDataRoots(storeDir) (working directory, store, /usr/share/datasets). */
  dataRoots?: string[];
  /** redis://…: jobs go to the BullMQ queue for remote workers and events go through Redis; absent: in-process runner and events. */
  queueUrl?: string;
}

/** Flag → environment variable → default, documented in the README's configuration table. */
export const CONFIG_SOURCES = {
  port: { flag: '--port', env: 'PORT', default: '4000' },
  host: { flag: '--host', env: 'HOST', default: '0.0.0.0' },
  databaseUrl: { flag: '--database-url', env: 'DATABASE_URL', default: DEFAULT_DATABASE_URL },
  storeDir: { flag: '--store', env: 'SPIKELAB_STORE', default: './models-store' },
  backend: { flag: '--backend', env: 'SPIKELAB_BACKEND', default: 'auto' },
  dataRoots: { flag: '--data-roots', env: 'SPIKELAB_DATA_ROOTS', default: '' },
  queueUrl: { flag: '--queue', env: 'SPIKELAB_QUEUE', default: '' },
} as const;

export function loadConfig(argv: string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): Config {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'database-url': { type: 'string' },
      store: { type: 'string' },
      backend: { type: 'string' },
      'data-roots': { type: 'string' },
      queue: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const pick = (flagValue: string | undefined, key: keyof typeof CONFIG_SOURCES): string => {
    const src = CONFIG_SOURCES[key];
    return flagValue?.trim() || env[src.env]?.trim() || src.default;
  };
  const portText = pick(values.port, 'port');
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new InvalidInputError('port', `"${portText}" is not a TCP port (0..65535)`);
  const backend = pick(values.backend, 'backend');
  if (!(BACKENDS as readonly string[]).includes(backend)) throw new InvalidInputError('backend', `must be one of ${BACKENDS.join(', ')}`);
  const rootsText = pick(values['data-roots'], 'dataRoots');
  let dataRoots: string[] | undefined;
  try {
    dataRoots = rootsText ? parseDataRoots(rootsText) : undefined;
  } catch (err) {
    throw new InvalidInputError('dataRoots', (err as FileAccessError).message);
  }
  const queueUrl = pick(values.queue, 'queueUrl');
  if (queueUrl && !/^rediss?:\/\//.test(queueUrl)) throw new InvalidInputError('queue', `"${queueUrl}" is not a redis:// URL`);
  return {
    port,
    host: pick(values.host, 'host'),
    databaseUrl: pick(values['database-url'], 'databaseUrl'),
    storeDir: pick(values.store, 'storeDir'),
    backend: backend as BackendName,
    ...(dataRoots && { dataRoots }),
    ...(queueUrl && { queueUrl }),
  };
}
