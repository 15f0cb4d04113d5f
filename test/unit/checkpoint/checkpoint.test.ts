import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../src/engine/backend/index.js';
import {
  CheckpointFormatError, CheckpointMismatchError, exportSafetensors, importSafetensors, loadCheckpoint, parseSafetensors, saveCheckpoint, torchRename, writeSafetensors,
} from '../../../src/engine/checkpoint/index.js';
import { buildModel } from '../../../src/engine/zoo/index.js';
import type { ZooModelSpec } from '../../../src/formats/model.js';

const FIXTURES = new URL('../../../../test/fixtures/torch/', import.meta.url);

beforeAll(async () => {
  await initBackend('wasm');
});

function predict(model: ReturnType<typeof buildModel>, x: tf.Tensor): Float32Array {
  return tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync() as Float32Array);
}

function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, tol: number): void {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  expect(worst).toBeLessThanOrEqual(tol);
}

const resSpec: ZooModelSpec = { architecture: 'resnet18', inputShape: [16, 16, 3], numClasses: 5, widthMultiplier: 1 / 16 };

describe('tfjs checkpoints through the bytes IOHandler', () => {
  it('save → load gives identical outputs, no tensors leak', async () => {
    const a = buildModel(resSpec, { seed: 4 });
    const x = tf.randomNormal([2, 16, 16, 3], 0, 1, 'float32', 1);
    const before = tf.memory().numTensors;
    const ckpt = await saveCheckpoint(a, resSpec);
    expect(ckpt.manifest.format).toBe('tfjs-layers');
    expect(ckpt.manifest.weightsSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(ckpt.manifest.weightSpecs[0]!.name).toBe('conv1/kernel');
    const b = await loadCheckpoint(ckpt);
    expectClose(predict(b, x), predict(a, x), 0);
    b.dispose();
    expect(tf.memory().numTensors).toBe(before);
    a.dispose();
    x.dispose();
  });

  it('refuses a checkpoint of another architecture, naming the first mismatch', async () => {
    const a = buildModel(resSpec);
    const ckpt = await saveCheckpoint(a, resSpec);
    a.dispose();
    const wrong = { ...ckpt, manifest: { ...ckpt.manifest, spec: { ...resSpec, widthMultiplier: 1 / 8 } } };
    const err = await loadCheckpoint(wrong).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointMismatchError);
    expect((err as Error).message).toBe("checkpoint tensor 'conv1/kernel': model expects [3, 3, 3, 8], checkpoint has [3, 3, 3, 4]");
    const tampered = { ...ckpt, weights: ckpt.weights.map((v, i) => (i === 0 ? v ^ 1 : v)) };
    await expect(loadCheckpoint(tampered)).rejects.toThrow(CheckpointFormatError);
  });
});

