export { stepCurveSpec, annSnnBarsSpec } from './specs.js';
export { specToSvg, svgToPng, renderSpecToPng, writeFileAtomic } from './render.js';
export { renderSegmentationPanels } from './panels.js';
