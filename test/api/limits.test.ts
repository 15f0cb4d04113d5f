// Operation cost limits (issue 9): refused with a typed error before anything executes, over HTTP
// and graphql-ws. 40 000 aliases in a 1.5 MB body held the event loop 17 s; 5 000 aliases of
// __schema produced a 100 MB response.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema as buildSdl, getIntrospectionQuery, parse, specifiedRules, validate } from 'graphql';
import { MAX_BODY_BYTES } from '../../src/graphql/http-body.js';
import { OPERATION_LIMITS, limitedParseOptions, operationLimitsRule } from '../../src/graphql/limits.js';
import { errorOf, startTestServer, type GqlResponse, type TestServer } from './harness.js';
import { collect, wsClient } from './jobs-client.js';

const aliases = (n: number, field = '__typename') => `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ')} }`;
/** A chain of fragments, each spreading the next twice: 2^depth fields from a few hundred bytes. */
const fragmentBomb = (depth: number) =>
  `{ ...F0 } ${Array.from({ length: depth }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`).join(' ')} fragment F${depth} on Query { __typename }`;

describe('operation limits', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.stop());

  const post = async (query: string): Promise<{ status: number; body: GqlResponse }> => {
    const res = await fetch(`${t.base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' }, body: JSON.stringify({ query }) });
    return { status: res.status, body: (await res.json()) as GqlResponse };
  };

  it('stops parsing a 40 000-alias document at the token cap', async () => {
    const query = aliases(40_000);
    expect(query.length).toBeGreaterThan(500_000);
    const res = await post(query);
    expect(res.status).toBe(400);
    expect(res.body.data ?? null).toBeNull();
    expect(errorOf(res.body)).toMatchObject({ code: 'GRAPHQL_PARSE_FAILED' });
    expect(errorOf(res.body).message).toMatch(new RegExp(`more tha[nt] ${OPERATION_LIMITS.maxTokens} tokens`)) // graphql-js spells it "that";
  });

  it('refuses too many aliases, __schema selections, fields or levels with GRAPHQL_VALIDATION_FAILED naming the limit', async () => {
    const cases: [string, string][] = [
      [aliases(OPERATION_LIMITS.maxAliases + 1), 'aliases'],
      [aliases(2, '__schema { types { name } }'), 'schemaIntrospections'],
      [fragmentBomb(12), 'fields'],
      [`{ __schema { types { fields { type { ${'ofType { '.repeat(12)}name${' }'.repeat(12)} } } } } }`, 'depth'],
    ];
    for (const [query, limit] of cases) {
      const res = await post(query);
      expect(res.body.data ?? null).toBeNull();
      const err = res.body.errors?.find((e) => e.extensions.limit === limit);
      expect([limit, err?.extensions.code]).toEqual([limit, 'GRAPHQL_VALIDATION_FAILED']);
    }
    // just under the limits runs
    const ok = await post(aliases(OPERATION_LIMITS.maxAliases));
    expect(ok.body.errors).toBeUndefined();
  });

  it('applies the same limits over graphql-ws', async () => {
    const ws = wsClient(t.base);
    try {
      await expect(collect(ws, aliases(40_000), {}, 10_000)).rejects.toThrow(/GRAPHQL_PARSE_FAILED/);
      await expect(collect(ws, aliases(OPERATION_LIMITS.maxAliases + 1), {}, 10_000)).rejects.toThrow(/"limit":"aliases"/);
      await expect(collect(ws, fragmentBomb(12), {}, 10_000)).rejects.toThrow(/"limit":"fields"/);
      expect(await collect(ws, '{ __typename }', {}, 10_000)).toEqual([{ __typename: 'Query' }]);
    } finally {
      await ws.dispose();
    }
    // one message is bounded like an HTTP body: the socket is closed (1009 "message too big")
    const big = wsClient(t.base);
    try {
      const closed = new Promise<number>((resolve) => big.on('closed', (e) => resolve((e as { code: number }).code)));
      await expect(collect(big, `{ __typename } # ${'x'.repeat(MAX_BODY_BYTES)}`, {}, 10_000)).rejects.toBeDefined();
      expect(await closed).toBe(1009);
    } finally {
      await big.dispose();
    }
  });

  it('lets every operation the project sends through, and the full introspection query', () => {
    const schema = buildSdl(readFileSync('schema.graphql', 'utf8'));
    const rules = [...specifiedRules, operationLimitsRule()];
    // the operation files share fragments: codegen reads them as one document
    const documents = [readdirSync('client/operations').map((f) => readFileSync(join('client/operations', f), 'utf8')).join('\n')];
    documents.push(getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true }));
    for (const doc of documents) expect(validate(schema, parse(doc, limitedParseOptions()), rules)).toEqual([]);
  });
});
