// Reading a file's leading bytes, gunzipping on the fly, without holding more than needed.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { DatasetFormatError } from './errors.js';

/** True when the first two bytes are the gzip magic 1f 8b. */
export function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

async function readHead(file: string, n: number): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let got = 0;
  for await (const c of createReadStream(file, { start: 0, end: n - 1 })) {
    chunks.push(c as Buffer);
    got += (c as Buffer).length;
  }
  return new Uint8Array(Buffer.concat(chunks, got));
}

/**
 * Streams `file` (gunzipped when it starts with the gzip magic) and returns at most `maxBytes`
 * bytes; the stream stops as soon as that many arrived, so a cap on samples caps the reading.
 * `total` is true when the whole (decompressed) file was read.
 */
export async function readBytes(
  file: string,
  maxBytes = Number.POSITIVE_INFINITY,
): Promise<{ bytes: Uint8Array; complete: boolean }> {
  try {
    await stat(file);
  } catch {
    throw new DatasetFormatError(file, 'file not found');
  }
  const gz = isGzip(await readHead(file, 2));
  const source = createReadStream(file);
  const stream = gz ? source.pipe(createGunzip()) : source;
  const chunks: Buffer[] = [];
  let got = 0;
  let complete = true;
  try {
    for await (const c of stream) {
      const buf = c as Buffer;
      chunks.push(buf);
      got += buf.length;
      if (got > maxBytes) {
        complete = false;
        break;
      }
    }
  } catch (e) {
    throw new DatasetFormatError(file, `cannot read${gz ? ' (corrupt gzip?)' : ''}: ${(e as Error).message}`);
  } finally {
    source.destroy();
    if (stream !== source) stream.destroy();
  }
  const all = Buffer.concat(chunks, got);
  const bytes = new Uint8Array(all.buffer, all.byteOffset, Math.min(got, maxBytes));
  return { bytes, complete };
}
