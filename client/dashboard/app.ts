// Dashboard entry (a browser ES module, loaded by client/dashboard/index.html): polls the API every
// 2 s and redraws jobs (live progress), conversion runs, the comparison charts, for segmentation
// runs the panels, and sweeps as heat maps.
import {
  CompareDocument, DashboardStateDocument, DatasetsDocument, JobProgressDocument, LiveStepMetricsDocument, ModelsDocument,
  type DashboardStateQuery,
} from '../generated/graphql.js';
import { drawComparison, drawLive } from './chart.js';
import { fillTable, GqlError, gql, saveToken, savedToken } from './gql.js';
import { follow, liveCount } from './live.js';
import { drawPanels } from './panels.js';
import { refreshSweeps, resetSweeps } from './sweeps.js';
import { renderJobs, renderRuns, syncSelect } from './views.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`dashboard: #${id} missing`);
  return el as T;
};

type Job = DashboardStateQuery['jobs']['nodes'][number];
type Run = DashboardStateQuery['conversionRuns']['nodes'][number];

let compareKey = '';
let registryAt = 0;
const jobs = new Map<string, Job>();
let renderQueued = false;

function renderJobsSoon(): void {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    renderJobs($('jobs'), [...jobs.values()].sort((a, b) => Number(a.id) - Number(b.id)));
  });
}

/** Live job progress over graphql-ws for every job that has not ended. */
function followActiveJobs(): void {
  for (const j of jobs.values()) {
    if (j.status !== 'QUEUED' && j.status !== 'RUNNING') continue;
    follow(`job:${j.id}`, JobProgressDocument, { id: j.id }, ({ jobProgress }) => {
      jobs.set(jobProgress.id, { ...jobs.get(jobProgress.id), ...jobProgress });
      renderJobsSoon();
    });
  }
}

/** The running estimate of the first running conversion, streamed as it simulates. */
function followRunningConversion(runs: Run[]): void {
  const running = runs.find((r) => r.status === 'RUNNING');
  const el = $('live');
  if (!running) {
    if (!el.dataset.run) el.textContent = 'no conversion is simulating right now';
    return;
  }
  follow(`steps:${running.id}`, LiveStepMetricsDocument, { runId: running.id }, ({ stepMetrics: ev }) => {
    const series = ev.series?.find((s) => s.name === (running.primaryMetric ?? 'accuracy')) ?? ev.series?.[0];
    if (!series || ev.final) return;
    el.dataset.run = running.id;
    void drawLive(el, series.name, series.values, `run ${running.id} (${running.checkpoint.model.name}): running estimate after batch ${ev.batch ?? '?'}/${ev.batches ?? '?'}`);
  });
}

async function refreshComparison(runs: { id: string; status: string; primaryMetric: string | null; timeSteps: number; dataset: { name: string } }[]): Promise<void> {
  const metricSel = $<HTMLSelectElement>('metric');
  const datasetSel = $<HTMLSelectElement>('dataset');
  const done = runs.filter((r) => r.status === 'SUCCEEDED');
  // the data set with the most finished runs comes first, so a fresh page opens on the widest comparison
  const perDataset = new Map<string, number>();
  for (const r of done) perDataset.set(r.dataset.name, (perDataset.get(r.dataset.name) ?? 0) + 1);
  const datasets = [...perDataset.keys()].sort((a, b) => (perDataset.get(b) ?? 0) - (perDataset.get(a) ?? 0));
  syncSelect(datasetSel, datasets.map((d) => ({ value: d, label: d })));
  const inDataset = done.filter((r) => r.dataset.name === datasetSel.value);
  const metrics = [...new Set(inDataset.map((r) => r.primaryMetric).filter((m): m is string => m !== null))];
  syncSelect(metricSel, metrics.map((m) => ({ value: m, label: m })));
  const chosen = inDataset.filter((r) => r.primaryMetric === metricSel.value);
  const key = `${metricSel.value}|${chosen.map((r) => r.id).join(',')}`;
  if (key === compareKey) return;
  compareKey = key;
  const maxT = Math.max(0, ...chosen.map((r) => r.timeSteps));
  const steps = maxT > 0 && maxT <= 256 ? Array.from({ length: maxT }, (_, i) => i + 1) : null;
  const { compare } = chosen.length === 0
    ? { compare: { metric: metricSel.value, steps: [], rows: [] } }
    : await gql(CompareDocument, { runIds: chosen.map((r) => r.id), metric: metricSel.value || null, steps });
  await drawComparison($('chart'), $('bars'), compare);
  fillTable($('compare'), ['backbone', 'family', 'parameters', 'T', 'ANN', 'SNN at T', 'best', 'first ≤1%', 'loss@T', 'E_SNN/E_ANN'],
    compare.rows.map((r) => [r.backbone, r.family, r.parameterCount, r.timeSteps, r.annValue, [...r.values].reverse().find((v) => v !== null) ?? null, r.best, r.firstStepWithin1, r.lossAtT, r.energyRatio]), 'no finished conversion runs');
}

