// The part of the `webgpu` package (Dawn for Node) that Spikelab uses.

export interface GpuAdapterInfoLike {
  vendor?: string;
  architecture?: string;
  description?: string;
}
export interface GpuAdapterLike {
  info?: GpuAdapterInfoLike;
}
export interface GpuLike {
  requestAdapter(): Promise<GpuAdapterLike | null>;
}
export interface WebGpuModule {
  create(flags: string[]): GpuLike;
  globals: Record<string, unknown>;
}
