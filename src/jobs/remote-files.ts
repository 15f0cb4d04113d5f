// The inputs a remote worker downloads: a data set's files (named relative to its directory, with
// sha256 and size; hashes are remembered per path, size and mtime) and checkpoints by sha256. Every
// file served is one the data set's format reads, resolved under the data roots: a name outside
// that list is NOT_FOUND, whatever it points at.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { datasetFileNames } from '../data/layout.js';
import { READ_BOUNDS, resolveUnderRoots } from '../data/files.js';
import type { RemoteCheckpoint, RemoteDataset, RemoteFile } from '../formats/index.js';
import { NotFoundError } from '../registry/errors.js';
import type { Registry } from '../registry/registry.js';
import type { Dataset } from '../registry/records.js';
import { datasetSpecOf } from '../registry/runs.js';

const hashes = new Map<string, { size: number; mtimeMs: number; sha256: string }>();

async function sha256Of(path: string): Promise<{ sha256: string; size: number }> {
  const st = await stat(path);
  const known = hashes.get(path);
  if (known && known.size === st.size && known.mtimeMs === st.mtimeMs) return { sha256: known.sha256, size: st.size };
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  const sha256 = hash.digest('hex');
  hashes.set(path, { size: st.size, mtimeMs: st.mtimeMs, sha256 });
  return { sha256, size: st.size };
}

async function fileOf(registry: Registry, dir: string, name: string): Promise<string> {
  return resolveUnderRoots(join(dir, name), registry.dataRoots, 'file');
}

/** The data set as a worker sees it: spec without the server's path, and the files to fetch. */
export async function remoteDataset(registry: Registry, dataset: number | Dataset): Promise<RemoteDataset> {
  const ds = typeof dataset === 'number' ? await registry.datasets.get(dataset) : dataset;
  const { path: _path, ...spec } = datasetSpecOf(ds);
  const files: RemoteFile[] = [];
  if (ds.path != null) {
    for (const name of await datasetFileNames(ds.format, ds.path)) {
      const { sha256, size } = await sha256Of(await fileOf(registry, ds.path, name));
      files.push({ name, sha256, sizeBytes: size });
    }
  }
  return { id: ds.id, spec, files };
}

export async function remoteCheckpoint(registry: Registry, checkpointId: number): Promise<RemoteCheckpoint> {
  const cp = await registry.checkpoints.get(checkpointId);
  return { manifest: cp.manifest, sha256: cp.sha256, sizeBytes: Number(cp.sizeBytes) };
}

/** A stream of one of the data set's files (NOT_FOUND for a name its format does not read). */
export async function openDatasetFile(registry: Registry, datasetId: number, name: string): Promise<{ stream: Readable; size: number }> {
  const ds = await registry.datasets.get(datasetId);
  if (ds.path == null || !(await datasetFileNames(ds.format, ds.path)).includes(name)) throw new NotFoundError(`File of dataset ${datasetId}`, name);
  const path = await fileOf(registry, ds.path, name);
  const { size } = await stat(path);
  if (size > READ_BOUNDS.dataset.maxBytes) throw new NotFoundError(`File of dataset ${datasetId}`, name);
  return { stream: createReadStream(path), size };
}

/** The bytes of a live checkpoint's file (verified against its sha256 by the store). */
export async function readCheckpointBlob(registry: Registry, sha256: string): Promise<Buffer> {
  const row = await registry.prisma.checkpoint.findFirst({ where: { sha256, deletedAt: null }, select: { id: true } });
  if (!row) throw new NotFoundError('Checkpoint file', sha256);
  return registry.store.get(sha256);
}
