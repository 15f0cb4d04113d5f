// Worker-side compute around ONNX: a checkpoint loaded as the conversion engine takes it (a zoo
// model with its weights, or an imported file's graph), an uploaded ONNX file read and described
// for importOnnxModel, and the standalone ONNX files of a checkpoint's ANN or a run's SNN.
import type * as tfl from '@tensorflow/tfjs-layers';
import { loadCheckpoint } from '../engine/checkpoint/index.js';
import { exportAnn, exportSnn } from '../engine/conversion/index.js';
import type { Graph } from '../engine/ir/graph.js';
import { importOnnx } from '../engine/onnx/index.js';
import { isZooSpec } from '../formats/index.js';
import type { CheckpointPayload, ExportTask, FromWorker, OnnxInspectTask } from './messages.js';

type Post = (m: FromWorker, transfer?: ArrayBuffer[]) => void;

export interface ConvertibleModel {
  model: tfl.LayersModel | Graph;
  dispose(): void;
}

/**
 * A checkpoint as convertAndSimulate / exportAnn / exportSnn take it. An ONNX checkpoint is read
 * again with the input shape and classes its model was registered with, so its graph (and the
 * activation-site names the run's λ are keyed by) is the one the import checked.
 */
export async function loadConvertible(c: CheckpointPayload): Promise<ConvertibleModel> {
  const { spec } = c.manifest;
  if (c.manifest.format !== 'onnx') {
    const model = await loadCheckpoint(c);
    return { model, dispose: () => model.dispose() };
  }
  if (isZooSpec(spec)) throw new Error(`an ONNX checkpoint must carry an onnx spec, not ${spec.architecture}`);
  const [h, w, ch] = spec.inputShape;
  const { graph } = importOnnx(c.weights, { inputShape: [ch, h, w], numClasses: spec.numClasses });
  return { model: graph, dispose: () => undefined };
}

const bounded = (s: string): string => s.slice(0, 256);

/** importOnnx on the uploaded bytes: refusals are the importer's typed errors (OnnxImportError and subclasses). */
export function inspectOnnx(jobId: number, t: OnnxInspectTask, post: Post): void {
  const shape = t.inputShape === null ? undefined : [t.inputShape[2], t.inputShape[0], t.inputShape[1]];
  const r = importOnnx(t.bytes, { ...(shape && { inputShape: shape }), ...(t.numClasses !== null && { numClasses: t.numClasses }) });
  const [c, h, w] = r.inputShape;
  post({
    type: 'done',
    jobId,
    onnx: {
      inputShape: [h, w, c],
      task: r.task,
      numClasses: r.numClasses,
      family: r.family,
      parameterCount: r.parameterCount,
      macs: r.macs,
      reluSites: r.reluSites,
      outputShape: [...r.outputShape],
      origin: { opset: r.opset, irVersion: r.irVersion, producer: { name: bounded(r.producer.name), version: bounded(r.producer.version) }, inputLayout: r.inputLayout },
    },
  });
}

/** The ANN of a checkpoint, or the SNN of a finished run (its λ and config), as one ONNX file. */
export async function buildExport(jobId: number, t: ExportTask, post: Post): Promise<void> {
  const loaded = await loadConvertible(t.checkpoint);
  try {
    const out = t.snn ? exportSnn(loaded.model, t.snn.lambdas, t.snn.config) : exportAnn(loaded.model);
    const bytes = new Uint8Array(out.bytes); // a copy with its own buffer: the emitter may hand a Buffer from a shared pool
    post({ type: 'done', jobId, exported: { bytes, contract: { ...out.contract } } }, [bytes.buffer]);
  } finally {
    loaded.dispose();
  }
}
