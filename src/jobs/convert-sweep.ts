// TEMPORARY stand-in for the engine's convertSweep (src/engine/conversion/sweep.ts, from the
// `research` branch, commit "engine: convertSweep"), with the same signature and contract, used by
// the sweep job (tasks.ts runSweep) until that lands. It shares NO work: it calls
// convertAndSimulate once per config, so it calibrates and simulates once per point. Replace the
// import in tasks.ts by the engine's convertSweep and delete this file when the engine has it.
import type * as tfl from '@tensorflow/tfjs-layers';
import { convertAndSimulate, type ConversionData, type ConvertOptions, type Graph } from '../engine/index.js';
import type { ConversionConfig, ConversionResult } from '../formats/index.js';

export interface SweepOptions extends Omit<ConvertOptions, 'onStep' | 'onBatch'> {
  /** Called as soon as config i's result is complete (store it then). */
  onResult(index: number, result: ConversionResult): void | Promise<void>;
}

function describe(c: ConversionConfig): string {
  return `T ${c.timeSteps}, p ${c.percentile}, Γ ${c.gamma}, ${c.maxPool}, reset ${c.reset}${c.channelWise ? ', channel-wise' : ''}`;
}

/** Runs every config on one model and data, one after the other; progress says which point runs. */
export async function convertSweep(model: tfl.LayersModel | Graph, data: ConversionData, configs: readonly ConversionConfig[], opts: SweepOptions): Promise<void> {
  const { onProgress, ...rest } = opts;
  for (const [i, config] of configs.entries()) {
    const point = `point ${i + 1}/${configs.length} (${describe(config)})`;
    const result = await convertAndSimulate(model, data, config, {
      ...rest,
      onProgress: (p) => onProgress?.({ ...p, fraction: (i + p.fraction) / configs.length, message: p.message ? `${point} · ${p.message}` : point }),
    });
    await opts.onResult(i, result);
  }
}
