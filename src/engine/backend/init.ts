import * as tf from '@tensorflow/tfjs-core';
import type { BackendName } from '../../formats/conversion.js';
import {
  BackendUnavailableError,
  type BackendAttempt,
  type ConcreteBackendName,
} from './errors.js';
import { loaders, type LoadResult } from './loaders.js';

/** What initBackend chose, and why. */
export interface BackendInfo {
  /** The backend tfjs now runs on (tf.getBackend()). */
  name: ConcreteBackendName;
  /** What the caller asked for. */
  requested: BackendName;
  /** Every load attempt in order, with the reason each failure happened. */
  tried: readonly BackendAttempt[];
  /** CPU threads the backend computes with; null for a GPU backend. */
  threads: number | null;
  version: { tfjsCore: string; backend: string };
  /** The accelerator, when there is one (e.g. the WebGPU adapter's vendor/architecture). */
  device?: string;
  /** Kernels Spikelab registered because the backend lacks them. */
  suppliedKernels: readonly string[];
}

export interface InitBackendOptions {
  /** Give up on WebGPU adapter discovery / backend start after this long (default 5000 ms). */
  webgpuTimeoutMs?: number;
}

/** 'auto' tries these in order: the fastest that loads wins. */
export const AUTO_ORDER: readonly ConcreteBackendName[] = ['tensorflow', 'webgpu', 'wasm', 'cpu'];

let current: BackendInfo | null = null;
let pending: { preference: BackendName; promise: Promise<BackendInfo> } | null = null;

/** The backend chosen by the last successful initBackend, or null before one. */
export function currentBackend(): BackendInfo | null {
  return current;
}

/**
 * Selects and initialises the tfjs compute backend.
 * 'auto' = first that loads of tfjs-node-gpu/tfjs-node ('tensorflow'), webgpu (only when an adapter
 * is found), wasm, cpu. An explicit name that cannot load throws BackendUnavailableError listing
 * what is available. Idempotent: a call with 'auto' or the active backend's name returns the same
 * BackendInfo; a call naming another backend switches to it.
 */
export async function initBackend(
  preference: BackendName = 'auto',
  opts: InitBackendOptions = {},
): Promise<BackendInfo> {
  if (current !== null && (preference === 'auto' || preference === current.name)) return current;
  if (pending !== null) {
    if (pending.preference === preference) return pending.promise;
    await pending.promise.catch(() => undefined);
    return initBackend(preference, opts);
  }
  const promise = registerGradients().then(() => select(preference, opts));
  pending = { preference, promise };
  try {
    current = await promise;
    return current;
  } finally {
    pending = null;
  }
}

/**
 * tfjs-core's Node bundle registers no gradients (tf.grad of Sum fails); tfjs-layers' bundle
 * registers all of core's on import, so every backend set up here can train and differentiate.
 */
async function registerGradients(): Promise<void> {
  await import('@tensorflow/tfjs-layers');
}

async function select(preference: BackendName, opts: InitBackendOptions): Promise<BackendInfo> {
  const order = preference === 'auto' ? AUTO_ORDER : [preference];
  const tried: BackendAttempt[] = [];
  for (const name of order) {
    const result = await attempt(name, opts, tried);
    if (result !== null) return toInfo(name, preference, tried, result);
  }
  const available: ConcreteBackendName[] = [];
  for (const name of AUTO_ORDER.filter((n) => !order.includes(n))) {
    if (await loaders[name].probe(opts)) available.push(name);
  }
  throw new BackendUnavailableError(preference, tried, available);
}

async function attempt(
  name: ConcreteBackendName,
  opts: InitBackendOptions,
  tried: BackendAttempt[],
): Promise<LoadResult | null> {
  for (const source of loaders[name].sources) {
    const t0 = Date.now();
    try {
      const result = await loaders[name].load(source, opts);
      tried.push({ backend: name, source, ok: true, ms: Date.now() - t0 });
      return result;
    } catch (err) {
      tried.push({ backend: name, source, ok: false, reason: describe(err), ms: Date.now() - t0 });
    }
  }
  return null;
}

function toInfo(
  name: ConcreteBackendName,
  requested: BackendName,
  tried: BackendAttempt[],
  r: LoadResult,
): BackendInfo {
  const info: BackendInfo = {
    name,
    requested,
    tried,
    threads: r.threads,
    version: { tfjsCore: tf.version_core, backend: r.version },
    suppliedKernels: r.suppliedKernels,
  };
  if (r.device !== undefined) info.device = r.device;
  return info;
}

/** Why a load failed, in one line. Duck-typed: errors from another realm (e.g. a test runner's module loader) are not `instanceof Error`. */
function describe(err: unknown): string {
  const e = (typeof err === 'object' && err !== null ? err : {}) as { code?: unknown; message?: unknown; name?: unknown };
  const message = typeof e.message === 'string' ? e.message : String(err);
  if (e.code === 'ERR_MODULE_NOT_FOUND' || e.code === 'MODULE_NOT_FOUND' || /^Cannot find (module|package) /.test(message)) return 'not installed';
  return message.split('\n')[0] || (typeof e.name === 'string' ? e.name : 'failed');
}

const LABEL: Record<ConcreteBackendName, string> = { tensorflow: 'tfjs-node', webgpu: 'WebGPU', wasm: 'wasm', cpu: 'cpu' };

/**
 * One line saying which backend runs and why the faster ones did not, e.g.
 * `backend wasm, 1 thread (tfjs-node: not installed; WebGPU: no GPU device node (/dev/dri, /dev/nvidia*))`.
 */
export function describeBackend(info: BackendInfo): string {
  const threads = info.threads === null ? [] : [`${info.threads} thread${info.threads === 1 ? '' : 's'}`];
  const what = [info.name, ...(info.device !== undefined ? [info.device] : []), ...threads].join(', ');
  if (info.requested !== 'auto') return `backend ${what} (requested)`;
  const why: string[] = [];
  for (const name of AUTO_ORDER) {
    const failed = info.tried.filter((a) => a.backend === name && !a.ok);
    if (failed.length === 0) continue;
    const reasons = [...new Set(failed.map((a) => a.reason ?? 'failed'))];
    why.push(`${LABEL[name]}: ${reasons.join(', ')}`);
  }
  return `backend ${what} (${why.length > 0 ? why.join('; ') : 'the fastest here'})`;
}
