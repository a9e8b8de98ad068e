/**
 * When to try a request again, and after how long. Pure functions, unit-tested apart.
 */

export interface RetryPolicy {
  /** Retries after the first attempt (ims:maxRetries, default 5). */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 5, baseDelayMs: 500, maxDelayMs: 20_000 };

/** Full-jitter exponential backoff: a random delay in [0, min(max, base · 2^attempt)). */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

/** `Retry-After` in milliseconds (seconds or an HTTP date), or undefined. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export type Attempt =
  /** `tokenExpired`: the gateway said the token is expired or must be updated. */
  | { kind: "response"; status: number; code?: string; tokenExpired?: boolean }
  | { kind: "network"; neverSent: boolean };

export type Decision = "retry" | "reauthenticate" | "fail" | "outcome-unknown";

/** Gateway codes that mean the request was refused before the service processed it. */
const REFUSED_BEFORE_PROCESSING = new Set(["APIGW.0308", "APIG.0308", "APIGW.0613", "APIG.0613"]);

/**
 * What to do after an attempt that did not succeed.
 *
 * - 429, `APIGW.0308` (throttled), `APIGW.0613` (IAM unavailable): refused by the gateway before
 *   processing, so any request may be repeated.
 * - 502, 503, 504, `APIGW.0613`, network failures: repeated when the request is idempotent; a
 *   non-idempotent one only when it provably never left (connection refused): otherwise its
 *   outcome is unknown and the caller must look before trying again.
 * - 401 `APIGW.0307` or an expired token: authenticate again, once (token auth only).
 * - Anything else, including signature failures (`APIGW.0301`, the gateway locks the key after
 *   repeated failures): fail at once.
 */
export function decide(attempt: Attempt, idempotent: boolean, tokenAuth: boolean): Decision {
  if (attempt.kind === "network") {
    if (attempt.neverSent || idempotent) return "retry";
    return "outcome-unknown";
  }
  const { status, code } = attempt;
  if (status === 429 || (code !== undefined && REFUSED_BEFORE_PROCESSING.has(code))) return "retry";
  if (status === 401 && tokenAuth && attempt.tokenExpired) return "reauthenticate";
  if (status === 502 || status === 503 || status === 504) return idempotent ? "retry" : "outcome-unknown";
  if (status >= 500 && !idempotent) return "outcome-unknown";
  return "fail";
}

/** Error codes of undici/Node that prove the request never reached the server. */
const NEVER_SENT = new Set(["ECONNREFUSED", "UND_ERR_CONNECT_TIMEOUT", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

/** The error codes of an error and of its causes (undici wraps Node's). */
function* errorCodes(error: unknown): Generator<string> {
  let e: unknown = error;
  for (let depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: string }).code;
    if (code) yield code;
    e = (e as { cause?: unknown }).cause;
  }
}

export function neverSent(error: unknown): boolean {
  for (const code of errorCodes(error)) if (NEVER_SENT.has(code)) return true;
  return false;
}

/** Error codes of Node's TLS that no retry can change: the certificate is not trusted or does not fit. */
const CERTIFICATE_ERRORS = /^(UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|CERT_|ERR_TLS_CERT_ALTNAME_INVALID|HOSTNAME_MISMATCH)/;

/** The certificate problem of a failed request (its TLS error code), if that is why it failed. */
export function certificateProblem(error: unknown): string | undefined {
  for (const code of errorCodes(error)) if (CERTIFICATE_ERRORS.test(code)) return code;
  return undefined;
}
