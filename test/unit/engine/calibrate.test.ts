import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { annMacs, calibrate, fanout, foldBatchNorm } from '../../../src/engine/conversion/index.js';
import { extractGraph } from '../../../src/engine/ir/index.js';
import { useWasm } from './helpers.js';

beforeAll(useWasm);

/** input [2,2,2] → 1×1 conv with identity kernel and bias [0, −10] → relu: channel 1 is dead. */
function identityNet(): tfl.LayersModel {
  const m = tfl.sequential({ layers: [tfl.layers.conv2d({ inputShape: [2, 2, 2], filters: 2, kernelSize: 1, activation: 'relu', name: 'id' })] });
  const nk = tf.tensor([1, 0, 0, 1], [1, 1, 2, 2]);
  const nb = tf.tensor1d([0, -10]);
  m.setWeights([nk, nb]);
  [nk, nb].forEach((t) => t.dispose());
  return m;
}

describe('calibrate', () => {
  it('layer-wise and channel-wise percentiles, running max over batches, dead guard', async () => {
    const g = foldBatchNorm(extractGraph(identityNet()));
    // NCHW batches of 2 samples [2, 2, 2]: channel 0 holds 1..8 (batch 1) and 11..18 (batch 2), channel 1 zeros.
    const batch = (o: number): Float32Array => {
      const x = new Float32Array(16);
      for (let b = 0; b < 2; b++) for (let p = 0; p < 4; p++) x[b * 8 + p] = o + b * 4 + p + 1;
      return x;
    };
    const opts = { backend: 'cpu', threads: 1 } as const;
    const batches = [{ x: batch(0), batch: 2 }, { x: batch(10), batch: 2 }];
    const cw = await calibrate(g, batches, { percentile: 1, channelWise: true }, opts);
    expect(Array.from(cw.lambdas.get('id/relu')!)).toEqual([18, 1]);
    expect(cw.warnings.join()).toMatch(/1 of 2 channels/);
    // Layer-wise, p = 0.5 over 16 values (8 zeros): median of [0×8, 1..8] = 0.5, batch 2 → 5.5.
    const lw = await calibrate(g, batches, { percentile: 0.5, channelWise: false }, opts);
    expect(lw.lambdas.get('id/relu')![0]).toBeCloseTo(5.5, 5);
    await expect(calibrate(g, [], { percentile: 0.5, channelWise: false }, opts)).rejects.toThrow(/no calibration batch/);
    await expect(calibrate(g, batches, { percentile: 0, channelWise: false }, opts)).rejects.toThrow(/percentile/);
  });

  it('fan-out counts every synapse of a strided conv and a dense layer; annMacs matches', () => {
    const x = tfl.input({ shape: [4, 4, 1] });
    const r = tfl.layers.reLU({ name: 'r' }).apply(tfl.layers.conv2d({ filters: 1, kernelSize: 1, name: 'c0' }).apply(x)) as tfl.SymbolicTensor;
    const c = tfl.layers.conv2d({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', name: 'c1' }).apply(r) as tfl.SymbolicTensor;
    const d = tfl.layers.dense({ units: 5, name: 'd' }).apply(tfl.layers.flatten().apply(r)) as tfl.SymbolicTensor;
    const m = tfl.model({ inputs: x, outputs: tfl.layers.concatenate().apply([tfl.layers.flatten().apply(c) as tfl.SymbolicTensor, d]) as tfl.SymbolicTensor });
    const g = extractGraph(m);
    const f = fanout(g, 'r');
    // 'same' 3×3/2 on 4×4 → 2×2 outputs at rows/cols {0..2} and {2..3} (pad bottom/right 1):
    // rows 0,1 → 1 window, row 2 → 2 windows, row 3 → 1 window; same for columns. ×3 filters, +5 dense.
    const cover = [1, 1, 2, 1];
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) expect(f[i * 4 + j]).toBe(cover[i]! * cover[j]! * 3 + 5);
    expect(annMacs(g)).toBe(16 * 1 + 2 * 2 * 3 * 9 * 1 + 16 * 5);
    m.dispose();
  });
});