describe('safetensors', () => {
  it('export → import round trip (PyTorch layout) and the safetensors checkpoint format', async () => {
    const spec: ZooModelSpec = { architecture: 'cnn-small', inputShape: [12, 12, 1], numClasses: 3, widthMultiplier: 0.125, batchNorm: true };
    const a = buildModel(spec, { seed: 1 });
    const b = buildModel(spec, { seed: 2 });
    const x = tf.randomNormal([2, 12, 12, 1], 0, 1, 'float32', 3);
    const bytes = exportSafetensors(a);
    const f = parseSafetensors(bytes);
    expect(f.tensors.get('conv1.weight')!.shape).toEqual([4, 1, 3, 3]);
    expect(f.tensors.get('fc1.weight')!.shape).toEqual([16, 72]);
    expect(f.tensors.get('bn1.running_var')!.shape).toEqual([4]);
    importSafetensors(b, bytes);
    expectClose(predict(b, x), predict(a, x), 0);
    const ck = await saveCheckpoint(a, spec, 'safetensors');
    const c = await loadCheckpoint(ck);
    expectClose(predict(c, x), predict(a, x), 0);
    [a, b, c, x].forEach((t) => t.dispose());
  });

  it('reads F64/F16/I64 and refuses bad headers and offsets', () => {
    const enc = (header: object, data: Uint8Array) => {
      const h = new TextEncoder().encode(JSON.stringify(header));
      const out = new Uint8Array(8 + h.length + data.length);
      new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
      out.set(h, 8);
      out.set(data, 8 + h.length);
      return out;
    };
    const data = new Uint8Array(8 + 2 + 8);
    const dv = new DataView(data.buffer);
    dv.setFloat64(0, 1.5, true);
    dv.setUint16(8, 0x3c00, true); // f16 1.0
    dv.setBigInt64(10, 42n, true);
    const f = parseSafetensors(enc({ a: { dtype: 'F64', shape: [1], data_offsets: [0, 8] }, b: { dtype: 'F16', shape: [], data_offsets: [8, 10] }, c: { dtype: 'I64', shape: [1], data_offsets: [10, 18] } }, data));
    expect(f.tensors.get('a')!.values[0]).toBeCloseTo(1.5, 9);
    expect(f.tensors.get('b')!.values[0]).toBeCloseTo(1, 9);
    expect(f.tensors.get('c')!.values[0]).toBe(42);
    expect(() => parseSafetensors(enc({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8)))).toThrow(/8 bytes for 3 F32/);
    expect(() => parseSafetensors(enc({ a: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, new Uint8Array(8)))).toThrow(/outside/);
    expect(() => parseSafetensors(enc({ a: { dtype: 'X9', shape: [2], data_offsets: [0, 8] } }, new Uint8Array(8)))).toThrow(/unsupported dtype/);
    expect(() => parseSafetensors(new Uint8Array([255, 0, 0, 0, 0, 0, 0, 0, 1]))).toThrow(/exceeds/);
    const round = parseSafetensors(writeSafetensors([{ name: 'w', shape: [2], values: new Float32Array([1, -2]) }], { k: 'v' }));
    expect(Array.from(round.tensors.get('w')!.values)).toEqual([1, -2]);
    expect(round.metadata['k']).toBe('v');
  });

  it('refuses a state_dict that does not match, naming the tensor and both shapes', () => {
    const spec: ZooModelSpec = { architecture: 'cnn-small', inputShape: [12, 12, 1], numClasses: 3, widthMultiplier: 0.125 };
    const m = buildModel(spec);
    const other = buildModel({ ...spec, numClasses: 4 });
    expect(() => importSafetensors(m, exportSafetensors(other))).toThrow("checkpoint tensor 'fc2.weight': model expects [3, 16], checkpoint has [4, 16]");
    const missing = writeSafetensors([{ name: 'conv1.weight', shape: [4, 1, 3, 3], values: new Float32Array(36) }]);
    expect(() => importSafetensors(m, missing)).toThrow("checkpoint tensor 'conv1.bias': model expects [4], checkpoint has none");
    m.dispose();
    other.dispose();
  });
});

describe('names from other PyTorch code bases', () => {
  it('maps kuangliu VGG Sequential indices and ResNet shortcut/linear names', () => {
    const vgg = torchRename({ architecture: 'vgg11', inputShape: [32, 32, 3], numClasses: 10, widthMultiplier: 1 }, 'kuangliu');
    // vgg11: conv0(0,1,2) M(3) conv1(4,5,6) M(7) conv2(8,9,10) ...
    expect(vgg('features.0.weight')).toBe('features.conv0.weight');
    expect(vgg('features.1.running_var')).toBe('features.bn0.running_var');
    expect(vgg('module.features.8.bias')).toBe('features.conv2.bias');
    expect(vgg('classifier.weight')).toBe('classifier.weight');
    const res = torchRename({ architecture: 'resnet18', inputShape: [32, 32, 3], numClasses: 10, widthMultiplier: 1 }, 'kuangliu');
    expect(res('layer2.0.shortcut.1.running_mean')).toBe('layer2.0.downsample.1.running_mean');
    expect(res('linear.weight')).toBe('fc.weight');
  });
});

describe('PyTorch reference outputs (fixture made by test/fixtures/make_torch_fixture.py)', () => {
  interface Case { name: string; spec: ZooModelSpec; file: string; input: { shape: number[]; values: number[] }; output: { shape: number[]; values: number[] } }
  it.each(['cnn_small', 'unet_d1', 'resnet18_torchpad'])('%s matches PyTorch', async (name) => {
    const expected = JSON.parse(await readFile(new URL('expected.json', FIXTURES), 'utf8')) as { cases: Case[] };
    const c = expected.cases.find((k) => k.name === name)!;
    const model = buildModel(c.spec);
    importSafetensors(model, new Uint8Array(await readFile(new URL(c.file, FIXTURES))));
    const x = tf.tensor(c.input.values, c.input.shape);
    const y = tf.tidy(() => model.predict(x) as tf.Tensor);
    expect(y.shape).toEqual(c.output.shape);
    expectClose(y.dataSync(), c.output.values, 2e-4);
    tf.dispose([x, y]);
    model.dispose();
  });
});
