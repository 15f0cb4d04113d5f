export { trainModel, evaluate, type TrainCallbacks, type TrainResult, type WeightSnapshot } from './train.js';
export { TrainingCancelledError, TrainingConfigError } from './errors.js';
export { learningRateAt } from './schedule.js';
export { MomentumSgd } from './sgd.js';
export { smoothedCrossEntropy, binaryCrossEntropy, softDiceSum, correctCount } from './losses.js';
export { augmentClassification, augmentSegmentation } from './augment.js';
