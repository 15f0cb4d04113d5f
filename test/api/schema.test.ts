import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildGraphQLSchema, printSchemaSdl } from '../../src/graphql/schema.js';
import { PROJECT_ROOT } from '../../src/registry/paths.js';

describe('schema.graphql', () => {
  it('is up to date with the resolvers (run `npm run schema:emit` after changing them)', async () => {
    const committed = readFileSync(join(PROJECT_ROOT, 'schema.graphql'), 'utf8');
    expect(printSchemaSdl(await buildGraphQLSchema())).toBe(committed);
  });
});
