import { errorOf, pluck, startTestServer, type TestServer } from './harness.js';

const LIST = `query($modelId: ID!, $first: Int, $after: String, $filter: CheckpointFilter) {
  checkpoints(modelId: $modelId, first: $first, after: $after, filter: $filter) {
    totalCount nodes { id sha256 sizeBytes format aliases manifest model { name } trainingRunId } pageInfo { hasNextPage endCursor } } }`;

const manifest = {
  format: 'tfjs-layers' as const,
  spec: { architecture: 'vgg11' as const, inputShape: [32, 32, 3] as [number, number, number], numClasses: 10, widthMultiplier: 1 },
  weightSpecs: [{ name: 'w', shape: [3], dtype: 'float32' as const }],
  createdAt: '2026-11-27T00:00:00Z',
};

describe('checkpoints API', () => {
  let t: TestServer;
  let modelId: number;
  beforeAll(async () => {
    t = await startTestServer();
    const { registry } = t.server.app;
    modelId = (await registry.models.create({ name: 'vgg11', architecture: 'vgg11', inputShape: [32, 32, 3], numClasses: 10 })).id;
    for (let i = 0; i < 3; i++) {
      await registry.checkpoints.create({ modelId, weights: new Uint8Array(12).fill(i), manifest, aliases: i === 1 ? ['best'] : ['latest'] });
    }
  });
  afterAll(() => t.stop());

  it('lists a model’s checkpoints with aliases and the model, in pages', async () => {
    const p1 = (await t.gql(LIST, { modelId: String(modelId), first: 2 })).data!.checkpoints;
    expect(p1.totalCount).toBe(3);
    expect(p1.nodes).toHaveLength(2);
    expect(p1.nodes[0]).toMatchObject({ sizeBytes: 12, format: 'tfjs-layers', aliases: [], model: { name: 'vgg11' }, trainingRunId: null });
    expect(p1.nodes[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(p1.nodes[0].manifest.weightsSha256).toBe(p1.nodes[0].sha256);
    expect(p1.nodes[1].aliases).toEqual(['best']);
    const p2 = (await t.gql(LIST, { modelId: String(modelId), after: p1.pageInfo.endCursor })).data!.checkpoints;
    expect(pluck(p2.nodes, 'aliases')).toEqual([['latest']]);
    expect(p2.pageInfo.hasNextPage).toBe(false);
  });

  it('filters by alias and format', async () => {
    const best = (await t.gql(LIST, { modelId: String(modelId), filter: { alias: 'best' } })).data!.checkpoints;
    expect(pluck(best.nodes, 'aliases')).toEqual([['best']]);
    expect((await t.gql(LIST, { modelId: String(modelId), filter: { format: 'safetensors' } })).data!.checkpoints.totalCount).toBe(0);
  });

  it('NOT_FOUND for an unknown model, BAD_USER_INPUT for malformed arguments', async () => {
    expect(errorOf(await t.gql(LIST, { modelId: '999' }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(errorOf(await t.gql(LIST, { modelId: 'vgg' }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'modelId' });
    expect(errorOf(await t.gql(LIST, { modelId: String(modelId), after: 'bad' }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    expect(errorOf(await t.gql(LIST, { modelId: String(modelId), first: 1000 }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
  });
});
