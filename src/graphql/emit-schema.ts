// npm run schema:emit → writes schema.graphql at the project root (committed; a test checks it).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../registry/paths.js';
import { buildGraphQLSchema, printSchemaSdl } from './schema.js';

export const SCHEMA_FILE = join(PROJECT_ROOT, 'schema.graphql');

const sdl = printSchemaSdl(await buildGraphQLSchema());
await writeFile(SCHEMA_FILE, sdl);
console.log(`wrote ${SCHEMA_FILE}`);
