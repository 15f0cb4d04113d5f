// The backbone × time-step comparison matrix, as served by the `compare` query and drawn by reports.
import { z } from 'zod';

export interface CompareRow {
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
  annValue: number;
  /** SNN metric at CompareMatrix.steps (null where a step exceeds this run's T). */
  values: (number | null)[];
  /** ANN − SNN at the same steps. */
  losses: (number | null)[];
  best: number;
  bestStep: number;
  firstStepWithin1: number | null;
  lossAtT: number;
  sops: number;
  annMacs: number;
  energyRatio: number;
}

export interface CompareMatrix {
  metric: string;
  steps: number[];
  rows: CompareRow[];
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
