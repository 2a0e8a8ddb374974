import { SchedulerRegistry } from '@nestjs/schedule';
import type { Logger } from './logger';
import { ScheduledJob, type ScheduledJobOptions } from './scheduled-job';

const logger = () => {
  const errors: Array<{ msg: string; err: unknown }> = [];
  const log = { error: (o: { err: unknown }, msg: string) => errors.push({ msg, err: o.err }), warn: () => undefined, info: () => undefined, debug: () => undefined } as unknown as Logger;
  return { log, errors };
};

/** A pass that stays under way until `finish` is called. */
const gate = () => {
  let finish: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => (finish = resolve));
  return { promise, finish: () => finish() };
};

describe('ScheduledJob', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const job = (options: Partial<ScheduledJobOptions> & Pick<ScheduledJobOptions, 'run'>) =>
    new ScheduledJob({ name: 'test job', everyMs: 1000, logger: logger().log, scheduler: new SchedulerRegistry(), ...options });

  it('runs a pass every interval, and none before the first one', async () => {
    const run = jest.fn(async () => undefined);
    const j = ScheduledJob.start({ name: 'test job', everyMs: 1000, logger: logger().log, scheduler: new SchedulerRegistry(), run });
    await jest.advanceTimersByTimeAsync(999);
    expect(run).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    expect(run).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(3000);
    expect(run).toHaveBeenCalledTimes(4);
    await j.stop();
  });

  it('skips the ticks that come while the previous pass runs', async () => {
    const passes: Array<ReturnType<typeof gate>> = [];
    let inFlight = 0;
    let most = 0;
    const run = jest.fn(async () => {
      const g = gate();
      passes.push(g);
      most = Math.max(most, ++inFlight);
      await g.promise;
      inFlight--;
    });
    const j = job({ run });
    j.start();
    await jest.advanceTimersByTimeAsync(1000);
    expect(run).toHaveBeenCalledTimes(1);
    // Three more ticks while the first pass is still under way: none starts a pass.
    await jest.advanceTimersByTimeAsync(3000);
    expect(run).toHaveBeenCalledTimes(1);
    // A pass asked for by hand meanwhile shares the one under way.
    const manual = j.tick();
    expect(run).toHaveBeenCalledTimes(1);
    passes[0].finish();
    await manual;
    await jest.advanceTimersByTimeAsync(1000);
    expect(run).toHaveBeenCalledTimes(2);
    passes[1].finish();
    await j.stop();
    expect(most).toBe(1);
  });

  it('runs the pass only when the lease is taken, by its name and time to live', async () => {
    let granted = false;
    const tryAcquire = jest.fn(async () => granted);
    const run = jest.fn(async () => undefined);
    const j = job({ name: 'escalations', run, lease: { service: { tryAcquire }, ttlSeconds: 30 } });
    j.start();
    await jest.advanceTimersByTimeAsync(2000);
    expect(tryAcquire).toHaveBeenCalledTimes(2);
    expect(tryAcquire).toHaveBeenCalledWith('escalations', 30);
    expect(run).not.toHaveBeenCalled();
    granted = true;
    await jest.advanceTimersByTimeAsync(1000);
    expect(run).toHaveBeenCalledTimes(1);
    await j.stop();
  });

  it('logs a failed pass (or a failed lease) under its name, and the next tick runs again', async () => {
    const { log, errors } = logger();
    const failure = new Error('database went away');
    let fail = true;
    const run = jest.fn(async () => {
      if (fail) throw failure;
    });
    let leaseFails = false;
    const tryAcquire = async () => {
      if (leaseFails) throw new Error('lease table gone');
      return true;
    };
    const j = new ScheduledJob({ name: 'slo-evaluation', everyMs: 1000, run, logger: log, scheduler: new SchedulerRegistry(), lease: { service: { tryAcquire }, ttlSeconds: 10 } });
    j.start();
    await jest.advanceTimersByTimeAsync(1000);
    expect(errors).toEqual([{ msg: 'slo-evaluation failed; will retry on the next tick', err: failure }]);
    fail = false;
    await jest.advanceTimersByTimeAsync(1000);
    expect(run).toHaveBeenCalledTimes(2);
    expect(errors).toHaveLength(1);
    leaseFails = true;
    await jest.advanceTimersByTimeAsync(1000);
    expect(run).toHaveBeenCalledTimes(2);
    expect(errors.map((e) => e.msg)).toEqual(['slo-evaluation failed; will retry on the next tick', 'slo-evaluation failed; will retry on the next tick']);
    await j.stop();
  });

  it('stop waits for the pass under way, and nothing runs after it', async () => {
    const g = gate();
    let finished = false;
    const run = jest.fn(async () => {
      await g.promise;
      finished = true;
    });
    const j = job({ run });
    j.start();
    await jest.advanceTimersByTimeAsync(1000);
    let stopped = false;
    const stopping = j.stop().then(() => (stopped = true));
    await jest.advanceTimersByTimeAsync(5000);
    expect(stopped).toBe(false);
    g.finish();
    await stopping;
    expect(finished).toBe(true);
    await jest.advanceTimersByTimeAsync(5000);
    await j.tick();
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('lists its interval in the SchedulerRegistry by name while it ticks, and takes it out on stop', async () => {
    const scheduler = new SchedulerRegistry();
    const run = jest.fn(async () => undefined);
    const j = ScheduledJob.start({ name: 'escalations', everyMs: 1000, logger: logger().log, scheduler, run });
    expect(scheduler.getIntervals()).toEqual(['escalations']);
    await j.stop();
    expect(scheduler.getIntervals()).toEqual([]);
    // Started again, it is listed again.
    j.start();
    expect(scheduler.getIntervals()).toEqual(['escalations']);
    await jest.advanceTimersByTimeAsync(1000);
    expect(run).toHaveBeenCalledTimes(1);
    await j.stop();
    expect(scheduler.getIntervals()).toEqual([]);
  });

  it('a second job by the same name in one registry does not start, and the first one ticks on', async () => {
    const scheduler = new SchedulerRegistry();
    const first = jest.fn(async () => undefined);
    const second = jest.fn(async () => undefined);
    const a = ScheduledJob.start({ name: 'escalations', everyMs: 1000, logger: logger().log, scheduler, run: first });
    expect(() => ScheduledJob.start({ name: 'escalations', everyMs: 1000, logger: logger().log, scheduler, run: second })).toThrow(/escalations/);
    await jest.advanceTimersByTimeAsync(3000);
    expect(first).toHaveBeenCalledTimes(3);
    expect(second).not.toHaveBeenCalled();
    expect(scheduler.getIntervals()).toEqual(['escalations']);
    await a.stop();
  });

  it('stops cleanly after Nest cleared its interval (the scheduler shutting down first)', async () => {
    const scheduler = new SchedulerRegistry();
    const run = jest.fn(async () => undefined);
    const j = ScheduledJob.start({ name: 'escalations', everyMs: 1000, logger: logger().log, scheduler, run });
    // What @nestjs/schedule does at application shutdown.
    for (const name of scheduler.getIntervals()) scheduler.deleteInterval(name);
    await jest.advanceTimersByTimeAsync(3000);
    expect(run).not.toHaveBeenCalled();
    await expect(j.stop()).resolves.toBeUndefined();
    expect(scheduler.getIntervals()).toEqual([]);
  });

  it('tick runs a pass at once without the timer', async () => {
    const run = jest.fn(async () => undefined);
    const j = job({ run });
    await j.tick();
    expect(run).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(5000);
    expect(run).toHaveBeenCalledTimes(1);
  });
});
