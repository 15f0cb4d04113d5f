export { stepCurveSpec, annSnnBarsSpec, sweepHeatmapSpec } from './specs.js';
export { specToSvg, svgToPng, renderSpecToPng, writeFileAtomic } from './render.js';
export { renderSegmentationPanels } from './panels.js';
export { matrixRows, type MatrixCell } from './matrix.js';
export { byDataset, writeFigures, writePanels, type WrittenFigure } from './figures.js';
