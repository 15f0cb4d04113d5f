// Typed errors of checkpoint IO.

/** A checkpoint's tensors do not fit the architecture: names the first offending tensor and both shapes. */
export class CheckpointMismatchError extends Error {
  override readonly name = 'CheckpointMismatchError';

  constructor(
    /** Tensor name as the checkpoint spells it (or would). */
    readonly tensor: string,
    /** Shape the model needs, or null for a tensor the model does not have. */
    readonly expected: number[] | null,
    /** Shape in the checkpoint, or null when the checkpoint lacks the tensor. */
    readonly actual: number[] | null,
  ) {
    const fmt = (s: number[] | null, none: string) => (s === null ? none : `[${s.join(', ')}]`);
    super(`checkpoint tensor '${tensor}': model expects ${fmt(expected, 'no such tensor')}, checkpoint has ${fmt(actual, 'none')}`);
  }
}

/** Bytes that are not a valid checkpoint of the claimed format (bad header, offsets, dtype). */
export class CheckpointFormatError extends Error {
  override readonly name = 'CheckpointFormatError';

  constructor(problem: string) {
    super(`invalid checkpoint: ${problem}`);
  }
}

/** A checkpoint tensor holds NaN or ±Infinity: such weights make every prediction meaningless. */
export class CheckpointValueError extends Error {
  override readonly name = 'CheckpointValueError';

  constructor(
    readonly tensor: string,
    readonly index: number,
    readonly value: number,
  ) {
    super(`checkpoint tensor '${tensor}' holds ${String(value)} at element ${index} (weights must be finite numbers)`);
  }
}

/** Throws CheckpointValueError at the first NaN or ±Infinity of `values`. */
export function assertFinite(tensor: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) throw new CheckpointValueError(tensor, i, v);
  }
}
