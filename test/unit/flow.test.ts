/**
 * The client's flow control (provider/client/core/flow.ts), on a clock and timers of the test's
 * own: the window (additive increase, halved at most once per round trip, never below 1), the
 * pacing after a refusal, the queue, and keys kept apart.
 */
import { FLOW, FlowControl, FlowTimeoutError, type Ticket } from "../../provider/client/core/flow";

/** A flow control on a fake clock; `advance` moves it and runs the timers that come due. */
function harness() {
  let now = 1_000_000;
  let timers: { at: number; id: number; run: () => void }[] = [];
  let ids = 0;
  const flow = new FlowControl({
    clock: () => now,
    schedule: (run, ms) => {
      const id = ++ids;
      timers.push({ at: now + ms, id, run });
      return () => (timers = timers.filter((t) => t.id !== id));
    },
  });
  const advance = async (ms: number) => {
    const until = now + ms;
    for (;;) {
      timers.sort((a, b) => a.at - b.at || a.id - b.id);
      const due = timers[0];
      if (!due || due.at > until) break;
      timers.shift();
      now = due.at;
      due.run();
      await Promise.resolve();
    }
    now = until;
    await Promise.resolve();
  };
  return { flow, advance, now: () => now, timers: () => timers.length };
}

const KEY = "https://ims.example project-a";
const OTHER = "https://ims.example project-b";

/** Admits requests of `key` until one must wait; the tickets. */
function fill(flow: FlowControl, key = KEY, max = 16): Ticket[] {
  const tickets: Ticket[] = [];
  for (;;) {
    const t = flow.admit(key, max);
    if (typeof t === "number") return tickets;
    tickets.push(t);
  }
}

const ok = { throttled: false } as const;
const refused = (retryAfterMs?: number) => ({ throttled: true, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });

describe("the window", () => {
  it("starts at the transport's cap: a service that never throttles sees no change", () => {
    const { flow } = harness();
    expect(fill(flow)).toHaveLength(16);
    expect(flow.admit(KEY, 16)).toBe(Infinity);
    expect(flow.snapshot(KEY)).toMatchObject({ window: 16, maxWindow: 16, inFlight: 16, intervalMs: 0, throttled: 0, decreases: 0 });
  });

  it("a burst of 429s from one window halves it once", () => {
    const { flow } = harness();
    const tickets = fill(flow, KEY, 8);
    for (const t of tickets) flow.settle(t, refused());
    expect(flow.snapshot(KEY)).toMatchObject({ window: 4, inFlight: 0, throttled: 8, decreases: 1 });
  });

  it("a refusal of a request sent after the cut halves it again, down to 1 and never below", () => {
    const { flow } = harness();
    const first = fill(flow, KEY, 8);
    flow.settle(first[0], refused(0));
    expect(flow.snapshot(KEY)!.window).toBe(4);
    // The others of the first window answer later: refused too, they cut nothing more.
    for (const t of first.slice(1)) flow.settle(t, refused(0));
    expect(flow.snapshot(KEY)).toMatchObject({ window: 4, throttled: 8, decreases: 1 });
    for (const expected of [2, 1, 1, 1]) {
      const t = flow.admit(KEY, 8);
      if (typeof t === "number") throw new Error(`not admitted: ${t}`);
      flow.settle(t, refused(0));
      expect(flow.snapshot(KEY)!.window).toBe(expected);
    }
    expect(flow.snapshot(KEY)).toMatchObject({ window: 1, throttled: 12, decreases: 5 });
  });

  it("grows by about one per window of successes, up to the cap", () => {
    const { flow, advance } = harness();
    for (const t of fill(flow, KEY, 8)) flow.settle(t, refused(0)); // window 4
    expect(flow.snapshot(KEY)!.window).toBe(4);
    void advance(0);
    const round = () => {
      const tickets = fill(flow, KEY, 8);
      for (const t of tickets) flow.settle(t, ok);
      return tickets.length;
    };
    // Retry-After 0 with nothing accepted before: no pacing, only the window.
    expect(flow.snapshot(KEY)!.intervalMs).toBe(0);
    expect(round()).toBe(4);
    expect(flow.snapshot(KEY)!.window).toBe(4); // 4 + 4 × 1/w ≈ 4.93
    expect(round()).toBe(4);
    expect(flow.snapshot(KEY)!.window).toBe(5);
    for (let i = 0; i < 20; i++) round();
    expect(flow.snapshot(KEY)!.window).toBe(8);
  });

  it("a request without an answer frees its slot and changes nothing", () => {
    const { flow } = harness();
    const tickets = fill(flow, KEY, 4);
    flow.settle(tickets[0], undefined);
    flow.settle(tickets[0], refused()); // settled already: ignored
    expect(flow.snapshot(KEY)).toMatchObject({ window: 4, inFlight: 3, accepted: 0, throttled: 0, intervalMs: 0 });
  });
});

