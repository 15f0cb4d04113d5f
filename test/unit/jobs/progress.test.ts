import type { FromWorker } from '../../../src/jobs/messages.js';
import type { Progress } from '../../../src/formats/index.js';
import { PROGRESS_INTERVAL_MS, progressPoster } from '../../../src/jobs/tasks.js';

describe('progressPoster (a conversion thread’s progress messages)', () => {
  const setup = (): { posted: Progress[]; progress: (p: Progress) => void; tick: (ms: number) => void } => {
    const posted: Progress[] = [];
    let clock = 0;
    const progress = progressPoster(7, (m: FromWorker) => m.type === 'progress' && posted.push(m.progress), () => clock);
    return { posted, progress, tick: (ms) => (clock += ms) };
  };

  it('posts a step at most every PROGRESS_INTERVAL_MS, but always a new phase and the end', () => {
    const { posted, progress, tick } = setup();
    progress({ fraction: 0, phase: 'calibrate' });
    progress({ fraction: 0.05, phase: 'simulate', step: 1 });
    for (let t = 2; t <= 50; t++) {
      tick(PROGRESS_INTERVAL_MS / 10);
      progress({ fraction: 0.05 + t / 100, phase: 'simulate', step: t });
    }
    // 49 steps over 4.9 intervals: steps 11, 21, 31, 41 pass (an interval after the last post)
    expect(posted.map((p) => p.step ?? null)).toEqual([null, 1, 11, 21, 31, 41]);
    progress({ fraction: 1, phase: 'simulate', step: 100 });
    expect(posted.at(-1)).toEqual({ fraction: 1, phase: 'simulate', step: 100 });
  });

  it('batches shorter than the interval: every batch-done message carries the latest step, and steps still come every interval', () => {
    const { posted, progress, tick } = setup();
    progress({ fraction: 0, phase: 'simulate', step: 1 });
    // batches of 4 steps, 15 ms each (a message after each): 40 batches over 6 intervals
    for (let b = 1; b <= 40; b++) {
      for (let s = 1; s <= 4; s++) {
        tick(15 / 4);
        progress({ fraction: b / 50, phase: 'simulate', batch: b, step: s });
      }
      progress({ fraction: b / 50, phase: 'simulate', batch: b, message: `batch ${b}/50 done` });
    }
    const messages = posted.filter((p) => p.message !== undefined);
    expect(messages).toHaveLength(40);
    expect(messages.every((p) => p.step === 4)).toBe(true);
    // the step reports are not held back by the messages: one per interval (600 ms in all)
    const steps = posted.filter((p) => p.message === undefined);
    expect(steps.length).toBeGreaterThanOrEqual(6);
    expect(steps.length).toBeLessThanOrEqual(8);
  });
});
