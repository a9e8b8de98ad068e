/**
 * Waiting for IMS asynchronous jobs, and for any condition, with adaptive polling.
 *
 * A job is read through its progress view (`GET /v1/cloudimages/job/{job_id}`, with
 * `process_percent`); from two readings the waiter predicts when the job ends and polls right
 * after that moment (one more than 15 s away is approached by halves of 10 s to a minute, each
 * reading improving the prediction). Without usable progress it polls on a geometric schedule
 * (250 ms growing ×1.5 up to 10 s), jittered so that many waiters do not poll in step.
 *
 * A job this process submitted (see {@link noteSubmitted}) starts with a reading of its own: 0 %
 * at submission. Its first poll comes after the shortest time a job of the same operation took
 * in this process (or after the schedule's first delay when none finished yet), so that from the
 * second job on most jobs are read once, when they are done.
 */
import { sleep } from "./sleep";
import { ImsApiError, ImsJobFailedError, ImsTimeoutError } from "./errors";

/** What the waiter reads of a job (the jobs area validates the whole answer). */
export interface JobLike {
  status: "INIT" | "RUNNING" | "SUCCESS" | "FAIL";
  job_type: string;
  error_code?: string | null;
  fail_reason?: string | null;
  entities?: { process_percent?: number | null } | null;
}

export interface PollSchedule {
  firstMs: number;
  factor: number;
  maxMs: number;
  /** Relative jitter of each delay, e.g. 0.1 for ±10 %. */
  jitter: number;
  /** Added after a predicted end, to land just after it. */
  marginMs: number;
  /** Longest delay to a predicted end: a later end is approached by halves. */
  maxPredictedMs: number;
  /** Longest of those halves. */
  maxFarMs: number;
}

export const DEFAULT_SCHEDULE: PollSchedule = { firstMs: 250, factor: 1.5, maxMs: 10_000, jitter: 0.1, marginMs: 60, maxPredictedMs: 10_000, maxFarMs: 60_000 };

/** The n-th delay of the geometric schedule (n from 0), jittered. */
export function geometricDelay(n: number, s: PollSchedule = DEFAULT_SCHEDULE, random: () => number = Math.random): number {
  const base = Math.min(s.maxMs, s.firstMs * s.factor ** n);
  return Math.round(base * (1 + s.jitter * (2 * random() - 1)));
}

export interface ProgressSample {
  /** Local time of the reading (ms). */
  at: number;
  /** process_percent, 0 to 1. */
  percent: number;
}

/**
 * The delay until the next poll, from the first and last progress readings: just after the
 * predicted end when it is near (up to 1.5 times the schedule's longest predicted delay, 10 s); a
 * later end is approached by halves of 10 s to a minute, none longer than the time the readings
 * span (an early prediction rests on little, and each later reading, on a longer baseline,
 * predicts better), so a job of minutes is read about 15 times, not every 10 s; undefined
 * when the readings allow no prediction (no progress yet, or none made).
 */
export function predictedDelay(samples: readonly ProgressSample[], s: PollSchedule = DEFAULT_SCHEDULE): number | undefined {
  const end = predictedEnd(samples, s);
  if (end === undefined) return undefined;
  const last = samples[samples.length - 1].at;
  return Math.max(50, towards(end - last, s, last - samples[0].at));
}

/**
 * How long to wait for an end `remainingMs` away, predicted from readings spanning `baselineMs`:
 * all of it when near, else half, between 10 s and a minute, and not longer than the baseline.
 */
function towards(remainingMs: number, s: PollSchedule, baselineMs: number): number {
  if (remainingMs <= 1.5 * s.maxPredictedMs) return Math.round(remainingMs);
  return Math.round(Math.max(s.maxPredictedMs, Math.min(remainingMs / 2, s.maxFarMs, baselineMs)));
}

/** `process_percent` comes with two decimals: a reading may be up to half a step below the job's progress. */
const HALF_STEP = 0.005;

/**
 * When the job is predicted to end, plus the margin (a late reading costs the margin, an early one
 * another request), on the readings' clock; undefined when the readings allow no prediction. The
 * last reading counts as half a rounding step further than it says: the earliest end it allows, so
 * that an early reading on coarse progress (3 % of an 8 s job after 250 ms) errs early, costing a
 * request, rather than late, costing the wait.
 */
function predictedEnd(samples: readonly ProgressSample[], s: PollSchedule = DEFAULT_SCHEDULE): number | undefined {
  if (samples.length < 2) return undefined;
  const first = samples[0];
  const last = samples[samples.length - 1];
  if (!(last.percent > first.percent) || last.percent >= 1) return undefined;
  const reached = Math.min(last.percent + HALF_STEP, Math.max(last.percent, 1 - HALF_STEP));
  return last.at + ((1 - reached) * (last.at - first.at)) / (reached - first.percent) + s.marginMs;
}

