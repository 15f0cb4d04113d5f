// Typed errors of the training loop.

/** Training stopped because its AbortSignal fired; raised between batches, the model left consistent. */
export class TrainingCancelledError extends Error {
  override readonly name = 'TrainingCancelledError';

  constructor(
    readonly epoch: number,
    readonly iteration: number,
  ) {
    super(`training cancelled at epoch ${epoch}, iteration ${iteration}`);
  }
}

/** The model, data and config do not fit together (shapes, classes, sizes). */
export class TrainingConfigError extends Error {
  override readonly name = 'TrainingConfigError';

  constructor(message: string) {
    super(message);
  }
}
