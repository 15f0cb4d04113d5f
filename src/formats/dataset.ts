// Plain shapes describing data sets, shared by engine/data, registry and client, with the
// vocabularies, names and the schema of a data set's spec and options.
import { z } from 'zod';
import { TASKS, type Task } from './conversion.js';
import { valueSchema, type FieldTable } from './fields.js';

export const DATASET_FORMATS = [
  'idx', //                      MNIST / Fashion-MNIST directory (gz or raw)
  'cifar10', //                  CIFAR-10 binary batches directory
  'lucchi-tiff', //              Lucchi TIFF stacks directory
  'lucchi-png', //               Lucchi PNG slice folders
  'synthetic-classification', // seeded generator
  'synthetic-segmentation', //   seeded EM-like generator with exact masks
] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

/** The task a dataset format implies. */
export function taskOfFormat(format: DatasetFormat): Task {
  switch (format) {
    case 'idx':
    case 'cifar10':
    case 'synthetic-classification':
      return 'classification';
    case 'lucchi-tiff':
    case 'lucchi-png':
    case 'synthetic-segmentation':
      return 'segmentation';
  }
}

/** Names of data sets and models. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
export const NAME_RULE = 'must start with a letter or digit and contain only letters, digits, ".", "_" and "-"';
export const NAME_MAX_LENGTH = 100;
export const nameSchema = z.string().min(1, { error: 'must not be empty' }).max(NAME_MAX_LENGTH, { error: `must be at most ${NAME_MAX_LENGTH} characters` }).regex(NAME_PATTERN, { error: NAME_RULE });

/** Checkpoint aliases such as "best" or "epoch-12". */
export const ALIAS_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Reader / generator options: one flat level of key → string, number or boolean (sizes, seed,
 * crop, normalisation, limits; src/data reads them). Nothing nests, so a value of any depth is
 * refused at its first level without walking it.
 */
export const DATASET_OPTION_LIMITS = Object.freeze({ keys: 64, keyLength: 64, stringLength: 1024 });
const optionKey = z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, { error: 'option names are letters, digits and "_"' }).max(DATASET_OPTION_LIMITS.keyLength);
const optionValue = z.union([z.string().max(DATASET_OPTION_LIMITS.stringLength), z.number().finite(), z.boolean()], {
  error: 'must be a string, a finite number or a boolean (options do not nest)',
});
export const datasetOptionsSchema = z
  .record(optionKey, optionValue)
  .refine((o) => Object.keys(o).length <= DATASET_OPTION_LIMITS.keys, { error: `at most ${DATASET_OPTION_LIMITS.keys} options` });
export type DatasetOptions = z.output<typeof datasetOptionsSchema>;

/** Recorded geometry of a data set, given at registration or inspected on disk. */
export const DATASET_FIELDS = {
  height: { type: 'int', min: 1, max: 65536, description: 'Image height' },
  width: { type: 'int', min: 1, max: 65536, description: 'Image width' },
  channels: { type: 'int', min: 1, max: 256, description: 'Image channels' },
  numClasses: { type: 'int', min: 1, max: 100000, description: 'Classes (1 for binary segmentation)' },
  samples: { type: 'int', min: 0, max: 2147483647, description: 'Samples in a split' },
} as const satisfies FieldTable;

export const imageShapeSchema = z.tuple(
  [valueSchema(DATASET_FIELDS.height), valueSchema(DATASET_FIELDS.width), valueSchema(DATASET_FIELDS.channels)],
  { error: 'must be [height, width, channels]' },
);

export const datasetSpecSchema = z.strictObject({
  format: z.enum(DATASET_FORMATS, { error: `must be one of ${DATASET_FORMATS.join(', ')}` }),
  /** Directory on the server's disk (absent for synthetic sets). */
  path: z.string().min(1).max(4096).optional(),
  task: z.enum(TASKS, { error: `must be one of ${TASKS.join(', ')}` }),
  /** Generator / reader options (sizes, seed, crop, normalisation, limits). */
  options: datasetOptionsSchema.optional(),
});
export type DatasetSpec = z.output<typeof datasetSpecSchema>;

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
