export { initBackend, currentBackend, AUTO_ORDER, type BackendInfo, type InitBackendOptions } from './init.js';
export {
  BackendUnavailableError,
  UnsupportedKernelConfigError,
  type BackendAttempt,
  type ConcreteBackendName,
} from './errors.js';
export { registerWasmTrainingKernels } from './wasm_training_kernels.js';
