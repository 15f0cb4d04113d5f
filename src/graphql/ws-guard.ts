// graphql-ws's onSubscribe hook: every operation sent over the WebSocket is parsed with the token
// cap, validated with the same limits as HTTP, authenticated (connection param or upgrade header
// `authorization`) and checked against the roles of the root fields it would resolve. It returns the
// execution arguments (so graphql-ws does not parse or validate again) with a context that carries
// the caller, for @Authorized to check once more where each field resolves.
import { GraphQLError, getOperationAST, parse, specifiedRules, validate, type DocumentNode, type ExecutionArgs, type GraphQLSchema } from 'graphql';
import type { Context as WsContext, SubscribePayload } from 'graphql-ws';
import type { TokenService } from '../registry/tokens.js';
import type { Context } from './context.js';
import { OPERATION_LIMITS, limitedParseOptions, operationLimitsRule, type OperationLimits } from './limits.js';
import { authenticate, operationRefusal, type RootRoles } from './token/auth.js';

export interface WsGuardOptions {
  schema: GraphQLSchema;
  tokens: TokenService;
  roles: RootRoles;
  /** A fresh request context (its caller is set here). */
  makeContext(): Context;
  limits?: Readonly<OperationLimits>;
}

type Ctx = WsContext<Record<string, unknown> | undefined, { request?: { headers: Record<string, string | string[] | undefined> } }>;

function coded(err: GraphQLError, code: string): GraphQLError {
  return new GraphQLError(err.message, { nodes: err.nodes ?? null, source: err.source ?? null, positions: err.positions ?? null, extensions: { ...err.extensions, code } });
}

function authorizationOf(ctx: Ctx): string | null {
  const fromParams = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
  if (typeof fromParams === 'string') return fromParams;
  const header = ctx.extra.request?.headers.authorization;
  return typeof header === 'string' ? header : null;
}

export type WsOnSubscribe = (ctx: Ctx, id: string, payload: SubscribePayload) => Promise<ExecutionArgs | readonly GraphQLError[]>;

export function wsOnSubscribe(opts: WsGuardOptions): WsOnSubscribe {
  const limits = opts.limits ?? OPERATION_LIMITS;
  const rules = [...specifiedRules, operationLimitsRule(limits)];
  return async (ctx, _id, payload) => {
    let document: DocumentNode;
    try {
      document = parse(payload.query, limitedParseOptions(limits));
    } catch (err) {
      return [coded(err instanceof GraphQLError ? err : new GraphQLError('Syntax Error'), 'GRAPHQL_PARSE_FAILED')];
    }
    const invalid = validate(opts.schema, document, rules);
    if (invalid.length > 0) return invalid.map((e) => coded(e, 'GRAPHQL_VALIDATION_FAILED'));
    const operation = getOperationAST(document, payload.operationName ?? undefined);
    if (!operation) return [coded(new GraphQLError('Unable to identify operation (give operationName when the document has several)'), 'BAD_USER_INPUT')];
    const contextValue = opts.makeContext();
    try {
      contextValue.caller = await authenticate(opts.tokens, authorizationOf(ctx));
    } catch (err) {
      return [err instanceof GraphQLError ? err : new GraphQLError('authentication failed', { extensions: { code: 'UNAUTHENTICATED' } })];
    }
    const refused = operationRefusal(opts.schema, opts.roles, document, operation, payload.variables ?? undefined, contextValue.caller);
    if (refused) return [refused];
    return { schema: opts.schema, document, operationName: payload.operationName ?? null, variableValues: payload.variables ?? null, contextValue };
  };
}
