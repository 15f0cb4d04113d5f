import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { annMacs, calibrate, extractGraph, fanout, foldBatchNorm } from '../../../src/engine/conversion/index.js';
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
  it('layer-wise and channel-wise percentiles, running max over batches, dead guard', () => {
    const g = foldBatchNorm(extractGraph(identityNet()));
    // Channel 0 values per batch: 1..8 and 11..18 (4 pixels × 2 samples); channel 1 always dead.
    const batch = (o: number): tf.Tensor => tf.tensor(Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? o + i / 2 + 1 : 0)), [2, 2, 2, 2]);
    const b1 = batch(0);
    const b2 = batch(10);
    const before = tf.memory().numTensors;
    const cw = calibrate(g, [b1, b2], { percentile: 1, channelWise: true });
    expect(Array.from(cw.lambdas.get('id/relu')!)).toEqual([18, 1]);
    expect(cw.warnings.join()).toMatch(/1 of 2 channels/);
    // Layer-wise, p = 0.5 over 16 values (8 zeros): median of [0×8, 1..8] = 0.5, batch 2 → 5.5.
    const lw = calibrate(g, [b1, b2], { percentile: 0.5, channelWise: false });
    expect(lw.lambdas.get('id/relu')![0]).toBeCloseTo(5.5, 5);
    expect(tf.memory().numTensors).toBe(before);
    [b1, b2].forEach((t) => t.dispose());
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
    expect(annMacs(m)).toBe(16 * 1 + 2 * 2 * 3 * 9 * 1 + 16 * 5);
    m.dispose();
  });
});
