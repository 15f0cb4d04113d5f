// The layers of src/ and the one direction of their imports (README, "How the code is laid out"):
//   formats ← data ← engine ← registry ← jobs ← graphql ← app/server (and dashboard, config, tools)
// A module may import its own layer or a lower one, never a higher one. The client library imports
// only types from the server side (values from src/formats, the shared tables, are allowed). And the
// server's main thread never loads a compute library: TensorFlow.js and ONNX Runtime run in
// worker threads only.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../src/registry/paths.js';

const LAYERS: Record<string, number> = { formats: 0, data: 1, engine: 2, registry: 3, jobs: 4, graphql: 5, top: 6, dashboard: 6, tools: 7 };
const COMPUTE = /^(@tensorflow\/|onnxruntime|webgpu$)/;

function filesUnder(dir: string, ext: RegExp): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'generated' ? [] : filesUnder(path, ext);
    return ext.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every import of a source file: specifier, and whether it is type-only or dynamic. */
function importsOf(source: string): { spec: string; typeOnly: boolean; dynamic: boolean }[] {
  const out: { spec: string; typeOnly: boolean; dynamic: boolean }[] = [];
  for (const m of source.matchAll(/^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm)) out.push({ spec: m[3]!, typeOnly: m[2] !== undefined, dynamic: false });
  for (const m of source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push({ spec: m[1]!, typeOnly: false, dynamic: true });
  return out;
}

function layerOf(file: string): string {
  const rel = relative(join(PROJECT_ROOT, 'src'), file).split(sep);
  return rel.length === 1 ? 'top' : rel[0]!;
}

describe('import direction', () => {
  const src = join(PROJECT_ROOT, 'src');

  it('no layer of src/ imports a higher one; formats imports nothing of ours', () => {
    const wrong: string[] = [];
    for (const file of filesUnder(src, /\.ts$/)) {
      const from = layerOf(file);
      for (const { spec } of importsOf(readFileSync(file, 'utf8'))) {
        if (!spec.startsWith('.')) continue;
        const target = resolve(dirname(file), spec);
        const to = target.startsWith(join(src, 'generated')) ? 'generated' : layerOf(target);
        const ok = to === 'generated' ? from === 'registry' : from === 'formats' ? to === 'formats' : (LAYERS[to] ?? 99) <= (LAYERS[from] ?? -1);
        if (!ok) wrong.push(`${relative(PROJECT_ROOT, file)} (${from}) imports ${spec} (${to})`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('the client library, reports and dashboard import only types from the server side (and the shared tables of src/formats)', () => {
    const wrong: string[] = [];
    // client/cli is also the server's command line (spikelab serve, token): it may run server code
    const library = ['api', 'report', 'dashboard'].flatMap((d) => filesUnder(join(PROJECT_ROOT, 'client', d), /\.ts$/));
    for (const file of [...library, join(PROJECT_ROOT, 'client', 'index.ts')]) {
      for (const { spec, typeOnly } of importsOf(readFileSync(file, 'utf8'))) {
        const target = spec.startsWith('.') ? resolve(dirname(file), spec) : '';
        if (!target.startsWith(src + sep) || typeOnly || target.startsWith(join(src, 'formats') + sep)) continue;
        wrong.push(`${relative(PROJECT_ROOT, file)} imports ${spec}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('would catch a lower layer importing a higher one', () => {
    const probe = importsOf("import { x } from '../graphql/context.js';\nimport type { Y } from '../jobs/events.js';\nconst z = await import('../registry/registry.js');");
    expect(probe).toEqual([
      { spec: '../graphql/context.js', typeOnly: false, dynamic: false },
      { spec: '../jobs/events.js', typeOnly: true, dynamic: false },
      { spec: '../registry/registry.js', typeOnly: false, dynamic: true },
    ]);
  });
});

describe('the main thread loads no compute library', () => {
  it('server.js does not reach @tensorflow/*, onnxruntime or webgpu through static imports', () => {
    const start = join(PROJECT_ROOT, 'dist', 'src', 'server.js');
    const seen = new Set<string>();
    const bad: string[] = [];
    const queue = [start];
    while (queue.length > 0) {
      const file = queue.pop()!;
      if (seen.has(file) || !existsSync(file)) continue;
      seen.add(file);
      for (const { spec, dynamic } of importsOf(readFileSync(file, 'utf8'))) {
        if (dynamic) continue; // loaded on demand (worker threads, optional backends)
        if (spec.startsWith('.')) queue.push(resolve(dirname(file), spec));
        else if (COMPUTE.test(spec)) bad.push(`${relative(PROJECT_ROOT, file)} -> ${spec}`);
      }
    }
    expect(seen.size).toBeGreaterThan(50);
    expect(bad).toEqual([]);
  });

  it('a running server that sizes a model, compares and validates uploads (weights, an ONNX file) has none loaded on its main thread', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spikelab-arch-'));
    const script = `
      import { createRequire } from 'node:module';
      import { startServer } from ${JSON.stringify(join(PROJECT_ROOT, 'dist', 'src', 'server.js'))};
      const s = await startServer({ port: 0, host: '127.0.0.1', databaseUrl: 'file:${join(dir, 't.db')}', storeDir: '${join(dir, 'store')}', backend: 'cpu' }, { log: () => {} });
      const gql = async (query, variables) => (await (await fetch(s.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) })).json());
      const m = await gql('mutation { createModel(input: { name: "r", architecture: "resnet18", inputShape: [32, 32, 3], numClasses: 10 }) { id parameterCount } }');
      await gql('{ models { nodes { id } } compare(filter: {}) { rows { backbone } } }');
      const imp = await gql('mutation($m: ID!) { importCheckpoint(input: { modelId: $m, format: "safetensors", base64: "AAAAAAAAAAA=" }) { id } }', { m: m.data.createModel.id });
      const onnx = await gql('mutation { importOnnxModel(input: { name: "o", base64: "CAcSB3B5dG9yY2g=" }) { id } }');
      if (onnx.errors?.[0]?.extensions?.code !== 'BAD_USER_INPUT') throw new Error('importOnnxModel: ' + JSON.stringify(onnx));
      const loaded = Object.keys(createRequire(import.meta.url).cache).filter((p) => /node_modules[\\\\/](@tensorflow|onnxruntime|webgpu)/.test(p));
      console.log(JSON.stringify({ params: m.data.createModel.parameterCount, importError: imp.errors?.[0]?.extensions?.code, loaded }));
      await s.close();
      process.exit(0);`;
    try {
      writeFileSync(join(dir, 'probe.mjs'), script); // a file, not -e: worker threads inherit the parent's flags
      const { stdout } = await promisify(execFile)(process.execPath, [join(dir, 'probe.mjs')], { cwd: PROJECT_ROOT, timeout: 90_000 });
      const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as { params: number; importError: string; loaded: string[] };
      expect(result.params).toBe(11_173_962); // ResNet-18 CIFAR, 10 classes: sized on the main thread without tfjs
      expect(result.importError).toBe('BAD_USER_INPUT'); // the weights were checked (in a worker that did load tfjs)
      expect(result.loaded).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
