/**
 * Waiting for IMS asynchronous jobs, and for any condition, with adaptive polling.
 *
 * A job is read through its progress view (`GET /v1/cloudimages/job/{job_id}`, with
 * `process_percent`); from two readings the waiter predicts when the job ends and polls right
 * after that moment (one more than 10 s away is approached by halves of 10 s to a minute, each
 * reading improving the prediction). Without usable progress it polls on a geometric schedule (250 ms growing
 * ×1.5 up to 10 s), jittered so that many waiters do not poll in step.
 *
 * A job this process submitted (see {@link noteSubmitted}) starts with a reading of its own: 0 %
 * at submission. Its first poll comes after the shortest time a job of the same operation took
 * in this process, so that from the second job on most jobs are read once, when they are done.
 * Before any job of an operation finished, one of them is its scout: it polls as above, and the
 * others wait for the first prediction its readings give (how long after submission it ends),
 * then read once at that time after their own submission, so a first wave of many jobs costs
 * about one read each instead of a schedule each. A wave waits for its scout's prediction at most
 * 10 s; a first poll more than 10 s away waits half of it, as any predicted end (see
 * {@link predictedDelay}), and a job that takes longer than expected goes on with readings of its own.
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
 * predicts better), so a job of minutes is read about a dozen times, not every 10 s; undefined
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

/**
 * When the job is predicted to end, plus the margin (a late reading costs the margin, an early one
 * another request), on the readings' clock; undefined when the readings allow no prediction.
 */
export function predictedEnd(samples: readonly ProgressSample[], s: PollSchedule = DEFAULT_SCHEDULE): number | undefined {
  if (samples.length < 2) return undefined;
  const first = samples[0];
  const last = samples[samples.length - 1];
  const progress = last.percent - first.percent;
  if (!(progress > 0) || last.percent >= 1) return undefined;
  return last.at + ((1 - last.percent) * (last.at - first.at)) / progress + s.marginMs;
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

/** The job of an operation being polled first, and its prediction once it has one. */
interface Scout {
  jobId: string;
  /** Resolves with how long after submission the scout's job is predicted to end, or undefined when it ended without a prediction. */
  prediction: Promise<number | undefined>;
  announce(totalMs: number | undefined): void;
}

/**
 * Jobs submitted in this process, the shortest time each operation's jobs took, and each
 * operation's scout while none finished (on globalThis: every copy of this module shares them).
 */
interface JobTimes {
  submitted: Map<string, { operation: string; at: number }>;
  fastest: Map<string, number>;
  scouts: Map<string, Scout>;
}
const JOB_TIMES = Symbol.for("pulumi-ims.jobs.times");
const jobTimes: JobTimes = ((globalThis as Record<symbol, unknown>)[JOB_TIMES] as JobTimes) ??
  ((globalThis as Record<symbol, unknown>)[JOB_TIMES] = { submitted: new Map(), fastest: new Map(), scouts: new Map() });
jobTimes.scouts ??= new Map();

/** Makes `jobId` the scout of `operation`. */
function enlistScout(operation: string, jobId: string): Scout {
  let announce!: (totalMs: number | undefined) => void;
  const prediction = new Promise<number | undefined>((resolve) => (announce = resolve));
  const scout: Scout = { jobId, prediction, announce };
  jobTimes.scouts.set(operation, scout);
  return scout;
}

/** Waits for a scout's prediction, at most `maxMs`; undefined when there is none by then. */
async function predictionOf(scout: Scout, maxMs: number, signal: AbortSignal | undefined): Promise<number | undefined> {
  if (maxMs <= 0) return undefined;
  let cancel: (() => void) | undefined;
  const timeout = new Promise<undefined>((resolve, reject) => {
    const timer = setTimeout(() => resolve(undefined), maxMs);
    const abort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", abort, { once: true });
    cancel = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", abort);
    };
  });
  try {
    signal?.throwIfAborted();
    return await Promise.race([scout.prediction, timeout]);
  } finally {
    cancel?.();
  }
}

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
  for (const scout of jobTimes.scouts.values()) scout.announce(undefined);
  jobTimes.scouts.clear();
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
  let scout: Scout | undefined;
  try {
    if (submitted) {
      jobTimes.submitted.delete(jobId);
      samples.push({ at: submitted.at, percent: 0 });
      const { operation } = submitted;
      // A job of the operation that finished here: a duration measured whole. A scout's prediction rests on one
      // early reading: the wave reads no later than 10 s after it, as any prediction on a short baseline.
      let expected = fastestJob(operation);
      let baseline = expected ?? 0;
      if (expected === undefined) {
        const leader = jobTimes.scouts.get(operation);
        if (leader === undefined) scout = enlistScout(operation, jobId);
        else expected = await predictionOf(leader, Math.min(schedule.maxPredictedMs, deadline - Date.now()), options.signal);
      }
      if (expected === undefined && fastestJob(operation) !== undefined) expected = baseline = fastestJob(operation)!;
      expected ??= schedule.firstMs;
      const first = Math.min(towards(expected - (Date.now() - submitted.at), schedule, baseline), deadline - Date.now());
      if (first > 0) await sleep(first, options.signal);
    }
    return await pollJob(read, jobId, options, { schedule, started, deadline, samples, submitted, scout });
  } finally {
    if (scout) {
      scout.announce(undefined);
      if (jobTimes.scouts.get(submitted!.operation) === scout) jobTimes.scouts.delete(submitted!.operation);
    }
  }
}

/** The polling loop of {@link waitForJob}, from its first reading on. */
async function pollJob<J extends JobLike>(
  read: JobReader<J>,
  jobId: string,
  options: WaitOptions,
  state: { schedule: PollSchedule; started: number; deadline: number; samples: ProgressSample[]; submitted: { operation: string; at: number } | undefined; scout: Scout | undefined },
): Promise<J> {
  const { schedule, started, deadline, samples, submitted, scout } = state;
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
        scout?.announce(took);
      }
      return job;
    }
    if (job.status === "FAIL") {
      throw new ImsJobFailedError(jobId, job.job_type, job.error_code ?? null, job.fail_reason ?? null, (job.entities ?? {}) as Record<string, unknown>);
    }
    const percent = job.entities?.process_percent;
    if (typeof percent === "number" && percent >= 0 && percent <= 1) samples.push({ at: Date.now(), percent });
    let delay = predictedDelay(samples, schedule);
    // The scout's first prediction: how long after submission the jobs of its wave are likely done.
    const end = scout ? predictedEnd(samples, schedule) : undefined;
    if (end !== undefined) scout!.announce(end - submitted!.at);
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
