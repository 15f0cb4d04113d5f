// Reading a data-set file's leading bytes, gunzipping on the fly, without holding more than needed.
// Files are opened through openRegularFile (regular files only, size-bounded, never blocking) and
// every read is bounded in time and in decompressed bytes (READ_BOUNDS.dataset).
import { createGunzip } from 'node:zlib';
import { DatasetFormatError, FileAccessError } from './errors.js';
import { READ_BOUNDS, deadline, openRegularFile, readBoundedFile, type ReadBounds } from './files.js';

/** True when the first two bytes are the gzip magic 1f 8b. */
export function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/**
 * Streams `file` (gunzipped when it starts with the gzip magic) and returns at most `maxBytes`
 * bytes; the stream stops as soon as that many arrived, so a cap on samples caps the reading.
 * `complete` is true when the whole (decompressed) file was read. A file that decompresses past
 * `bounds.maxBytes` or takes longer than `bounds.timeoutMs` is refused.
 */
export async function readBytes(
  file: string,
  maxBytes = Number.POSITIVE_INFINITY,
  bounds: ReadBounds = READ_BOUNDS.dataset,
): Promise<{ bytes: Uint8Array; complete: boolean }> {
  let opened: Awaited<ReturnType<typeof openRegularFile>>;
  try {
    opened = await openRegularFile(file, bounds.maxBytes);
  } catch (e) {
    if (e instanceof FileAccessError) throw new DatasetFormatError(file, e.problem === 'does not exist' ? 'file not found' : e.problem);
    throw e;
  }
  const { handle } = opened;
  const clock = deadline(file, bounds.timeoutMs);
  const head = Buffer.alloc(2);
  const gz = isGzip(head.subarray(0, (await handle.read(head, 0, 2, 0)).bytesRead));
  const source = handle.createReadStream({ start: 0, autoClose: false });
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
      if (got > bounds.maxBytes) throw new DatasetFormatError(file, `decompresses to more than ${bounds.maxBytes} bytes (the limit for a data-set file)`);
      clock.check();
    }
  } catch (e) {
    if (e instanceof DatasetFormatError) throw e;
    if (e instanceof FileAccessError) throw new DatasetFormatError(file, e.problem);
    throw new DatasetFormatError(file, gz ? 'cannot be decompressed (corrupt gzip?)' : 'cannot be read');
  } finally {
    source.destroy();
    if (stream !== source) stream.destroy();
    await handle.close().catch(() => undefined);
  }
  const all = Buffer.concat(chunks, got);
  const bytes = new Uint8Array(all.buffer, all.byteOffset, Math.min(got, maxBytes));
  return { bytes, complete };
}

/** A whole data-set file through the same bounds (TIFF stacks, PNG slices, text files). */
export async function readDatasetFile(file: string, bounds: ReadBounds = READ_BOUNDS.dataset): Promise<Buffer> {
  try {
    return await readBoundedFile(file, bounds);
  } catch (e) {
    if (e instanceof FileAccessError) throw new DatasetFormatError(file, e.problem === 'does not exist' ? 'file not found' : e.problem);
    throw e;
  }
}
