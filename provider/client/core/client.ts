/**
 * The request engine: every operation is data (method, path template, expected statuses, whether
 * it may be repeated, response schema) run by one `call`: build the URL, authenticate, send,
 * retry when safe, check the answer.
 */
import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import type { z } from "zod";
import { Authenticator, clockSkew, type AuthSettings } from "./auth";
import { CERTIFICATE_HINT, ImsApiError, ImsNetworkError, ImsOutcomeUnknownError, ImsTimeoutError, parseServiceError, redact } from "./errors";
import { flowControl, FlowTimeoutError, type Ticket } from "./flow";
import { sleep } from "./sleep";
import { noteAnswer, noteRequest } from "./writes";
import { backoffDelay, certificateProblem, decide, DEFAULT_RETRY, neverSent, parseRetryAfter, type RetryPolicy } from "./retry";
import { DEFAULT_TRANSPORT, send, userAgent, type HttpRequest, type HttpResponse, type TransportOptions } from "./transport";

export interface OperationSpec<Out = unknown> {
  /** Name used in errors, e.g. "createImage". */
  name: string;
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD";
  /** Path template, e.g. `/v1/{project_id}/jobs/{job_id}`; `{project_id}` is filled in. */
  path: string;
  /** Statuses that mean success. */
  expect: readonly number[];
  /** True when repeating the request cannot do harm (reads, deletes, absolute updates). */
  idempotent: boolean;
  /** Validates a JSON answer (strict on the fields used, tolerant of others). */
  response?: z.ZodType<Out>;
  /** Content type of a JSON body (default `application/json;charset=UTF-8`). */
  contentType?: string;
}

/** Declares an operation; the spec's response type is inferred from its schema. */
export const op = <Out>(spec: OperationSpec<Out>): OperationSpec<Out> => spec;

/** Drops undefined fields, so request bodies carry only what was given. */
export function compact<T extends Record<string, unknown>>(body: T): Partial<T> {
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export type QueryValue = string | number | boolean | readonly string[] | undefined;

export interface CallInput {
  params?: Record<string, string>;
  query?: Record<string, QueryValue>;
  /** A JSON body. */
  body?: unknown;
  /** A binary body (sent as application/octet-stream, signed as UNSIGNED-PAYLOAD). */
  rawBody?: Buffer;
  /** A streamed binary body (octet-stream, UNSIGNED-PAYLOAD); `open` is called for each attempt. */
  stream?: { open: () => Readable; length: number };
  signal?: AbortSignal;
  /** Give up retrying after this many milliseconds from the call's start. */
  timeoutMs?: number;
}

export interface CallResult<Out> {
  status: number;
  body: Out;
  headers: Record<string, string>;
  requestId?: string;
}

export interface ClientSettings {
  auth: AuthSettings;
  /** IMS endpoint of the region, e.g. https://ims.ap-southeast-1.myhuaweicloud.com. */
  endpoint: string;
  retry?: Partial<RetryPolicy>;
  transport?: Partial<TransportOptions>;
  /** Default time budget of one call, retries included (default 120 s). */
  callTimeoutMs?: number;
}

/** RFC 3986 unreserved characters stay, everything else is percent-encoded (never `+` for space). */
const encode = (v: string): string => encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export function buildQuery(query: Record<string, QueryValue> | undefined): string {
  if (!query) return "";
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [String(value)];
    for (const v of values) parts.push(`${encode(key)}=${encode(v)}`);
  }
  return parts.length ? `?${parts.join("&")}` : "";
}


/** Origins that answered in this process (on globalThis: every copy of this module shares them). */
const ANSWERED = Symbol.for("pulumi-ims.client.answered-origins");
const answeredOrigins: Set<string> = ((globalThis as Record<symbol, unknown>)[ANSWERED] as Set<string>) ??
  ((globalThis as Record<symbol, unknown>)[ANSWERED] = new Set<string>());

export class ApiClient {
  readonly auth: Authenticator;
  readonly endpoint: string;
  readonly retry: RetryPolicy;
  readonly transport: TransportOptions;
  private readonly callTimeoutMs: number;
  /** For a bare token without a project id: the digest that stands for its project in the flow-control key. */
  private tokenProject?: string;

  constructor(settings: ClientSettings) {
    this.transport = { ...DEFAULT_TRANSPORT, ...settings.transport };
    this.retry = { ...DEFAULT_RETRY, ...settings.retry };
    this.auth = new Authenticator(settings.auth, this.transport, this.retry);
    this.endpoint = settings.endpoint.replace(/\/+$/, "");
    this.callTimeoutMs = settings.callTimeoutMs ?? 120_000;
  }

