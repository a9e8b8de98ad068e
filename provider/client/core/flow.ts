/**
 * Flow control: how many requests the process lets go at once to one endpoint for one project,
 * and how far apart, learnt from the API gateway's throttling. The gateway in front of IMS limits
 * requests per user and project and refuses the excess with 429 `APIGW.0308` before carrying it
 * out (see README.md, "Rate limit"); every request of the process to the same origin and
 * project shares one key here, whichever resource sends it.
 *
 * Two things are adapted per key, both additive increase and multiplicative decrease:
 *
 * - The window: requests in flight at most. It starts at the transport's cap per origin (16 by
 *   default; the largest of the key's clients), so a service that never throttles sees no change;
 *   it grows by 1/window with each accepted request (about one per window of successes) up to that
 *   cap, and halves (never below 1) on a refusal.
 * - The interval: the time between the starts of two requests. None at first; a refusal sets it
 *   from the rate the gateway accepted over the last second (one second divided by the requests it
 *   accepted in it; when it accepted none, the refusal's Retry-After, or else one second), or
 *   multiplies it by 1.5 when that is longer, up to a minute. Each accepted request then takes
 *   1/64 of the interval set by the last refusal off it, so the rate creeps back up, and pacing
 *   ends after 64 successes without a refusal.
 *
 * A decrease happens at most once per round trip: the refusals of requests that were already on
 * their way when the window was cut only count as refusals, so a burst of 429s from one window
 * halves it once. An answer other than 429 counts as accepted (the gateway let it through); a
 * request without an answer (network failure, abort) only frees its slot.
 *
 * Requests wait in one queue per key, the oldest call first: a call's retries keep the place of
 * its first attempt, so a throttled call is not sent to the back. A wait ends at the call's
 * deadline at the latest. The client charges a throttled attempt to the call's retries only when
 * no request of the key was accepted lately (5 s, or 1.5 times the pacing interval or twice the
 * Retry-After when longer): while others get through, the refusal means "wait your turn", and the
 * call's deadline bounds the waiting; once the gateway lets nothing through, a call spends its
 * retries and fails as it would alone.
 *
 * The class is pure apart from its clock and timer, both injectable; one instance serves the
 * process (on globalThis, so every copy of this module shares it).
 */

/** The constants of the adaptation, named in the header above. */
export const FLOW = {
  /** Accepted requests over this span give the observed rate. */
  rateSpanMs: 1000,
  /** An interval set by a refusal is multiplied by this at the next one. */
  growth: 1.5,
  /** Successes over which an interval set by a refusal shrinks back to none. */
  shrinkSteps: 64,
  /** The longest interval. */
  maxIntervalMs: 60_000,
  /** Below this, an interval is dropped. */
  minIntervalMs: 1,
  /** A refusal is contention (no retry spent) while a request of the key was accepted this recently. */
  contentionMs: 5000,
} as const;

/** A request let through: hand it back to {@link FlowControl.settle} once it is answered or failed. */
export interface Ticket {
  readonly key: string;
  /** Its number among the key's requests (refusals of requests up to the key's fence do not cut again). */
  readonly seq: number;
  /** The place of its call in the queue, kept by the call's retries. */
  readonly order: number;
  settled: boolean;
}

/** How a request ended: `undefined` when it got no answer, else whether the gateway refused it. */
export type Answer = { throttled: boolean; retryAfterMs?: number } | undefined;

/** What a key has learnt, for benchmarks and tests. */
export interface FlowSnapshot {
  key: string;
  /** Requests in flight allowed now (the whole part of the window). */
  window: number;
  /** The largest window: the transport's cap. */
  maxWindow: number;
  inFlight: number;
  queued: number;
  /** Milliseconds between the starts of two requests; 0 when not paced. */
  intervalMs: number;
  accepted: number;
  /** Refusals (429) seen. */
  throttled: number;
  /** Times the window was cut (at most one per round trip). */
  decreases: number;
}

/** Runs `run` after `ms`; returns what cancels it. */
export type Schedule = (run: () => void, ms: number) => () => void;

export interface FlowOptions {
  /** Milliseconds, monotonic (default `performance.now`). */
  clock?: () => number;
  schedule?: Schedule;
}

export interface AcquireOptions {
  /** The transport's cap per origin: the largest window, and the first. */
  maxWindow: number;
  /** The call's place (from an earlier ticket of the same call); a new call goes last. */
  order?: number;
  /** Give up waiting after this long. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** A wait for a slot outlived the call's deadline. */
export class FlowTimeoutError extends Error {
  constructor(readonly waitedMs: number) {
    super(`waited ${Math.round(waitedMs)} ms for a turn under the service's rate limit`);
    this.name = "FlowTimeoutError";
  }
}

interface Waiter {
  order: number;
  maxWindow: number;
  resolve: (ticket: Ticket) => void;
  cancel: () => void;
}

interface KeyState {
  window: number;
  maxWindow: number;
  inFlight: number;
  intervalMs: number;
  /** What each accepted request takes off the interval. */
  stepMs: number;
  /** The earliest start of the next request. */
  nextAt: number;
  /** Tickets handed out. */
  sent: number;
  /** Tickets up to this number were on their way at the last cut. */
  fence: number;
  accepted: number;
  /** When the last accepted request was answered. */
  lastAcceptedAt: number;
  throttled: number;
  decreases: number;
  /** When the requests accepted within the last span were answered. */
  recent: number[];
  queue: Waiter[];
  cancelTimer?: () => void;
  timerAt?: number;
}

const defaultSchedule: Schedule = (run, ms) => {
  const timer = setTimeout(run, ms);
  return () => clearTimeout(timer);
};

export class FlowControl {
  private readonly keys = new Map<string, KeyState>();
  private readonly clock: () => number;
  private readonly schedule: Schedule;
  private orders = 0;

