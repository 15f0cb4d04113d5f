import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dawnReason, detectWebGpu, gpuDeviceNodes } from './webgpu_probe.js';

// What Dawn prints on a machine without the Vulkan loader (captured on the build machine).
const DAWN_STDERR = "Warning: Couldn't load Vulkan: libvulkan.so.1: cannot open shared object file: No such file or directory\n"
  + '    at operator() (/home/runner/work/node-webgpu/node-webgpu/third_party/dawn/src/dawn/native/vulkan/BackendVk.cpp:368)\n';

/** Whether the dynamic linker knows a Vulkan loader (without it Dawn can find no adapter on Linux). */
function hasVulkanLoader(): boolean {
  const r = spawnSync('ldconfig', ['-p'], { encoding: 'utf8' });
  return /libvulkan\.so\.1\b/.test(r.stdout ?? '');
}

describe('WebGPU probe', () => {
  const dirs: string[] = [];
  const fakeDev = (...nodes: string[]): string => {
    const dev = mkdtempSync(join(tmpdir(), 'spikelab-dev-'));
    for (const n of nodes) mkdirSync(join(dev, n));
    dirs.push(dev);
    return dev;
  };
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("keeps Dawn's message and drops the prefix and the C++ source location", () => {
    expect(dawnReason(DAWN_STDERR)).toBe("Couldn't load Vulkan: libvulkan.so.1: cannot open shared object file: No such file or directory");
    expect(dawnReason('\n   \n')).toBeNull();
  });

  // device nodes are a Linux notion; elsewhere the probe always asks Dawn in a child process
  (process.platform === 'linux' ? it : it.skip)('lists GPU device nodes, and skips Dawn entirely when there is none', async () => {
    expect(gpuDeviceNodes(fakeDev('dri', 'nvidia0', 'nvidiactl'))).toEqual([expect.stringMatching(/\/dri$/), expect.stringMatching(/\/nvidia0$/)]);
    const t0 = Date.now();
    expect(await detectWebGpu(5000, fakeDev('null', 'tty0'))).toEqual({ ok: false, reason: 'no GPU device node (/dev/dri, /dev/nvidia*)' });
    expect(Date.now() - t0).toBeLessThan(1000); // no child process, no Dawn
  });

  it("asks Dawn in a child process: its diagnostics become the reason, not this process's stderr", async () => {
    const r = await detectWebGpu(5000, fakeDev('dri'));
    expect(JSON.stringify(r)).not.toMatch(/\.cpp|at operator/);
    // Without a Vulkan loader the answer is known in advance; with one it depends on the driver.
    const expected = hasVulkanLoader() ? expect.anything() : { ok: false, reason: expect.stringMatching(/^no adapter \(Couldn't load Vulkan: libvulkan\.so\.1/) };
    expect(r).toEqual(expected);
  });

  it("a process that picks a backend prints nothing of Dawn's on stderr, and says which backend runs", async () => {
    const index = fileURLToPath(new URL('./index.js', import.meta.url));
    const script = `const m = await import(${JSON.stringify(index)}); console.log(m.describeBackend(await m.initBackend('auto', { webgpuTimeoutMs: 3000 })));`;
    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      execFile(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 }, (err, out, errOut) => (err ? reject(new Error(`${err.message}\n${errOut}`)) : resolve({ stdout: out, stderr: errOut })));
    });
    expect(stderr).not.toMatch(/Vulkan|\.cpp|Dawn/i);
    expect(stdout.trim()).toMatch(/^backend (tensorflow|webgpu|wasm|cpu)\b.*\(.+\)$/);
  });
});
