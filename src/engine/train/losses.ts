// Losses and metrics as tensor functions (called inside tf.tidy / variableGrads).
import * as tf from '@tensorflow/tfjs-core';

/**
 * Mean softmax cross-entropy with label smoothing ε over K classes:
 * t = (1−ε)·onehot(y) + ε/K, loss = mean_n(−Σ_k t_k · log_softmax(z)_k).
 */
export function smoothedCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D, smoothing: number): tf.Scalar {
  const k = logits.shape[1];
  const onehot = tf.cast(tf.oneHot(tf.cast(labels, 'int32'), k), 'float32');
  const target = smoothing > 0 ? tf.add(tf.mul(onehot, 1 - smoothing), smoothing / k) : onehot;
  return tf.neg(tf.mean(tf.sum(tf.mul(target, tf.logSoftmax(logits)), 1))) as tf.Scalar;
}

/** Mean binary cross-entropy of probabilities q (clipped to [1e−7, 1−1e−7]) against masks y. */
export function binaryCrossEntropy(q: tf.Tensor, y: tf.Tensor): tf.Scalar {
  const p = tf.clipByValue(q, 1e-7, 1 - 1e-7);
  return tf.neg(tf.mean(tf.add(tf.mul(y, tf.log(p)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, p)))))) as tf.Scalar;
}

/** Number of correct argmax predictions (a sum, so batches weigh by size). */
export function correctCount(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.cast(labels, 'int32')), 'float32'));
}

/** Σ over images of softDice = (2·Σ q·y + 1)/(Σ q + Σ y + 1) (conversion.md §7), per image then summed. */
export function softDiceSum(q: tf.Tensor4D, y: tf.Tensor4D): tf.Scalar {
  const inter = tf.sum(tf.mul(q, y), [1, 2, 3]);
  const denom = tf.add(tf.add(tf.sum(q, [1, 2, 3]), tf.sum(y, [1, 2, 3])), 1);
  return tf.sum(tf.div(tf.add(tf.mul(inter, 2), 1), denom));
}
