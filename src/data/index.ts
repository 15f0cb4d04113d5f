// Public surface of the dataset readers.
export * from './errors.js';
export * from './types.js';
export { loadDataset, inspectDataset } from './load.js';
export { checkDatasetLayout, datasetFileNames } from './layout.js';
export { DEFAULT_DATASET_ROOT, READ_BOUNDS, defaultDataRoots, parseDataRoots, readBoundedFile, resolveUnderRoots, type ReadBounds } from './files.js';
export { batchTensors, sampleSizes } from './batch.js';
export { Rng } from './rng.js';
export { splitValidation, takeSamples, headSamples } from './split.js';
export { normalizeBytes, CIFAR10_MEAN, CIFAR10_STD, type Normalization } from './normalize.js';
export { readIdx, encodeIdx, FASHION_MNIST_CLASSES } from './idx.js';
export { readCifarFiles, CIFAR10_CLASSES, CIFAR_RECORD } from './cifar.js';
export { readGreyTiffStack, encodeGreyTiffStack } from './tiff.js';
export { readGreyPng, encodeGreyPng } from './png.js';
export { syntheticClassification, syntheticSegmentation } from './synthetic.js';
