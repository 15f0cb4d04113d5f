// The study's report: README.md (tables, settings, machine, reference values) and PNG figures
// (Vega-Lite → SVG → PNG with sharp, offline), all written atomically from one StudyResults.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { renderSpecToPng, writeFileAtomic } from '../../client/report/render.js';
import type { ZooModelSpec } from '../../src/formats/model.js';
import type { StudySettings } from './options.js';
import type { BackboneResult, ConversionRecord, SweepResult, TrainingRecord } from './study.js';

export interface DatasetStudy {
  key: 'fashion-mnist' | 'cifar10';
  name: string;
  path: string;
  imageShape: [number, number, number];
  trainImages: number;
  validationImages: number;
  testImages: number;
  sweepTestImages: number;
  backbones: BackboneResult[];
  sweeps: SweepResult[];
}

export interface UnetStudy {
  label: string;
  spec: ZooModelSpec;
  parameters: number;
  macs: number;
  trainImages: number;
  validationImages: number;
  testImages: number;
  training: TrainingRecord;
  conversion: ConversionRecord;
}

export interface StudyResults {
  version: 1;
  /** False while the run is in progress (or when it stopped early): the report says so. */
  complete: boolean;
  startedAt: string;
  finishedAt: string | null;
  wallSeconds: number;
  command: string;
  machine: {
    cpuModel: string;
    cores: number;
    memoryGiB: number;
    loadAverageAtStart: number[];
    node: string;
    platform: string;
    trainingBackend: string;
    tfjsCore: string;
    conversionBackend: string;
    ortThreads: number;
  };
  settings: StudySettings;
  datasets: DatasetStudy[];
  unet: UnetStudy | null;
}

/** Steps shown as table columns: powers of two up to T, and T itself. */
export function tableSteps(T: number): number[] {
  const out: number[] = [];
  for (let t = 1; t < T; t *= 2) out.push(t);
  out.push(T);
  return out;
}

const f3 = (v: number | null | undefined): string => (v === null || v === undefined || Number.isNaN(v) ? '–' : v.toFixed(3));
const f4 = (v: number | null | undefined): string => (v === null || v === undefined || Number.isNaN(v) ? '–' : v.toFixed(4));
const pts = (v: number): string => `${v >= 0 ? '' : '−'}${Math.abs(100 * v).toFixed(1)}`;
const sci = (v: number): string => (v >= 1e9 ? `${(v / 1e9).toFixed(2)} G` : v >= 1e6 ? `${(v / 1e6).toFixed(2)} M` : v >= 1e3 ? `${(v / 1e3).toFixed(1)} k` : v.toFixed(0));
const cell = (s: string | number): string => String(s).replace(/\|/g, '\\|');

function table(head: string[], rows: (string | number)[][], align?: string[]): string {
  const a = align ?? head.map((_, i) => (i === 0 ? ':--' : '--:'));
  return [`| ${head.map(cell).join(' | ')} |`, `| ${a.join(' | ')} |`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}

/** The UNet's test panels (image | label | ANN | SNN), drawn by the run itself (results.json keeps no pixels). */
export const UNET_PANELS = 'unet-panels.png';

/** results.json: numbers rounded to 6 significant digits, one value per line kept out (compact arrays). */
export function resultsJson(r: StudyResults): string {
  const round = (_k: string, v: unknown): unknown => (typeof v === 'number' && Number.isFinite(v) && !Number.isInteger(v) ? Number(v.toPrecision(6)) : v);
  return `${JSON.stringify(r, round, 1).replace(/\[[\d\s.,eE+-]*\]/g, (m) => m.replace(/\s+/g, ''))}\n`;
}

const figName = {
  curves: (ds: string) => `${ds}-accuracy-vs-T.png`,
  loss: (ds: string) => `${ds}-loss-at-T.png`,
  sweep: (ds: string) => `${ds}-sweep-heatmap.png`,
  unet: 'unet-soft-dice-vs-T.png',
  panels: UNET_PANELS,
};

// ---------------------------------------------------------------- figures

function curvesSpec(ds: DatasetStudy): TopLevelSpec {
  const values: Record<string, unknown>[] = [];
  for (const b of ds.backbones) {
    const acc = b.conversion.stepMetrics['accuracy'] ?? [];
    acc.forEach((v, i) => values.push({ arch: b.label.split(' ')[0], width: `×${b.width}`, t: i + 1, value: v, kind: 'SNN' }));
    values.push({ arch: b.label.split(' ')[0], width: `×${b.width}`, t: 1, value: b.conversion.summary.annValue, kind: 'ANN' });
    values.push({ arch: b.label.split(' ')[0], width: `×${b.width}`, t: acc.length, value: b.conversion.summary.annValue, kind: 'ANN' });
  }
  const T = Math.max(1, ...ds.backbones.map((b) => b.conversion.config.timeSteps));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: `${ds.name}: SNN test accuracy vs time step (ANN dashed), p = 0.99, Γ = 5, LIPool`, anchor: 'start' },
    data: { values },
    background: 'white',
    facet: { field: 'arch', type: 'nominal', title: null, sort: ['VGG-11', 'VGG-16', 'ResNet-18', 'ResNet-34'] },
    columns: 2,
    spec: {
      width: 300,
      height: 190,
      mark: { type: 'line', strokeWidth: 2 },
      encoding: {
        x: { field: 't', type: 'quantitative', title: 'time step t', scale: { type: 'log', base: 2, domain: [1, T] }, axis: { values: tableSteps(T) } },
        y: { field: 'value', type: 'quantitative', title: 'test accuracy', scale: { domain: [0, 1] } },
        color: { field: 'width', type: 'nominal', title: 'width' },
        strokeDash: { field: 'kind', type: 'nominal', title: null, scale: { domain: ['SNN', 'ANN'], range: [[1, 0], [5, 4]] } },
      },
    },
  };
}

