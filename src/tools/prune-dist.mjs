// After `tsc -b`: deletes compiled files in dist/ whose TypeScript source is gone. tsc never removes
// the output of a deleted or renamed file, and jest runs every dist/**/*.test.js, so a stale copy
// would keep running code (or a test) that no longer exists.
import { existsSync, readdirSync, rmdirSync, unlinkSync } from 'node:fs';
import { join, relative } from 'node:path';

const DIST = 'dist';

/** The sources a dist/ file may come from (null: not an output of tsc, keep it). */
function sourcesOf(rel) {
  const m = /^(.*)\.(js|js\.map|d\.ts|d\.ts\.map)$/.exec(rel);
  if (m) return [`${m[1]}.ts`, `${m[1]}.tsx`];
  if (rel.endsWith('.json')) return [rel];
  return null;
}

/** Prunes `dir`; returns whether it is empty afterwards. */
function prune(dir) {
  let left = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (prune(path)) rmdirSync(path);
      else left++;
      continue;
    }
    const sources = sourcesOf(relative(DIST, path));
    if (sources !== null && !sources.some((s) => existsSync(s))) unlinkSync(path);
    else left++;
  }
  return left === 0;
}

if (existsSync(DIST)) prune(DIST);
