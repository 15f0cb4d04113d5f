// ONNX import: an ONNX file of any supported architecture → the engine's graph IR v2.
export { importOnnx, type OnnxImport, type OnnxImportOptions } from './import.js';
export { decodeOnnx, DEFAULT_ONNX_LIMITS, OPSET_RANGE, type OnnxLimits, type OnnxModel, type OnnxNode, type ValueInfo } from './decode.js';
export { OnnxFormatError, OnnxImportError, OnnxShapeError, OnnxUnsupportedError } from './errors.js';
export { deriveFamily, deriveTask, type DerivedTask } from './derive.js';
export { checkConvertible, checkFinite } from './check.js';
export { FOLDED_OPS, LAYER_OPS, SUPPORTED_OPS } from './supported.js';