/** Steps the heat map shows: an early one (T/4) and T. */
export function sweepSteps(T: number): number[] {
  return T >= 4 ? [T / 4 === Math.floor(T / 4) ? T / 4 : Math.floor(T / 4), T] : [T];
}

function sweepSpec(ds: DatasetStudy): TopLevelSpec {
  const values: Record<string, unknown>[] = [];
  const T = ds.sweeps[0]?.timeSteps ?? 1;
  const steps = sweepSteps(T);
  for (const s of ds.sweeps) {
    for (const c of s.cells) {
      for (const t of steps) {
        const at = c.series[t - 1] ?? NaN;
        values.push({ backbone: s.label, step: `t = ${t}`, gamma: `Γ = ${c.gamma}`, p: `p = ${c.percentile}`, acc: at, loss: c.ann - at });
      }
    }
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: `${ds.name} sweep: SNN accuracy (text) and ANN − SNN (colour) at t = ${steps.join(' and ')}, ${ds.sweepTestImages} test images`, anchor: 'start' },
    data: { values },
    background: 'white',
    facet: {
      column: { field: 'backbone', type: 'nominal', title: null },
      row: { field: 'step', type: 'nominal', title: null, sort: steps.map((t) => `t = ${t}`) },
    },
    spec: {
      width: 180,
      height: 130,
      encoding: {
        x: { field: 'p', type: 'nominal', title: 'calibration percentile', axis: { labelAngle: 0 } },
        y: { field: 'gamma', type: 'nominal', title: 'max burst Γ', sort: 'descending' },
      },
      layer: [
        { mark: 'rect', encoding: { color: { field: 'loss', type: 'quantitative', title: 'ANN − SNN', scale: { scheme: 'orangered', domainMin: 0 } } } },
        { mark: { type: 'text', fontSize: 13 }, encoding: { text: { field: 'acc', type: 'quantitative', format: '.3f' }, color: { value: 'black' } } },
      ],
    },
  };
}

function unetSpec(u: UnetStudy): TopLevelSpec {
  const values: Record<string, unknown>[] = [];
  const names: [string, string][] = [['softDice', 'soft Dice'], ['f1', 'F1 (binarised)'], ['iou', 'IoU (binarised)']];
  for (const [key, name] of names) {
    const series = u.conversion.stepMetrics[key];
    const ann = u.conversion.annMetrics[key];
    if (!series || ann === undefined) continue;
    series.forEach((v, i) => values.push({ metric: name, t: i + 1, value: v, kind: 'SNN' }));
    values.push({ metric: name, t: 1, value: ann, kind: 'ANN' }, { metric: name, t: series.length, value: ann, kind: 'ANN' });
  }
  const T = u.conversion.config.timeSteps;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: `UNet on the synthetic EM set: SNN vs time step (ANN dashed), ${u.testImages} test images`, anchor: 'start' },
    data: { values },
    background: 'white',
    width: 440,
    height: 260,
    mark: { type: 'line', strokeWidth: 2 },
    encoding: {
      x: { field: 't', type: 'quantitative', title: 'time step t', scale: { type: 'log', base: 2, domain: [1, T] }, axis: { values: tableSteps(T) } },
      y: { field: 'value', type: 'quantitative', title: null, scale: { domain: [0, 1] } },
      color: { field: 'metric', type: 'nominal', title: null },
      strokeDash: { field: 'kind', type: 'nominal', title: null, scale: { domain: ['SNN', 'ANN'], range: [[1, 0], [5, 4]] } },
    },
  };
}

