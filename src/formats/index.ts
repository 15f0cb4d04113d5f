export * from './fields.js';
export * from './conversion.js';
export * from './dataset.js';
export * from './model.js';
export * from './training.js';
export * from './compare.js';
export * from './summary.js';
export * from './job.js';