describe("pacing", () => {
  it("after a 429, requests are spaced by the rate accepted over the last second", async () => {
    const { flow, advance } = harness();
    // 10 accepted, then a refusal: the gateway takes 10 a second.
    for (let i = 0; i < 10; i++) flow.settle(flow.admit(KEY, 16) as Ticket, ok);
    flow.settle(flow.admit(KEY, 16) as Ticket, refused(1000));
    expect(flow.snapshot(KEY)).toMatchObject({ intervalMs: 100, window: 8, decreases: 1 });
    // The next start is an interval away, whatever the window allows.
    expect(flow.admit(KEY, 16)).toBe(100);
    await advance(100);
    const t = flow.admit(KEY, 16) as Ticket;
    expect(typeof t).toBe("object");
    expect(flow.admit(KEY, 16)).toBe(100);
    // Each success takes 1/64 of the interval off.
    flow.settle(t, ok);
    expect(flow.snapshot(KEY)!.intervalMs).toBeCloseTo(100 - 100 / FLOW.shrinkSteps, 1);
  });

  it("only acceptances within the last second count", async () => {
    const { flow, advance } = harness();
    for (let i = 0; i < 10; i++) flow.settle(flow.admit(KEY, 16) as Ticket, ok);
    await advance(1500);
    for (let i = 0; i < 4; i++) flow.settle(flow.admit(KEY, 16) as Ticket, ok);
    flow.settle(flow.admit(KEY, 16) as Ticket, refused());
    expect(flow.snapshot(KEY)!.intervalMs).toBe(250);
  });

  it("a second refusal multiplies the interval; successes shrink it additively back to none", async () => {
    const { flow, advance } = harness();
    for (let i = 0; i < 20; i++) flow.settle(flow.admit(KEY, 16) as Ticket, ok);
    flow.settle(flow.admit(KEY, 16) as Ticket, refused());
    expect(flow.snapshot(KEY)!.intervalMs).toBe(50);
    await advance(50);
    flow.settle(flow.admit(KEY, 16) as Ticket, refused());
    expect(flow.snapshot(KEY)!.intervalMs).toBe(50 * FLOW.growth);
    const steps: number[] = [];
    for (let i = 0; i < FLOW.shrinkSteps; i++) {
      await advance(1000);
      flow.settle(flow.admit(KEY, 16) as Ticket, ok);
      steps.push(flow.snapshot(KEY)!.intervalMs);
    }
    // Equal steps, and no pacing left after shrinkSteps successes.
    expect(steps[0] - steps[1]).toBeCloseTo(steps[1] - steps[2], 0);
    expect(steps.at(-1)).toBe(0);
    // Back to requests at once, as many as the window (grown back from 4 meanwhile) holds.
    await advance(1);
    const window = flow.snapshot(KEY)!.window;
    expect(window).toBeGreaterThan(8);
    expect(fill(flow, KEY, 16)).toHaveLength(window);
  });

  it("without an accepted request to go by: the Retry-After, or else one second", () => {
    const { flow } = harness();
    flow.settle(flow.admit(KEY, 16) as Ticket, refused(3000));
    expect(flow.snapshot(KEY)!.intervalMs).toBe(3000);
    flow.settle(flow.admit(OTHER, 16) as Ticket, { throttled: true });
    expect(flow.snapshot(OTHER)!.intervalMs).toBe(1000);
  });

  it("the interval stops at a minute", async () => {
    const { flow, advance } = harness();
    for (let i = 0; i < 10; i++) {
      await advance(FLOW.maxIntervalMs);
      flow.settle(flow.admit(KEY, 16) as Ticket, refused(50_000));
    }
    expect(flow.snapshot(KEY)).toMatchObject({ intervalMs: FLOW.maxIntervalMs, decreases: 10 });
  });
});

describe("keys", () => {
  it("are independent: one project's throttling neither narrows nor paces another's", () => {
    const { flow } = harness();
    for (const t of fill(flow, KEY, 16)) flow.settle(t, refused(1000));
    expect(flow.snapshot(KEY)).toMatchObject({ window: 8, intervalMs: 1000 });
    expect(fill(flow, OTHER, 16)).toHaveLength(16);
    expect(flow.snapshot(OTHER)).toMatchObject({ window: 16, intervalMs: 0, throttled: 0 });
    expect(flow.snapshots().map((s) => s.key)).toEqual([KEY, OTHER]);
  });
});

describe("clients of one key", () => {
  it("share the largest transport's cap: a client with a larger transport opens the window to its own", () => {
    const { flow } = harness();
    const first = fill(flow, KEY, 4);
    expect(first).toHaveLength(4);
    expect(flow.snapshot(KEY)).toMatchObject({ window: 4, maxWindow: 4 });
    // Never throttled: the wider client opens the window to its own cap at once.
    expect(fill(flow, KEY, 32)).toHaveLength(28);
    expect(flow.snapshot(KEY)).toMatchObject({ window: 32, maxWindow: 32 });
    for (const t of first) flow.settle(t, ok);
    // A smaller client does not shrink it.
    flow.admit(KEY, 2);
    expect(flow.snapshot(KEY)).toMatchObject({ maxWindow: 32 });
  });
});

