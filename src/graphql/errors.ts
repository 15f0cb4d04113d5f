// The one place errors become GraphQL errors (tRPC's getTRPCErrorFromUnknown idea): domain errors
// and Prisma's known errors map to a code from ERROR_CODES; anything else is INTERNAL_SERVER_ERROR
// with a generic message (the cause is logged by the server, never sent).
import { unwrapResolverError } from '@apollo/server/errors';
import type { ValidationError } from 'class-validator';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ArgumentValidationError } from 'type-graphql';
import { Prisma } from '../registry/db.js';
import {
  ConflictError,
  DatabaseFileError,
  InvalidInputError,
  JobNotHeldError,
  NotFoundError,
  StoreIntegrityError,
  WorkerRefusedError,
} from '../registry/errors.js';

export const ERROR_CODES = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  /** A malformed HTTP request (body not JSON, no query); src/graphql/http-body.ts and Apollo. */
  BAD_REQUEST: 'BAD_REQUEST',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  STORE_CORRUPTED: 'STORE_CORRUPTED',
  /** A worker reported on a job it no longer holds (ended, cancelled, or taken over): it must stop. */
  JOB_NOT_HELD: 'JOB_NOT_HELD',
  /** A worker this server does not give jobs to (other protocol, older version). */
  WORKER_REFUSED: 'WORKER_REFUSED',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;

type ErrorClass = abstract new (...args: never[]) => Error;

/** Domain error class → code. Add new domain errors (jobs, engine) here, nowhere else. */
const DOMAIN_ERRORS: readonly (readonly [ErrorClass, ErrorCode])[] = [
  [InvalidInputError, 'BAD_USER_INPUT'],
  [NotFoundError, 'NOT_FOUND'],
  [ConflictError, 'CONFLICT'],
  [StoreIntegrityError, 'STORE_CORRUPTED'],
  [JobNotHeldError, 'JOB_NOT_HELD'],
  [WorkerRefusedError, 'WORKER_REFUSED'],
  [DatabaseFileError, 'INTERNAL_SERVER_ERROR'],
] as const;

const INTERNAL_MESSAGE = 'Internal server error';

function flattenValidation(errors: readonly ValidationError[], prefix = ''): { field: string; message: string }[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flattenValidation(e.children ?? [], field)];
  });
}

function fromValidation(err: ArgumentValidationError): GraphQLError {
  const problems = flattenValidation(err.extensions.validationErrors);
  const first = problems[0];
  const message = first ? `Invalid value for ${first.field}: ${problems.map((p) => p.message).join('; ')}` : 'Invalid arguments';
  return new GraphQLError(message, {
    extensions: { code: ERROR_CODES.BAD_USER_INPUT, field: first?.field, fields: problems },
  });
}

/** Classifies any thrown value; `internal` means the message must not reach the client. */
export function getErrorFromUnknown(thrown: unknown): { error: GraphQLError; internal: boolean } {
  const cause = unwrapResolverError(thrown);
  if (cause instanceof ArgumentValidationError) return { error: fromValidation(cause), internal: false };
  for (const [cls, code] of DOMAIN_ERRORS) {
    if (cause instanceof cls) {
      if (code === 'INTERNAL_SERVER_ERROR') break;
      const field = cause instanceof InvalidInputError || cause instanceof ConflictError ? cause.field : undefined;
      const fields = cause instanceof InvalidInputError && cause.issues.length > 1 ? cause.issues : undefined;
      return { error: new GraphQLError(cause.message, { extensions: { code, ...(field && { field }), ...(fields && { fields }) } }), internal: false };
    }
  }
  if (cause instanceof Prisma.PrismaClientKnownRequestError) {
    if (cause.code === 'P2002') return { error: new GraphQLError('A record with this value already exists', { extensions: { code: 'CONFLICT' } }), internal: false };
    if (cause.code === 'P2025') return { error: new GraphQLError('Record not found', { extensions: { code: 'NOT_FOUND' } }), internal: false };
  }
  if (cause instanceof GraphQLError) {
    // GraphQL's and Apollo's own errors (syntax, validation, variable coercion) carry a code and a
    // message meant for the client; an uncoded wrapper around some other error is classified by it.
    if (typeof cause.extensions.code === 'string') {
      // `http` (status and headers) is for the transport, not the response body
      const { http: _http, ...extensions } = cause.extensions;
      return { error: new GraphQLError(cause.message, { extensions }), internal: false };
    }
    if (cause.originalError && !(cause.originalError instanceof GraphQLError)) return getErrorFromUnknown(cause.originalError);
    return { error: new GraphQLError(cause.message, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }), internal: false };
  }
  return { error: new GraphQLError(INTERNAL_MESSAGE, { extensions: { code: ERROR_CODES.INTERNAL_SERVER_ERROR } }), internal: true };
}

/** Apollo's formatError hook: the formatted error keeps its path/locations, message+code are mapped. */
export function formatError(formatted: GraphQLFormattedError, thrown: unknown): GraphQLFormattedError {
  const { error } = getErrorFromUnknown(thrown);
  return {
    message: error.message,
    ...(formatted.locations && { locations: formatted.locations }),
    ...(formatted.path && { path: formatted.path }),
    extensions: { ...error.extensions },
  };
}
