// HTTP (queries, mutations) and graphql-ws (subscriptions) against one Spikelab server.
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
import { createClient, type Client as WsClient } from 'graphql-ws';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import WebSocket from 'ws';
import { fromGraphQLErrors, SpikelabError } from './errors.js';

/** A generated operation (client/generated): its text, typed with its result and variables. */
export type Operation<R, V> = DocumentTypeDecoration<R, V> & { toString(): string };

export interface ConnectOptions {
  /** Server base URL (http://host:port) or the /graphql endpoint itself. */
  url: string;
  /** API token secret, sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Per-request timeout in ms (default 60 s). */
  timeoutMs?: number;
}

/** http://h:p, http://h:p/ or http://h:p/graphql → http://h:p/graphql */
export function graphqlEndpoint(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new SpikelabError(`invalid server URL "${url}" (expected e.g. http://127.0.0.1:4000)`, 'BAD_USER_INPUT');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new SpikelabError(`server URL must be http(s), got "${url}"`, 'BAD_USER_INPUT');
  if (!u.pathname.endsWith('/graphql')) u.pathname = `${u.pathname.replace(/\/+$/, '')}/graphql`;
  return u;
}

interface GraphQLResponse<R> {
  data?: R | null;
  errors?: { message?: string; extensions?: Record<string, unknown> }[];
}

export class Transport {
  readonly endpoint: URL;
  private ws: WsClient | undefined;

  constructor(private readonly opts: ConnectOptions) {
    this.endpoint = graphqlEndpoint(opts.url);
  }

  private headers(): Record<string, string> {
    const h: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (this.opts.token) h.authorization = `Bearer ${this.opts.token}`;
    return h;
  }

