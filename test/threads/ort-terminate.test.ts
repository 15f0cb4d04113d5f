// A worker thread killed inside an ONNX Runtime call used to abort the whole server process
// ("terminate called after throwing an instance of 'Napi::Error'", exit 134). The scenario runs in
// a child process so that, should it regress, this test fails instead of taking jest down with it.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

describe('terminating a worker thread during a simulation', () => {
  it('kills only the thread: the job is retried and the process lives on', () => {
    const child = fileURLToPath(new URL('./ort-terminate.child.js', import.meta.url));
    const r = spawnSync(process.execPath, [child], { encoding: 'utf8', timeout: 400_000, env: { ...process.env, SPIKELAB_THREADS: '1' } });
    if (r.status !== 0) throw new Error(`the child ended with status ${r.status}, signal ${r.signal}:\n${r.stderr.slice(-4000)}`);
    expect(r.stdout).toMatch(/survived 4 kills and a stop/);
  }, 420_000);
});