/** Draws every figure the results allow; returns the file names written (relative to dir). */
export async function writeFigures(r: StudyResults, dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const ds of r.datasets) {
    if (ds.backbones.length > 0) {
      await renderSpecToPng(curvesSpec(ds), join(dir, figName.curves(ds.key)));
      out.push(figName.curves(ds.key));
    }
    if (ds.sweeps.length > 0) {
      await renderSpecToPng(sweepSpec(ds), join(dir, figName.sweep(ds.key)));
      out.push(figName.sweep(ds.key));
    }
  }
  if (r.unet) {
    await renderSpecToPng(unetSpec(r.unet), join(dir, figName.unet));
    out.push(figName.unet);
    if (existsSync(join(dir, figName.panels))) out.push(figName.panels);
  }
  return out;
}

// ---------------------------------------------------------------- markdown

/** The original study's values (issue 12), with what each difference here comes from. */
export function referenceSection(r: StudyResults): string {
  const fm = r.datasets.find((d) => d.key === 'fashion-mnist');
  const cf = r.datasets.find((d) => d.key === 'cifar10');
  const main = cf ?? fm;
  const T = r.settings.timeSteps;
  const ours = (arch: string): string => {
    if (!main) return '–';
    const bs = main.backbones.filter((b) => b.architecture === arch);
    if (bs.length === 0) return '–';
    return bs.map((b) => `${b.label}: ${f3(b.conversion.summary.annValue)} → ${f3(b.conversion.stepMetrics['accuracy']?.[T - 1])}`).join('; ');
  };
  const u = r.unet;
  const uAt = (k: string): string => (u ? f4(u.conversion.stepMetrics[k]?.[u.conversion.config.timeSteps - 1]) : '–');
  const uAnn = (k: string): string => (u ? f4(u.conversion.annMetrics[k]) : '–');
  const dsName = main?.name ?? '–';
  const rows: string[][] = [
    ['CIFAR-10, T = 64, p = 0.99, Γ = 5, LIPool: VGG-18', '0.97 → 0.95', `${dsName}, T = ${T}: ${['vgg11', 'vgg16', 'vgg18'].map(ours).filter((x) => x !== '–').join('; ') || '–'}`],
    ['ResNet-18', '0.97 → 0.10', `${dsName}, T = ${T}: ${ours('resnet18')}`],
    ['ResNet-50', '0.95 → 0.89', `not run (ResNet-34 instead: ${ours('resnet34')})`],
    ['ResNet-101', '0.92 → 0.88', 'not run'],
    ['CLIP-RN50', '0.57 → 0.10', 'not run (needs the hybrid attention-pool head, issue 12 item 6)'],
    ['UNet on Lucchi: ANN soft Dice', '0.8621', u ? `synthetic EM set: ${uAnn('softDice')}` : 'not run'],
    [`UNet on Lucchi: SNN soft Dice, T = 256`, '0.8232', u ? `synthetic EM set, T = ${u.conversion.config.timeSteps}: ${uAt('softDice')}` : 'not run'],
    ['UNet on Lucchi: binarised F1, ANN → SNN', '0.8866 → 0.8859', u ? `synthetic EM set: ${uAnn('f1')} → ${uAt('f1')}` : 'not run'],
    ['UNet on Lucchi: SNN soft Dice at t = 2 / 16 / 64 (design/conversion.md §8)', '0.1035 / 0.4572 / 0.7038', u ? `synthetic EM set: ${[2, 16, 64].map((t) => f4(u.conversion.stepMetrics['softDice']?.[t - 1])).join(' / ')}` : 'not run'],
  ];
  return table(['setting', 'reference (original study)', 'this study'], rows, [':--', ':--', ':--']);
}

function accuracyTable(ds: DatasetStudy): string {
  const T = Math.max(...ds.backbones.map((b) => b.conversion.config.timeSteps));
  const steps = tableSteps(T);
  const rows = ds.backbones.map((b) => {
    const acc = b.conversion.stepMetrics['accuracy'] ?? [];
    const s = b.conversion.summary;
    return [b.label, b.family, f3(s.annValue), ...steps.map((t) => f3(acc[t - 1])), pts(s.lossAtT), s.firstStepWithin1 ?? 'never', `${f3(s.best)} (t = ${s.bestStep})`];
  });
  return table(['backbone', 'family', 'ANN', ...steps.map((t) => `t = ${t}`), `loss at T (points)`, 'first t within 1 point', 'best SNN (step)'], rows);
}

function costTable(ds: DatasetStudy): string {
  const rows = ds.backbones.map((b) => {
    const s = b.conversion.summary;
    const rates = b.conversion.layerStats.filter((l) => l.kind === 'if');
    const meanRate = rates.length > 0 ? rates.reduce((a, l) => a + l.firingRate, 0) / rates.length : NaN;
    return [b.label, sci(b.parameters), sci(s.annMacs), sci(s.sops), (s.sops / s.annMacs).toFixed(2), s.energyRatio.toFixed(3), meanRate.toFixed(3), rates.length];
  });
  return table(['backbone', 'parameters', 'ANN MACs / image', `SOPs / image (T = ${ds.backbones[0]?.conversion.config.timeSteps ?? ''})`, 'SOPs / MACs', 'E_SNN / E_ANN', 'mean firing rate (spikes / neuron / step)', 'spiking sites'], rows);
}

