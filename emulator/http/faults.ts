/**
 * Fault rules: per route and method, answer with an error status and service code, add latency,
 * or reset the connection; with a probability or for a number of requests.
 */
import { GatewayError, ImsError } from "../domain/errors";

export interface FaultRule {
  id: number;
  /** HTTP method, or "*". */
  method: string;
  /** Route template (as in the route table, e.g. "/v2/cloudimages"), or "*". */
  route: string;
  /** Answer with this status (with `errorCode`), unless only latency or a reset is wanted. */
  status?: number;
  errorCode?: string;
  message?: string;
  /** Seconds for a Retry-After header (429 defaults to 1). */
  retryAfter?: number;
  latencyMs?: number;
  /** Carry the request out, then hold its answer back this long (a request whose answer is late). */
  answerDelayMs?: number;
  /** Close the connection without an answer. */
  reset?: boolean;
  /** Chance that the rule applies to a matching request (default 1). */
  probability?: number;
  /** How many more requests it applies to (absent: no limit); `count` when adding a rule. */
  remaining?: number;
  /** How many requests it applied to so far. */
  hits: number;
}

export type FaultInput = Omit<FaultRule, "id" | "hits">;

export type FaultAction = { latencyMs: number; answerDelayMs: number; reset: boolean; error?: Error };

const DEFAULT_MESSAGES: Record<number, string> = {
  429: "The throttling threshold has been reached: policy user over ratelimit,limit:100,time:1 minute",
  500: "Internal server error.",
  502: "Backend unavailable.",
  503: "The service is currently unavailable.",
  504: "Backend timeout.",
};

export function validateFault(input: unknown): FaultInput {
  if (input === null || typeof input !== "object" || Array.isArray(input)) throw new TypeError("a fault rule is a JSON object");
  const f = input as Record<string, unknown>;
  const rule: FaultInput = { method: String(f.method ?? "*").toUpperCase(), route: String(f.route ?? "*") };
  if (f.status !== undefined) {
    if (!Number.isInteger(f.status) || (f.status as number) < 400 || (f.status as number) > 599) throw new TypeError("status must be an HTTP error status (400-599)");
    rule.status = f.status as number;
  }
  for (const key of ["errorCode", "message"] as const) {
    if (f[key] !== undefined) {
      if (typeof f[key] !== "string") throw new TypeError(`${key} must be a string`);
      rule[key] = f[key] as string;
    }
  }
  for (const key of ["retryAfter", "latencyMs", "answerDelayMs", "remaining"] as const) {
    if (f[key] !== undefined) {
      if (typeof f[key] !== "number" || (f[key] as number) < 0) throw new TypeError(`${key} must be a non-negative number`);
      rule[key] = f[key] as number;
    }
  }
  // `count` (as POST /_emulator/job-failures names it) is another name for `remaining`.
  if (f.count !== undefined) {
    if (!Number.isInteger(f.count) || (f.count as number) < 1) throw new TypeError("count must be a positive integer");
    if (f.remaining !== undefined && f.remaining !== f.count) throw new TypeError("give count or remaining, not both");
    rule.remaining = f.count as number;
  }
  if (f.probability !== undefined) {
    if (typeof f.probability !== "number" || f.probability < 0 || f.probability > 1) throw new TypeError("probability must be between 0 and 1");
    rule.probability = f.probability;
  }
  if (f.reset !== undefined) {
    if (typeof f.reset !== "boolean") throw new TypeError("reset must be true or false");
    rule.reset = f.reset;
  }
  if (rule.status === undefined && !rule.reset && !rule.latencyMs && !rule.answerDelayMs) {
    throw new TypeError("a fault rule needs a status, latencyMs, answerDelayMs or reset");
  }
  return rule;
}

export class Faults {
  private rules: FaultRule[] = [];
  private nextId = 1;

  add(input: FaultInput): FaultRule {
    const rule: FaultRule = { ...input, id: this.nextId++, hits: 0 };
    this.rules.push(rule);
    return rule;
  }

  list(): FaultRule[] {
    return this.rules;
  }

  clear(): void {
    this.rules = [];
  }

  remove(id: number): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length !== before;
  }

  /** What the rules say about one request (the first applicable error wins; latencies add up). */
  decide(method: string, route: string): FaultAction {
    const action: FaultAction = { latencyMs: 0, answerDelayMs: 0, reset: false };
    for (const rule of this.rules) {
      if (rule.method !== "*" && rule.method !== method) continue;
      if (rule.route !== "*" && rule.route !== route) continue;
      if (rule.remaining !== undefined && rule.remaining <= 0) continue;
      if (rule.probability !== undefined && Math.random() >= rule.probability) continue;
      if (rule.remaining !== undefined) rule.remaining -= 1;
      rule.hits += 1;
      action.latencyMs += rule.latencyMs ?? 0;
      action.answerDelayMs += rule.answerDelayMs ?? 0;
      if (rule.reset) action.reset = true;
      if (rule.status !== undefined && !action.error) action.error = faultError(rule);
    }
    this.rules = this.rules.filter((r) => r.remaining === undefined || r.remaining > 0);
    return action;
  }
}

function faultError(rule: FaultRule): Error {
  const status = rule.status!;
  const code = rule.errorCode ?? (status === 429 ? "APIGW.0308" : status >= 500 ? "APIGW.0601" : "IMG.0001");
  const message = rule.message ?? DEFAULT_MESSAGES[status] ?? "Injected fault.";
  if (code.startsWith("APIG")) {
    const headers: Record<string, string> = {};
    if (status === 429 || rule.retryAfter !== undefined) headers["Retry-After"] = String(rule.retryAfter ?? 1);
    return new GatewayError(code, message, status, headers);
  }
  return new ImsError(code, message, status);
}
