export { initBackend, currentBackend, describeBackend, AUTO_ORDER, type BackendInfo, type InitBackendOptions } from './init.js';
export { probeWebGpu, type WebGpuProbe } from './webgpu_probe.js';
export {
  BackendUnavailableError,
  UnsupportedKernelConfigError,
  type BackendAttempt,
  type ConcreteBackendName,
} from './errors.js';
export { registerWasmTrainingKernels } from './wasm_training_kernels.js';
