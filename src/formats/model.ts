// Plain shapes describing models and checkpoints, shared by engine, registry and client.

export type Architecture =
  | 'cnn-small'
  | 'vgg11' | 'vgg13' | 'vgg16' | 'vgg18'
  | 'resnet18' | 'resnet34' | 'resnet50' | 'resnet101'
  | 'unet';

export type ModelFamily = 'plain' | 'residual' | 'encoder-decoder';
export type PretrainingKind = 'supervised' | 'self-supervised' | 'contrastive' | 'imported' | 'none';

/** Everything needed to build a zoo model (engine/zoo). */
export interface ModelSpec {
  architecture: Architecture;
  /** [height, width, channels] of one input image. */
  inputShape: [number, number, number];
  /** Classes for classification; 1 for binary segmentation. */
  numClasses: number;
  /** Channel width multiplier (1 = the paper's widths). */
  widthMultiplier: number;
  /** ResNet stem: 'cifar' (3×3 conv, no pool) or 'imagenet' (7×7/2 conv + 3×3/2 max-pool). */
  stem?: 'cifar' | 'imagenet';
  /** UNet: number of down-sampling levels and channels at the first level. */
  depth?: number;
  baseWidth?: number;
  /** Batch-norm after convolutions (folded away at conversion). Default: on, except cnn-small. */
  batchNorm?: boolean;
  /**
   * How stride-2 convolutions / 3×3 pools are padded. 'same' (default): TensorFlow 'same'
   * (pads bottom/right). 'torch': PyTorch's symmetric padding via explicit ZeroPadding2D layers,
   * needed for ResNets whose weights come from PyTorch (plain 'same' shifts the sampling grid).
   */
  padding?: 'same' | 'torch';
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

export type CheckpointFormat = 'tfjs-layers' | 'safetensors';

/** Stored beside the weights of a checkpoint (tfjs model.json without the weights payload). */
export interface CheckpointManifest {
  format: CheckpointFormat;
  spec: ModelSpec;
  /** tfjs weight specs in the order of the binary payload. */
  weightSpecs: { name: string; shape: number[]; dtype: 'float32' | 'int32' }[];
  /** sha256 of the binary payload in the model store. */
  weightsSha256: string;
  createdAt: string;
}
