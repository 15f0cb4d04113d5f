import { renameSync, writeFileSync } from 'node:fs';
import { getErrorFromUnknown } from '../../src/graphql/errors.js';
import { sqliteFilePath } from '../../src/registry/paths.js';
import { sql, testProvider } from '../db/database.js';
import { errorOf, startTestServer, type TestServer } from './harness.js';

describe('HTTP surface', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.stop());

  it('/healthz reports the database as reachable', async () => {
    const res = await fetch(`${t.base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', database: { reachable: true } });
  });

  it('serves an explorer page at /graphql that loads nothing from the internet', async () => {
    const res = await fetch(`${t.base}/graphql`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).toMatch(/<textarea id="query"/);
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//);
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('INTERNAL_SERVER_ERROR does not leak internals', async () => {
    expect(getErrorFromUnknown(new Error('secret path /etc/x')).error.message).toBe('Internal server error');
    // break the database under the running server: the cause is logged, the client sees a code
    await sql(t.tmp.databaseUrl, testProvider() === 'sqlite' ? 'PRAGMA foreign_keys = OFF; DROP TABLE "Model";' : 'DROP TABLE "Model" CASCADE');
    const res = await t.gql('{ models { totalCount } }');
    expect(errorOf(res)).toEqual({ code: 'INTERNAL_SERVER_ERROR', field: undefined, message: 'Internal server error' });
    expect(JSON.stringify(res)).not.toMatch(/no such table|does not exist|relation|sqlite|postgres|prisma/i);
  });
});

// PostgreSQL's probe (server stopped, then back) is in test/registry/postgres.test.ts
(testProvider() === 'sqlite' ? describe : describe.skip)('/healthz when the database file goes away', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.stop());

  const health = async () => {
    const res = await fetch(`${t.base}/healthz`);
    return { status: res.status, body: (await res.json()) as unknown };
  };

  it('answers 503 while the file is moved away or overwritten, 200 once it is back', async () => {
    expect((await health()).status).toBe(200);
    const path = sqliteFilePath(t.tmp.databaseUrl);
    // the server's open connection still answers from the moved file: only a check of the path can tell
    renameSync(path, `${path}.moved`);
    expect(await health()).toEqual({ status: 503, body: expect.objectContaining({ status: 'unavailable', database: { reachable: false } }) as unknown });
    writeFileSync(path, 'not a database, though the name is right');
    expect((await health()).status).toBe(503);
    renameSync(`${path}.moved`, path);
    expect(await health()).toEqual({ status: 200, body: expect.objectContaining({ status: 'ok', database: { reachable: true } }) as unknown });
  });
});
