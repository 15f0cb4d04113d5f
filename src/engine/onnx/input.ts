// The graph input: a float image batch [N, C, H, W] (or [N, H, W, C] that the graph transposes to NCHW
// right away, as tf2onnx emits). Symbolic H, W or C come from the caller's inputShape; the batch stays
// symbolic.
import { Attrs } from './attrs.js';
import type { OnnxModel, OnnxNode } from './decode.js';
import { OnnxShapeError, safeName } from './errors.js';
import { DT, dtypeName } from './tensor.js';

export interface ResolvedInput {
  /** Per-sample shape of the IR input, [C, H, W]. */
  readonly shape: [number, number, number];
  /** Layout of the file's input; 'NHWC' when its only readers are Transpose(0, 3, 1, 2), which the IR drops. */
  readonly layout: 'NCHW' | 'NHWC';
  /** The batch size the file fixes, or null when symbolic. */
  readonly fixedBatch: number | null;
  /** NHWC → NCHW transposes that become the IR input itself. */
  readonly absorbed: ReadonlySet<OnnxNode>;
}

const NAMES = ['C', 'H', 'W'] as const;

export function resolveInput(model: OnnxModel, live: readonly OnnxNode[], override: readonly number[] | undefined, maxElements: number): ResolvedInput {
  const info = model.input;
  const label = `the model input '${safeName(info.name, 40)}'`;
  if (info.elemType !== null && info.elemType !== DT.FLOAT) throw new OnnxShapeError(`${label} holds ${dtypeName(info.elemType)} values; Spikelab feeds float32 images`);
  if (override !== undefined && (override.length !== 3 || override.some((d) => !Number.isSafeInteger(d) || d < 1))) {
    throw new OnnxShapeError(`inputShape [${override.join(', ')}] is not three positive integers [C, H, W]`);
  }
  const dims = info.dims ?? (override ? [null, null, null, null] : null);
  if (dims === null) throw new OnnxShapeError(`${label} has no shape in the file; give the input shape [C, H, W]`);
  if (dims.length !== 4) throw new OnnxShapeError(`${label} has rank ${dims.length}; Spikelab imports image models with input [N, C, H, W]`);
  const readers = live.filter((n) => n.inputs.includes(info.name));
  const nhwc = readers.length > 0 && readers.every((n) => n.opType === 'Transpose' && (new Attrs(n, maxElements).ints('perm') ?? []).join() === '0,3,1,2');
  const declared = nhwc ? [dims[3], dims[1], dims[2]] : [dims[1], dims[2], dims[3]];
  const shape = declared.map((d, i) => {
    const given = override?.[i];
    if (typeof d === 'number') {
      if (given !== undefined && given !== d) throw new OnnxShapeError(`inputShape [${override?.join(', ')}] disagrees with ${label}, whose ${NAMES[i]} is fixed at ${d}`);
      return d;
    }
    if (given === undefined) throw new OnnxShapeError(`${label} leaves ${NAMES[i]} symbolic${d ? ` ('${d}')` : ''}; give the input shape [C, H, W]`);
    return given;
  }) as [number, number, number];
  const b = dims[0];
  return { shape, layout: nhwc ? 'NHWC' : 'NCHW', fixedBatch: typeof b === 'number' ? b : null, absorbed: new Set(nhwc ? readers : []) };
}