function trainingTable(ds: DatasetStudy): string {
  const rows = ds.backbones.map((b) => [
    b.label,
    b.training.config.epochs,
    b.training.trainImages,
    `${b.training.bestEpoch}`,
    f4(b.training.bestValMetric),
    f4(b.conversion.summary.annValue),
    b.training.seconds.toFixed(0),
    b.conversion.seconds.toFixed(0),
  ]);
  return table(['backbone', 'epochs', 'training images', 'best epoch', 'validation accuracy', `test accuracy (${ds.testImages} images)`, 'training s', 'conversion s'], rows);
}

function sweepTable(ds: DatasetStudy): string {
  const T = ds.sweeps[0]?.timeSteps ?? 1;
  const steps = tableSteps(T);
  const rows: (string | number)[][] = [];
  for (const s of ds.sweeps) {
    for (const c of s.cells) {
      rows.push([s.label, c.gamma, c.percentile, f3(c.ann), ...steps.map((t) => f3(c.series[t - 1])), pts(c.summary.lossAtT), c.summary.firstStepWithin1 ?? 'never']);
    }
  }
  return table(['backbone', 'Γ', 'p', 'ANN', ...steps.map((t) => `t = ${t}`), 'loss at T (points)', 'first t within 1 point'], rows);
}

function unetTables(u: UnetStudy): string {
  const T = u.conversion.config.timeSteps;
  const steps = tableSteps(T);
  const metrics: [string, string][] = [['softDice', 'soft Dice (per image)'], ['f1', 'F1 (pooled, at 0.5)'], ['iou', 'IoU (pooled, at 0.5)'], ['pixelAccuracy', 'pixel accuracy (pooled)']];
  const rows = metrics
    .filter(([k]) => u.conversion.stepMetrics[k] !== undefined)
    .map(([k, name]) => [name, f4(u.conversion.annMetrics[k]), ...steps.map((t) => f4(u.conversion.stepMetrics[k]?.[t - 1]))]);
  const s = u.conversion.summary;
  return [
    table(['metric', 'ANN', ...steps.map((t) => `t = ${t}`)], rows),
    '',
    `Soft Dice: loss at T = ${T} ${pts(s.lossAtT)} points, first step within 1 point ${s.firstStepWithin1 ?? 'never'}, ` +
      `SOPs / image ${sci(s.sops)} vs ANN MACs ${sci(s.annMacs)}, E_SNN / E_ANN = ${s.energyRatio.toFixed(3)}. ` +
      `Trained ${u.training.config.epochs} epochs on ${u.training.trainImages} images (${u.training.seconds.toFixed(0)} s), best epoch ${u.training.bestEpoch} ` +
      `(validation soft Dice ${f4(u.training.bestValMetric)}); conversion ${u.conversion.seconds.toFixed(0)} s.`,
  ].join('\n');
}

function settingsBlock(r: StudyResults): string {
  const s = r.settings;
  const lines = [
    `- Command: \`${r.command}\` (from the repository root; \`npm run study\` builds first).`,
    `- Data: Fashion-MNIST from \`${s.fashionDir}\` (Debian package \`dataset-fashion-mnist\`)${s.cifar10Dir ? `; CIFAR-10 from \`${s.cifar10Dir}\`` : '; CIFAR-10 not given (`--cifar10 DIR` or `STUDY_CIFAR10=DIR`: the binary version, nothing is downloaded), so not run'}.`,
    `- Backbones: ${s.architectures.join(', ')} at width ×${s.widths.join(', ×')} (ResNets with the ImageNet stem: 7×7/2 conv + 3×3/2 max-pool, as in \`npm run demo\`; VGG skips the pools that would go below 1×1 on 28×28 inputs).`,
    `- Training (tfjs, ${r.machine.trainingBackend.split(' (')[0]}): the first ${s.trainSamples} training images, 10 % of them held out for validation (model selection; the test set is never used for it), ${s.epochs} epoch(s), batch ${s.batchSize}, SGD momentum 0.9, weight decay 5·10⁻⁴, learning rate ${s.learningRate} with a cosine schedule, no augmentation, seed ${s.seed}.`,
    `- Conversion (ONNX Runtime CPU, ${r.machine.ortThreads} threads): T = ${s.timeSteps}, p = 0.99, Γ = 5, LIPool, reset by subtraction, layer-wise λ from 1 calibration batch of 100 training images, direct input; ANN and SNN on the first ${s.testSamples} test images.`,
    s.sweep.backbones.length > 0
      ? `- Sweep: Γ ∈ {${s.sweep.gammas.join(', ')}} × p ∈ {${s.sweep.percentiles.join(', ')}} on ${s.sweep.backbones.map((b) => `${b.architecture} ×${b.width}`).join(' and ')}, T = ${s.sweep.timeSteps}, first ${s.sweep.testSamples} test images (each cell its own calibration and simulation: the engine's sweep with shared calibrations has not landed on main).`
      : '- Sweep: none.',
    s.unet.enabled
      ? `- UNet: depth ${s.unet.depth}, base width ${s.unet.baseWidth}, on the synthetic EM-like set (${s.unet.size}×${s.unet.size}, seeded, always labelled synthetic): ${s.unet.trainSamples} training images (10 % validation), ${s.unet.testSamples} test images, ${s.unet.epochs} epochs, batch 16, augmentation on; converted at T = ${s.unet.timeSteps}, p = 0.99, Γ = 5, LIPool.`
      : '- UNet: not run.',
  ];
  return lines.join('\n');
}

