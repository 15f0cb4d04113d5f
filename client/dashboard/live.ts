// Live updates over graphql-ws (the UMD bundle served from node_modules): jobProgress for every
// queued or running job, and stepMetrics for a running conversion. Polling stays as the fallback.
import type { Operation } from '../api/transport.js';
import { savedToken } from './gql.js';

interface WsSink {
  next(value: { data?: unknown; errors?: unknown[] }): void;
  error(err: unknown): void;
  complete(): void;
}
interface WsClient {
  subscribe(payload: { query: string; variables?: Record<string, unknown> }, sink: WsSink): () => void;
}
interface GraphqlWsGlobal {
  createClient(opts: { url: string; lazy?: boolean; connectionParams?: () => Record<string, unknown>; retryAttempts?: number }): WsClient;
}
declare global {
  interface Window {
    graphqlWs?: GraphqlWsGlobal;
  }
}

let client: WsClient | null | undefined;

function wsClient(): WsClient | null {
  if (client !== undefined) return client;
  const lib = window.graphqlWs;
  if (!lib) return (client = null);
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
  client = lib.createClient({
    url,
    lazy: true,
    retryAttempts: 5,
    connectionParams: () => {
      const token = savedToken();
      return token ? { authorization: `Bearer ${token}` } : {};
    },
  });
  return client;
}

const active = new Map<string, () => void>();

/** Subscribes once per key; `onData` gets each payload; the subscription ends itself on complete/error. */
export function follow<R, V>(key: string, doc: Operation<R, V>, variables: V, onData: (data: R) => void): boolean {
  if (active.has(key)) return true;
  const ws = wsClient();
  if (!ws) return false;
  const stop = ws.subscribe(
    { query: doc.toString(), variables: variables as Record<string, unknown> },
    {
      next: (msg) => {
        if (msg.data) onData(msg.data as R);
      },
      error: () => active.delete(key),
      complete: () => active.delete(key),
    },
  );
  active.set(key, stop);
  return true;
}

/** Number of live subscriptions (shown in the header). */
export function liveCount(): number {
  return active.size;
}
