// ONNX Runtime's CPU provider runs convolutions and pools in a blocked channel layout ("NCHWc")
// and inserts ReorderOutput/ReorderInput around every op it does not know in that layout, such as
// Clip and Floor. Those ops work element by element, so they give the same bits in either layout:
// this pass moves them into the blocked layout and drops the reorders around them. It rewrites
// the model ORT itself optimised (its kernels, its reordered weights), so results stay identical.
import onnxProto from 'onnx-proto';

type Node = onnxProto.onnx.INodeProto;
const NCHWC = 'com.microsoft.nchwc';

/** Element-wise ops whose result at each position only depends on the inputs at that position. */
const ELEMENTWISE = new Set(['Add', 'Sub', 'Mul', 'Div', 'Clip', 'Floor', 'Ceil', 'Round', 'Relu', 'Neg', 'Abs', 'Min', 'Max', 'Identity']);

export interface LayoutPassReport {
  /** Reorder nodes removed and inserted. */
  readonly removed: number;
  readonly inserted: number;
  /** Element-wise nodes now running on blocked tensors. */
  readonly moved: number;
}

const isNchwc = (n: Node, op: string): boolean => n.domain === NCHWC && n.opType === op;

/**
 * Rewrites a model that ONNX Runtime optimised (graph optimisation level 'all' on the CPU
 * provider). Element-wise nodes whose other inputs are scalar initializers, and that are
 * connected through values to ReorderOutput results, are grouped; a group moves into the blocked
 * layout when that removes more reorders than it needs (a ReorderInput for a plain input such as a
 * state, a ReorderOutput for a value read by a plain op or a graph output). Assumes what the
 * engine's emitters guarantee: two computed tensors meeting in an element-wise op have the same
 * shape (only initializers broadcast).
 */
