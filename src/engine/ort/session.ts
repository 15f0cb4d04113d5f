// ONNX Runtime sessions for the engine: which execution provider runs (cpu, cuda, auto), how many
// threads, and one place that creates sessions from emitted model bytes.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import type { ConversionBackendName } from '../../formats/conversion.js';
import { ConversionBackendError } from '../errors.js';
import { moveElementwiseIntoBlockedLayout } from './layout-pass.js';

/**
 * Guards ONNX Runtime's native calls. Terminating a worker thread while it is inside one aborts the
 * whole process (the binding throws a C++ exception that nothing catches), so a thread that may be
 * terminated installs a gate: enter() before each native call (it throws once the thread is
 * closing), leave() after it; the thread's owner terminates it only while no call is inside.
 */
export interface NativeGate {
  enter(): void;
  leave(): void;
}

// Per thread (module state is per worker thread), not per call: the gate belongs to the thread.
let gate: NativeGate | null = null;

/** Installs the calling thread's gate (null: none, e.g. on a main thread that is never terminated). */
export function setNativeGate(g: NativeGate | null): void {
  gate = g;
}

async function guarded<T>(call: () => Promise<T>): Promise<T> {
  const g = gate;
  if (g === null) return call();
  g.enter();
  try {
    return await call();
  } finally {
    g.leave();
  }
}

/** An ONNX Runtime inference session whose native calls (run, release) pass the thread's gate. */
export class OrtSession {
  constructor(private readonly inner: ort.InferenceSession) {}

  run(feeds: ort.InferenceSession.FeedsType, fetches?: ort.InferenceSession.FetchesType): Promise<ort.InferenceSession.ReturnType> {
    return guarded(() => (fetches === undefined ? this.inner.run(feeds) : this.inner.run(feeds, fetches)));
  }

  release(): Promise<void> {
    return guarded(() => this.inner.release());
  }
}

/** An execution provider that actually runs (what `auto` resolves to). */
export type OrtBackend = Exclude<ConversionBackendName, 'auto'>;

export interface OrtOptions {
  /** Execution provider; default 'auto' (cuda where its libraries are installed, else cpu). */
  backend?: ConversionBackendName;
  /** Intra-op threads of the CPU provider; default SPIKELAB_THREADS, else every core. */
  threads?: number;
}

export interface ResolvedBackend {
  readonly backend: OrtBackend;
  readonly threads: number;
  /** Why `auto` did not pick cuda (empty when it did or was not asked). */
  readonly note: string;
}

/** CPU threads: SPIKELAB_THREADS when it is a positive integer, else os.availableParallelism(). */
export function defaultThreads(): number {
  const env = process.env['SPIKELAB_THREADS'];
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (!Number.isInteger(n) || n < 1) throw new ConversionBackendError(`SPIKELAB_THREADS must be a positive integer, got '${env}'`);
    return n;
  }
  return os.availableParallelism();
}

/** Folder of onnxruntime-node's native binding (where the CUDA provider libraries must be put). */
export function ortBinaryFolder(): string {
  const require = createRequire(import.meta.url);
  const pkg = path.dirname(require.resolve('onnxruntime-node/package.json'));
  return path.join(pkg, 'bin', 'napi-v6', process.platform, process.arch);
}

/** Whether the CUDA execution provider's libraries are installed next to the binding, and if not why. */
export function cudaProvider(): { available: boolean; reason: string } {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    return { available: false, reason: `the CUDA provider of onnxruntime-node exists for linux/x64 only (this is ${process.platform}/${process.arch})` };
  }
  const dir = ortBinaryFolder();
  const missing = ['libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_shared.so'].filter((f) => !existsSync(path.join(dir, f)));
  if (missing.length > 0) {
    return { available: false, reason: `${missing.join(' and ')} not installed in ${dir} (see the README, "ONNX Runtime on a GPU")` };
  }
  return { available: true, reason: '' };
}

