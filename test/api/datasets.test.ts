import { join } from 'node:path';
import { errorOf, pluck, startTestServer, type TestServer } from './harness.js';
import { writeTinyIdx } from './idx-fixture.js';

const REGISTER = `mutation($input: RegisterDatasetInput!) { registerDataset(input: $input) { id name format task synthetic path imageShape numClasses options } }`;
const LIST = `query($first: Int, $after: String, $filter: DatasetFilter) {
  datasets(first: $first, after: $after, filter: $filter) { totalCount nodes { name } edges { cursor } pageInfo { hasNextPage endCursor } } }`;

describe('datasets API', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.stop());

  it('registers datasets, derives task and synthetic flag', async () => {
    const res = await t.gql(REGISTER, { input: { name: 'synth-cls', format: 'synthetic-classification', imageShape: [8, 8, 1], numClasses: 4, options: { seed: 1 } } });
    expect(res.errors).toBeUndefined();
    expect(res.data!.registerDataset).toMatchObject({ name: 'synth-cls', task: 'classification', synthetic: true, path: null, imageShape: [8, 8, 1], options: { seed: 1 } });
    const idx = writeTinyIdx(join(t.tmp.dir, 'mnist'));
    const dir = await t.gql(REGISTER, { input: { name: 'mnist', format: 'idx', path: idx } });
    expect(dir.data!.registerDataset).toMatchObject({ task: 'classification', synthetic: false, path: idx });
    const seg = await t.gql(REGISTER, { input: { name: 'synth-seg', format: 'synthetic-segmentation' } });
    expect(seg.data!.registerDataset.task).toBe('segmentation');
  });

  it('CONFLICT on a duplicate name', async () => {
    const res = await t.gql(REGISTER, { input: { name: 'mnist', format: 'synthetic-classification' } });
    expect(errorOf(res)).toMatchObject({ code: 'CONFLICT', field: 'name' });
  });

  it('BAD_USER_INPUT naming the field', async () => {
    expect(errorOf(await t.gql(REGISTER, { input: { name: 'x', format: 'csv' } }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'format' });
    expect(errorOf(await t.gql(REGISTER, { input: { name: 'no path', format: 'idx' } }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
    expect(errorOf(await t.gql(REGISTER, { input: { name: 'nopath', format: 'idx' } }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'path' });
    expect(errorOf(await t.gql(REGISTER, { input: { name: 'gone', format: 'cifar10', path: '/no/such/dir' } }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'path' });
    expect(errorOf(await t.gql(REGISTER, { input: { name: 'wrongtask', format: 'idx', path: t.tmp.dir, task: 'segmentation' } }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'task' });
    expect(errorOf(await t.gql(REGISTER, { input: { name: 'shape', format: 'synthetic-segmentation', imageShape: [1, 2] } }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'imageShape' });
  });

  it('pages with opaque cursors and filters', async () => {
    const p1 = (await t.gql(LIST, { first: 2 })).data!.datasets;
    expect(p1.totalCount).toBe(3);
    expect(pluck(p1.nodes, 'name')).toEqual(['synth-cls', 'mnist']);
    expect(p1.pageInfo.hasNextPage).toBe(true);
    expect(p1.edges[1].cursor).toBe(p1.pageInfo.endCursor);
    const p2 = (await t.gql(LIST, { first: 2, after: p1.pageInfo.endCursor })).data!.datasets;
    expect(pluck(p2.nodes, 'name')).toEqual(['synth-seg']);
    expect(p2.pageInfo).toEqual({ hasNextPage: false, endCursor: p2.edges[0].cursor });
    const seg = (await t.gql(LIST, { filter: { task: 'segmentation' } })).data!.datasets;
    expect(seg.nodes).toEqual([{ name: 'synth-seg' }]);
    const real = (await t.gql(LIST, { filter: { synthetic: false, nameContains: 'mn' } })).data!.datasets;
    expect(real.nodes).toEqual([{ name: 'mnist' }]);
    // regardless of letter case on both databases (PostgreSQL's LIKE alone is case-sensitive)
    const upper = (await t.gql(LIST, { filter: { nameContains: 'MNI' } })).data!.datasets;
    expect(upper.nodes).toEqual([{ name: 'mnist' }]);
  });

  it('rejects malformed cursors and out-of-range page sizes', async () => {
    expect(errorOf(await t.gql(LIST, { after: 'not-a-cursor!' }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    expect(errorOf(await t.gql(LIST, { after: Buffer.from('sl1:abc').toString('base64url') }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    expect(errorOf(await t.gql(LIST, { first: 0 }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    expect(errorOf(await t.gql(LIST, { first: 501 }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    expect((await t.gql(LIST, { first: 500 })).errors).toBeUndefined();
  });

  it('gets one by id; NOT_FOUND for an unknown id, BAD_USER_INPUT for a malformed one', async () => {
    const q = `query($id: ID!) { dataset(id: $id) { name } }`;
    expect((await t.gql(q, { id: '1' })).data!.dataset.name).toBe('synth-cls');
    expect(errorOf(await t.gql(q, { id: '424242' }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(errorOf(await t.gql(q, { id: 'abc' }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
  });
});
