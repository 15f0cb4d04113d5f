/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call -- GraphQL results are untyped JSON; the assertions pin their shape */
// Issue 12 end to end over HTTP on a temporary database, with real (tiny) training and conversion:
// a sweep is the cross product for each checkpoint and its runs are ordinary conversion runs that
// point back to it; the engine's work is counted; the pivot shows the stored per-step metrics;
// a sweep can be cancelled; identical requests (standalone or inside a sweep) are answered from the
// registry unless forced, and only when content, data, subset, config and engine version are equal.
import { ENGINE_VERSION } from '../../src/engine/version.js';
import { crossProduct, type SweepAxes } from '../../src/formats/index.js';
import { errorOf, startTestServer, type TestServer } from './harness.js';
import { dataOf, TINY, waitFor } from './jobs-client.js';

const RUN = 'id status sweepId cached engineVersion checkpointId timeSteps percentile gamma maxPool batchSize maxSamples primaryMetric annValue job { id kind }';
const SWEEP = `id status pointCount pointsDone cachedPoints progress message sweptAxes calibrations simulations error
  work { checkpointId points calibrations simulations job { id kind status sweepId } }
  points { position checkpointId cached run { ${RUN} } }`;

describe('sweeps and identical requests', () => {
  let t: TestServer;
  let datasetId: string;
  const cp: Record<'a' | 'b' | 'aSame' | 'aOther', string> = { a: '', b: '', aSame: '', aOther: '' };
  const sha: Record<string, string> = {};
  let firstSweep: Record<string, any>;

  const q = async (query: string, variables?: Record<string, unknown>): Promise<Record<string, any>> => dataOf(await t.gql(query, variables));
  const startSweep = async (input: Record<string, unknown>): Promise<Record<string, any>> => (await q(`mutation($i: StartSweepInput!) { startSweep(input: $i) { ${SWEEP} } }`, { i: { datasetId, ...input } })).startSweep;
  const sweep = async (id: string): Promise<Record<string, any>> => (await q(`query($id: ID!) { sweep(id: $id) { ${SWEEP} } }`, { id })).sweep;
  const finished = (id: string, timeoutMs = 120_000): Promise<Record<string, any>> =>
    waitFor(async () => {
      const s = await sweep(id);
      return s.status === 'QUEUED' || s.status === 'RUNNING' ? undefined : s;
    }, timeoutMs, `sweep ${id} to end`);
  const convert = async (input: Record<string, unknown>): Promise<Record<string, any>> =>
    (await q(`mutation($i: StartConversionInput!) { startConversion(input: $i) { ${RUN} } }`, { i: { datasetId, config: { timeSteps: 8, batchSize: 16, gamma: 5, percentile: 0.99 }, ...input } })).startConversion;
  const counts = async (): Promise<{ jobs: number; runs: number; sweeps: number }> => {
    const d = await q('{ jobs { totalCount } conversionRuns { totalCount } sweeps { totalCount } }');
    return { jobs: d.jobs.totalCount, runs: d.conversionRuns.totalCount, sweeps: d.sweeps.totalCount };
  };
  const idle = (): Promise<true> =>
    waitFor(async () => {
      const d = await q('{ queued: jobs(status: "QUEUED") { totalCount } running: jobs(status: "RUNNING") { totalCount } }');
      return d.queued.totalCount + d.running.totalCount === 0 ? true : undefined;
    }, 120_000, 'no job queued or running');

  async function trained(modelId: string, config: Record<string, unknown> = {}): Promise<string> {
    const run = (await q('mutation($i: StartTrainingInput!) { startTraining(input: $i) { id jobId } }', { i: { modelId, datasetId, config: { ...TINY.training, epochs: 1, ...config } } })).startTraining;
    const tr = await waitFor(async () => {
      const r = (await q('query($id: ID!) { trainingRun(id: $id) { status error resultCheckpoint { id sha256 } } }', { id: run.id })).trainingRun;
      return r.status === 'QUEUED' || r.status === 'RUNNING' ? undefined : r;
    }, 120_000, 'training');
    if (tr.status !== 'SUCCEEDED') throw new Error(`training failed: ${tr.error}`);
    sha[tr.resultCheckpoint.id] = tr.resultCheckpoint.sha256;
    return tr.resultCheckpoint.id;
  }

  beforeAll(async () => {
    t = await startTestServer();
    datasetId = (await q('mutation($i: RegisterDatasetInput!) { registerDataset(input: $i) { id } }', { i: TINY.dataset })).registerDataset.id;
    const a = (await q('mutation($i: CreateModelInput!) { createModel(input: $i) { id } }', { i: TINY.model })).createModel.id;
    const b = (await q('mutation($i: CreateModelInput!) { createModel(input: $i) { id } }', { i: { ...TINY.model, name: 'cnn-wider', widthMultiplier: 0.5 } })).createModel.id;
    cp.a = await trained(a);
    cp.b = await trained(b);
    cp.aSame = await trained(a); // seeded training: the same bytes under another checkpoint id
    cp.aOther = await trained(a, { seed: 7 }); // other weights
  });
  afterAll(async () => {
    await t.stop();
  });

  it('trained the checkpoints the cache tests need: one twice with the same content, once with other content', () => {
    expect(sha[cp.aSame]).toBe(sha[cp.a]);
    expect(sha[cp.aOther]).not.toBe(sha[cp.a]);
  });

  it('queues the cross product for each checkpoint as one sweep whose runs point back to it', async () => {
    const axes: SweepAxes = { gamma: [1, 5], percentile: [0.99, 0.999], timeSteps: [8], batchSize: [16] };
    const queued = await startSweep({ checkpointIds: [cp.a, cp.b], axes });
    expect(queued).toMatchObject({ status: 'QUEUED', pointCount: 8, cachedPoints: 0, sweptAxes: ['percentile', 'gamma'] });
    expect(queued.work.map((w: any) => [w.checkpointId, w.points, w.job.kind, w.job.sweepId])).toEqual([[cp.a, 4, 'sweep', queued.id], [cp.b, 4, 'sweep', queued.id]]);
    const s = await finished(queued.id);
    expect(s).toMatchObject({ status: 'SUCCEEDED', progress: 1, pointsDone: 8, cachedPoints: 0, error: null, message: null });
    const configs = crossProduct(axes);
    expect(s.points.map((p: any) => p.position)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    for (const [i, p] of s.points.entries()) {
      const checkpointId = i < 4 ? cp.a : cp.b;
      const c = configs[i % 4]!;
      expect(p).toMatchObject({ checkpointId, cached: false, run: { status: 'SUCCEEDED', sweepId: s.id, cached: false, engineVersion: ENGINE_VERSION, checkpointId, timeSteps: 8, gamma: c.gamma, percentile: c.percentile, batchSize: 16 } });
      expect(p.run.job).toEqual({ id: s.work[i < 4 ? 0 : 1].job.id, kind: 'sweep' });
    }
    // ordinary runs: listed, filtered by sweep, each with its 8 per-step values
    const listed = (await q('query($s: ID!) { conversionRuns(filter: { sweepId: $s }) { totalCount nodes { id stepMetrics(name: "accuracy") { step } } } }', { s: s.id })).conversionRuns;
    expect(listed.totalCount).toBe(8);
    expect(listed.nodes.map((r: any) => r.id).sort()).toEqual(s.points.map((p: any) => p.run.id).sort());
    for (const r of listed.nodes) expect(r.stepMetrics).toHaveLength(8);
    expect((await q('{ jobs(kind: "sweep") { totalCount } }')).jobs.totalCount).toBe(2);
    firstSweep = s;
  });

  it('pivots the sweep on any axis: each cell is its run’s stored metric at the step, each row carries the ANN', async () => {
    const pivotOf = async (args: string): Promise<Record<string, any>> => (await q(`query($s: ID!) { compare(sweepId: $s${args}) { metric rows { conversionRunId } pivot { axis metric step columns rows { label backbone checkpointId others { name value } annValue values runIds } } } }`, { s: firstSweep.id })).compare;
    const byGamma = await pivotOf(', axis: "gamma", step: 4');
    expect(byGamma.rows).toHaveLength(8);
    const p = byGamma.pivot;
    expect(p).toMatchObject({ axis: 'gamma', metric: 'accuracy', step: 4, columns: ['1', '5'] });
    expect(p.rows.map((r: any) => r.label)).toEqual(['cnn-tiny · percentile 0.99', 'cnn-tiny · percentile 0.999', 'cnn-wider · percentile 0.99', 'cnn-wider · percentile 0.999']);
    const cells = async (pivot: Record<string, any>, step: (runT: number) => number): Promise<void> => {
      for (const row of pivot.rows) {
        for (const [i, runId] of row.runIds.entries()) {
          const run = (await q('query($id: ID!, $s: [Int!]) { conversionRun(id: $id) { timeSteps annValue checkpointId gamma percentile stepMetrics(name: "accuracy", steps: $s) { step value } } }', { id: runId, s: [step(8)] })).conversionRun;
          expect(run.stepMetrics).toHaveLength(1);
          expect(row.values[i]).toBeCloseTo(run.stepMetrics[0].value, 12);
          expect(row.annValue).toBeCloseTo(run.annValue, 12);
          expect(run.checkpointId).toBe(row.checkpointId);
          expect(String(run[pivot.axis])).toBe(pivot.columns[i]);
          for (const o of row.others) expect(String(run[o.name])).toBe(o.value);
        }
      }
    };
    await cells(p, () => 4);
    const byPercentile = (await pivotOf(', axis: "percentile"')).pivot;
    expect(byPercentile).toMatchObject({ axis: 'percentile', step: null, columns: ['0.99', '0.999'] });
    await cells(byPercentile, (T) => T);
    // a pivot on an axis the sweep did not list: one column, every point of a row in it
    const byReset = (await pivotOf(', axis: "reset"')).pivot;
    expect(byReset.columns).toEqual(['subtract']);
    expect(byReset.rows).toHaveLength(8);

    expect(errorOf(await t.gql('query($s: ID!) { compare(sweepId: $s, axis: "gama") { metric } }', { s: firstSweep.id }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'axis' });
    expect(errorOf(await t.gql('{ compare(step: 4) { metric } }'))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'step' });
    expect(errorOf(await t.gql('{ compare(sweepId: "999") { metric } }')).code).toBe('NOT_FOUND');
  });

  it('counts the calibrations and simulations the engine ran; every T of the sweep agrees with the longest simulation', async () => {
    const axes: SweepAxes = { gamma: [1, 5], percentile: [0.99, 0.999], timeSteps: [4, 8], batchSize: [16] };
    const s = await finished((await startSweep({ checkpointIds: [cp.a], axes, force: true })).id);
    expect(s.status).toBe('SUCCEEDED');
    // the engine's convertSweep shares: one calibration per percentile, one simulation per SNN (the config minus T)
    const expected = { calibrations: 2, simulations: 4 };
    expect({ calibrations: s.calibrations, simulations: s.simulations }).toEqual(expected);
    expect(s.work[0]).toMatchObject({ points: 8, ...expected });
    const runs = s.points.map((p: any) => p.run);
    for (const short of runs.filter((r: any) => r.timeSteps === 4)) {
      const long = runs.find((r: any) => r.timeSteps === 8 && r.gamma === short.gamma && r.percentile === short.percentile);
      const series = async (id: string): Promise<number[]> => (await q('query($id: ID!) { conversionRun(id: $id) { stepMetrics(name: "accuracy") { value } } }', { id })).conversionRun.stepMetrics.map((v: any) => v.value);
      const [a, b] = [await series(short.id), await series(long.id)];
      expect(a).toHaveLength(4);
      a.forEach((v, i) => expect(v).toBeCloseTo(b[i]!, 12));
    }
  });

  it('answers an identical conversion request with the SUCCEEDED run, cached, and queues nothing', async () => {
    const point = firstSweep.points.find((p: any) => p.checkpointId === cp.a && p.run.gamma === 5 && p.run.percentile === 0.99).run;
    const before = await counts();
    const hit = await convert({ checkpointId: cp.a });
    expect(hit).toMatchObject({ id: point.id, cached: true, status: 'SUCCEEDED', sweepId: firstSweep.id });
    // the same weights under another checkpoint id are the same content
    expect(await convert({ checkpointId: cp.aSame })).toMatchObject({ id: point.id, cached: true });
    expect(await counts()).toEqual(before);
    // read any other way, the run is not "cached"
    expect((await q('query($id: ID!) { conversionRun(id: $id) { cached } }', { id: point.id })).conversionRun.cached).toBe(false);
  });

  it('converts again when the content, config, test subset or engine version differs, or when forced', async () => {
    const point = firstSweep.points.find((p: any) => p.checkpointId === cp.a && p.run.gamma === 5 && p.run.percentile === 0.99).run;
    const misses = [
      await convert({ checkpointId: cp.aOther }),
      await convert({ checkpointId: cp.a, config: { timeSteps: 8, batchSize: 16, gamma: 3, percentile: 0.99 } }),
      await convert({ checkpointId: cp.a, maxSamples: 16 }),
      await convert({ checkpointId: cp.a, force: true }),
    ];
    for (const m of misses) expect(m).toMatchObject({ cached: false, status: 'QUEUED', sweepId: null });
    expect(new Set([point.id, ...misses.map((m) => m.id)]).size).toBe(5);
    await idle();
    // a run computed by another engine version is not the answer (its numbers may differ)
    const { prisma } = t.server.app.registry;
    const succeeded = await prisma.conversionRun.findMany({ where: { checkpointId: { in: [Number(cp.a), Number(cp.aSame)] }, gamma: 5, percentile: 0.99, timeSteps: 8, maxSamples: null, status: 'SUCCEEDED' }, select: { id: true } });
    await prisma.conversionRun.updateMany({ where: { id: { in: succeeded.map((r) => r.id) } }, data: { engineVersion: ENGINE_VERSION - 1 } });
    const older = await convert({ checkpointId: cp.a });
    expect(older).toMatchObject({ cached: false, status: 'QUEUED' });
    await idle();
    expect((await q('query($id: ID!) { conversionRun(id: $id) { status engineVersion } }', { id: older.id })).conversionRun).toEqual({ status: 'SUCCEEDED', engineVersion: ENGINE_VERSION });
    // from now on the new run is the answer
    expect(await convert({ checkpointId: cp.a })).toMatchObject({ id: older.id, cached: true });
  });

  it('inside a sweep, a point computed before is reused as a point of the sweep (cached), not recomputed', async () => {
    const base = { checkpointIds: [cp.a], axes: { gamma: [2, 3], percentile: [0.99], timeSteps: [8], batchSize: [16] } };
    const standalone = (await convert({ checkpointId: cp.a, config: { timeSteps: 8, batchSize: 16, gamma: 3, percentile: 0.99 } }));
    expect(standalone.cached).toBe(true); // computed by the previous test
    const queued = await startSweep(base);
    expect(queued).toMatchObject({ pointCount: 2, cachedPoints: 1 });
    expect(queued.work[0].points).toBe(1);
    expect(queued.points[1]).toMatchObject({ cached: true, run: { id: standalone.id, status: 'SUCCEEDED', sweepId: null, cached: true } });
    const s = await finished(queued.id);
    expect(s).toMatchObject({ status: 'SUCCEEDED', pointsDone: 2, cachedPoints: 1 });
    expect(s.points[0]).toMatchObject({ cached: false, run: { gamma: 2, sweepId: s.id, status: 'SUCCEEDED' } });
    expect((await q('query($s: ID!) { conversionRuns(filter: { sweepId: $s }) { totalCount } }', { s: s.id })).conversionRuns.totalCount).toBe(2);

    // the same sweep again: every point from the registry, finished at once, no job
    const before = await counts();
    const again = await startSweep(base);
    expect(again).toMatchObject({ status: 'SUCCEEDED', progress: 1, pointsDone: 2, cachedPoints: 2 });
    expect(again.work).toEqual([{ checkpointId: cp.a, points: 0, calibrations: 0, simulations: 0, job: null }]);
    expect(again.points.map((p: any) => p.run.id)).toEqual(s.points.map((p: any) => p.run.id));
    expect(await counts()).toEqual({ ...before, sweeps: before.sweeps + 1 });

    // forced: every point computed again
    const forced = await finished((await startSweep({ ...base, force: true })).id);
    expect(forced).toMatchObject({ status: 'SUCCEEDED', cachedPoints: 0, pointsDone: 2 });
    expect(forced.points.every((p: any) => !p.cached && p.run.sweepId === forced.id)).toBe(true);
    expect(forced.points.map((p: any) => p.run.id).some((id: string) => s.points.some((p: any) => p.run.id === id))).toBe(false);
  });

  it('cancels a queued sweep at once and a running one within a batch, keeping its finished points', async () => {
    const long = { checkpointIds: [cp.a, cp.b], axes: { gamma: [1, 2, 3, 4], timeSteps: [1024], batchSize: [8] }, force: true };
    const running = await startSweep(long);
    const queued = await startSweep(long);
    const cancelledAtOnce = (await q(`mutation($id: ID!) { cancelSweep(id: $id) { ${SWEEP} } }`, { id: queued.id })).cancelSweep;
    expect(cancelledAtOnce.status).toBe('CANCELLED');
    expect(cancelledAtOnce.points.map((p: any) => p.run.status)).toEqual(Array(8).fill('CANCELLED'));
    expect(cancelledAtOnce.work.map((w: any) => w.job.status)).toEqual(['CANCELLED', 'CANCELLED']);

    await waitFor(async () => {
      const s = await sweep(running.id);
      return s.status === 'RUNNING' && /simulation/.test(s.message ?? '') ? s : undefined;
    }, 60_000, 'the sweep to simulate');
    // the message names the point being simulated (one SNN per Γ here: nothing to cut from it)
    const progress = (await sweep(running.id)).message as string;
    expect(progress).toMatch(/simulation [1-4]\/4 · point [1-4] of 4 \(T 1024, p [\d.]+, Γ [1-4], /);
    expect(progress).toMatch(/\d\/4 points done/);
    await q('mutation($id: ID!) { cancelSweep(id: $id) { id } }', { id: running.id });
    const s = await finished(running.id, 60_000);
    expect(s.status).toBe('CANCELLED');
    const statuses = s.points.map((p: any) => p.run.status);
    expect(statuses.filter((x: string) => x !== 'SUCCEEDED' && x !== 'CANCELLED')).toEqual([]);
    expect(statuses).toContain('CANCELLED');
    expect(s.pointsDone).toBe(statuses.filter((x: string) => x === 'SUCCEEDED').length);
    // a cancelled point is no answer to an identical request
    const cancelledRun = s.points.find((p: any) => p.run.status === 'CANCELLED').run;
    const retry = await convert({ checkpointId: cancelledRun.checkpointId, config: { timeSteps: 1024, batchSize: 8, gamma: cancelledRun.gamma } });
    expect(retry.cached).toBe(false);
    await q('mutation($id: ID!) { cancelJob(id: $id) { id } }', { id: retry.job.id });
    await idle();
  });

  it('refuses bad sweeps before anything is created', async () => {
    const before = await counts();
    const bad = async (input: Record<string, unknown>): Promise<{ code: string; field?: string; message: string }> => errorOf(await t.gql('mutation($i: StartSweepInput!) { startSweep(input: $i) { id } }', { i: { datasetId, checkpointIds: [cp.a], ...input } }));
    expect(await bad({ axes: { gamma: [1, 0] } })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'axes.gamma.1' });
    expect(await bad({ axes: { percentile: [0.99, 0.99] } })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'axes.percentile' });
    expect(await bad({ axes: { maxPool: ['avg'] } })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'axes.maxPool.0' });
    // an option the data set's task cannot use (the readout is segmentation's), on any point
    expect(await bad({ axes: { readout: ['mean-probability', 'mean-logit'] } })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'axes.readout' });
    const many = await bad({ axes: { gamma: Array.from({ length: 40 }, (_, i) => i + 1), seed: Array.from({ length: 30 }, (_, i) => i) } });
    expect(many).toMatchObject({ code: 'BAD_USER_INPUT', field: 'axes' });
    expect(many.message).toMatch(/1200 points; a sweep holds at most 1024/);
    expect(await bad({ checkpointIds: [] })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'checkpointIds' });
    expect((await bad({ checkpointIds: [cp.a, '999999'] })).code).toBe('NOT_FOUND');
    const other = (await q('mutation($i: RegisterDatasetInput!) { registerDataset(input: $i) { id } }', { i: { ...TINY.dataset, name: 'synth-12', options: { ...TINY.dataset.options, size: 12 } } })).registerDataset.id;
    expect(await bad({ datasetId: other })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'checkpointIds' });
    expect(await counts()).toEqual(before);
  });
});
