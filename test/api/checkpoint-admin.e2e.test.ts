/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-call -- GraphQL results are untyped JSON; the assertions pin their shape */
// importCheckpoint (uploaded or on the server's disk, checked against the architecture), setAlias,
// soft delete with store garbage collection, and an engine failure surfacing as FAILED + reason.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from 'graphql-ws';
import { initBackend } from '../../src/engine/backend/index.js';
import { exportSafetensors, saveCheckpoint } from '../../src/engine/checkpoint/index.js';
import { buildModel } from '../../src/engine/zoo/index.js';
import type { ZooModelSpec } from '../../src/formats/model.js';
import { errorOf, startTestServer, type TestServer } from './harness.js';
import { writeTinyIdx } from './idx-fixture.js';
import { collect, dataOf, JOB_FIELDS, TINY, wsClient } from './jobs-client.js';

/** The spec the server stores for TINY.model. */
const TINY_SPEC: ZooModelSpec = { architecture: 'cnn-small', inputShape: [8, 8, 1], numClasses: 3, widthMultiplier: TINY.model.widthMultiplier };

function safetensorsOf(widthMultiplier: number, seed = 3): Uint8Array {
  const model = buildModel({ ...TINY_SPEC, widthMultiplier }, { seed });
  try {
    return exportSafetensors(model);
  } finally {
    model.dispose();
  }
}