async function refreshRegistry(): Promise<void> {
  const [{ models }, { datasets }] = await Promise.all([gql(ModelsDocument, { first: 200 }), gql(DatasetsDocument, { first: 200 })]);
  fillTable($('models'), ['model', 'architecture', 'family', 'pre-training', 'parameters'], models.nodes.map((m) => [m.name, m.architecture, m.family, m.pretraining, m.parameterCount]), 'no models yet');
  fillTable($('datasets'), ['data set', 'format', 'task', 'shape', 'train', 'test'], datasets.nodes.map((d) => [d.name, d.format, d.task, d.imageShape?.join('×'), d.trainSamples, d.testSamples]), 'no data sets yet');
}

async function tick(): Promise<void> {
  const state = await gql(DashboardStateDocument, { jobs: 500, runs: 500 });
  jobs.clear();
  for (const j of state.jobs.nodes) jobs.set(j.id, j);
  renderJobsSoon();
  followActiveJobs();
  followRunningConversion(state.conversionRuns.nodes);
  renderRuns($('runs'), state.conversionRuns.nodes);
  await refreshComparison(state.conversionRuns.nodes);
  const segmentation = state.conversionRuns.nodes.filter((r) => r.task === 'segmentation' && r.status === 'SUCCEEDED').map((r) => r.id);
  await drawPanels($('panels'), segmentation.slice(0, 3)); // the three newest
  await refreshSweeps($('sweeps'), $<HTMLSelectElement>('sweep'), $<HTMLSelectElement>('axis'), $('heatmap'));
  if (Date.now() - registryAt > 10_000) {
    registryAt = Date.now();
    await refreshRegistry();
  }
}

function askForToken(message: string): void {
  const form = $<HTMLFormElement>('auth');
  form.hidden = false;
  $('auth-message').textContent = message;
}

async function loop(): Promise<void> {
  try {
    await tick();
    const live = liveCount();
    $('status').textContent = `${live > 0 ? `live: ${live} subscription${live > 1 ? 's' : ''}` : 'polling'} · updated ${new Date().toLocaleTimeString()}`;
    $('auth').hidden = true;
  } catch (e) {
    if (e instanceof GqlError && (e.code === 'UNAUTHENTICATED' || e.code === 'FORBIDDEN')) askForToken(`${e.message} — enter an API token (reader role is enough)`);
    $('status').textContent = `error: ${e instanceof Error ? e.message : String(e)}`;
  }
  setTimeout(() => void loop(), 2000);
}

$<HTMLFormElement>('auth').addEventListener('submit', (ev) => {
  ev.preventDefault();
  saveToken($<HTMLInputElement>('auth-token').value.trim());
  compareKey = '';
  resetSweeps();
});
for (const id of ['metric', 'dataset']) $(id).addEventListener('change', () => { compareKey = ''; });
for (const id of ['sweep', 'axis']) $(id).addEventListener('change', resetSweeps);
if (savedToken()) $<HTMLInputElement>('auth-token').value = savedToken() ?? '';
void loop();
