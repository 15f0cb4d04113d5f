// prestart: recompile (tsc → dist/) only when a TypeScript source is newer than the last build, so
// `npm start` is fast when dist/ is fresh and still correct on a clean clone. Type errors are
// reported but do not stop the server from starting on the emitted JavaScript (npm test and the
// lint fail on them); a failure to emit at all does.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const STAMP = 'dist/.build-stamp';
const ROOTS = ['src', 'test', 'client', 'bench', 'experiments'];
const FILES = ['tsconfig.json', 'package.json'];

function newest(path) {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return /\.(ts|mts|cts|json)$/.test(path) ? info.mtimeMs : 0;
  let max = 0;
  for (const name of readdirSync(path)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    max = Math.max(max, newest(join(path, name)));
  }
  return max;
}

const built = existsSync(STAMP) ? statSync(STAMP).mtimeMs : 0;
const sources = Math.max(...ROOTS.map(newest), ...FILES.map(newest));
if (built >= sources && existsSync('dist/src/server.js')) process.exit(0);

console.error('compiling TypeScript (dist/ is older than the sources)…');
const tsc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', '.'], { stdio: 'inherit' });
if (!existsSync('dist/src/server.js')) process.exit(tsc.status || 1);
if (tsc.status !== 0) console.error('warning: tsc reported type errors (see above); starting on the emitted JavaScript');
writeFileSync(STAMP, new Date().toISOString() + '\n');
