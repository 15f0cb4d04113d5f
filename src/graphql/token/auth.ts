// Access control. Once any API token exists, every request needs `Authorization: Bearer <secret>`
// (UNAUTHENTICATED without a valid one) and each root field needs a role: the role sits on the
// resolver as type-graphql's @Authorized(...) and `authChecker` enforces it where the field
// resolves, whatever the document's shape (fragments, inline fragments, aliases, @skip/@include,
// subscriptions). Before execution, `operationRefusal` reads the same roles for the root fields the
// operation would resolve, so a mixed operation is refused whole (nothing half-done) with 401/403.
// With no token the server is local-only: it listens on loopback (see listenHost) and lets every
// local caller in.
import type { ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  getDirectiveValues,
  getVariableValues,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { getMetadataStorage, type AuthCheckerFn } from 'type-graphql';
import type { TokenService } from '../../registry/tokens.js';
import { roleAllows, type TokenRole } from '../../registry/vocab.js';
import type { Caller, Context } from '../context.js';

function denied(code: 'UNAUTHENTICATED' | 'FORBIDDEN', message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status: code === 'UNAUTHENTICATED' ? 401 : 403 } } });
}

/**
 * Resolves `Authorization: Bearer <secret>` to a caller: `local` while no token exists and none is
 * sent; throws UNAUTHENTICATED for a malformed, unknown, revoked or expired token.
 */
export async function authenticate(tokens: TokenService, header: string | null | undefined): Promise<Caller> {
  if (!header) return (await tokens.anyActive()) ? { kind: 'anonymous' } : { kind: 'local' };
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m?.[1]) throw denied('UNAUTHENTICATED', 'Authorization header must be "Bearer <token>"');
  const token = await tokens.authenticate(m[1]);
  if (!token) throw denied('UNAUTHENTICATED', 'unknown, revoked or expired API token');
  return { kind: 'token', tokenId: token.id, name: token.name, role: token.role as TokenRole };
}

/** Why `caller` may not resolve `field` (which needs one of `roles`), or null when it may. */
export function refusal(caller: Caller, field: string, roles: readonly TokenRole[]): GraphQLError | null {
  switch (caller.kind) {
    case 'local':
      return null;
    case 'anonymous':
      return denied('UNAUTHENTICATED', `this server requires an API token (Authorization: Bearer <secret>); ${field} needs role ${roles.join(' or ')}`);
    case 'token':
      return roleAllows(caller.role, roles) ? null : denied('FORBIDDEN', `token "${caller.name}" has role ${caller.role}; ${field} needs ${roles.join(' or ')}`);
  }
}

/** type-graphql's auth checker: the enforcement where each @Authorized field resolves. */
export const authChecker: AuthCheckerFn<Context, TokenRole> = ({ context, info }, roles) => {
  const err = refusal(context.caller, `${info.parentType.name}.${info.fieldName}`, roles);
  if (err) throw err;
  return true;
};

export type RootKind = 'query' | 'mutation' | 'subscription';

/** Roles each root field needs, read from the @Authorized decorators of `resolvers`. */
export type RootRoles = ReadonlyMap<RootKind, ReadonlyMap<string, readonly TokenRole[]>>;

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- type-graphql's resolver class type
export function rootFieldRoles(resolvers: readonly Function[]): RootRoles {
  const storage = getMetadataStorage();
  const rolesOf = (target: Function, method: string): readonly TokenRole[] | undefined => // eslint-disable-line @typescript-eslint/no-unsafe-function-type
    (storage.authorizedFields.find((a) => a.target === target && a.fieldName === method)?.roles ?? storage.authorizedResolver.find((a) => a.target === target)?.roles) as TokenRole[] | undefined;
  const table = new Map<RootKind, Map<string, readonly TokenRole[]>>();
  const kinds: [RootKind, readonly { target: Function; methodName: string; schemaName: string }[]][] = [ // eslint-disable-line @typescript-eslint/no-unsafe-function-type
    ['query', storage.queries],
    ['mutation', storage.mutations],
    ['subscription', storage.subscriptions],
  ];
  for (const [kind, defs] of kinds) {
    const fields = new Map<string, readonly TokenRole[]>();
    for (const d of defs) {
      if (!resolvers.includes(d.target)) continue;
      const roles = rolesOf(d.target, d.methodName);
      if (roles && roles.length > 0) fields.set(d.schemaName, roles);
    }
    table.set(kind, fields);
  }
  return table;
}

/** Root fields an operation would resolve: fragments expanded, @skip/@include honoured. */
export function rootFields(op: OperationDefinitionNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>, variables: Record<string, unknown> | null): FieldNode[] {
  const out: FieldNode[] = [];
  const seen = new Set<string>();
  const included = (node: FieldNode | { directives?: FieldNode['directives'] }): boolean => {
    // Unknown variable values (coercion failed) count as included: more fields checked, never fewer.
    if (!variables) return true;
    const skip = getDirectiveValues(GraphQLSkipDirective, node, variables);
    if (skip?.if === true) return false;
    const include = getDirectiveValues(GraphQLIncludeDirective, node, variables);
    return include?.if !== false;
  };
  const walk = (set: SelectionSetNode): void => {
    for (const sel of set.selections) {
      if (!included(sel)) continue;
      if (sel.kind === Kind.FIELD) out.push(sel);
      else if (sel.kind === Kind.INLINE_FRAGMENT) walk(sel.selectionSet);
      else if (!seen.has(sel.name.value)) {
        seen.add(sel.name.value);
        const frag = fragments.get(sel.name.value);
        if (frag) walk(frag.selectionSet);
      }
    }
  };
  walk(op.selectionSet);
  return out;
}

/**
 * Checks every root field `op` would resolve against the caller, before execution: null when all
 * are allowed, else UNAUTHENTICATED / FORBIDDEN naming the first refused field. A root field
 * without @Authorized is treated as admin-only (a test asserts none exists).
 */
export function operationRefusal(schema: GraphQLSchema, roles: RootRoles, document: DocumentNode, op: OperationDefinitionNode, rawVariables: Record<string, unknown> | undefined, caller: Caller): GraphQLError | null {
  if (caller.kind === 'local') return null;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  const coerced = getVariableValues(schema, op.variableDefinitions ?? [], rawVariables ?? {});
  const table = roles.get(op.operation) ?? new Map<string, readonly TokenRole[]>();
  const fields = rootFields(op, fragments, 'coerced' in coerced ? (coerced.coerced ?? null) : null);
  if (caller.kind === 'anonymous') return refusal(caller, fields[0]?.name.value ?? 'every operation', ['reader']);
  for (const f of fields) {
    const name = f.name.value;
    if (name.startsWith('__')) continue; // __typename, __schema, __type: any authenticated caller
    const err = refusal(caller, `${op.operation} field ${name}`, table.get(name) ?? ['admin']);
    if (err) return err;
  }
  return null;
}

/** Apollo plugin: authenticates the request and refuses an operation the caller may not run. */
export function authPlugin(tokens: TokenService, roles: RootRoles): ApolloServerPlugin<Context> {
  return {
    requestDidStart({ request, contextValue }) {
      return Promise.resolve({
        async didResolveOperation({ operation, document, schema }) {
          contextValue.caller = await authenticate(tokens, request.http?.headers.get('authorization'));
          if (!operation) return;
          const err = operationRefusal(schema, roles, document, operation, request.variables, contextValue.caller);
          if (err) throw err;
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
