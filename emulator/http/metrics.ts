/** Request counts and latencies per route and status, for benchmarks and tests. */

const MAX_SAMPLES = 20_000;

interface Series {
  count: number;
  totalMs: number;
  samples: number[];
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

export class Metrics {
  private series = new Map<string, Series>();
  tokenIssuances = 0;

  record(method: string, route: string, status: number, ms: number): void {
    const key = `${method} ${route} ${status}`;
    let s = this.series.get(key);
    if (!s) {
      s = { count: 0, totalMs: 0, samples: [] };
      this.series.set(key, s);
    }
    s.count += 1;
    s.totalMs += ms;
    if (s.samples.length < MAX_SAMPLES) s.samples.push(ms);
    else s.samples[Math.floor(Math.random() * MAX_SAMPLES)] = ms;
  }

  snapshot(): { tokenIssuances: number; requests: number; routes: RouteMetrics[] } {
    const routes = [...this.series].map(([key, s]) => {
      const [method, route, status] = key.split(" ");
      const sorted = [...s.samples].sort((a, b) => a - b);
      const at = (q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : 0);
      return {
        method,
        route,
        status: Number(status),
        count: s.count,
        meanMs: round(s.totalMs / s.count),
        p50Ms: round(at(0.5)),
        p99Ms: round(at(0.99)),
      };
    });
    return { tokenIssuances: this.tokenIssuances, requests: routes.reduce((n, r) => n + r.count, 0), routes };
  }

  reset(): void {
    this.series.clear();
    this.tokenIssuances = 0;
  }
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;
