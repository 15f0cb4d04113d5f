/* eslint-disable @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument -- GraphQL results are untyped JSON; the assertions pin their shape */
// Access control: no token → local-only and open; once a token exists every operation needs one
// (reader: queries and subscriptions, writer: mutations, admin: token management).
import { openTokenAdmin } from '../../src/registry/token-admin.js';
import { sql } from '../db/database.js';
import { errorOf, startTestServer, type TestServer } from './harness.js';
import { collect, dataOf, wsClient } from './jobs-client.js';

describe('API tokens', () => {
  let t: TestServer;
  const secrets: Record<string, string> = {};
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.stop());

  const as = async (secret: string | null, query: string, variables?: Record<string, unknown>) => {
    const res = await fetch(`${t.base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(secret && { authorization: `Bearer ${secret}` }) },
      body: JSON.stringify({ query, variables }),
    });
    return { status: res.status, body: (await res.json()) as Parameters<typeof errorOf>[0] };
  };
  const mutation = 'mutation($i: RegisterDatasetInput!) { registerDataset(input: $i) { id } }';
  const ds = (name: string) => ({ i: { name, format: 'synthetic-classification' } });

  it('lets local callers in while no token exists', async () => {
    expect(dataOf(await t.gql(mutation, ds('open'))).registerDataset.id).toBeTruthy();
  });

  it('creates tokens through the registry function (secret shown once, only its hash stored)', async () => {
    const admin = await openTokenAdmin(t.tmp.databaseUrl, { createIfNew: false });
    for (const role of ['reader', 'writer', 'admin']) secrets[role] = (await admin.tokens.create(`${role}-token`, role)).secret;
    await admin.close();
    const list = dataOf((await as(secrets.admin!, '{ apiTokens { name role } }')).body).apiTokens;
    expect(list.map((x: { role: string }) => x.role)).toEqual(['reader', 'writer', 'admin']);
    const stored = JSON.stringify(await sql(t.tmp.databaseUrl, 'SELECT * FROM "ApiToken"'));
    expect(stored).toMatch(/reader-token/);
    for (const s of Object.values(secrets)) expect(stored).not.toContain(s);
  });

  it('requires a token once one exists', async () => {
    // the "any token" answer is cached for 2 s
    await new Promise((r) => setTimeout(r, 2100));
    const anon = await as(null, '{ datasets { totalCount } }');
    expect(anon.status).toBe(401);
    expect(errorOf(anon.body).code).toBe('UNAUTHENTICATED');
    expect(errorOf((await as('slk_wrong', '{ datasets { totalCount } }')).body).code).toBe('UNAUTHENTICATED');
    expect(dataOf((await as(secrets.reader!, '{ datasets { totalCount } }')).body).datasets.totalCount).toBe(1);
  });

  it('needs writer for mutations and admin for token management', async () => {
    const denied = await as(secrets.reader!, mutation, ds('by-reader'));
    expect(denied.status).toBe(403);
    expect(errorOf(denied.body).code).toBe('FORBIDDEN');
    expect(errorOf((await as(null, mutation, ds('anon'))).body).code).toBe('UNAUTHENTICATED');
    expect(dataOf((await as(secrets.writer!, mutation, ds('by-writer'))).body).registerDataset.id).toBeTruthy();
    expect(errorOf((await as(secrets.writer!, 'mutation { createApiToken(input: { name: "x", role: "admin" }) { secret } }')).body).code).toBe('FORBIDDEN');
    const created = dataOf((await as(secrets.admin!, 'mutation { createApiToken(input: { name: "ci", role: "writer" }) { secret token { id role } } }')).body).createApiToken;
    expect(created.secret).toMatch(/^slk_/);
    dataOf((await as(secrets.admin!, 'mutation($id: ID!) { revokeApiToken(id: $id) { revokedAt } }', { id: created.token.id })).body);
    expect(errorOf((await as(created.secret, '{ jobs { totalCount } }')).body).code).toBe('UNAUTHENTICATED');
  });

  it('checks subscriptions over graphql-ws too', async () => {
    const anon = wsClient(t.base);
    await expect(collect(anon, 'subscription { jobProgress(id: "1") { id } }', {}, 10_000)).rejects.toThrow(/UNAUTHENTICATED/);
    await anon.dispose();
    const reader = wsClient(t.base, `Bearer ${secrets.reader!}`);
    await expect(collect(reader, 'subscription { jobProgress(id: "999") { id } }', {}, 10_000)).rejects.toThrow(/NOT_FOUND|not found/);
    await reader.dispose();
  });
});
