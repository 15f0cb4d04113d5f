// The backbone × time-step comparison matrix, as served by the `compare` query and drawn by reports.
import { z } from 'zod';
import type { ConversionSummary } from './conversion.js';
import type { SweepPivot } from './sweep.js';

/** One run of the matrix: its backbone, the metric at the matrix's steps, and its summary (for the compared metric). */
export interface CompareRow extends Pick<ConversionSummary, 'annValue' | 'best' | 'bestStep' | 'firstStepWithin1' | 'lossAtT' | 'sops' | 'annMacs' | 'energyRatio'> {
  conversionRunId: string;
  /** Display label of the backbone (model name). */
  backbone: string;
  architecture: string;
  family: string;
  parameterCount: number;
  pretraining: string;
  dataset: string;
  /** Metric compared, e.g. 'accuracy' or 'softDice'. */
  metric: string;
  timeSteps: number;
  /** SNN metric at CompareMatrix.steps (null where a step exceeds this run's T). */
  values: (number | null)[];
  /** ANN − SNN at the same steps. */
  losses: (number | null)[];
}

export interface CompareMatrix {
  metric: string;
  steps: number[];
  rows: CompareRow[];
  /** compare(sweepId:): the sweep's runs pivoted on one config axis (null otherwise). */
  pivot?: SweepPivot | null;
}

/** A few test images with label and binarised ANN / SNN predictions, for segmentation figures. */
export const segmentationPanelSchema = z.strictObject({
  width: z.number().int().min(1),
  height: z.number().int().min(1),
  /** Row-major grey values in [0, 1]. */
  image: z.array(z.number()),
  label: z.array(z.number()),
  ann: z.array(z.number()),
  snn: z.array(z.number()),
});
export type SegmentationPanel = z.output<typeof segmentationPanelSchema>;
