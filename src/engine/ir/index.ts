// The engine's graph IR v2 and its tfjs-layers producer.
export * from './graph.js';
export { extractGraph } from './from-tfjs.js';
export { dropFlattenTransposes } from './rewrite.js';
export { nhwcToNchw, nchwToNhwc } from './layout.js';
