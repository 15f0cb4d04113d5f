// The typed client against a live server: register, train with a progress callback, convert,
// compare as a typed matrix; server errors keep their codes, transport errors get client codes.
import { connect, SpikelabError } from '../../client/index.js';
import { seed, startLiveServer, type LiveServer, type Seeded, TINY_DATASET } from './harness.js';

describe('typed client', () => {
  let live: LiveServer;
  let seeded: Seeded;

  beforeAll(async () => {
    live = await startLiveServer();
    seeded = await seed(live.client);
  });
  afterAll(async () => live?.stop());

  test('train/convert wait for their jobs and report monotone progress ending in SUCCEEDED', () => {
    for (const events of seeded.progress) {
      expect(events.length).toBeGreaterThanOrEqual(2);
      const fractions = events.map((e) => e.progress);
      expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
      expect(events.at(-1)).toMatchObject({ status: 'SUCCEEDED', progress: 1, kind: 'training' });
    }
    expect(seeded.runs.map((r) => r.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(seeded.runs.map((r) => r.checkpoint.model.architecture)).toEqual(['cnn-small', 'resnet18']);
  });

  test('compare returns the typed backbone × step matrix', async () => {
    const m = await live.client.compare({ filter: { datasetId: seeded.datasetId }, steps: [1, 4, 16] });
    expect(m.metric).toBe('accuracy');
    expect(m.steps).toEqual([1, 4, 16]);
    expect(m.rows.map((r) => r.backbone).sort()).toEqual(['plain-tiny', 'residual-tiny']);
    for (const r of m.rows) {
      expect(r.values).toHaveLength(3);
      for (const v of r.values) expect(v).toBeGreaterThanOrEqual(0);
      expect(Math.abs(r.lossAtT - (r.annValue - (r.values[2] ?? NaN)))).toBeLessThan(1e-9);
    }
  });

  test('names resolve to ids; step metrics and job listing are typed', async () => {
    expect((await live.client.findDataset('synth')).id).toBe(seeded.datasetId);
    const cp = await live.client.resolveCheckpoint('plain-tiny');
    expect(cp).toBe(seeded.runs[0]!.checkpointId);
    const points = await live.client.stepMetrics(seeded.runs[0]!.id, 'accuracy', { steps: [4, 8] });
    expect(points.map((p) => p.step)).toEqual([4, 8]);
    const jobs = await live.client.jobs({ kind: 'conversion' });
    expect(jobs.map((j) => j.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
  });

  test('server errors keep their extensions.code', async () => {
    await expect(live.client.registerDataset(TINY_DATASET)).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(live.client.findModel('no-such-model')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(live.client.job('999999')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(live.client.waitForJob('999999')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  test('an unreachable server is CONNECTION_FAILED, a bad URL BAD_USER_INPUT', async () => {
    const dead = connect('http://127.0.0.1:9');
    await expect(dead.datasets()).rejects.toMatchObject({ code: 'CONNECTION_FAILED' });
    await dead.close();
    expect(() => connect('not a url')).toThrow(SpikelabError);
  });
});
