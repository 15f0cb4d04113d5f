// GraphQL over HTTP: a client that prefers `application/json` gets status 200 for a well-formed
// request whose document fails to parse or validate, or whose variables do not coerce (the errors
// are in the body); one that prefers `application/graphql-response+json` keeps Apollo's 400.
// Malformed HTTP requests (no query, bad JSON) stay 4xx, and so do 401/403 (access control).
import type { ApolloServerPlugin, HeaderMap } from '@apollo/server';
import Negotiator from 'negotiator';
import type { Context } from './context.js';

const JSON_TYPE = 'application/json';
/** Codes of GraphQL request errors (Apollo's SyntaxError, ValidationError, UserInputError from variable coercion, OperationResolutionError). */
const REQUEST_ERROR_CODES = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT', 'OPERATION_RESOLUTION_FAILURE']);
const GRAPHQL_RESPONSE_TYPE = 'application/graphql-response+json';

/** The response type Apollo will choose (the same negotiation, the same order of preference). */
export function prefersPlainJson(headers: HeaderMap | undefined): boolean {
  const accept = headers?.get('accept');
  if (!accept) return true;
  return new Negotiator({ headers: { accept } }).mediaType([JSON_TYPE, GRAPHQL_RESPONSE_TYPE]) === JSON_TYPE;
}

export function jsonStatusPlugin(): ApolloServerPlugin<Context> {
  return {
    requestDidStart({ request }) {
      return Promise.resolve({
        willSendResponse({ response }) {
          // Parse, validation, operation and variable errors end the request before data exists;
          // Apollo marks each with 400. Errors raised while executing leave `data` in the body.
          const body = response.body;
          if (response.http.status !== 400 || body.kind !== 'single' || body.singleResult.data !== undefined) return Promise.resolve();
          const errors = body.singleResult.errors ?? [];
          const requestErrors = errors.length > 0 && errors.every((e) => REQUEST_ERROR_CODES.has(String(e.extensions?.code)));
          if (requestErrors && prefersPlainJson(request.http?.headers)) {
            response.http.status = 200;
          }
          return Promise.resolve();
        },
      });
    },
  };
}
