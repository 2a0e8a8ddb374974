import { createLimiter } from './concurrency';

describe('createLimiter', () => {
  it('never runs more than the limit at once, and runs every task in order', async () => {
    const limit = createLimiter(2);
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const tasks = Array.from({ length: 7 }, (_, i) =>
      limit(async () => {
        started.push(i);
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setImmediate(r));
        running--;
        return i * 10;
      }),
    );
    expect(await Promise.all(tasks)).toEqual([0, 10, 20, 30, 40, 50, 60]);
    expect(peak).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('frees the slot of a task that fails, synchronously or not', async () => {
    const limit = createLimiter(1);
    await expect(limit(() => { throw new Error('sync'); })).rejects.toThrow('sync');
    await expect(limit(() => Promise.reject(new Error('async')))).rejects.toThrow('async');
    expect(await limit(async () => 'still runs')).toBe('still runs');
  });

  it('refuses a limit below one', () => {
    expect(() => createLimiter(0)).toThrow(/positive integer/);
  });
});
