// Plain shapes describing models and checkpoints, shared by engine, registry and client, with the
// vocabularies and the one table of a model spec's fields and bounds.
import { z } from 'zod';
import { valueSchema, type FieldTable, type IntField } from './fields.js';

export const ARCHITECTURES = [
  'cnn-small',
  'vgg11', 'vgg13', 'vgg16', 'vgg18',
  'resnet18', 'resnet34', 'resnet50', 'resnet101',
  'unet',
] as const;
export type Architecture = (typeof ARCHITECTURES)[number];

export const MODEL_FAMILIES = ['plain', 'residual', 'encoder-decoder'] as const;
export type ModelFamily = (typeof MODEL_FAMILIES)[number];

export const PRETRAINING_KINDS = ['supervised', 'self-supervised', 'contrastive', 'imported', 'none'] as const;
export type PretrainingKind = (typeof PRETRAINING_KINDS)[number];

export const CHECKPOINT_FORMATS = ['tfjs-layers', 'safetensors'] as const;
export type CheckpointFormat = (typeof CHECKPOINT_FORMATS)[number];

/** The family an architecture belongs to: plain stacks (cnn-small, VGG), residual nets, encoder–decoders (UNet). */
export function familyOfArchitecture(architecture: Architecture): ModelFamily {
  switch (architecture) {
    case 'cnn-small':
    case 'vgg11':
    case 'vgg13':
    case 'vgg16':
    case 'vgg18':
      return 'plain';
    case 'resnet18':
    case 'resnet34':
    case 'resnet50':
    case 'resnet101':
      return 'residual';
    case 'unet':
      return 'encoder-decoder';
  }
}

/** Fields of a model spec (inputShape is [height, width, channels]), their bounds and defaults. */
export const MODEL_SPEC_FIELDS = {
  architecture: { type: 'choice', choices: ARCHITECTURES, description: 'Architecture of the zoo' },
  height: { type: 'int', min: 1, max: 4096, description: 'Input image height' },
  width: { type: 'int', min: 1, max: 4096, description: 'Input image width' },
  channels: { type: 'int', min: 1, max: 256, description: 'Input image channels' },
  numClasses: { type: 'int', min: 1, max: 100000, description: 'Classes (1 for binary segmentation)' },
  widthMultiplier: { type: 'number', min: 0.01, max: 16, default: 1, description: 'Channel width multiplier (1 = the paper widths)' },
  stem: { type: 'choice', choices: ['cifar', 'imagenet'], description: "ResNet stem: 'cifar' (3×3 conv, no pool) or 'imagenet' (7×7/2 conv + 3×3/2 max-pool)" },
  depth: { type: 'int', min: 1, max: 8, description: 'UNet down-sampling levels' },
  baseWidth: { type: 'int', min: 1, max: 1024, description: 'UNet channels at the first level' },
  batchNorm: { type: 'boolean', description: 'Batch-norm after convolutions (folded away at conversion); default on, except cnn-small' },
  padding: {
    type: 'choice',
    choices: ['same', 'torch'],
    description: "How stride-2 convolutions and 3×3 pools are padded: 'same' (TensorFlow, the default) or 'torch' (PyTorch's symmetric padding, for ResNets with PyTorch weights)",
  },
} as const satisfies FieldTable;

/**
 * Bounds on what a spec builds, computed from the spec (describeModel) before anything is stored:
 * a model past them could not be trained or converted here, and its counts would not fit the
 * columns' 32-bit readers.
 */
export const MODEL_SIZE_LIMITS = Object.freeze({ parameters: 2_000_000_000, macs: 1e12 });

function specSchema(mode: 'bounded' | 'stored') {
  const F = MODEL_SPEC_FIELDS;
  const side = (f: IntField) => valueSchema(f, mode);
  const shape = {
    architecture: z.enum(ARCHITECTURES, { error: `must be one of ${ARCHITECTURES.join(', ')}` }),
    inputShape: z.tuple([side(F.height), side(F.width), side(F.channels)], { error: 'must be [height, width, channels]' }),
    numClasses: valueSchema(F.numClasses, mode),
    widthMultiplier: valueSchema(F.widthMultiplier, mode),
    stem: z.enum(F.stem.choices).optional(),
    depth: valueSchema(F.depth, mode).optional(),
    baseWidth: valueSchema(F.baseWidth, mode).optional(),
    batchNorm: z.boolean().optional(),
    padding: z.enum(F.padding.choices).optional(),
  };
  return z.strictObject(shape).check((ctx) => {
    if (ctx.value.architecture === 'unet' && ctx.value.numClasses !== 1) {
      ctx.issues.push({ code: 'custom', path: ['numClasses'], input: ctx.value.numClasses, message: 'unet is a binary segmentation model: must be 1' });
    }
  });
}

/** Everything needed to build a zoo model (engine/zoo), bounded as a new model must be. */
export const modelSpecSchema = specSchema('bounded');
/** The spec column of a stored model (and of checkpoint manifests): structure only. */
export const storedModelSpecSchema = specSchema('stored');
export type ModelSpec = z.output<typeof storedModelSpecSchema>;

/** What describeModel reports: computed from the spec alone, no weights allocated. */
export interface ModelDescription {
  family: ModelFamily;
  /** Trainable parameters (PyTorch's count: BN γ/β included, running statistics not). */
  parameterCount: number;
  /** Non-trainable BN running mean/variance values. */
  bufferCount: number;
  /** Multiply-accumulates of one image's forward pass (conv, transposed conv, dense; BN folded, pools free). */
  macs: number;
  /** Output shape of one image (without the batch axis). */
  outputShape: number[];
  /** Number of ReLU activation sites (spiking populations after conversion). */
  reluSites: number;
  /** Adjustments made for the input size (e.g. skipped pools). */
  notes: string[];
}

export const weightSpecSchema = z.strictObject({ name: z.string().min(1).max(512), shape: z.array(z.number().int().min(0)).max(8), dtype: z.enum(['float32', 'int32']) });
export type WeightSpec = z.output<typeof weightSpecSchema>;

/** Stored beside the weights of a checkpoint (tfjs model.json without the weights payload). */
export const checkpointManifestSchema = z.strictObject({
  format: z.enum(CHECKPOINT_FORMATS),
  spec: storedModelSpecSchema,
  /** tfjs weight specs in the order of the binary payload. */
  weightSpecs: z.array(weightSpecSchema),
  /** sha256 of the binary payload in the model store. */
  weightsSha256: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.string(),
});
export type CheckpointManifest = z.output<typeof checkpointManifestSchema>;
