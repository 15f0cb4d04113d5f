// Runs the real `spikelab` bin as a child process (asynchronously: the server under test lives in
// this process and must keep answering).
import { execFile } from 'node:child_process';
import { join } from 'node:path';

export const BIN = join(process.cwd(), 'client/bin/spikelab.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function spikelab(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, SPIKELAB_URL: '', SPIKELAB_TOKEN: '', ...env }, timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
