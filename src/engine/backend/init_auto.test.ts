import * as tf from '@tensorflow/tfjs-core';
import { AUTO_ORDER, initBackend } from './index.js';

describe("initBackend('auto')", () => {
  it('takes the first backend that loads and records what it tried', async () => {
    const info = await initBackend('auto', { webgpuTimeoutMs: 3000 });
    expect(info.requested).toBe('auto');
    expect(tf.getBackend()).toBe(info.name);
    const last = info.tried[info.tried.length - 1];
    expect(last).toMatchObject({ backend: info.name, ok: true });
    const failed = info.tried.slice(0, -1);
    for (const a of failed) {
      expect(a.ok).toBe(false);
      expect(a.reason).toEqual(expect.any(String));
    }
    // Attempts follow the speed order, tensorflow (gpu, then cpu build) first.
    const order = info.tried.map((a) => AUTO_ORDER.indexOf(a.backend));
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // On a machine without tfjs-node and without a GPU (this build machine) that is wasm.
    if (failed.length === 3) expect(info.name).toBe('wasm');
    expect(await initBackend()).toBe(info);
  });
});
