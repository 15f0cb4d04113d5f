import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import { AUTO_ORDER, describeBackend, initBackend, probeWebGpu, type BackendAttempt, type BackendInfo, type ConcreteBackendName } from './index.js';

const require = createRequire(import.meta.url);
const installed = (pkg: string): boolean => {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
};

describe("initBackend('auto')", () => {
  it('takes the first backend in speed order that this machine has, and records every failed attempt', async () => {
    // What this machine offers, found out without initBackend.
    const tfjsNode = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'].filter(installed);
    const gpu = await probeWebGpu(3000);
    const expectedName: ConcreteBackendName = tfjsNode.length > 0 ? 'tensorflow' : gpu.ok ? 'webgpu' : 'wasm';
    const expectedTried: Partial<BackendAttempt>[] = [];
    if (expectedName !== 'tensorflow') {
      expectedTried.push(
        { backend: 'tensorflow', source: '@tensorflow/tfjs-node-gpu', ok: false, reason: 'not installed' },
        { backend: 'tensorflow', source: '@tensorflow/tfjs-node', ok: false, reason: 'not installed' },
      );
      if (!gpu.ok) expectedTried.push({ backend: 'webgpu', source: 'webgpu', ok: false, reason: gpu.reason });
    }
    expectedTried.push({ backend: expectedName, ok: true });

    const info = await initBackend('auto', { webgpuTimeoutMs: 3000 });
    expect(info.requested).toBe('auto');
    expect(info.name).toBe(expectedName);
    expect(tf.getBackend()).toBe(expectedName);
    expect(info.tried).toEqual(expectedTried.map((a): unknown => expect.objectContaining(a)));
    expect(await initBackend()).toBe(info);
  });
});

describe('describeBackend', () => {
  const attempt = (backend: ConcreteBackendName, source: string, reason?: string): BackendAttempt => ({ backend, source, ok: reason === undefined, ...(reason !== undefined && { reason }), ms: 1 });
  const info = (over: Partial<BackendInfo>): BackendInfo => ({
    name: 'wasm', requested: 'auto', tried: [], threads: 1, version: { tfjsCore: '4.22.0', backend: '4.22.0' }, suppliedKernels: [], ...over,
  });

  it('names the backend and, for auto, why each faster one was passed over', () => {
    expect(describeBackend(info({
      tried: [
        attempt('tensorflow', '@tensorflow/tfjs-node-gpu', 'not installed'),
        attempt('tensorflow', '@tensorflow/tfjs-node', 'not installed'),
        attempt('webgpu', 'webgpu', 'no GPU device node (/dev/dri, /dev/nvidia*)'),
        attempt('wasm', '@tensorflow/tfjs-backend-wasm'),
      ],
    }))).toBe('backend wasm, 1 thread (tfjs-node: not installed; WebGPU: no GPU device node (/dev/dri, /dev/nvidia*))');
    expect(describeBackend(info({ name: 'webgpu', threads: null, device: 'nvidia hopper', tried: [attempt('tensorflow', '@tensorflow/tfjs-node-gpu', 'not installed'), attempt('tensorflow', '@tensorflow/tfjs-node', 'libtensorflow.so.2: cannot open'), attempt('webgpu', 'webgpu')] })))
      .toBe('backend webgpu, nvidia hopper (tfjs-node: not installed, libtensorflow.so.2: cannot open)');
    expect(describeBackend(info({ name: 'tensorflow', threads: 16, tried: [attempt('tensorflow', '@tensorflow/tfjs-node-gpu')] }))).toBe('backend tensorflow, 16 threads (the fastest here)');
    expect(describeBackend(info({ name: 'cpu', requested: 'cpu', tried: [attempt('cpu', '@tensorflow/tfjs-backend-cpu')] }))).toBe('backend cpu, 1 thread (requested)');
  });

  it('keeps AUTO_ORDER fastest first', () => {
    expect(AUTO_ORDER).toEqual(['tensorflow', 'webgpu', 'wasm', 'cpu']);
  });
});