export function moveElementwiseIntoBlockedLayout(bytes: Uint8Array): { bytes: Uint8Array; report: LayoutPassReport } {
  const model = onnxProto.onnx.ModelProto.decode(bytes);
  const graph = model.graph as onnxProto.onnx.GraphProto;
  const nodes = graph.node;
  const init = new Map(graph.initializer.map((t) => [t.name as string, t]));
  const isScalar = (v: string): boolean => {
    const t = init.get(v);
    return t !== undefined && (t.dims ?? []).every((d) => Number(d) === 1);
  };
  const producer = new Map<string, Node>();
  const users = new Map<string, Node[]>();
  for (const n of nodes) {
    for (const o of n.output ?? []) producer.set(o, n);
    for (const i of n.input ?? []) if (i !== '') users.set(i, [...(users.get(i) ?? []), n]);
  }
  const graphOutputs = new Set(graph.output.map((o) => o.name as string));
  const movable = (n: Node): boolean => (n.domain ?? '') === '' && ELEMENTWISE.has(n.opType ?? '') && (n.input ?? []).every((i) => !init.has(i) || isScalar(i));
  const tensorInputs = (n: Node): string[] => (n.input ?? []).filter((i) => i !== '' && !init.has(i));

  // Groups of movable nodes connected through the values they share.
  const group = new Map<Node, number>();
  let groups = 0;
  for (const start of nodes) {
    if (!movable(start) || group.has(start)) continue;
    const id = groups++;
    const stack = [start];
    group.set(start, id);
    while (stack.length > 0) {
      const n = stack.pop() as Node;
      const near = [...tensorInputs(n).map((v) => producer.get(v)), ...(n.output ?? []).flatMap((o) => users.get(o) ?? [])];
      for (const m of near) {
        if (m !== undefined && movable(m) && !group.has(m)) {
          group.set(m, id);
          stack.push(m);
        }
      }
    }
  }

  let removed = 0;
  let inserted = 0;
  let moved = 0;
  const drop = new Set<Node>();
  const renames = new Map<string, string>();
  const before = new Map<Node, Node[]>();
  const after = new Map<Node, Node[]>();
  let fresh = 0;
  for (let id = 0; id < groups; id++) {
    const members = nodes.filter((n) => group.get(n) === id);
    const inside = new Set(members.flatMap((n) => n.output ?? []));
    // Inputs from outside the group: a ReorderOutput (removable), or a plain value (needs a ReorderInput).
    const ins = new Set(members.flatMap(tensorInputs).filter((v) => !inside.has(v)));
    const fromBlocked = [...ins].filter((v) => {
      const p = producer.get(v);
      return p !== undefined && isNchwc(p, 'ReorderOutput');
    });
    if (fromBlocked.length === 0) continue;
    const channels = Number(producer.get(fromBlocked[0] as string)?.attribute?.find((a) => a.name === 'channels')?.i ?? 0);
    if (channels === 0 || channels % 16 !== 0) continue;
    const plain = [...ins].filter((v) => !fromBlocked.includes(v));
    // Outputs read outside the group: by ReorderInputs (removable) or plain readers / graph outputs (need a ReorderOutput).
    let gain = fromBlocked.length;
    let cost = plain.length;
    const outs = [...inside].filter((v) => graphOutputs.has(v) || (users.get(v) ?? []).some((u) => group.get(u) !== id));
    for (const v of outs) {
      const readers = (users.get(v) ?? []).filter((u) => group.get(u) !== id);
      gain += readers.filter((u) => isNchwc(u, 'ReorderInput')).length;
      if (graphOutputs.has(v) || readers.some((u) => !isNchwc(u, 'ReorderInput'))) cost++;
    }
    if (gain <= cost) continue;

    const blockedName = new Map<string, string>();
    for (const v of fromBlocked) blockedName.set(v, (producer.get(v) as Node).input?.[0] as string);
    for (const v of plain) {
      const name = `${v}__blocked_${fresh++}`;
      const ri: Node = { opType: 'ReorderInput', domain: NCHWC, name, input: [v], output: [name] };
      const first = members.find((n) => (n.input ?? []).includes(v)) as Node;
      before.set(first, [...(before.get(first) ?? []), ri]);
      blockedName.set(v, name);
      inserted++;
    }
    for (const n of members) {
      n.input = (n.input ?? []).map((i) => blockedName.get(i) ?? i);
      moved++;
    }
    for (const v of outs) {
      const readers = (users.get(v) ?? []).filter((u) => group.get(u) !== id);
      let blocked = v;
      if (graphOutputs.has(v) || readers.some((u) => !isNchwc(u, 'ReorderInput'))) {
        // The group now makes v blocked: a ReorderOutput gives plain readers their value back under its name.
        const p = producer.get(v) as Node;
        blocked = `${v}__blocked_${fresh++}`;
        p.output = (p.output ?? []).map((o) => (o === v ? blocked : o));
        for (const m of members) m.input = (m.input ?? []).map((i) => (i === v ? blocked : i));
        const ro: Node = { opType: 'ReorderOutput', domain: NCHWC, name: `${v}__plain`, input: [blocked], output: [v], attribute: [{ name: 'channels', type: onnxProto.onnx.AttributeProto.AttributeType.INT, i: channels }] };
        after.set(p, [...(after.get(p) ?? []), ro]);
        inserted++;
      }
      // Blocked readers (ReorderInput) read the group's blocked value directly.
      for (const u of readers.filter((r) => isNchwc(r, 'ReorderInput'))) {
        renames.set(u.output?.[0] as string, blocked);
        drop.add(u);
        removed++;
      }
    }
    for (const v of fromBlocked) {
      const r = producer.get(v) as Node;
      if ((users.get(v) ?? []).every((u) => group.get(u) === id) && !graphOutputs.has(v)) {
        drop.add(r);
        removed++;
      }
    }
  }
  if (moved === 0) return { bytes, report: { removed, inserted, moved } };
  const out: Node[] = [];
  for (const n of nodes) {
    if (drop.has(n)) continue;
    out.push(...(before.get(n) ?? []));
    n.input = (n.input ?? []).map((i) => renames.get(i) ?? i);
    out.push(n, ...(after.get(n) ?? []));
  }
  // Reorders whose readers all moved are left without readers: drop them (and anything else dead).
  let live = out;
  for (;;) {
    const read = new Set(live.flatMap((n) => n.input ?? []));
    const next = live.filter((n) => (n.output ?? []).some((o) => read.has(o) || graphOutputs.has(o)));
    removed += live.length - next.length;
    if (next.length === live.length) break;
    live = next;
  }
  graph.node = live;
  return { bytes: onnxProto.onnx.ModelProto.encode(model).finish(), report: { removed, inserted, moved } };
}
