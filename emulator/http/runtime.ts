import { DEFAULT_TOKEN_LIFETIME_MS } from "../domain/iam";
import type { WorldState } from "../domain/model";
import { World } from "../domain/world";
import type { StateFile } from "../persist";
import { DEFAULT_AKSK_OPTIONS, Lockout, type AkSkOptions } from "./aksk";
import { Faults } from "./faults";
import { Metrics } from "./metrics";
import { RateLimiter, type RateLimitSettings } from "./rate-limit";

export interface RuntimeOptions {
  tokenLifetimeMs: number;
  aksk: AkSkOptions;
  /** Largest request body accepted; AK/SK-signed requests are further limited to 12 MB. */
  maxBodyBytes: number;
  /** How far the service's wall clock is ahead of this machine's (negative: behind); signatures and `Date` follow it. */
  clockOffsetMs: number;
  /** The request-rate limit per project the emulator starts with (and goes back to on reset). */
  rateLimit?: RateLimitSettings;
}

export const AKSK_MAX_BODY = 12 * 1024 * 1024;

/** Everything the HTTP layer keeps beside the world: options, metrics, faults, the rate limit, lockouts. */
export class Runtime {
  baseUrl = "";
  readonly metrics = new Metrics();
  readonly faults = new Faults();
  readonly rateLimit = new RateLimiter();
  readonly lockout = new Lockout();
  private dirty = false;
  /** The next write must be the whole world (it was replaced). */
  private whole = false;
  /** Tokens issued before this time (epoch ms) are refused as to be updated (APIGW.0307). */
  tokensRevokedBefore = 0;

  /** The service's wall-clock time (epoch ms). */
  now(): number {
    return Date.now() + this.options.clockOffsetMs;
  }

  constructor(
    public world: World,
    readonly options: RuntimeOptions,
    /** The world to go back to on reset, as JSON. */
    private readonly initial: string,
    /** Where every change is written, if anywhere. */
    private stateFile?: StateFile,
  ) {
    this.watch(world);
    this.rateLimit.set(options.rateLimit);
  }

  private watch(world: World): void {
    world.trackChanges = this.stateFile !== undefined;
    world.onChange = () => {
      this.dirty = true;
    };
  }

  /** Writes to the state file what changed since the last write (a journal line), if anything did. */
  persist(): void {
    if (!this.dirty || !this.stateFile) return;
    this.dirty = false;
    const started = process.hrtime.bigint();
    const figures = this.whole ? this.stateFile.compact(this.world.state) : this.stateFile.write(this.world);
    if (this.whole) this.world.takeChanges();
    this.whole = false;
    this.metrics.recordWrite(Number(process.hrtime.bigint() - started) / 1e6, figures);
  }

  /** Writes what is still to be written, then the world whole (the state file alone holds it), and closes the state file. */
  closeStateFile(): void {
    const file = this.stateFile;
    if (!file) return;
    this.persist();
    this.stateFile = undefined;
    try {
      file.compact(this.world.state);
    } finally {
      file.close();
    }
  }

  /** Replaces the world (reset, or a world loaded through the admin API). */
  replaceWorld(state: WorldState): void {
    const next = new World(state, { clock: this.world.clock, timing: this.world.timing });
    this.world = next;
    this.watch(next);
    this.lockout.clear();
    this.dirty = true;
    this.whole = true;
  }

  /** Back to the starting world, with no faults, the starting rate limit, fresh metrics and a running job clock at speed 1. */
  reset(): void {
    this.replaceWorld(JSON.parse(this.initial) as WorldState);
    this.faults.clear();
    this.rateLimit.set(this.options.rateLimit);
    this.metrics.reset();
    this.world.clock.resume();
    this.world.clock.setSpeed(1);
  }
}

export const defaultRuntimeOptions = (): RuntimeOptions => ({
  tokenLifetimeMs: DEFAULT_TOKEN_LIFETIME_MS,
  aksk: { ...DEFAULT_AKSK_OPTIONS },
  maxBodyBytes: 256 * 1024 * 1024,
  clockOffsetMs: 0,
});
