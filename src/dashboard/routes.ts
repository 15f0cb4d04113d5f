// The dashboard at GET /: static files from client/dashboard/, its compiled scripts from
// dist/client/, and the Vega bundles from node_modules. Nothing is loaded from another origin (the
// Content-Security-Policy says so to the browser too).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Express, Response } from 'express';
import type { RouteInstaller } from '../server.js';

// dist/src/dashboard/routes.js → project root
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

const FILES: Record<string, string> = {
  '/': 'client/dashboard/index.html',
  '/dashboard/style.css': 'client/dashboard/style.css',
  // compiled browser modules, at the same relative paths as in dist/client (their imports resolve)
  '/dashboard/app.js': 'dist/client/dashboard/app.js',
  '/dashboard/gql.js': 'dist/client/dashboard/gql.js',
  '/dashboard/views.js': 'dist/client/dashboard/views.js',
  '/dashboard/chart.js': 'dist/client/dashboard/chart.js',
  '/dashboard/live.js': 'dist/client/dashboard/live.js',
  '/dashboard/panels.js': 'dist/client/dashboard/panels.js',
  '/dashboard/sweeps.js': 'dist/client/dashboard/sweeps.js',
  '/generated/graphql.js': 'dist/client/generated/graphql.js',
  '/report/specs.js': 'dist/client/report/specs.js',
  '/vendor/vega.min.js': 'node_modules/vega/build/vega.min.js',
  '/vendor/vega-lite.min.js': 'node_modules/vega-lite/build/vega-lite.min.js',
  '/vendor/graphql-ws.min.js': 'node_modules/graphql-ws/umd/graphql-ws.min.js',
};

const CSP = [
  "default-src 'self'",
  // vega compiles its expressions with Function(); no inline or foreign scripts
  "script-src 'self' 'unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self' ws: wss:",
].join('; ');

function send(res: Response, rel: string): void {
  const path = join(ROOT, rel);
  if (!existsSync(path)) {
    res.status(500).type('text').send(`dashboard file missing: ${rel} (run \`npm run build\`)`);
    return;
  }
  res.setHeader('Content-Security-Policy', CSP);
  res.setHeader('Cache-Control', 'no-cache');
  res.sendFile(path);
}

/** Route installer for startServer({ routes: [installDashboard] }). */
export const installDashboard: RouteInstaller = (app: Express) => {
  for (const [route, rel] of Object.entries(FILES)) app.get(route, (_req, res) => send(res, rel));
  // browsers ask for it on every page; there is none
  app.get('/favicon.ico', (_req, res) => void res.status(204).end());
};
