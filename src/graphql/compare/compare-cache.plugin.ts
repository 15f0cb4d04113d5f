// Full-response cache for `compare`-only queries: a dashboard that polls the matrix gets the last
// result without re-executing thousands of fields, for as long as nothing was committed to the
// database (PRAGMA data_version of the read connection unchanged). Access control still runs
// first (didResolveOperation); results with errors are never kept.
import type { ApolloServerPlugin, GraphQLRequestContextResponseForOperation } from '@apollo/server';
import { Kind, OperationTypeNode, type FormattedExecutionResult, type OperationDefinitionNode } from 'graphql';
import type { Context } from '../context.js';

const MAX_ENTRIES = 32;

function cacheable(op: OperationDefinitionNode | undefined): boolean {
  return op?.operation === OperationTypeNode.QUERY && op.selectionSet.selections.every((s) => s.kind === Kind.FIELD && s.name.value === 'compare');
}

function keyOf(rc: GraphQLRequestContextResponseForOperation<Context>): string {
  return JSON.stringify([rc.queryHash, rc.operationName ?? null, rc.request.variables ?? null]);
}

export function compareResponseCache(dataVersion: () => number): ApolloServerPlugin<Context> {
  let cache = { version: -1, entries: new Map<string, FormattedExecutionResult>() };
  return {
    requestDidStart() {
      let pending: { key: string; version: number } | null = null;
      return Promise.resolve({
        responseForOperation(rc) {
          if (!cacheable(rc.operation)) return Promise.resolve(null);
          const version = dataVersion();
          if (version !== cache.version) cache = { version, entries: new Map() };
          const key = keyOf(rc);
          const hit = cache.entries.get(key);
          if (hit) return Promise.resolve({ http: rc.response.http, body: { kind: 'single', singleResult: hit } });
          pending = { key, version };
          return Promise.resolve(null);
        },
        willSendResponse(rc) {
          const body = rc.response.body;
          if (pending && pending.version === cache.version && body.kind === 'single' && !body.singleResult.errors) {
            if (cache.entries.size >= MAX_ENTRIES) cache.entries.clear();
            cache.entries.set(pending.key, body.singleResult);
          }
          return Promise.resolve();
        },
      });
    },
  };
}
