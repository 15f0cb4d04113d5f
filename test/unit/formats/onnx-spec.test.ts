// The model spec vocabulary with ONNX models: a stored spec is a zoo spec or an onnx one (never a
// mix), the zoo's guard and the zoo-only create schema refuse onnx specs, and the task of a model
// comes from its spec either way.
import { describeModel, ZooSpecError } from '../../../src/engine/zoo/index.js';
import {
  ARCHITECTURES,
  checkpointManifestSchema,
  isZooSpec,
  modelSpecSchema,
  onnxSpecSchema,
  storedModelSpecSchema,
  taskOfSpec,
  ZOO_ARCHITECTURES,
  type OnnxModelSpec,
  type ZooModelSpec,
} from '../../../src/formats/index.js';

const onnx: OnnxModelSpec = { architecture: 'onnx', inputShape: [28, 28, 1], numClasses: 10, task: 'classification' };
const zoo: ZooModelSpec = { architecture: 'unet', inputShape: [16, 16, 1], numClasses: 1, widthMultiplier: 1 };

describe('onnx model specs', () => {
  it('onnx is an architecture, not one of the zoo', () => {
    expect(ARCHITECTURES).toContain('onnx');
    expect((ZOO_ARCHITECTURES as readonly string[]).includes('onnx')).toBe(false);
    expect(modelSpecSchema.safeParse({ ...onnx, widthMultiplier: 1 }).success).toBe(false);
  });

  it('a stored spec is a zoo spec or an onnx spec, never a mix', () => {
    expect(storedModelSpecSchema.parse(onnx)).toEqual(onnx);
    expect(storedModelSpecSchema.parse(zoo)).toEqual(zoo);
    expect(storedModelSpecSchema.safeParse({ ...onnx, widthMultiplier: 1 }).success).toBe(false);
    expect(storedModelSpecSchema.safeParse({ ...zoo, task: 'segmentation' }).success).toBe(false);
    expect(onnxSpecSchema.safeParse({ ...onnx, inputShape: [28, 28, 1000] }).success).toBe(false); // channels bounded like a zoo model's
    const manifest = { format: 'onnx', spec: onnx, weightSpecs: [], weightsSha256: 'a'.repeat(64), createdAt: 'now', onnx: { opset: 13, irVersion: 7, producer: { name: 'pytorch', version: '1.13' }, inputLayout: 'NCHW' } };
    expect(checkpointManifestSchema.parse(manifest)).toEqual(manifest);
  });

  it('tells zoo specs apart and gives every model its task', () => {
    expect(isZooSpec(zoo)).toBe(true);
    expect(isZooSpec(onnx)).toBe(false);
    expect(taskOfSpec(zoo)).toBe('segmentation');
    expect(taskOfSpec({ ...zoo, architecture: 'vgg11', numClasses: 10 })).toBe('classification');
    expect(taskOfSpec({ ...onnx, task: 'segmentation', numClasses: 1 })).toBe('segmentation');
  });

  it('the zoo refuses to build or size an onnx spec', () => {
    expect(() => describeModel(onnx as unknown as ZooModelSpec)).toThrow(ZooSpecError);
    expect(() => describeModel(onnx as unknown as ZooModelSpec)).toThrow(/not built by the zoo/);
  });
});
