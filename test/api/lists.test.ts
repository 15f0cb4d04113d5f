// Lists in either order with cursors that stay correct, deleteDataset, and the names of deleted
// models and data sets free for new ones.
import { errorOf, startTestServer, type TestServer } from './harness.js';

const REGISTER = 'mutation($i: RegisterDatasetInput!) { registerDataset(input: $i) { id name } }';
const CREATE_MODEL = 'mutation($i: CreateModelInput!) { createModel(input: $i) { id name } }';

describe('lists, deletion and names', () => {
  let t: TestServer;
  const ids: string[] = [];

  beforeAll(async () => {
    t = await startTestServer();
    for (let i = 0; i < 5; i++) {
      ids.push((await t.gql(REGISTER, { i: { name: `ds${i}`, format: 'synthetic-classification', options: { size: 8 } } })).data!.registerDataset.id as string);
    }
  });
  afterAll(() => t.stop());

  /** Every page of `datasets` in `order`, 2 at a time, following endCursor. */
  async function walk(order: string): Promise<string[]> {
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const res = await t.gql('query($o: ListOrder!, $a: String) { datasets(first: 2, after: $a, orderBy: $o) { nodes { id } pageInfo { hasNextPage endCursor } totalCount } }', { o: order, a: after });
      const page = res.data!.datasets as { nodes: { id: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string }; totalCount: number };
      seen.push(...page.nodes.map((n) => n.id));
      if (!page.pageInfo.hasNextPage) return seen;
      after = page.pageInfo.endCursor;
    }
  }

  it('pages newest first and oldest first, every row once', async () => {
    expect(await walk('OLDEST_FIRST')).toEqual(ids);
    expect(await walk('NEWEST_FIRST')).toEqual([...ids].reverse());
    const dflt = await t.gql('{ datasets(first: 1) { nodes { id } } }');
    expect(dflt.data!.datasets.nodes).toEqual([{ id: ids[0] }]);
  });

  it('refuses a cursor from a list in the other order', async () => {
    const first = await t.gql('{ datasets(first: 2, orderBy: NEWEST_FIRST) { pageInfo { endCursor } } }');
    const cursor = first.data!.datasets.pageInfo.endCursor as string;
    const res = await t.gql('query($a: String) { datasets(first: 2, after: $a, orderBy: OLDEST_FIRST) { nodes { id } } }', { a: cursor });
    expect(errorOf(res)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  it('offers orderBy on every list', async () => {
    const res = await t.gql(`{ jobs(orderBy: NEWEST_FIRST) { totalCount } conversionRuns(orderBy: NEWEST_FIRST) { totalCount }
      trainingRuns(orderBy: NEWEST_FIRST) { totalCount } models(orderBy: NEWEST_FIRST) { totalCount } datasets(orderBy: NEWEST_FIRST) { totalCount } }`);
    expect(res.errors).toBeUndefined();
    const m = (await t.gql(CREATE_MODEL, { i: { name: 'm0', architecture: 'cnn-small', inputShape: [8, 8, 1], numClasses: 10 } })).data!.createModel.id as string;
    const cps = await t.gql('query($m: ID!) { checkpoints(modelId: $m, orderBy: NEWEST_FIRST) { totalCount } }', { m });
    expect(cps.data!.checkpoints.totalCount).toBe(0);
  });

  it('soft-deletes a data set: gone from lists, name free again', async () => {
    const del = await t.gql('mutation($id: ID!) { deleteDataset(id: $id) { id name } }', { id: ids[1] });
    expect(del.data!.deleteDataset).toEqual({ id: ids[1], name: 'ds1' });
    expect(errorOf(await t.gql('query($id: ID!) { dataset(id: $id) { id } }', { id: ids[1] })).code).toBe('NOT_FOUND');
    expect(errorOf(await t.gql('mutation($id: ID!) { deleteDataset(id: $id) { id } }', { id: ids[1] })).code).toBe('NOT_FOUND');
    expect(errorOf(await t.gql(REGISTER, { i: { name: 'ds2', format: 'synthetic-classification' } })).code).toBe('CONFLICT');
    const again = (await t.gql(REGISTER, { i: { name: 'ds1', format: 'synthetic-segmentation' } })).data!.registerDataset;
    expect(again.name).toBe('ds1');
    expect(again.id).not.toBe(ids[1]);
    const names = (await t.gql('{ datasets(first: 50) { totalCount nodes { id name } } }')).data!.datasets as { totalCount: number; nodes: { id: string; name: string }[] };
    expect(names.totalCount).toBe(5);
    expect(names.nodes.filter((n) => n.name === 'ds1')).toEqual([again]);
  });

  it('frees the name of a deleted model', async () => {
    const input = { name: 'reused', architecture: 'cnn-small', inputShape: [8, 8, 1], numClasses: 10 };
    const first = (await t.gql(CREATE_MODEL, { i: input })).data!.createModel.id as string;
    expect(errorOf(await t.gql(CREATE_MODEL, { i: input })).code).toBe('CONFLICT');
    expect((await t.gql('mutation($id: ID!) { deleteModel(id: $id) { id } }', { id: first })).errors).toBeUndefined();
    const second = (await t.gql(CREATE_MODEL, { i: input })).data!.createModel.id as string;
    expect(second).not.toBe(first);
  });
});
