// The version of the engine's numerics. A conversion request is answered from the registry only by a
// run computed with the same version (src/registry/identical.ts), so bump this whenever a change can
// alter a conversion's numbers (calibration, neurons, pooling, simulation, metrics, readout), and
// leave it when it cannot (speed, messages, refactoring that keeps every output). Imports nothing:
// the main thread reads it without loading a compute library.

/** Stored with every conversion run that succeeds (ConversionRun.engineVersion). */
export const ENGINE_VERSION = 1;
