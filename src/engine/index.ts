// The engine's public entry: a plain list of re-exports, one block per area.
export * from './errors.js';
export * from './conversion/index.js';
