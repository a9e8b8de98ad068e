/**
 * Verification of `SDK-HMAC-SHA256` AK/SK signatures, written on its own from the Huawei Cloud API
 * Request Signing Guide (signing algorithm, error codes):
 * it shares no code with the client's signer, so each checks the other.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { GatewayError } from "../domain/errors";
import type { AccessKey } from "../domain/model";
import type { Caller, World } from "../domain/world";

export interface SignedRequest {
  method: string;
  /** The path as received, still percent-encoded. */
  rawPath: string;
  /** The query string as received, without "?". */
  rawQuery: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface AkSkOptions {
  /** Largest accepted distance between X-Sdk-Date and the server's clock. */
  skewMs: number;
  /** Consecutive failures after which an AK is locked, and for how long. */
  maxFailures: number;
  lockMs: number;
}

export const DEFAULT_AKSK_OPTIONS: AkSkOptions = { skewMs: 15 * 60_000, maxFailures: 5, lockMs: 5 * 60_000 };

const EMPTY_SHA256 = createHash("sha256").update("").digest("hex");

const authError = (detail: string): GatewayError =>
  new GatewayError("APIGW.0301", `Incorrect IAM authentication information: ${detail}`, 401);

/** Percent-encodes with the unreserved rule: A–Z a–z 0–9 - _ . ~ stay, all else becomes %XY. */
function encodeUnreserved(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
}

function decodeLenient(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function canonicalUri(rawPath: string): string {
  const path = rawPath
    .split("/")
    .map((segment) => encodeUnreserved(decodeLenient(segment)))
    .join("/");
  return path.endsWith("/") ? path : path + "/";
}

function canonicalQuery(rawQuery: string): string {
  const pairs = rawQuery
    .split("&")
    .filter((p) => p !== "")
    .map((p) => {
      const eq = p.indexOf("=");
      const name = eq < 0 ? p : p.slice(0, eq);
      const value = eq < 0 ? "" : p.slice(eq + 1);
      return [encodeUnreserved(decodeLenient(name)), encodeUnreserved(decodeLenient(value))] as const;
    });
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([n, v]) => `${n}=${v}`).join("&");
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  // Only the request's own headers: a signed header named "constructor" or "__proto__" is absent.
  if (!Object.hasOwn(headers, name)) return undefined;
  const v = headers[name];
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v.join(",") : v;
}

/** The canonical request for the given payload hash (exported for error messages and tests). */
export function canonicalRequest(req: SignedRequest, signedHeaders: string[], payloadHash: string): string {
  const headerLines = signedHeaders.map((h) => `${h}:${(headerValue(req.headers, h) ?? "").trim()}\n`).join("");
  return [req.method.toUpperCase(), canonicalUri(req.rawPath), canonicalQuery(req.rawQuery), headerLines, signedHeaders.join(";"), payloadHash].join("\n");
}

function sdkDate(text: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) return NaN;
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
}

/** Tracks consecutive signature failures per AK for the gateway's lockout. */
export class Lockout {
  private failures = new Map<string, { count: number; lockedUntil: number }>();

  check(access: string, now: number): void {
    const entry = this.failures.get(access);
    if (entry && entry.lockedUntil > now) throw authError("AK access failed to reach the limit,forbidden");
  }

  fail(access: string, now: number, options: AkSkOptions): void {
    const entry = this.failures.get(access) ?? { count: 0, lockedUntil: 0 };
    entry.count += 1;
    if (entry.count > options.maxFailures) {
      entry.lockedUntil = now + options.lockMs;
      entry.count = 0;
    }
    this.failures.set(access, entry);
  }

  succeed(access: string): void {
    this.failures.delete(access);
  }

  clear(): void {
    this.failures.clear();
  }
}

const AUTH = /^(\S+)\s+Access=([^,\s]+)\s*,\s*SignedHeaders=([^,\s]+)\s*,\s*Signature=([0-9a-fA-F]+)\s*$/;

