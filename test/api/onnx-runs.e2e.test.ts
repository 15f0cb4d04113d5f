/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument -- GraphQL results are untyped JSON; the assertions pin their shape */
// Imported models go where zoo models go, over HTTP: an ONNX classifier exported by PyTorch is
// converted by a job on ONNX Runtime and compared beside a zoo model. A trained zoo checkpoint's ANN
// downloads as ONNX and imports again; that run's SNN, downloaded from its snnOnnxUrl and run
// outside the engine with plain onnxruntime-node, reproduces the stored per-step accuracy exactly
// (a trained model: its accuracy moves with the steps, unlike the random fixture's). Every
// checkpoint's ANN downloads: the imported one gives PyTorch's outputs, a trained zoo one gives
// what TensorFlow.js computes with its weights.
// An imported UNet (symbolic H and W given at import) converts on segmentation data. Downloads
// need the same token as queries once tokens exist.
import * as tf from '@tensorflow/tfjs-core';
import { loadDataset } from '../../src/data/load.js';
import { initBackend } from '../../src/engine/backend/index.js';
import { loadCheckpoint } from '../../src/engine/checkpoint/index.js';
import { datasetSpecOf } from '../../src/registry/runs.js';
import { fixture } from '../unit/onnx/fixtures.js';
import { startTestServer, type TestServer } from './harness.js';
import { dataOf, TINY, waitFor } from './jobs-client.js';
import { contractOf, runAnnFile, snnAccuracyPerStep, toNchw } from './onnx-files.js';

const IMPORT = 'mutation($i: ImportOnnxModelInput!) { importOnnxModel(input: $i) { id annOnnxUrl model { id name } } }';
const RUN = `query($id: ID!) { conversionRun(id: $id) { id status error backendUsed samples annValue snnOnnxUrl timeSteps task panels { width }
  all: stepMetrics(name: "accuracy") { step value } layerStats { kind } checkpoint { model { architecture family } } } }`;
const maxAbsDiff = (a: Float32Array, b: Float32Array): number => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