  constructor(options: FlowOptions = {}) {
    this.clock = options.clock ?? (() => performance.now());
    this.schedule = options.schedule ?? defaultSchedule;
  }

  private state(key: string, maxWindow: number): KeyState {
    let s = this.keys.get(key);
    if (!s) {
      const cap = Math.max(1, Math.floor(maxWindow));
      s = { window: cap, maxWindow: cap, inFlight: 0, intervalMs: 0, stepMs: 0, nextAt: -Infinity, sent: 0, fence: 0, accepted: 0, lastAcceptedAt: -Infinity, throttled: 0, decreases: 0, recent: [], queue: [] };
      this.keys.set(key, s);
    } else if (Math.floor(maxWindow) > s.maxWindow) {
      // Clients of one key with larger transports: the largest cap (each transport still bounds its own
      // requests); a key never throttled opens its window to it at once.
      s.maxWindow = Math.floor(maxWindow);
      if (s.decreases === 0) s.window = s.maxWindow;
    }
    return s;
  }

  /** A number for a new call: its place in the queues. */
  nextOrder(): number {
    return ++this.orders;
  }

  /**
   * Lets a request of `key` go now, or says how long to wait: the ticket, or the milliseconds
   * until the interval allows the next start (`Infinity`: until a request in flight ends). Does not
   * look at the queue: {@link acquire} asks for its first waiter.
   */
  admit(key: string, maxWindow: number, order: number = this.nextOrder()): Ticket | number {
    const s = this.state(key, maxWindow);
    if (s.inFlight >= Math.floor(s.window)) return Infinity;
    const now = this.clock();
    if (now < s.nextAt) return s.nextAt - now;
    s.inFlight += 1;
    s.sent += 1;
    // A timer that fired late is made up for, by at most half an interval.
    s.nextAt = s.intervalMs > 0 ? Math.max(s.nextAt, now - s.intervalMs / 2) + s.intervalMs : now;
    return { key, seq: s.sent, order, settled: false };
  }

  /** Records how a request ended, adapts the key, and lets waiting requests go. */
  settle(ticket: Ticket, answer: Answer): void {
    if (ticket.settled) return;
    ticket.settled = true;
    const s = this.keys.get(ticket.key);
    if (!s) return;
    s.inFlight -= 1;
    if (answer) {
      const now = this.clock();
      if (!answer.throttled) this.accepted(s, now);
      else this.refused(s, ticket, answer.retryAfterMs, now);
    }
    this.pump(ticket.key, s);
  }

  private accepted(s: KeyState, now: number): void {
    s.accepted += 1;
    s.lastAcceptedAt = now;
    s.recent.push(now);
    this.trim(s, now);
    s.window = Math.min(s.maxWindow, s.window + 1 / s.window);
    if (s.intervalMs > 0) {
      s.intervalMs -= s.stepMs;
      if (s.intervalMs < FLOW.minIntervalMs) s.intervalMs = 0;
    }
  }

  private refused(s: KeyState, ticket: Ticket, retryAfterMs: number | undefined, now: number): void {
    s.throttled += 1;
    // Sent before the last cut: that cut answered it already.
    if (ticket.seq <= s.fence) return;
    s.fence = s.sent;
    s.decreases += 1;
    s.window = Math.max(1, s.window / 2);
    this.trim(s, now);
    const observed = s.recent.length;
    const derived = observed > 0 ? FLOW.rateSpanMs / observed : (retryAfterMs ?? FLOW.rateSpanMs);
    const interval = Math.min(FLOW.maxIntervalMs, Math.max(s.intervalMs * FLOW.growth, derived));
    s.intervalMs = interval >= FLOW.minIntervalMs ? interval : 0;
    s.stepMs = s.intervalMs / FLOW.shrinkSteps;
    if (s.intervalMs > 0) s.nextAt = Math.max(s.nextAt, now + s.intervalMs);
  }

  private trim(s: KeyState, now: number): void {
    const since = now - FLOW.rateSpanMs;
    let drop = 0;
    while (drop < s.recent.length && s.recent[drop] <= since) drop++;
    if (drop > 0) s.recent.splice(0, drop);
  }

