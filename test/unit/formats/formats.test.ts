// The one table per config (src/formats): defaults, bounds, readable issues; the one definition of
// "first step within 1 point", checked against the engine's summary on a curve that overshoots.
import { summarise } from '../../../src/engine/conversion/report.js';
import type { Graph } from '../../../src/engine/ir/graph.js';
import {
  CONVERSION_CONFIG_FIELDS,
  DEFAULT_CONVERSION_CONFIG,
  DEFAULT_TRAINING_CONFIG,
  TRAINING_CONFIG_FIELDS,
  check,
  conversionConfigSchema,
  datasetOptionsSchema,
  describeField,
  firstStepWithin,
  modelSpecSchema,
  storedModelSpecSchema,
  summariseSeries,
  trainingConfigSchema,
} from '../../../src/formats/index.js';

describe('first step within 1 point', () => {
  // ANN 0.80; the SNN overshoots at step 2 (0.95), then settles towards the ANN
  const overshoot = [0.5, 0.95, 0.85, 0.805];

  it('is the first step with SNN ≥ ANN − 0.01, overshooting included', () => {
    expect(firstStepWithin(0.8, overshoot)).toBe(2);
    expect(firstStepWithin(0.8, [0.1, 0.2, 0.785])).toBeNull();
    expect(firstStepWithin(0.87, [0.5, 0.86])).toBe(2); // exactly on the line despite binary rounding
    expect(firstStepWithin(0.8, [NaN, 0.79])).toBe(2);
    expect(firstStepWithin(NaN, [1])).toBeNull();
    expect(summariseSeries(0.8, overshoot)).toEqual({ best: 0.95, bestStep: 2, firstStepWithin1: 2, lossAtT: expect.closeTo(-0.005, 12) as number });
  });

  it('is what the engine stores as a run’s firstStepWithin1', () => {
    const graph: Graph = { nodes: [], input: 'input', output: 'input' };
    const s = summarise(graph, 'classification', { accuracy: 0.8 }, { accuracy: overshoot }, []);
    expect(s.firstStepWithin1).toBe(2);
    expect(s.bestStep).toBe(2);
  });
});

describe('config tables', () => {
  it('defaults come from the tables', () => {
    expect(DEFAULT_CONVERSION_CONFIG).toEqual(conversionConfigSchema.parse({}));
    expect(DEFAULT_CONVERSION_CONFIG.timeSteps).toBe(CONVERSION_CONFIG_FIELDS.timeSteps.default);
    expect(DEFAULT_TRAINING_CONFIG).toEqual({ epochs: 10, batchSize: 64, learningRate: 0.05, momentum: 0.9, weightDecay: 5e-4, schedule: 'cosine', labelSmoothing: 0, augment: true, validationSplit: 0.1, seed: 0 });
    expect(Object.isFrozen(DEFAULT_TRAINING_CONFIG)).toBe(true);
    expect(describeField(CONVERSION_CONFIG_FIELDS.percentile)).toBe('p: calibration percentile (0.99 as in the original study). A number in (0, 1]; default 0.99.');
    expect(describeField(TRAINING_CONFIG_FIELDS.schedule)).toMatch(/One of cosine, constant; default cosine\.$/);
  });

  it('refuses out-of-bounds training configs field by field, saying why', () => {
    const r = check(trainingConfigSchema, { epochs: 0, learningRate: -1, momentum: 5, weightDecay: 7, labelSmoothing: 3 }, 'config');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.path).sort()).toEqual(['config.epochs', 'config.labelSmoothing', 'config.learningRate', 'config.momentum', 'config.weightDecay']);
    expect(r.issues.find((i) => i.path === 'config.epochs')?.message).toBe('must be an integer in 1..10000 (got 0)');
    expect(r.issues.find((i) => i.path === 'config.learningRate')?.message).toBe('must be a number in (0, 10] (got -1)');
    expect(check(trainingConfigSchema, { epochs: 2, nonsense: 1 }).ok).toBe(false);
    expect(check(trainingConfigSchema, { epochs: 2.5 }).ok).toBe(false);
    expect(check(trainingConfigSchema, { learningRate: Number.NaN }).ok).toBe(false);
  });

  it('refuses out-of-bounds conversion configs', () => {
    for (const bad of [{ timeSteps: 0 }, { timeSteps: 4097 }, { percentile: 0 }, { percentile: 1.5 }, { gamma: 0 }, { gamma: 1025 }, { maxPool: 'avg' }, { vInit: Infinity }, { calibrationBatches: 0 }]) {
      expect(check(conversionConfigSchema, bad).ok).toBe(false);
    }
    expect(check(conversionConfigSchema, { timeSteps: 4096, percentile: 1, gamma: 1024 }).ok).toBe(true);
  });
});

describe('model spec', () => {
  const spec = { architecture: 'resnet18', inputShape: [32, 32, 3], numClasses: 10, widthMultiplier: 1 };

  it('bounds every value of a new spec; a stored row is read by its structure only', () => {
    expect(check(modelSpecSchema, spec).ok).toBe(true);
    const huge = { ...spec, inputShape: [8192, 8192, 8192], numClasses: 100000, widthMultiplier: 16 };
    const r = check(modelSpecSchema, huge);
    expect(r.ok ? [] : r.issues.map((i) => i.path)).toEqual(['inputShape.0', 'inputShape.1', 'inputShape.2']);
    expect(check(storedModelSpecSchema, huge).ok).toBe(true);
    expect(check(storedModelSpecSchema, { ...spec, inputShape: [32, 32] }).ok).toBe(false);
    expect(check(modelSpecSchema, { ...spec, architecture: 'unet', numClasses: 2 }).ok).toBe(false);
  });
});

describe('dataset options', () => {
  it('are one flat level; a 20 000-level nesting is refused at its first level', () => {
    expect(check(datasetOptionsSchema, { size: 8, seed: 1, normalize: 'none', augment: true }).ok).toBe(true);
    let deep: unknown = 1;
    for (let i = 0; i < 20000; i++) deep = { a: deep };
    const r = check(datasetOptionsSchema, deep);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]).toEqual({ path: 'a', message: 'must be a string, a finite number or a boolean (options do not nest) (got an object)' });
    expect(check(datasetOptionsSchema, { 'bad key': 1 }).ok).toBe(false);
    expect(check(datasetOptionsSchema, Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, i]))).ok).toBe(false);
  });
});
