import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { errorOf, pluck, startTestServer, type TestServer } from './harness.js';

const CREATE = `mutation($input: CreateModelInput!) { createModel(input: $input) { id name architecture family pretraining inputShape numClasses parameterCount macs spec } }`;
const LIST = `query($first: Int, $after: String, $filter: ModelFilter) { models(first: $first, after: $after, filter: $filter) { totalCount nodes { name family pretraining } pageInfo { hasNextPage endCursor } } }`;

describe('models API', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.stop());

  it('creates models with derived family and defaults', async () => {
    const r18 = await t.gql(CREATE, { input: { name: 'resnet18-simclr', architecture: 'resnet18', pretraining: 'contrastive', inputShape: [32, 32, 3], numClasses: 10, stem: 'cifar', parameterCount: 11173962, macs: 556e6 } });
    expect(r18.errors).toBeUndefined();
    expect(r18.data!.createModel).toMatchObject({ family: 'residual', pretraining: 'contrastive', inputShape: [32, 32, 3], parameterCount: 11173962, macs: 556e6 });
    expect(r18.data!.createModel.spec).toEqual({ architecture: 'resnet18', inputShape: [32, 32, 3], numClasses: 10, widthMultiplier: 1, stem: 'cifar' });
    const vgg = await t.gql(CREATE, { input: { name: 'vgg16', architecture: 'vgg16', inputShape: [32, 32, 3], numClasses: 10 } });
    expect(vgg.data!.createModel).toMatchObject({ family: 'plain', pretraining: 'none' });
    // without explicit figures the registry takes the zoo's exact counts (VGG-16 with BN, CIFAR head)
    expect(vgg.data!.createModel.parameterCount).toBe(14728266);
    expect(vgg.data!.createModel.macs).toBeGreaterThan(3.1e8);
    const unet = await t.gql(CREATE, { input: { name: 'unet', architecture: 'unet', inputShape: [64, 64, 1], numClasses: 1, depth: 3, baseWidth: 16 } });
    expect(unet.data!.createModel.family).toBe('encoder-decoder');
  });

  it('maps every error to a typed code', async () => {
    expect(errorOf(await t.gql(CREATE, { input: { name: 'vgg16', architecture: 'vgg16', inputShape: [32, 32, 3], numClasses: 10 } }))).toMatchObject({ code: 'CONFLICT', field: 'name' });
    expect(errorOf(await t.gql(CREATE, { input: { name: 'x', architecture: 'alexnet', inputShape: [32, 32, 3], numClasses: 10 } }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'architecture' });
    expect(errorOf(await t.gql(CREATE, { input: { name: 'x', architecture: 'vgg11', family: 'residual', inputShape: [32, 32, 3], numClasses: 10 } }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'family' });
    expect(errorOf(await t.gql(CREATE, { input: { name: 'x', architecture: 'vgg11', inputShape: [32, 32, 3], numClasses: 0 } }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'numClasses' });
    // a UNet whose input the decoder cannot mirror is refused before anything is stored
    expect(errorOf(await t.gql(CREATE, { input: { name: 'x', architecture: 'unet', inputShape: [30, 30, 1], numClasses: 1, depth: 3 } }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'inputShape' });
    expect(errorOf(await t.gql(CREATE, { input: { name: 'x', architecture: 'vgg11', pretraining: 'magic', inputShape: [32, 32, 3], numClasses: 2 } }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'pretraining' });
    expect(errorOf(await t.gql(`{ model(id: "77") { id } }`))).toMatchObject({ code: 'NOT_FOUND' });
    expect(errorOf(await t.gql(`{ models { nodes { nonexistent } } }`))).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED' });
  });

  it('lists with filters and pages', async () => {
    const all = (await t.gql(LIST, { first: 2 })).data!.models;
    expect(all.totalCount).toBe(3);
    expect(all.pageInfo.hasNextPage).toBe(true);
    const rest = (await t.gql(LIST, { first: 2, after: all.pageInfo.endCursor })).data!.models;
    expect(pluck(rest.nodes, 'name')).toEqual(['unet']);
    expect((await t.gql(LIST, { filter: { family: 'residual' } })).data!.models.nodes).toEqual([{ name: 'resnet18-simclr', family: 'residual', pretraining: 'contrastive' }]);
    expect((await t.gql(LIST, { filter: { pretraining: 'none', architecture: 'vgg16' } })).data!.models.totalCount).toBe(1);
    expect(errorOf(await t.gql(LIST, { filter: { family: 'recurrent' } }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.family' });
    expect((await t.gql(`{ model(id: "1") { name } }`)).data!.model.name).toBe('resnet18-simclr');
  });

  it('streams modelCreated over graphql-ws on the same path', async () => {
    const client = createClient({ url: `ws://127.0.0.1:${t.server.port}/graphql`, webSocketImpl: WebSocket, lazy: false });
    try {
      const received = new Promise<unknown>((resolve, reject) => {
        client.subscribe({ query: 'subscription { modelCreated { name family } }' }, { next: resolve, error: reject, complete: () => undefined });
      });
      // the subscription is registered once the server acknowledges it; retry creating until it arrives
      let n = 0;
      const timer = setInterval(() => void t.gql(CREATE, { input: { name: `ws-${n++}`, architecture: 'cnn-small', inputShape: [28, 28, 1], numClasses: 10 } }), 200);
      const msg = (await received) as { data: { modelCreated: { name: string; family: string } } };
      clearInterval(timer);
      expect(msg.data.modelCreated).toMatchObject({ family: 'plain' });
      expect(msg.data.modelCreated.name).toMatch(/^ws-\d+$/);
    } finally {
      await client.dispose();
    }
  });
});
