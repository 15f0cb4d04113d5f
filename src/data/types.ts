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
