/**
 * Time behind an interface so tests and demos never sleep on the wall clock.
 * `ScaledClock` runs faster than real time (timeScale simulated seconds per real second),
 * which is how the time-compressed simulator makes an hour of burn happen in a minute.
 */
export interface Clock {
  now(): Date;
}

export const CLOCK = Symbol('CLOCK');

export class SystemClock implements Clock {
  now(): Date {
    return new Date();
  }
}

export class ScaledClock implements Clock {
  private readonly realStart: number;
  constructor(
    private readonly scale: number,
    private readonly simulatedStart: number = Date.now(),
    private readonly realNow: () => number = Date.now,
  ) {
    this.realStart = realNow();
  }
  now(): Date {
    return new Date(this.simulatedStart + (this.realNow() - this.realStart) * this.scale);
  }
}

/** A clock that moves only when told to: for unit and integration tests. */
export class ManualClock implements Clock {
  constructor(private current: Date) {}
  now(): Date {
    return new Date(this.current.getTime());
  }
  set(at: Date): void {
    this.current = new Date(at.getTime());
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}
