// The CLI: help on every command, exit codes on bad usage, and real commands against a live server.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { CompareMatrix } from '../../src/formats/compare.js';
import { TOKEN_ROLES } from '../../src/registry/vocab.js';
import { BIN, spikelab } from './cli-run.js';
import { seed, seedSegmentation, startLiveServer, type LiveServer, TINY_DATASET } from './harness.js';

const COMMANDS = ['serve', 'dataset add', 'dataset list', 'model create', 'model list', 'train', 'import', 'convert', 'sweep', 'sweeps list', 'sweeps show', 'sweeps cancel', 'jobs list', 'jobs show', 'jobs wait', 'jobs cancel', 'compare', 'report', 'token create', 'token list', 'token revoke'];

describe('spikelab CLI without a server', () => {
  test('--help lists every command', async () => {
    const r = await spikelab(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['serve', 'dataset', 'model', 'train', 'import', 'convert', 'sweep', 'sweeps', 'jobs', 'compare', 'report', 'token']) expect(r.stdout).toMatch(new RegExp(`^  ${c}\\b`, 'm'));
  });

  test('every command answers --help with exit 0', async () => {
    for (const c of COMMANDS) {
      const r = await spikelab([...c.split(' '), '--help']);
      expect({ c, code: r.code }).toEqual({ c, code: 0 });
      expect(r.stdout).toContain(`Usage: spikelab ${c}`);
    }
  });

  test('token create offers every role of the one vocabulary (worker included)', async () => {
    const r = await spikelab(['token', 'create', '--help']);
    for (const role of TOKEN_ROLES) expect({ role, offered: r.stdout.includes(`"${role}"`) }).toEqual({ role, offered: true });
  });

  test('bad usage exits 2 with a message', async () => {
    const cases: [string[], RegExp][] = [
      [['convert', '1', '--dataset', 'd', '--definitely-not-a-flag'], /unknown option '--definitely-not-a-flag'/],
      [['convert', '--definitely-not-a-flag'], /error:/],
      [['train', 'm', '--dataset', 'd', '--epochs', 'abc'], /must be an integer in 1\.\.10000, got "abc"/],
      [['convert', '1', '--dataset', 'd', '--gamma', '1025'], /must be an integer in 1\.\.1024, got "1025"/],
      [['convert', '1', '--dataset', 'd', '--percentile', '0'], /must be a number in \(0, 1\], got "0"/],
      [['--server', 'ftp://x', 'jobs'], /expected an http\(s\) URL/],
      [['serve', '--port', 'http'], /port: "http" is not a TCP port/],
      [['convert', '1', '--dataset', 'd', '--max-pool', 'avg'], /Allowed choices are lipool, gate/],
      [['convert', '1', '--dataset', 'd', '-T', '0'], /1\.\.4096/],
      [['model', 'create', 'm', '--architecture', 'vgg11', '--input-shape', '28x28', '--classes', '10'], /expected HxWxC/],
      [['compare', '--json', '--csv'], /cannot be used with/],
      [['sweep', 'm', '--dataset', 'd', '--gamma', '1,0'], /each value must be an integer in 1\.\.1024, got "0"/],
      [['sweep', 'm', '--dataset', 'd', '--percentile', '0.99,0.99'], /0\.99 is listed twice/],
      [['sweep', 'm', '--dataset', 'd', '--max-pool', 'lipool,avg'], /each value must be one of lipool, gate, got "avg"/],
      [['sweep', 'm', '--dataset', 'd', '-T', '16,5000'], /1\.\.4096/],
      [['sweep', '--dataset', 'd'], /missing required argument/],
      [['compare', '--axis', 'gamma'], /--axis and --step pivot a sweep/],
      [['compare', '--sweep', '1', '--axis', 'gama'], /Allowed choices are timeSteps/],
      [['no-such-command'], /unknown command/],
      [['jobs', 'show'], /missing required argument/],
    ];
    for (const [args, message] of cases) {
      const r = await spikelab(args);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).toMatch(message);
    }
  });

  test('serve starts the server with the dashboard on a fresh database and stops cleanly on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spikelab-serve-'));
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--host', '127.0.0.1', '--database-url', `file:${join(dir, 's.db')}`, '--store', join(dir, 'store')], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      const base = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /Spikelab at (http:\/\/\S+?)\/ /.exec(out);
          if (m) resolve(m[1]!);
        });
        child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)));
      });
      const page = await fetch(`${base}/`);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('/vendor/vega-lite.min.js');
      expect(html).not.toMatch(/https?:\/\//);
      expect((await fetch(`${base}/vendor/vega.min.js`)).status).toBe(200);
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an unreachable server exits 1 naming it', async () => {
    const r = await spikelab(['jobs'], { SPIKELAB_URL: 'http://127.0.0.1:9' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot reach Spikelab server at http:\/\/127\.0\.0\.1:9.*\[CONNECTION_FAILED\]/);
  });
});

