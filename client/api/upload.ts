// Reads a local checkpoint for upload: a .safetensors file as is, or a tfjs-layers model.json with
// its weight shards (concatenated in manifest order, with the weight specs the server checks).
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SpikelabError } from './errors.js';

export type CheckpointFileFormat = 'safetensors' | 'tfjs-layers';

export interface CheckpointUpload {
  format: CheckpointFileFormat;
  base64: string;
  weightSpecs?: { name: string; shape: number[]; dtype: string }[];
  bytes: number;
}

export function formatOfPath(path: string): CheckpointFileFormat {
  if (path.endsWith('.safetensors')) return 'safetensors';
  if (path.endsWith('.json')) return 'tfjs-layers';
  throw new SpikelabError(`cannot tell the checkpoint format of "${path}" (expected .safetensors or a tfjs model.json; or pass the format)`, 'BAD_USER_INPUT');
}

interface TfjsModelJson {
  weightsManifest?: { paths: string[]; weights: { name: string; shape: number[]; dtype: string }[] }[];
}

export async function readCheckpointFile(path: string, format: CheckpointFileFormat = formatOfPath(path)): Promise<CheckpointUpload> {
  try {
    if (format === 'safetensors') {
      const bytes = await readFile(path);
      return { format, base64: bytes.toString('base64'), bytes: bytes.length };
    }
    const json = JSON.parse(await readFile(path, 'utf8')) as TfjsModelJson;
    const groups = json.weightsManifest;
    if (!groups || groups.length === 0) throw new SpikelabError(`${path} has no weightsManifest (is it a tfjs-layers model.json?)`, 'BAD_USER_INPUT');
    const shards = await Promise.all(groups.flatMap((g) => g.paths).map((p) => readFile(join(dirname(path), p))));
    const bytes = Buffer.concat(shards);
    return { format, base64: bytes.toString('base64'), weightSpecs: groups.flatMap((g) => g.weights), bytes: bytes.length };
  } catch (err) {
    if (err instanceof SpikelabError) throw err;
    throw new SpikelabError(`cannot read checkpoint ${path}: ${err instanceof Error ? err.message : String(err)}`, 'BAD_USER_INPUT');
  }
}
