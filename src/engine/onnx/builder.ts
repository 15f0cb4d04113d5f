// Accumulates graph IR nodes in topological order, with unique ids and the parameter tensors each
// one reads (deduplicated by ONNX value name, so a module applied twice counts its weights once).
import type { GraphNode, GraphOp } from '../ir/graph.js';
import type { ParamSource, TensorValue } from './context.js';

export class GraphBuilder {
  readonly nodes: GraphNode[] = [];
  private readonly index = new Map<string, number>();
  private readonly params = new Map<string, number>();

  private uniqueId(base: string): string {
    let id = base === '' ? 'node' : base;
    for (let k = 2; this.index.has(id); k++) id = `${base}#${k}`;
    return id;
  }

  add(base: string, layer: string, className: string, op: GraphOp, inputs: readonly string[], shape: readonly number[], params: readonly ParamSource[] = []): TensorValue {
    const id = this.uniqueId(base);
    this.index.set(id, this.nodes.length);
    this.nodes.push({ id, layer, className, op, inputs: [...inputs], shape: [...shape] });
    for (const p of params) this.params.set(p.key, p.count);
    return { kind: 'tensor', id, shape: [...shape] };
  }

  node(id: string): GraphNode {
    const i = this.index.get(id);
    if (i === undefined) throw new Error(`no IR node '${id}'`);
    return this.nodes[i] as GraphNode;
  }

  replaceOp(id: string, op: GraphOp, params: readonly ParamSource[]): void {
    const i = this.index.get(id);
    if (i === undefined) throw new Error(`no IR node '${id}'`);
    this.nodes[i] = { ...(this.nodes[i] as GraphNode), op };
    for (const p of params) this.params.set(p.key, p.count);
  }

  /** Σ numel over distinct parameter tensors (weights, biases, BN scale and shift). */
  parameterCount(): number {
    let n = 0;
    for (const c of this.params.values()) n += c;
    return n;
  }
}
