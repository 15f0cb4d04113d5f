// Typed access to a node's attributes. A missing attribute gives the operator's default; one of the
// wrong type is a malformed file.
import type { onnx } from 'onnx-proto';
import { OnnxFormatError, safeName } from './errors.js';
import type { OnnxNode } from './decode.js';
import { decodeTensor, type Const } from './tensor.js';

// onnx.AttributeProto.AttributeType values
const FLOAT = 1, INT = 2, STRING = 3, TENSOR = 4, FLOATS = 6, INTS = 7;

function toNumber(v: number | { toNumber(): number }): number {
  return typeof v === 'number' ? v : v.toNumber();
}

export class Attrs {
  constructor(
    private readonly node: OnnxNode,
    private readonly maxElements: number,
  ) {}

  has(name: string): boolean {
    return this.node.attrs.has(name);
  }

  private get(name: string, type: number, present: (a: onnx.IAttributeProto) => boolean): onnx.IAttributeProto | undefined {
    const a = this.node.attrs.get(name);
    if (a === undefined) return undefined;
    // old writers leave `type` unset; then the field that is present decides
    const declared = Number(a.type ?? 0);
    if (declared !== 0 ? declared !== type : !present(a)) {
      throw new OnnxFormatError(`node '${this.node.name}' (${safeName(this.node.opType)}): attribute '${safeName(name, 40)}' has the wrong type`);
    }
    return a;
  }

  int(name: string, fallback: number): number {
    const a = this.get(name, INT, (x) => x.i !== undefined && x.i !== null);
    return a ? toNumber(a.i ?? 0) : fallback;
  }

  float(name: string, fallback: number): number {
    const a = this.get(name, FLOAT, (x) => x.f !== undefined && x.f !== null);
    return a ? (a.f ?? 0) : fallback;
  }

  string(name: string, fallback: string): string {
    const a = this.get(name, STRING, (x) => x.s !== undefined && x.s !== null);
    return a ? Buffer.from(a.s ?? new Uint8Array()).toString('utf8') : fallback;
  }

  ints(name: string): number[] | undefined {
    const a = this.get(name, INTS, (x) => (x.ints?.length ?? 0) > 0);
    return a ? (a.ints ?? []).map(toNumber) : undefined;
  }

  floats(name: string): number[] | undefined {
    const a = this.get(name, FLOATS, (x) => (x.floats?.length ?? 0) > 0);
    return a ? [...(a.floats ?? [])] : undefined;
  }

  tensor(name: string): Const | undefined {
    const a = this.get(name, TENSOR, (x) => x.t !== undefined && x.t !== null);
    if (!a?.t) return undefined;
    return decodeTensor(a.t, `attribute '${safeName(name, 40)}' of node '${this.node.name}'`, this.maxElements);
  }
}