function machineBlock(r: StudyResults): string {
  const m = r.machine;
  return [
    `- Measured ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC → ${r.finishedAt ? r.finishedAt.slice(0, 16).replace('T', ' ') + ' UTC' : '(still running / stopped early)'}; wall time ${(r.wallSeconds / 60).toFixed(1)} min.`,
    `- Machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB; ${m.platform}; Node ${m.node}. Load average at start ${m.loadAverageAtStart.join(' / ')}: the cores were shared with other builds and test runs, so the seconds below are noisy.`,
    `- Training backend: ${m.trainingBackend}; tfjs-core ${m.tfjsCore}.`,
    `- Conversion: ${m.conversionBackend}, ${m.ortThreads} intra-op threads.`,
  ].join('\n');
}

const mean = (xs: number[]): number => (xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length);
const lossAt = (b: BackboneResult): number => b.conversion.summary.lossAtT;

/** What the measured rows say, in sentences computed from them (nothing here is typed in by hand). */
export function findings(ds: DatasetStudy): string {
  const bs = ds.backbones;
  if (bs.length === 0) return '';
  const lines: string[] = [];
  const fam = (f: string): BackboneResult[] => bs.filter((b) => b.family === f);
  const plain = fam('plain');
  const residual = fam('residual');
  const T = bs[0]!.conversion.config.timeSteps;
  if (plain.length > 0 && residual.length > 0) {
    lines.push(
      `- **Family.** Mean ANN → SNN loss at T = ${T}: plain (VGG) ${pts(mean(plain.map(lossAt)))} points over ${plain.length} backbone(s), residual (ResNet) ${pts(mean(residual.map(lossAt)))} points over ${residual.length}. ` +
        `Mean first step within 1 point of the ANN (backbones that got there): plain ${fmtStep(mean(plain.map((b) => b.conversion.summary.firstStepWithin1 ?? NaN).filter(Number.isFinite)))}, residual ${fmtStep(mean(residual.map((b) => b.conversion.summary.firstStepWithin1 ?? NaN).filter(Number.isFinite)))}; ` +
        `never within 1 point by T: ${bs.filter((b) => b.conversion.summary.firstStepWithin1 === null).map((b) => b.label).join(', ') || 'none'}.`,
    );
  }
  const widths = [...new Set(bs.map((b) => b.width))].sort((a, b) => a - b);
  if (widths.length > 1) {
    lines.push(`- **Size.** Mean loss at T by width: ${widths.map((w) => `×${w} ${pts(mean(bs.filter((b) => b.width === w).map(lossAt)))} points`).join(', ')}; mean ANN accuracy ${widths.map((w) => `×${w} ${f3(mean(bs.filter((b) => b.width === w).map((b) => b.conversion.summary.annValue)))}`).join(', ')}.`);
  }
  const climbing = bs
    .map((b) => {
      const acc = b.conversion.stepMetrics['accuracy'] ?? [];
      const half = Math.max(1, Math.floor(acc.length / 2));
      return { b, gain: (acc.at(-1) ?? NaN) - (acc[half - 1] ?? NaN), half, sites: b.conversion.layerStats.filter((l) => l.kind === 'if').length };
    })
    .filter((x) => x.gain > 0.05 && lossAt(x.b) > 0.02);
  if (climbing.length > 0) {
    lines.push(
      `- **Still climbing at T.** ${climbing.map((x) => `${x.b.label} gained ${pts(x.gain)} points between t = ${x.half} and t = ${T} (${x.sites} spiking sites)`).join('; ')}: ` +
        `${climbing.length > 1 ? 'these SNNs had' : 'the SNN had'} not caught up with the ANN by T (gain of more than 5 points over the last half of the steps, loss at T above 2 points), so the loss at T measures latency more than a final conversion error: every spiking layer in series delays the signal; more steps (\`-T 128\`, \`-T 256\`) show where it levels off.`,
    );
  }
  const best = [...bs].sort((a, b) => lossAt(a) - lossAt(b))[0]!;
  const worst = [...bs].sort((a, b) => lossAt(b) - lossAt(a))[0]!;
  lines.push(`- **Extremes.** Smallest loss at T: ${best.label} (${pts(lossAt(best))} points); largest: ${worst.label} (${pts(lossAt(worst))} points). Lowest energy ratio: ${[...bs].sort((a, b) => a.conversion.summary.energyRatio - b.conversion.summary.energyRatio)[0]!.label}.`);
  lines.push(`- These are ${ds.testImages} test images: one image is ${(100 / ds.testImages).toFixed(2)} points, so differences of a point or two between backbones are within the noise of the subset.`);
  return lines.join('\n');
}

