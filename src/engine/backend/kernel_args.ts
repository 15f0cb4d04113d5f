import type { KernelBackend, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { UnsupportedKernelConfigError } from './errors.js';

/** What tfjs hands a kernel function. */
export interface KernelCall {
  inputs: NamedTensorInfoMap;
  backend: unknown;
  attrs?: NamedAttrMap;
}

/**
 * The typed view of a kernel call for the kernels Spikelab supplies: the named inputs (checked
 * present) and the attributes as the kernel's `…Attrs` interface from tfjs-core. tfjs passes
 * attributes as an untyped map; this is the one place that asserts their shape.
 */
export function kernelArgs<I extends string, A>(kernel: string, backendName: string, call: KernelCall, names: readonly I[]): { inputs: Record<I, TensorInfo>; attrs: A; backend: KernelBackend } {
  for (const name of names) {
    if (call.inputs[name] === undefined) throw new UnsupportedKernelConfigError(kernel, backendName, `a call without input '${name}'`);
  }
  return { inputs: call.inputs as Record<I, TensorInfo>, attrs: (call.attrs ?? {}) as A & NamedAttrMap, backend: call.backend as KernelBackend };
}
