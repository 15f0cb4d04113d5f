import { consumers, nodeById, type Graph, type GraphNode } from './graph.js';

/**
 * Removes `transpose [C,H,W] → [H,W,C]` + `flatten` pairs whose flatten feeds dense layers only,
 * permuting those layers' weight columns instead: column (h·W + w)·C + c of the (h, w, c) order
 * moves to (c·H + h)·W + w, the order in which flatten lists the NCHW map. Same function, one op
 * fewer (tfjs models flatten NHWC maps; see extractGraph).
 */
export function dropFlattenTransposes(graph: Graph): Graph {
  const byId = nodeById(graph);
  const users = consumers(graph);
  const drop = new Set<string>();
  const replace = new Map<string, GraphNode>();
  for (const f of graph.nodes) {
    if (f.op.kind !== 'flatten') continue;
    const t = byId.get(f.inputs[0] ?? '');
    if (t === undefined || t.op.kind !== 'transpose' || t.op.perm.join() !== '1,2,0' || (users.get(t.id) ?? []).length !== 1) continue;
    const readers = (users.get(f.id) ?? []).map((u) => byId.get(u) as GraphNode);
    if (readers.length === 0 || !readers.every((r) => r.op.kind === 'dense') || f.id === graph.output) continue;
    const [c, h, w] = (byId.get(t.inputs[0] ?? '') as GraphNode).shape as [number, number, number];
    for (const r of readers) {
      if (r.op.kind !== 'dense') continue;
      const [out, fin] = r.op.weight.shape as [number, number];
      const src = r.op.weight.data;
      const data = new Float32Array(src.length);
      for (let j = 0; j < fin; j++) {
        const ch = j % c;
        const p = (j - ch) / c;
        const col = p % w;
        const row = (p - col) / w;
        const k = (ch * h + row) * w + col;
        for (let o = 0; o < out; o++) data[o * fin + k] = src[o * fin + j] as number;
      }
      replace.set(r.id, { ...r, op: { ...r.op, weight: { data, shape: [out, fin] } } });
    }
    drop.add(t.id);
    replace.set(f.id, { ...f, inputs: [t.inputs[0] as string] });
  }
  if (drop.size === 0) return graph;
  return { ...graph, nodes: graph.nodes.filter((n) => !drop.has(n.id)).map((n) => replace.get(n.id) ?? n) };
}
