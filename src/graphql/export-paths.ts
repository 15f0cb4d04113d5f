// Where the server serves exported ONNX files (src/exports.ts): the paths the GraphQL download URLs
// give, relative to the server's base URL.
export const EXPORTS_PATH = '/exports';

/** The ANN of a checkpoint (any: zoo, trained or imported). */
export function annExportPath(checkpointId: number | string): string {
  return `${EXPORTS_PATH}/checkpoints/${checkpointId}/ann.onnx`;
}

/** The SNN of a SUCCEEDED conversion run. */
export function snnExportPath(runId: number | string): string {
  return `${EXPORTS_PATH}/conversion-runs/${runId}/snn.onnx`;
}
