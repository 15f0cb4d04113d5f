// Whether WebGPU can run here, found out quietly. Dawn reports a missing Vulkan loader by writing
// "Warning: Couldn't load Vulkan: …" and a C++ source location straight to the process's stderr,
// which no JavaScript can intercept. So: on Linux without any GPU device node there is nothing to
// ask; otherwise the adapter is requested in a child process whose stderr is captured, and Dawn's
// message becomes the reason we report. Only when the child found an adapter is Dawn loaded here.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type WebGpuProbe = { ok: true; device: string } | { ok: false; reason: string };

interface ChildAnswer {
  adapter: { vendor?: string; architecture?: string; description?: string } | null;
  timedOut?: boolean;
  error?: string;
  code?: string;
}

const CHILD = fileURLToPath(new URL('./webgpu_probe_child.js', import.meta.url));

/** Device nodes a Linux GPU driver exposes (DRM, NVIDIA, AMD compute, WSL2); null off Linux. */
export function gpuDeviceNodes(dev = '/dev'): string[] | null {
  if (process.platform !== 'linux') return null;
  const found: string[] = [];
  for (const name of ['dri', 'kfd', 'dxg']) if (existsSync(join(dev, name))) found.push(join(dev, name));
  try {
    for (const name of readdirSync(dev)) if (/^nvidia\d+$/.test(name)) found.push(join(dev, name));
  } catch {
    // no /dev to list: treat as none
  }
  return found;
}

/** Dawn's diagnostic without the "Warning: " prefix and the C++ stack lines, or null if none. */
export function dawnReason(stderr: string): string | null {
  const line = stderr
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '' && !l.startsWith('at '));
  if (line === undefined) return null;
  const text = line.replace(/^(Warning|Error):\s*/i, '');
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

function deviceName(a: NonNullable<ChildAnswer['adapter']>): string {
  return [a.vendor, a.architecture, a.description].filter((s) => s !== undefined && s !== '').join(' ') || 'GPU';
}

function askChild(timeoutMs: number): Promise<WebGpuProbe> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CHILD, String(timeoutMs)], { timeout: timeoutMs + 5000, encoding: 'utf8' }, (err, stdout, stderr) => {
      const last = stdout.trim().split('\n').pop() ?? '';
      let answer: ChildAnswer | null;
      try {
        answer = JSON.parse(last) as ChildAnswer;
      } catch {
        answer = null; // no answer: the child crashed or was killed
      }
      if (answer?.adapter) return resolve({ ok: true, device: deviceName(answer.adapter) });
      if (answer?.code === 'ERR_MODULE_NOT_FOUND') return resolve({ ok: false, reason: 'the webgpu package is not installed' });
      const what = answer === null
        ? (err?.killed ? `the probe timed out after ${timeoutMs + 5000} ms` : 'the probe process gave no answer')
        : answer.timedOut ? `requestAdapter() timed out after ${timeoutMs} ms` : (answer.error ?? 'no adapter');
      const dawn = dawnReason(stderr);
      resolve({ ok: false, reason: dawn === null ? what : `${what} (${dawn})` });
    });
  });
}

/** The probe itself, uncached: device nodes under `dev` first, then the child process. */
export async function detectWebGpu(timeoutMs: number, dev = '/dev'): Promise<WebGpuProbe> {
  const nodes = gpuDeviceNodes(dev);
  if (nodes !== null && nodes.length === 0) return { ok: false, reason: 'no GPU device node (/dev/dri, /dev/nvidia*)' };
  return askChild(timeoutMs);
}

let cached: Promise<WebGpuProbe> | null = null;

/** Probes once per thread (the answer does not change while the process runs). */
export function probeWebGpu(timeoutMs = 5000): Promise<WebGpuProbe> {
  cached ??= detectWebGpu(timeoutMs);
  return cached;
}