  async request<R, V>(doc: Operation<R, V>, variables: NoInfer<V>): Promise<R> {
    const body = JSON.stringify({ query: doc.toString(), variables });
    let res: Response;
    try {
      res = await fetch(this.endpoint, { method: 'POST', headers: this.headers(), body, signal: AbortSignal.timeout(this.opts.timeoutMs ?? 60_000) });
    } catch (e) {
      const cause = e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e);
      const code = e instanceof Error && e.name === 'TimeoutError' ? 'TIMEOUT' : 'CONNECTION_FAILED';
      throw new SpikelabError(`cannot reach Spikelab server at ${this.endpoint.origin}: ${cause}`, code);
    }
    const text = await res.text();
    let json: GraphQLResponse<R>;
    try {
      json = JSON.parse(text) as GraphQLResponse<R>;
    } catch {
      throw new SpikelabError(`server answered HTTP ${res.status} with non-JSON body: ${text.slice(0, 200)}`, 'HTTP_ERROR', { status: res.status });
    }
    if (json.errors && json.errors.length > 0) throw fromGraphQLErrors(json.errors);
    if (!json.data) throw new SpikelabError(`server answered HTTP ${res.status} without data`, 'HTTP_ERROR', { status: res.status });
    return json.data;
  }

  /** Streams `body` to PUT /uploads; the answer's uploadId goes to importCheckpoint. */
  async upload(body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<{ uploadId: string; sha256: string; sizeBytes: number }> {
    const url = new URL('/uploads', this.endpoint);
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream', accept: 'application/json' };
    if (this.opts.token) headers.authorization = `Bearer ${this.opts.token}`;
    let res: Response;
    try {
      // a streamed request body needs duplex: 'half' (Node's fetch)
      const stream = Readable.toWeb(Readable.from(body)) as ReadableStream<Uint8Array>;
      res = await fetch(url, { method: 'PUT', headers, body: stream, duplex: 'half' } as RequestInit);
    } catch (e) {
      throw new SpikelabError(`cannot upload to ${url.origin}: ${e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e)}`, 'CONNECTION_FAILED');
    }
    const json = (await res.json().catch(() => null)) as (GraphQLResponse<never> & { uploadId?: string; sha256?: string; sizeBytes?: number }) | null;
    if (json?.errors && json.errors.length > 0) throw fromGraphQLErrors(json.errors);
    if (!res.ok || !json?.uploadId) throw new SpikelabError(`upload answered HTTP ${res.status}`, 'HTTP_ERROR', { status: res.status });
    return { uploadId: json.uploadId, sha256: json.sha256 ?? '', sizeBytes: json.sizeBytes ?? 0 };
  }

  /**
   * GET `path` (relative to the server, e.g. a download URL from the API) into `outFile`: streamed to
   * a temporary file beside it, renamed into place once complete (an interrupted download leaves
   * no partial file). The server's JSON error answer becomes a SpikelabError with its code.
   */
  async download(path: string, outFile: string): Promise<{ path: string; bytes: number }> {
    const url = new URL(path, this.endpoint);
    const headers: Record<string, string> = { accept: 'application/octet-stream, application/json' };
    if (this.opts.token) headers.authorization = `Bearer ${this.opts.token}`;
    let res: Response;
    try {
      res = await fetch(url, { headers });
    } catch (e) {
      throw new SpikelabError(`cannot reach Spikelab server at ${url.origin}: ${e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e)}`, 'CONNECTION_FAILED');
    }
    if (!res.ok || !res.body) {
      const json = (await res.json().catch(() => null)) as GraphQLResponse<never> | null;
      if (json?.errors && json.errors.length > 0) throw fromGraphQLErrors(json.errors);
      throw new SpikelabError(`GET ${url.pathname} answered HTTP ${res.status}`, 'HTTP_ERROR', { status: res.status });
    }
    const tmp = join(dirname(outFile), `.${basename(outFile)}.${process.pid}-${randomBytes(4).toString('hex')}.part`);
    let bytes = 0;
    try {
      const body = Readable.fromWeb(res.body as NodeReadableStream<Uint8Array>);
      body.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      await pipeline(body, createWriteStream(tmp, { flags: 'wx' }));
      await rename(tmp, outFile);
    } catch (e) {
      await rm(tmp, { force: true });
      throw new SpikelabError(`cannot write ${outFile}: ${e instanceof Error ? e.message : String(e)}`, 'IO_ERROR');
    }
    return { path: outFile, bytes };
  }

  private wsClient(): WsClient {
    if (!this.ws) {
      const url = new URL(this.endpoint);
      url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
      const token = this.opts.token;
      this.ws = createClient({
        url: url.toString(),
        webSocketImpl: WebSocket,
        connectionParams: token ? { authorization: `Bearer ${token}` } : {},
        lazy: true,
        retryAttempts: 3,
      });
    }
    return this.ws;
  }

  /** Subscribes; `onNext` sees every payload. Returns a function that unsubscribes, and a promise that settles when the stream ends. */
  subscribe<R, V>(doc: Operation<R, V>, variables: NoInfer<V>, onNext: (data: R) => void): { done: Promise<void>; unsubscribe: () => void } {
    let unsubscribe = (): void => {};
    let finish = (): void => {};
    const done = new Promise<void>((resolve, reject) => {
      finish = resolve;
      unsubscribe = this.wsClient().subscribe<R>(
        { query: doc.toString(), variables: variables as Record<string, unknown> },
        {
          next: (msg) => {
            if (msg.errors && msg.errors.length > 0) reject(fromGraphQLErrors(msg.errors));
            else if (msg.data) onNext(msg.data);
          },
          error: (err) => reject(toSubscriptionError(err)),
          complete: () => resolve(),
        },
      );
    });
    // unsubscribing ends the stream from our side: `done` resolves
    return { done, unsubscribe: () => { unsubscribe(); finish(); } };
  }

  async close(): Promise<void> {
    const ws = this.ws;
    this.ws = undefined;
    if (ws) await ws.dispose();
  }
}

function toSubscriptionError(err: unknown): SpikelabError {
  if (Array.isArray(err)) return fromGraphQLErrors(err as { message?: string }[]);
  if (err instanceof Error) return new SpikelabError(`subscription failed: ${err.message}`, 'CONNECTION_FAILED');
  // graphql-ws reports a closed socket as a CloseEvent-like object
  const ev = err as { code?: number; reason?: string; message?: string };
  return new SpikelabError(`subscription connection closed${ev.code ? ` (${ev.code}${ev.reason ? `: ${ev.reason}` : ''})` : ''}`, 'CONNECTION_FAILED');
}
