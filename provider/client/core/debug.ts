/**
 * Debug output: with PULUMI_IMS_DEBUG=1, every request the client sends and its answer are printed
 * on stderr (the Pulumi CLI shows them), with every credential removed: the Authorization,
 * X-Auth-Token, X-Security-Token and X-Subject-Token headers are replaced by `***`, and bodies pass
 * through `redact` (registered secrets, passwords, tokens, signatures).
 */
import { redact } from "./errors";
import type { HttpRequest, HttpResponse } from "./transport";

const HIDDEN = new Set(["authorization", "x-auth-token", "x-security-token", "x-subject-token"]);
const MAX_BODY = 2000;

export const debugEnabled = (): boolean => /^(1|true|yes|on)$/i.test(process.env.PULUMI_IMS_DEBUG ?? "");

function headersText(headers: Record<string, string>): string {
  return Object.entries(headers)
    .map(([name, value]) => `${name}: ${HIDDEN.has(name.toLowerCase()) ? "***" : value}`)
    .join(" | ");
}

function bodyText(body: unknown): string {
  if (!Buffer.isBuffer(body) || body.length === 0) return body === undefined ? "" : " [streamed body]";
  const text = body.toString("utf8");
  return ` ${text.length > MAX_BODY ? `${text.slice(0, MAX_BODY)}…` : text}`;
}

/** Prints one exchange (when debug output is on). */
export function debugExchange(request: HttpRequest, outcome: { response: HttpResponse } | { error: unknown }, ms: number): void {
  if (!debugEnabled()) return;
  const head = `[pulumi-ims] ${request.method} ${request.url.href}`;
  const sent = `  sent: ${headersText(request.headers)}${bodyText(request.body)}`;
  const answer =
    "response" in outcome
      ? `  answer ${outcome.response.status} in ${Math.round(ms)} ms: ${headersText(outcome.response.headers)}${bodyText(outcome.response.body)}`
      : `  no answer after ${Math.round(ms)} ms: ${outcome.error instanceof Error ? outcome.error.message : String(outcome.error)}`;
  console.error(redact(`${head}\n${sent}\n${answer}`));
}
