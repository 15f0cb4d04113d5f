// The ONNX operations the importer accepts, in two groups: layers that become graph IR nodes, and
// constant arithmetic (shape subgraphs) that is folded away at import. The error for any other op
// lists SUPPORTED_OPS.

/** Ops that map to graph IR nodes (or vanish: Identity, Dropout in inference). */
export const LAYER_OPS = [
  'Conv', 'ConvTranspose', 'BatchNormalization', 'Relu', 'Clip', 'MaxPool', 'AveragePool', 'GlobalAveragePool',
  'ReduceMean', 'Gemm', 'MatMul', 'Add', 'Sum', 'Concat', 'Flatten', 'Reshape', 'Squeeze', 'Unsqueeze', 'Transpose', 'Pad', 'Resize',
  'Upsample', 'Sigmoid', 'Softmax', 'Identity', 'Dropout',
] as const;

/** Ops folded when every input is constant (Shape and Size also on computed tensors: shapes are static). */
export const FOLDED_OPS = [
  'Constant', 'Shape', 'Size', 'Gather', 'Slice', 'Cast', 'CastLike', 'ConstantOfShape',
  'Range', 'Sub', 'Mul', 'Div', 'Neg', 'Abs', 'Floor', 'Ceil', 'Sqrt', 'Reciprocal', 'Pow', 'Min', 'Max', 'Equal',
  'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'Not', 'And', 'Or', 'Where', 'Expand', 'ReduceProd',
  'ReduceSum',
] as const;

/** Everything the importer accepts: layers first, then (constant-only) shape arithmetic. */
export const SUPPORTED_OPS: readonly string[] = [...LAYER_OPS, ...FOLDED_OPS];

/** The supported list as error messages print it. */
export function describeSupported(): string {
  return `${LAYER_OPS.join(', ')}; on constants (shape arithmetic): ${FOLDED_OPS.join(', ')}`;
}

/**
 * The ops an analog head (after the last ReLU, evaluated by ONNX Runtime; see head.ts) may hold:
 * tensor algebra, normalisation and shape ops that no spiking neuron computes (attention pooling:
 * MatMul, Softmax, ReduceMean, computed Reshape/Transpose, …). Activation functions other than the
 * output's (LeakyRelu, Elu, …: replace them with ReLU) and batch-norms (folded into the layer before
 * them, or refused) are not in it: a model whose head holds one is refused as before.
 */
export const ANALOG_HEAD_OPS: ReadonlySet<string> = new Set([
  ...LAYER_OPS.filter((op) => op !== 'BatchNormalization' && op !== 'Relu' && op !== 'Clip'),
  ...FOLDED_OPS,
  'Softmax', 'LogSoftmax', 'Exp', 'Log', 'Tanh', 'Erf', 'Einsum', 'ReduceMax', 'ReduceMin', 'ReduceL2',
  'LayerNormalization', 'Split', 'Tile',
]);
