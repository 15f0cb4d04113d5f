// `spikelab model import` and `spikelab export` (the real bin) against a live server, and the client
// library's ONNX upload above its streaming threshold: PyTorch ONNX files in, converted, the SNN and
// ANN out as files that onnxruntime-node loads. Refusals exit 1 with the server's message; bad usage
// exits 2; a failed download leaves no file behind.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { PROJECT_ROOT } from '../../src/registry/paths.js';
import { spikelab } from './cli-run.js';
import { startLiveServer, type LiveServer } from './harness.js';

const ONNX = (name: string): string => join(PROJECT_ROOT, 'test', 'fixtures', 'onnx', `${name}.onnx`);

describe('spikelab model import / export', () => {
  let ls: LiveServer;
  let cli: (...args: string[]) => ReturnType<typeof spikelab>;
  const leftovers = (): string[] => readdirSync(ls.dir).filter((f) => f.endsWith('.part'));

  beforeAll(async () => {
    ls = await startLiveServer();
    cli = (...args) => spikelab(args, { SPIKELAB_URL: ls.base });
    await ls.client.registerDataset({ name: 'synth28', format: 'synthetic-classification', options: { size: 28, numClasses: 10, trainCount: 32, testCount: 24, seed: 3 } });
  });
  afterAll(() => ls.stop());

  test('both commands answer --help', async () => {
    for (const c of [['model', 'import'], ['export']]) {
      const r = await cli(...c, '--help');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: spikelab ${c.join(' ')}`);
    }
  });

  test('model import uploads a PyTorch file; its last line is `checkpoint <id>`', async () => {
    const r = await cli('model', 'import', 'fm-vgg', ONNX('fmnist_vgg'), '--alias', 'best', '--description', 'trained 2 epochs');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.at(-1)).toMatch(/^checkpoint \d+$/);
    expect(lines[0]).toMatch(/imported model fm-vgg \(id \d+\): onnx, plain, input 28×28×1, 10 classes, 32058 parameters, 4644416 MACs/);
    const [m] = await ls.client.models('fm-vgg');
    expect(m).toMatchObject({ architecture: 'onnx', family: 'plain', pretraining: 'imported' });
    const onServer = await cli('model', 'import', 'fm-res', ONNX('fmnist_resnet'), '--on-server', '--pretraining', 'supervised');
    expect(onServer.code).toBe(0);
    expect(onServer.stdout.trim().split('\n').at(-1)).toMatch(/^checkpoint \d+$/);
  });

  test('symbolic sizes need --input-shape; refused files exit 1 naming the problem', async () => {
    const dyn = await cli('model', 'import', 'unet-dyn', ONNX('unet_o13_dynhw'));
    expect(dyn.code).toBe(1);
    expect(dyn.stderr).toMatch(/leaves H symbolic \('height'\); give inputShape \[height, width, channels\] \[BAD_USER_INPUT\]/);
    expect((await cli('model', 'import', 'unet-dyn', ONNX('unet_o13_dynhw'), '--input-shape', '32x32x1')).code).toBe(0);
    const leaky = await cli('model', 'import', 'leaky', ONNX('unsupported_leaky'));
    expect(leaky.code).toBe(1);
    expect(leaky.stderr).toMatch(/cannot import ONNX node '\/LeakyRelu' \(LeakyRelu\).*Supported operations:.*\[BAD_USER_INPUT\]/);
    const missing = await cli('model', 'import', 'nothing', join(ls.dir, 'no-such.onnx'));
    expect(missing.code).toBe(1);
    expect((await cli('model', 'import', 'bad', ONNX('vgg_o13'), '--input-shape', '11x11')).code).toBe(2);
    expect((await ls.client.models()).map((m) => m.name).sort()).toEqual(['fm-res', 'fm-vgg', 'unet-dyn']);
    const train = await cli('train', 'fm-vgg', '--dataset', 'synth28', '--epochs', '1');
    expect(train.code).toBe(1);
    expect(train.stderr).toMatch(/imported from an ONNX file.*not trained here.*\[BAD_USER_INPUT\]/);
  });

  test('convert, then export the SNN (states as inputs) and the ANN to files ONNX Runtime loads', async () => {
    const conv = await cli('convert', 'fm-vgg:best', '--dataset', 'synth28', '-T', '8', '--batch-size', '12', '--backend', 'cpu', '--json');
    expect(conv.code).toBe(0);
    const run = JSON.parse(conv.stdout) as { id: string; status: string; snnOnnxUrl: string; checkpoint: { model: { architecture: string } } };
    expect(run).toMatchObject({ status: 'SUCCEEDED', checkpoint: { model: { architecture: 'onnx' } } });

    const snnFile = join(ls.dir, 'snn.onnx');
    const snn = await cli('export', run.id, '--out', snnFile);
    expect(snn.code).toBe(0);
    expect(snn.stdout).toMatch(new RegExp(`wrote .*snn\\.onnx \\(\\d+ bytes\\): the SNN of conversion run ${run.id}`));
    const session = await ort.InferenceSession.create(snnFile);
    expect(session.inputNames[0]).toBe('input');
    expect(session.inputNames.filter((n) => n.startsWith('state:')).length).toBeGreaterThanOrEqual(4);
    expect(session.outputNames).toContain('output:8');
    await session.release();

    const annFile = join(ls.dir, 'ann.onnx');
    const ann = await cli('export', '--checkpoint', 'fm-vgg:best', '--out', annFile);
    expect(ann.code).toBe(0);
    const annSession = await ort.InferenceSession.create(annFile);
    expect([annSession.inputNames, annSession.outputNames]).toEqual([['input'], ['output']]);
    await annSession.release();
    expect(leftovers()).toEqual([]);
  });

  test('export refuses bad usage (exit 2) and missing runs (exit 1), leaving no file', async () => {
    expect((await cli('export', '--out', join(ls.dir, 'x.onnx'))).code).toBe(2);
    expect((await cli('export', '1', '--checkpoint', 'fm-vgg', '--out', join(ls.dir, 'x.onnx'))).code).toBe(2);
    expect((await cli('export', '1')).code).toBe(2);
    const missing = await cli('export', '424242', '--out', join(ls.dir, 'x.onnx'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/ConversionRun 424242 not found \[NOT_FOUND\]/);
    const noCheckpoint = await cli('export', '--checkpoint', '424242', '--out', join(ls.dir, 'x.onnx'));
    expect(noCheckpoint.code).toBe(1);
    expect(existsSync(join(ls.dir, 'x.onnx'))).toBe(false);
    expect(leftovers()).toEqual([]);
  });

  test('the client streams a file above its threshold to PUT /uploads', async () => {
    const cp = await ls.client.uploadOnnxModel('vgg-streamed', ONNX('vgg_o13'), { streamAbove: 1024, aliases: ['v1'] });
    expect(cp).toMatchObject({ format: 'onnx', aliases: ['v1'], model: { name: 'vgg-streamed', architecture: 'onnx', inputShape: [11, 11, 3], numClasses: 5 } });
  });
});