const fmtStep = (v: number): string => (Number.isFinite(v) ? `t ≈ ${v.toFixed(1)}` : 'none got there');

function differences(r: StudyResults): string {
  const fm = r.datasets.find((d) => d.key === 'fashion-mnist');
  const rn18 = fm?.backbones.filter((b) => b.architecture === 'resnet18') ?? [];
  const vgg = fm?.backbones.filter((b) => b.family === 'plain') ?? [];
  const rn18Text = rn18.length > 0 ? rn18.map((b) => `${b.label} ${f3(b.conversion.summary.annValue)} → ${f3(b.conversion.stepMetrics['accuracy']?.at(-1))}`).join(', ') : 'not run';
  const u = r.unet;
  return [
    `- **ResNet-18, 0.97 → 0.10 in the reference; here ${rn18Text}.** The reference's collapse to chance level was a conversion bug, not a property of residual nets: its ResNet block applied one ReLU module at two sites (after the first conv and after the addition), so the two sites shared one membrane potential and one threshold (design/conversion.md §1 and defect 1). This engine creates one neuron population per activation *site* (a ReLU object called twice becomes two populations)` +
      (rn18.length > 0 && vgg.length > 0 ? `: here ResNet-18 loses ${pts(mean(rn18.map(lossAt)))} points at T on average, the VGGs ${pts(mean(vgg.map(lossAt)))}.` : '.'),
    r.datasets.some((d) => d.key === 'cifar10')
      ? '- **Data set.** The reference is CIFAR-10; the rows "this study" above are CIFAR-10 too (Fashion-MNIST is in its own section).'
      : '- **Data set.** The reference is CIFAR-10 (32×32 colour); this run is Fashion-MNIST (28×28 grey), the real data set installed here. Run `npm run study -- --cifar10 DIR` where the CIFAR-10 binary files are for the like-for-like comparison.',
    `- **Width and training budget.** The reference trained full-width networks to convergence (ANN ≈ 0.92–0.97). Here, on 2 shared cores, the networks are ×${r.settings.widths.join(' / ×')} wide and trained for ${r.settings.epochs} epoch(s) on ${r.settings.trainSamples} images, so the ANN accuracies are lower and not comparable in absolute terms; what is comparable is the ANN → SNN loss at T and how fast the SNN catches up.`,
    '- **VGG-18 vs VGG-11/16.** The reference\'s "VGG-18" is its own 2-2-4-4-3 variant (in the zoo as `vgg18`); the family question here is asked with the standard VGG-11 and VGG-16.',
    '- **ResNet-50 / ResNet-101 / CLIP-RN50** were not trained here (bottleneck blocks at these sizes do not fit the time budget; CLIP needs the hybrid head of issue 12 item 6).',
    `- **Calibration.** λ is the 0.99 percentile of each site's post-ReLU outputs, zeros included, never clipped at Γ during calibration; the reference clipped at Γ silently (defect 3), which shrinks deeper λ and changes the early steps (measured on a small Fashion-MNIST VGG: accuracy at T = 4 0.58 unclipped vs 0.65 clipped). Accuracies are per-sample means over the test subset (the reference averaged per-batch values, defect 5).`,
    u
      ? `- **UNet.** The reference is a full UNet on Lucchi (768×1024 EM slices, T = 256); here a small UNet (depth ${u.spec.depth}, base width ${u.spec.baseWidth}, ${sci(u.parameters)} parameters) on the project's synthetic EM-like set (${u.spec.inputShape[0]}×${u.spec.inputShape[1]}), T = ${u.conversion.config.timeSteps}. Lucchi is not installed here (the readers exist: \`lucchi-tiff\`, \`lucchi-png\`). Soft Dice here is the running mean of the per-step sigmoid outputs (design/conversion.md §5), not the reference's per-image min-max normalisation. The running mean carries the first steps' near-zero outputs, so soft Dice climbs slowly in both studies (compare the per-step row above), while the binarised F1 is close to the ANN's much earlier. It also averages the sigmoid of each step's (fluctuating) output rather than taking the sigmoid of the averaged output, which gives softer probabilities than the ANN's; soft Dice rewards confident probabilities, so it stays below the ANN's even where the thresholded masks nearly agree (consistent with F1 and IoU here; the readout options of issue 12 address this).`
      : '- **UNet**: not run.',
  ].join('\n');
}

