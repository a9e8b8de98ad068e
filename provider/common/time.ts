/**
 * Time: durations as users write them, the time budgets of a resource's operations, deadlines,
 * and progress lines on long waits.
 */
import { ImsTimeoutError } from "../client/core/errors";
import type { Target, Timeouts } from "../config";
import { ConfigError } from "./errors";
import type { TimeoutsInput } from "./values";

/** The longest delay a Node.js timer supports. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;
const SECONDS = /^\d+(?:\.\d+)?$/;

/**
 * Parses a duration into milliseconds: "90s", "30m", "1h", "1h30m" (hours, minutes and seconds
 * in that order, each optional) or a number of seconds (a number or a numeric string).
 *
 * @param value - The duration.
 * @param what - What it configures, named in the error (e.g. "ims:timeouts.create").
 * @throws ConfigError unless the duration is positive and at most 596h (the longest Node.js timer).
 */
export function parseDuration(value: string | number, what: string): number {
  const shown = typeof value === "string" ? JSON.stringify(value) : String(value);
  const invalid = (): ConfigError =>
    new ConfigError(`${what}: ${shown} is not a duration; give one like "90s", "30m", "1h", "1h30m" or a number of seconds.`);
  let seconds: number;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw invalid();
    seconds = value;
  } else if (typeof value === "string") {
    const text = value.trim().toLowerCase();
    const parts = DURATION.exec(text);
    if (SECONDS.test(text)) seconds = Number(text);
    else if (text !== "" && parts !== null) {
      seconds = Number(parts[1] ?? 0) * 3600 + Number(parts[2] ?? 0) * 60 + Number(parts[3] ?? 0);
    } else throw invalid();
  } else {
    throw invalid();
  }
  const ms = Math.round(seconds * 1000);
  if (!(ms > 0)) throw new ConfigError(`${what}: ${shown} is not a positive duration; give one like "30m".`);
  if (ms > MAX_TIMER_MS) throw new ConfigError(`${what}: ${shown} is longer than 596h, the longest timer Node.js supports; give a shorter one.`);
  return ms;
}

export type { TimeoutsInput } from "./values";

/**
 * The time budgets of one resource: its own `timeouts` first, then `ims:timeouts`, then the
 * defaults of its kind (e.g. 60 min to create a copy), then the provider's defaults.
 */
export function timeoutsOf(input: TimeoutsInput | undefined, target: Target, kindDefaults: Partial<Timeouts> = {}): Timeouts {
  const t = input ?? {};
  const pick = (name: "create" | "update" | "delete"): number => {
    const own = t[name];
    if (own !== undefined) return parseDuration(own, `timeouts.${name}`);
    const key = `${name}Ms` as const;
    return target.configuredTimeouts[key] ?? kindDefaults[key] ?? target.timeouts[key];
  };
  return { createMs: pick("create"), updateMs: pick("update"), deleteMs: pick("delete") };
}

/** Rejects with ImsTimeoutError when `work` takes longer than `ms`. */
export async function withDeadline<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ImsTimeoutError(`${message} (${Math.round(ms / 1000)} s)`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

const PROGRESS_EVERY_MS = 30_000;

/**
 * Prints a line the user should read as a warning. A dynamic provider has no connection to the
 * engine's log, so the line cannot carry warning severity nor be attached to the resource: it says
 * `warning:` and names the resource itself.
 */
export function warn(message: string): void {
  console.warn(`warning: ${message}`);
}

/** A job waiter's progress callback that prints a line about `what` at most every 30 s. */
export function progressReporter(what: string) {
  let last = Date.now();
  return ({ jobId, status, elapsedMs }: { jobId: string; status: string; elapsedMs: number }) => {
    if (Date.now() - last < PROGRESS_EVERY_MS) return;
    last = Date.now();
    console.log(`${what}: IMS job ${jobId} is ${status} after ${Math.round(elapsedMs / 1000)} s`);
  };
}

/** An upload's progress callback that prints a line about `what` at most every 30 s. */
export function uploadReporter(what: string, totalBytes: number, every = PROGRESS_EVERY_MS) {
  const started = Date.now();
  let last = started;
  const mb = (n: number) => (n / 1024 ** 2).toFixed(1);
  return (sentBytes: number) => {
    if (Date.now() - last < every) return;
    last = Date.now();
    console.log(`${what}: uploaded ${mb(sentBytes)} of ${mb(totalBytes)} MB after ${Math.round((last - started) / 1000)} s`);
  };
}
