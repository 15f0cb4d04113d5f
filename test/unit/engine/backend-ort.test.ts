import os from 'node:os';
import { ConversionBackendError } from '../../../src/engine/errors.js';
import { cudaProvider, defaultThreads, resolveBackend } from '../../../src/engine/ort/index.js';

describe('conversion backends (ONNX Runtime execution providers)', () => {
  const saved = process.env['SPIKELAB_THREADS'];
  afterEach(() => {
    if (saved === undefined) delete process.env['SPIKELAB_THREADS'];
    else process.env['SPIKELAB_THREADS'] = saved;
  });

  it('cpu always resolves; threads come from SPIKELAB_THREADS, else every core', () => {
    delete process.env['SPIKELAB_THREADS'];
    expect(resolveBackend({ backend: 'cpu' })).toEqual({ backend: 'cpu', threads: os.availableParallelism(), note: '' });
    process.env['SPIKELAB_THREADS'] = '3';
    expect(defaultThreads()).toBe(3);
    expect(resolveBackend({ backend: 'cpu', threads: 1 }).threads).toBe(1);
    process.env['SPIKELAB_THREADS'] = 'many';
    expect(() => defaultThreads()).toThrow(/SPIKELAB_THREADS must be a positive integer, got 'many'/);
    expect(() => resolveBackend({ backend: 'cpu', threads: 0 })).toThrow(ConversionBackendError);
  });

  it('cuda needs its provider libraries: refused with what is missing, and auto falls back to cpu', () => {
    const cuda = cudaProvider();
    if (cuda.available) {
      expect(resolveBackend({ backend: 'cuda', threads: 1 }).backend).toBe('cuda');
      expect(resolveBackend({ backend: 'auto', threads: 1 }).backend).toBe('cuda');
    } else {
      expect(() => resolveBackend({ backend: 'cuda', threads: 1 })).toThrow(ConversionBackendError);
      expect(() => resolveBackend({ backend: 'cuda', threads: 1 })).toThrow(/backend 'cuda' is not available: .*libonnxruntime_providers_cuda\.so/);
      const auto = resolveBackend({ backend: 'auto', threads: 1 });
      expect(auto.backend).toBe('cpu');
      expect(auto.note).toMatch(/cuda not used/);
    }
    expect(() => resolveBackend({ backend: 'tpu' as never, threads: 1 })).toThrow(/unknown conversion backend 'tpu'/);
  });
});
