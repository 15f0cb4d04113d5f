// Plain shapes describing models and checkpoints, shared by engine, registry and client, with the
// vocabularies and the one table of a model spec's fields and bounds.
import { z } from 'zod';
import { TASKS, type Task } from './conversion.js';
import { valueSchema, type FieldTable, type IntField } from './fields.js';

/** Architectures the zoo builds (engine/zoo): they can be created, trained and converted. */
export const ZOO_ARCHITECTURES = [
  'cnn-small',
  'vgg11', 'vgg13', 'vgg16', 'vgg18',
  'resnet18', 'resnet34', 'resnet50', 'resnet101',
  'unet',
] as const;
export type ZooArchitecture = (typeof ZOO_ARCHITECTURES)[number];

/**
 * Every architecture a model can have: the zoo's, and 'onnx' for a model imported from an ONNX
 * file (importOnnxModel), whose structure is its graph: converted like any other, never built by
 * the zoo nor trained here.
 */
export const ARCHITECTURES = [...ZOO_ARCHITECTURES, 'onnx'] as const;
export type Architecture = (typeof ARCHITECTURES)[number];

export const MODEL_FAMILIES = ['plain', 'residual', 'encoder-decoder'] as const;
export type ModelFamily = (typeof MODEL_FAMILIES)[number];

export const PRETRAINING_KINDS = ['supervised', 'self-supervised', 'contrastive', 'imported', 'none'] as const;
export type PretrainingKind = (typeof PRETRAINING_KINDS)[number];

/** Weight formats importCheckpoint reads onto a zoo architecture. */
export const WEIGHT_FORMATS = ['tfjs-layers', 'safetensors'] as const;
export type WeightFormat = (typeof WEIGHT_FORMATS)[number];
/** Every stored checkpoint format: zoo weights, or a whole ONNX model file (architecture 'onnx'). */
export const CHECKPOINT_FORMATS = [...WEIGHT_FORMATS, 'onnx'] as const;
export type CheckpointFormat = (typeof CHECKPOINT_FORMATS)[number];

/** The family a zoo architecture belongs to: plain stacks (cnn-small, VGG), residual nets, encoder–decoders (UNet). An ONNX model's family comes from its graph. */
export function familyOfArchitecture(architecture: ZooArchitecture): ModelFamily {
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
  architecture: { type: 'choice', choices: ZOO_ARCHITECTURES, description: 'Architecture of the zoo' },
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

/** Largest ONNX file an import reads (the engine's importer refuses larger ones too). */
export const ONNX_FILE_MAX_BYTES = 512 * 1024 * 1024;

function specSchema(mode: 'bounded' | 'stored') {
  const F = MODEL_SPEC_FIELDS;
  const side = (f: IntField) => valueSchema(f, mode);
  const shape = {
    architecture: z.enum(ZOO_ARCHITECTURES, { error: `must be one of ${ZOO_ARCHITECTURES.join(', ')}` }),
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
/** A stored zoo spec: structure only. */
export const storedZooSpecSchema = specSchema('stored');
export type ZooModelSpec = z.output<typeof storedZooSpecSchema>;

function onnxSpec(mode: 'bounded' | 'stored') {
  const F = MODEL_SPEC_FIELDS;
  const side = (f: IntField) => valueSchema(f, mode);
  return z.strictObject({
    architecture: z.literal('onnx'),
    /** [height, width, channels] of one image as the data readers give it (the graph itself takes NCHW). */
    inputShape: z.tuple([side(F.height), side(F.width), side(F.channels)], { error: 'must be [height, width, channels]' }),
    numClasses: valueSchema(F.numClasses, mode),
    /** What the graph's output is: classes, or a binary segmentation map behind a sigmoid. */
    task: z.enum(TASKS),
  });
}

/**
 * The spec of a model imported from an ONNX file: what the registry checks runs against (input
 * shape, classes, task). The structure is the stored ONNX file itself; the zoo never builds it.
 */
export const onnxSpecSchema = onnxSpec('bounded');
export const storedOnnxSpecSchema = onnxSpec('stored');
export type OnnxModelSpec = z.output<typeof storedOnnxSpecSchema>;

/**
 * The spec column of a stored model (and of checkpoint manifests): a zoo spec or an ONNX model's,
 * told apart by architecture, so that a malformed stored spec names its field (a plain union says
 * only "Invalid input").
 */
export const storedModelSpecSchema = z.discriminatedUnion('architecture', [storedZooSpecSchema, storedOnnxSpecSchema]);
export type ModelSpec = ZooModelSpec | OnnxModelSpec;

/** True for specs the zoo builds (every architecture but 'onnx'). */
export function isZooSpec(spec: ModelSpec): spec is ZooModelSpec {
  return spec.architecture !== 'onnx';
}

/** The task a model's output serves: an ONNX model's own, 'segmentation' for the zoo's UNet, else 'classification'. */
export function taskOfSpec(spec: ModelSpec): Task {
  if (!isZooSpec(spec)) return spec.task;
  return spec.architecture === 'unet' ? 'segmentation' : 'classification';
}

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

/** Where an imported ONNX file came from, as the file says (checkpoint manifests of format 'onnx'). */
export const onnxOriginSchema = z.strictObject({
  opset: z.number().int(),
  irVersion: z.number().int(),
  producer: z.strictObject({ name: z.string().max(256), version: z.string().max(256) }),
  /** The file's input layout; 'NHWC' files (tf2onnx) take images as the data readers give them, the graph drops the transpose. */
  inputLayout: z.enum(['NCHW', 'NHWC']),
});
export type OnnxOrigin = z.output<typeof onnxOriginSchema>;

/** Stored beside the weights of a checkpoint (tfjs model.json without the weights payload). */
export const checkpointManifestSchema = z.strictObject({
  format: z.enum(CHECKPOINT_FORMATS),
  spec: storedModelSpecSchema,
  /** tfjs weight specs in the order of the binary payload (empty for 'onnx': the file holds its weights). */
  weightSpecs: z.array(weightSpecSchema),
  onnx: onnxOriginSchema.optional(),
  /** sha256 of the binary payload in the model store. */
  weightsSha256: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.string(),
});
export type CheckpointManifest = z.output<typeof checkpointManifestSchema>;
