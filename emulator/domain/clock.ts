/**
 * The job clock. Jobs advance on virtual time, which runs at `speed` times real time and can be
 * paused, so tests can freeze a job in RUNNING or finish a ten-second job at once.
 */
export interface ClockState {
  now: number;
  paused: boolean;
  speed: number;
}

export class Clock {
  private anchorReal: number;
  private anchorVirtual: number;
  private speed = 1;
  private paused = false;

  constructor(private readonly realNow: () => number = Date.now) {
    this.anchorReal = realNow();
    this.anchorVirtual = this.anchorReal;
  }

  /** Virtual milliseconds since the epoch. */
  now(): number {
    if (this.paused) return this.anchorVirtual;
    return this.anchorVirtual + (this.realNow() - this.anchorReal) * this.speed;
  }

  private rebase(): void {
    this.anchorVirtual = this.now();
    this.anchorReal = this.realNow();
  }

  pause(): void {
    this.rebase();
    this.paused = true;
  }

  resume(): void {
    this.rebase();
    this.paused = false;
  }

  setSpeed(speed: number): void {
    if (!(speed > 0 && speed <= 10_000)) throw new RangeError(`speed must be in (0, 10000], got ${speed}`);
    this.rebase();
    this.speed = speed;
  }

  /** Moves virtual time forward by `ms` (paused or not). */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`advance takes a non-negative number of milliseconds, got ${ms}`);
    this.rebase();
    this.anchorVirtual += ms;
  }

  state(): ClockState {
    return { now: this.now(), paused: this.paused, speed: this.speed };
  }
}
