// Large checkpoints stream to PUT /uploads (raw body, hashed into the store's temp directory) and
// are imported by uploadId; the client library switches to it above a size threshold.
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { connect } from '../../client/index.js';
import { READ_BOUNDS } from '../../src/data/files.js';
import { initBackend } from '../../src/engine/backend/index.js';
import { exportSafetensors } from '../../src/engine/checkpoint/index.js';
import { buildModel } from '../../src/engine/zoo/index.js';
import { MAX_UPLOAD_BYTES } from '../../src/server.js';
import { errorOf, startTestServer, type TestServer } from './harness.js';

const SPEC = { architecture: 'cnn-small', inputShape: [8, 8, 1], numClasses: 3, widthMultiplier: 0.25 } as const;
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('PUT /uploads', () => {
  let t: TestServer;
  let modelId: string;
  const put = (body: Uint8Array<ArrayBuffer>, token?: string) =>
    fetch(`${t.base}/uploads`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream', ...(token && { authorization: `Bearer ${token}` }) }, body });
  const tempFiles = () => readdirSync(join(t.tmp.storeDir, '.tmp'));

  beforeAll(async () => {
    await initBackend('cpu');
    t = await startTestServer();
    modelId = (await t.gql('mutation($i: CreateModelInput!) { createModel(input: $i) { id } }', { i: { name: 'tiny', ...SPEC, inputShape: [...SPEC.inputShape] } })).data!.createModel.id as string;
  });
  afterAll(() => t.stop());

  it('streams a body larger than the 10 MB JSON limit into the store, hashed on the way', async () => {
    const body = randomBytes(11 * 1024 * 1024);
    const res = await put(body);
    expect(res.status).toBe(201);
    const up = (await res.json()) as { uploadId: string; sha256: string; sizeBytes: number };
    expect(up).toEqual({ uploadId: expect.stringMatching(/^[0-9a-f]{32}$/) as string, sha256: sha256(body), sizeBytes: body.length });
    // not a safetensors file: refused, and the upload is gone with the refusal
    const bad = errorOf(await t.gql('mutation($i: ImportCheckpointInput!) { importCheckpoint(input: $i) { id } }', { i: { modelId, format: 'safetensors', uploadId: up.uploadId } }));
    expect(bad.code).toBe('BAD_USER_INPUT');
    expect(tempFiles()).toEqual([]);
    const again = errorOf(await t.gql('mutation($i: ImportCheckpointInput!) { importCheckpoint(input: $i) { id } }', { i: { modelId, format: 'safetensors', uploadId: up.uploadId } }));
    expect(again.code).toBe('NOT_FOUND');
  });

  it('refuses a body whose Content-Length is over the bound at once with 413 PAYLOAD_TOO_LARGE, keeping nothing', async () => {
    // the same bound as a checkpoint file read from the data roots
    expect(MAX_UPLOAD_BYTES).toBe(READ_BOUNDS.weights.maxBytes);
    const url = new URL(`${t.base}/uploads`);
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'PUT', headers: { 'content-type': 'application/octet-stream', 'content-length': String(MAX_UPLOAD_BYTES + 1) } }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject).setTimeout(10_000, () => req.destroy(new Error('no answer within 10 s: the server waits for the body')));
      req.write(Buffer.alloc(1024)); // a first chunk; the rest never comes
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ errors: [{ extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });
    expect(tempFiles()).toEqual([]);
  });

  it('refuses an empty body', async () => {
    const res = await put(new Uint8Array(0));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ errors: [{ extensions: { code: 'BAD_USER_INPUT' } }] });
  });

  it('the client uploads a checkpoint file by PUT /uploads above its threshold, by base64 below', async () => {
    const model = buildModel({ ...SPEC, inputShape: [...SPEC.inputShape] }, { seed: 1 });
    const bytes = exportSafetensors(model);
    model.dispose();
    const file = join(t.tmp.dir, 'tiny.safetensors');
    writeFileSync(file, bytes);
    const client = connect(t.base);
    try {
      const streamed = await client.uploadCheckpoint(modelId, file, { streamAbove: 0, aliases: ['streamed'] });
      expect(streamed).toMatchObject({ sha256: sha256(bytes), aliases: ['streamed'] });
      const inline = await client.uploadCheckpoint(modelId, file, { aliases: ['inline'] });
      expect(inline.sha256).toBe(sha256(bytes));
      expect(tempFiles()).toEqual([]);
    } finally {
      await client.close();
    }
  });

  it('needs a writer token once tokens exist', async () => {
    const { tokens } = t.server.app.registry;
    const reader = (await tokens.create('r', 'reader')).secret;
    const writer = (await tokens.create('w', 'writer')).secret;
    expect((await put(new Uint8Array([1]))).status).toBe(401);
    expect((await put(new Uint8Array([1]), reader)).status).toBe(403);
    const ok = await put(new Uint8Array([1, 2, 3]), writer);
    expect(ok.status).toBe(201);
  });
});
