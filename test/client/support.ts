/**
 * Shared fixtures of the client's integration tests: clients for the emulator's default world
 * (token or AK/SK), the admin API (faults, metrics), fast job waiting, and a check that an error
 * holds no credential.
 */
import { ImsClient, type ClientSettings, type Credentials } from "../../provider/client";
import type { PollSchedule } from "../../provider/client/core/waiter";
import type { FaultInput } from "../../emulator/http/faults";
import type { TestEmulator } from "../helpers/emulator";

export const MAIN = "ap-southeast-1";
export const ANALYTICS = "ap-southeast-1_analytics";
export const REMOTE = "ap-southeast-3";
export const PASSWORD = "ims-emulator-password";

/** Polls fast: the emulator's jobs take a tenth of a second. */
export const FAST_POLL: PollSchedule = { firstMs: 20, factor: 1.5, maxMs: 150, jitter: 0, marginMs: 10, maxPredictedMs: 300, maxFarMs: 300 };

export const WAIT = { timeoutMs: 10_000, schedule: FAST_POLL };

const RETRY = { baseDelayMs: 20, maxDelayMs: 200 };

export interface ClientOptions {
  /** Project name (default: the region's default project). */
  projectName?: string;
  projectId?: string;
  region?: string;
  retry?: ClientSettings["retry"];
  transport?: ClientSettings["transport"];
}

/** A client of the emulator with the given credentials. */
function clientFor(emu: TestEmulator, credentials: Credentials, options: ClientOptions): ImsClient {
  return new ImsClient({
    endpoint: emu.url,
    auth: {
      authUrl: `${emu.url}/v3`,
      region: options.region ?? MAIN,
      ...(options.projectName ? { projectName: options.projectName } : {}),
      ...(options.projectId ? { projectId: options.projectId } : {}),
      credentials,
    },
    retry: { ...RETRY, ...options.retry },
    ...(options.transport ? { transport: options.transport } : {}),
  });
}

/** A client with the default user's password (IAM tokens). */
export function tokenClient(emu: TestEmulator, options: ClientOptions = {}, password = PASSWORD): ImsClient {
  return clientFor(emu, { kind: "password", domainName: "ims-emulator", userName: "ims-user", password }, options);
}

/** A client signing with the AK/SK pair of `keyProject` (the project is resolved by name unless given). */
export function akskClient(emu: TestEmulator, keyProject = MAIN, options: ClientOptions & { secretKey?: string } = {}): ImsClient {
  const key = emu.accessKey(keyProject);
  return clientFor(emu, { kind: "aksk", accessKey: key.access, secretKey: options.secretKey ?? key.secret }, options);
}

/** A fault rule as the admin API takes it. */
export type FaultRule = Partial<FaultInput> & Pick<FaultInput, "method" | "route">;

export async function addFault(emu: TestEmulator, rule: FaultRule): Promise<void> {
  const res = await emu.request("POST", "/_emulator/faults", { body: rule });
  if (res.status !== 201) throw new Error(`fault refused: ${res.status} ${res.text}`);
}

export async function clearFaults(emu: TestEmulator): Promise<void> {
  const res = await emu.request("DELETE", "/_emulator/faults");
  if (res.status !== 204) throw new Error(`faults not cleared: ${res.status} ${res.text}`);
}

interface RouteMetrics {
  method: string;
  route: string;
  status: number;
  count: number;
}

interface MetricsSnapshot {
  tokenIssuances: number;
  requests: number;
  routes: RouteMetrics[];
}

export async function metrics(emu: TestEmulator): Promise<MetricsSnapshot> {
  const res = await emu.request<MetricsSnapshot>("GET", "/_emulator/metrics");
  if (res.status !== 200) throw new Error(`metrics: ${res.status} ${res.text}`);
  return res.body;
}

export async function resetMetrics(emu: TestEmulator): Promise<void> {
  const res = await emu.request("DELETE", "/_emulator/metrics");
  if (res.status !== 204) throw new Error(`metrics not reset: ${res.status} ${res.text}`);
}

/** Requests the emulator counted for a route (status 0 stands for a dropped connection). */
export function countOf(snapshot: MetricsSnapshot, method: string, route: string, status?: number): number {
  return snapshot.routes
    .filter((r) => r.method === method && r.route === route && (status === undefined || r.status === status))
    .reduce((n, r) => n + r.count, 0);
}

/** Requests the emulator counted outside its admin API. */
export function serviceRequests(snapshot: MetricsSnapshot): number {
  return snapshot.routes.filter((r) => !r.route.startsWith("/_emulator/")).reduce((n, r) => n + r.count, 0);
}

/** Stores an object in the emulator's OBS; returns the format the emulator detected. */
export async function putObject(emu: TestEmulator, bucket: string, key: string, bytes: Buffer): Promise<string> {
  const res = await emu.request<{ format: string }>("PUT", `/_emulator/objects/${bucket}/${key}`, { raw: bytes });
  if (res.status !== 201) throw new Error(`put object: ${res.status} ${res.text}`);
  return res.body.format;
}

/** Polls until `probe` returns a value other than undefined. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The rejection of `promise`; fails when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`rejected with a non-error: ${String(error)}`, { cause: error });
  }
  throw new Error("expected a rejection, but the call succeeded");
}
