// Short compute a request waits for (reading an uploaded ONNX file, building an export file): each
// task runs in a worker thread of its own, so the event loop never loads TensorFlow.js or ONNX
// Runtime, and at most `concurrency` run at once (the others wait their turn).
import type { BackendName } from '../formats/index.js';
import type { FromWorker, Task } from './messages.js';
import { WorkerSlot } from './slot.js';

export type DoneMessage = Extract<FromWorker, { type: 'done' }>;

/** The task threw in its worker: `errorName` is the error's class name there (e.g. OnnxUnsupportedError). */
export class WorkerTaskError extends Error {
  constructor(
    readonly errorName: string,
    message: string,
  ) {
    super(message);
    this.name = 'WorkerTaskError';
  }
}

export class OneShotTasks {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly backend: BackendName,
    private readonly log: (...args: unknown[]) => void,
    private readonly concurrency = 2,
  ) {}

  /** Runs `task` in a fresh worker: its done message, WorkerTaskError when it threw, Error when the thread died. */
  async run(task: Task, transfer: ArrayBuffer[] = []): Promise<DoneMessage> {
    await this.turn();
    const slot = new WorkerSlot(-1, this.backend, this.log);
    try {
      return await new Promise<DoneMessage>((resolve, reject) => {
        void slot.run(0, this.backend, task, {
          onMessage: (m) => {
            if (m.type === 'done') resolve(m);
            else if (m.type === 'error') reject(new WorkerTaskError(m.name, m.message));
          },
          onCrash: (reason) => reject(new Error(`${task.kind} worker: ${reason}`)),
        }, transfer);
      });
    } finally {
      void slot.terminate(true);
      this.release();
    }
  }

  private async turn(): Promise<void> {
    if (this.running < this.concurrency) {
      this.running++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}
