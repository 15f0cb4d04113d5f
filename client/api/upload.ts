// Reads a local checkpoint for upload: a .safetensors file as is, or a tfjs-layers model.json with
// its weight shards (concatenated in manifest order, with the weight specs the server checks).
// Small payloads go inline as base64; larger ones are streamed from disk to PUT /uploads.
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SpikelabError } from './errors.js';

export type CheckpointFileFormat = 'safetensors' | 'tfjs-layers';

/** Payloads above this many bytes are streamed to PUT /uploads instead of going as base64 JSON. */
export const STREAM_UPLOAD_THRESHOLD = 10 * 1024 * 1024;

export interface CheckpointFile {
  format: CheckpointFileFormat;
  /** The payload's files, read in this order. */
  files: string[];
  bytes: number;
  weightSpecs?: { name: string; shape: number[]; dtype: string }[];
}

export function formatOfPath(path: string): CheckpointFileFormat {
  if (path.endsWith('.safetensors')) return 'safetensors';
  if (path.endsWith('.json')) return 'tfjs-layers';
  throw new SpikelabError(`cannot tell the checkpoint format of "${path}" (expected .safetensors or a tfjs model.json; or pass the format)`, 'BAD_USER_INPUT');
}

interface TfjsModelJson {
  weightsManifest?: { paths: string[]; weights: { name: string; shape: number[]; dtype: string }[] }[];
}

/** Finds the payload's files and their total size (nothing is read into memory yet). */
export async function openCheckpointFile(path: string, format: CheckpointFileFormat = formatOfPath(path)): Promise<CheckpointFile> {
  try {
    if (format === 'safetensors') return { format, files: [path], bytes: (await stat(path)).size };
    const json = JSON.parse(await readFile(path, 'utf8')) as TfjsModelJson;
    const groups = json.weightsManifest;
    if (!groups || groups.length === 0) throw new SpikelabError(`${path} has no weightsManifest (is it a tfjs-layers model.json?)`, 'BAD_USER_INPUT');
    const files = groups.flatMap((g) => g.paths).map((p) => join(dirname(path), p));
    const sizes = await Promise.all(files.map(async (f) => (await stat(f)).size));
    return { format, files, bytes: sizes.reduce((a, b) => a + b, 0), weightSpecs: groups.flatMap((g) => g.weights) };
  } catch (err) {
    if (err instanceof SpikelabError) throw err;
    throw new SpikelabError(`cannot read checkpoint ${path}: ${err instanceof Error ? err.message : String(err)}`, 'BAD_USER_INPUT');
  }
}

/** A local .onnx file for upload (the whole file is the payload). */
export async function openOnnxFile(path: string): Promise<{ files: string[]; bytes: number }> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new SpikelabError(`${path} is not a file`, 'BAD_USER_INPUT');
    return { files: [path], bytes: info.size };
  } catch (err) {
    if (err instanceof SpikelabError) throw err;
    throw new SpikelabError(`cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`, 'BAD_USER_INPUT');
  }
}

/** The payload as base64 (small files). */
export async function payloadBase64(file: Pick<CheckpointFile, 'files'>): Promise<string> {
  return Buffer.concat(await Promise.all(file.files.map((f) => readFile(f)))).toString('base64');
}

/** The payload as a stream of chunks read from disk (large files). */
export async function* payloadStream(file: Pick<CheckpointFile, 'files'>): AsyncGenerator<Uint8Array> {
  for (const f of file.files) {
    for await (const chunk of createReadStream(f)) yield chunk as Buffer;
  }
}