describe('spikelab CLI against a live server', () => {
  let live: LiveServer;
  let env: Record<string, string>;

  beforeAll(async () => {
    live = await startLiveServer();
    await seed(live.client);
    env = { SPIKELAB_URL: live.base };
  });
  afterAll(async () => live?.stop());

  test('compare prints an aligned table, JSON and CSV', async () => {
    const table = await spikelab(['compare', '--steps', '1,4,16'], env);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    const header = lines.find((l) => l.startsWith('run'))!;
    expect(header).toMatch(/backbone.*ANN\s+t=1\s+t=4\s+t=16\s+loss@T/);
    const rows = lines.filter((l) => /tiny/.test(l));
    expect(rows).toHaveLength(2);
    // aligned: the ANN column starts at the same offset on every line
    const col = header.indexOf('    ANN');
    for (const r of rows) expect(r.slice(col, col + 7)).toMatch(/^\s*[01]\.\d{4}$/);
    const json = await spikelab(['compare', '--json', '--dataset', 'synth'], env);
    const m = JSON.parse(json.stdout) as CompareMatrix;
    expect(m.rows.map((r) => r.backbone).sort()).toEqual(['plain-tiny', 'residual-tiny']);
    const csv = await spikelab(['--server', live.base, 'compare', '--csv', '--steps', '2,8'], { SPIKELAB_URL: 'http://127.0.0.1:9' });
    expect(csv.code).toBe(0);
    expect(csv.stdout.split('\n')[0]).toBe('run,backbone,arch,family,params,dataset,T,ANN,t=2,t=8,loss@T,first≤1%,SOPs,E_SNN/E_ANN');
  });

  test('report writes PNG figures that decode at the printed size', async () => {
    const out = join(live.dir, 'figures');
    const r = await spikelab(['report', '--out', out, '--scale', '1'], env);
    expect(r.code).toBe(0);
    const written = [...r.stdout.matchAll(/wrote (\S+\.png) \((\d+)×(\d+)\)/g)];
    expect(written.map((w) => w[1]!.split('/').pop())).toEqual(['synth-accuracy-vs-step.png', 'synth-accuracy-ann-vs-snn.png']);
    for (const [, path, w, h] of written) {
      const meta = await sharp(readFileSync(path!)).metadata();
      expect(meta.format).toBe('png');
      expect([meta.width, meta.height]).toEqual([Number(w), Number(h)]);
    }
    // step curve: 560×320 plot area plus axes, title and legend at scale 1
    const curve = await sharp(written[0]![1]).metadata();
    expect(curve.width).toBeGreaterThan(560);
    expect(curve.width).toBeLessThan(800);
    expect(curve.height).toBeGreaterThan(320);
  });

  test('report draws segmentation panels (image | label | ANN | SNN) for a segmentation run', async () => {
    const run = await seedSegmentation(live.client);
    const out = join(live.dir, 'seg-figures');
    const r = await spikelab(['report', '--run', run.id, '--out', out, '--samples', '2'], env);
    expect(r.code).toBe(0);
    const panels = /wrote (\S+-panels\.png) \((\d+)×(\d+)\)/.exec(r.stdout);
    expect(panels).not.toBeNull();
    const meta = await sharp(panels![1]).metadata();
    // 4 columns of 160 px + gaps; a 28 px header and 2 rows of 160 px + gaps
    expect([meta.width, meta.height]).toEqual([4 * 160 + 5 * 8, 28 + 2 * (160 + 8) + 8]);
    const none = await spikelab(['report', '--run', run.id, '--out', join(live.dir, 'no-panels'), '--no-panels'], env);
    expect(none.stdout).not.toMatch(/panels\.png/);
  });

  test('dataset add / model create / train / convert, with progress bars and off-switches', async () => {
    expect((await spikelab(['dataset', 'add', 'synth', '--format', 'synthetic-classification'], env)).code).toBe(1);
    const ds = await spikelab(['dataset', 'add', 'cli-synth', '--format', 'synthetic-classification', ...Object.entries(TINY_DATASET.options).flatMap(([k, v]) => ['--option', `${k}=${v}`])], env);
    expect(ds.stdout).toMatch(/registered data set cli-synth/);
    const m = await spikelab(['model', 'create', 'cli-cnn', '--architecture', 'cnn-small', '--input-shape', '8x8x1', '--classes', '3', '--width', '0.25'], env);
    expect(m.code).toBe(0);
    const tr = await spikelab(['train', 'cli-cnn', '--dataset', 'cli-synth', '--epochs', '1', '--batch-size', '16', '--no-augment'], env);
    expect(tr.code).toBe(0);
    expect(tr.stderr).toMatch(/train cli-cnn .*100%/);
    expect(tr.stderr).toMatch(/train cli-cnn done in/);
    expect(tr.stdout).toMatch(/training run \d+: SUCCEEDED/);
    const off = await spikelab(['convert', 'cli-cnn', '--dataset', 'cli-synth', '-T', '4', '--no-channel-wise', '--gate', '--no-wait', '--json'], env);
    expect(JSON.parse(off.stdout)).toMatchObject({ channelWise: false, maxPool: 'gate', timeSteps: 4, status: 'QUEUED' });
    const on = await spikelab(['convert', 'cli-cnn', '--dataset', 'cli-synth', '-T', '4', '--channel-wise', '--max-pool', 'lipool', '--json'], env);
    expect(on.code).toBe(0);
    expect(JSON.parse(on.stdout)).toMatchObject({ channelWise: true, maxPool: 'lipool', status: 'SUCCEEDED' });
    const early = await spikelab(['convert', 'cli-cnn', '--dataset', 'cli-synth', '-T', '4', '--calibration-clip', 'gamma', '--early-exit-patience', '2'], env);
    expect(early.code).toBe(0);
    expect(early.stdout).toMatch(/early exit \(patience 2\): accuracy \d\.\d{4}, mean [234]\.\d\d steps, \d+\/\d+ met a rule by T, SOPs\/sample /);
    const jobs = await spikelab(['jobs'], env);
    expect(jobs.stdout).toMatch(/^job\s+kind\s+status\s+progress/m);
    // newest first by default (the server orders: past any page size the newest are never missed)
    const ids = (out: string): number[] => [...out.matchAll(/^(\d+)\s+(training|conversion)\s/gm)].map((m) => Number(m[1]));
    const newest = ids(jobs.stdout);
    expect(newest.length).toBeGreaterThanOrEqual(3);
    expect(newest).toEqual([...newest].sort((a, b) => b - a));
    expect(ids((await spikelab(['jobs', '--order', 'oldest'], env)).stdout)).toEqual([...newest].reverse());
    expect(ids((await spikelab(['jobs', '--limit', '1'], env)).stdout)).toEqual([newest[0]]);
    const models = (await spikelab(['model', 'list'], env)).stdout.split('\n').filter((l) => /^\d+\s/.test(l)).map((l) => l.split(/\s+/)[1]);
    expect(models[0]).toBe('cli-cnn');
    expect((await spikelab(['jobs', 'show', '999999'], env)).stderr).toMatch(/\[NOT_FOUND\]/);
  });

  test('import uploads a local safetensors checkpoint and names the first mismatching tensor otherwise', async () => {
    const fixture = (f: string): string => join(process.cwd(), 'test/fixtures/torch', f);
    expect((await spikelab(['model', 'create', 'torch-cnn', '--architecture', 'cnn-small', '--input-shape', '12x12x1', '--classes', '3', '--width', '0.125', '--batch-norm'], env)).code).toBe(0);
    const ok = await spikelab(['import', 'torch-cnn', fixture('cnn_small.safetensors'), '--alias', 'paper', '--json'], env);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ format: 'safetensors', aliases: ['paper'] });
    const bad = await spikelab(['import', 'torch-cnn', fixture('resnet18_torchpad.safetensors')], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/conv1\.weight.*\[BAD_USER_INPUT\]/);
  });

  test('token create writes a token; the server then wants it', async () => {
    const { databaseUrl } = live;
    // exactly as the acceptance checks call it: the database from DATABASE_URL, the secret from the JSON
    const t = await spikelab(['token', 'create', 'ci', '--role', 'reader', '--json'], { DATABASE_URL: databaseUrl });
    expect({ code: t.code, stderr: t.stderr }).toEqual({ code: 0, stderr: '' });
    const { secret, role } = JSON.parse(t.stdout) as { secret: string; role: string };
    expect(role).toBe('reader');
    await new Promise((r) => setTimeout(r, 2100)); // the server caches "any token?" for 2 s
    const denied = await spikelab(['dataset', 'list'], env);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/UNAUTHENTICATED/);
    const allowed = await spikelab(['dataset', 'list', '--token', secret], env);
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toMatch(/synthetic-classification/);
    const reader = await spikelab(['model', 'create', 'x', '--architecture', 'cnn-small', '--input-shape', '8x8x1', '--classes', '3'], { ...env, SPIKELAB_TOKEN: secret });
    expect(reader.stderr).toMatch(/FORBIDDEN/);
    const list = await spikelab(['token', 'list', '--database-url', databaseUrl]);
    expect(list.stdout).toMatch(/^\s*1\s+ci\s+reader\s+active/m);
    expect(list.stdout).not.toContain(secret);
    expect((await spikelab(['token', 'revoke', '1', '--database-url', databaseUrl])).stdout).toMatch(/token 1 "ci" revoked/);
  });
});
