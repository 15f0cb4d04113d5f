// One source of truth for every rule: the tables of src/formats bound GraphQL input and
// direct service calls alike, before anything is stored or queued; counts past 2^31 list; stored
// JSON is parsed once and a bad row fails loudly with its table and id.
import { type GraphQLInputObjectType, valueFromAST } from 'graphql';
import { CONVERSION_CONFIG_FIELDS, JOB_FIELDS, MODEL_SPEC_FIELDS, TRAINING_CONFIG_FIELDS, describeField, type FieldTable } from '../../src/formats/index.js';
import { InvalidInputError } from '../../src/registry/errors.js';
import { CorruptRowError } from '../../src/registry/records.js';
import { sql, testProvider } from '../db/database.js';
import { errorOf, startTestServer, type GqlResponse, type TestServer } from './harness.js';

const CREATE_MODEL = 'mutation($i: CreateModelInput!) { createModel(input: $i) { id parameterCount } }';
const START_TRAINING = 'mutation($i: StartTrainingInput!) { startTraining(input: $i) { id } }';
const REGISTER = 'mutation($i: RegisterDatasetInput!) { registerDataset(input: $i) { id } }';

describe('one source of truth for every rule', () => {
  let t: TestServer;
  let modelId: string;
  let datasetId: string;
  const count = async (list: string) => ((await t.gql(`{ ${list} { totalCount } }`)).data![list] as { totalCount: number }).totalCount;

  beforeAll(async () => {
    t = await startTestServer();
    modelId = (await t.gql(CREATE_MODEL, { i: { name: 'tiny', architecture: 'cnn-small', inputShape: [8, 8, 1], numClasses: 3, widthMultiplier: 0.25 } })).data!.createModel.id as string;
    datasetId = (await t.gql(REGISTER, { i: { name: 'synth', format: 'synthetic-classification', options: { size: 8, numClasses: 3, channels: 1 } } })).data!.registerDataset.id as string;
  });
  afterAll(() => t.stop());

  it('refuses a model spec past its bounds with BAD_USER_INPUT before storing it', async () => {
    const before = await count('models');
    const huge = errorOf(await t.gql(CREATE_MODEL, { i: { name: 'huge', architecture: 'resnet18', inputShape: [8192, 8192, 8192], numClasses: 100000, widthMultiplier: 16 } }));
    expect(huge).toMatchObject({ code: 'BAD_USER_INPUT', field: 'inputShape.0' });
    expect(huge.message).toMatch(/must be an integer in 1\.\.4096 \(got 8192\)/);
    // every field within its bounds, but the spec builds 1.8e10 parameters: refused from describeModel's count
    const wide = errorOf(await t.gql(CREATE_MODEL, { i: { name: 'wide', architecture: 'resnet101', inputShape: [64, 64, 3], numClasses: 10, widthMultiplier: 16 } }));
    expect(wide).toMatchObject({ code: 'BAD_USER_INPUT', field: 'spec' });
    expect(wide.message).toMatch(/parameters; at most 2\.00e9/);
    await expect(t.server.app.registry.models.create({ name: 'direct', architecture: 'resnet18', inputShape: [8192, 8, 3], numClasses: 10 })).rejects.toThrow(InvalidInputError);
    expect(await count('models')).toBe(before);
  });

  // SQLite rows from before the 2·10⁹ bound; PostgreSQL's Int column (32 bits) cannot hold such a count
  (testProvider() === 'sqlite' ? it : it.skip)('lists models whose parameter count exceeds 2^31 (a Float in GraphQL)', async () => {
    const spec = { architecture: 'resnet101', inputShape: [224, 224, 3], numClasses: 100000, widthMultiplier: 16 };
    await t.server.app.registry.prisma.model.create({ data: { name: 'legacy-huge', liveName: 'legacy-huge', architecture: 'resnet101', family: 'residual', parameterCount: 14_204_747_424, spec } });
    const res = await t.gql('{ models(first: 500) { nodes { name parameterCount spec } } }');
    expect(res.errors).toBeUndefined();
    const row = (res.data!.models.nodes as { name: string; parameterCount: number }[]).find((n) => n.name === 'legacy-huge');
    expect(row?.parameterCount).toBe(14_204_747_424);
  });

  it('refuses out-of-bounds training configs with BAD_USER_INPUT before anything is queued', async () => {
    const before = await count('jobs');
    for (const [config, field] of [
      [{ epochs: 0 }, 'config.epochs'],
      [{ learningRate: -1 }, 'config.learningRate'],
      [{ momentum: 5 }, 'config.momentum'],
      [{ weightDecay: 7 }, 'config.weightDecay'],
      [{ labelSmoothing: 3 }, 'config.labelSmoothing'],
    ] as const) {
      expect(errorOf(await t.gql(START_TRAINING, { i: { modelId, datasetId, config } }))).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    const all = await t.gql(START_TRAINING, { i: { modelId, datasetId, config: { momentum: 5, weightDecay: 7, labelSmoothing: 3 } } });
    expect(all.errors?.[0]?.extensions.fields).toHaveLength(3);
    // a direct service call is checked by the same table
    await expect(t.server.app.registry.trainingRuns.start({ modelId: Number(modelId), datasetId: Number(datasetId), config: { epochs: 0 } })).rejects.toThrow(/config\.epochs: must be an integer in 1\.\.10000/);
    await expect(t.server.app.registry.conversionRuns.start({ checkpointId: 1, datasetId: Number(datasetId), config: { gamma: CONVERSION_CONFIG_FIELDS.gamma.max + 1 } })).rejects.toThrow(/config\.gamma/);
    // conversion runs on ONNX Runtime execution providers; training keeps the TensorFlow.js backends
    await expect(t.server.app.registry.conversionRuns.start({ checkpointId: 1, datasetId: Number(datasetId), backend: 'wasm' })).rejects.toThrow(/backend: must be one of auto, cpu, cuda/);
    expect(errorOf(await t.gql(START_TRAINING, { i: { modelId, datasetId, backend: 'cuda' } }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'backend' });
    expect(await count('jobs')).toBe(before);
  });

  it('refuses data-set options nested 20 000 levels deep with BAD_USER_INPUT', async () => {
    // written by hand: JSON.stringify itself recurses
    const options = `${'{"a":'.repeat(20000)}1${'}'.repeat(20000)}`;
    const body = `{"query":${JSON.stringify(REGISTER)},"variables":{"i":{"name":"deep","format":"synthetic-classification","options":${options}}}}`;
    const res = await fetch(`${t.base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(errorOf((await res.json()) as GqlResponse)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'options.a' });
    expect(await count('datasets')).toBe(1);
  });

  it('takes the GraphQL defaults and descriptions from the tables', () => {
    const schema = t.server.app.schema;
    const pairs: [string, FieldTable, string[]][] = [
      ['ConversionConfigInput', CONVERSION_CONFIG_FIELDS, Object.keys(CONVERSION_CONFIG_FIELDS)],
      ['TrainingConfigInput', TRAINING_CONFIG_FIELDS, Object.keys(TRAINING_CONFIG_FIELDS)],
      ['StartConversionInput', JOB_FIELDS, ['priority', 'maxAttempts', 'maxSamples']],
      ['StartTrainingInput', JOB_FIELDS, ['priority', 'maxAttempts']],
      ['CreateModelInput', MODEL_SPEC_FIELDS, ['numClasses', 'widthMultiplier', 'stem', 'depth', 'baseWidth', 'batchNorm', 'padding']],
    ];
    for (const [typeName, table, names] of pairs) {
      const fields = (schema.getType(typeName) as GraphQLInputObjectType).getFields();
      for (const name of names) {
        const field = fields[name]!;
        const spec = table[name]!;
        const dflt = field.astNode?.defaultValue ? valueFromAST(field.astNode.defaultValue, field.type) : field.defaultValue;
        expect({ typeName, name, default: dflt }).toEqual({ typeName, name, default: spec.default });
        expect(field.description).toBe(describeField(spec));
      }
    }
  });

  it('fails loudly, naming table, id and column, on a stored JSON value that does not parse', async () => {
    const id = Number(modelId);
    const spec = JSON.stringify({ architecture: 'cnn-small', inputShape: 'eight', numClasses: 3, widthMultiplier: 1 });
    await sql(t.tmp.databaseUrl, `UPDATE "Model" SET "spec" = $1${testProvider() === 'postgresql' ? '::jsonb' : ''} WHERE "id" = $2`, [spec, id]);
    await expect(t.server.app.registry.models.get(id)).rejects.toMatchObject({ constructor: CorruptRowError, table: 'Model', id, column: 'spec' });
    const res = await t.gql('query($id: ID!) { model(id: $id) { name } }', { id: modelId });
    expect(errorOf(res).code).toBe('INTERNAL_SERVER_ERROR');
    expect(t.logged.map((l) => l.map(String).join(' ')).join('\n')).toMatch(new RegExp(`Model ${id}: the stored spec is malformed \\(inputShape: must be \\[height, width, channels\\]`));
  });
});
