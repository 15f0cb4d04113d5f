import * as tfl from '@tensorflow/tfjs-layers';
import { calibrate, foldBatchNorm, planSnn, SpikingNetwork, type SnnPlan } from '../../../src/engine/conversion/index.js';
import { extractGraph, nhwcToNchw } from '../../../src/engine/ir/index.js';
import { randomArray, rng, seedWeights, useWasm } from './helpers.js';

beforeAll(useWasm);

const cpu = { backend: 'cpu', threads: 1 } as const;

/** Conv (16 channels, blocked path), max-pool (LIPool), conv, dense. */
function net(): tfl.LayersModel {
  const m = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [8, 8, 3], filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 4 }),
    ],
  });
  seedWeights(m, 5);
  return m;
}

async function simulate(snn: SpikingNetwork, x: Float32Array, n: number, steps: number): Promise<Float32Array[]> {
  await snn.reset(x, n);
  const outs: Float32Array[] = [];
  while (snn.t < steps) outs.push(...(await snn.run(Math.min(snn.stepsPerCall, steps - snn.t))));
  return outs;
}

describe('SpikingNetwork over several batches', () => {
  it('a batch after another one of the same size (reused buffers) runs exactly as in a fresh network', async () => {
    const model = net();
    const g = foldBatchNorm(extractGraph(model));
    model.dispose();
    const n = 6;
    const x1 = nhwcToNchw(randomArray(n * 8 * 8 * 3, rng(1)), n, 8, 8, 3);
    const x2 = nhwcToNchw(randomArray(n * 8 * 8 * 3, rng(2)), n, 8, 8, 3);
    // vInit ≠ 0: a reset must write the initial membranes again, not leave the last batch's.
    const { lambdas } = await calibrate(g, [{ x: x1, batch: n }], { percentile: 0.99, channelWise: true }, cpu);
    const plan: SnnPlan = planSnn(g, lambdas, { gamma: 5, reset: 'subtract', vInit: 0.4, maxPool: 'lipool', collectStats: true });
    expect(plan.states.some((s) => s.init !== 0)).toBe(true);
    const steps = 7;
    const reused = await SpikingNetwork.create(plan, { ...cpu, stepsPerCall: 3 });
    const fresh = await SpikingNetwork.create(plan, { ...cpu, stepsPerCall: 3 });
    try {
      const first = await simulate(reused, x1, n, steps);
      const second = await simulate(reused, x2, n, steps);
      const alone = await simulate(fresh, x2, n, steps);
      expect(second).toEqual(alone);
      expect(second).not.toEqual(first);
      // Totals: the reused network's two batches minus the fresh one's equals the first batch alone.
      const once = await SpikingNetwork.create(plan, { ...cpu, stepsPerCall: 3 });
      await simulate(once, x1, n, steps);
      for (const p of plan.populations) {
        const both = await reused.spikeTotals(p);
        const b2 = await fresh.spikeTotals(p);
        const b1 = await once.spikeTotals(p);
        if (both === null) continue;
        expect(Array.from(both, (v, i) => v - (b2 as Float64Array)[i]!)).toEqual(Array.from(b1 as Float64Array));
      }
      await once.release();
    } finally {
      await reused.release();
      await fresh.release();
    }
  });
});
