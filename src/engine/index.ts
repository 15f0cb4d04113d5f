// The engine's public entry: a plain list of re-exports, one block per area.
export * from './errors.js';
export * from './ir/index.js';
export * from './ort/index.js';
export * from './conversion/index.js';
export * from './zoo/index.js';
export * from './train/index.js';
export * from './checkpoint/index.js';
