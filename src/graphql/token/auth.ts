// Access control. Once any API token exists, every operation needs `Authorization: Bearer <secret>`:
// reader for queries and subscriptions, writer for mutations, admin for token management
// (UNAUTHENTICATED without a valid token, FORBIDDEN with too weak a role). With no token the server
// is local-only: it listens on loopback (see listenHost) and lets every local caller in.
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, OperationTypeNode, type OperationDefinitionNode } from 'graphql';
import type { TokenService } from '../../registry/tokens.js';
import { roleAllows } from '../../registry/tokens.js';
import type { TokenRole } from '../../registry/vocab.js';
import type { Caller, Context } from '../context.js';

const ADMIN_FIELDS = new Set(['createApiToken', 'revokeApiToken', 'apiTokens']);

function neededRole(op: OperationDefinitionNode): TokenRole {
  const fields = op.selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : []));
  if (fields.some((f) => ADMIN_FIELDS.has(f))) return 'admin';
  return op.operation === OperationTypeNode.MUTATION ? 'writer' : 'reader';
}

function denied(code: 'UNAUTHENTICATED' | 'FORBIDDEN', message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status: code === 'UNAUTHENTICATED' ? 401 : 403 } } });
}

/** Resolves `Authorization: Bearer <secret>` to a caller; throws UNAUTHENTICATED for a bad token. */
export async function callerFromHeader(tokens: TokenService, header: string | null | undefined): Promise<Caller> {
  if (!header) return { kind: 'anonymous' };
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m?.[1]) throw denied('UNAUTHENTICATED', 'Authorization header must be "Bearer <token>"');
  const token = await tokens.authenticate(m[1]);
  if (!token) throw denied('UNAUTHENTICATED', 'unknown, revoked or expired API token');
  return { kind: 'token', tokenId: token.id, name: token.name, role: token.role as TokenRole };
}

/** Checks one operation; throws UNAUTHENTICATED / FORBIDDEN. */
export async function authorize(tokens: TokenService, caller: Caller, op: OperationDefinitionNode): Promise<void> {
  if (!(await tokens.anyActive())) return;
  const needed = neededRole(op);
  if (caller.kind === 'anonymous') throw denied('UNAUTHENTICATED', `this server requires an API token (Authorization: Bearer <secret>) with role ${needed} or higher`);
  if (!roleAllows(caller.role, needed)) throw denied('FORBIDDEN', `token "${caller.name}" has role ${caller.role}; this operation needs ${needed}`);
}

/** Apollo plugin: authenticates the request and authorises its operation before execution. */
export function authPlugin(tokens: TokenService): ApolloServerPlugin<Context> {
  return {
    requestDidStart({ request, contextValue }) {
      return Promise.resolve({
        async didResolveOperation({ operation }) {
          contextValue.caller = await callerFromHeader(tokens, request.http?.headers.get('authorization'));
          if (operation) await authorize(tokens, contextValue.caller, operation);
        },
      });
    },
  };
}

/** With no API token, bind to loopback whatever HOST says (and say so). */
export async function listenHost(tokens: TokenService, requested: string, log: (msg: string) => void): Promise<string> {
  if (await tokens.anyActive()) return requested;
  const loopback = requested === '127.0.0.1' || requested === '::1' || requested === 'localhost';
  if (!loopback) log(`no API token configured: listening on 127.0.0.1 only (not ${requested}); create one with \`npx spikelab token create <name> --role <role>\` to serve other hosts`);
  else log('no API token configured: local access only, no authentication');
  return loopback ? requested : '127.0.0.1';
}
