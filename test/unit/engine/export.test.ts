import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { convertAndSimulate, exportAnn, exportSnn, type SnnContract } from '../../../src/engine/conversion/index.js';
import type { ConversionResult } from '../../../src/formats/conversion.js';
import { maxAbsDiff, randomArray, rng, seedWeights, useWasm } from './helpers.js';

beforeAll(useWasm);

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'spikelab-export-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** NHWC rows → NCHW, written out plainly (this test uses nothing of the engine to run the file). */
function toNchw(x: Float32Array, n: number, h: number, w: number, c: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let b = 0; b < n; b++) for (let y = 0; y < h; y++) for (let q = 0; q < w; q++) for (let k = 0; k < c; k++) out[((b * c + k) * h + y) * w + q] = x[((b * h + y) * w + q) * c + k]!;
  return out;
}

/** Runs an exported SNN file with plain onnxruntime-node calls: top-1 accuracy after every step. */
async function runExported(file: string, images: Float32Array, labels: Float32Array, count: number, hwc: [number, number, number], batch: number): Promise<number[]> {
  const session = await ort.InferenceSession.create(file);
  const meta = JSON.parse(new TextDecoder().decode(readMetadata(file))) as SnnContract;
  const correct = new Array<number>(meta.timeSteps).fill(0);
  const classes = meta.output.shape[0]!;
  for (let s = 0; s < count; s += batch) {
    const n = Math.min(batch, count - s);
    const [h, w, c] = hwc;
    const x = new ort.Tensor('float32', toNchw(images.slice(s * h * w * c, (s + n) * h * w * c), n, h, w, c), [n, c, h, w]);
    const feeds: Record<string, ort.Tensor> = { input: x };
    for (const st of meta.states) feeds[st.name] = new ort.Tensor('float32', new Float32Array(n * st.shape.reduce((a, b) => a * b, 1)).fill(st.init as number), [n, ...st.shape]);
    for (let call = 0; call * meta.stepsPerCall < meta.timeSteps; call++) {
      const out = await session.run(feeds);
      for (const st of meta.states) feeds[st.name] = out[st.name.replace(/^state:/, 'next:')]!;
      for (let k = 1; k <= meta.stepsPerCall; k++) {
        const t = call * meta.stepsPerCall + k;
        if (t > meta.timeSteps) break;
        const acc = out[`output:${k}`]!.data as Float32Array;
        for (let i = 0; i < n; i++) {
          const row = Array.from(acc.subarray(i * classes, (i + 1) * classes));
          if (row.indexOf(Math.max(...row)) === labels[s + i]) correct[t - 1]!++;
        }
      }
    }
  }
  await session.release();
  return correct.map((v) => v / count);
}

/** The file's `spikelab.contract` metadata, read with the protobuf binding (ORT's API does not expose it). */
function readMetadata(file: string): Uint8Array {
  const m = onnxProto.onnx.ModelProto.decode(readFileSync(file));
  const entry = m.metadataProps.find((p) => p.key === 'spikelab.contract');
  return new TextEncoder().encode(entry?.value ?? '');
}

function vggLike(): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [10, 10, 2], filters: 16, kernelSize: 3, padding: 'same' }),
      tfl.layers.batchNormalization(),
      tfl.layers.reLU(),
      tfl.layers.conv2d({ filters: 32, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
      tfl.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 5 }),
    ],
  });
}

function residual(): tfl.LayersModel {
  const x = tfl.input({ shape: [10, 10, 2] });
  const relu = tfl.layers.reLU({ name: 'shared' });
  const stem = tfl.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(x) as tfl.SymbolicTensor;
  let h = relu.apply(tfl.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same' }).apply(stem)) as tfl.SymbolicTensor;
  h = relu.apply(tfl.layers.add().apply([tfl.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same' }).apply(h) as tfl.SymbolicTensor, stem])) as tfl.SymbolicTensor;
  const y = tfl.layers.dense({ units: 5, useBias: false }).apply(tfl.layers.globalAveragePooling2d({}).apply(h)) as tfl.SymbolicTensor;
  return tfl.model({ inputs: x, outputs: y });
}

describe('SNN export', () => {
  for (const [name, make, k] of [['a VGG-style net', vggLike, undefined], ['a residual net with a shared ReLU (exported with 8 steps per call)', residual, 8]] as const) {
    it(`${name}: the exported file, run by plain onnxruntime-node, reproduces the run's per-step accuracy exactly`, async () => {
      const model = make();
      seedWeights(model, 12);
      const count = 45;
      const rand = rng(13);
      const images = randomArray(count * 200, rand);
      // Samples of different contrast, so that even a global-average-pooled head tells them apart.
      for (let i = 0; i < count; i++) {
        const k = 0.2 + 3 * rand();
        for (let j = i * 200; j < (i + 1) * 200; j++) images[j] = images[j]! * k + (i % 3) * 0.3;
      }
      const labels = Float32Array.from({ length: count }, () => Math.floor(rand() * 5));
      const split = { images, labels, count };
      const T = 20;
      const run: ConversionResult = await convertAndSimulate(model, { calibration: split, test: split, task: 'classification', numClasses: 5 }, { timeSteps: T, batchSize: 16, percentile: 0.99 }, { backend: 'cpu' });
      const exported = exportSnn(model, run.lambdas!, run.config, k === undefined ? {} : { stepsPerCall: k });
      const file = path.join(dir, `${name.split(' ')[1]}.onnx`);
      writeFileSync(file, exported.bytes);
      const acc = await runExported(file, images, labels, count, [10, 10, 2], 16);
      expect(acc).toEqual(run.stepMetrics['accuracy']);
      expect(new Set(acc).size).toBeGreaterThan(1);
      expect(exported.contract).toMatchObject({ kind: 'snn', stepsPerCall: k ?? T, timeSteps: T, input: { shape: [2, 10, 10] } });
      model.dispose();
    });
  }

  it('a model without λ for one of its sites is refused clearly', () => {
    const model = vggLike();
    expect(() => exportSnn(model, {}, {})).toThrow(/no λ for activation site/);
    model.dispose();
  });

  it('any checkpoint exports its ANN: the file equals tfjs predict', async () => {
    const model = residual();
    seedWeights(model, 14);
    const n = 4;
    const x = randomArray(n * 200, rng(15));
    const ref = tf.tidy(() => (model.predict(tf.tensor(x, [n, 10, 10, 2])) as tf.Tensor).dataSync() as Float32Array);
    const file = path.join(dir, 'ann.onnx');
    const exported = exportAnn(model);
    writeFileSync(file, exported.bytes);
    const session = await ort.InferenceSession.create(file);
    const out = await session.run({ input: new ort.Tensor('float32', toNchw(x, n, 10, 10, 2), [n, 2, 10, 10]) });
    expect(maxAbsDiff(out['output']!.data as Float32Array, ref)).toBeLessThan(1e-4);
    expect(exported.contract).toEqual({ kind: 'ann', input: { name: 'input', shape: [2, 10, 10] }, output: { name: 'output', shape: [5] } });
    await session.release();
    model.dispose();
  });
});
