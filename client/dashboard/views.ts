// Tables of the dashboard: jobs with live progress bars, conversion runs with their summaries.
import type { DashboardStateQuery } from '../generated/graphql.js';
import { downloadLink, fillTable } from './gql.js';

type Job = DashboardStateQuery['jobs']['nodes'][number];
type Run = DashboardStateQuery['conversionRuns']['nodes'][number];

function progressBar(fraction: number): HTMLElement {
  const outer = document.createElement('span');
  outer.className = 'bar';
  outer.title = `${(fraction * 100).toFixed(0)}%`;
  const inner = document.createElement('div');
  inner.style.width = `${Math.max(0, Math.min(1, fraction)) * 100}%`;
  outer.append(inner);
  return outer;
}

function status(s: string): HTMLElement {
  return Object.assign(document.createElement('span'), { className: `status-${s}`, textContent: s });
}

const time = (iso: string | null): string => (iso ? new Date(iso).toLocaleTimeString() : '-');

/** The most recent `limit` jobs, newest first. */
export function renderJobs(table: HTMLElement, jobs: Job[], limit = 15): void {
  const recent = jobs.slice(-limit).reverse();
  fillTable(table, ['job', 'kind', 'status', 'progress', '', 'phase', 'detail', 'started', 'error'],
    recent.map((j) => [
      j.id, j.kind, status(j.status), progressBar(j.progress), `${(j.progress * 100).toFixed(0)}%`, j.phase,
      [j.epoch !== null ? `epoch ${j.epoch}` : '', j.step !== null ? `step ${j.step}` : '', j.etaSeconds !== null && j.status === 'RUNNING' ? `ETA ${Math.round(j.etaSeconds)} s` : ''].filter(Boolean).join(' · '),
      time(j.startedAt), j.error,
    ]), 'no jobs yet');
}

/** Conversion runs as the server lists them for the dashboard: newest first; a finished run's SNN downloads as ONNX. */
export function renderRuns(table: HTMLElement, runs: Run[]): void {
  fillTable(table, ['run', 'backbone', 'architecture', 'data set', 'status', 'T', 'Γ', 'max-pool', 'metric', 'ANN', 'SNN best', 'step', 'loss@T', 'E ratio', 'SNN file'],
    runs.map((r) => [
      r.id, r.checkpoint.model.name, r.checkpoint.model.architecture, r.dataset.name, status(r.status), r.timeSteps, r.gamma, r.maxPool, r.primaryMetric,
      r.annValue, r.best, r.bestStep, r.lossAtT, r.energyRatio,
      r.snnOnnxUrl ? downloadLink(r.snnOnnxUrl, `conversion-run-${r.id}-snn.onnx`, '.onnx') : null,
    ]), 'no conversion runs yet');
}

/** Keeps a <select>'s options in sync without losing the current choice. */
export function syncSelect(select: HTMLSelectElement, options: { value: string; label: string }[]): void {
  const current = select.value;
  const wanted = options.map((o) => `${o.value}\u0000${o.label}`).join('\u0001');
  if (select.dataset.options === wanted) return;
  select.dataset.options = wanted;
  select.replaceChildren(...options.map((o) => Object.assign(document.createElement('option'), { value: o.value, textContent: o.label })));
  if (options.some((o) => o.value === current)) select.value = current;
}
