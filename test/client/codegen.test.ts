// The committed client/generated/graphql.ts must be what `npm run client:generate` makes from the
// committed schema.graphql and client/operations (style §7: the schema is an artefact). Codegen
// runs in a child process (its plugins do not load inside jest's VM modules) and writes nothing.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';

const SCRIPT = `
const { generate } = await import('@graphql-codegen/cli');
const { codegenConfig } = await import(process.argv[1]);
const outputs = await generate({ ...codegenConfig, cwd: process.cwd() }, false);
process.stdout.write(JSON.stringify(outputs.map((o) => ({ filename: o.filename, content: o.content }))));
`;

function generateInMemory(): Promise<{ filename: string; content: string }[]> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', SCRIPT, `${process.cwd()}/dist/client/codegen.js`], { maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`codegen failed: ${stderr || err.message}`));
      else resolve(JSON.parse(stdout) as { filename: string; content: string }[]);
    });
  });
}

test('client/generated is up to date with schema.graphql and client/operations', async () => {
  const outputs = await generateInMemory();
  expect(outputs.map((o) => o.filename)).toEqual(['client/generated/graphql.ts']);
  const committed = readFileSync('client/generated/graphql.ts', 'utf8');
  // a failure here means: run `npm run client:generate` and commit client/generated
  expect(outputs[0]!.content === committed).toBe(true);
});
