/**
 * Request counts and latencies per route and status, requests refused by the rate limit, and the
 * state file's writes, for benchmarks and tests.
 */
import type { WriteFigures } from "../persist";

const MAX_SAMPLES = 20_000;

/** Counts and a bounded reservoir of durations, for quantiles. */
class Series {
  count = 0;
  totalMs = 0;
  bytes = 0;
  private readonly samples: number[] = [];

  add(ms: number, bytes = 0): void {
    this.count += 1;
    this.totalMs += ms;
    this.bytes += bytes;
    if (this.samples.length < MAX_SAMPLES) this.samples.push(ms);
    else this.samples[Math.floor(Math.random() * MAX_SAMPLES)] = ms;
  }

  figures(): { count: number; meanMs: number; p50Ms: number; p99Ms: number } {
    const sorted = [...this.samples].sort((a, b) => a - b);
    const at = (q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : 0);
    return { count: this.count, meanMs: round(this.count ? this.totalMs / this.count : 0), p50Ms: round(at(0.5)), p99Ms: round(at(0.99)) };
  }
}

export interface RouteMetrics {
  method: string;
  route: string;
  status: number;
  count: number;
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
}

/** Writes of one kind to the state file: how many, how many bytes, how long they took. */
export interface WriteMetrics {
  count: number;
  bytes: number;
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
}

export class Metrics {
  private series = new Map<string, Series>();
  private journal = new Series();
  private whole = new Series();
  tokenIssuances = 0;
  /** Requests refused by the rate limit (429 APIGW.0308), per project. */
  private throttledBy = new Map<string, number>();

  record(method: string, route: string, status: number, ms: number): void {
    const key = `${method} ${route} ${status}`;
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = new Series()));
    s.add(ms);
  }

  /** One write of the state file: a journal line, or the whole world. */
  recordWrite(ms: number, figures: WriteFigures): void {
    if (figures.bytes === 0) return;
    (figures.compacted ? this.whole : this.journal).add(ms, figures.bytes);
  }

  recordThrottled(projectId: string): void {
    this.throttledBy.set(projectId, (this.throttledBy.get(projectId) ?? 0) + 1);
  }

  snapshot() {
    const routes: RouteMetrics[] = [...this.series].map(([key, s]) => {
      const [method, route, status] = key.split(" ");
      return { method, route, status: Number(status), ...s.figures() };
    });
    const writes = (s: Series): WriteMetrics => ({ ...s.figures(), bytes: s.bytes });
    return {
      tokenIssuances: this.tokenIssuances,
      requests: routes.reduce((n, r) => n + r.count, 0),
      /** Refused by the rate limit, in all and per project. */
      throttled: { total: [...this.throttledBy.values()].reduce((n, c) => n + c, 0), byProject: Object.fromEntries(this.throttledBy) },
      routes,
      /** Journal lines (one per request that changed the world) and whole writes of the world. */
      stateFile: { journalWrites: writes(this.journal), wholeWrites: writes(this.whole) },
    };
  }

  reset(): void {
    this.series.clear();
    this.journal = new Series();
    this.whole = new Series();
    this.throttledBy.clear();
    this.tokenIssuances = 0;
  }
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;
