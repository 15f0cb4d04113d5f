// Renaming PyTorch state_dict keys from common CIFAR/ImageNet code bases to the zoo's names.
import type { ZooModelSpec } from '../../formats/model.js';
import { VGG_CONFIGS } from '../zoo/index.js';

/** Where a PyTorch checkpoint comes from: torchvision models, or the widely used kuangliu/pytorch-cifar code. */
export type TorchConvention = 'zoo' | 'torchvision' | 'kuangliu';

/**
 * A rename function for importSafetensors. ResNets: torchvision names are the zoo's own;
 * kuangliu's `shortcut.N` → `downsample.N` and `linear` → `fc`. VGG (kuangliu, one linear layer):
 * `features.<k>` Sequential indices (conv, BN, ReLU per conv; one module per pool) →
 * `features.conv<i>` / `features.bn<i>`, `classifier` unchanged. A leading `module.`
 * (DataParallel) is always dropped.
 */
export function torchRename(spec: ZooModelSpec, convention: TorchConvention): (name: string) => string {
  const strip = (n: string) => n.replace(/^module\./, '');
  if (convention === 'zoo' || convention === 'torchvision') return strip;
  if (spec.architecture.startsWith('resnet')) {
    return (n) => strip(n).replace(/\.shortcut\./, '.downsample.').replace(/^linear\./, 'fc.');
  }
  if (spec.architecture.startsWith('vgg')) {
    const bn = spec.batchNorm ?? true;
    const map = new Map<number, string>();
    let k = 0;
    let i = 0;
    for (const v of VGG_CONFIGS[spec.architecture as keyof typeof VGG_CONFIGS]) {
      if (v === 'M') {
        k++;
        continue;
      }
      map.set(k, `features.conv${i}`);
      if (bn) map.set(k + 1, `features.bn${i}`);
      k += bn ? 3 : 2;
      i++;
    }
    return (n) => {
      const s = strip(n);
      const m = /^features\.(\d+)\.(.+)$/.exec(s);
      const to = m ? map.get(Number(m[1])) : undefined;
      return to && m ? `${to}.${m[2]}` : s;
    };
  }
  return strip;
}
