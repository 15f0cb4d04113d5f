// The public surface of the Spikelab client library (what researchers import by name).
export {
  SpikelabClient, connect, collectPages,
  type CompareArgs, type ConversionRun, type CreateModelInput, type Dataset, type Job, type ListOrder, type Model, type RegisterDatasetInput,
  type RunFilterInput, type StartConversionInput, type StartSweepInput, type StartTrainingInput, type Sweep, type SweepListItem, type SweepPivot,
  type TrainingRun, type WaitOptions,
} from './api/client.js';
export { isTerminal } from './api/wait.js';
export { SpikelabError, type ClientErrorCode } from './api/errors.js';
export { type ConnectOptions, graphqlEndpoint } from './api/transport.js';
export type { CompareMatrix, CompareRow, SegmentationPanel } from '../src/formats/compare.js';
export type { ConversionConfig, MaxPoolMode, ResetMode } from '../src/formats/conversion.js';
export type { TrainingConfig } from '../src/formats/training.js';
export type { SweepAxes, SweepAxisName } from '../src/formats/sweep.js';
export { stepCurveSpec, annSnnBarsSpec, sweepHeatmapSpec, renderSpecToPng, renderSegmentationPanels } from './report/index.js';
