// Layout operations: Concat, Flatten, Reshape, Transpose, Pad, Resize / Upsample. ONNX shapes and axes
// include the batch axis; the IR's are per sample, so every axis here shifts by one and the batch axis
// must stay where it is.
import { intsOf, type MapContext, type TensorValue, type Value } from './context.js';
import { numel, type Const } from './tensor.js';

/** ONNX axis (with batch) → per-sample axis; refuses the batch axis. */
function sampleAxis(ctx: MapContext, axis: number, sampleRank: number, what: string): number {
  const full = sampleRank + 1;
  const a = axis < 0 ? axis + full : axis;
  if (a < 0 || a >= full) ctx.fail(`${what} axis ${axis} is out of range`);
  if (a === 0) ctx.fail(`${what} along the batch axis is not supported`);
  return a - 1;
}

export function mapConcat(ctx: MapContext): TensorValue {
  const xs: Value[] = ctx.node.inputs.map((_, i) => ctx.input(i) ?? ctx.fail(`input ${i} is missing`));
  if (xs.some((v) => v.kind !== 'tensor')) ctx.fail('a constant among computed tensors (only computed tensors can be concatenated)');
  const ts = xs as TensorValue[];
  const first = ts[0] ?? ctx.fail('no inputs');
  const axis = sampleAxis(ctx, ctx.attrs.int('axis', 1), first.shape.length, 'Concat');
  for (const t of ts) {
    if (t.shape.length !== first.shape.length || t.shape.some((d, i) => i !== axis && d !== first.shape[i])) {
      ctx.fail(`inputs of shapes ${ts.map((v) => `[${v.shape.join(', ')}]`).join(', ')} differ off the concatenation axis`);
    }
  }
  if (ts.length === 1) return first;
  const shape = [...first.shape];
  shape[axis] = ts.reduce((s, t) => s + (t.shape[axis] as number), 0);
  return ctx.emit({ kind: 'concat', axis }, ts.map((t) => t.id), shape);
}

export function mapFlatten(ctx: MapContext): TensorValue {
  const x = ctx.tensor(0);
  const full = x.shape.length + 1;
  const raw = ctx.attrs.int('axis', 1);
  const axis = raw < 0 ? raw + full : raw;
  if (axis !== 1) ctx.fail(`axis ${raw} mixes the batch axis into the features (only axis 1 is supported)`);
  if (x.shape.length === 1) return x;
  return ctx.emit({ kind: 'flatten' }, [x.id], [numel(x.shape)]);
}

/** c + k·N as a user reads it: 7, N, 2·N, 2·N + 1. */
function affineText(c: number, k: number): string {
  if (k === 0) return String(c);
  const n = k === 1 ? 'N' : `${k}·N`;
  return c === 0 ? n : `${n} ${c < 0 ? '−' : '+'} ${Math.abs(c)}`;
}

/**
 * The per-sample shape a Reshape target asks for. The target's first element must keep the batch: the
 * symbolic N, 0 (copy), the batch size the file fixes, or −1 with the rest fully given.
 */
