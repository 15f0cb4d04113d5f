// Errors the client raises: a GraphQL error keeps the server's `extensions.code`; transport
// problems (server down, bad URL, HTTP status) get a client-side code so callers can branch on it.

export type ClientErrorCode =
  | 'BAD_USER_INPUT' | 'NOT_FOUND' | 'CONFLICT' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'JOB_FAILED'
  | 'INTERNAL_SERVER_ERROR' | 'GRAPHQL_VALIDATION_FAILED' | 'JOB_CANCELLED'
  | 'CONNECTION_FAILED' | 'HTTP_ERROR' | 'TIMEOUT' | (string & {});

export class SpikelabError extends Error {
  override readonly name = 'SpikelabError';
  constructor(
    message: string,
    readonly code: ClientErrorCode,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

interface GraphQLErrorLike {
  message?: string;
  extensions?: { code?: string } & Record<string, unknown>;
}

/** The first GraphQL error of a response as a SpikelabError (the rest are summarised in details). */
export function fromGraphQLErrors(errors: readonly GraphQLErrorLike[]): SpikelabError {
  const first = errors[0] ?? {};
  const code = typeof first.extensions?.code === 'string' ? first.extensions.code : 'INTERNAL_SERVER_ERROR';
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : '';
  return new SpikelabError(`${first.message ?? 'unknown GraphQL error'}${more}`, code, { errors });
}