describe('checkpoint import, aliases, deletion', () => {
  let t: TestServer;
  let ws: Client;
  let modelId: string;
  let datasetId: string;
  let imported: string;
  const IMPORT = 'mutation($i: ImportCheckpointInput!) { importCheckpoint(input: $i) { id format aliases sha256 manifest } }';

  beforeAll(async () => {
    await initBackend('cpu');
    t = await startTestServer();
    ws = wsClient(t.base);
    datasetId = dataOf(await t.gql('mutation($i: RegisterDatasetInput!) { registerDataset(input: $i) { id } }', { i: TINY.dataset })).registerDataset.id;
    modelId = dataOf(await t.gql('mutation($i: CreateModelInput!) { createModel(input: $i) { id } }', { i: TINY.model })).createModel.id;
  });
  afterAll(async () => {
    await ws.dispose();
    await t.stop();
  });

  it('imports uploaded safetensors that fit the architecture', async () => {
    const base64 = Buffer.from(safetensorsOf(0.25)).toString('base64');
    const cp = dataOf(await t.gql(IMPORT, { i: { modelId, format: 'safetensors', base64, aliases: ['paper'] } })).importCheckpoint;
    expect(cp).toMatchObject({ format: 'safetensors', aliases: ['paper'] });
    expect(cp.manifest.weightSpecs.length).toBeGreaterThan(0);
    imported = cp.id;
  });

  it('imports a file on the server and refuses misfits before storing anything', async () => {
    const dir = join(t.tmp.dir, 'incoming');
    mkdirSync(dir);
    writeFileSync(join(dir, 'ok.safetensors'), safetensorsOf(0.25, 4));
    writeFileSync(join(dir, 'wide.safetensors'), safetensorsOf(0.5));
    expect(dataOf(await t.gql(IMPORT, { i: { modelId, format: 'safetensors', path: join(dir, 'ok.safetensors') } })).importCheckpoint.id).toBeTruthy();
    const wide = errorOf(await t.gql(IMPORT, { i: { modelId, format: 'safetensors', path: join(dir, 'wide.safetensors') } }));
    expect(wide.code).toBe('BAD_USER_INPUT');
    expect(wide.message).toMatch(/does not fit cnn-small.*conv1/);
    expect(errorOf(await t.gql(IMPORT, { i: { modelId, format: 'safetensors', path: join(dir, 'nope.safetensors') } })).code).toBe('BAD_USER_INPUT');
    expect(errorOf(await t.gql(IMPORT, { i: { modelId, format: 'safetensors' } })).code).toBe('BAD_USER_INPUT');
    expect(errorOf(await t.gql(IMPORT, { i: { modelId: '4242', format: 'safetensors', base64: 'AAAA' } })).code).toBe('NOT_FOUND');
    expect(dataOf(await t.gql('query($m: ID!) { checkpoints(modelId: $m) { totalCount } }', { m: modelId })).checkpoints.totalCount).toBe(2);
  });

  it('imports tfjs-layers weights: model.json + .bin on disk, or bytes + weightSpecs', async () => {
    const spec = TINY_SPEC;
    const model = buildModel(spec, { seed: 5 });
    const ckpt = await saveCheckpoint(model, spec);
    model.dispose();
    const dir = join(t.tmp.dir, 'tfjs');
    mkdirSync(dir);
    writeFileSync(join(dir, 'weights.bin'), ckpt.weights);
    writeFileSync(join(dir, 'model.json'), JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ['weights.bin'], weights: ckpt.manifest.weightSpecs }] }));
    const fromDisk = dataOf(await t.gql(IMPORT, { i: { modelId, format: 'tfjs-layers', path: join(dir, 'model.json') } })).importCheckpoint;
    expect(fromDisk.sha256).toBe(ckpt.manifest.weightsSha256);
    const base64 = Buffer.from(ckpt.weights).toString('base64');
    const uploaded = dataOf(await t.gql(IMPORT, { i: { modelId, format: 'tfjs-layers', base64, weightSpecs: ckpt.manifest.weightSpecs } })).importCheckpoint;
    expect(uploaded.sha256).toBe(fromDisk.sha256);
    const truncated = errorOf(await t.gql(IMPORT, { i: { modelId, format: 'tfjs-layers', base64: Buffer.from(ckpt.weights.subarray(0, 64)).toString('base64'), weightSpecs: ckpt.manifest.weightSpecs } }));
    expect(truncated.code).toBe('BAD_USER_INPUT');
    for (const id of [fromDisk.id, uploaded.id]) dataOf(await t.gql('mutation($id: ID!) { deleteCheckpoint(id: $id) { id } }', { id }));
  });

  it('converts an imported UNet on segmentation data and keeps figure panels', async () => {
    const spec = { architecture: 'unet', inputShape: [16, 16, 1], numClasses: 1, widthMultiplier: 1, depth: 1, baseWidth: 4 };
    const unet = buildModel(spec as ZooModelSpec, { seed: 2 });
    const base64 = Buffer.from(exportSafetensors(unet)).toString('base64');
    unet.dispose();
    const m = dataOf(await t.gql('mutation($i: CreateModelInput!) { createModel(input: $i) { id } }', { i: { name: 'unet-tiny', ...spec } })).createModel.id;
    const d = dataOf(await t.gql('mutation($i: RegisterDatasetInput!) { registerDataset(input: $i) { id } }', { i: { name: 'seg', format: 'synthetic-segmentation', options: { size: 16, trainCount: 8, testCount: 4 } } })).registerDataset.id;
    const cp = dataOf(await t.gql(IMPORT, { i: { modelId: m, format: 'safetensors', base64 } })).importCheckpoint.id;
    const run = dataOf(await t.gql('mutation($i: StartConversionInput!) { startConversion(input: $i) { id jobId } }', { i: { checkpointId: cp, datasetId: d, config: { timeSteps: 4, batchSize: 4 } } })).startConversion;
    const events = await collect<{ jobProgress: Record<string, any> }>(ws, `subscription($id: ID!) { jobProgress(id: $id) { ${JOB_FIELDS} } }`, { id: run.jobId });
    expect(events.at(-1)!.jobProgress.status).toBe('SUCCEEDED');
    const cr = dataOf(await t.gql('query($id: ID!) { conversionRun(id: $id) { task primaryMetric metricNames panels { width height label snn } } }', { id: run.id })).conversionRun;
    expect(cr).toMatchObject({ task: 'segmentation', primaryMetric: 'softDice' });
    expect(cr.metricNames).toContain('softDice');
    expect(cr.panels.length).toBeGreaterThan(0);
    expect(cr.panels[0]).toMatchObject({ width: 16, height: 16 });
    expect(cr.panels[0].snn).toHaveLength(256);
  });

  it('moves an alias with setAlias', async () => {
    const cp = dataOf(await t.gql('mutation($i: SetAliasInput!) { setAlias(input: $i) { id aliases } }', { i: { checkpointId: imported, alias: 'best' } })).setAlias;
    expect(cp.id).toBe(imported);
    const best = dataOf(await t.gql('query($m: ID!) { checkpoints(modelId: $m, filter: { alias: "best" }) { nodes { id aliases } } }', { m: modelId })).checkpoints.nodes;
    expect(best).toEqual([{ id: imported, aliases: ['best', 'paper'] }]);
  });

  it('reports an engine failure as FAILED with the reason, in job and subscription', async () => {
    // registered while its files were there (registration checks the layout), gone by the time it runs
    const vanished = writeTinyIdx(join(t.tmp.dir, 'vanishing-idx'));
    const broken = dataOf(await t.gql('mutation($i: RegisterDatasetInput!) { registerDataset(input: $i) { id } }', { i: { name: 'broken', format: 'idx', path: vanished, imageShape: [8, 8, 1], numClasses: 3 } })).registerDataset.id;
    rmSync(vanished, { recursive: true });
    const run = dataOf(await t.gql('mutation($i: StartConversionInput!) { startConversion(input: $i) { id jobId } }', { i: { checkpointId: imported, datasetId: broken, config: { timeSteps: 4 } } })).startConversion;
    const events = await collect<{ jobProgress: Record<string, any> }>(ws, `subscription($id: ID!) { jobProgress(id: $id) { ${JOB_FIELDS} } }`, { id: run.jobId });
    const last = events.at(-1)!.jobProgress;
    expect(last.status).toBe('FAILED');
    expect(last.error).toMatch(/not found|no such file|ENOENT/i);
    const cr = dataOf(await t.gql('query($id: ID!) { conversionRun(id: $id) { status error job { status error } } }', { id: run.id })).conversionRun;
    expect(cr).toMatchObject({ status: 'FAILED', job: { status: 'FAILED', error: last.error } });
    expect(cr.error).toBe(last.error);
  });

  it('soft-deletes a checkpoint and collects its file; runs keep their history', async () => {
    const cpBefore = dataOf(await t.gql('query($m: ID!) { checkpoints(modelId: $m) { nodes { id sha256 } } }', { m: modelId })).checkpoints.nodes;
    const other = cpBefore.find((c: { id: string }) => c.id !== imported);
    const res = dataOf(await t.gql('mutation($id: ID!) { deleteCheckpoint(id: $id) { id filesDeleted filesKept } }', { id: other.id })).deleteCheckpoint;
    expect(res.filesDeleted).toBe(1);
    expect(dataOf(await t.gql('{ conversionRuns { totalCount } }')).conversionRuns.totalCount).toBe(2);
    const gone = dataOf(await t.gql('mutation($id: ID!) { deleteModel(id: $id) { filesDeleted } }', { id: modelId })).deleteModel;
    expect(gone.filesDeleted).toBe(1);
    expect(errorOf(await t.gql('query($id: ID!) { model(id: $id) { id } }', { id: modelId })).code).toBe('NOT_FOUND');
    expect(errorOf(await t.gql('mutation($i: StartConversionInput!) { startConversion(input: $i) { id } }', { i: { checkpointId: imported, datasetId } })).code).toBe('NOT_FOUND');
  });
});
