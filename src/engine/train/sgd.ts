// SGD with momentum and L2 weight decay, with PyTorch's update rule.
import * as tf from '@tensorflow/tfjs-core';

/**
 * For each variable w with gradient g: g ← g + λ·w; v ← μ·v + g; w ← w − η·v
 * (torch.optim.SGD, dampening 0, no Nesterov). Velocities start at zero.
 */
export class MomentumSgd {
  private readonly velocity = new Map<string, tf.Variable>();

  constructor(
    private readonly momentum: number,
    private readonly weightDecay: number,
  ) {}

  step(vars: tf.Variable[], grads: tf.NamedTensorMap, lr: number): void {
    tf.tidy(() => {
      for (const w of vars) {
        const g0 = grads[w.name];
        if (g0 === undefined) continue;
        const g = this.weightDecay > 0 ? tf.add(g0, tf.mul(w, this.weightDecay)) : g0;
        let v = this.velocity.get(w.name);
        if (v === undefined) {
          v = tf.variable(tf.zerosLike(w), false);
          this.velocity.set(w.name, v);
        }
        const vNew = this.momentum > 0 ? tf.add(tf.mul(v, this.momentum), g) : g;
        v.assign(vNew);
        w.assign(tf.sub(w, tf.mul(vNew, lr)));
      }
    });
  }

  dispose(): void {
    for (const v of this.velocity.values()) v.dispose();
    this.velocity.clear();
  }
}