function sampleTarget(ctx: MapContext, inShape: readonly number[], t: Const, allowZero: boolean): number[] {
  const v = Array.from(t.data);
  const k = (i: number): number => t.batch?.[i] ?? 0;
  if (v.length === 0) ctx.fail('an empty Reshape target (a scalar output) is not supported');
  for (let i = 1; i < v.length; i++) if (k(i) !== 0) ctx.fail(`Reshape target element ${i} depends on the batch size`);
  const rest = v.slice(1).map((d, i) => (d === 0 && !allowZero ? (inShape[i] ?? ctx.fail(`Reshape copies dimension ${i + 1}, which the input lacks`)) : d));
  const size = numel(inShape);
  const text = `[${v.map((d, i) => affineText(d, k(i))).join(', ')}]`;
  const first = v[0] as number;
  const keepsBatch = (k(0) === 1 && first === 0) || (k(0) === 0 && ((first === 0 && !allowZero) || (ctx.fixedBatch !== null && first === ctx.fixedBatch)));
  const inferredBatch = k(0) === 0 && first === -1 && rest.length > 0 && rest.every((d) => d > 0) && numel(rest) === size;
  if (!keepsBatch && !inferredBatch) ctx.fail(`Reshape to ${text} changes the batch axis`);
  const free = rest.filter((d) => d === -1).length;
  if (free > 1 || rest.some((d) => !Number.isSafeInteger(d) || d < -1 || (d === 0 && allowZero))) ctx.fail(`invalid Reshape target ${text}`);
  if (free === 1) {
    const known = numel(rest.filter((d) => d !== -1));
    if (known === 0 || size % known !== 0) ctx.fail(`Reshape target ${text} does not fit ${size} values per sample`);
    rest[rest.indexOf(-1)] = size / known;
  }
  if (numel(rest) !== size) ctx.fail(`Reshape target ${text} does not fit ${size} values per sample`);
  return rest;
}

export function mapReshape(ctx: MapContext): TensorValue {
  const x = ctx.tensor(0);
  const t = ctx.constant(1, 'shape') ?? ctx.fail('the shape input is missing');
  const shape = sampleTarget(ctx, x.shape, t, ctx.attrs.int('allowzero', 0) === 1);
  if (shape.length === x.shape.length && shape.every((d, i) => d === x.shape[i])) return x;
  return ctx.emit({ kind: 'reshape', shape }, [x.id], shape);
}

export function mapTranspose(ctx: MapContext): TensorValue {
  const x = ctx.tensor(0);
  const full = x.shape.length + 1;
  const perm = ctx.attrs.ints('perm') ?? Array.from({ length: full }, (_, i) => full - 1 - i);
  if (perm.length !== full || new Set(perm).size !== full || perm.some((p) => p < 0 || p >= full)) ctx.fail(`perm [${perm.join(', ')}] is not a permutation of ${full} axes`);
  if (perm[0] !== 0) ctx.fail(`perm [${perm.join(', ')}] moves the batch axis`);
  const sample = perm.slice(1).map((p) => p - 1);
  if (sample.every((p, i) => p === i)) return x;
  return ctx.emit({ kind: 'transpose', perm: sample }, [x.id], sample.map((p) => x.shape[p] as number));
}

/** Constant-zero Pad (pads from the attribute before opset 11, from input 1 after; axes from opset 18). */
export function mapPad(ctx: MapContext): TensorValue {
  const x = ctx.tensor(0);
  const mode = ctx.attrs.string('mode', 'constant');
  if (mode !== 'constant') ctx.fail(`mode '${mode}' (only constant zero padding is supported)`);
  const r = x.shape.length;
  const full = r + 1;
  let raw: number[];
  let value = 0;
  let axes = Array.from({ length: full }, (_, i) => i);
  if (ctx.opset < 11) {
    raw = ctx.attrs.ints('pads') ?? ctx.fail('pads are missing');
    value = ctx.attrs.float('value', 0);
  } else {
    raw = intsOf(ctx, ctx.constant(1, 'pads') ?? ctx.fail('pads are missing'), 'pads');
    const cv = ctx.constant(2, 'constant_value');
    if (cv !== null) value = intsOf(ctx, cv, 'constant_value')[0] ?? 0;
    const ax = ctx.opset >= 18 ? ctx.constant(3, 'axes') : null;
    if (ax !== null) axes = intsOf(ctx, ax, 'axes').map((a) => (a < 0 ? a + full : a));
  }
  if (value !== 0) ctx.fail(`padding value ${value} (only zero padding is supported)`);
  if (raw.length !== 2 * axes.length || axes.some((a) => a < 0 || a >= full)) ctx.fail(`pads [${raw.join(', ')}] do not match the input's ${full} axes`);
  const begin = new Array<number>(full).fill(0);
  const end = new Array<number>(full).fill(0);
  axes.forEach((a, i) => {
    begin[a] = raw[i] as number;
    end[a] = raw[i + axes.length] as number;
  });
  if ([...begin, ...end].some((p) => p < 0 || !Number.isSafeInteger(p))) ctx.fail(`negative pads [${raw.join(', ')}] (cropping) are not supported`);
  if (begin[0] !== 0 || end[0] !== 0) ctx.fail('padding the batch axis is not supported');
  const pads = [...begin.slice(1), ...end.slice(1)];
  if (pads.every((p) => p === 0)) return x;
  return ctx.emit({ kind: 'pad', pads }, [x.id], x.shape.map((d, i) => d + (begin[i + 1] as number) + (end[i + 1] as number)));
}

