/**
 * The client's errors. Every message says what failed and what to do, and never holds a
 * credential: texts from the service pass through `redact` before they reach a message.
 * (No error here has an `id` field: Pulumi would take such an error for a partially created resource.)
 */

/** Credential values to hide; on globalThis so that every copy of this module in the process shares them. */
const SECRETS = Symbol.for("pulumi-ims.errors.secrets");
const secrets: Set<string> = ((globalThis as Record<symbol, unknown>)[SECRETS] as Set<string>) ??
  ((globalThis as Record<symbol, unknown>)[SECRETS] = new Set<string>());

/** Registers a credential value (SK, password, token, security token) that must never be shown. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 6) secrets.add(value);
}

const PATTERNS: [RegExp, string][] = [
  [/MII[A-Za-z0-9+/=._-]{16,}/g, "MII***"],
  [/(Signature=)[0-9a-fA-F]{16,}/g, "$1***"],
  [/(x-security-token:)[^|\n]*/gi, "$1***"],
  [/(x-auth-token:)[^|\n]*/gi, "$1***"],
  [/("(?:password|secret|securitytoken|security_token|token)"\s*:\s*")[^"]*"/gi, '$1***"'],
];

/** Removes credentials from a text. */
export function redact(text: string): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join("***");
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

export interface ServiceError {
  code?: string;
  message: string;
}

/**
 * Reads an error body in any of the shapes the service, its gateway and IAM use: top-level
 * `error_code`/`error_msg`; top-level `code`/`message`; the first nested object with
 * `code`/`message` (`{"error":{...}}`, `{"itemNotFound":{...}}`); else the raw text.
 */
export function parseServiceError(text: string): ServiceError {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { message: text.trim().slice(0, 500) };
  }
  const pick = (o: Record<string, unknown>): ServiceError | undefined => {
    if (typeof o.error_msg === "string") return { code: o.error_code === undefined ? undefined : String(o.error_code), message: o.error_msg };
    if (typeof o.message === "string" && o.code !== undefined) return { code: String(o.code), message: o.message };
    return undefined;
  };
  if (body && typeof body === "object" && !Array.isArray(body)) {
    const o = body as Record<string, unknown>;
    const top = pick(o);
    if (top) return top;
    for (const value of Object.values(o)) {
      if (value && typeof value === "object" && !Array.isArray(value)) {
        const nested = pick(value as Record<string, unknown>);
        if (nested) return nested;
      }
    }
  }
  return { message: text.trim().slice(0, 500) };
}

/** Advice for the codes a user can act on. */
const HINTS: Record<string, string> = {
  "APIGW.0301": "check the access key, secret key or password, and the system clock (signatures older than 15 minutes are refused)",
  "APIGW.0307": "the token expired or was revoked: credentials are refreshed automatically, so check that they are still valid",
  "APIGW.0308": "the API gateway throttled the requests: lower the parallelism (pulumi up --parallel) or retry later",
  "APIGW.0101": "the endpoint does not serve this API: check ims:endpoint, ims:region and ims:cloud",
  "IMG.0015": "the project's private image quota is used up: delete unused images or ask for a larger quota",
  "IMG.0027": "the image does not exist in this project and region, or is not shared with it",
  "IMG.0026": "the user lacks an IMS permission: grant the IMS role to the user or its group",
  "IMG.0057": "check that the OBS object exists, is in the same region, and is readable by IMS",
};

export interface ApiErrorDetails {
  operation: string;
  method: string;
  path: string;
  status: number;
  code?: string;
  serviceMessage: string;
  requestId?: string;
  retryAfterMs?: number;
}

/** An HTTP error answer of the service (or of its API gateway, or of IAM). */
export class ImsApiError extends Error {
  readonly operation: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly code?: string;
  readonly serviceMessage: string;
  readonly requestId?: string;
  readonly retryAfterMs?: number;

  constructor(d: ApiErrorDetails) {
    // IAM puts the status in its body's code as well: "HTTP 401" says it once.
    const code = d.code && d.code !== String(d.status) ? ` ${d.code}` : "";
    const hint = (d.code && HINTS[d.code]) || statusHint(d.status);
    super(
      redact(
        `${d.operation} (${d.method} ${d.path}) failed with HTTP ${d.status}${code}: ${d.serviceMessage}` +
          (hint ? ` — ${hint}` : "") +
          (d.requestId ? ` [request id ${d.requestId}]` : ""),
      ),
    );
    this.name = "ImsApiError";
    this.operation = d.operation;
    this.method = d.method;
    this.path = d.path;
    this.status = d.status;
    this.code = d.code;
    this.serviceMessage = redact(d.serviceMessage);
    this.requestId = d.requestId;
    this.retryAfterMs = d.retryAfterMs;
  }
}

function statusHint(status: number): string | undefined {
  if (status === 401) return "check the credentials";
  if (status === 403) return "the credentials lack permission for this operation";
  if (status === 429) return "requests were throttled and retries ran out: lower the parallelism or retry later";
  if (status >= 500) return "the service failed; retries ran out: try again later";
  return undefined;
}

/** The request could not be completed over the network (connection refused, reset, timeout). */
export class ImsNetworkError extends Error {
  constructor(
    readonly operation: string,
    readonly cause: unknown,
    /** True when the request certainly never reached the service (it is then safe to repeat). */
    readonly neverSent: boolean,
    /** What to do about it, when known. */
    hint?: string,
  ) {
    super(redact(`${operation} could not reach the service: ${cause instanceof Error ? cause.message : String(cause)}${hint ? ` — ${hint}` : ""}`));
    this.name = "ImsNetworkError";
  }
}

/** What to do about a certificate that is not trusted. */
export const CERTIFICATE_HINT =
  "its certificate is not trusted: give the certificate of the CA that signed it with ims:caCertFile (OS_CACERT), or, for a test cloud only, set ims:insecure to true";

/**
 * A request that creates something may or may not have been carried out (the connection broke
 * after it was sent). The caller must look for the result before trying again.
 */
export class ImsOutcomeUnknownError extends Error {
  constructor(
    readonly operation: string,
    readonly cause: unknown,
  ) {
    super(
      redact(
        `${operation} was sent but its answer was lost (${cause instanceof Error ? cause.message : String(cause)}); ` +
          "it may have been carried out: look it up before trying again",
      ),
    );
    this.name = "ImsOutcomeUnknownError";
  }
}

/** An asynchronous IMS job ended in FAIL. */
export class ImsJobFailedError extends Error {
  constructor(
    readonly jobId: string,
    readonly jobType: string,
    readonly errorCode: string | null,
    readonly failReason: string | null,
    readonly entities: Record<string, unknown>,
  ) {
    super(redact(`IMS job ${jobId} (${jobType}) failed${errorCode ? ` with ${errorCode}` : ""}: ${failReason ?? "no reason given"}`));
    this.name = "ImsJobFailedError";
  }
}

/** A wait ran past its deadline; the job (if any) may still finish and can be waited for again. */
export class ImsTimeoutError extends Error {
  constructor(
    message: string,
    readonly jobId?: string,
    readonly lastStatus?: string,
  ) {
    super(redact(message));
    this.name = "ImsTimeoutError";
  }
}
