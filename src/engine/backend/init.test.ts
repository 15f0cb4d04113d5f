import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import { BackendUnavailableError, currentBackend, initBackend } from './index.js';

const require = createRequire(import.meta.url);
const tfjsNodeInstalled = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'].some((pkg) => {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
});

describe('initBackend with explicit names', () => {
  it('starts cpu, then wasm, and is idempotent', async () => {
    expect(currentBackend()).toBeNull();
    const cpu = await initBackend('cpu');
    expect(cpu.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(cpu.threads).toBe(1);

    const wasm = await initBackend('wasm');
    expect(wasm.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(wasm.threads).toBeGreaterThanOrEqual(1);
    expect(wasm.version.tfjsCore).toBe(tf.version_core);
    expect(wasm.suppliedKernels).toContain('Conv2DBackpropFilter');
    expect(wasm.tried).toEqual([expect.objectContaining({ backend: 'wasm', ok: true })]);

    expect(await initBackend('wasm')).toBe(wasm);
    expect(await initBackend('auto')).toBe(wasm);
    expect(currentBackend()).toBe(wasm);
  });

  // (with tfjs-node installed, 'tensorflow' loads: the auto test covers that machine)
  (tfjsNodeInstalled ? it.skip : it)("fails clearly for 'tensorflow' when tfjs-node is not installed", async () => {
    const err: unknown = await initBackend('tensorflow').catch((e: unknown) => e);
    if (!(err instanceof BackendUnavailableError)) throw err;
    expect(err.requested).toBe('tensorflow');
    expect(err.attempts.map((a) => [a.source, a.reason])).toEqual([['@tensorflow/tfjs-node-gpu', 'not installed'], ['@tensorflow/tfjs-node', 'not installed']]);
    expect(err.available).toEqual(expect.arrayContaining(['wasm', 'cpu']));
    expect(err.message).toMatch(/'tensorflow' is unavailable .*tfjs-node.*Available here: .*wasm, cpu/);
    expect(tf.getBackend()).toBe('wasm'); // a failed request leaves the active backend alone
  });
});
