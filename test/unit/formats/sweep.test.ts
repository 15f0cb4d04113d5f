// Sweeps as data (src/formats/sweep.ts): the cross product of the listed values, its order and
// defaults, the axes' bounds taken from the conversion config table; and a sweep's status from its
// jobs' (src/registry/sweep-status.ts).
import {
  CONVERSION_CONFIG_FIELDS,
  DEFAULT_CONVERSION_CONFIG,
  SWEEP_AXES,
  check,
  configKey,
  crossProduct,
  pointCount,
  sweepAxesSchema,
  sweptAxes,
} from '../../../src/formats/index.js';
import { sweepStatusOf } from '../../../src/registry/sweep-status.js';

describe('sweep axes and their cross product', () => {
  it('every field of the conversion config table is an axis', () => {
    expect(SWEEP_AXES).toEqual(Object.keys(CONVERSION_CONFIG_FIELDS));
  });

  it('lists every combination once, fields in table order, the last field varying fastest, defaults filled in', () => {
    const axes = { gamma: [1, 3, 5], percentile: [0.99, 0.999], maxPool: ['lipool' as const, 'gate' as const], timeSteps: [16] };
    const configs = crossProduct(axes);
    expect(configs).toHaveLength(12);
    expect(pointCount(axes)).toBe(12);
    expect(new Set(configs.map(configKey)).size).toBe(12);
    // table order: timeSteps, percentile, gamma, channelWise, maxPool, …
    expect(configs.slice(0, 4).map((c) => [c.percentile, c.gamma, c.maxPool])).toEqual([
      [0.99, 1, 'lipool'], [0.99, 1, 'gate'], [0.99, 3, 'lipool'], [0.99, 3, 'gate'],
    ]);
    expect(configs[11]).toEqual({ ...DEFAULT_CONVERSION_CONFIG, timeSteps: 16, percentile: 0.999, gamma: 5, maxPool: 'gate' });
    expect(sweptAxes(axes)).toEqual(['percentile', 'gamma', 'maxPool']);
  });

  it('no axis: one point, the defaults', () => {
    expect(crossProduct({})).toEqual([DEFAULT_CONVERSION_CONFIG]);
    expect(pointCount({})).toBe(1);
    expect(sweptAxes({ gamma: [5] })).toEqual([]);
  });

  it('bounds every value with its field of the table; refuses a value listed twice, an empty list and unknown fields', () => {
    const gammaMax = CONVERSION_CONFIG_FIELDS.gamma.max;
    expect(check(sweepAxesSchema, { gamma: [1, gammaMax] }).ok).toBe(true);
    const cases: [unknown, string, RegExp][] = [
      [{ gamma: [1, gammaMax + 1] }, 'gamma.1', /integer in 1\.\.1024 \(got 1025\)/],
      [{ percentile: [0.99, 0] }, 'percentile.1', /number in \(0, 1\]/],
      [{ maxPool: ['lipool', 'avg'] }, 'maxPool.1', /one of lipool, gate/],
      [{ channelWise: [true, 'false'] }, 'channelWise.1', /true or false/],
      [{ gamma: [5, 5] }, 'gamma', /lists a value twice/],
      [{ gamma: [] }, 'gamma', /at least one value/],
      [{ gama: [5] }, 'gama', /unknown field/],
    ];
    for (const [axes, path, message] of cases) {
      const r = check(sweepAxesSchema, axes, '');
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.issues[0]!.path).toBe(path);
        expect(r.issues[0]!.message).toMatch(message);
      }
    }
  });

  it('configKey tells configs apart by every field, and only by them', () => {
    expect(configKey({ ...DEFAULT_CONVERSION_CONFIG })).toBe(configKey({ ...DEFAULT_CONVERSION_CONFIG }));
    for (const a of SWEEP_AXES) {
      const other = crossProduct({ [a]: [DEFAULT_CONVERSION_CONFIG[a]] })[0]!;
      expect(configKey(other)).toBe(configKey(DEFAULT_CONVERSION_CONFIG));
    }
    expect(configKey({ ...DEFAULT_CONVERSION_CONFIG, vInit: 0.5 })).not.toBe(configKey(DEFAULT_CONVERSION_CONFIG));
    expect(configKey({ ...DEFAULT_CONVERSION_CONFIG, channelWise: true })).not.toBe(configKey(DEFAULT_CONVERSION_CONFIG));
  });
});

describe("a sweep's status from its jobs", () => {
  it.each([
    [[], 'SUCCEEDED'],
    [['SUCCEEDED', 'SUCCEEDED'], 'SUCCEEDED'],
    [['QUEUED', 'QUEUED'], 'QUEUED'],
    [['RUNNING', 'QUEUED'], 'RUNNING'],
    [['SUCCEEDED', 'QUEUED'], 'RUNNING'],
    [['CANCELLED', 'RUNNING'], 'RUNNING'],
    [['SUCCEEDED', 'CANCELLED'], 'CANCELLED'],
    [['FAILED', 'CANCELLED', 'SUCCEEDED'], 'FAILED'],
  ] as const)('%j → %s', (jobs, status) => {
    expect(sweepStatusOf(jobs)).toBe(status);
  });
});
