// importOnnxModel over HTTP: an ONNX file exported by PyTorch becomes a model (architecture onnx;
// family, parameters and MACs as the fixture script computed them from the file) and its first
// checkpoint, from a path on the server, base64 or PUT /uploads. Refused files (unsupported op,
// truncated, garbage, outside the data roots) leave no model, checkpoint or stored file. Symbolic
// input sizes need inputShape; an onnx model can be neither created from the zoo nor trained.
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/registry/paths.js';
import { fixture } from '../unit/onnx/fixtures.js';
import { errorOf, startTestServer, type TestServer } from './harness.js';
import { dataOf, TINY } from './jobs-client.js';

const FIXTURE_DIR = join(PROJECT_ROOT, 'test', 'fixtures', 'onnx');
const IMPORT = `mutation($i: ImportOnnxModelInput!) { importOnnxModel(input: $i) {
  id format sha256 sizeBytes aliases source manifest annOnnxUrl
  model { id name architecture family pretraining parameterCount macs inputShape numClasses spec description } } }`;
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

describe('importOnnxModel', () => {
  let t: TestServer;
  const storedFiles = (): string[] => readdirSync(t.tmp.storeDir).filter((d) => /^[0-9a-f]{2}$/.test(d)).flatMap((d) => readdirSync(join(t.tmp.storeDir, d)));
  const counts = async () => {
    const d = dataOf(await t.gql('{ models { totalCount nodes { id } } }'));
    const checkpoints = await t.server.app.registry.prisma.checkpoint.count();
    return { models: d.models.totalCount as number, checkpoints, files: storedFiles().length };
  };
  const importOnnx = (input: Record<string, unknown>) => t.gql(IMPORT, { i: input });

  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.stop());

  it('registers a PyTorch VGG from a path on the server: model and first checkpoint in one step, figures from the graph', async () => {
    const f = fixture('fmnist_vgg');
    const cp = dataOf(await importOnnx({ name: 'vgg-fm', path: join(FIXTURE_DIR, 'fmnist_vgg.onnx'), aliases: ['best'], description: 'PyTorch 1.13' })).importOnnxModel;
    expect(cp).toMatchObject({ format: 'onnx', sha256: sha256(f.bytes), sizeBytes: f.bytes.length, aliases: ['best'], source: `imported from ${join(FIXTURE_DIR, 'fmnist_vgg.onnx')}`, annOnnxUrl: `/exports/checkpoints/${cp.id}/ann.onnx` });
    expect(cp.model).toEqual({
      id: expect.any(String), name: 'vgg-fm', architecture: 'onnx', family: f.family, pretraining: 'imported',
      parameterCount: f.parameterCount, macs: f.macs, inputShape: [28, 28, 1], numClasses: 10,
      spec: { architecture: 'onnx', inputShape: [28, 28, 1], numClasses: 10, task: 'classification' }, description: 'PyTorch 1.13',
    });
    expect(cp.manifest).toMatchObject({ format: 'onnx', weightSpecs: [], weightsSha256: sha256(f.bytes), onnx: { opset: 13, producer: { name: 'pytorch' }, inputLayout: 'NCHW' } });
    // content-addressed like every checkpoint: the stored file is the ONNX file itself
    expect(storedFiles()).toContain(sha256(f.bytes));
    const listed = dataOf(await t.gql('{ models(filter: { architecture: "onnx" }) { nodes { name } } checkpoints(modelId: 1) { nodes { id format } } }'));
    expect(listed.models.nodes).toEqual([{ name: 'vgg-fm' }]);
    expect(listed.checkpoints.nodes).toEqual([{ id: cp.id, format: 'onnx' }]);
  });

  it('registers uploaded bytes: base64, and a file streamed to PUT /uploads (consumed by the import)', async () => {
    const res = fixture('fmnist_resnet');
    const inline = dataOf(await importOnnx({ name: 'resnet-fm', base64: b64(res.bytes), pretraining: 'supervised' })).importOnnxModel;
    expect(inline.model).toMatchObject({ architecture: 'onnx', family: 'residual', pretraining: 'supervised', parameterCount: res.parameterCount, macs: res.macs });
    expect(inline.source).toBe('uploaded');

    const unet = fixture('unet_o13');
    const put = await fetch(`${t.base}/uploads`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array(unet.bytes) });
    const { uploadId } = (await put.json()) as { uploadId: string };
    const streamed = dataOf(await importOnnx({ name: 'unet', uploadId, source: 'unet_o13.onnx' })).importOnnxModel;
    expect(streamed).toMatchObject({ sha256: sha256(unet.bytes), source: 'unet_o13.onnx' });
    expect(streamed.model).toMatchObject({ family: 'encoder-decoder', inputShape: [16, 16, 1], numClasses: 1, spec: { task: 'segmentation' }, parameterCount: unet.parameterCount, macs: unet.macs });
    expect(errorOf(await importOnnx({ name: 'unet-again', uploadId })).code).toBe('NOT_FOUND');
  });

  it('refuses unsupported, truncated, garbage and empty files, and files outside the data roots, storing nothing', async () => {
    const before = await counts();
    const leaky = errorOf(await importOnnx({ name: 'leaky', base64: b64(fixture('unsupported_leaky').bytes) }));
    expect(leaky).toMatchObject({ code: 'BAD_USER_INPUT', field: 'base64' });
    // names the node, its op_type and what is supported
    expect(leaky.message).toMatch(/node '\/LeakyRelu' \(LeakyRelu\)/);
    expect(leaky.message).toMatch(/Supported operations: Conv, ConvTranspose, BatchNormalization, Relu/);

    const vgg = fixture('fmnist_vgg').bytes;
    for (const bytes of [vgg.subarray(0, 5000), vgg.subarray(0, vgg.length - 7), randomBytes(4096), Buffer.from('not an onnx model at all\n')]) {
      const e = errorOf(await importOnnx({ name: 'broken', base64: b64(bytes) }));
      expect(e.code).toBe('BAD_USER_INPUT');
      expect(e.message).toMatch(/invalid ONNX model|cannot import ONNX node/);
    }
    expect(errorOf(await importOnnx({ name: 'empty', base64: '' }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'base64' });
    expect(errorOf(await importOnnx({ name: 'text', base64: 'this is not base64!' }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'base64' });
    expect(errorOf(await importOnnx({ name: 'outside', path: '/etc/hostname' }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'path' });
    expect(errorOf(await importOnnx({ name: 'missing', path: join(FIXTURE_DIR, 'no-such.onnx') })).message).toMatch(/does not exist/);
    expect(errorOf(await importOnnx({ name: 'two', path: join(FIXTURE_DIR, 'vgg_o13.onnx'), base64: b64(vgg) })).code).toBe('BAD_USER_INPUT');
    // the name is checked before the file is read: CONFLICT, nothing stored
    expect(errorOf(await importOnnx({ name: 'vgg-fm', base64: b64(fixture('vgg_o13').bytes) })).code).toBe('CONFLICT');
    expect(errorOf(await importOnnx({ name: 'bad alias', base64: b64(vgg), aliases: ['no spaces'] })).code).toBe('BAD_USER_INPUT');
    expect(await counts()).toEqual(before);
  });

  it('takes the input shape where the graph leaves H and W symbolic, and checks what it fixes', async () => {
    const dyn = b64(fixture('unet_o13_dynhw').bytes);
    const symbolic = errorOf(await importOnnx({ name: 'unet-dyn', base64: dyn }));
    expect(symbolic.code).toBe('BAD_USER_INPUT');
    expect(symbolic.message).toMatch(/leaves H symbolic.*give inputShape \[height, width, channels\]/);
    const ok = dataOf(await importOnnx({ name: 'unet-dyn', base64: dyn, inputShape: [24, 32, 1] })).importOnnxModel;
    expect(ok.model).toMatchObject({ inputShape: [24, 32, 1], numClasses: 1, family: 'encoder-decoder', spec: { task: 'segmentation' } });
    expect(ok.model.macs).toBeGreaterThan(fixture('unet_o13_dynhw').macs); // 24×32 instead of 16×16

    const vgg = b64(fixture('vgg_o13').bytes); // fixed [3, 11, 11], 5 classes
    // said in the API's [height, width, channels], as given
    expect(errorOf(await importOnnx({ name: 'v1', base64: vgg, inputShape: [12, 11, 3] })).message).toMatch(/inputShape \[12, 11, 3\] disagrees with the model input '.*', whose H is fixed at 11/);
    expect(errorOf(await importOnnx({ name: 'v2', base64: vgg, numClasses: 7 })).message).toMatch(/numClasses 7 disagrees with the graph, whose output gives 5/);
    expect(errorOf(await importOnnx({ name: 'v3', base64: vgg, inputShape: [11, 11] })).code).toBe('BAD_USER_INPUT');
    expect(dataOf(await importOnnx({ name: 'v4', base64: vgg, inputShape: [11, 11, 3], numClasses: 5 })).importOnnxModel.model).toMatchObject({ inputShape: [11, 11, 3], numClasses: 5 });
  });

  it('keeps onnx models out of the zoo and out of training', async () => {
    const zoo = errorOf(await t.gql('mutation { createModel(input: { name: "z", architecture: "onnx", inputShape: [8, 8, 1], numClasses: 3 }) { id } }'));
    expect(zoo).toMatchObject({ code: 'BAD_USER_INPUT', field: 'architecture' });
    expect(zoo.message).toMatch(/importOnnxModel/);

    const ds = dataOf(await t.gql('mutation($i: RegisterDatasetInput!) { registerDataset(input: $i) { id } }', { i: { ...TINY.dataset, name: 'synth11', options: { ...TINY.dataset.options, size: 11, channels: 3, numClasses: 5 } } })).registerDataset.id;
    const model = dataOf(await t.gql('{ models(filter: { nameContains: "v4" }) { nodes { id checkpoints: id } } }')).models.nodes[0].id;
    const jobsBefore = dataOf(await t.gql('{ jobs { totalCount } }')).jobs.totalCount;
    const train = errorOf(await t.gql('mutation($i: StartTrainingInput!) { startTraining(input: $i) { id } }', { i: { modelId: model, datasetId: ds } }));
    expect(train).toMatchObject({ code: 'BAD_USER_INPUT', field: 'modelId' });
    expect(train.message).toMatch(/imported from an ONNX file.*not trained here/);
    expect(dataOf(await t.gql('{ jobs { totalCount } }')).jobs.totalCount).toBe(jobsBefore);

    const weights = errorOf(await t.gql('mutation($i: ImportCheckpointInput!) { importCheckpoint(input: $i) { id } }', { i: { modelId: model, format: 'safetensors', base64: 'AAAA' } }));
    expect(weights).toMatchObject({ code: 'BAD_USER_INPUT', field: 'modelId' });
  });
});
