/**
 * ims-emulator as a library: `startEmulator(options)` starts a local IMS cloud on loopback and
 * returns its URL, its world and a `close()`.
 */
import type { AddressInfo } from "node:net";
import { Clock } from "./domain/clock";
import type { WorldState } from "./domain/model";
import { DEFAULT_JOB_TIMING, defaultWorldState, World, type JobTiming } from "./domain/world";
import { checkWorld, StateFile } from "./persist";
import { defaultRuntimeOptions, Runtime } from "./http/runtime";
import { validateRateLimit } from "./http/rate-limit";
import { createHttpServer, type TlsCertificate } from "./http/server";
import { worldSummary } from "./admin/routes";

export interface EmulatorOptions {
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Port (default 0: any free port). */
  port?: number;
  /** The world to start with (default: the built-in default world), as a world file holds it. */
  world?: Omit<WorldState, "agencies" | "enterpriseProjects"> & Partial<Pick<WorldState, "agencies" | "enterpriseProjects">>;
  /**
   * Persist every change to this file (and its journal, `<file>.journal`) and, if it exists, start
   * from it.
   */
  stateFile?: string;
  /** Write the state file whole once its journal is larger than this and than the file (default 8 MiB). */
  compactJournalAtBytes?: number;
  /** Duration of every job type, in milliseconds (default 3000; member jobs 800). */
  jobDurationMs?: number;
  /** Relative jitter of job durations, 0 to 1 (default 0.25). */
  jobJitter?: number;
  /** Lifetime of IAM tokens (default 24 h). */
  tokenLifetimeMs?: number;
  /** Accepted clock skew of AK/SK signatures (default 15 min). */
  signatureSkewMs?: number;
  /** How far the service's clock is ahead of this machine's (negative: behind), for clock-skew drills. */
  clockOffsetMs?: number;
  /**
   * A request-rate limit per project on the IMS APIs (not IAM, not the admin API): over it, 429
   * APIGW.0308, with Retry-After unless `retryAfter` is false.
   */
  rateLimit?: { requestsPerSecond: number; retryAfter?: boolean };
  /**
   * Serve HTTPS instead of HTTP, on the same routes, with this certificate (or chain, leaf first) and
   * private key, PEM text. Clients must trust the certificate's CA; the URL is then `https://…`.
   */
  tls?: TlsCertificate;
}

export interface RunningEmulator {
  url: string;
  /** The emulated cloud (its state, clock and job timing). */
  readonly world: World;
  runtime: Runtime;
  /** Endpoint, regions, projects, users and credentials, as the admin API shows them. */
  summary(): ReturnType<typeof worldSummary>;
  close(): Promise<void>;
}

/** The HTTP(S) server; a certificate or key Node cannot use is named as such. */
function serverFor(runtime: Runtime, tls: TlsCertificate | undefined) {
  try {
    return createHttpServer(runtime, tls);
  } catch (e) {
    if (!tls) throw e;
    throw new Error(`cannot serve HTTPS with this TLS certificate and key: ${(e as Error).message}`, { cause: e });
  }
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const runtimeOptions = defaultRuntimeOptions();
  if (options.tokenLifetimeMs !== undefined) runtimeOptions.tokenLifetimeMs = options.tokenLifetimeMs;
  if (options.signatureSkewMs !== undefined) runtimeOptions.aksk.skewMs = options.signatureSkewMs;
  if (options.clockOffsetMs !== undefined) runtimeOptions.clockOffsetMs = options.clockOffsetMs;
  if (options.rateLimit !== undefined) runtimeOptions.rateLimit = validateRateLimit(options.rateLimit);
  // A world given as an object is checked like a world file (and an older one brought up to date).
  const initial = options.world ? checkWorld(options.world, "the world option") : defaultWorldState();
  const timing: JobTiming = {
    ...DEFAULT_JOB_TIMING,
    perType: options.jobDurationMs !== undefined ? {} : { ...DEFAULT_JOB_TIMING.perType },
    ...(options.jobDurationMs !== undefined ? { defaultMs: options.jobDurationMs } : {}),
    ...(options.jobJitter !== undefined ? { jitter: options.jobJitter } : {}),
  };
  const opened = options.stateFile ? StateFile.open(options.stateFile, { compactAtBytes: options.compactJournalAtBytes }) : undefined;
  const restored = opened?.state;
  let server: ReturnType<typeof serverFor>;
  let runtime: Runtime;
  try {
    // A restored world was just read from the file: nothing else holds it.
    const world = new World(restored ?? structuredClone(initial), { clock: new Clock(), timing });
    runtime = new Runtime(world, runtimeOptions, JSON.stringify(initial), opened?.file);
    server = serverFor(runtime, options.tls);
    if (opened && !restored) opened.file.compact(world.state);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
    });
  } catch (e) {
    opened?.file.close();
    throw e;
  }
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  runtime.baseUrl = `${options.tls ? "https" : "http"}://${host}:${address.port}`;
  return {
    url: runtime.baseUrl,
    get world() {
      return runtime.world;
    },
    runtime,
    summary: () => worldSummary(runtime.world, runtime.baseUrl),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close(() => {
          try {
            runtime.closeStateFile();
            resolve();
          } catch (e) {
            reject(e as Error);
          }
        });
      }),
  };
}

export { defaultWorldState, DEFAULT_WORLD } from "./domain/world";
export { readStateFile } from "./persist";
export type { TlsCertificate } from "./http/server";
export type { WorldState } from "./domain/model";
