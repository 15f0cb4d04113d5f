import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import type { ConcreteBackendName } from './errors.js';
import { registerWasmTrainingKernels } from './wasm_training_kernels.js';
import type * as WebGpu from 'webgpu';
import { probeWebGpu } from './webgpu_probe.js';

export interface LoadResult {
  threads: number | null;
  version: string;
  device?: string;
  suppliedKernels: string[];
}

export interface BackendLoader {
  /** Modules tried in order; the first that loads wins. */
  sources: readonly string[];
  /** Imports, registers and activates (tf.setBackend) the backend; throws why it cannot. */
  load(source: string, opts: { webgpuTimeoutMs?: number }): Promise<LoadResult>;
  /** Whether the backend could load, without activating it. */
  probe(opts: { webgpuTimeoutMs?: number }): Promise<boolean>;
}

async function activate(name: ConcreteBackendName): Promise<void> {
  if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend('${name}') returned false`);
  await tf.ready();
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** The cpu backend greets Node users with an install hint on first write; that is noise here. */
async function quietCpuBackend(): Promise<string> {
  const cpu = await import('@tensorflow/tfjs-backend-cpu');
  const backend = tf.findBackend('cpu') as (tf.KernelBackend & { firstUse?: boolean }) | null;
  if (backend !== null && 'firstUse' in backend) backend.firstUse = false;
  return cpu.version_cpu;
}

function versionOf(mod: unknown, key: string): string {
  const v = (mod as { version?: unknown }).version;
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && v !== null) {
    const named = (v as Record<string, unknown>)[key];
    if (typeof named === 'string') return named;
  }
  return tf.version_core;
}

/**
 * Finds a WebGPU adapter through Dawn (the `webgpu` package) in this process; throws why there is
 * none. The quiet probe runs first, so Dawn is loaded here only where it found an adapter.
 */
async function findAdapter(timeoutMs: number): Promise<{ mod: typeof WebGpu; gpu: GPU; adapter: GPUAdapter }> {
  const probe = await probeWebGpu(timeoutMs);
  if (!probe.ok) throw new Error(probe.reason);
  const mod = await import('webgpu');
  const gpu = mod.create([]);
  const adapter = await withTimeout(gpu.requestAdapter(), timeoutMs, 'WebGPU requestAdapter()');
  if (adapter === null) throw new Error('no WebGPU adapter in this process (the probe found one)');
  return { mod, gpu, adapter };
}

function installNavigatorGpu(mod: typeof WebGpu, gpu: GPU): void {
  Object.assign(globalThis, mod.globals);
  const g = globalThis as { navigator?: object };
  if (g.navigator === undefined) {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  } else {
    Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
  }
}

const tensorflow: BackendLoader = {
  sources: ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'],
  async load(source) {
    const mod: unknown = await import(source);
    await activate('tensorflow');
    return { threads: availableParallelism(), version: versionOf(mod, 'tfjs-node'), suppliedKernels: [] };
  },
  async probe() {
    for (const source of this.sources) {
      try {
        await import(source);
        return true;
      } catch {
        // try the next one
      }
    }
    return false;
  },
};

const webgpu: BackendLoader = {
  sources: ['webgpu'],
  async load(_source, opts) {
    const timeoutMs = opts.webgpuTimeoutMs ?? 5000;
    const { mod, gpu, adapter } = await findAdapter(timeoutMs);
    installNavigatorGpu(mod, gpu);
    await import('@tensorflow/tfjs-backend-webgpu');
    await withTimeout(activate('webgpu'), timeoutMs, 'webgpu backend start');
    const i = adapter.info;
    const device = [i.vendor, i.architecture, i.description].filter(Boolean).join(' ');
    const result: LoadResult = { threads: null, version: tf.version_core, suppliedKernels: [] };
    if (device !== '') result.device = device;
    return result;
  },
  async probe(opts) {
    return (await probeWebGpu(opts.webgpuTimeoutMs ?? 5000)).ok;
  },
};

const wasm: BackendLoader = {
  sources: ['@tensorflow/tfjs-backend-wasm'],
  async load() {
    const mod = await import('@tensorflow/tfjs-backend-wasm');
    await quietCpuBackend(); // the cpu backend serves the rare kernels wasm lacks entirely
    const suppliedKernels = registerWasmTrainingKernels();
    await activate('wasm');
    return { threads: mod.getThreadsCount(), version: mod.version_wasm, suppliedKernels };
  },
  async probe() {
    try {
      await import('@tensorflow/tfjs-backend-wasm');
      return true;
    } catch {
      return false;
    }
  },
};

const cpu: BackendLoader = {
  sources: ['@tensorflow/tfjs-backend-cpu'],
  async load() {
    const version = await quietCpuBackend();
    await activate('cpu');
    return { threads: 1, version, suppliedKernels: [] };
  },
  probe: () => Promise.resolve(true),
};

export const loaders: Record<ConcreteBackendName, BackendLoader> = { tensorflow, webgpu, wasm, cpu };
