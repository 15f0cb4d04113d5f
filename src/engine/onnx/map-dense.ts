// Linear layers (Gemm, MatMul, a constant bias Add merged into the layer before) and residual sums.
import { inputName, type MapContext, type TensorValue, type Value } from './context.js';
import { numel, type Const } from './tensor.js';

function vectorInput(ctx: MapContext, i: number): TensorValue {
  const x = ctx.tensor(i);
  if (x.shape.length !== 1) ctx.fail(`input of per-sample shape [${x.shape.join(', ')}]; a linear layer needs [batch, features] (flatten first)`);
  return x;
}

/** [rows, cols] → [cols, rows], scaled. */
function transposed(c: Const, scale: number): Float32Array {
  const [r, k] = c.shape as [number, number];
  const out = new Float32Array(r * k);
  for (let i = 0; i < r; i++) for (let j = 0; j < k; j++) out[j * r + i] = (c.data[i * k + j] as number) * scale;
  return out;
}

/** Gemm with a computed A: y = alpha·A·op(B) + beta·C → dense (weight [out, in]), transA must be 0. */
export function mapGemm(ctx: MapContext): TensorValue {
  if (ctx.input(0)?.kind !== 'tensor') ctx.fail('the first operand is not a computed tensor (only activations × constant weights are supported)');
  const x = vectorInput(ctx, 0);
  if (ctx.attrs.int('transA', 0) !== 0) ctx.fail('transA = 1 (the batch axis would move)');
  const b = ctx.constant(1, 'weight') ?? ctx.fail('the weight input is missing');
  if (b.shape.length !== 2) ctx.fail(`weight of rank ${b.shape.length}`);
  const transB = ctx.attrs.int('transB', 0) === 1;
  const alpha = ctx.attrs.float('alpha', 1);
  const beta = ctx.attrs.float('beta', 1);
  const [k, m] = transB ? [b.shape[1] as number, b.shape[0] as number] : [b.shape[0] as number, b.shape[1] as number];
  if (k !== x.shape[0]) ctx.fail(`weight expects ${k} inputs, the input has ${x.shape[0]}`);
  const weight = transB ? Float32Array.from(b.data, (v) => v * alpha) : transposed(b, alpha);
  const c = ctx.constant(2, 'bias');
  let bias: Float32Array | null = null;
  if (c !== null) {
    const per = c.shape.length === 0 || numel(c.shape) === 1 ? 'scalar' : numel(c.shape) === m && (c.shape.at(-1) ?? 0) === m ? 'vector' : null;
    if (per === null) ctx.fail(`bias of shape [${c.shape.join(', ')}] is not one value per output`);
    bias = Float32Array.from({ length: m }, (_, j) => beta * (c.data[per === 'scalar' ? 0 : j] as number));
  }
  const params = [{ key: inputName(ctx, 1), count: b.data.length }, ...(c ? [{ key: inputName(ctx, 2), count: c.data.length }] : [])];
  return ctx.emit({ kind: 'dense', weight: { data: weight, shape: [m, k] }, bias }, [x.id], [m], params);
}

/** MatMul of [batch, K] activations by a constant [K, M] → dense without bias (an Add may bring it). */
export function mapMatMul(ctx: MapContext): TensorValue {
  if (ctx.input(0)?.kind !== 'tensor') ctx.fail('the first operand is not a computed tensor (only activations × constant weights are supported)');
  const x = vectorInput(ctx, 0);
  const b = ctx.constant(1, 'weight') ?? ctx.fail('the weight input is missing');
  if (b.shape.length !== 2) ctx.fail(`weight of rank ${b.shape.length}; only [batch, K] × [K, M] (a linear layer) is supported`);
  const [k, m] = b.shape as [number, number];
  if (k !== x.shape[0]) ctx.fail(`weight expects ${k} inputs, the input has ${x.shape[0]}`);
  return ctx.emit({ kind: 'dense', weight: { data: transposed(b, 1), shape: [m, k] }, bias: null }, [x.id], [m], [{ key: inputName(ctx, 1), count: b.data.length }]);
}

/** Adds a constant bias to the layer that produced `x`, when that layer's output feeds only this Add. */
function mergeBias(ctx: MapContext, x: TensorValue, c: Const, cName: string): TensorValue {
  const refuse = (why: string): never => ctx.fail(`a constant added to a computed tensor is only supported as the bias of the MatMul, Gemm or Conv right before it (${why})`);
  const layer = ctx.irNode(x.id);
  const op = layer.op;
  if (op.kind !== 'dense' && op.kind !== 'conv' && op.kind !== 'convTranspose') return refuse(`it follows a ${layer.className}`);
  if (ctx.readers(x.id) !== 1) return refuse('the layer output is also used elsewhere');
  const channels = layer.shape[0] as number;
  const perChannel = numel(c.shape) === channels && c.shape.length >= layer.shape.length && c.shape.slice(-layer.shape.length).every((d, i) => i === 0 ? d === channels : d === 1);
  const scalar = numel(c.shape) === 1;
  if (!perChannel && !scalar) return refuse(`shape [${c.shape.join(', ')}] is not one value per output channel`);
  if (c.batch !== null) return refuse('it depends on the batch size');
  const bias = Float32Array.from({ length: channels }, (_, j) => (op.bias?.[j] ?? 0) + (c.data[scalar ? 0 : j] as number));
  ctx.replaceOp(x.id, { ...op, bias }, [{ key: cName, count: c.data.length }]);
  return x;
}

/** Add: residual sum of two computed tensors of one shape, or a constant bias merged into the layer before. */
export function mapAdd(ctx: MapContext): TensorValue {
  const [a, b] = [ctx.input(0), ctx.input(1)];
  if (a?.kind === 'tensor' && b?.kind === 'const') return mergeBias(ctx, a, b.c, ctx.node.inputs[1] ?? '');
  if (a?.kind === 'const' && b?.kind === 'tensor') return mergeBias(ctx, b, a.c, ctx.node.inputs[0] ?? '');
  return mapSum(ctx);
}

/** Sum / Add of computed tensors (no broadcasting): an IR add node; a one-input Sum is the input itself. */
export function mapSum(ctx: MapContext): TensorValue {
  const xs: Value[] = ctx.node.inputs.map((_, i) => ctx.input(i) ?? ctx.fail(`input ${i} is missing`));
  if (xs.some((v) => v.kind !== 'tensor')) ctx.fail('a constant among the operands of a sum of computed tensors');
  const ts = xs as TensorValue[];
  const first = ts[0] ?? ctx.fail('no operands');
  if (ts.length === 1) return first;
  for (const t of ts) {
    if (t.shape.length !== first.shape.length || t.shape.some((d, i) => d !== first.shape[i])) {
      ctx.fail(`operands of shapes ${ts.map((v) => `[${v.shape.join(', ')}]`).join(' and ')} (broadcasting sums are not supported)`);
    }
  }
  return ctx.emit({ kind: 'add' }, ts.map((t) => t.id), first.shape);
}
