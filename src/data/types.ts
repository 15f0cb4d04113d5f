// In-memory data set shapes shared by the readers (src/data) and the engine (training, conversion).
import type { Task } from '../formats/conversion.js';

/** One split, images normalised, NHWC row-major. */
export interface Split {
  /** count × H × W × C floats, already normalised. */
  images: Float32Array;
  /**
   * Classification: count class indices (0..numClasses-1).
   * Segmentation: count × H × W masks with values in {0, 1}.
   */
  labels: Float32Array;
  count: number;
}

export interface LoadedDataset {
  name: string;
  task: Task;
  /** [H, W, C] of one image. */
  imageShape: [number, number, number];
  /** Classes (classification) or 1 (binary segmentation). */
  numClasses: number;
  train: Split;
  test: Split;
  /** Held out from train with a seeded split; model selection uses it, never test. */
  validation?: Split;
  classNames?: string[];
  /** True for generated data: always shown as synthetic. */
  synthetic: boolean;
}

/**
 * Options of loadDataset. They may also come as DatasetSpec.options (same names); explicit
 * options win. Sample caps apply per split after cropping and before the validation split.
 */
export interface LoadOptions {
  /** Most training samples read (train + validation before splitting). */
  maxTrain?: number;
  /** Most test samples read. */
  maxTest?: number;
  /** Fraction of the (capped) training samples held out as validation (seeded); 0 = none. */
  validationSplit?: number;
  seed?: number;
  /** 'unit' (x/255; IDX default), 'standard' (CIFAR default, the study's mean/std), 'symmetric' ([−1,1]; Lucchi), 'none'. */
  normalize?: 'none' | 'unit' | 'symmetric' | 'standard';
  /** Per-channel mean/std for 'standard', comma-separated in DatasetSpec.options. */
  mean?: number[];
  std?: number[];
  /** Lucchi: crop side (0 = whole 768×1024 slices; default 256). */
  crop?: number;
  /** Lucchi: 'random' crops (train default) or the 'tile' grid (test default). */
  cropMode?: 'tile' | 'random';
  /** Lucchi, random mode: crops per slice (default 4). */
  cropsPerSlice?: number;
}

export type { DatasetInfo } from '../formats/dataset.js';
