// Global options every client command shares: where the server is and who we are.
import { type Command, InvalidArgumentError, Option } from 'commander';
import { SpikelabClient } from '../api/client.js';

export const DEFAULT_SERVER = 'http://127.0.0.1:4000';

export interface GlobalOptions {
  server: string;
  token?: string;
}

/** A parser that reads an empty value (e.g. `SPIKELAB_URL=` in the environment) as "not given". */
export function orDefault<T extends string | undefined>(fallback: T): (value: string) => string | T {
  return (value) => (value.trim() === '' ? fallback : value);
}

function serverUrl(value: string): string {
  const url = orDefault(DEFAULT_SERVER)(value);
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw new InvalidArgumentError(`expected an http(s) URL, got "${value}"`);
  }
  if (protocol !== 'http:' && protocol !== 'https:') throw new InvalidArgumentError(`expected an http(s) URL, got "${value}"`);
  return url;
}

/** --server (env SPIKELAB_URL) and --token (env SPIKELAB_TOKEN): flags win over the environment. */
export function addGlobalOptions(program: Command): Command {
  return program
    .addOption(new Option('--server <url>', 'server URL').env('SPIKELAB_URL').default(DEFAULT_SERVER).argParser(serverUrl))
    .addOption(new Option('--token <secret>', 'API token').env('SPIKELAB_TOKEN').argParser(orDefault(undefined)));
}

export function clientFor(cmd: Command): SpikelabClient {
  const { server, token } = cmd.optsWithGlobals<GlobalOptions>();
  return new SpikelabClient({ url: server, ...(token ? { token } : {}) });
}

/** Runs `fn` with a client and always closes its connections (a stray WebSocket would keep the process alive). */
export async function withClient<T>(cmd: Command, fn: (client: SpikelabClient) => Promise<T>): Promise<T> {
  const client = clientFor(cmd);
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}
