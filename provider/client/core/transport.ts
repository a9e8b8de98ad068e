/**
 * HTTP transport on undici: one keep-alive connection pool per origin, timeouts, and a cap on
 * requests in flight per origin, shared by every resource in the process; the proxy of the
 * environment (HTTPS_PROXY, HTTP_PROXY, NO_PROXY), a CA of one's own, or no certificate check at all.
 */
import type { Readable } from "node:stream";
import { Pool, ProxyAgent, type Dispatcher } from "undici";
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
  /** Certificates (PEM) to trust besides the system's: a private cloud's own CA (ims:caCertFile). */
  ca?: string;
  /** Accept any certificate (ims:insecure): for test clouds only. */
  insecure?: boolean;
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
  dispatcher: Dispatcher;
  slots: Semaphore;
}

/**
 * The proxy for a URL from the environment, as curl and most tools read it: HTTPS_PROXY for https,
 * HTTP_PROXY for http (or their lower-case names), unless NO_PROXY names the host (a name, a domain
 * with or without its leading dot, `host:port`, or `*`).
 */
export function proxyFor(url: URL, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const proxy = url.protocol === "https:" ? (env.HTTPS_PROXY ?? env.https_proxy) : (env.HTTP_PROXY ?? env.http_proxy);
  if (!proxy) return undefined;
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  for (const raw of (env.NO_PROXY ?? env.no_proxy ?? "").split(",")) {
    const entry = raw.trim().toLowerCase();
    if (entry === "") continue;
    if (entry === "*") return undefined;
    // "[::1]:8443", "host:8443", or a bare name or address (an IPv6 one has several colons).
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    const single = !bracketed && entry.split(":").length === 2 ? entry.split(":") : undefined;
    const [name, entryPort] = bracketed ? [bracketed[1], bracketed[2]] : single ? [single[0], single[1]] : [entry, undefined];
    if (entryPort !== undefined && entryPort !== port) continue;
    const domain = name.replace(/^\*?\./, "");
    if (host === domain || host.endsWith(`.${domain}`)) return undefined;
  }
  return proxy;
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
  const proxy = proxyFor(url);
  const tls = { ...(options.ca ? { ca: options.ca } : {}), ...(options.insecure ? { rejectUnauthorized: false } : {}) };
  const key = [url.origin, proxy ?? "", options.maxConcurrency, options.connectTimeoutMs, options.responseTimeoutMs, options.ca ?? "", options.insecure ? 1 : 0].join("|");
  let origin = origins.get(key);
  if (!origin) {
    const timeouts = { headersTimeout: options.responseTimeoutMs, bodyTimeout: options.responseTimeoutMs };
    origin = {
      dispatcher: proxy
        ? new ProxyAgent({ uri: proxy, requestTls: { ...tls, timeout: options.connectTimeoutMs }, connections: options.maxConcurrency, ...timeouts })
        : new Pool(url.origin, { connections: options.maxConcurrency, keepAliveTimeout: 30_000, connect: { timeout: options.connectTimeoutMs, ...tls }, ...timeouts }),
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
  const res = await origin.dispatcher.request({
    origin: request.url.origin,
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
  const dispatchers = [...origins.values()].map((o) => o.dispatcher);
  origins.clear();
  await Promise.all(dispatchers.map((d) => d.close()));
}
