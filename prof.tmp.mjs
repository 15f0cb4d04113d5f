import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedCompareRuns, benchDatabase, COMPARE, COMPARE_TOP5, COMPARE_STEPS, post } from './dist/bench/compare-data.js';
import { openRegistry } from './dist/src/registry/registry.js';
const dir = mkdtempSync(join(tmpdir(), 'prof-'));
const db = await benchDatabase(process.env.P ?? 'postgresql', dir);
await seedCompareRuns(db.url, join(dir, 'store'));
const child = spawn(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, 'dist/src/server.js'], { env: { ...process.env, DATABASE_URL: db.url, SPIKELAB_STORE: join(dir, 'store'), PORT: '0', HOST: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'inherit'] });
const gql = await new Promise((res) => child.stdout.on('data', (d) => { const m = /GraphQL at (http:\/\/\S+\/graphql)/.exec(String(d)); if (m) res(m[1]); }));
const w = await openRegistry({ databaseUrl: db.url, storeDir: join(dir, 'store'), migrate: false });
const Q = process.env.Q === 'top5' ? COMPARE_TOP5 : COMPARE;
const ms = [];
for (let i = 0; i < 150; i++) { await w.prisma.dataset.updateMany({ data: { description: 'x' + i } }); const t0 = performance.now(); const r = await post(gql, Q, { steps: COMPARE_STEPS }); ms.push(performance.now() - t0); if (!r.ok) throw new Error(JSON.stringify(r.body)); }
ms.sort((a, b) => a - b); console.log('p50', ms[75].toFixed(1), 'p95', ms[142].toFixed(1));
await w.close();
child.kill('SIGINT');
await new Promise((r) => child.once('exit', r));
await db.stop();
const f = readdirSync(dir).find((n) => n.endsWith('.cpuprofile'));
const prof = JSON.parse(readFileSync(join(dir, f), 'utf8'));
const self = new Map();
const dt = new Map(); prof.samples.forEach((s, i) => dt.set(s, (dt.get(s) ?? 0) + (prof.timeDeltas[i] ?? 0)));
for (const n of prof.nodes) { const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber}`; self.set(k, (self.get(k) ?? 0) + (dt.get(n.id) ?? 0)); }
const total = [...self.values()].reduce((a, b) => a + b, 0);
console.log('total ms', (total / 1000).toFixed(0));
for (const [k, v] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log((v / 1000).toFixed(0).padStart(6), k);
