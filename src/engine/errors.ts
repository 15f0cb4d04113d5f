// Typed domain errors of the compute engine. They know nothing of GraphQL; the API layer maps them.

/** Base class: every error the conversion engine throws on purpose. */
export class EngineError extends Error {
  override readonly name: string = 'EngineError';
}

/** A model node the converter cannot handle (unknown layer class, unsupported option). */
export class UnsupportedLayerError extends EngineError {
  override readonly name = 'UnsupportedLayerError';

  constructor(
    /** The graph node, e.g. "conv2d_3" or "re_lu_1#2" (second call of a shared layer). */
    readonly node: string,
    /** The tfjs-layers class name, e.g. "LeakyReLU". */
    readonly className: string,
    readonly reason: string,
  ) {
    super(`Cannot convert node '${node}' (${className}): ${reason}`);
  }
}

/** A batch-norm that cannot be folded into a directly preceding linear layer. */
export class BatchNormFoldError extends EngineError {
  override readonly name = 'BatchNormFoldError';

  constructor(
    readonly node: string,
    readonly reason: string,
  ) {
    super(`Cannot fold batch-norm '${node}': ${reason}`);
  }
}

/** A conversion config or data argument is out of range or inconsistent with the model. */
export class InvalidConversionInputError extends EngineError {
  override readonly name = 'InvalidConversionInputError';
}

/** The caller's AbortSignal fired; the work stopped between two steps or batches. */
export class CancelledError extends EngineError {
  override readonly name = 'CancelledError';

  constructor(readonly where: string) {
    super(`Cancelled (${where})`);
  }
}

/** The requested ONNX Runtime execution provider cannot run here (e.g. `cuda` without its libraries). */
export class ConversionBackendError extends EngineError {
  override readonly name = 'ConversionBackendError';
}
