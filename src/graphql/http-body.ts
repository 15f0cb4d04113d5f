// POST /graphql bodies: JSON up to MAX_BODY_BYTES. A body that is not JSON, too large or in an
// unsupported encoding gets a GraphQL-shaped JSON error (never Express's HTML page), and nothing of
// the body is logged or echoed.
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { ERROR_CODES } from './errors.js';

/** Largest accepted request body (uploaded checkpoints travel base64 inside it). */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

interface BodyParserError {
  type?: unknown;
  status?: unknown;
}

function refusal(err: BodyParserError, limit: number): { status: number; code: string; message: string } | null {
  switch (err.type) {
    case 'entity.parse.failed':
      return { status: 400, code: ERROR_CODES.BAD_REQUEST, message: 'the request body is not valid JSON' };
    case 'entity.too.large':
      return { status: 413, code: ERROR_CODES.PAYLOAD_TOO_LARGE, message: `the request body exceeds ${limit} bytes` };
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return { status: 415, code: ERROR_CODES.BAD_REQUEST, message: 'the request body is in an unsupported encoding or charset (send UTF-8 JSON)' };
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return { status: 400, code: ERROR_CODES.BAD_REQUEST, message: 'the request body ended early or does not match its Content-Length' };
    default:
      return typeof err.status === 'number' && err.status >= 400 && err.status < 500 ? { status: err.status, code: ERROR_CODES.BAD_REQUEST, message: 'the request body cannot be read' } : null;
  }
}

/** The JSON body parser for /graphql followed by its error handler. */
export function graphqlBody(limit = MAX_BODY_BYTES): [RequestHandler, ErrorRequestHandler] {
  const onError: ErrorRequestHandler = (err: unknown, _req, res, next) => {
    const r = typeof err === 'object' && err !== null ? refusal(err, limit) : null;
    if (!r || res.headersSent) {
      next(err);
      return;
    }
    res.status(r.status).type('application/json').send(JSON.stringify({ errors: [{ message: r.message, extensions: { code: r.code } }] }));
  };
  return [express.json({ limit }), onError];
}
