import type { FromWorker } from '../../../src/jobs/messages.js';
import { PROGRESS_INTERVAL_MS, progressPoster } from '../../../src/jobs/tasks.js';

describe('progressPoster (a conversion thread’s progress messages)', () => {
  it('posts at most every PROGRESS_INTERVAL_MS, but always a new phase, a message and the end', () => {
    const posted: FromWorker[] = [];
    let clock = 0;
    const progress = progressPoster(7, (m) => posted.push(m), () => clock);
    const steps = (): number[] => posted.map((m) => (m.type === 'progress' ? (m.progress.step ?? -1) : NaN));
    progress({ fraction: 0, phase: 'calibrate' });
    progress({ fraction: 0.05, phase: 'simulate', step: 1 });
    for (let t = 2; t <= 50; t++) {
      clock += PROGRESS_INTERVAL_MS / 10;
      progress({ fraction: 0.05 + t / 100, phase: 'simulate', step: t });
    }
    // 49 steps over 4.9 intervals: steps 11, 21, 31, 41 pass (an interval after the last post)
    expect(steps()).toEqual([-1, 1, 11, 21, 31, 41]);
    progress({ fraction: 0.6, phase: 'simulate', batch: 1, message: 'batch 1/2 done' });
    progress({ fraction: 0.61, phase: 'simulate', step: 51 });
    progress({ fraction: 1, phase: 'simulate', step: 100 });
    expect(posted).toHaveLength(8);
    expect(posted.at(-2)).toEqual({ type: 'progress', jobId: 7, progress: { fraction: 0.6, phase: 'simulate', batch: 1, message: 'batch 1/2 done' } });
    expect(posted.at(-1)).toEqual({ type: 'progress', jobId: 7, progress: { fraction: 1, phase: 'simulate', step: 100 } });
  });
});
