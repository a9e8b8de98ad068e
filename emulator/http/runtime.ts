import { DEFAULT_TOKEN_LIFETIME_MS } from "../domain/iam";
import type { WorldState } from "../domain/model";
import { World } from "../domain/world";
import { saveWorldFile } from "../persist";
import { DEFAULT_AKSK_OPTIONS, Lockout, type AkSkOptions } from "./aksk";
import { Faults } from "./faults";
import { Metrics } from "./metrics";

export interface RuntimeOptions {
  tokenLifetimeMs: number;
  aksk: AkSkOptions;
  /** Largest request body accepted; AK/SK-signed requests are further limited to 12 MB. */
  maxBodyBytes: number;
  stateFile?: string;
  /** How far the service's wall clock is ahead of this machine's (negative: behind); signatures and `Date` follow it. */
  clockOffsetMs: number;
}

export const AKSK_MAX_BODY = 12 * 1024 * 1024;

/** Everything the HTTP layer keeps beside the world: options, metrics, faults, lockouts. */
export class Runtime {
  baseUrl = "";
  readonly metrics = new Metrics();
  readonly faults = new Faults();
  readonly lockout = new Lockout();
  private dirty = false;
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
  ) {
    this.watch(world);
  }

  private watch(world: World): void {
    world.onChange = () => {
      this.dirty = true;
    };
  }

  /** Writes the state file if the world changed since the last write. */
  persist(): void {
    if (!this.dirty || !this.options.stateFile) return;
    this.dirty = false;
    saveWorldFile(this.options.stateFile, this.world.state);
  }

  /** Replaces the world (reset, or a world loaded through the admin API). */
  replaceWorld(state: WorldState): void {
    const next = new World(state, { clock: this.world.clock, timing: this.world.timing });
    this.world = next;
    this.watch(next);
    this.lockout.clear();
    this.dirty = true;
  }

  /** Back to the starting world, with no faults, fresh metrics and a running job clock at speed 1. */
  reset(): void {
    this.replaceWorld(JSON.parse(this.initial) as WorldState);
    this.faults.clear();
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
