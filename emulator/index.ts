/**
 * ims-emulator as a library: `startEmulator(options)` starts a local IMS cloud on loopback and
 * returns its URL, its world and a `close()`.
 */
import type { AddressInfo } from "node:net";
import { Clock } from "./domain/clock";
import type { WorldState } from "./domain/model";
import { DEFAULT_JOB_TIMING, defaultWorldState, World, type JobTiming } from "./domain/world";
import { checkWorld, existingState, saveWorldFile } from "./persist";
import { defaultRuntimeOptions, Runtime } from "./http/runtime";
import { createHttpServer, type TlsCertificate } from "./http/server";
import { worldSummary } from "./admin/routes";

export interface EmulatorOptions {
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Port (default 0: any free port). */
  port?: number;
  /** The world to start with (default: the built-in default world), as a world file holds it. */
  world?: Omit<WorldState, "agencies" | "enterpriseProjects"> & Partial<Pick<WorldState, "agencies" | "enterpriseProjects">>;
  /** Persist every change to this file and, if it exists, start from it. */
  stateFile?: string;
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
  const restored = existingState(options.stateFile);
  // A world given as an object is checked like a world file (and an older one brought up to date).
  const initial = options.world ? checkWorld(options.world, "the world option") : defaultWorldState();
  const timing: JobTiming = {
    ...DEFAULT_JOB_TIMING,
    perType: options.jobDurationMs !== undefined ? {} : { ...DEFAULT_JOB_TIMING.perType },
    ...(options.jobDurationMs !== undefined ? { defaultMs: options.jobDurationMs } : {}),
    ...(options.jobJitter !== undefined ? { jitter: options.jobJitter } : {}),
  };
  const world = new World(structuredClone(restored ?? initial), { clock: new Clock(), timing });
  const runtimeOptions = defaultRuntimeOptions();
  if (options.tokenLifetimeMs !== undefined) runtimeOptions.tokenLifetimeMs = options.tokenLifetimeMs;
  if (options.signatureSkewMs !== undefined) runtimeOptions.aksk.skewMs = options.signatureSkewMs;
  if (options.clockOffsetMs !== undefined) runtimeOptions.clockOffsetMs = options.clockOffsetMs;
  if (options.stateFile) runtimeOptions.stateFile = options.stateFile;
  const runtime = new Runtime(world, runtimeOptions, JSON.stringify(initial));
  const server = serverFor(runtime, options.tls);
  if (options.stateFile && !restored) saveWorldFile(options.stateFile, world.state);

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
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
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export { defaultWorldState, DEFAULT_WORLD } from "./domain/world";
export type { TlsCertificate } from "./http/server";
export type { WorldState } from "./domain/model";
