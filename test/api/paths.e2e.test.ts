 
// Server-side paths (issue 9): importCheckpoint(path:) and registerDataset(path:) read only regular
// files under the data roots, symlinks resolved, bounded in size and time; special files are
// refused before any read (importCheckpoint of /dev/zero grew the server to 14.8 GB, a FIFO hung it
// and four of them starved every file read); errors never quote the file; NaN weights are refused;
// a data-set directory's layout is checked at registration (/etc and /proc/self were accepted).
import { execFileSync } from 'node:child_process';
import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend } from '../../src/engine/backend/index.js';
import { exportSafetensors, parseSafetensors, writeSafetensors } from '../../src/engine/checkpoint/index.js';
import { buildModel } from '../../src/engine/zoo/index.js';
import type { ZooModelSpec } from '../../src/formats/model.js';
import { errorOf, startTestServer, type TestServer } from './harness.js';
import { writeTinyIdx } from './idx-fixture.js';
import { dataOf, TINY } from './jobs-client.js';

const IMPORT = 'mutation($i: ImportCheckpointInput!) { importCheckpoint(input: $i) { id } }';
const REGISTER = 'mutation($i: RegisterDatasetInput!) { registerDataset(input: $i) { id path } }';

describe('server-side paths', () => {
  let t: TestServer;
  let modelId: string;
  let root: string;
  beforeAll(async () => {
    await initBackend('cpu');
    t = await startTestServer();
    root = join(t.tmp.dir, 'files');
    mkdirSync(root);
    modelId = dataOf(await t.gql('mutation($i: CreateModelInput!) { createModel(input: $i) { id } }', { i: TINY.model })).createModel.id;
  });
  afterAll(() => t.stop());

  const importFrom = async (path: string, format = 'safetensors') => errorOf(await t.gql(IMPORT, { i: { modelId, format, path } }));
  const register = async (name: string, path: string, format = 'idx') => t.gql(REGISTER, { i: { name, format, path } });

  it('refuses paths outside the data roots, also through a symlink, and says the same whether they exist', async () => {
    symlinkSync('/dev/zero', join(root, 'zero.safetensors'));
    for (const path of ['/dev/zero', join(root, 'zero.safetensors'), '/etc/passwd', '/no/such/file.safetensors']) {
      const err = await importFrom(path);
      expect([path, err.code, err.message]).toEqual([path, 'BAD_USER_INPUT', expect.stringMatching(/outside the data roots/)]);
    }
    const tfjs = await importFrom('/etc/passwd', 'tfjs-layers');
    expect(tfjs.message).toMatch(/outside the data roots/);
    expect(tfjs.message).not.toMatch(/root:x/);
  });

  it('refuses FIFOs at once, and many of them leave the server answering', async () => {
    const fifos = [0, 1, 2, 3, 4, 5].map((i) => join(root, `f${i}.safetensors`));
    for (const f of fifos) execFileSync('mkfifo', [f]);
    const errors = await Promise.all(fifos.map((f) => importFrom(f)));
    for (const e of errors) expect(e.message).toMatch(/is a FIFO, not a regular file/);
    // Node's four file-I/O threads are free: a data-set registration reads files right after
    const ok = await register('after-fifos', writeTinyIdx(join(root, 'idx-after-fifos')));
    expect(dataOf(ok).registerDataset.id).toBeTruthy();
  });

  it('never quotes a file it cannot use', async () => {
    const passwd = 'root:x:0:0:root:/root:/bin/bash\n';
    writeFileSync(join(root, 'model.json'), passwd);
    const tfjs = await importFrom(join(root, 'model.json'), 'tfjs-layers');
    expect(tfjs).toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/is not JSON/) });
    expect(tfjs.message).not.toMatch(/root:x|Unexpected token/);
    const environ = 'PATH=/usr/local/bin:/usr/bin\0HOME=/root\0';
    writeFileSync(join(root, 'environ.safetensors'), environ);
    const st = await importFrom(join(root, 'environ.safetensors'));
    expect(st.message).toMatch(/header length \(the first 8 bytes\) exceeds the \d+ bytes after it/);
    expect(st.message).not.toContain(Buffer.from(environ).readBigUInt64LE(0).toString());
    const shards = join(root, 'escape');
    mkdirSync(shards);
    writeFileSync(join(shards, 'model.json'), JSON.stringify({ weightsManifest: [{ paths: ['../../../../../../etc/passwd'], weights: [] }] }));
    expect((await importFrom(join(shards, 'model.json'), 'tfjs-layers')).message).toMatch(/outside the data roots/);
  });

  it('refuses weights holding NaN or Infinity even when every name and shape fits', async () => {
    // the spec the server stored for the model (the GraphQL input also carries its name)
    const model = buildModel((await t.server.app.registry.models.get(Number(modelId))).spec as ZooModelSpec, { seed: 1 });
    const parsed = parseSafetensors(exportSafetensors(model));
    model.dispose();
    const tensors = [...parsed.tensors.values()].map((x) => ({ name: x.name, shape: x.shape, values: Float32Array.from(x.values) }));
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
      tensors[0]!.values[3] = bad;
      const base64 = Buffer.from(writeSafetensors(tensors)).toString('base64');
      const err = errorOf(await t.gql(IMPORT, { i: { modelId, format: 'safetensors', base64 } }));
      expect(err).toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringMatching(new RegExp(`'${tensors[0]!.name}' holds ${String(bad)} at element 3`)) });
    }
  });

  it('checks a data-set directory at registration: roots, layout, file types, headers', async () => {
    const expectRefused = async (name: string, path: string, pattern: RegExp, format = 'idx') => {
      const err = errorOf(await register(name, path, format));
      expect([name, err.code, err.field, err.message]).toEqual([name, 'BAD_USER_INPUT', 'path', expect.stringMatching(pattern)]);
    };
    await expectRefused('etc', '/etc', /outside the data roots/);
    await expectRefused('proc', '/proc/self', /outside the data roots/);
    const empty = join(root, 'empty');
    mkdirSync(empty);
    await expectRefused('empty', empty, /missing: a idx data set needs train-images-idx3-ubyte or train-images-idx3-ubyte\.gz/);
    await expectRefused('empty-cifar', empty, /missing: a cifar10 data set needs data_batch_1\.bin/, 'cifar10');
    await expectRefused('empty-png', empty, /missing: a lucchi-png data set needs train\/images/, 'lucchi-png');
    const fifo = writeTinyIdx(join(root, 'idx-fifo'));
    execFileSync('rm', [join(fifo, 'train-labels-idx1-ubyte')]);
    execFileSync('mkfifo', [join(fifo, 'train-labels-idx1-ubyte')]);
    await expectRefused('fifo', fifo, /train-labels-idx1-ubyte is a FIFO/);
    const escape = writeTinyIdx(join(root, 'idx-escape'));
    execFileSync('rm', [join(escape, 't10k-images-idx3-ubyte')]);
    symlinkSync('/etc/passwd', join(escape, 't10k-images-idx3-ubyte'));
    await expectRefused('escape', escape, /outside the data roots/);
    const garbage = writeTinyIdx(join(root, 'idx-garbage'));
    writeFileSync(join(garbage, 'train-images-idx3-ubyte'), 'root:x:0:0:root:/root:/bin/bash\n');
    await expectRefused('garbage', garbage, /bad IDX magic number/);
    expect((await register('garbage', garbage)).errors?.[0]?.message).not.toMatch(/root:x/);
    // a good one, through a symlinked directory: the real path is stored
    const real = writeTinyIdx(join(root, 'idx-real'));
    symlinkSync(real, join(root, 'idx-link'));
    expect(dataOf(await register('tiny', join(root, 'idx-link'))).registerDataset.path).toBe(realpathSync(real));
  });
});
