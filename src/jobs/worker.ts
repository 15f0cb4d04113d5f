// Worker-thread entry (dist/src/jobs/worker.js): compute only. It never touches the database; it
// posts progress, metrics and results to the runner, which persists them. Cancellation: the runner
// sets a SharedArrayBuffer flag (read synchronously from the engine's per-batch callbacks) and also
// sends a message; either aborts the engine's AbortSignal, so work stops within one batch.
import { parentPort, workerData } from 'node:worker_threads';
import { describeBackend, initBackend } from '../engine/backend/index.js';
import { CancelledError } from '../engine/errors.js';
import { setNativeGate } from '../engine/ort/index.js';
import type { BackendName } from '../formats/index.js';
import { FLAG, type FromWorker, type ToWorker } from './messages.js';
import { buildExport, inspectOnnx } from './onnx-tasks.js';
import { runConversion, runSweep, runTraining, validateWeights } from './tasks.js';

const port = parentPort;
if (!port) throw new Error('worker.js must run as a worker thread');
const { cancelFlag, backend } = workerData as { cancelFlag: SharedArrayBuffer; backend: BackendName };
const flag = new Int32Array(cancelFlag);
let controller: AbortController | null = null;

// The runner terminates this thread only while no ONNX Runtime call is inside (see NativeGate):
// a call counts itself in before it starts and refuses to start once the thread is closing.
setNativeGate({
  enter() {
    Atomics.add(flag, FLAG.inNative, 1);
    if (Atomics.load(flag, FLAG.closing) === 1) {
      Atomics.sub(flag, FLAG.inNative, 1);
      throw new CancelledError('the worker thread is closing');
    }
  },
  leave() {
    Atomics.sub(flag, FLAG.inNative, 1);
  },
});

const post = (m: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);
const check = (): void => {
  if (Atomics.load(flag, FLAG.cancel) === 1 && controller && !controller.signal.aborted) controller.abort();
};

async function run(msg: Extract<ToWorker, { type: 'run' }>): Promise<void> {
  controller = new AbortController();
  const { signal } = controller;
  try {
    if (msg.backend !== 'auto') await initBackend(msg.backend);
    const t = msg.task;
    switch (t.kind) {
      case 'training':
        return await runTraining(msg.jobId, t, post, signal, check);
      case 'conversion':
        return await runConversion(msg.jobId, t, post, signal, check);
      case 'sweep':
        return await runSweep(msg.jobId, t, post, signal, check);
      case 'validate':
        return await validateWeights(msg.jobId, t, post);
      case 'onnx-inspect':
        return inspectOnnx(msg.jobId, t, post);
      case 'export':
        return await buildExport(msg.jobId, t, post);
    }
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    post({ type: 'error', jobId: msg.jobId, message: e.message, name: e.name, cancelled: signal.aborted || /Cancel/.test(e.name) });
  } finally {
    controller = null;
  }
}

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'cancel') controller?.abort();
  else void run(msg);
});

const info = await initBackend(backend);
post({ type: 'ready', backend: info.name, summary: describeBackend(info) });