export interface JobProgress {
  jobId: string;
  status: JobLike["status"];
  elapsedMs: number;
  polls: number;
}

export interface WaitOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  onProgress?: (progress: JobProgress) => void;
  schedule?: PollSchedule;
}

/** Jobs submitted in this process, and the shortest time each operation's jobs took (on globalThis: every copy of this module shares them). */
interface JobTimes {
  submitted: Map<string, { operation: string; at: number }>;
  fastest: Map<string, number>;
}
const JOB_TIMES = Symbol.for("pulumi-ims.jobs.times");
const jobTimes: JobTimes = ((globalThis as Record<symbol, unknown>)[JOB_TIMES] as JobTimes) ??
  ((globalThis as Record<symbol, unknown>)[JOB_TIMES] = { submitted: new Map(), fastest: new Map() });

/** Records that `operation` (e.g. "createImage") submitted job `jobId` now: its wait starts from this moment. */
export function noteSubmitted(jobId: string, operation: string, at: number = Date.now()): void {
  jobTimes.submitted.set(jobId, { operation, at });
}

/** The shortest time a job of `operation` took in this process (submission to the reading that saw it done). */
export const fastestJob = (operation: string): number | undefined => jobTimes.fastest.get(operation);

/** Forgets what was learned of job times (tests). */
export function resetJobTimes(): void {
  jobTimes.submitted.clear();
  jobTimes.fastest.clear();
}

/** Reads a job: the progress view if `withProgress`, else the plain view. */
export type JobReader<J extends JobLike> = (jobId: string, withProgress: boolean) => Promise<J>;

/** Polls until the job ends: SUCCESS → the job; FAIL → ImsJobFailedError; deadline → ImsTimeoutError. */
export async function waitForJob<J extends JobLike>(read: JobReader<J>, jobId: string, options: WaitOptions): Promise<J> {
  const schedule = options.schedule ?? DEFAULT_SCHEDULE;
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  const samples: ProgressSample[] = [];
  const submitted = jobTimes.submitted.get(jobId);
  if (submitted) {
    jobTimes.submitted.delete(jobId);
    samples.push({ at: submitted.at, percent: 0 });
    // A job of the operation that finished here took this long, measured whole: the first poll comes then (a
    // far end approached by halves, as any predicted one).
    const fastest = fastestJob(submitted.operation);
    const first = Math.min(towards((fastest ?? schedule.firstMs) - (Date.now() - submitted.at), schedule, fastest ?? 0), deadline - Date.now());
    if (first > 0) await sleep(first, options.signal);
  }
  let withProgress = true;
  let fallbackStep = 0;
  let polls = 0;
  for (;;) {
    let job: J;
    try {
      job = await read(jobId, withProgress);
    } catch (error) {
      // The progress view is not served everywhere: use the plain one from then on.
      if (withProgress && error instanceof ImsApiError && (error.status === 404 || error.code === "APIGW.0101")) {
        withProgress = false;
        continue;
      }
      throw error;
    }
    polls += 1;
    options.onProgress?.({ jobId, status: job.status, elapsedMs: Date.now() - started, polls });
    if (job.status === "SUCCESS") {
      if (submitted) {
        const took = Date.now() - submitted.at;
        jobTimes.fastest.set(submitted.operation, Math.min(took, fastestJob(submitted.operation) ?? took));
      }
      return job;
    }
    if (job.status === "FAIL") {
      throw new ImsJobFailedError(jobId, job.job_type, job.error_code ?? null, job.fail_reason ?? null, (job.entities ?? {}) as Record<string, unknown>);
    }
    const percent = job.entities?.process_percent;
    if (typeof percent === "number" && percent >= 0 && percent <= 1) samples.push({ at: Date.now(), percent });
    let delay = predictedDelay(samples, schedule);
    if (delay === undefined) delay = geometricDelay(fallbackStep++, schedule);
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new ImsTimeoutError(
        `IMS job ${jobId} (${job.job_type}) was still ${job.status} after ${Math.round(options.timeoutMs / 1000)} s; ` +
          "it may still finish: raise the timeout, and a later run waits for the same job",
        jobId,
        job.status,
      );
    }
    await sleep(Math.min(delay, left), options.signal);
  }
}

/** Polls `probe` until it returns a value other than undefined, on the geometric schedule. */
export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  options: { timeoutMs: number; signal?: AbortSignal; schedule?: PollSchedule },
): Promise<T> {
  const schedule = options.schedule ?? DEFAULT_SCHEDULE;
  const deadline = Date.now() + options.timeoutMs;
  for (let n = 0; ; n++) {
    const value = await probe();
    if (value !== undefined) return value;
    const left = deadline - Date.now();
    if (left <= 0) throw new ImsTimeoutError(`Timed out after ${Math.round(options.timeoutMs / 1000)} s waiting for ${what}.`);
    await sleep(Math.min(geometricDelay(n, schedule), left), options.signal);
  }
}
