import { DrainLoop } from './drain-loop';
import type { Logger } from './logger';

const logger = () => {
  const errors: string[] = [];
  const log = { error: (_: unknown, msg: string) => errors.push(msg), warn: () => undefined, info: () => undefined, debug: () => undefined } as unknown as Logger;
  return { log, errors };
};

describe('DrainLoop', () => {
  it('takes batches until a step finds nothing, and runs one more pass for a wake during a pass', async () => {
    let queue = 3;
    let steps = 0;
    let wake: () => void = () => undefined;
    const loop = new DrainLoop({
      name: 'test',
      pollMs: 60_000,
      onWake: (l) => ((wake = l), () => (wake = () => undefined)),
      step: async () => {
        steps++;
        // Work committed while the pass runs (its wake arrives mid-pass).
        if (steps === 2) {
          queue += 2;
          wake();
        }
        if (queue === 0) return false;
        queue--;
        return true;
      },
      logger: logger().log,
    });
    loop.start();
    await loop.drain();
    expect(queue).toBe(0);
    // 5 batches, the empty step that ended the first pass, and the one that ended the pass owed to the wake.
    expect(steps).toBe(7);
    await loop.stop();
    expect(loop.stopped).toBe(true);
    wake();
    expect(steps).toBe(7);
  });

  it('logs a failed pass and takes work again on the next drain', async () => {
    const { log, errors } = logger();
    let fail = true;
    let taken = 0;
    const loop = new DrainLoop({
      name: 'test worker',
      pollMs: 60_000,
      onWake: () => () => undefined,
      step: async () => {
        if (fail) throw new Error('database went away');
        return taken++ < 1;
      },
      logger: log,
    });
    await loop.drain();
    expect(errors).toEqual(['test worker pass failed; will retry on the next poll']);
    fail = false;
    await loop.drain();
    expect(taken).toBe(2);
    await loop.stop();
  });
});
