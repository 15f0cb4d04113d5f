import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { calibrate, foldBatchNorm, planSnn, SpikingNetwork } from '../../../src/engine/conversion/index.js';
import { extractGraph, nhwcToNchw } from '../../../src/engine/ir/index.js';
import { runAnn } from '../../../src/engine/ort/index.js';
import { maxAbsDiff, randomArray, rng, seedWeights, useWasm } from './helpers.js';
import { referenceLayers, referenceSimulate } from './reference.js';

beforeAll(useWasm);

const cpu = { backend: 'cpu', threads: 1 } as const;

describe('θ formulation', () => {
  it('normalised weights with threshold 1 = θ_l = λ_l neurons emitting λ_l per spike (channel-wise λ, vInit)', async () => {
    const m = tfl.sequential({
      layers: [
        tfl.layers.dense({ inputShape: [6], units: 8, activation: 'relu', name: 'h1' }),
        tfl.layers.dense({ units: 5, activation: 'relu', name: 'h2' }),
        tfl.layers.dense({ units: 3, name: 'o' }),
      ],
    });
    seedWeights(m, 3);
    const g = foldBatchNorm(extractGraph(m));
    const n = 10;
    const x = randomArray(n * 6, rng(4));
    const { lambdas } = await calibrate(g, [{ x, batch: n }], { percentile: 0.9, channelWise: true }, cpu);
    expect([...lambdas.values()].map((l) => l.length)).toEqual([8, 5]);
    const snn = await SpikingNetwork.create(planSnn(g, lambdas, { gamma: 3, reset: 'subtract', vInit: 0.5, maxPool: 'lipool' }), { ...cpu, stepsPerCall: 7 });
    await snn.reset(x, n);
    const got: Float32Array[] = [];
    while (got.length < 40) got.push(...(await snn.run(Math.min(7, 40 - got.length))));
    // Reference: the tfjs weights as they are, θ = λ per channel, value λ per spike, float64.
    const ref = referenceSimulate(referenceLayers(m, [...lambdas.values()]), x, n, 40, 3, 0.5);
    got.forEach((acc, t) => expect(maxAbsDiff(acc, ref.acc[t]!)).toBeLessThan(1e-3 * (t + 1)));
    await snn.release();
    m.dispose();
  });

  it('every supported op: the SNN mean output approaches the ANN output', async () => {
    const x = tfl.input({ shape: [8, 8, 2] });
    const pad = tfl.layers.zeroPadding2d({ padding: [[1, 0], [0, 1]] }).apply(x) as tfl.SymbolicTensor; // 9×9
    const c1 = tfl.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, activation: 'relu', name: 'c1' }).apply(pad) as tfl.SymbolicTensor; // 4×4
    const c2 = tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', dilationRate: 2, name: 'c2' }).apply(c1) as tfl.SymbolicTensor;
    const r2 = tfl.layers.activation({ activation: 'relu', name: 'r2' }).apply(c2) as tfl.SymbolicTensor;
    const mp = tfl.layers.maxPooling2d({ poolSize: 3, strides: 1, padding: 'same', name: 'mp' }).apply(r2) as tfl.SymbolicTensor;
    const ap = tfl.layers.averagePooling2d({ poolSize: 2, name: 'ap' }).apply(mp) as tfl.SymbolicTensor; // 2×2
    const up = tfl.layers.upSampling2d({ size: [2, 2], name: 'up' }).apply(ap) as tfl.SymbolicTensor; // 4×4
    const cat = tfl.layers.concatenate({ name: 'cat' }).apply([up, c1]) as tfl.SymbolicTensor;
    const ct = tfl.layers.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', name: 'ct' }).apply(cat) as tfl.SymbolicTensor;
    const gap = tfl.layers.globalAveragePooling2d({ name: 'gap' }).apply(ct) as tfl.SymbolicTensor;
    const res = tfl.layers.add({ name: 'res' }).apply([tfl.layers.dense({ units: 4, name: 'skip' }).apply(tfl.layers.flatten().apply(ap)) as tfl.SymbolicTensor, tfl.layers.dense({ units: 4, name: 'main' }).apply(gap) as tfl.SymbolicTensor]) as tfl.SymbolicTensor;
    const out = tfl.layers.dense({ units: 4, name: 'out' }).apply(tfl.layers.reLU({ name: 'r3' }).apply(res)) as tfl.SymbolicTensor;
    const m = tfl.model({ inputs: x, outputs: out });
    seedWeights(m, 9);
    const g = foldBatchNorm(extractGraph(m));
    const n = 16;
    const xs = nhwcToNchw(randomArray(n * 8 * 8 * 2, rng(5)), n, 8, 8, 2);
    const before = tf.memory().numTensors;
    const { lambdas } = await calibrate(g, [{ x: xs, batch: n }], { percentile: 1, channelWise: false }, cpu);
    const ref = await runAnn(g, xs, n, cpu);
    const snn = await SpikingNetwork.create(planSnn(g, lambdas, { gamma: 5, reset: 'subtract', vInit: 0.5, maxPool: 'lipool' }), { ...cpu, stepsPerCall: 16 });
    await snn.reset(xs, n);
    const T = 256;
    let acc: Float32Array = new Float32Array(0);
    for (let t = 0; t < T; t += 16) acc = (await snn.run(16)).at(-1)!;
    const mean = acc.map((v) => v / T);
    const scale = Math.max(...Array.from(ref, Math.abs));
    expect(maxAbsDiff(mean, ref) / scale).toBeLessThan(0.03);
    await snn.release();
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
  });
});
