// Plain shapes of a training run, shared by engine, registry and client, and the one table of the
// training config's fields, defaults and bounds.
import { INT32, tableDefaults, tableSchema, type FieldTable, type TableInput, type TableValue } from './fields.js';

/** Hyper-parameters of a training run (SGD with momentum, PyTorch's update rule). */
export const TRAINING_CONFIG_FIELDS = {
  epochs: { type: 'int', min: 1, max: 10000, default: 10, description: 'Passes over the training set' },
  batchSize: { type: 'int', min: 1, max: 65536, default: 64, description: 'Images per SGD step' },
  learningRate: { type: 'number', min: 0, minExclusive: true, max: 10, default: 0.05, description: 'Initial learning rate' },
  momentum: { type: 'number', min: 0, max: 0.999, default: 0.9, description: 'SGD momentum' },
  weightDecay: { type: 'number', min: 0, max: 1, default: 5e-4, description: 'L2 weight decay' },
  schedule: { type: 'choice', choices: ['cosine', 'constant'], default: 'cosine', description: 'Learning-rate schedule: cosine anneals to 0 over all iterations' },
  labelSmoothing: { type: 'number', min: 0, max: 1, default: 0, description: 'Label smoothing (classification)' },
  augment: { type: 'boolean', default: true, description: 'Seeded augmentation (flips, crops)' },
  validationSplit: { type: 'number', min: 0, max: 0.9, default: 0.1, description: 'Fraction of the training set held out for model selection (never the test set)' },
  seed: { type: 'int', ...INT32, default: 0, description: 'Seed of initialisation, shuffling and augmentation' },
  maxTrainSamples: { type: 'int', min: 1, max: INT32.max, description: 'Cap on training samples (quick runs)' },
  maxValidationSamples: { type: 'int', min: 1, max: INT32.max, description: 'Cap on validation samples' },
} as const satisfies FieldTable;

export type TrainingConfig = TableValue<typeof TRAINING_CONFIG_FIELDS>;
export type TrainingConfigInput = TableInput<typeof TRAINING_CONFIG_FIELDS>;

/** Bounded: what a new training run may ask for (defaults filled in). */
export const trainingConfigSchema = tableSchema(TRAINING_CONFIG_FIELDS);
/** Structural: the config column of a stored run (also rows written before a bound was tightened). */
export const storedTrainingConfigSchema = tableSchema(TRAINING_CONFIG_FIELDS, 'stored');

export const DEFAULT_TRAINING_CONFIG: Readonly<TrainingConfig> = tableDefaults(TRAINING_CONFIG_FIELDS);

export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  trainMetric: number;
  valLoss: number;
  valMetric: number;
  learningRate: number;
  seconds: number;
}

/** What a finished training run reports (the weights themselves travel separately, as a checkpoint). */
export interface TrainingOutcome {
  /** 'accuracy' (classification) or 'softDice' (segmentation), measured on the validation split. */
  metric: 'accuracy' | 'softDice';
  /** Epoch (1-based) whose weights were kept; selected on validation, never on test. */
  bestEpoch: number;
  bestValMetric: number;
  /** 'validation' normally; 'last-epoch' when no validation samples existed. */
  selectedBy: 'validation' | 'last-epoch';
  iterations: number;
  seconds: number;
  history: EpochRecord[];
}
