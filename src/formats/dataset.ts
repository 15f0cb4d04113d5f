// Plain shapes describing data sets, shared by engine/data, registry and client.
import type { Task } from './conversion.js';

export type DatasetFormat =
  | 'idx'                        // MNIST / Fashion-MNIST directory (gz or raw)
  | 'cifar10'                    // CIFAR-10 binary batches directory
  | 'lucchi-tiff'                // Lucchi TIFF stacks directory
  | 'lucchi-png'                 // Lucchi PNG slice folders
  | 'synthetic-classification'   // seeded generator
  | 'synthetic-segmentation';    // seeded EM-like generator with exact masks

export interface DatasetSpec {
  format: DatasetFormat;
  /** Directory on the server's disk (absent for synthetic sets). */
  path?: string;
  task: Task;
  /** Generator / reader options (sizes, seed, crop, normalisation, limits). */
  options?: Record<string, number | string | boolean>;
}

/** Cheap description of a data set for registration-time validation (no pixels decoded). */
export interface DatasetInfo {
  name: string;
  task: Task;
  /** [H, W, C] of one sample as loadDataset returns it (after cropping). */
  imageShape: [number, number, number];
  numClasses: number;
  trainCount: number;
  testCount: number;
  classNames?: string[];
  synthetic: boolean;
}