/** Source index of output position y under Resize's coordinate transformation and nearest rounding. */
function nearestSource(y: number, inSize: number, outSize: number, coord: string, rounding: string): number | null {
  const scale = outSize / inSize;
  let x: number;
  switch (coord) {
    case 'asymmetric': x = y / scale; break;
    case 'half_pixel': x = (y + 0.5) / scale - 0.5; break;
    case 'pytorch_half_pixel': x = outSize > 1 ? (y + 0.5) / scale - 0.5 : 0; break;
    case 'tf_half_pixel_for_nn': x = (y + 0.5) / scale; break;
    case 'align_corners': x = outSize === 1 ? 0 : (y * (inSize - 1)) / (outSize - 1); break;
    default: return null;
  }
  const f = Math.floor(x);
  let i: number;
  switch (rounding) {
    case 'floor': i = f; break;
    case 'ceil': i = Math.ceil(x); break;
    case 'round_prefer_floor': i = x - f === 0.5 ? f : Math.round(x); break;
    case 'round_prefer_ceil': i = x - f === 0.5 ? f + 1 : Math.round(x); break;
    default: return null;
  }
  return Math.min(Math.max(i, 0), inSize - 1);
}

/**
 * Resize / Upsample in 'nearest' mode by integer factors on H and W: accepted when, for the node's
 * coordinate transformation and rounding, every output pixel reads input pixel ⌊y / factor⌋ (pixel
 * repetition, the IR's upsample).
 */
