import {
  Conv2DBackpropInput,
  DepthwiseConv2dNativeBackpropFilter,
  DepthwiseConv2dNativeBackpropInput,
  getKernel,
  registerKernel,
  unregisterKernel,
  type KernelConfig,
} from '@tensorflow/tfjs-core';
import { cpuFallbackKernel } from './cpu_fallback.js';
import { wasmConv2DBackpropFilterConfig } from './wasm_conv2d_backprop_filter.js';
import { overrideWasmConv2DBackpropInput } from './wasm_conv2d_backprop_input.js';
import { wasmMaxPoolGradConfig } from './wasm_max_pool_grad.js';

/**
 * Kernels that tfjs-backend-wasm 4.22 lacks but training needs (gpu.md): the conv filter gradient,
 * composed from wasm's own kernels, and the depthwise gradients (not used by our zoo; via cpu).
 */
const SUPPLIED: readonly KernelConfig[] = [
  wasmConv2DBackpropFilterConfig,
  cpuFallbackKernel(DepthwiseConv2dNativeBackpropFilter, 'wasm'),
  cpuFallbackKernel(DepthwiseConv2dNativeBackpropInput, 'wasm'),
];

/** Kernels wasm has but computes wrongly: replaced whether or not a native one is registered. */
const CORRECTED: readonly KernelConfig[] = [wasmMaxPoolGradConfig];

/**
 * Registers the missing training kernels for 'wasm' (never overriding a native one) and the
 * corrected ones (always). Idempotent; returns the names of the kernels Spikelab supplies.
 */
export function registerWasmTrainingKernels(): string[] {
  const supplied: string[] = [];
  for (const config of SUPPLIED) {
    const existing = getKernel(config.kernelName, 'wasm');
    if (existing === undefined) registerKernel(config);
    if (existing === undefined || existing.kernelFunc === config.kernelFunc) supplied.push(config.kernelName);
  }
  for (const config of CORRECTED) {
    const existing = getKernel(config.kernelName, 'wasm');
    if (existing?.kernelFunc !== config.kernelFunc) {
      if (existing !== undefined) unregisterKernel(config.kernelName, 'wasm');
      registerKernel(config);
    }
    supplied.push(config.kernelName);
  }
  // wasm's own input gradient is a plain loop (~10× its forward conv): replaced by a composition.
  if (overrideWasmConv2DBackpropInput()) supplied.push(Conv2DBackpropInput);
  return supplied;
}
