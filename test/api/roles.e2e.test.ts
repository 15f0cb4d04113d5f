/* eslint-disable @typescript-eslint/no-unsafe-call -- GraphQL results are untyped JSON; the assertions pin their shape */
// Roles are decided per resolved root field, whatever the document's shape: fragments, inline
// fragments, aliases, @include/@skip, several operations, subscriptions, over HTTP and graphql-ws.
// Issue 9: a writer created an admin token through an inline fragment on Mutation, and a reader
// listed every token through a named fragment.
import { execute, parse } from 'graphql';
import type { Client } from 'graphql-ws';
import { WORKER_PROTOCOL } from '../../src/formats/index.js';
import { rootRoles } from '../../src/graphql/schema.js';
import { TOKEN_ROLES, type TokenRole } from '../../src/registry/vocab.js';
import { errorOf, startTestServer, type GqlResponse, type TestServer } from './harness.js';
import { collect, dataOf, wsClient } from './jobs-client.js';

const CREATE_ADMIN = 'createApiToken(input: { name: "evil", role: "admin" }) { secret }';

describe('roles per resolved root field', () => {
  let t: TestServer;
  const secret: Partial<Record<TokenRole, string>> = {};
  const sockets: Client[] = [];

  beforeAll(async () => {
    t = await startTestServer();
    for (const role of TOKEN_ROLES) secret[role] = (await t.server.app.registry.tokens.create(`${role}-token`, role)).secret;
    await new Promise((r) => setTimeout(r, 2100)); // the "any token exists" answer is cached for 2 s
  });
  afterAll(async () => {
    for (const s of sockets) await s.dispose();
    await t.stop();
  });

  const as = async (role: TokenRole | null, query: string, variables?: Record<string, unknown>, operationName?: string) => {
    const res = await fetch(`${t.base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(role && { authorization: `Bearer ${secret[role]!}` }) },
      body: JSON.stringify({ query, variables, operationName }),
    });
    return { status: res.status, body: (await res.json()) as GqlResponse };
  };
  const overWs = (role: TokenRole, query: string, variables: Record<string, unknown> = {}) => {
    const c = wsClient(t.base, `Bearer ${secret[role]!}`);
    sockets.push(c);
    return collect(c, query, variables, 20_000);
  };
  const tokenNames = async () => (dataOf((await as('admin', '{ apiTokens { name } }')).body).apiTokens as { name: string }[]).map((x) => x.name);

  const refusedShapes: [string, TokenRole, string][] = [
    ['inline fragment on Mutation', 'writer', `mutation { ... on Mutation { ${CREATE_ADMIN} } }`],
    ['named fragment on Mutation', 'writer', `mutation { ...M } fragment M on Mutation { ${CREATE_ADMIN} }`],
    ['fragment inside a fragment', 'writer', `mutation { ...A } fragment A on Mutation { ...B } fragment B on Mutation { x: ${CREATE_ADMIN} }`],
    ['alias', 'writer', `mutation { harmless: ${CREATE_ADMIN} }`],
    ['named fragment on Query', 'reader', 'query { ...F } fragment F on Query { apiTokens { id name role } }'],
    ['inline fragment without a type condition', 'reader', 'query { ... { apiTokens { id } } }'],
    ['@include(if: true)', 'reader', '{ datasets { totalCount } apiTokens @include(if: true) { id } }'],
    ['@skip(if: false)', 'reader', '{ apiTokens @skip(if: false) { id } }'],
    ['a reader mutation through an aliased inline fragment', 'reader', 'mutation { ... on Mutation { a: registerDataset(input: { name: "r1", format: "synthetic-classification" }) { id } } }'],
    ['a worker query', 'worker', '{ datasets { totalCount } }'],
    ['a worker mutation through a fragment', 'worker', 'mutation { ...W } fragment W on Mutation { cancelJob(id: "1") { id } }'],
  ];

  it.each(refusedShapes)('HTTP refuses %s with FORBIDDEN, before anything runs', async (_shape, role, query) => {
    const before = await tokenNames();
    const res = await as(role, query);
    expect(res.status).toBe(403);
    expect(errorOf(res.body).code).toBe('FORBIDDEN');
    expect(res.body.errors?.[0]?.extensions.http).toBeUndefined();
    expect(res.body.data ?? null).toBeNull();
    expect(JSON.stringify(res.body)).not.toMatch(/"secret":"slk_/);
    expect(await tokenNames()).toEqual(before);
  });

  it.each(refusedShapes)('graphql-ws refuses %s with FORBIDDEN', async (_shape, role, query) => {
    await expect(overWs(role, query)).rejects.toThrow(/FORBIDDEN/);
  });

  it('refuses a mixed operation whole: the allowed field does not run either', async () => {
    const res = await as('writer', `mutation { registerDataset(input: { name: "mixed", format: "synthetic-classification" }) { id } ${CREATE_ADMIN} }`);
    expect(errorOf(res.body).code).toBe('FORBIDDEN');
    const names = dataOf((await as('reader', '{ datasets { nodes { name } } }')).body).datasets.nodes.map((n: { name: string }) => n.name);
    expect(names).not.toContain('mixed');
  });

  it('honours @include/@skip with variables: skipped admin fields do not count', async () => {
    const q = 'query($yes: Boolean!) { datasets { totalCount } apiTokens @include(if: $yes) { id } }';
    expect(errorOf((await as('reader', q, { yes: true })).body).code).toBe('FORBIDDEN');
    expect(dataOf((await as('reader', q, { yes: false })).body)).toEqual({ datasets: { totalCount: 0 } });
    expect(dataOf((await as('reader', '{ datasets { totalCount } apiTokens @skip(if: true) { id } }')).body)).toEqual({ datasets: { totalCount: 0 } });
  });

  it('checks the operation that runs when a document holds several', async () => {
    const doc = 'query Mine { datasets { totalCount } } query Theirs { ...F } fragment F on Query { apiTokens { id } }';
    expect(dataOf((await as('reader', doc, undefined, 'Mine')).body).datasets.totalCount).toBe(0);
    expect(errorOf((await as('reader', doc, undefined, 'Theirs')).body).code).toBe('FORBIDDEN');
  });

  it('lets each role do what it may, in every shape', async () => {
    expect(dataOf((await as('reader', 'query { ...F } fragment F on Query { datasets { totalCount } }')).body).datasets.totalCount).toBe(0);
    expect(dataOf((await as('writer', 'mutation { ... on Mutation { d: registerDataset(input: { name: "w1", format: "synthetic-classification" }) { id } } }')).body).d.id).toBeTruthy();
    expect(dataOf((await as('admin', 'mutation { ...M } fragment M on Mutation { createApiToken(input: { name: "ok", role: "reader" }) { secret } }')).body).createApiToken.secret).toMatch(/^slk_/);
    expect(dataOf((await as('worker', '{ __typename }')).body).__typename).toBe('Query');
    const events = await overWs('reader', 'query { ...F } fragment F on Query { datasets { totalCount } }');
    expect(events).toEqual([{ datasets: { totalCount: 1 } }]);
  });

  it('refuses subscriptions through fragments to roles without reader, and anonymous callers everywhere', async () => {
    await expect(overWs('worker', 'subscription { ...S } fragment S on Subscription { jobProgress(id: "1") { id } }')).rejects.toThrow(/FORBIDDEN/);
    await expect(overWs('reader', 'subscription { ... on Subscription { jobProgress(id: "999") { id } } }')).rejects.toThrow(/NOT_FOUND|not found/);
    const anon = await as(null, 'query { ...F } fragment F on Query { datasets { totalCount } }');
    expect(anon.status).toBe(401);
    expect(errorOf(anon.body).code).toBe('UNAUTHENTICATED');
  });

  it('enforces the role where the field resolves, without the pre-execution check', async () => {
    // graphql-js execute straight on the schema: only @Authorized + authChecker stand in the way
    const { schema } = t.server.app;
    const ctx = t.server.app.context();
    ctx.caller = { kind: 'token', tokenId: 1, name: 'w', role: 'writer' };
    const doc = parse(`mutation { ...M } fragment M on Mutation { ... on Mutation { ${CREATE_ADMIN} } }`);
    const res = await execute({ schema, document: doc, contextValue: ctx });
    expect(res.errors?.[0]?.extensions.code).toBe('FORBIDDEN');
    expect(res.data?.createApiToken ?? null).toBeNull();
    ctx.caller = { kind: 'anonymous' };
    const anon = await execute({ schema, document: parse('{ ... on Query { datasets { totalCount } } }'), contextValue: ctx });
    expect(anon.errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED');
  });

  it('every root field of the schema declares its roles (@Authorized)', () => {
    const { schema } = t.server.app;
    const table = rootRoles();
    for (const [kind, type] of [['query', schema.getQueryType()], ['mutation', schema.getMutationType()], ['subscription', schema.getSubscriptionType()]] as const) {
      const declared = table.get(kind)!;
      for (const name of Object.keys(type!.getFields())) expect([kind, name, declared.has(name)]).toEqual([kind, name, true]);
    }
    expect(table.get('mutation')!.get('createApiToken')).toEqual(['admin']);
    expect(table.get('query')!.get('apiTokens')).toEqual(['admin']);
  });

  it('the worker role grants exactly the remote worker fields and downloads', async () => {
    const table = rootRoles();
    const granted = [...table].flatMap(([kind, fields]) => [...fields].filter(([, roles]) => roles.includes('worker')).map(([name]) => `${kind}.${name}`)).sort();
    expect(granted).toEqual(['claimJob', 'finishJob', 'registerWorker', 'releaseJob', 'reportJob', 'stopWorker', 'workerHeartbeat'].map((f) => `mutation.${f}`));
    expect(table.get('query')!.get('workers')).toEqual(['reader']);
    const register = 'mutation($i: RegisterWorkerInput!) { registerWorker(input: $i) { serverVersion } }';
    const input = { id: 'h/1', protocol: WORKER_PROTOCOL, version: '999.0.0', backends: ['cpu'], devices: ['cpu'], concurrency: 1, source: 'api' };
    expect(dataOf((await as('worker', register, { i: input })).body).registerWorker.serverVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(errorOf((await as('writer', register, { i: input })).body).code).toBe('FORBIDDEN');
    expect(errorOf((await as('worker', '{ workers { id } }')).body).code).toBe('FORBIDDEN');
    const get = async (role: TokenRole, path: string): Promise<number> => (await fetch(`${t.base}${path}`, { headers: { authorization: `Bearer ${secret[role]!}` } })).status;
    const blob = `/worker/blobs/${'0'.repeat(64)}`;
    expect(await get('worker', blob)).toBe(404);
    expect(await get('reader', blob)).toBe(403);
    expect(await get('writer', '/worker/datasets/1/file?name=x')).toBe(403);
    expect(await get('worker', '/exports/checkpoints/1/ann.onnx')).toBe(403);
  });
});
