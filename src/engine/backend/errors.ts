import type { BackendName } from '../../formats/conversion.js';

/** A concrete compute backend, i.e. a BackendName other than 'auto'. */
export type ConcreteBackendName = Exclude<BackendName, 'auto'>;

/** One attempt to load a backend, as recorded in BackendInfo.tried and in errors. */
export interface BackendAttempt {
  backend: ConcreteBackendName;
  /** What was loaded for it, e.g. '@tensorflow/tfjs-node-gpu'. */
  source: string;
  ok: boolean;
  /** Why it failed (absent when ok). */
  reason?: string;
  ms: number;
}

/** The requested compute backend cannot be loaded on this machine. */
export class BackendUnavailableError extends Error {
  override readonly name = 'BackendUnavailableError';

  constructor(
    readonly requested: BackendName,
    readonly attempts: readonly BackendAttempt[],
    readonly available: readonly ConcreteBackendName[],
  ) {
    const why = attempts
      .filter((a) => !a.ok)
      .map((a) => `${a.source}: ${a.reason ?? 'failed'}`)
      .join('; ');
    super(
      `Compute backend '${requested}' is unavailable (${why || 'no attempt made'}). ` +
        `Available here: ${available.length > 0 ? available.join(', ') : 'none'}.`,
    );
  }
}

/** A kernel supplied by Spikelab was called with a configuration it does not implement. */
export class UnsupportedKernelConfigError extends Error {
  override readonly name = 'UnsupportedKernelConfigError';

  constructor(
    readonly kernel: string,
    readonly backend: string,
    readonly detail: string,
  ) {
    super(`Kernel '${kernel}' on backend '${backend}' does not support ${detail}.`);
  }
}
