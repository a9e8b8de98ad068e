/**
 * Authentication: AK/SK signing, or IAM password tokens scoped to a project (docs/authentication.md §1, §2).
 *
 * Tokens and resolved project ids are cached per process (on globalThis, so every copy of this
 * module shares them) and concurrent callers share one request: one token request per
 * credential and project, however many resources ask.
 */
import { createHash } from "node:crypto";
import { CERTIFICATE_HINT, ImsApiError, ImsNetworkError, parseServiceError, registerSecret } from "./errors";
import { backoffDelay, certificateProblem, decide, DEFAULT_RETRY, neverSent, parseRetryAfter, type RetryPolicy } from "./retry";
import { sdkDate, signRequest } from "./signer";
import { sleep } from "./sleep";
import { send, userAgent, type HttpRequest, type HttpResponse, type TransportOptions } from "./transport";

export type Credentials =
  | { kind: "aksk"; accessKey: string; secretKey: string; securityToken?: string }
  | { kind: "password"; domainName: string; userName: string; password: string }
  | { kind: "token"; token: string };

export interface AuthSettings {
  credentials: Credentials;
  /** IAM auth URL, ending in /v3. */
  authUrl: string;
  region: string;
  /** The project: by id, or by name (default: the region's default project, named like the region). */
  projectId?: string;
  projectName?: string;
}

interface CachedToken {
  token: string;
  projectId: string;
  refreshAt: number;
  expiresAt: number;
}

interface Caches {
  tokens: Map<string, CachedToken>;
  pendingTokens: Map<string, Promise<CachedToken>>;
  projects: Map<string, Promise<string>>;
  tokenRequests: number;
  /** How far each service origin's clock is ahead of this machine's, once a signature showed it. */
  clockOffsets: Map<string, number>;
  /** Credentials the service refused (a bad signature, a wrong password): nothing more is sent with them. */
  refusals: Map<string, Error>;
  /** The first signed request to an origin goes alone (see {@link Authenticator.enter}). */
  gates: Map<string, Promise<void> | "open">;
}

const REGISTRY = Symbol.for("pulumi-ims.auth.caches");
const caches: Caches = ((globalThis as Record<symbol, unknown>)[REGISTRY] as Caches) ??
  ((globalThis as Record<symbol, unknown>)[REGISTRY] = {
    tokens: new Map(),
    pendingTokens: new Map(),
    projects: new Map(),
    tokenRequests: 0,
    clockOffsets: new Map(),
    refusals: new Map(),
    gates: new Map(),
  } satisfies Caches);

/** How many IAM token requests this process made (benchmarks and tests). */
export const tokenRequestCount = (): number => caches.tokenRequests;

/** Forgets every cached token and project id (tests). */
export function clearAuthCaches(): void {
  caches.tokens.clear();
  caches.pendingTokens.clear();
  caches.projects.clear();
  caches.tokenRequests = 0;
  caches.clockOffsets.clear();
  caches.refusals.clear();
  caches.gates.clear();
}

/** Beyond this distance between the service's clock and ours, signatures are dated by the service's clock. */
const CLOCK_SLACK_MS = 60_000;

/**
 * How far the service's clock is ahead of ours, from the `Date` header of an answer that refused a
 * signature as expired; undefined when the answer says nothing of the kind. (The gateway refuses
 * signatures dated more than 15 minutes from its own clock: docs/authentication.md §1.)
 */
export function clockSkew(status: number, headers: Record<string, string>, message: string, now: number = Date.now()): number | undefined {
  if (status !== 401 || !/expired|signature time/i.test(message)) return undefined;
  const theirs = Date.parse(headers.date ?? "");
  if (!Number.isFinite(theirs)) return undefined;
  const skew = theirs - now;
  return Math.abs(skew) > CLOCK_SLACK_MS ? skew : undefined;
}

