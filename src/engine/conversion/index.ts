// Public surface of the ANN→SNN conversion engine (design/conversion.md) on ONNX Runtime.
export { foldBatchNorm } from './fold.js';
export { calibrate, type Calibration, type CalibrationBatch, type CalibrationOptions } from './calibrate.js';
export { quantileInPlace } from './percentile.js';
export { planScales, scaleLinear, type ScalePlan } from './scales.js';
export { planSnn, type PopulationSpec, type SnnOptions, type SnnPlan, type StateSpec } from './snn-plan.js';
export { channelConstant, emitGateStep, emitIfStep, emitLipoolStep, type IfParams } from './emit-neurons.js';
export { emitSnnModel, emitStaticGraph, emitStepGraph, emitTotalsGraph, SNN_NAMES } from './emit-snn.js';
export { CHUNK_STATE_BYTES, chooseStepsPerCall, chunksOf, initialState, MACS_PER_CALL, MAX_STEPS_PER_CALL, MIN_CHUNK_SAMPLES, simulationChunk, SpikingNetwork, stateBytesPerSample, type SnnRuntimeOptions } from './snn.js';
export {
  accuracy,
  topKCorrect,
  softDice,
  segmentationMetrics,
  segmentationStats,
  SegmentationAccumulator,
  type SegImageStats,
} from './metrics.js';
export { annMacs, fanout } from './sops.js';
export { layerStats, layerStatsFrom, summarise } from './report.js';
export { readoutAt, StepCollector } from './collector.js';
export { nchwBatch, batchRanges, labelSlice, seededPermutation } from './batches.js';
export { convertAndSimulate, type ConversionData, type ConvertOptions, type BatchReport } from './simulate.js';
export { exportAnn, exportSnn, type AnnContract, type ExportedModel, type SnnContract } from './export.js';
export { convertSweep, planSweep, type SweepOptions, type SweepPlan } from './sweep.js';
export { EarlyExitTracker, type EarlyExitRule } from './early-exit.js';
