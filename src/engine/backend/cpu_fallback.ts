import {
  findBackend,
  getKernel,
  type KernelBackend,
  type KernelConfig,
  type KernelFunc,
  type NamedTensorInfoMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { UnsupportedKernelConfigError } from './errors.js';

/**
 * A kernel for `backendName` that runs the cpu backend's kernel of the same name on copies of
 * the inputs. Last resort for rarely used kernels: it costs a download and an upload per call.
 */
export function cpuFallbackKernel(kernelName: string, backendName: string): KernelConfig {
  const kernelFunc: KernelFunc = ({ inputs, backend: b, attrs }) => {
    const backend = b as KernelBackend;
    const cpu = findBackend('cpu');
    const cpuKernel = getKernel(kernelName, 'cpu');
    if (cpu === null || cpuKernel === undefined) {
      throw new UnsupportedKernelConfigError(kernelName, backendName, 'this call: cpu backend not registered');
    }
    const cpuInputs: NamedTensorInfoMap = {};
    for (const [key, t] of Object.entries(inputs)) {
      if (t === undefined) continue;
      const values = (backend.readSync(t.dataId) as Float32Array | Int32Array | Uint8Array).slice();
      cpuInputs[key] = { dataId: cpu.write(values, t.shape, t.dtype), shape: t.shape, dtype: t.dtype };
    }
    try {
      const res = cpuKernel.kernelFunc({ inputs: cpuInputs, backend: cpu, attrs: attrs ?? {} });
      const outs = Array.isArray(res) ? res : [res];
      const moved: TensorInfo[] = outs.map((o) => {
        const values = (cpu.readSync(o.dataId) as Float32Array | Int32Array | Uint8Array).slice();
        cpu.disposeData(o.dataId);
        return { dataId: backend.write(values, o.shape, o.dtype), shape: o.shape, dtype: o.dtype };
      });
      return Array.isArray(res) ? moved : (moved[0] as TensorInfo);
    } finally {
      for (const t of Object.values(cpuInputs)) if (t !== undefined) cpu.disposeData(t.dataId);
    }
  };
  return { kernelName, backendName, kernelFunc };
}
