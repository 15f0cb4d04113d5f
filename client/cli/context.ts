// Global options every client command shares: where the server is and who we are.
import type { Command } from 'commander';
import { SpikelabClient } from '../api/client.js';

export const DEFAULT_SERVER = 'http://127.0.0.1:4000';

export interface GlobalOptions {
  server?: string;
  token?: string;
}

/** --server / SPIKELAB_URL, --token / SPIKELAB_TOKEN (flags win). */
export function clientFor(cmd: Command): SpikelabClient {
  const g = cmd.optsWithGlobals<GlobalOptions>();
  const url = g.server ?? process.env.SPIKELAB_URL ?? DEFAULT_SERVER;
  const token = g.token ?? process.env.SPIKELAB_TOKEN;
  return new SpikelabClient({ url, ...(token ? { token } : {}) });
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
