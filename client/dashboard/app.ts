// Dashboard entry (a browser ES module, loaded by client/dashboard/index.html): polls the API every
// 2 s and redraws jobs (live progress), conversion runs, the comparison charts and, for
// segmentation runs, the panels.
import { CompareDocument, DashboardStateDocument, DatasetsDocument, ModelsDocument } from '../generated/graphql.js';
import { drawComparison } from './chart.js';
import { fillTable, GqlError, gql, saveToken, savedToken } from './gql.js';
import { renderJobs, renderRuns, syncSelect } from './views.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`dashboard: #${id} missing`);
  return el as T;
};

let compareKey = '';
let registryAt = 0;

async function refreshComparison(runs: { id: string; status: string; primaryMetric: string | null; timeSteps: number; dataset: { name: string } }[]): Promise<void> {
  const metricSel = $<HTMLSelectElement>('metric');
  const datasetSel = $<HTMLSelectElement>('dataset');
  const done = runs.filter((r) => r.status === 'SUCCEEDED');
  const datasets = [...new Set(done.map((r) => r.dataset.name))];
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
  renderJobs($('jobs'), state.jobs.nodes);
  renderRuns($('runs'), state.conversionRuns.nodes);
  await refreshComparison(state.conversionRuns.nodes);
  const segmentation = state.conversionRuns.nodes.some((r) => r.task === 'segmentation' && r.status === 'SUCCEEDED');
  $('panels').textContent = segmentation
    ? 'Segmentation panels are not drawn yet: the server does not expose panel data (image, label, ANN and SNN predictions).'
    : 'no finished segmentation runs';
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
    $('status').textContent = `live · updated ${new Date().toLocaleTimeString()}`;
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
});
for (const id of ['metric', 'dataset']) $(id).addEventListener('change', () => { compareKey = ''; });
if (savedToken()) $<HTMLInputElement>('auth-token').value = savedToken() ?? '';
void loop();