/** Verifies the AK/SK signature of a request and returns the caller it stands for. */
export function verifyAkSk(world: World, req: SignedRequest, now: number, lockout: Lockout, options: AkSkOptions): Caller {
  const authorization = headerValue(req.headers, "authorization") ?? "";
  const m = AUTH.exec(authorization);
  if (!m) throw new GatewayError("APIGW.0305", "Incorrect authentication information: the Authorization header is malformed.", 401);
  const [, algorithm, access, signedList, signature] = m;
  if (algorithm !== "SDK-HMAC-SHA256") throw authError(`unsupported signing algorithm ${algorithm}`);
  const key = world.accessKey(access);
  if (!key) throw authError(`Get secretKey failed,ak:${access},err:ak not exist`);
  lockout.check(access, now);

  const failed = (detail: string): GatewayError => {
    lockout.fail(access, now, options);
    return authError(detail);
  };
  const signedHeaders = signedList.split(";");
  if (!signedHeaders.includes("x-sdk-date")) throw failed("verify aksk signature fail, x-sdk-date is not a signed header");
  for (const h of signedHeaders) {
    if (h !== h.toLowerCase() || headerValue(req.headers, h) === undefined) throw failed(`verify aksk signature fail, signed header ${h} is missing`);
  }
  const date = headerValue(req.headers, "x-sdk-date")!;
  const signedAt = sdkDate(date);
  if (Number.isNaN(signedAt)) throw failed("verify aksk signature fail, x-sdk-date must look like 20060102T150405Z");
  if (Math.abs(now - signedAt) > options.skewMs) {
    throw failed(`verify aksk signature fail, signature expired, signature time:${date}, server time:${new Date(now).toISOString()}`);
  }
  if (key.expiresAt !== undefined && key.expiresAt <= now) throw failed("calc ak sk signature fail:signature expired");

  const declared = headerValue(req.headers, "x-sdk-content-sha256");
  const bodyHash = createHash("sha256").update(req.body).digest("hex");
  const candidates =
    declared === "UNSIGNED-PAYLOAD"
      ? req.body.length === 0
        ? ["UNSIGNED-PAYLOAD", EMPTY_SHA256]
        : ["UNSIGNED-PAYLOAD"]
      : declared !== undefined
        ? [declared]
        : [bodyHash];
  if (declared !== undefined && declared !== "UNSIGNED-PAYLOAD" && declared !== bodyHash) {
    throw failed("verify aksk signature fail, x-sdk-content-sha256 does not match the body");
  }
  const given = Buffer.from(signature.toLowerCase());
  let matched = false;
  let lastCanonical = "";
  for (const payloadHash of candidates) {
    lastCanonical = canonicalRequest(req, signedHeaders, payloadHash);
    const stringToSign = `SDK-HMAC-SHA256\n${date}\n${createHash("sha256").update(lastCanonical).digest("hex")}`;
    const expected = Buffer.from(createHmac("sha256", key.secret).update(stringToSign).digest("hex"));
    if (expected.length === given.length && timingSafeEqual(expected, given)) matched = true;
  }
  if (!matched) throw failed(`verify aksk signature fail, canonicalRequest:${lastCanonical.replace(/\n/g, "|")}`);

  checkSecurityToken(key, headerValue(req.headers, "x-security-token"), failed);
  lockout.succeed(access);
  return { project: requestProject(world, key, headerValue(req.headers, "x-project-id")), userId: key.userId };
}

function checkSecurityToken(key: AccessKey, given: string | undefined, failed: (d: string) => GatewayError): void {
  if (key.securityToken === undefined) return;
  if (given === undefined) throw failed("verify aksk signature fail, a temporary AK needs X-Security-Token");
  if (given !== key.securityToken) throw failed("verify aksk signature fail, the security token does not match the AK");
}

function requestProject(world: World, key: AccessKey, projectId: string | undefined) {
  const user = world.user(key.userId);
  const project = world.project(projectId ?? key.defaultProjectId);
  if (!user || !project || project.domainId !== user.domainId) {
    throw new GatewayError("APIGW.0310", "The project is unavailable.", 403);
  }
  return project;
}
