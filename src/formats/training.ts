// Plain shapes of a training run, shared by engine, registry and client.

export interface TrainingConfig {
  epochs: number;
  batchSize: number;
  learningRate: number;
  momentum: number;
  weightDecay: number;
  /** 'cosine' anneals from learningRate to 0 over all iterations. */
  schedule: 'cosine' | 'constant';
  labelSmoothing: number;
  augment: boolean;
  /** Fraction of the training set held out for model selection (never the test set). */
  validationSplit: number;
  seed: number;
  /** Optional caps for quick runs (number of training / validation samples used). */
  maxTrainSamples?: number;
  maxValidationSamples?: number;
}

export const DEFAULT_TRAINING_CONFIG: Readonly<TrainingConfig> = Object.freeze({
  epochs: 10,
  batchSize: 64,
  learningRate: 0.05,
  momentum: 0.9,
  weightDecay: 5e-4,
  schedule: 'cosine',
  labelSmoothing: 0,
  augment: true,
  validationSplit: 0.1,
  seed: 0,
});

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
