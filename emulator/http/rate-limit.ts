/**
 * A request-rate limit per project, as the API gateway in front of IMS applies its "policy user"
 * flow control: over the limit, a request is refused with 429 and APIGW.0308 (API Gateway error
 * codes: "The throttling threshold has been reached"), before it is carried out.
 *
 * Each project has a token bucket: it holds at most `requestsPerSecond` tokens (at least one),
 * refills continuously at `requestsPerSecond` tokens a second, and every request takes one. So a
 * burst of up to one second's worth passes, and the rate is held after it. A refused request takes
 * no token. The gateway words its policies per time unit: the message states the same rate per
 * minute (`limit:600,time:1 minute` for 10 requests a second).
 *
 * The gateway's documentation names no Retry-After header; the emulator sends one by default (the
 * whole seconds until the project's next token), so clients that honour it can be tested, and can
 * be told not to (`retryAfter: false`) to test clients that must back off on their own.
 */
import { GatewayError } from "../domain/errors";

export interface RateLimitSettings {
  /** Requests a second per project; a fraction is one request every 1/x seconds. */
  requestsPerSecond: number;
  /** Whether a refusal carries Retry-After (default true). */
  retryAfter: boolean;
}

/** The largest rate taken: beyond it, a limit would be no limit. */
const MAX_RATE = 1_000_000;

/** Checks rate-limit settings as the admin API and the CLI take them; the message says what is wrong. */
export function validateRateLimit(input: unknown): RateLimitSettings {
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    throw new TypeError('a rate limit is a JSON object: {"requestsPerSecond": 10, "retryAfter": true}');
  }
  const { requestsPerSecond: rate, retryAfter, ...rest } = input as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new TypeError(`unknown field ${unknown[0]}: a rate limit has requestsPerSecond and retryAfter`);
  if (typeof rate !== "number" || !Number.isFinite(rate) || rate <= 0 || rate > MAX_RATE) {
    throw new TypeError(`requestsPerSecond must be a number above 0 and at most ${MAX_RATE} (requests a second per project), got ${JSON.stringify(rate)}`);
  }
  if (retryAfter !== undefined && typeof retryAfter !== "boolean") throw new TypeError("retryAfter must be true or false");
  return { requestsPerSecond: rate, retryAfter: retryAfter ?? true };
}

interface Bucket {
  tokens: number;
  /** When `tokens` was counted (ms, on the limiter's clock). */
  at: number;
}

export class RateLimiter {
  private settings: RateLimitSettings | undefined;
  private buckets = new Map<string, Bucket>();

  /** A monotonic clock in milliseconds (tests set their own). */
  clock: () => number = () => performance.now();

  get(): RateLimitSettings | undefined {
    return this.settings;
  }

  /** Sets the limit (undefined: none); every project starts with a full bucket. */
  set(settings: RateLimitSettings | undefined): void {
    this.settings = settings;
    this.buckets.clear();
  }

  /** Takes a token of the project's bucket; the gateway's refusal when there is none. */
  take(projectId: string): GatewayError | undefined {
    const settings = this.settings;
    if (!settings) return undefined;
    const rate = settings.requestsPerSecond;
    const capacity = Math.max(1, rate);
    const now = this.clock();
    const bucket = this.buckets.get(projectId) ?? { tokens: capacity, at: now };
    bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.at) / 1000) * rate);
    bucket.at = now;
    this.buckets.set(projectId, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return undefined;
    }
    const headers: Record<string, string> = {};
    if (settings.retryAfter) headers["Retry-After"] = String(Math.max(1, Math.ceil((1 - bucket.tokens) / rate)));
    const perMinute = Math.max(1, Math.round(rate * 60));
    return new GatewayError("APIGW.0308", `The throttling threshold has been reached: policy user over ratelimit,limit:${perMinute},time:1 minute`, 429, headers);
  }
}
