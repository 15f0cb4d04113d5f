import { ENERGY_PJ, type ConversionSummary, type LayerStatRecord, type Task } from '../../formats/conversion.js';
import { firstStepWithin } from '../../formats/summary.js';
import { size, type Graph } from '../ir/graph.js';
import type { SpikingNetwork } from './snn.js';
import type { SnnPlan } from './snn-plan.js';
import { annMacs, fanout } from './sops.js';

/**
 * Per population (IF site, LIPool/gate): λ (layer-wise value, or mean/min/max of the channel-wise
 * ones; for a pool, the scale of its input), firing rate = spikes / (neurons · T · samples), and
 * SOPs per sample = Σ_i spikes_i · fanout_i / samples (burst spikes count one each).
 */
export async function layerStats(snn: SpikingNetwork, lambdas: ReadonlyMap<string, Float32Array>, steps: number, samples: number): Promise<LayerStatRecord[]> {
  const totals = new Map<string, Float64Array>();
  for (const p of snn.populations) {
    const t = await snn.spikeTotals(p);
    if (t !== null) totals.set(p.node.id, t);
  }
  return layerStatsFrom(snn.plan, totals, lambdas, steps, samples);
}

/** layerStats from spike totals per population id over `samples` samples and `steps` steps (null: counting off). */
export function layerStatsFrom(
  plan: SnnPlan,
  totalsById: ReadonlyMap<string, Float64Array> | null,
  lambdas: ReadonlyMap<string, Float32Array>,
  steps: number,
  samples: number,
): LayerStatRecord[] {
  const out: LayerStatRecord[] = [];
  for (const p of plan.populations) {
    const lam = p.kind === 'if' ? (lambdas.get(p.node.id) as Float32Array) : (plan.scales.scale.get(p.node.inputs[0] ?? '') as Float32Array);
    const neurons = size(p.node.shape);
    const totals = p.counted === 'none' || totalsById === null ? null : (totalsById.get(p.node.id) ?? new Float64Array(neurons));
    let spikes = 0;
    let sops = 0;
    if (totals !== null) {
      const f = fanout(plan.graph, p.node.id);
      for (let i = 0; i < totals.length; i++) {
        spikes += totals[i] as number;
        sops += (totals[i] as number) * (f[i] as number);
      }
    }
    out.push({
      site: p.node.id,
      kind: p.kind,
      neurons,
      lambda: lam.reduce((a, b) => a + b, 0) / lam.length,
      lambdaMin: Math.min(...lam),
      lambdaMax: Math.max(...lam),
      firingRate: totals === null ? NaN : spikes / (neurons * steps * samples),
      sops: totals === null ? NaN : sops / samples,
    });
  }
  return out;
}

/**
 * Derived figures (design/conversion.md §6): best SNN value and its first step, the first step
 * with SNN ≥ ANN − 0.01 (firstStepWithin, src/formats/summary.ts), ANN − SNN at T, SOPs vs ANN MACs and
 * E_SNN/E_ANN = (SOPs·E_AC)/(MACs·E_MAC) with E_AC = 0.9 pJ, E_MAC = 4.6 pJ.
 */
export function summarise(
  graph: Graph,
  task: Task,
  annMetrics: Record<string, number>,
  stepMetrics: Record<string, number[]>,
  stats: readonly LayerStatRecord[],
): ConversionSummary {
  const primaryMetric = task === 'classification' ? 'accuracy' : 'softDice';
  const ann = annMetrics[primaryMetric] as number;
  const series = stepMetrics[primaryMetric] ?? [];
  let best = -Infinity;
  let bestStep = 0;
  series.forEach((v, i) => {
    if (v > best) {
      best = v;
      bestStep = i + 1;
    }
  });
  const sops = stats.reduce((a, s) => a + (Number.isFinite(s.sops) ? s.sops : 0), 0);
  const macs = annMacs(graph);
  return {
    primaryMetric,
    annValue: ann,
    best,
    bestStep,
    firstStepWithin1: firstStepWithin(ann, series),
    lossAtT: ann - (series[series.length - 1] ?? NaN),
    sops,
    annMacs: macs,
    energyRatio: (sops * ENERGY_PJ.ac) / (macs * ENERGY_PJ.mac),
    eAcPj: ENERGY_PJ.ac,
    eMacPj: ENERGY_PJ.mac,
  };
}