describe('imported ONNX models through conversion, compare and export', () => {
  let t: TestServer;
  let datasetId: string;
  let onnxRunId: string;
  let zooCheckpointId: string;

  const get = (path: string, token?: string) => fetch(`${t.base}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  const bytesOf = async (res: Response): Promise<Uint8Array> => new Uint8Array(await res.arrayBuffer());
  async function convert(checkpointId: string, dsId: string, config: Record<string, unknown>): Promise<Record<string, any>> {
    const run = dataOf(await t.gql('mutation($i: StartConversionInput!) { startConversion(input: $i) { id } }', { i: { checkpointId, datasetId: dsId, backend: 'cpu', config } })).startConversion;
    return waitFor(async () => {
      const r = dataOf(await t.gql(RUN, { id: run.id })).conversionRun;
      return r.status === 'QUEUED' || r.status === 'RUNNING' ? undefined : r;
    }, 120_000, `conversion run ${run.id}`);
  }

  beforeAll(async () => {
    await initBackend('cpu');
    t = await startTestServer();
    const ds = { name: 'synth11', format: 'synthetic-classification', options: { size: 11, channels: 3, numClasses: 5, trainCount: 64, testCount: 40, noise: 0.3, seed: 4 } };
    datasetId = dataOf(await t.gql('mutation($i: RegisterDatasetInput!) { registerDataset(input: $i) { id } }', { i: ds })).registerDataset.id;
  });
  afterAll(() => t.stop());

  it('converts an imported PyTorch VGG on ONNX Runtime and compares it beside a zoo model', async () => {
    const cp = dataOf(await t.gql(IMPORT, { i: { name: 'vgg-torch', base64: Buffer.from(fixture('vgg_o13').bytes).toString('base64') } })).importOnnxModel;
    const run = await convert(cp.id, datasetId, { timeSteps: 12, batchSize: 16 });
    expect(run).toMatchObject({ status: 'SUCCEEDED', error: null, backendUsed: 'cpu', samples: 40, task: 'classification', timeSteps: 12, snnOnnxUrl: `/exports/conversion-runs/${run.id}/snn.onnx` });
    expect(run.checkpoint.model).toEqual({ architecture: 'onnx', family: 'plain' });
    expect(run.all).toHaveLength(12);
    expect(run.layerStats.filter((l: { kind: string }) => l.kind === 'if')).toHaveLength(fixture('vgg_o13').reluSites);
    onnxRunId = run.id;

    const zoo = dataOf(await t.gql('mutation($i: CreateModelInput!) { createModel(input: $i) { id } }', { i: { name: 'cnn-zoo', architecture: 'cnn-small', inputShape: [11, 11, 3], numClasses: 5, widthMultiplier: 0.25 } })).createModel.id;
    const tr = dataOf(await t.gql('mutation($i: StartTrainingInput!) { startTraining(input: $i) { id } }', { i: { modelId: zoo, datasetId, config: { ...TINY.training, epochs: 1 } } })).startTraining;
    zooCheckpointId = await waitFor(async () => dataOf(await t.gql('query($id: ID!) { trainingRun(id: $id) { resultCheckpointId } }', { id: tr.id })).trainingRun.resultCheckpointId ?? undefined, 120_000, 'training');
    const zooRun = await convert(zooCheckpointId, datasetId, { timeSteps: 12, batchSize: 16 });
    expect(zooRun.status).toBe('SUCCEEDED');

    const m = dataOf(await t.gql('query($ids: [ID!]) { compare(runIds: $ids, steps: [1, 12]) { rows { conversionRunId backbone architecture family annValue values } } }', { ids: [onnxRunId, zooRun.id] })).compare;
    expect(m.rows.map((r: { backbone: string; architecture: string; family: string }) => [r.backbone, r.architecture, r.family]).sort()).toEqual([['cnn-zoo', 'cnn-small', 'plain'], ['vgg-torch', 'onnx', 'plain']]);
    const onnxRow = m.rows.find((r: { conversionRunId: string }) => r.conversionRunId === onnxRunId);
    expect(onnxRow.values).toEqual([run.all[0].value, run.all[11].value]);
    const filtered = dataOf(await t.gql('{ conversionRuns(filter: { architecture: "onnx" }) { nodes { id } } }')).conversionRuns.nodes;
    expect(filtered).toEqual([{ id: onnxRunId }]);
  });

  it("an ANN exported from a trained zoo checkpoint imports again; the run's SNN downloads and reproduces its stored per-step accuracy exactly", async () => {
    // round trip: the zoo checkpoint's ANN as ONNX, imported as a model of its own
    const zoo = dataOf(await t.gql('query($id: ID!) { checkpoint(id: $id) { annOnnxUrl } }', { id: zooCheckpointId })).checkpoint;
    const annFile = await bytesOf(await get(zoo.annOnnxUrl));
    const cp = dataOf(await t.gql(IMPORT, { i: { name: 'cnn-roundtrip', base64: Buffer.from(annFile).toString('base64') } })).importOnnxModel;
    const run = await convert(cp.id, datasetId, { timeSteps: 12, batchSize: 16 });
    expect(run).toMatchObject({ status: 'SUCCEEDED', checkpoint: { model: { architecture: 'onnx', family: 'plain' } } });
    // the same weights on the same samples: the ANN accuracy of the zoo run (within one sample of 40)
    const zooAnn = dataOf(await t.gql('{ conversionRuns(filter: { architecture: "cnn-small" }) { nodes { annValue } } }')).conversionRuns.nodes[0].annValue as number;
    expect(Math.abs(run.annValue - zooAnn)).toBeLessThanOrEqual(1 / 40 + 1e-9);

    const res = await get(run.snnOnnxUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="conversion-run-${run.id}-snn.onnx"`);
    const bytes = await bytesOf(res);
    expect(contractOf(bytes)).toMatchObject({ kind: 'snn', timeSteps: 12, input: { name: 'input', shape: [3, 11, 11] }, output: { shape: [5] } });
    // the run's own test samples, read as the worker read them
    const data = await loadDataset(datasetSpecOf(await t.server.app.registry.datasets.get(Number(datasetId))));
    const acc = await snnAccuracyPerStep(bytes, data.test.images, data.test.labels, data.test.count, [11, 11, 3], 16);
    expect(acc).toEqual(run.all.map((p: { value: number }) => p.value));
    expect(new Set(acc).size).toBeGreaterThan(1);

    // and the imported PyTorch VGG's SNN is a standalone file with its states as inputs
    const vgg = contractOf(await bytesOf(await get(`/exports/conversion-runs/${onnxRunId}/snn.onnx`))) as { states: unknown[]; input: { shape: number[] } };
    expect(vgg.input.shape).toEqual([3, 11, 11]);
    expect(vgg.states.length).toBeGreaterThanOrEqual(fixture('vgg_o13').reluSites);
  });

  it("every checkpoint's ANN downloads: the imported one gives PyTorch's outputs, a trained zoo one TensorFlow.js's", async () => {
    const f = fixture('vgg_o13');
    const cp = dataOf(await t.gql('{ models(filter: { nameContains: "vgg-torch" }) { nodes { id } } }')).models.nodes[0];
    const checkpoint = dataOf(await t.gql('query($m: ID!) { checkpoints(modelId: $m) { nodes { id annOnnxUrl } } }', { m: cp.id })).checkpoints.nodes[0];
    const imported = await bytesOf(await get(checkpoint.annOnnxUrl));
    expect(maxAbsDiff(await runAnnFile(imported, f.input.data, f.input.shape), f.output.data)).toBeLessThanOrEqual(1e-4);

    const zoo = dataOf(await t.gql('query($id: ID!) { checkpoint(id: $id) { annOnnxUrl } }', { id: zooCheckpointId })).checkpoint;
    const exported = await bytesOf(await get(zoo.annOnnxUrl));
    const stored = await t.server.app.registry.checkpoints.get(Number(zooCheckpointId));
    const model = await loadCheckpoint({ manifest: stored.manifest, weights: new Uint8Array(await t.server.app.registry.checkpoints.readWeights(stored.id)) });
    const data = await loadDataset(datasetSpecOf(await t.server.app.registry.datasets.get(Number(datasetId))));
    const n = 6;
    const x = data.test.images.slice(0, n * 11 * 11 * 3);
    const ref = tf.tidy(() => (model.predict(tf.tensor(x, [n, 11, 11, 3])) as tf.Tensor).dataSync() as Float32Array);
    model.dispose();
    expect(maxAbsDiff(await runAnnFile(exported, toNchw(x, n, [11, 11, 3]), [n, 3, 11, 11]), ref)).toBeLessThanOrEqual(1e-4);
  });

  it('an imported UNet with symbolic H and W converts on segmentation data and exports its SNN', async () => {
    const seg = dataOf(await t.gql('mutation($i: RegisterDatasetInput!) { registerDataset(input: $i) { id } }', { i: { name: 'seg', format: 'synthetic-segmentation', options: { size: 16, trainCount: 8, testCount: 4, seed: 2 } } })).registerDataset.id;
    const cp = dataOf(await t.gql(IMPORT, { i: { name: 'unet-torch', base64: Buffer.from(fixture('unet_o13_dynhw').bytes).toString('base64'), inputShape: [16, 16, 1] } })).importOnnxModel;
    const run = await convert(cp.id, seg, { timeSteps: 4, batchSize: 4 });
    expect(run).toMatchObject({ status: 'SUCCEEDED', task: 'segmentation', checkpoint: { model: { architecture: 'onnx', family: 'encoder-decoder' } } });
    expect(run.panels.length).toBeGreaterThan(0);
    const bytes = await bytesOf(await get(run.snnOnnxUrl));
    expect(contractOf(bytes)).toMatchObject({ kind: 'snn', input: { shape: [1, 16, 16] }, output: { shape: [1, 16, 16] } });
  });

  it('a CLIP-style model with attention pooling converts as a hybrid run: stored and served as hybrid with its analog ops; its SNN file (analog head inside) reproduces the stored per-step accuracy', async () => {
    const cp = dataOf(await t.gql(IMPORT, { i: { name: 'clip-rn-tiny', base64: Buffer.from(fixture('clip_rn_attnpool').bytes).toString('base64') } })).importOnnxModel;
    const ds = { name: 'synth64', format: 'synthetic-classification', options: { size: 64, channels: 3, numClasses: 10, trainCount: 16, testCount: 16, noise: 0.3, seed: 5 } };
    const dsId = dataOf(await t.gql('mutation($i: RegisterDatasetInput!) { registerDataset(input: $i) { id } }', { i: ds })).registerDataset.id;
    const run = await convert(cp.id, dsId, { timeSteps: 16, batchSize: 16, calibrationBatches: 1 });
    expect(run).toMatchObject({ status: 'SUCCEEDED', error: null, samples: 16, snnOnnxUrl: `/exports/conversion-runs/${run.id}/snn.onnx` });
    const h = dataOf(await t.gql('query($id: ID!) { conversionRun(id: $id) { hybrid analogOps warnings } }', { id: run.id })).conversionRun;
    expect(h.hybrid).toBe(true);
    expect(h.analogOps).toEqual(expect.arrayContaining(['MatMul', 'Softmax', 'ReduceMean', 'Gemm']));
    expect(h.warnings.some((w: string) => w.startsWith('hybrid:'))).toBe(true);
    const plain = dataOf(await t.gql('query($id: ID!) { conversionRun(id: $id) { hybrid analogOps } }', { id: onnxRunId })).conversionRun;
    expect(plain).toEqual({ hybrid: false, analogOps: [] });
    // the SNN file holds the analog head: run outside the engine on the run's test samples, it gives the stored accuracy after every step
    const res = await get(run.snnOnnxUrl);
    expect(res.status).toBe(200);
    const bytes = await bytesOf(res);
    expect(contractOf(bytes)).toMatchObject({ kind: 'snn', timeSteps: 16, input: { shape: [3, 64, 64] }, output: { shape: [10] } });
    const data = await loadDataset(datasetSpecOf(await t.server.app.registry.datasets.get(Number(dsId))));
    const acc = await snnAccuracyPerStep(bytes, data.test.images, data.test.labels, data.test.count, [64, 64, 3], 16);
    expect(acc).toEqual(run.all.map((p: { value: number }) => p.value));
  });

  it('answers a missing, unfinished or malformed export with the error code and its HTTP status', async () => {
    const notFound = await get('/exports/conversion-runs/999999/snn.onnx');
    expect(notFound.status).toBe(404);
    expect(await notFound.json()).toMatchObject({ errors: [{ extensions: { code: 'NOT_FOUND' } }] });
    expect((await get('/exports/checkpoints/abc/ann.onnx')).status).toBe(400);
    // a run that did not succeed has no SNN (and no URL)
    const queued = dataOf(await t.gql('mutation($i: StartConversionInput!) { startConversion(input: $i) { id snnOnnxUrl jobId } }', { i: { checkpointId: zooCheckpointId, datasetId, config: { timeSteps: 4096, batchSize: 4 } } })).startConversion;
    expect(queued.snnOnnxUrl).toBeNull();
    const early = await get(`/exports/conversion-runs/${queued.id}/snn.onnx`);
    expect(early.status).toBe(400);
    expect(((await early.json()) as { errors: { message: string }[] }).errors[0]!.message).toMatch(/only a SUCCEEDED run has an SNN/);
    dataOf(await t.gql('mutation($id: ID!) { cancelJob(id: $id) { id } }', { id: queued.jobId }));
  });

  it('needs a token once tokens exist, like every query', async () => {
    const reader = (await t.server.app.registry.tokens.create('reader', 'reader')).secret;
    await new Promise((r) => setTimeout(r, 2100)); // the "any token exists" answer is cached for 2 s
    const path = `/exports/conversion-runs/${onnxRunId}/snn.onnx`;
    const anonymous = await get(path);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] });
    expect((await get(path, 'not-a-token')).status).toBe(401);
    expect((await get(path, reader)).status).toBe(200);
  });
});
