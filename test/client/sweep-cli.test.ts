// `spikelab sweep`, `spikelab sweeps`, `spikelab compare --sweep` and `spikelab convert` answered from
// the registry, run as the real bin against a live server with a tiny trained model. The JSON read
// here is read exactly as the acceptance check (shared/checks/10-research) reads it.
import type { SweepPivot } from '../../client/index.js';
import { spikelab } from './cli-run.js';
import { startLiveServer, TINY_DATASET, TINY_TRAINING, type LiveServer } from './harness.js';

/** What the acceptance check does with the output: JSON from the first '{'. */
const jsonOf = (stdout: string): Record<string, any> => JSON.parse(stdout.slice(stdout.indexOf('{'))) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('spikelab sweep and identical conversions', () => {
  let live: LiveServer;
  let env: Record<string, string>;
  let sweepId: string;

  beforeAll(async () => {
    live = await startLiveServer();
    const ds = await live.client.registerDataset(TINY_DATASET);
    const m = await live.client.createModel({ name: 'plain-tiny', architecture: 'cnn-small', widthMultiplier: 0.25, inputShape: [8, 8, 1], numClasses: 3 });
    await live.client.train({ modelId: m.id, datasetId: ds.id, config: TINY_TRAINING });
    env = { SPIKELAB_URL: live.base };
  });
  afterAll(async () => live?.stop());

  test('sweep --json prints the sweep with one run per point, after following its jobs', async () => {
    const r = await spikelab(['sweep', 'plain-tiny', '--dataset', 'synth', '--gamma', '1,5', '--percentile', '0.99,0.999', '-T', '4', '--batch-size', '16', '--max-test-samples', '16', '--json'], env);
    expect(r.code).toBe(0);
    const j = jsonOf(r.stdout);
    const w = j.sweep ?? j;
    const runs = w.runs?.nodes ?? w.runs;
    expect(Array.isArray(runs)).toBe(true);
    expect(runs).toHaveLength(4);
    expect(w).toMatchObject({ status: 'SUCCEEDED', pointCount: 4, pointsDone: 4, cachedPoints: 0, sweptAxes: ['percentile', 'gamma'] });
    expect((runs as { gamma: number; percentile: number; status: string; sweepId: string }[]).map((x) => [x.percentile, x.gamma, x.status, x.sweepId])).toEqual([
      [0.99, 1, 'SUCCEEDED', w.id], [0.99, 5, 'SUCCEEDED', w.id], [0.999, 1, 'SUCCEEDED', w.id], [0.999, 5, 'SUCCEEDED', w.id],
    ]);
    expect(r.stderr).toMatch(new RegExp(`sweep ${String(w.id)} · plain-tiny \\(4 points\\)`));
    sweepId = String(w.id);
  });

  test('compare --sweep pivots it: JSON, an aligned table and CSV, on any axis and step', async () => {
    const json = await spikelab(['compare', '--sweep', sweepId, '--axis', 'gamma', '--step', '2', '--json'], env);
    expect(json.code).toBe(0);
    const pivot = jsonOf(json.stdout) as SweepPivot;
    expect(pivot).toMatchObject({ sweepId, axis: 'gamma', step: 2, columns: ['1', '5'], metric: 'accuracy' });
    expect(pivot.rows.map((row) => row.label)).toEqual(['plain-tiny · percentile 0.99', 'plain-tiny · percentile 0.999']);
    expect(pivot).toEqual(await live.client.sweepPivot(sweepId, { axis: 'gamma', step: 2 }));
    const csv = await spikelab(['compare', '--sweep', sweepId, '--axis', 'gamma', '--step', '2', '--csv'], env);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toBe('backbone,percentile,ANN,gamma=1,gamma=5');
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 2))).toEqual([['plain-tiny', '0.99'], ['plain-tiny', '0.999']]);
    lines.slice(1).forEach((l, i) => expect(l.split(',').slice(3).map(Number)).toEqual(pivot.rows[i]!.values));
    const table = await spikelab(['compare', '--sweep', sweepId], env);
    expect(table.stdout).toMatch(/accuracy of the SNN at each run's T by percentile/);
    expect(table.stdout).toMatch(/backbone\s+gamma\s+ANN\s+percentile=0\.99\s+percentile=0\.999/);
  });

  test('the same sweep again comes from the registry; sweeps list and show find it', async () => {
    const again = await spikelab(['sweep', 'plain-tiny', '--dataset', 'synth', '--gamma', '5,1', '--percentile', '0.999', '-T', '4', '--batch-size', '16', '--max-test-samples', '16'], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/2 points \(gamma, 2 from the registry\), SUCCEEDED; the engine ran 0 calibration\(s\) and 0 simulation\(s\)/);
    expect(again.stdout).toMatch(/run\s+backbone\s+gamma\s+status\s+cached/);
    const list = await spikelab(['sweeps'], env);
    expect(list.stdout).toMatch(new RegExp(`^${sweepId}\\s+synth\\s+percentile × gamma\\s+4\\s+4\\s+0\\s+SUCCEEDED\\s+100%`, 'm'));
    const show = await spikelab(['sweeps', 'show', sweepId, '--json'], env);
    expect(jsonOf(show.stdout).sweep.runs).toHaveLength(4);
    expect((await spikelab(['sweeps', 'cancel', sweepId], env)).stdout).toMatch(/cancellation requested \(SUCCEEDED/);
  });

  test('an identical convert prints the same run at once, cached; --force converts again', async () => {
    const args = ['convert', 'plain-tiny', '--dataset', 'synth', '-T', '8', '--max-test-samples', '16', '--json'];
    const first = await spikelab(args, env);
    expect(first.code).toBe(0);
    const run1 = jsonOf(first.stdout);
    expect((run1.conversionRun ?? run1).cached).toBe(false);
    const second = await spikelab(args, env);
    expect(second.code).toBe(0);
    const run2 = jsonOf(second.stdout);
    const r = run2.conversionRun ?? run2;
    expect([r.id, r.cached, r.status]).toEqual([(run1.conversionRun ?? run1).id, true, 'SUCCEEDED']);
    expect(second.stderr).not.toMatch(/convert plain-tiny/); // no job followed: nothing was queued
    const text = await spikelab(args.slice(0, -1), env);
    expect(text.stdout).toMatch(new RegExp(`conversion run ${String(r.id)} \\(from the registry`));
    const forced = jsonOf((await spikelab([...args, '--force'], env)).stdout);
    expect(forced.cached).toBe(false);
    expect(forced.id).not.toBe(r.id);
  });
});
