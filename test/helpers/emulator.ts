/**
 * Test fixtures for ims-emulator: start one on a loopback port with fast jobs, and talk to it
 * over real HTTP with a token or an AK/SK signature.
 */
import { createHash, createHmac } from "node:crypto";
import { startEmulator, type EmulatorOptions, type RunningEmulator } from "../../emulator";
import type { WorldState } from "../../emulator/domain/model";

export interface Response<T = unknown> {
  status: number;
  headers: Headers;
  /** Parsed JSON body, or undefined when the body is empty or not JSON. */
  body: T;
  text: string;
}

export interface RequestOptions {
  body?: unknown;
  /** Sent as is (Buffer or string) instead of JSON. */
  raw?: Buffer | string;
  headers?: Record<string, string>;
  token?: string;
  /** Sign with this AK/SK instead of sending a token. */
  aksk?: { access: string; secret: string; projectId?: string; securityToken?: string; date?: Date };
}

/** Starts an emulator whose jobs take `jobMs` (default 150 ms) without jitter. */
export async function startTestEmulator(options: EmulatorOptions & { jobMs?: number } = {}): Promise<TestEmulator> {
  const { jobMs, ...rest } = options;
  const emulator = await startEmulator({ jobDurationMs: jobMs ?? 150, jobJitter: 0, ...rest });
  return new TestEmulator(emulator);
}

const DATE = (d: Date): string => d.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
const enc = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());

/**
 * A test-only SDK-HMAC-SHA256 signer (docs/authentication.md §1), checked against the public vectors in
 * test/emulator/aksk.test.ts. Signs every header it is given plus host and x-sdk-date.
 */
export function signForTest(
  method: string,
  url: URL,
  headers: Record<string, string>,
  body: Buffer,
  access: string,
  secret: string,
): Record<string, string> {
  const all: Record<string, string> = { ...headers, host: url.host };
  const names = Object.keys(all)
    .map((h) => h.toLowerCase())
    .filter((h) => !h.includes("_") && h !== "authorization")
    .sort();
  const lower = Object.fromEntries(Object.entries(all).map(([k, v]) => [k.toLowerCase(), v]));
  const path = url.pathname.split("/").map((s) => enc(decodeURIComponent(s))).join("/");
  const query = [...url.searchParams]
    .map(([k, v]) => [enc(k), enc(v)])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const payload = lower["x-sdk-content-sha256"] === "UNSIGNED-PAYLOAD" ? "UNSIGNED-PAYLOAD" : createHash("sha256").update(body).digest("hex");
  const canonical = [
    method,
    path.endsWith("/") ? path : path + "/",
    query,
    names.map((h) => `${h}:${lower[h].trim()}\n`).join(""),
    names.join(";"),
    payload,
  ].join("\n");
  const toSign = `SDK-HMAC-SHA256\n${lower["x-sdk-date"]}\n${createHash("sha256").update(canonical).digest("hex")}`;
  const signature = createHmac("sha256", secret).update(toSign).digest("hex");
  return { ...headers, Authorization: `SDK-HMAC-SHA256 Access=${access}, SignedHeaders=${names.join(";")}, Signature=${signature}` };
}

export class TestEmulator {
  private tokens = new Map<string, string>();

  constructor(readonly emulator: RunningEmulator) {}

  get url(): string {
    return this.emulator.url;
  }

  get world() {
    return this.emulator.world;
  }

  /** The world's state as JSON (to compare before and after a request). */
  snapshot(): WorldState {
    return JSON.parse(JSON.stringify(this.emulator.world.state));
  }

  /** Project id of a default-world project by name. */
  projectId(name = "ap-southeast-1"): string {
    const p = this.world.state.projects.find((x) => x.name === name);
    if (!p) throw new Error(`no project ${name}`);
    return p.id;
  }

  /** The default AK/SK pair of a project. */
  accessKey(projectName = "ap-southeast-1") {
    const id = this.projectId(projectName);
    const key = this.world.state.accessKeys.find((k) => k.defaultProjectId === id);
    if (!key) throw new Error(`no access key for ${projectName}`);
    return key;
  }

  async request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<Response<T>> {
    const url = new URL(path, this.url);
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    let body: Buffer | undefined;
    if (options.raw !== undefined) body = Buffer.from(options.raw);
    else if (options.body !== undefined) {
      body = Buffer.from(JSON.stringify(options.body));
      headers["Content-Type"] ??= "application/json;charset=UTF-8";
    }
    if (options.token) headers["X-Auth-Token"] = options.token;
    let sent = headers;
    if (options.aksk) {
      const a = options.aksk;
      const signed: Record<string, string> = { ...headers, "X-Sdk-Date": DATE(a.date ?? new Date()) };
      if (a.projectId) signed["X-Project-Id"] = a.projectId;
      if (a.securityToken) signed["X-Security-Token"] = a.securityToken;
      sent = signForTest(method, url, signed, body ?? Buffer.alloc(0), a.access, a.secret);
    }
    const res = await fetch(url, { method, headers: sent, ...(body ? { body } : {}) });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  }

  /** A project-scoped token of the default user (cached per project). */
  async token(projectName = "ap-southeast-1"): Promise<string> {
    const cached = this.tokens.get(projectName);
    if (cached) return cached;
    const res = await this.request("POST", "/v3/auth/tokens", {
      body: {
        auth: {
          identity: { methods: ["password"], password: { user: { name: "ims-user", password: "ims-emulator-password", domain: { name: "ims-emulator" } } } },
          scope: { project: { name: projectName } },
        },
      },
    });
    if (res.status !== 201) throw new Error(`token request failed: ${res.status} ${res.text}`);
    const token = res.headers.get("x-subject-token")!;
    this.tokens.set(projectName, token);
    return token;
  }

  /** A request with a token of `project`. */
  async as<T = unknown>(project: string, method: string, path: string, options: RequestOptions = {}): Promise<Response<T>> {
    return this.request<T>(method, path, { ...options, token: await this.token(project) });
  }

  /** Polls a job until it ends; returns its final view. */
  async waitJob(jobId: string, project = "ap-southeast-1", timeoutMs = 10_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const res = await this.as<Record<string, unknown>>(project, "GET", `/v1/${this.projectId(project)}/jobs/${jobId}`);
      if (res.status !== 200) throw new Error(`job query failed: ${res.status} ${res.text}`);
      if (res.body.status === "SUCCESS" || res.body.status === "FAIL") return res.body;
      if (Date.now() > deadline) throw new Error(`job ${jobId} still ${String(res.body.status)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Submits an async request and waits for its job; fails the test on a non-200 submit. */
  async job(project: string, method: string, path: string, body: unknown): Promise<Record<string, unknown>> {
    const res = await this.as<{ job_id: string }>(project, method, path, { body });
    if (res.status !== 200) throw new Error(`${method} ${path} answered ${res.status}: ${res.text}`);
    return this.waitJob(res.body.job_id, project);
  }

  /** A private active image of `project`, made from the default bucket's qcow2 file; returns its id. */
  async privateImage(name: string, project = "ap-southeast-1"): Promise<string> {
    const job = await this.job(project, "POST", "/v2/cloudimages/action", {
      name,
      image_url: "images-bucket:ubuntu-24.04.qcow2",
      min_disk: 40,
      os_version: "Ubuntu 24.04 server 64bit",
    });
    if (job.status !== "SUCCESS") throw new Error(`creating ${name} failed: ${JSON.stringify(job)}`);
    return (job.entities as { image_id: string }).image_id;
  }

  close(): Promise<void> {
    return this.emulator.close();
  }
}
