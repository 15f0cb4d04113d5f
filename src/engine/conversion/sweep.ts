import type * as tfl from '@tensorflow/tfjs-layers';
import { DEFAULT_CONVERSION_CONFIG, type ConversionConfig, type ConversionResult } from '../../formats/conversion.js';
import { InvalidConversionInputError } from '../errors.js';
import type { Graph } from '../ir/graph.js';
import { calibrateFor, calibrationKey, checker, evaluateAnn, prepare, simulateGroup, snnKey, validateConfig, type AnnEvaluation } from './pipeline.js';
import type { ConversionData, ConvertOptions } from './simulate.js';

export interface SweepOptions extends Omit<ConvertOptions, 'onStep' | 'onBatch'> {
  /** Called as soon as config i's result is complete (store it then). */
  onResult(index: number, result: ConversionResult): void | Promise<void>;
}

/** How a sweep's configs share work: calibrations, each with its simulations, each with its config indices. */
export interface SweepPlan {
  readonly calibrations: readonly { readonly key: string; readonly simulations: readonly (readonly number[])[] }[];
}

/**
 * Groups configs by calibration key (percentile, channelWise, calibrationClip — with Γ when it
 * clips —, calibrationBatches, seed, batchSize) and, inside, by SNN (the config minus timeSteps).
 * Order: first appearance.
 */
export function planSweep(configs: readonly ConversionConfig[]): SweepPlan {
  const cals = new Map<string, Map<string, number[]>>();
  configs.forEach((c, i) => {
    const ck = calibrationKey(c);
    let sims = cals.get(ck);
    if (sims === undefined) {
      sims = new Map();
      cals.set(ck, sims);
    }
    const sk = snnKey(c);
    sims.set(sk, [...(sims.get(sk) ?? []), i]);
  });
  return { calibrations: [...cals].map(([key, sims]) => ({ key, simulations: [...sims.values()] })) };
}

/**
 * Runs several conversion configs on one model and data: one calibration per (percentile,
 * channelWise, calibrationClip, calibrationBatches, seed, batchSize), one simulation per distinct
 * SNN (the config minus timeSteps, with the largest T of the group), results for smaller T cut
 * from the same per-step record (spike totals are read at exactly step T of every batch, so
 * firing rates and SOPs are those of a T-step run). The ANN is evaluated once per batch size.
 * Every result equals what convertAndSimulate gives for that config alone. Progress phases:
 * 'calibrate' once per calibration, 'build' once per simulation, 'simulate' per step and batch.
 * All configs are checked before any work starts.
 */
export async function convertSweep(model: tfl.LayersModel | Graph, data: ConversionData, configs: readonly ConversionConfig[], opts: SweepOptions): Promise<void> {
  if (configs.length === 0) throw new InvalidConversionInputError('convertSweep: no config');
  const cfgs = configs.map((c) => ({ ...DEFAULT_CONVERSION_CONFIG, ...c }));
  cfgs.forEach((c, i) => {
    try {
      validateConfig(c, data.task);
    } catch (err) {
      throw new InvalidConversionInputError(`config ${i}: ${(err as Error).message}`);
    }
  });
  const check = checker(opts.signal);
  const plan = planSweep(cfgs);
  // Work units: one per simulated step and batch (a calibration counts as one unit per config).
  const batches = (c: ConversionConfig): number => Math.ceil(data.test.count / c.batchSize);
  const simWork = plan.calibrations.flatMap((k) => k.simulations.map((ids) => Math.max(...ids.map((i) => (cfgs[i] as ConversionConfig).timeSteps)) * batches(cfgs[ids[0] as number] as ConversionConfig)));
  const totalWork = simWork.reduce((a, b) => a + b, 0) + plan.calibrations.length;
  let done = 0;
  const progress = (phase: string, extra: Partial<Parameters<NonNullable<ConvertOptions['onProgress']>>[0]> = {}, within = 0): void =>
    opts.onProgress?.({ fraction: Math.min(1, (done + within) / totalWork), phase, ...extra });

  progress('extract');
  const p = prepare(model, data, opts);
  const anns = new Map<number, AnnEvaluation>();
  let sim = 0;
  for (const [ci, k] of plan.calibrations.entries()) {
    const first = cfgs[k.simulations[0]?.[0] as number] as ConversionConfig;
    check('calibration');
    progress('calibrate', { message: `calibration ${ci + 1}/${plan.calibrations.length}` });
    const { cal, warnings } = await calibrateFor(p, first);
    done += 1;
    let ann = anns.get(first.batchSize);
    if (ann === undefined) {
      progress('ann');
      ann = await evaluateAnn(p, first.batchSize, opts.panels ?? 4, check);
      anns.set(first.batchSize, ann);
    }
    for (const ids of k.simulations) {
      const work = simWork[sim] as number;
      sim++;
      progress('build', { message: `simulation ${sim}/${simWork.length}` });
      const results = await simulateGroup(p, ids.map((i) => cfgs[i] as ConversionConfig), cal, warnings, ann, {
        check,
        // the simulation's name stays in every message of its progress (the job's progress writes are throttled: a build message alone was often never stored)
        progress: (f, extra) => progress('simulate', { message: `simulation ${sim}/${simWork.length}`, ...extra }, f * work),
        ...(opts.stepsPerCall !== undefined ? { stepsPerCall: opts.stepsPerCall } : {}),
        ...(opts.chunkSamples !== undefined ? { chunkSamples: opts.chunkSamples } : {}),
        collectStats: opts.collectStats ?? true,
      });
      done += work;
      for (const [j, i] of ids.entries()) await opts.onResult(i, results[j] as ConversionResult);
    }
  }
  progress('done');
}
