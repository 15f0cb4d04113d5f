// The PyTorch-exported fixtures of test/fixtures/onnx (made by make_onnx_fixtures.py) and what the
// script computed about each of them independently of Spikelab.
import { readFileSync } from 'node:fs';

export const FIXTURES = new URL('../../../../test/fixtures/onnx/', import.meta.url);

export interface Tensor32 {
  shape: number[];
  data: Float32Array;
}

export interface Fixture {
  name: string;
  opset: number;
  bnFolded: boolean;
  dynamicHW: boolean;
  inputShape: [number, number, number];
  task: 'classification' | 'segmentation';
  numClasses: number;
  family: 'plain' | 'residual' | 'encoder-decoder';
  torchParameterCount: number;
  parameterCount: number;
  macs: number;
  reluSites: number;
  input: Tensor32;
  output: Tensor32;
  accuracyFirst1000?: number;
  bytes: Uint8Array;
}

function f32(b64: string): Float32Array {
  const buf = Buffer.from(b64, 'base64');
  const out = new Float32Array(buf.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = buf.readFloatLE(4 * i);
  return out;
}

export function fixture(name: string): Fixture {
  const raw = JSON.parse(readFileSync(new URL(`${name}.json`, FIXTURES), 'utf8')) as Omit<Fixture, 'input' | 'output' | 'bytes'> & {
    input: { shape: number[]; f32: string };
    output: { shape: number[]; f32: string };
  };
  return {
    ...raw,
    input: { shape: raw.input.shape, data: f32(raw.input.f32) },
    output: { shape: raw.output.shape, data: f32(raw.output.f32) },
    bytes: new Uint8Array(readFileSync(new URL(`${name}.onnx`, FIXTURES))),
  };
}

/** Every importable fixture (the refusal fixtures excluded). */
export const IMPORTABLE = ['vgg_o13', 'vgg_o17_bn', 'legacy_ops_o11', 'resnet_o17', 'resnet_o11_bn', 'unet_o13', 'unet_o13_dynhw', 'legacy_o9', 'fmnist_vgg', 'fmnist_resnet'] as const;
