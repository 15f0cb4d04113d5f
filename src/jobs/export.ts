// The standalone ONNX files the server hands out (GET /exports/…): the ANN of any checkpoint (zoo,
// trained or imported) and the SNN of a finished conversion run, rebuilt in a worker thread from
// the stored checkpoint and, for the SNN, the run's config and calibrated λ (the graphs the run
// executed, so the file reproduces its per-step outputs).
import type { JobEnv } from './execution.js';
import type { ExportedFile, ExportTask } from './messages.js';
import type { OneShotTasks } from './one-shot.js';
import { checkpointPayload } from './training-job.js';

export interface ExportFile extends ExportedFile {
  /** A file name for downloads, e.g. "conversion-run-7-snn.onnx". */
  filename: string;
}

async function build(tasks: OneShotTasks, task: ExportTask, filename: string): Promise<ExportFile> {
  const done = await tasks.run(task, [task.checkpoint.weights.buffer as ArrayBuffer]);
  if (!done.exported) throw new Error('the export worker answered without a file');
  return { ...done.exported, filename };
}

/** The checkpoint's ANN: input `input` [N, C, H, W], output `output`. NotFoundError for an unknown checkpoint. */
export async function exportAnnFile(env: JobEnv, tasks: OneShotTasks, checkpointId: number): Promise<ExportFile> {
  const checkpoint = await checkpointPayload(env, checkpointId);
  return build(tasks, { kind: 'export', checkpoint, snn: null }, `checkpoint-${checkpointId}-ann.onnx`);
}

/** The run's SNN with its states as inputs and outputs (contract in the file's metadata). InvalidInputError unless the run SUCCEEDED. */
export async function exportSnnFile(env: JobEnv, tasks: OneShotTasks, runId: number): Promise<ExportFile> {
  const { run, config, lambdas } = await env.registry.conversionRuns.exportInputs(runId);
  const checkpoint = await checkpointPayload(env, run.checkpointId);
  return build(tasks, { kind: 'export', checkpoint, snn: { lambdas, config } }, `conversion-run-${runId}-snn.onnx`);
}