/** Refresh when less than a tenth of the lifetime, or an hour, is left. */
function refreshPoint(issuedAt: number, expiresAt: number): number {
  return expiresAt - Math.min(3600_000, (expiresAt - issuedAt) / 10);
}

/**
 * One IAM request. Both IAM calls (a token, a project lookup) may be repeated without harm, so
 * they are retried like idempotent calls: after throttling, 502/503/504 and network failures,
 * with backoff (and Retry-After), up to `retry.maxRetries` times.
 */
async function iamCall(
  request: HttpRequest,
  transport: TransportOptions,
  operation: string,
  retry: RetryPolicy,
  /** Signs the request again (AK/SK) after the clock was corrected; undefined for unsigned requests. */
  resign?: (skewMs: number) => void,
): Promise<{ status: number; headers: Record<string, string>; json: unknown }> {
  let clockCorrected = false;
  for (let attempt = 0; ; attempt++) {
    let res: HttpResponse;
    try {
      res = await send(request, transport);
    } catch (error) {
      const certificate = certificateProblem(error);
      if (attempt >= retry.maxRetries || certificate || (error as { code?: string }).code === "ENOTFOUND") {
        throw new ImsNetworkError(`${operation} at ${request.url.origin} (check ims:authUrl)`, error, neverSent(error) || certificate !== undefined, certificate ? CERTIFICATE_HINT : undefined);
      }
      await sleep(backoffDelay(attempt, retry));
      continue;
    }
    const text = res.body.toString("utf8");
    if (res.status < 300) {
      try {
        return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
      } catch {
        throw new Error(`${operation}: ${request.url.origin} did not answer with IAM's JSON: check ims:authUrl`);
      }
    }
    const err = parseServiceError(text);
    const skew = resign && !clockCorrected ? clockSkew(res.status, res.headers, err.message) : undefined;
    if (skew !== undefined) {
      clockCorrected = true;
      resign!(skew);
      attempt -= 1;
      continue;
    }
    const error = new ImsApiError({
      operation,
      method: request.method,
      path: request.url.pathname,
      status: res.status,
      code: err.code,
      serviceMessage: err.message,
      requestId: res.headers["x-request-id"] ?? res.headers["x-iam-trace-id"],
      retryAfterMs: parseRetryAfter(res.headers["retry-after"]),
    });
    if (attempt >= retry.maxRetries || decide({ kind: "response", status: res.status, code: err.code }, true, false) !== "retry") throw error;
    await sleep(Math.max(error.retryAfterMs ?? 0, backoffDelay(attempt, retry)));
  }
}


export class Authenticator {
  private readonly key: string;