/**
 * Resolves a backend request. `cpu` always works; `cuda` needs the provider libraries (else a
 * ConversionBackendError that says what is missing); `auto` is cuda where installed, else cpu.
 */
export function resolveBackend(opts: OrtOptions = {}): ResolvedBackend {
  const threads = opts.threads ?? defaultThreads();
  if (!Number.isInteger(threads) || threads < 1) throw new ConversionBackendError(`threads must be a positive integer, got ${threads}`);
  const requested = opts.backend ?? 'auto';
  if (requested === 'cpu') return { backend: 'cpu', threads, note: '' };
  const cuda = cudaProvider();
  if (requested === 'cuda') {
    if (!cuda.available) throw new ConversionBackendError(`backend 'cuda' is not available: ${cuda.reason}`);
    return { backend: 'cuda', threads, note: '' };
  }
  if (requested !== 'auto') throw new ConversionBackendError(`unknown conversion backend '${String(requested)}' (use auto, cpu or cuda)`);
  return cuda.available ? { backend: 'cuda', threads, note: '' } : { backend: 'cpu', threads, note: `cuda not used: ${cuda.reason}` };
}

/**
 * An inference session over model bytes on the resolved backend: all graph optimisations, one
 * inter-op thread (the graphs are chains), `threads` intra-op threads. On cuda, TF32 is switched
 * off (NVIDIA_TF32_OVERRIDE=0 unless the caller set it: onnxruntime-node passes no provider option
 * for it) so that convolutions keep float32 precision like the CPU.
 */
export async function createSession(bytes: Uint8Array, b: ResolvedBackend): Promise<OrtSession> {
  const options: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    intraOpNumThreads: b.threads,
    interOpNumThreads: 1,
    logSeverityLevel: 3,
    executionProviders: b.backend === 'cuda' ? ['cuda', 'cpu'] : ['cpu'],
  };
  if (b.backend === 'cuda') process.env['NVIDIA_TF32_OVERRIDE'] ??= '0';
  try {
    return new OrtSession(await guarded(() => ort.InferenceSession.create(bytes, options)));
  } catch (err) {
    if (b.backend === 'cuda') throw new ConversionBackendError(`backend 'cuda' failed to start: ${(err as Error).message}`);
    throw err;
  }
}

let optimizedFiles = 0;

/**
 * A session for a graph with many element-wise ops between convolutions (the SNN steps): on the
 * CPU provider, ONNX Runtime optimises it once and writes the result; moveElementwiseIntoBlockedLayout
 * then drops the reorders ORT put around element-wise ops, and that model runs without further
 * optimisation. Same kernels, same weights, same arithmetic as createSession on the same bytes.
 */
export async function createBlockedSession(bytes: Uint8Array, b: ResolvedBackend): Promise<OrtSession> {
  if (b.backend !== 'cpu') return createSession(bytes, b);
  const file = path.join(os.tmpdir(), `spikelab-ort-${process.pid}-${optimizedFiles++}.onnx`);
  try {
    const probe = new OrtSession(await guarded(() => ort.InferenceSession.create(bytes, { ...cpuOptions(b), optimizedModelFilePath: file })));
    await probe.release();
    const { bytes: rewritten } = moveElementwiseIntoBlockedLayout(readFileSync(file));
    return new OrtSession(await guarded(() => ort.InferenceSession.create(rewritten, { ...cpuOptions(b), graphOptimizationLevel: 'disabled' })));
  } finally {
    rmSync(file, { force: true });
  }
}

function cpuOptions(b: ResolvedBackend): ort.InferenceSession.SessionOptions {
  return { graphOptimizationLevel: 'all', executionMode: 'sequential', intraOpNumThreads: b.threads, interOpNumThreads: 1, logSeverityLevel: 3, executionProviders: ['cpu'] };
}

/** A float32 tensor over `data` (no copy). */
export function tensor(data: Float32Array, dims: readonly number[]): ort.Tensor {
  return new ort.Tensor('float32', data, dims);
}

export { ort };
