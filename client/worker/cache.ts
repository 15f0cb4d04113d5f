// A worker's input cache: every downloaded file is stored once, named by its sha256, after its bytes
// were hashed on the way in and matched the sha256 the server named (a mismatch keeps nothing and
// fails the job). A data set becomes a directory of hard links to its files' blobs, so that the
// readers of src/data see the layout the server has. Writes go to a temporary name, then rename.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { link, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, normalize, sep } from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { pipeline } from 'node:stream/promises';
import type { RemoteDataset, RemoteFile } from '../../src/formats/worker.js';
import { SpikelabError } from '../api/errors.js';

export type Fetch = (path: string) => Promise<ReadableStream<Uint8Array>>;

export class InputCache {
  /** Downloads of one sha256 in flight, shared by concurrent jobs. */
  private readonly inFlight = new Map<string, Promise<string>>();
  /** Bytes downloaded (not found in the cache) since start, for logs and tests. */
  downloadedBytes = 0;

  constructor(
    readonly root: string,
    private readonly fetchFile: Fetch,
  ) {}

  blobPath(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new SpikelabError(`bad sha256 "${sha256}"`, 'BAD_USER_INPUT');
    return join(this.root, 'blobs', sha256.slice(0, 2), sha256);
  }

  /** The blob's path, downloaded from `path` first unless cached; its hash is verified. */
  blob(sha256: string, path: string): Promise<string> {
    const final = this.blobPath(sha256);
    if (existsSync(final)) return Promise.resolve(final);
    let p = this.inFlight.get(sha256);
    if (!p) {
      p = this.download(sha256, path, final).finally(() => this.inFlight.delete(sha256));
      this.inFlight.set(sha256, p);
    }
    return p;
  }

  private async download(sha256: string, path: string, final: string): Promise<string> {
    await mkdir(dirname(final), { recursive: true });
    const tmp = `${final}.${process.pid}-${randomBytes(6).toString('hex')}.part`;
    const hash = createHash('sha256');
    let bytes = 0;
    try {
      const body = Readable.fromWeb((await this.fetchFile(path)) as NodeReadableStream<Uint8Array>);
      body.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        bytes += chunk.length;
      });
      await pipeline(body, createWriteStream(tmp, { flags: 'wx' }));
      const got = hash.digest('hex');
      if (got !== sha256) throw new SpikelabError(`downloaded ${path} hashes to ${got}, not ${sha256}: not used`, 'STORE_CORRUPTED');
      await rename(tmp, final);
      this.downloadedBytes += bytes;
      return final;
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  /** A checkpoint's weights (from GET /worker/blobs/<sha256>). */
  async checkpoint(sha256: string): Promise<Uint8Array> {
    return new Uint8Array(await readFile(await this.blob(sha256, `/worker/blobs/${sha256}`)));
  }

  /** A local directory holding the data set's files (hard links to verified blobs); undefined for synthetic sets. */
  async dataset(ds: RemoteDataset): Promise<string | undefined> {
    if (ds.files.length === 0) return undefined;
    const id = createHash('sha256').update(JSON.stringify(ds.files.map((f) => [f.name, f.sha256]))).digest('hex').slice(0, 32);
    const dir = join(this.root, 'datasets', id);
    const done = join(dir, '.complete');
    if (existsSync(done)) return dir;
    for (const f of ds.files) await this.placeFile(dir, f, await this.blob(f.sha256, `/worker/datasets/${ds.id}/file?name=${encodeURIComponent(f.name)}`));
    await writeFile(done, '');
    return dir;
  }

  private async placeFile(dir: string, f: RemoteFile, blob: string): Promise<void> {
    const target = normalize(join(dir, f.name));
    if (!target.startsWith(dir + sep)) throw new SpikelabError(`data set file name "${f.name}" leaves its directory`, 'BAD_USER_INPUT');
    await mkdir(dirname(target), { recursive: true });
    await rm(target, { force: true });
    await link(blob, target);
  }
}
