export { BytesIOHandler, saveCheckpoint, loadCheckpoint, loadWeightsInto, type CheckpointBytes } from './io.js';
export { exportSafetensors, importSafetensors, type ImportOptions } from './torch.js';
export { parseSafetensors, writeSafetensors, type SafeTensor, type SafetensorsDtype, type SafetensorsFile } from './safetensors.js';
export { torchEntries, permute, type TorchEntry } from './layout.js';
export { CheckpointMismatchError, CheckpointFormatError, CheckpointValueError, assertFinite } from './errors.js';
export { torchRename, type TorchConvention } from './names.js';
