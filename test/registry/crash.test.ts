import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { openRawDatabase } from '../../src/registry/db.js';
import { applyPendingMigrations } from '../../src/registry/migrate.js';
import { makeTempDirs, type TempDirs } from '../api/harness.js';

describe('killing the process during writes', () => {
  let tmp: TempDirs;
  beforeAll(() => {
    tmp = makeTempDirs();
  });
  afterAll(() => tmp.cleanup());

  it('loses nothing that was committed (SIGKILL mid-stream, WAL journal)', async () => {
    await applyPendingMigrations(tmp.databaseUrl);
    const registryModule = pathToFileURL(join(import.meta.dirname, '../../src/registry/registry.js')).href;
    // the child creates models as fast as it can and prints each id once its transaction committed
    const script = `const { openRegistry } = await import(${JSON.stringify(registryModule)});
      const r = await openRegistry({ databaseUrl: ${JSON.stringify(tmp.databaseUrl)}, storeDir: ${JSON.stringify(tmp.storeDir)}, migrate: false });
      for (let i = 0; ; i++) {
        const m = await r.models.create({ name: 'm' + i, architecture: 'vgg11', inputShape: [32, 32, 3], numClasses: 10 });
        process.stdout.write(m.id + '\\n');
      }`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const acknowledged: number[] = [];
    for await (const line of createInterface({ input: child.stdout })) {
      acknowledged.push(Number(line));
      if (acknowledged.length === 200) child.kill('SIGKILL');
    }
    await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(null)));

    const db = openRawDatabase(tmp.databaseUrl);
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      const ids = new Set((db.prepare('SELECT id FROM Model').all() as { id: number }[]).map((r) => r.id));
      expect(acknowledged.length).toBeGreaterThanOrEqual(200);
      for (const id of acknowledged) expect(ids.has(id)).toBe(true);
    } finally {
      db.close();
    }
  });
});