  constructor(
    readonly settings: AuthSettings,
    private readonly transport: TransportOptions,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {
    const c = settings.credentials;
    if (c.kind === "aksk") {
      registerSecret(c.secretKey);
      registerSecret(c.securityToken);
    } else if (c.kind === "password") registerSecret(c.password);
    else registerSecret(c.token);
    // The secret takes part (as a digest): a token or project fetched with one password or
    // token must not serve a client given another (a wrong password must fail, not borrow).
    const secret = createHash("sha256")
      .update(c.kind === "aksk" ? c.secretKey : c.kind === "password" ? c.password : c.token)
      .digest("hex")
      .slice(0, 16);
    const who = c.kind === "aksk" ? `ak:${c.accessKey}` : c.kind === "password" ? `user:${c.domainName}/${c.userName}` : "token";
    this.key = `${settings.authUrl}|${who}:${secret}|${settings.projectId ?? settings.projectName ?? settings.region}`;
  }

  get usesTokens(): boolean {
    return this.settings.credentials.kind !== "aksk";
  }

  /** The project id requests go to, resolved once per process. */
  async projectId(): Promise<string> {
    if (this.settings.projectId) return this.settings.projectId;
    const c = this.settings.credentials;
    if (c.kind === "password") return (await this.token()).projectId;
    let pending = caches.projects.get(this.key);
    if (!pending) {
      this.throwIfRefused("resolve project");
      pending = this.lookUpProject();
      caches.projects.set(this.key, pending);
      pending.catch((error: unknown) => {
        caches.projects.delete(this.key);
        // A refused signature is not sent again in this run (the gateway locks the key).
        if (error instanceof ImsApiError && error.status === 401) this.refuse(error);
      });
    }
    return pending;
  }

  private async lookUpProject(): Promise<string> {
    const name = this.settings.projectName ?? this.settings.region;
    const url = new URL(`${this.settings.authUrl}/projects?name=${encodeURIComponent(name)}`);
    const headers: Record<string, string> = { "User-Agent": userAgent(), Accept: "application/json" };
    const request: HttpRequest = { method: "GET", url, headers };
    const token = await this.currentToken();
    this.applyAuth(request, token);
    const resign = token === undefined ? (skew: number) => (this.setClockOffset(url.origin, skew), this.applyAuth(request, undefined)) : undefined;
    const { json } = await iamCall(request, this.transport, "resolve project", this.retry, resign);
    const projects = ((json as { projects?: { id: string; name: string }[] })?.projects ?? []).filter((p) => p.name === name);
    if (projects.length === 0) {
      throw new Error(`No project named "${name}" is visible to these credentials: set ims:projectId or ims:projectName (HW_PROJECT_ID / HW_PROJECT_NAME).`);
    }
    if (projects.length > 1) throw new Error(`Several projects are named "${name}": set ims:projectId (HW_PROJECT_ID).`);
    return projects[0].id;
  }

  private async currentToken(): Promise<string | undefined> {
    const c = this.settings.credentials;
    if (c.kind === "token") return c.token;
    if (c.kind === "password") return (await this.token()).token;
    return undefined;
  }

  /** A valid token for password credentials; fetched once and shared. */
  private async token(): Promise<CachedToken> {
    const cached = caches.tokens.get(this.key);
    if (cached && Date.now() < cached.refreshAt) return cached;
    this.throwIfRefused("get an IAM token");
    let pending = caches.pendingTokens.get(this.key);
    if (!pending) {
      pending = this.requestToken()
        .catch((error: unknown) => {
          // A wrong password is not asked again in this run: IAM locks a user after repeated failures.
          if (error instanceof ImsApiError && (error.status === 401 || error.status === 403)) caches.refusals.set(this.key, error);
          throw error;
        })
        .finally(() => caches.pendingTokens.delete(this.key));
      caches.pendingTokens.set(this.key, pending);
    }
    try {
      return await pending;
    } catch (error) {
      // A refresh that fails early is no reason to stop using a token that is still valid.
      if (cached && Date.now() < cached.expiresAt) return cached;
      throw error;
    }
  }

  private async requestToken(): Promise<CachedToken> {
    const c = this.settings.credentials;
    if (c.kind !== "password") throw new Error("token requested without password credentials");
    const scope = this.settings.projectId ? { id: this.settings.projectId } : { name: this.settings.projectName ?? this.settings.region };
    const body = Buffer.from(
      JSON.stringify({
        auth: {
          identity: { methods: ["password"], password: { user: { name: c.userName, password: c.password, domain: { name: c.domainName } } } },
          scope: { project: scope },
        },
      }),
    );
    caches.tokenRequests += 1;
    const issuedAt = Date.now();
    const { headers, json } = await iamCall(
      {
        method: "POST",
        url: new URL(`${this.settings.authUrl}/auth/tokens?nocatalog=true`),
        headers: { "Content-Type": "application/json;charset=UTF-8", "User-Agent": userAgent() },
        body,
      },
      this.transport,
      `get an IAM token for user ${c.userName} of account ${c.domainName}`,
      this.retry,
    );
    const token = headers["x-subject-token"];
    const info = (json as { token?: { expires_at?: string; project?: { id?: string } } })?.token;
    if (!token || !info?.project?.id) throw new Error("IAM answered without a token or project: check ims:authUrl");
    registerSecret(token);
    const expiresAt = Date.parse(info.expires_at ?? "") || issuedAt + 3600_000;
    const cached: CachedToken = { token, projectId: info.project.id, expiresAt, refreshAt: refreshPoint(issuedAt, expiresAt) };
    caches.tokens.set(this.key, cached);
    return cached;
  }

  /** Dates the signatures of requests to `origin` by the service's clock from now on. */
  setClockOffset(origin: string, skewMs: number): void {
    caches.clockOffsets.set(origin, skewMs);
  }

  /** Records that the service refused these credentials: nothing more is sent with them in this process. */
  refuse(error: Error): void {
    caches.refusals.set(this.key, error);
  }

  /** Throws, without sending anything, when the service refused these credentials earlier in this process. */
  throwIfRefused(operation: string): void {
    const refused = caches.refusals.get(this.key);
    if (!refused) return;
    const what = this.usesTokens ? "IAM locks a user after repeated wrong passwords" : "the gateway locks an access key after 5 refused signatures";
    throw new ImsApiError({
      ...(refused instanceof ImsApiError
        ? { method: refused.method, path: refused.path, status: refused.status, code: refused.code, serviceMessage: refused.serviceMessage }
        : { method: "", path: "", status: 401, serviceMessage: refused.message }),
      operation: `${operation} (not sent: these credentials were refused earlier in this run, and ${what})`,
    });
  }

  /**
   * Lets the first AK/SK-signed request to an origin go alone: if the clock is off, only it is
   * refused (and sent again, dated by the service's clock) before the others sign; if the key is
   * wrong, only it is refused. Resolves to the function to call once the request got an answer
   * (`true`) or failed without one (`false`: the next request goes alone again).
   */
  async enter(origin: string): Promise<(answered: boolean) => void> {
    const pass = () => undefined;
    if (this.usesTokens) return pass;
    const key = `${this.key}|${origin}`;
    for (;;) {
      const gate = caches.gates.get(key);
      if (gate === "open") return pass;
      if (gate === undefined) break;
      await gate;
    }
    let open!: () => void;
    caches.gates.set(key, new Promise<void>((resolve) => (open = resolve)));
    return (answered: boolean) => {
      if (answered) caches.gates.set(key, "open");
      else caches.gates.delete(key);
      open();
    };
  }

  /**
   * Drops a token the gateway refused, so the next call fetches a new one; a newer token that
   * another call already fetched stays (calls in flight with the old token share one renewal).
   */
  invalidate(refused?: string): void {
    const cached = caches.tokens.get(this.key);
    if (cached && (refused === undefined || cached.token === refused)) caches.tokens.delete(this.key);
  }

  /** Adds the authentication headers to a request (a fresh signature each time it is sent). */
  async authorize(request: HttpRequest): Promise<void> {
    const c = this.settings.credentials;
    if (c.kind === "aksk") {
      request.headers["X-Project-Id"] = await this.projectId();
      this.applyAuth(request, undefined);
    } else {
      this.applyAuth(request, await this.currentToken());
    }
  }

  private applyAuth(request: HttpRequest, token: string | undefined): void {
    if (token !== undefined) {
      request.headers["X-Auth-Token"] = token;
      return;
    }
    const c = this.settings.credentials;
    if (c.kind !== "aksk") return;
    request.headers["X-Sdk-Date"] = sdkDate(new Date(Date.now() + (caches.clockOffsets.get(request.url.origin) ?? 0)));
    request.headers.Host = request.url.host;
    if (c.securityToken) request.headers["X-Security-Token"] = c.securityToken;
    const signed = signRequest({
      accessKey: c.accessKey,
      secretKey: c.secretKey,
      method: request.method,
      url: request.url,
      headers: Object.fromEntries(Object.entries(request.headers).filter(([name]) => name.toLowerCase() !== "user-agent")),
      body: Buffer.isBuffer(request.body) ? request.body : "",
    });
    request.headers.Authorization = signed.authorization;
  }
}
