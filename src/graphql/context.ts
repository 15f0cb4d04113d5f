// A fresh context per request (HTTP or WebSocket operation): who calls, a request id for logs,
// the registry services and per-request DataLoaders.
import { randomUUID } from 'node:crypto';
import DataLoader from 'dataloader';
import type { PubSub } from 'type-graphql';
import type { Model } from '../registry/models.js';
import type { Registry } from '../registry/registry.js';
import type { TokenRole } from '../registry/vocab.js';

/**
 * Who calls (src/graphql/token/auth.ts decides): `local` while no API token exists (the server then
 * listens on loopback only and lets every local caller in), else a token, else anonymous (refused).
 */
export type Caller = { kind: 'anonymous' } | { kind: 'local' } | { kind: 'token'; tokenId: number; name: string; role: TokenRole };

export interface Loaders {
  modelById: DataLoader<number, Model | null>;
  checkpointAliases: DataLoader<number, string[]>;
}

export interface Context {
  requestId: string;
  caller: Caller;
  registry: Registry;
  pubSub: PubSub;
  loaders: Loaders;
}

export function createContext(registry: Registry, pubSub: PubSub, requestId: string = randomUUID()): Context {
  return {
    requestId,
    caller: { kind: 'anonymous' },
    registry,
    pubSub,
    loaders: {
      modelById: new DataLoader((ids) => registry.models.getMany(ids)),
      checkpointAliases: new DataLoader((ids) => registry.checkpoints.aliasesOf(ids)),
    },
  };
}