describe("contention", () => {
  it("a refusal is contention while a request of the key was accepted within the last 5 s", async () => {
    const { flow, advance } = harness();
    expect(flow.othersGetThrough(KEY)).toBe(false);
    flow.settle(flow.admit(KEY, 16) as Ticket, ok);
    expect(flow.othersGetThrough(KEY)).toBe(true);
    expect(flow.othersGetThrough(OTHER)).toBe(false);
    // Refusals do not count as getting through.
    flow.settle(flow.admit(KEY, 16) as Ticket, refused());
    await advance(FLOW.contentionMs);
    expect(flow.othersGetThrough(KEY)).toBe(true);
    // Nothing accepted for longer than that: the gateway lets nothing through.
    await advance(1);
    expect(flow.othersGetThrough(KEY)).toBe(false);
    // Unless the refusal asks to wait longer (a gateway counting per minute), up to twice its Retry-After.
    expect(flow.othersGetThrough(KEY, 30_000)).toBe(true);
    await advance(60_000);
    expect(flow.othersGetThrough(KEY, 30_000)).toBe(false);
  });

  it("a pacing interval longer than 5 s stretches the time an acceptance counts to 1.5 times that interval", async () => {
    const { flow, advance } = harness();
    flow.settle(flow.admit(KEY, 16) as Ticket, ok);
    // Refusals with a Retry-After of 8 s, nothing accepted in the last second: the interval becomes 8 s.
    await advance(1500);
    flow.settle(flow.admit(KEY, 16) as Ticket, refused(8000));
    expect(flow.snapshot(KEY)!.intervalMs).toBe(8000);
    await advance(10_000);
    expect(flow.othersGetThrough(KEY)).toBe(true);
    await advance(2000);
    expect(flow.othersGetThrough(KEY)).toBe(false);
  });
});

describe("the queue", () => {
  it("lets waiting requests go as slots free up, oldest call first; a retry keeps its call's place", async () => {
    const { flow, advance } = harness();
    const first = await flow.acquire(KEY, { maxWindow: 1 });
    const order: string[] = [];
    const later = flow.acquire(KEY, { maxWindow: 1 }).then((t) => (order.push("later"), t));
    // The retry of the call of `first` goes before the call that came after it.
    const retry = flow.acquire(KEY, { maxWindow: 1, order: first.order }).then((t) => (order.push("retry"), t));
    flow.settle(first, ok);
    const r = await retry;
    expect(order).toEqual(["retry"]);
    flow.settle(r, ok);
    flow.settle(await later, ok);
    expect(order).toEqual(["retry", "later"]);
    await advance(0);
    expect(flow.snapshot(KEY)).toMatchObject({ inFlight: 0, queued: 0, accepted: 3 });
  });

  it("paces the waiting requests with timers", async () => {
    const { flow, advance, now } = harness();
    for (let i = 0; i < 10; i++) flow.settle(await flow.acquire(KEY, { maxWindow: 16 }), ok);
    flow.settle(await flow.acquire(KEY, { maxWindow: 16 }), refused());
    const starts: number[] = [];
    const waits = Array.from({ length: 3 }, () => flow.acquire(KEY, { maxWindow: 16 }).then((t) => (starts.push(now()), flow.settle(t, ok))));
    await advance(1000);
    await Promise.all(waits);
    expect(starts).toHaveLength(3);
    const t0 = starts[0];
    expect(starts.map((s) => Math.round(s - t0))).toEqual([0, 100, 198]);
  });

  it("a wait ends at its time limit with FlowTimeoutError, and at an abort with its reason", async () => {
    const { flow, advance, timers } = harness();
    const held = await flow.acquire(KEY, { maxWindow: 1 });
    const timedOut = flow.acquire(KEY, { maxWindow: 1, timeoutMs: 500 });
    const controller = new AbortController();
    const aborted = flow.acquire(KEY, { maxWindow: 1, signal: controller.signal });
    const caught = [timedOut.catch((e: unknown) => e), aborted.catch((e: unknown) => e)];
    controller.abort(new Error("stop"));
    await advance(500);
    const [timeout, abort] = await Promise.all(caught);
    expect(timeout).toBeInstanceOf(FlowTimeoutError);
    expect((timeout as FlowTimeoutError).waitedMs).toBe(500);
    expect((abort as Error).message).toBe("stop");
    expect(flow.snapshot(KEY)).toMatchObject({ queued: 0, inFlight: 1 });
    flow.settle(held, ok);
    expect(timers()).toBe(0);
  });
});
