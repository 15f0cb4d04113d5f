// Closed vocabularies stored as TEXT columns (prisma/schema.prisma) and validated here and in the
// GraphQL inputs. Typed against the shared plain shapes in src/formats.
import type { Architecture, CheckpointFormat, DatasetFormat, ModelFamily, PretrainingKind, Task } from '../formats/index.js';

export const TASKS = ['classification', 'segmentation'] as const satisfies readonly Task[];

export const DATASET_FORMATS = [
  'idx',
  'cifar10',
  'lucchi-tiff',
  'lucchi-png',
  'synthetic-classification',
  'synthetic-segmentation',
] as const satisfies readonly DatasetFormat[];

export const ARCHITECTURES = [
  'cnn-small',
  'vgg11', 'vgg13', 'vgg16', 'vgg18',
  'resnet18', 'resnet34', 'resnet50', 'resnet101',
  'unet',
] as const satisfies readonly Architecture[];

export const MODEL_FAMILIES = ['plain', 'residual', 'encoder-decoder'] as const satisfies readonly ModelFamily[];

export const PRETRAINING_KINDS = [
  'supervised',
  'self-supervised',
  'contrastive',
  'imported',
  'none',
] as const satisfies readonly PretrainingKind[];

export const CHECKPOINT_FORMATS = ['tfjs-layers', 'safetensors'] as const satisfies readonly CheckpointFormat[];

export const RUN_STATUSES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const TOKEN_ROLES = ['reader', 'writer', 'admin', 'worker'] as const;
export type TokenRole = (typeof TOKEN_ROLES)[number];

/**
 * What each role may do, as the roles whose fields it may resolve (a field names the roles it
 * needs with type-graphql's @Authorized). reader ⊂ writer ⊂ admin; worker (a remote job worker:
 * fetch inputs, report progress and metrics, upload results) stands apart, and admin holds it too.
 */
export const ROLE_GRANTS: Readonly<Record<TokenRole, readonly TokenRole[]>> = {
  reader: ['reader'],
  writer: ['reader', 'writer'],
  admin: ['reader', 'writer', 'admin', 'worker'],
  worker: ['worker'],
};

/** True when a token of `role` may resolve a field that needs one of `needed`. */
export function roleAllows(role: TokenRole, needed: TokenRole | readonly TokenRole[]): boolean {
  const grants = ROLE_GRANTS[role];
  return typeof needed === 'string' ? grants.includes(needed) : needed.some((n) => grants.includes(n));
}

/** The task a dataset format implies. */
export function taskOfFormat(format: DatasetFormat): Task {
  switch (format) {
    case 'idx':
    case 'cifar10':
    case 'synthetic-classification':
      return 'classification';
    case 'lucchi-tiff':
    case 'lucchi-png':
    case 'synthetic-segmentation':
      return 'segmentation';
  }
}

/** The family an architecture belongs to (plain stacks, residual nets, encoder–decoders). */
export function familyOfArchitecture(architecture: Architecture): ModelFamily {
  if (architecture.startsWith('resnet')) return 'residual';
  if (architecture === 'unet') return 'encoder-decoder';
  return 'plain';
}

/** Names of datasets and models. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
export const NAME_RULE = 'must start with a letter or digit and contain only letters, digits, ".", "_" and "-"';
/** Checkpoint aliases such as "best" or "epoch-12". */
export const ALIAS_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function isOneOf<T extends string>(values: readonly T[], value: string): value is T {
  return (values as readonly string[]).includes(value);
}
