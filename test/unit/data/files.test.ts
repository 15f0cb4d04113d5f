// Bounded, never-blocking reads of server-side files (src/data/files.ts) and the readers on them.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import sharp from 'sharp';
import { readBytes } from '../../../src/data/bytes.js';
import { DatasetFormatError, FileAccessError } from '../../../src/data/errors.js';
import { parseDataRoots, readBoundedFile, resolveUnderRoots } from '../../../src/data/files.js';
import { encodeGreyPng, readGreyPng } from '../../../src/data/png.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spikelab-files-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('server-side files', () => {
  it('refuses devices, FIFOs and pseudo-files before reading, whatever the roots allow', async () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    // a blocking open or read of either would never return (jest's timeout would fail the test)
    await expect(readBoundedFile(fifo, { maxBytes: 1024, timeoutMs: 1000 })).rejects.toThrow(/is a FIFO, not a regular file/);
    await expect(readBoundedFile('/dev/zero', { maxBytes: 1024, timeoutMs: 1000 })).rejects.toThrow(/is a device, not a regular file/);
    await expect(resolveUnderRoots('/dev/zero', ['/dev'], 'file')).rejects.toThrow(/is a device/);
    await expect(resolveUnderRoots(fifo, [dir], 'file')).rejects.toThrow(/is a FIFO/);
    await expect(readBytes(fifo)).rejects.toThrow(DatasetFormatError);
    // /proc files claim size 0 and then deliver bytes: refused, and the error quotes none of them
    const err = await readBoundedFile('/proc/self/environ', { maxBytes: 1 << 20, timeoutMs: 1000 }).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(FileAccessError);
    expect((err as Error).message).toMatch(/grew while being read/);
    expect((err as Error).message).not.toMatch(/PATH=/);
  }, 10_000);

  it('bounds the size of a file and of what it decompresses to', async () => {
    await writeFile(join(dir, 'big'), Buffer.alloc(4096));
    await expect(readBoundedFile(join(dir, 'big'), { maxBytes: 1000, timeoutMs: 1000 })).rejects.toThrow(/is 4096 bytes; the limit for this kind of file is 1000/);
    await writeFile(join(dir, 'bomb.gz'), gzipSync(Buffer.alloc(8 << 20)));
    await expect(readBytes(join(dir, 'bomb.gz'), Infinity, { maxBytes: 1 << 20, timeoutMs: 10_000 })).rejects.toThrow(/decompresses to more than 1048576 bytes/);
    expect((await readBytes(join(dir, 'bomb.gz'), 100)).bytes.length).toBe(100);
  });

  it('resolves symlinks before checking the roots', async () => {
    await writeFile(join(dir, 'inside'), 'x');
    await symlink('/etc/hostname', join(dir, 'link-out'));
    await symlink(join(dir, 'inside'), join(dir, 'link-in'));
    expect(await resolveUnderRoots(join(dir, 'link-in'), [dir], 'file')).toBe(join(dir, 'inside'));
    await expect(resolveUnderRoots(join(dir, 'link-out'), [dir], 'file')).rejects.toThrow(/outside the data roots/);
    await expect(resolveUnderRoots(`${dir}-sibling/x`, [dir], 'file')).rejects.toThrow(/outside the data roots/);
    await expect(resolveUnderRoots(join(dir, 'missing'), [dir], 'file')).rejects.toThrow(/does not exist/);
    expect(() => parseDataRoots('relative/dir')).toThrow(/not an absolute path/);
    expect(parseDataRoots('/a: /b')).toEqual(['/a', '/b']);
  });
});

describe('PNG slices', () => {
  const px = new Uint8Array(16).map((_, i) => (i % 2) * 255);

  it('refuses 16-bit and colour label masks instead of converting them', async () => {
    const grey16 = await sharp(Buffer.from(new Uint16Array(16).fill(1).buffer), { raw: { width: 4, height: 4, channels: 1 } }).toColourspace('grey16').png().toBuffer();
    const rgb = await sharp(Buffer.from(new Uint8Array(48).fill(255)), { raw: { width: 4, height: 4, channels: 3 } }).png().toBuffer();
    await writeFile(join(dir, 'l16.png'), grey16);
    await writeFile(join(dir, 'rgb.png'), rgb);
    await writeFile(join(dir, 'ok.png'), await encodeGreyPng(4, 4, px));
    await expect(readGreyPng(join(dir, 'l16.png'), 'label')).rejects.toThrow(/16-bit grey PNG; label slices must be 8-bit/);
    await expect(readGreyPng(join(dir, 'l16.png'), 'image')).rejects.toThrow(/16-bit grey PNG; image slices must be 8-bit/);
    await expect(readGreyPng(join(dir, 'rgb.png'), 'label')).rejects.toThrow(/RGB PNG; label masks must be single-channel grey/);
    expect((await readGreyPng(join(dir, 'ok.png'), 'label')).data).toEqual(px);
    // colour images are read as their luminance (documented): white stays 255
    expect([...(await readGreyPng(join(dir, 'rgb.png'), 'image')).data]).toEqual(Array<number>(16).fill(255));
  });
});
