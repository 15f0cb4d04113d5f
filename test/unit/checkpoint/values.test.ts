// Checkpoint bytes that must be refused without quoting them: NaN/±Infinity weights (tfjs-layers
// and safetensors) and files that are not safetensors at all.
import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../src/engine/backend/index.js';
import { CheckpointFormatError, CheckpointValueError, loadWeightsInto, parseSafetensors, saveCheckpoint } from '../../../src/engine/checkpoint/index.js';
import { buildModel } from '../../../src/engine/zoo/index.js';
import type { ModelSpec } from '../../../src/formats/model.js';

const spec: ModelSpec = { architecture: 'cnn-small', inputShape: [8, 8, 1], numClasses: 3, widthMultiplier: 0.25 };

beforeAll(async () => {
  await initBackend('cpu');
});

it('refuses tfjs-layers weights holding NaN or Infinity, and writes none of them', async () => {
  const source = buildModel(spec, { seed: 1 });
  const ckpt = await saveCheckpoint(source, spec);
  source.dispose();
  const target = buildModel(spec, { seed: 2 });
  const before = tf.memory().numTensors;
  const kept = target.weights[0]!.read().dataSync().slice();
  for (const bad of [Number.NaN, Number.NEGATIVE_INFINITY]) {
    const weights = ckpt.weights.slice();
    new DataView(weights.buffer).setFloat32(4 * 5, bad, true);
    const manifest = { ...ckpt.manifest, weightsSha256: createHash('sha256').update(weights).digest('hex') };
    await expect(loadWeightsInto(target, { manifest, weights })).rejects.toThrow(CheckpointValueError);
    await expect(loadWeightsInto(target, { manifest, weights })).rejects.toThrow(new RegExp(`holds ${String(bad)} at element 5`));
  }
  expect(target.weights[0]!.read().dataSync()).toEqual(kept);
  expect(tf.memory().numTensors).toBe(before);
  target.dispose();
});

it('says a text file is not safetensors without quoting its first 8 bytes as a length', () => {
  const text = Buffer.from('PATH=/usr/local/bin:/usr/bin\0HOME=/root\0');
  const err = (() => {
    try {
      parseSafetensors(text);
    } catch (e) {
      return e as Error;
    }
    return null;
  })();
  expect(err).toBeInstanceOf(CheckpointFormatError);
  expect(err!.message).toMatch(/not a safetensors file/);
  expect(err!.message).not.toContain(text.readBigUInt64LE(0).toString());
  const json = Buffer.alloc(8 + 20);
  json.writeBigUInt64LE(20n, 0);
  json.write('root:x:0:0:root:/roo', 8);
  expect(() => parseSafetensors(json)).toThrow(/header is not valid UTF-8 JSON: not a safetensors file$/);
});