function notDone(r: StudyResults): string {
  const s = r.settings;
  const lines: string[] = [];
  if (!s.widths.includes(1)) lines.push('- Width ×1: left out of the defaults because it does not fit the time budget on this machine (2 cores shared with other work); `--widths 0.25,0.5,1` runs it.');
  if (s.cifar10Dir === null) lines.push('- CIFAR-10: not given to this run (no CIFAR-10 files are installed on the build machine, and the study downloads nothing); `--cifar10 DIR` or `STUDY_CIFAR10=DIR` adds it.');
  lines.push('- ResNet-50, ResNet-101 and CLIP-RN50 of the original study: not trained or converted here.');
  lines.push(`- Training to convergence: ${s.epochs} epoch(s) on ${s.trainSamples} images is a budget, not a converged network; the ANN figures are what that budget gives.`);
  if (s.unet.enabled && s.unet.timeSteps < 256) lines.push(`- UNet at T = 256 (the reference's T) and on Lucchi: here T = ${s.unet.timeSteps} on the synthetic EM set (\`--unet-T 256\`; Lucchi is not installed here).`);
  lines.push('- The sweep runs one calibration and one simulation per cell (plain conversions); a shared-calibration sweep engine (issue 12 item 1) was not on main when this was written.');
  return lines.join('\n');
}

/** README.md of the study, from the results (complete or not). */
export function renderReadme(r: StudyResults, figures: readonly string[]): string {
  const has = (f: string): boolean => figures.includes(f);
  const parts: string[] = [];
  parts.push('# The study, reproduced: `npm run study`');
  parts.push('');
  parts.push(
    'Which backbone family and which size converts best to a burst-spike SNN? VGG-11 and VGG-16 (plain) against ResNet-18 and ResNet-34 ' +
      '(residual), each at several widths, trained with this project\'s training engine (TensorFlow.js) and converted with its conversion engine ' +
      '(ONNX Runtime), plus a UNet on the synthetic EM segmentation set. Generated by `experiments/study/run.ts`; raw numbers (every step of every ' +
      'run, per-site λ, firing rates and SOPs, training curves) are in [`results.json`](results.json).',
  );
  parts.push('');
  if (!r.complete) {
    parts.push('> **Incomplete run**: this report was written while the run was in progress or after it stopped; only the rows below were measured.');
    parts.push('');
  }
  parts.push('## Machine and date');
  parts.push('');
  parts.push(machineBlock(r));
  parts.push('');
  parts.push('## Settings');
  parts.push('');
  parts.push(settingsBlock(r));
  parts.push('');
  parts.push(
    'The defaults are sized for a 2-core machine shared with other work (about 45 minutes). Width ×1 was left out here for that reason; on a bigger machine, ' +
      'e.g. `npm run study -- --widths 0.25,0.5,1 --epochs 15 --train-samples 60000 --test-samples 10000 --sweep-test-samples 2000` (see `npm run study -- --help`).',
  );
  parts.push('');
  for (const ds of r.datasets) {
    parts.push(`## ${ds.name}`);
    parts.push('');
    parts.push(`${ds.trainImages} training images, ${ds.validationImages} held out for validation; every accuracy below is on the first ${ds.testImages} test images (ANN and SNN on the same images).`);
    parts.push('');
    const fd = findings(ds);
    if (fd !== '') {
      parts.push('### What the rows say');
      parts.push('');
      parts.push(fd);
      parts.push('');
    }
    parts.push(`### SNN accuracy at time step t`);
    parts.push('');
    parts.push(accuracyTable(ds));
    parts.push('');
    parts.push('"Loss at T" is ANN − SNN at the last step, in points (a negative loss: the SNN is above the ANN). "First t within 1 point": the first step with SNN ≥ ANN − 0.01.');
    parts.push('');
    if (has(figName.curves(ds.key))) {
      parts.push(`![${ds.name}: accuracy vs time step](${figName.curves(ds.key)})`);
      parts.push('');
    }
    parts.push('### Cost: synaptic operations and energy');
    parts.push('');
    parts.push(costTable(ds));
    parts.push('');
    parts.push('SOPs: spikes emitted into each linear layer × its fan-out per input, summed over all T steps, per image. E_SNN / E_ANN = (SOPs · 0.9 pJ) / (MACs · 4.6 pJ) (45 nm figures).');
    parts.push('');
    parts.push('### Training');
    parts.push('');
    parts.push(trainingTable(ds));
    parts.push('');
    if (ds.sweeps.length > 0) {
      parts.push(`### Sweep: Γ × p at T = ${ds.sweeps[0]!.timeSteps}`);
      parts.push('');
      parts.push(sweepTable(ds));
      parts.push('');
      if (has(figName.sweep(ds.key))) {
        parts.push(`![${ds.name}: sweep heat map](${figName.sweep(ds.key)})`);
        parts.push('');
      }
    }
  }
  if (r.unet) {
    parts.push('## UNet on the synthetic EM set');
    parts.push('');
    parts.push(unetTables(r.unet));
    parts.push('');
    if (has(figName.unet)) {
      parts.push(`![UNet: soft Dice vs time step](${figName.unet})`);
      parts.push('');
    }
    if (has(figName.panels)) {
      parts.push(`Test images (image | label | ANN | SNN at T, binarised at 0.5):`);
      parts.push('');
      parts.push(`![UNet panels](${figName.panels})`);
      parts.push('');
    }
  }
  parts.push('## Beside the original study');
  parts.push('');
  parts.push(referenceSection(r));
  parts.push('');
  parts.push('### Why the numbers differ');
  parts.push('');
  parts.push(differences(r));
  parts.push('');
  parts.push('## Not done in this run');
  parts.push('');
  parts.push(notDone(r));
  parts.push('');
  return parts.join('\n');
}

