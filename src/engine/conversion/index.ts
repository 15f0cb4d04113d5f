// Public surface of the ANN→SNN conversion engine (design/conversion.md).
export { extractGraph } from './extract.js';
export { foldBatchNorm } from './fold.js';
export { AnnExecutor } from './forward.js';
export { calibrate, type Calibration, type CalibrationOptions } from './calibrate.js';
export { quantileInPlace } from './percentile.js';
export { planScales, scaleLinear, type ScalePlan } from './scales.js';
export { ifBurstStep, type IfBurstParams } from './neuron.js';
export { lipoolStep, lipoolState, gatePoolStep, gateState, poolGeometry, type LipoolState, type PoolGeometry } from './lipool.js';
export {
  IfPopulation,
  LinearLayer,
  PoolPopulation,
  StatelessLayer,
  type Population,
  type SnnLayer,
} from './layers.js';
export { buildSnn, SpikingNetwork, type SnnOptions } from './snn.js';
export {
  accuracy,
  topKCorrect,
  softDice,
  segmentationMetrics,
  segmentationStatsTensor,
  readSegStats,
  SegmentationAccumulator,
  type SegImageStats,
} from './metrics.js';
export { annMacs, fanout } from './sops.js';
export { layerStats, summarise } from './report.js';
export {
  convertAndSimulate,
  type ConversionData,
  type ConvertOptions,
  type BatchReport,
} from './simulate.js';
export type { Graph, GraphNode, GraphOp, OpKind, Weight, Padding, Pair } from './graph.js';
