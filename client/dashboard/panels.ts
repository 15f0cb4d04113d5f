// Segmentation panels in the browser: per sample a row of raw image | label | ANN | SNN, the
// predictions binarised at 0.5 (as `spikelab report` draws them), painted on canvases.
import { ConversionRunPanelsDocument } from '../generated/graphql.js';
import { gql } from './gql.js';

const TITLES = ['image', 'label', 'ANN', 'SNN'];

function canvas(values: number[], w: number, h: number, binarise: boolean): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.width = w;
  c.height = h;
  const ctx = c.getContext('2d');
  if (!ctx) return c;
  const img = ctx.createImageData(w, h);
  values.forEach((v, i) => {
    const g = Math.round((binarise ? (v >= 0.5 ? 1 : 0) : Math.min(1, Math.max(0, v))) * 255);
    img.data.set([g, g, g, 255], i * 4);
  });
  ctx.putImageData(img, 0, 0);
  return c;
}

const drawn = new Set<string>();

/** Draws the panels of these runs once each (newest first); returns how many samples were drawn. */
export async function drawPanels(el: HTMLElement, runIds: string[], samples = 3): Promise<void> {
  const fresh = runIds.filter((id) => !drawn.has(id));
  if (fresh.length === 0) return;
  if (drawn.size === 0) {
    el.replaceChildren();
    el.classList.remove('muted');
  }
  for (const id of fresh) {
    drawn.add(id);
    const { conversionRun: r } = await gql(ConversionRunPanelsDocument, { id });
    const panels = (r.panels ?? []).slice(0, samples);
    const block = document.createElement('div');
    block.append(Object.assign(document.createElement('h3'), { textContent: `run ${r.id}: ${r.checkpoint.model.name} on ${r.dataset.name}${panels.length ? '' : ' (no panels stored)'}` }));
    const grid = document.createElement('div');
    grid.className = 'panels';
    for (const t of TITLES) grid.append(Object.assign(document.createElement('div'), { className: 'title', textContent: t }));
    for (const p of panels) {
      grid.append(canvas(p.image, p.width, p.height, false), canvas(p.label, p.width, p.height, true), canvas(p.ann, p.width, p.height, true), canvas(p.snn, p.width, p.height, true));
    }
    block.append(grid);
    el.prepend(block);
  }
  el.dataset.panels = String(el.querySelectorAll('canvas').length / 4);
}