  /** Waits for the turn of a request of `key`: the oldest call first, then the window and the interval. */
  acquire(key: string, options: AcquireOptions): Promise<Ticket> {
    const s = this.state(key, options.maxWindow);
    const order = options.order ?? this.nextOrder();
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (s.queue.length === 0) {
      const ticket = this.admit(key, options.maxWindow, order);
      if (typeof ticket !== "number") return Promise.resolve(ticket);
    }
    return new Promise<Ticket>((resolve, reject) => {
      const started = this.clock();
      const cleanups: (() => void)[] = [];
      const leave = (error: unknown) => {
        const at = s.queue.indexOf(waiter);
        if (at < 0) return;
        s.queue.splice(at, 1);
        waiter.cancel();
        reject(error);
        // Its place at the head may have held up the others.
        this.pump(key, s);
      };
      const waiter: Waiter = {
        order,
        maxWindow: options.maxWindow,
        resolve: (ticket) => {
          waiter.cancel();
          resolve(ticket);
        },
        cancel: () => cleanups.splice(0).forEach((c) => c()),
      };
      if (options.timeoutMs !== undefined) {
        cleanups.push(this.schedule(() => leave(new FlowTimeoutError(this.clock() - started)), Math.max(0, options.timeoutMs)));
      }
      if (signal) {
        const onAbort = () => leave(signal.reason);
        signal.addEventListener("abort", onAbort, { once: true });
        cleanups.push(() => signal.removeEventListener("abort", onAbort));
      }
      // In order of the calls' places: a retry goes before the calls that came after its own.
      let at = s.queue.length;
      while (at > 0 && s.queue[at - 1].order > order) at--;
      s.queue.splice(at, 0, waiter);
      this.pump(key, s);
    });
  }

  /** Lets the waiting requests of a key go as far as the window and the interval allow. */
  private pump(key: string, s: KeyState): void {
    // Nobody waits any more: the timer that would wake the queue goes too.
    if (s.queue.length === 0) this.stopTimer(s);
    while (s.queue.length > 0) {
      const head = s.queue[0];
      const ticket = this.admit(key, head.maxWindow, head.order);
      if (typeof ticket === "number") {
        if (ticket !== Infinity) this.wake(key, s, ticket);
        return;
      }
      s.queue.shift();
      head.resolve(ticket);
    }
  }

  /** Runs the pump again in `ms`, unless a timer already does so as soon. */
  private wake(key: string, s: KeyState, ms: number): void {
    const at = this.clock() + ms;
    if (s.cancelTimer && s.timerAt !== undefined && s.timerAt <= at) return;
    this.stopTimer(s);
    s.timerAt = at;
    s.cancelTimer = this.schedule(() => {
      this.stopTimer(s);
      this.pump(key, s);
    }, ms);
  }

  /** Cancels the timer that would run the key's queue again, if any. */
  private stopTimer(s: KeyState): void {
    s.cancelTimer?.();
    s.cancelTimer = undefined;
    s.timerAt = undefined;
  }

  /**
   * Whether a refusal of a request of `key` is contention: a request of the key was accepted
   * lately, within the last {@link FLOW.contentionMs}, 1.5 times the key's pacing interval, or
   * twice the refusal's Retry-After, whichever is longest (a gateway that counts per minute can let
   * nothing through for most of one, and the pacing itself spaces requests further apart than 5 s
   * after a few cuts). While requests get through at the pace, the last one is at most one interval
   * old; when none does, the interval grows by half at each refusal and the time since the last
   * acceptance, the sum of the intervals, approaches twice the interval: 1.5 tells the two apart.
   */
  othersGetThrough(key: string, retryAfterMs = 0): boolean {
    const s = this.keys.get(key);
    if (!s) return false;
    return this.clock() - s.lastAcceptedAt <= Math.max(FLOW.contentionMs, 1.5 * s.intervalMs, 2 * retryAfterMs);
  }

  snapshot(key: string): FlowSnapshot | undefined {
    const s = this.keys.get(key);
    if (!s) return undefined;
    return {
      key,
      window: Math.floor(s.window),
      maxWindow: s.maxWindow,
      inFlight: s.inFlight,
      queued: s.queue.length,
      intervalMs: Math.round(s.intervalMs * 10) / 10,
      accepted: s.accepted,
      throttled: s.throttled,
      decreases: s.decreases,
    };
  }

  snapshots(): FlowSnapshot[] {
    return [...this.keys.keys()].map((key) => this.snapshot(key)!);
  }

  /** Forgets every key (tests); requests waiting are left waiting. */
  reset(): void {
    for (const s of this.keys.values()) this.stopTimer(s);
    this.keys.clear();
  }
}

const REGISTRY = Symbol.for("pulumi-ims.client.flow");

/** The process's flow control, shared by every client and every copy of this module. */
export function flowControl(): FlowControl {
  const g = globalThis as Record<symbol, unknown>;
  return ((g[REGISTRY] as FlowControl | undefined) ??= new FlowControl());
}

/** What each key of the process has learnt (benchmarks and tests). */
export const flowSnapshot = (): FlowSnapshot[] => flowControl().snapshots();

/** Forgets what the process learnt of rate limits (tests). */
export const resetFlow = (): void => flowControl().reset();