/** Further runs kept in sub-directories of the report's directory (each with its own results.json and README.md). */
export function readFurtherRuns(dir: string): { name: string; results: StudyResults }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, 'results.json')))
    .map((e) => ({ name: e.name, results: JSON.parse(readFileSync(join(dir, e.name, 'results.json'), 'utf8')) as StudyResults }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** One section listing the further runs: their command and, per backbone, ANN → SNN at T. */
export function furtherRunsSection(runs: readonly { name: string; results: StudyResults }[]): string {
  if (runs.length === 0) return '';
  const out: string[] = ['## Further runs', ''];
  for (const { name, results: r } of runs) {
    out.push(`### [${name}](${name}/README.md)${r.complete ? '' : ' (incomplete)'}`);
    out.push('');
    out.push(`\`${r.command}\`, ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC, ${(r.wallSeconds / 60).toFixed(1)} min, same machine kind (${r.machine.cores} cores, load ${r.machine.loadAverageAtStart.join(' / ')} at start).`);
    out.push('');
    const rows: (string | number)[][] = [];
    for (const ds of r.datasets) {
      for (const b of ds.backbones) {
        const acc = b.conversion.stepMetrics['accuracy'] ?? [];
        const s = b.conversion.summary;
        const T = b.conversion.config.timeSteps;
        rows.push([`${ds.name}: ${b.label}`, 'accuracy', f4(s.annValue), ...[64, 128, T].map((t) => (t <= T ? f4(acc[t - 1]) : '–')), s.firstStepWithin1 ?? 'never']);
      }
    }
    if (r.unet) {
      const u = r.unet;
      const sd = u.conversion.stepMetrics['softDice'] ?? [];
      const T = u.conversion.config.timeSteps;
      rows.push([`synthetic EM: ${u.label}`, 'soft Dice', f4(u.conversion.summary.annValue), ...[64, 128, T].map((t) => (t <= T ? f4(sd[t - 1]) : '–')), u.conversion.summary.firstStepWithin1 ?? 'never']);
      const f1 = u.conversion.stepMetrics['f1'];
      if (f1) rows.push([`synthetic EM: ${u.label}`, 'F1 (binarised)', f4(u.conversion.annMetrics['f1']), ...[64, 128, T].map((t) => (t <= T ? f4(f1[t - 1]) : '–')), '']);
    }
    const ts = new Set([...r.datasets.flatMap((d) => d.backbones.map((b) => b.conversion.config.timeSteps)), ...(r.unet ? [r.unet.conversion.config.timeSteps] : [])]);
    out.push(table(['run', 'metric', 'ANN', 'SNN t = 64', 't = 128', ts.size === 1 ? `t = T = ${[...ts][0]}` : 't = T', 'first t within 1 point'], rows));
    out.push('');
  }
  return out.join('\n');
}

/** Writes the figures and README.md into dir; returns the files written. */
export async function writeReport(r: StudyResults, dir: string): Promise<string[]> {
  const figures = await writeFigures(r, dir);
  const further = furtherRunsSection(readFurtherRuns(dir));
  await writeFileAtomic(join(dir, 'README.md'), renderReadme(r, figures) + (further === '' ? '' : `\n${further}`));
  return [...figures, 'README.md'];
}
