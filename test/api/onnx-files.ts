// Runs exported ONNX files the way a user outside Spikelab would: plain onnxruntime-node calls,
// driven by the contract in the file's metadata (read with the protobuf binding, as ORT's API does
// not expose metadata). Nothing of the engine is used.
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';

export interface SnnContractView {
  kind: 'snn';
  input: { name: string; shape: number[] };
  stepsPerCall: number;
  timeSteps: number;
  output: { shape: number[] };
  states: { name: string; shape: number[]; init: number | number[] }[];
}

/** The file's `spikelab.contract` metadata entry. */
export function contractOf(bytes: Uint8Array): Record<string, unknown> {
  const m = onnxProto.onnx.ModelProto.decode(bytes);
  const entry = m.metadataProps.find((p) => p.key === 'spikelab.contract');
  if (!entry?.value) throw new Error('no spikelab.contract metadata in the file');
  return JSON.parse(entry.value) as Record<string, unknown>;
}

/** NHWC rows → NCHW, written out plainly. */
export function toNchw(x: Float32Array, n: number, [h, w, c]: readonly [number, number, number]): Float32Array {
  const out = new Float32Array(x.length);
  for (let b = 0; b < n; b++) for (let y = 0; y < h; y++) for (let q = 0; q < w; q++) for (let k = 0; k < c; k++) out[((b * c + k) * h + y) * w + q] = x[((b * h + y) * w + q) * c + k]!;
  return out;
}

/** A state's initial value for `n` samples: one number, or one per channel (axis 1). */
function initial(shape: readonly number[], init: number | readonly number[], n: number): Float32Array {
  const per = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n * per);
  if (typeof init === 'number') return out.fill(init);
  const inner = per / init.length;
  for (let i = 0; i < out.length; i++) out[i] = init[Math.floor((i % per) / inner)]!;
  return out;
}

/** Top-1 accuracy after every step 1..T of an exported SNN classifier on NHWC images, in batches. */
export async function snnAccuracyPerStep(bytes: Uint8Array, images: Float32Array, labels: Float32Array, count: number, hwc: readonly [number, number, number], batch: number): Promise<number[]> {
  const contract = contractOf(bytes) as unknown as SnnContractView;
  const session = await ort.InferenceSession.create(bytes);
  const per = hwc[0] * hwc[1] * hwc[2];
  const classes = contract.output.shape[0]!;
  const correct = new Array<number>(contract.timeSteps).fill(0);
  try {
    for (let s = 0; s < count; s += batch) {
      const n = Math.min(batch, count - s);
      const feeds: Record<string, ort.Tensor> = { input: new ort.Tensor('float32', toNchw(images.subarray(s * per, (s + n) * per), n, hwc), [n, hwc[2], hwc[0], hwc[1]]) };
      for (const st of contract.states) feeds[st.name] = new ort.Tensor('float32', initial(st.shape, st.init, n), [n, ...st.shape]);
      for (let call = 0; call * contract.stepsPerCall < contract.timeSteps; call++) {
        const out = await session.run(feeds);
        for (const st of contract.states) feeds[st.name] = out[st.name.replace(/^state:/, 'next:')]!;
        for (let k = 1; k <= contract.stepsPerCall; k++) {
          const t = call * contract.stepsPerCall + k;
          if (t > contract.timeSteps) break;
          const acc = out[`output:${k}`]!.data as Float32Array;
          for (let i = 0; i < n; i++) {
            const row = Array.from(acc.subarray(i * classes, (i + 1) * classes));
            if (row.indexOf(Math.max(...row)) === labels[s + i]) correct[t - 1]!++;
          }
        }
      }
    }
  } finally {
    await session.release();
  }
  return correct.map((v) => v / count);
}

/** Output `output` of an exported ANN for an NCHW batch. */
export async function runAnnFile(bytes: Uint8Array, x: Float32Array, dims: readonly number[]): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const out = await session.run({ input: new ort.Tensor('float32', x, [...dims]) });
    return out['output']!.data as Float32Array;
  } finally {
    await session.release();
  }
}
