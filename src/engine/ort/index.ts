// IR v2 → ONNX emission and ONNX Runtime sessions (the conversion engine's compute).
export { OnnxGraph, OPSET, type AttrValue, type Dim } from './proto.js';
export { emitLinear, emitStateless, type LinearParams } from './emit-ops.js';
export { emitAnn, ANN_INPUT, ANN_OUTPUT, type AnnEmitOptions, type EmittedAnn } from './emit-ann.js';
export { AnnRunner, runAnn, type AnnResult } from './ann-runner.js';
export {
  createBlockedSession,
  createSession,
  cudaProvider,
  defaultThreads,
  ortBinaryFolder,
  resolveBackend,
  setNativeGate,
  tensor,
  OrtSession,
  type NativeGate,
  type OrtBackend,
  type OrtOptions,
  type ResolvedBackend,
} from './session.js';
export { moveElementwiseIntoBlockedLayout, type LayoutPassReport } from './layout-pass.js';
