/**
 * HTTP transport on undici: one keep-alive connection pool per origin, timeouts, and a cap on
 * requests in flight per origin, shared by every resource in the process.
 */
import type { Readable } from "node:stream";
import { Pool } from "undici";
import { packageInfo } from "../../package-info";
import { debugExchange } from "./debug";

export interface TransportOptions {
  /** Requests in flight per origin (default 16). */
  maxConcurrency: number;
  connectTimeoutMs: number;
  /** Time to the response headers, and between body chunks. */
  responseTimeoutMs: number;
  /** Allow plain http:// to hosts other than loopback. */
  allowInsecureHttp: boolean;
}

export const DEFAULT_TRANSPORT: TransportOptions = {
  maxConcurrency: 16,
  connectTimeoutMs: 10_000,
  responseTimeoutMs: 60_000,
  allowInsecureHttp: false,
};

export interface HttpRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: Buffer | Readable;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** A counting semaphore: `acquire` waits for a free slot. */
class Semaphore {
  private waiting: (() => void)[] = [];
  private active = 0;

  constructor(private readonly limit: number) {}

  async acquire(): Promise<() => void> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active += 1;
    return () => {
      this.active -= 1;
      this.waiting.shift()?.();
    };
  }
}

interface Origin {
  pool: Pool;
  slots: Semaphore;
}

/** Pools live on globalThis so that every copy of this module in the process shares them. */
const REGISTRY = Symbol.for("pulumi-ims.transport.origins");
const origins: Map<string, Origin> = ((globalThis as Record<symbol, unknown>)[REGISTRY] as Map<string, Origin>) ??
  ((globalThis as Record<symbol, unknown>)[REGISTRY] = new Map<string, Origin>());

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/** Throws unless the URL may be used: https, or http to loopback (or when explicitly allowed). */
export function checkScheme(url: URL, options: TransportOptions): void {
  if (url.protocol === "https:") return;
  if (url.protocol === "http:" && (LOOPBACK.test(url.hostname) || options.allowInsecureHttp)) return;
  throw new Error(
    `${url.origin} uses ${url.protocol.replace(":", "")}: only https is allowed, or http to a loopback address ` +
      "(set ims:allowInsecureHttp to true to allow plain http elsewhere)",
  );
}

function originFor(url: URL, options: TransportOptions): Origin {
  const key = `${url.origin}|${options.maxConcurrency}|${options.connectTimeoutMs}|${options.responseTimeoutMs}`;
  let origin = origins.get(key);
  if (!origin) {
    origin = {
      pool: new Pool(url.origin, {
        connections: options.maxConcurrency,
        keepAliveTimeout: 30_000,
        connect: { timeout: options.connectTimeoutMs },
        headersTimeout: options.responseTimeoutMs,
        bodyTimeout: options.responseTimeoutMs,
      }),
      slots: new Semaphore(options.maxConcurrency),
    };
    origins.set(key, origin);
  }
  return origin;
}

export function userAgent(): string {
  const { version } = packageInfo();
  return `pulumi-ims/${version} node/${process.versions.node}`;
}

/** Sends one request and reads the whole answer. Network failures reject with undici's error. */
export async function send(request: HttpRequest, options: TransportOptions): Promise<HttpResponse> {
  checkScheme(request.url, options);
  const origin = originFor(request.url, options);
  const release = await origin.slots.acquire();
  const started = performance.now();
  try {
    const response = await exchange(origin, request);
    debugExchange(request, { response }, performance.now() - started);
    return response;
  } catch (error) {
    debugExchange(request, { error }, performance.now() - started);
    throw error;
  } finally {
    release();
  }
}

async function exchange(origin: Origin, request: HttpRequest): Promise<HttpResponse> {
  const res = await origin.pool.request({
    method: request.method as "GET",
    path: `${request.url.pathname}${request.url.search}`,
    headers: request.headers,
    ...(request.body !== undefined ? { body: request.body } : {}),
    ...(request.signal ? { signal: request.signal } : {}),
  });
  const body = Buffer.from(await res.body.arrayBuffer());
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return { status: res.statusCode, headers, body };
}

/** Closes every pool (tests and benchmarks). */
export async function closeAllPools(): Promise<void> {
  const pools = [...origins.values()].map((o) => o.pool);
  origins.clear();
  await Promise.all(pools.map((p) => p.close()));
}
