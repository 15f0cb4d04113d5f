// Dashboard entry (a browser ES module): polls the API and redraws jobs, runs, the comparison chart
// and segmentation panels. Loaded by client/dashboard/index.html.
import { DatasetsDocument, ModelsDocument } from '../generated/graphql.js';
import { fillTable, gql } from './gql.js';

const $ = (id: string): HTMLElement => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`dashboard: #${id} missing`);
  return el;
};

async function refreshRegistry(): Promise<void> {
  const [{ models }, { datasets }] = await Promise.all([gql(ModelsDocument, { first: 200 }), gql(DatasetsDocument, { first: 200 })]);
  fillTable($('models'), ['model', 'architecture', 'family', 'pre-training', 'parameters'], models.nodes.map((m) => [m.name, m.architecture, m.family, m.pretraining, m.parameterCount]), 'no models yet');
  fillTable($('datasets'), ['data set', 'format', 'task', 'shape', 'train', 'test'], datasets.nodes.map((d) => [d.name, d.format, d.task, d.imageShape?.join('×'), d.trainSamples, d.testSamples]), 'no data sets yet');
}

async function tick(): Promise<void> {
  try {
    await refreshRegistry();
    $('status').textContent = `updated ${new Date().toLocaleTimeString()}`;
  } catch (e) {
    $('status').textContent = `error: ${e instanceof Error ? e.message : String(e)}`;
  }
}

void tick();
setInterval(() => void tick(), 3000);
