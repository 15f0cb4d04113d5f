// One worker thread of the pool, running one task at a time. The thread is kept between tasks (the
// engine loads once) and replaced when it dies.
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { BackendName } from '../formats/index.js';
import { FLAG, FLAG_SLOTS, type FromWorker, type Task } from './messages.js';

/**
 * Initial heap of the worker threads (MB; V8 reads it when a thread's isolate is created). A
 * conversion allocates state, input and output buffers outside the JavaScript heap, and with V8's
 * default start (a few MB, grown to fit) that outside memory sets off full collections several times
 * a second of simulation, marked by V8's helper threads beside the compute thread. From 128 MB they
 * are rare: measured here (bench:scale, 1 worker, 4 alternating runs) 106–107 jobs/min against
 * 95–96, and the helper threads' CPU fell from about 21 % to 10 % of the compute thread's.
 */
const THREAD_INITIAL_HEAP_MB = 128;
setFlagsFromString(`--initial-heap-size=${THREAD_INITIAL_HEAP_MB}`);

export interface SlotHandlers {
  /** Every message of the current task (progress, metrics, done, error). */
  onMessage(m: FromWorker): void;
  /** The thread died during the task (crash, out of memory, terminate). */
  onCrash(reason: string): void;
}

export class WorkerSlot {
  private worker: Worker | null = null;
  private readonly flag = new Int32Array(new SharedArrayBuffer(4 * FLAG_SLOTS));
  private ready: Promise<void> | null = null;
  private current: { jobId: number; handlers: SlotHandlers } | null = null;
  private stopping = false;
  /** The backend the thread runs, once it is ready (its 'ready' message). */
  backendName: string | null = null;

  constructor(
    readonly index: number,
    private readonly backend: BackendName,
    private readonly log: (...args: unknown[]) => void,
  ) {}

  get busy(): boolean {
    return this.current !== null;
  }

  get jobId(): number | null {
    return this.current?.jobId ?? null;
  }

  private spawn(): Promise<void> {
    Atomics.store(this.flag, FLAG.closing, 0);
    Atomics.store(this.flag, FLAG.inNative, 0);
    const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: { cancelFlag: this.flag.buffer, backend: this.backend } });
    this.worker = worker;
    this.ready = new Promise<void>((resolve, reject) => {
      const onFirst = (m: FromWorker): void => {
        if (m.type === 'ready') {
          worker.off('message', onFirst);
          this.backendName = m.backend;
          this.log(`${this.index < 0 ? 'import worker' : `worker ${this.index}`}: ${m.summary}`);
          resolve();
        }
      };
      worker.on('message', onFirst);
      worker.once('exit', (code) => reject(new Error(`worker exited with code ${code} while starting`)));
    });
    worker.on('message', (m: FromWorker) => {
      // a closing thread's last words (e.g. the error of a refused native call) are not the task's end: its exit is
      if (Atomics.load(this.flag, FLAG.closing) === 1) return;
      if (m.type !== 'ready' && this.current && 'jobId' in m && m.jobId === this.current.jobId) {
        const { handlers } = this.current;
        if (m.type === 'done' || m.type === 'error') this.current = null;
        handlers.onMessage(m);
      }
    });
    worker.on('error', (err) => this.log(`worker ${this.index} error:`, err));
    worker.on('exit', (code) => {
      if (this.worker === worker) {
        this.worker = null;
        this.ready = null;
      }
      const cur = this.current;
      this.current = null;
      if (cur) cur.handlers.onCrash(this.stopping ? 'the server stopped' : `worker thread exited with code ${code}`);
    });
    return this.ready;
  }

  /** Starts the thread now (the engine and backend load) instead of at the first task; resolves when ready. */
  async warmUp(): Promise<string> {
    if (!this.worker || !this.ready) await this.spawn();
    else await this.ready;
    return this.backendName ?? 'unknown';
  }

  /** Starts a task; resolves once the worker accepted it. */
  async run(jobId: number, backend: BackendName, task: Task, handlers: SlotHandlers, transfer: ArrayBuffer[] = []): Promise<void> {
    Atomics.store(this.flag, FLAG.cancel, 0); // before `current` is set, so a cancel from now on is kept
    this.current = { jobId, handlers };
    try {
      if (!this.worker || !this.ready) await this.spawn();
      else await this.ready;
    } catch (err) {
      this.current = null;
      handlers.onCrash(`worker failed to start: ${(err as Error).message}`);
      return;
    }
    this.worker!.postMessage({ type: 'run', jobId, backend, task }, transfer);
  }

  /** Asks the current task to stop (flag read synchronously by the engine's callbacks, plus a message). */
  cancel(jobId: number): void {
    if (this.current?.jobId !== jobId) return;
    Atomics.store(this.flag, FLAG.cancel, 1);
    this.worker?.postMessage({ type: 'cancel', jobId });
  }

  /**
   * Kills the thread (the current task, if any, sees onCrash). Terminating a thread inside an
   * ONNX Runtime call would abort the process, so the thread is first closed to new native calls
   * and terminated once the call in progress (at most one simulation call) has returned.
   */
  async terminate(stopping = false): Promise<void> {
    this.stopping = stopping;
    const worker = this.worker;
    if (!worker) return;
    let exited = false;
    worker.once('exit', () => (exited = true));
    Atomics.store(this.flag, FLAG.closing, 1);
    while (!exited && Atomics.load(this.flag, FLAG.inNative) > 0) await new Promise((r) => setTimeout(r, 2));
    await worker.terminate();
  }
}
