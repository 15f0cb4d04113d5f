/* eslint-disable @typescript-eslint/no-explicit-any -- GraphQL results are untyped JSON; the assertions pin their shape */
// Helpers for the jobs API tests: a graphql-ws client on the server's /graphql and small waiters.
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { GqlResponse } from './harness.js';

export function wsClient(base: string, authorization?: string): Client {
  return createClient({
    url: base.replace(/^http/, 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    ...(authorization && { connectionParams: { authorization } }),
  });
}

/** Collects every event of a subscription until it completes (or `timeoutMs` passes). */
export function collect<T = Record<string, unknown>>(client: Client, query: string, variables: Record<string, unknown>, timeoutMs = 60_000): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const events: T[] = [];
    const timer = setTimeout(() => reject(new Error(`subscription did not complete in ${timeoutMs} ms (${events.length} events)`)), timeoutMs);
    client.subscribe<T>({ query, variables }, {
      next: (v) => {
        if (v.errors) {
          clearTimeout(timer);
          reject(new Error(JSON.stringify(v.errors)));
        } else events.push(v.data as T);
      },
      error: (e) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(JSON.stringify(e)));
      },
      complete: () => {
        clearTimeout(timer);
        resolve(events);
      },
    });
  });
}

/** Polls `probe` until it returns a value (not undefined) or the time is up. */
export async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 60_000, what = 'condition'): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function dataOf(res: GqlResponse): Record<string, any> {
  if (res.errors?.length) throw new Error(JSON.stringify(res.errors));
  return res.data!;
}

export const TINY = {
  dataset: { name: 'synth', format: 'synthetic-classification', options: { size: 8, numClasses: 3, trainCount: 64, testCount: 32, channels: 1, seed: 1 } },
  model: { name: 'cnn-tiny', architecture: 'cnn-small', inputShape: [8, 8, 1], numClasses: 3, widthMultiplier: 0.25 },
  training: { epochs: 2, batchSize: 16, learningRate: 0.05, validationSplit: 0.25, augment: false },
};

export const JOB_FIELDS = 'id kind status progress phase epoch step etaSeconds attempts error cancelRequested trainingRunId conversionRunId';
