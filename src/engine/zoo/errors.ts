// Typed errors of the model zoo.

/** A ModelSpec the zoo cannot build (unknown architecture, input too small, bad widths). */
export class ZooSpecError extends Error {
  override readonly name = 'ZooSpecError';

  constructor(message: string) {
    super(message);
  }
}