export function mapResize(ctx: MapContext): TensorValue {
  const x = ctx.tensor(0);
  if (x.shape.length !== 3) ctx.fail('only [N, C, H, W] inputs can be resized');
  const mode = ctx.attrs.string('mode', 'nearest');
  if (mode !== 'nearest') ctx.fail(`mode '${mode}' (only nearest-neighbour up-sampling is supported)`);
  const legacy = ctx.node.opType === 'Upsample' || ctx.opset < 11;
  const full = [0, ...x.shape];
  let out: number[];
  const sizes = legacy ? null : ctx.constant(3, 'sizes');
  if (sizes !== null && sizes.data.length > 0) {
    const ax = ctx.opset >= 18 ? ctx.attrs.ints('axes') : undefined;
    const axes = (ax ?? [0, 1, 2, 3]).map((a) => (a < 0 ? a + 4 : a));
    if (axes.length !== sizes.data.length) ctx.fail('sizes and axes differ in length');
    out = [...full];
    axes.forEach((a, i) => {
      const batchDim = (sizes.batch?.[i] ?? 0) === 1 && sizes.data[i] === 0;
      if (a === 0) {
        if (!batchDim && sizes.data[i] !== ctx.fixedBatch) ctx.fail('Resize changes the batch size');
      } else {
        if ((sizes.batch?.[i] ?? 0) !== 0) ctx.fail('Resize sizes depend on the batch size');
        out[a] = sizes.data[i] as number;
      }
    });
    if (ctx.attrs.string('keep_aspect_ratio_policy', 'stretch') !== 'stretch') ctx.fail('keep_aspect_ratio_policy other than stretch');
  } else {
    const sc = legacy && ctx.opset < 9 ? ctx.attrs.floats('scales') : (() => {
      const c = ctx.constant(legacy ? 1 : 2, 'scales');
      return c === null ? undefined : intsOf(ctx, c, 'scales');
    })();
    if (sc === undefined || sc.length === 0) return ctx.fail('neither scales nor sizes are given');
    const ax = ctx.opset >= 18 ? ctx.attrs.ints('axes') : undefined;
    const axes = (ax ?? [0, 1, 2, 3]).map((a) => (a < 0 ? a + 4 : a));
    if (axes.length !== sc.length) ctx.fail('scales and axes differ in length');
    out = [...full];
    axes.forEach((a, i) => {
      if (a === 0) {
        if (sc[i] !== 1) ctx.fail('Resize scales the batch axis');
      } else {
        out[a] = Math.floor((full[a] as number) * (sc[i] as number));
      }
    });
  }
  if (out[1] !== x.shape[0]) ctx.fail('Resize changes the number of channels');
  const [h, w] = [x.shape[1] as number, x.shape[2] as number];
  const [oh, ow] = [out[2] as number, out[3] as number];
  if (x.shape[0]! * oh * ow > ctx.maxElements) ctx.fail(`output ${oh}×${ow} is above ${ctx.maxElements} values per sample`);
  if (oh % h !== 0 || ow % w !== 0 || oh < h || ow < w) ctx.fail(`${h}×${w} → ${oh}×${ow} is not up-sampling by integer factors`);
  const coord = legacy ? 'asymmetric' : ctx.attrs.string('coordinate_transformation_mode', 'half_pixel');
  const rounding = legacy ? 'floor' : ctx.attrs.string('nearest_mode', 'round_prefer_floor');
  for (const [n, m] of [[h, oh], [w, ow]] as const) {
    for (let y = 0; y < m; y++) {
      if (nearestSource(y, n, m, coord, rounding) !== Math.floor((y * n) / m)) {
        ctx.fail(`coordinate_transformation_mode '${coord}' with nearest_mode '${rounding}' does not repeat pixels (only plain nearest up-sampling by integer factors is supported)`);
      }
    }
  }
  if (oh === h && ow === w) return x;
  return ctx.emit({ kind: 'upsample', scales: [oh / h, ow / w] }, [x.id], [x.shape[0] as number, oh, ow]);
}

/** Squeeze / Unsqueeze of a computed tensor: a reshape that must leave the batch axis alone. */
export function mapSqueeze(ctx: MapContext): TensorValue {
  const x = ctx.tensor(0);
  const squeeze = ctx.node.opType === 'Squeeze';
  const c = ctx.opset >= 13 ? ctx.constant(1, 'axes') : null;
  const raw = c !== null ? intsOf(ctx, c, 'axes') : ctx.attrs.ints('axes');
  if (raw === undefined || raw.length === 0) {
    if (!squeeze) ctx.fail('Unsqueeze without axes');
    ctx.fail('Squeeze without axes would also drop a batch of one; give the axes');
  }
  const rank = x.shape.length + 1 + (squeeze ? 0 : raw.length);
  const axes = new Set(raw.map((a) => (a < 0 ? a + rank : a)));
  if (axes.size !== raw.length || [...axes].some((a) => a < 0 || a >= rank)) ctx.fail(`axes [${raw.join(', ')}] are invalid for rank ${rank}`);
  if (axes.has(0)) ctx.fail(`${ctx.node.opType} of the batch axis`);
  let shape: number[];
  if (squeeze) {
    for (const a of axes) if (x.shape[a - 1] !== 1) ctx.fail(`Squeeze of axis ${a}, which has size ${x.shape[a - 1]}`);
    shape = x.shape.filter((_, i) => !axes.has(i + 1));
  } else {
    const rest = [...x.shape];
    shape = Array.from({ length: rank - 1 }, (_, i) => (axes.has(i + 1) ? 1 : (rest.shift() as number)));
  }
  if (shape.length === 0) ctx.fail(`${ctx.node.opType} to a scalar per sample`);
  return ctx.emit({ kind: 'reshape', shape }, [x.id], shape);
}
