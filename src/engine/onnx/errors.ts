// Typed errors of the ONNX importer. Every one is a refusal of the caller's file (BAD_USER_INPUT at
// the API): `instanceof OnnxImportError` is the one test the API layer needs. Messages name nodes,
// op types and tensors (sanitised), never the file's bytes.
import { EngineError } from '../errors.js';
import { describeSupported, SUPPORTED_OPS } from './supported.js';

/** Base class: the file cannot become an engine graph. */
export class OnnxImportError extends EngineError {
  override readonly name: string = 'OnnxImportError';
}

/** Not a readable, self-contained ONNX model: empty, truncated, corrupt, not ONNX, external data, … */
export class OnnxFormatError extends OnnxImportError {
  override readonly name = 'OnnxFormatError';

  constructor(readonly problem: string) {
    super(`invalid ONNX model: ${problem}`);
  }
}

/** A node whose operation (or options) Spikelab cannot import or the SNN method cannot convert. */
export class OnnxUnsupportedError extends OnnxImportError {
  override readonly name = 'OnnxUnsupportedError';

  constructor(
    /** The ONNX node's name (or `<op_type>#<index>` when it has none). */
    readonly node: string,
    readonly opType: string,
    readonly reason: string,
  ) {
    super(`cannot import ONNX node '${node}' (${opType}): ${reason}. Supported operations: ${describeSupported()}`);
  }

  /** The op types the importer accepts (so a caller can show what would work instead). */
  readonly supported: readonly string[] = SUPPORTED_OPS;
}

/** Shapes that cannot be resolved statically, or overrides that contradict the graph. */
export class OnnxShapeError extends OnnxImportError {
  override readonly name = 'OnnxShapeError';
}

/** Printable, bounded rendering of a name taken from the file (names can hold any bytes). */
export function safeName(s: string, max = 96): string {
  const clean = s.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