  projectId(): Promise<string> {
    return this.auth.projectId();
  }

  private async url(op: OperationSpec<unknown>, input: CallInput): Promise<URL> {
    const params = { ...(input.params ?? {}) };
    if (op.path.includes("{project_id}") && params.project_id === undefined) params.project_id = await this.projectId();
    const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = params[name];
      if (value === undefined || value === "") throw new Error(`${op.name}: the path parameter ${name} is missing`);
      return encode(value);
    });
    return new URL(`${this.endpoint}${path}${buildQuery(input.query)}`);
  }

  /** Runs one operation; see {@link OperationSpec}. */
  async call<Out>(op: OperationSpec<Out>, input: CallInput = {}): Promise<CallResult<Out>> {
    this.auth.throwIfRefused(op.name);
    const url = await this.url(op, input);
    const leave = await this.auth.enter(url.origin);
    let answered = false;
    try {
      // Refused while this call waited for the first signed request to go alone.
      this.auth.throwIfRefused(op.name);
      noteRequest(op.method, input.params, input.body);
      const result = await this.attempts(op, input, url, () => (answered = true));
      noteAnswer(op.name, op.method, result.body);
      return result;
    } finally {
      leave(answered);
    }
  }

  private async attempts<Out>(op: OperationSpec<Out>, input: CallInput, url: URL, onAnswer: () => void): Promise<CallResult<Out>> {
    const deadline = Date.now() + (input.timeoutMs ?? this.callTimeoutMs);
    const body = input.rawBody ?? (input.body !== undefined ? Buffer.from(JSON.stringify(input.body)) : undefined);
    let reauthenticated = false;
    let clockCorrected = false;
    const started = Date.now();
    // Flow control per endpoint and project (flow.ts): the call's place in the queue, kept by its retries.
    const flow = flowControl();
    const flowKey = await this.flowKey(url);
    const order = flow.nextOrder();
    let throttledBy: ImsApiError | undefined;
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { "User-Agent": userAgent(), Accept: "application/json" };
      if (input.rawBody || input.stream) {
        headers["Content-Type"] = "application/octet-stream";
        headers["X-Sdk-Content-Sha256"] = "UNSIGNED-PAYLOAD";
        if (input.stream) headers["Content-Length"] = String(input.stream.length);
      } else if (body !== undefined) headers["Content-Type"] = op.contentType ?? "application/json;charset=UTF-8";
      const request: HttpRequest = { method: op.method, url, headers, ...(body ? { body } : {}), ...(input.signal ? { signal: input.signal } : {}) };
      const ticket = await this.turn(flowKey, order, deadline, input.signal, throttledBy, op.name);
      try {
        await this.auth.authorize(request);
        if (input.stream) {
          request.body = input.stream.open();
          // An upload's body can take many minutes to send: it gives its place in the window back
          // at once (its answer then teaches the flow control nothing), so it never holds up the
          // project's other requests.
          flow.settle(ticket, undefined);
        }
      } catch (error) {
        flow.settle(ticket, undefined);
        throw error;
      }

      let response: HttpResponse;
      try {
        response = await send(request, this.transport);
      } catch (error) {
        flow.settle(ticket, undefined);
        if (input.signal?.aborted) throw error;
        const where = `${op.name} at ${url.origin} (the IMS endpoint: ims:endpoint, ims:endpoints, or the region's default)`;
        if ((error as { code?: string }).code === "ENOTFOUND") throw new ImsNetworkError(where, error, true);
        if (certificateProblem(error)) throw new ImsNetworkError(where, error, true, CERTIFICATE_HINT);
        const unsent = neverSent(error);
        const decision = decide({ kind: "network", neverSent: unsent }, op.idempotent, this.auth.usesTokens);
        if (decision === "outcome-unknown") throw new ImsOutcomeUnknownError(op.name, error);
        // Unreachable (refused, no route) after it answered earlier in this run: an outage, so keep trying
        // until the deadline, whatever the retry count, checking at least every 5 s whether it is back.
        // One that never answered is more likely a wrong setting: say so after the usual retries.
        const outage = unsent && answeredOrigins.has(url.origin);
        const delay = outage ? Math.min(5000, backoffDelay(attempt, this.retry)) : backoffDelay(attempt, this.retry);
        if ((!outage && attempt >= this.retry.maxRetries) || Date.now() + delay > deadline) {
          throw new ImsNetworkError(`${where}, for ${Math.round((Date.now() - started) / 1000)} s`, error, unsent);
        }
        await sleep(delay, input.signal);
        continue;
      }
      onAnswer();
      answeredOrigins.add(url.origin);
      flow.settle(ticket, { throttled: response.status === 429, retryAfterMs: parseRetryAfter(response.headers["retry-after"]) });

      if (op.expect.includes(response.status)) return this.result(op, response);

      const text = response.body.toString("utf8");
      const service = parseServiceError(text);
      const error = new ImsApiError({
        operation: op.name,
        method: op.method,
        path: op.path,
        status: response.status,
        code: service.code,
        serviceMessage: service.message,
        requestId: response.headers["x-request-id"],
        retryAfterMs: parseRetryAfter(response.headers["retry-after"]),
      });
      if (response.status === 401 && !this.auth.usesTokens) {
        // A signature refused as expired while the service's clock is elsewhere: date it by that clock, once.
        const skew = clockCorrected ? undefined : clockSkew(response.status, response.headers, service.message);
        if (skew !== undefined) {
          clockCorrected = true;
          this.auth.setClockOffset(url.origin, skew);
          attempt -= 1;
          continue;
        }
        // Any other refused signature: never sent again, by this call or any other (the key would be locked).
        this.auth.refuse(error);
        throw error;
      }
      const tokenExpired = response.status === 401 && (service.code === "APIGW.0307" || /token expires|must be updated/i.test(service.message));
      const decision = decide({ kind: "response", status: response.status, code: service.code, tokenExpired }, op.idempotent, this.auth.usesTokens);
      if (decision === "reauthenticate" && !reauthenticated) {
        reauthenticated = true;
        this.auth.invalidate(request.headers["X-Auth-Token"]);
        attempt -= 1;
        continue;
      }
      if (decision === "outcome-unknown") throw new ImsOutcomeUnknownError(op.name, error);
      if (decision !== "retry") throw error;
      if (response.status === 429) {
        throttledBy = error;
        // Throttled while other requests of the key get through (lately): the call waits for its turn
        // (after the Retry-After) without spending a retry; its deadline bounds it.
        if (flow.othersGetThrough(flowKey, error.retryAfterMs)) {
          if (Date.now() + (error.retryAfterMs ?? 0) > deadline) throw error;
          if (error.retryAfterMs) await sleep(error.retryAfterMs, input.signal);
          attempt -= 1;
          continue;
        }
      }
      const delay = Math.max(error.retryAfterMs ?? 0, backoffDelay(attempt, this.retry));
      if (attempt >= this.retry.maxRetries || Date.now() + delay > deadline) throw error;
      await sleep(delay, input.signal);
    }
  }

  /** The flow-control key of a request: its origin and project, known without another request. */
  private async flowKey(url: URL): Promise<string> {
    const { credentials, projectId } = this.auth.settings;
    // A bare token names its project only through IAM: its digest, taken once, stands for the project.
    if (credentials.kind === "token" && projectId === undefined) {
      this.tokenProject ??= `token:${createHash("sha256").update(credentials.token).digest("hex").slice(0, 16)}`;
    }
    return `${url.origin} ${projectId ?? this.tokenProject ?? (await this.auth.projectId())}`;
  }

  /** Waits for the request's turn; past the call's deadline, fails with the throttling that held it up. */
  private async turn(key: string, order: number, deadline: number, signal: AbortSignal | undefined, throttledBy: ImsApiError | undefined, operation: string): Promise<Ticket> {
    try {
      return await flowControl().acquire(key, { maxWindow: this.transport.maxConcurrency, order, timeoutMs: deadline - Date.now(), ...(signal ? { signal } : {}) });
    } catch (error) {
      if (!(error instanceof FlowTimeoutError)) throw error;
      throw throttledBy ?? new ImsTimeoutError(`${operation} was not sent: it ${error.message} until the call's time ran out`);
    }
  }

  private result<Out>(op: OperationSpec<Out>, response: HttpResponse): CallResult<Out> {
    const requestId = response.headers["x-request-id"];
    const type = response.headers["content-type"] ?? "";
    let body: unknown = undefined;
    if (response.body.length > 0) {
      if (type.includes("json")) {
        try {
          body = JSON.parse(response.body.toString("utf8"));
        } catch {
          throw new Error(`${op.name}: the service answered with invalid JSON [request id ${requestId ?? "?"}]`);
        }
      } else body = response.body;
    }
    if (op.response) {
      const parsed = op.response.safeParse(body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new Error(
          redact(`${op.name}: unexpected answer from the service at ${issue.path.join(".") || "(body)"}: ${issue.message} [request id ${requestId ?? "?"}]`),
        );
      }
      body = parsed.data;
    }
    return { status: response.status, body: body as Out, headers: response.headers, ...(requestId ? { requestId } : {}) };
  }
}
