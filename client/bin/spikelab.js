#!/usr/bin/env node
// The `spikelab` command: a shim over the compiled CLI (dist/ is built by `npm install` / `npm run build`).
let cli;
try {
  cli = await import('../../dist/client/cli/main.js');
} catch (err) {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/client/cli/main.js')) {
    console.error('spikelab: the CLI is not built yet; run `npm run build` in the Spikelab checkout');
    process.exit(1);
  }
  throw err;
}
process.exitCode = await cli.main(process.argv);
