import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { StoreIntegrityError } from '../../src/registry/errors.js';
import { ModelStore, sha256Hex } from '../../src/registry/store.js';
import { makeTempDirs, type TempDirs } from '../api/harness.js';

describe('content-addressed model store', () => {
  let tmp: TempDirs;
  let store: ModelStore;
  beforeEach(async () => {
    tmp = makeTempDirs();
    store = new ModelStore(tmp.storeDir);
    await store.init();
  });
  afterEach(() => tmp.cleanup());

  it('stores identical content once and names it by sha256', async () => {
    const bytes = Buffer.from('weights'.repeat(1000));
    const a = await store.put(bytes);
    const b = await store.put(Buffer.from(bytes));
    expect(a).toEqual({ sha256: sha256Hex(bytes), sizeBytes: bytes.length, created: true });
    expect(b.created).toBe(false);
    expect(await store.list()).toEqual([a.sha256]);
    expect((await store.get(a.sha256)).equals(bytes)).toBe(true);
  });

  it('detects corruption on read and never returns the bad bytes', async () => {
    const { sha256 } = await store.put(Buffer.from('good weights'));
    writeFileSync(store.pathOf(sha256), 'flipped bits');
    await expect(store.get(sha256)).rejects.toBeInstanceOf(StoreIntegrityError);
    // storing the good content again repairs the file
    await store.put(Buffer.from('good weights'));
    expect((await store.get(sha256)).toString()).toBe('good weights');
  });

  it('ignores and cleans a temp file left by a writer killed mid-write', async () => {
    // a real crash: a child process starts writing 64 MiB and is SIGKILLed once its temp file exists
    const storeModule = pathToFileURL(join(import.meta.dirname, '../../src/registry/store.js')).href;
    const script = `const { ModelStore } = await import(${JSON.stringify(storeModule)});
      const s = new ModelStore(${JSON.stringify(tmp.storeDir)}); await s.init();
      await s.put(Buffer.alloc(64 * 1024 * 1024, 7));`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'ignore' });
    const tmpDir = join(tmp.storeDir, '.tmp');
    for (let i = 0; i < 400 && readdirSync(tmpDir).length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    // whatever the kill interrupted, no file is visible under a name its content does not match
    for (const sha of await store.list()) expect(sha256Hex(await store.get(sha))).toBe(sha);

    // plus a leftover from a process that no longer exists, with a partial payload
    writeFileSync(join(tmpDir, '999999999-deadbeef.part'), 'partial');
    expect(readdirSync(tmpDir).length).toBeGreaterThan(0);
    const reopened = new ModelStore(tmp.storeDir);
    await reopened.init();
    expect(readdirSync(tmpDir)).toEqual([]);
    expect((await reopened.list()).every((sha) => !sha.includes('part'))).toBe(true);
  });

  it('garbage-collects only unreferenced, unpinned files', async () => {
    const kept = await store.put(Buffer.from('referenced'));
    const orphan = await store.put(Buffer.from('orphan'));
    const inFlight = await store.put(Buffer.from('being recorded')); // still pinned by put()
    store.unpin(kept.sha256);
    store.unpin(orphan.sha256);
    mkdirSync(join(tmp.storeDir, 'zz'), { recursive: true });
    writeFileSync(join(tmp.storeDir, 'zz', 'not-a-sha'), 'foreign file');

    const young = await store.gc(new Set([kept.sha256]));
    expect(young.deleted).toEqual([]); // younger than the default minimum age
    const result = await store.gc(new Set([kept.sha256]), 0);
    expect(result.deleted).toEqual([orphan.sha256]);
    expect(existsSync(store.pathOf(kept.sha256))).toBe(true);
    expect(existsSync(store.pathOf(inFlight.sha256))).toBe(true);
    expect(existsSync(store.pathOf(orphan.sha256))).toBe(false);
    expect(statSync(join(tmp.storeDir, 'zz', 'not-a-sha')).isFile()).toBe(true);
  });

  it('rejects names that are not sha256', () => {
    expect(() => store.pathOf('../../etc/passwd')).toThrow(/not a lowercase hex sha256/);
  });
});
