// Child-process entry of the WebGPU probe (webgpu_probe.ts): asks Dawn for an adapter and prints
// one JSON line on stdout. Dawn's own diagnostics (e.g. "Couldn't load Vulkan" with a C++ source
// location) go to this process's stderr, which the parent captures instead of the user's terminal.
const timeoutMs = Number(process.argv[2] ?? 5000);

/** Prints the answer and exits (Dawn's threads could otherwise keep the process alive). */
function reply(answer: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(answer)}\n`, () => process.exit(0));
}

try {
  const mod = await import('webgpu');
  const timer = setTimeout(() => reply({ adapter: null, timedOut: true }), timeoutMs);
  const adapter = await mod.create([]).requestAdapter();
  clearTimeout(timer);
  reply({ adapter: adapter === null ? null : { vendor: adapter.info.vendor, architecture: adapter.info.architecture, description: adapter.info.description } });
} catch (err) {
  const code = (err as { code?: unknown } | null)?.code;
  reply({ adapter: null, error: err instanceof Error ? err.message.split('\n')[0] : String(err), ...(typeof code === 'string' && { code }) });
}
