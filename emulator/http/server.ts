/**
 * The HTTP front of the emulator: reads the request, applies faults, authenticates like the API
 * gateway, dispatches through the route table and answers in the service's shapes.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { Duplex } from "node:stream";
import { adminRoutes } from "../admin/routes";
import { GatewayError, IamError, img } from "../domain/errors";
import { verifyToken } from "../domain/iam";
import { newHex32 } from "../domain/ids";
import { advanceJobs } from "../domain/jobs";
import type { Caller } from "../domain/world";
import { verifyAkSk } from "./aksk";
import { glanceRoutes } from "./glance-routes";
import { iamRoutes } from "./iam-routes";
import { imsRoutes } from "./ims-routes";
import { versionRoutes } from "./versions";
import { entityTooLarge, errorReply, notFoundRoute } from "./respond";
import { compile, match, type CompiledRoute, type Context, type Reply } from "./router";
import { AKSK_MAX_BODY, type Runtime } from "./runtime";

/** Every route of the emulator, admin first (its prefix is unambiguous), then IAM, IMS, version discovery, Glance. */
export const ROUTES: CompiledRoute[] = [...adminRoutes, ...iamRoutes, ...imsRoutes, ...versionRoutes, ...glanceRoutes].map(compile);

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLarge());
        req.removeAllListeners("data");
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function authenticate(runtime: Runtime, req: IncomingMessage, rawPath: string, rawQuery: string, raw: Buffer): { caller: Caller; method: "token" | "aksk" } {
  const token = header(req, "x-auth-token");
  if (token !== undefined) return { caller: verifyToken(runtime.world, token, runtime.tokensRevokedBefore), method: "token" };
  if (header(req, "authorization") !== undefined) {
    if (raw.length > AKSK_MAX_BODY) throw entityTooLarge();
    const caller = verifyAkSk(
      runtime.world,
      { method: req.method ?? "GET", rawPath, rawQuery, headers: req.headers, body: raw },
      runtime.now(),
      runtime.lockout,
      runtime.options.aksk,
    );
    return { caller, method: "aksk" };
  }
  throw new GatewayError("APIGW.0301", "Incorrect IAM authentication information: x-auth-token not found", 401);
}

function jsonParser(raw: Buffer, family: CompiledRoute["family"]): () => unknown {
  let parsed: { value: unknown } | undefined;
  return () => {
    if (parsed) return parsed.value;
    if (raw.length === 0) {
      parsed = { value: undefined };
      return undefined;
    }
    try {
      parsed = { value: JSON.parse(raw.toString("utf8")) };
    } catch {
      if (family === "iam") throw new IamError(400, "The request body is invalid: it is not JSON.", "Bad Request");
      throw img("0001", "The body is not valid JSON.");
    }
    return parsed.value;
  };
}

function send(res: ServerResponse, reply: Reply, requestId: string, head: boolean, now: number): void {
  // The service's own clock, as clients that correct their clock skew read it.
  const headers: Record<string, string> = { "X-Request-Id": requestId, Date: new Date(now).toUTCString(), ...(reply.headers ?? {}) };
  let payload: Buffer | undefined;
  if (Buffer.isBuffer(reply.body)) {
    payload = reply.body;
    headers["Content-Type"] ??= "application/octet-stream";
  } else if (reply.body !== undefined) {
    payload = Buffer.from(JSON.stringify(reply.body));
    headers["Content-Type"] = "application/json;charset=UTF-8";
  }
  if (payload) headers["Content-Length"] = String(payload.length);
  res.writeHead(reply.status, headers);
  res.end(head ? undefined : payload);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Handles one request end to end; never throws. */
export async function handle(runtime: Runtime, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = process.hrtime.bigint();
  const requestId = newHex32();
  const method = (req.method ?? "GET").toUpperCase();
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  const rawPath = q < 0 ? url : url.slice(0, q);
  const rawQuery = q < 0 ? "" : url.slice(q + 1);
  let routeName = "(unmatched)";
  let reply: Reply;
  let answerDelayMs = 0;
  try {
    const found = match(ROUTES, method, rawPath);
    if ("route" in found) routeName = found.route.path;
    if ("route" in found && found.route.family !== "admin") {
      const fault = runtime.faults.decide(method, found.route.path);
      answerDelayMs = fault.answerDelayMs;
      if (fault.latencyMs > 0) await sleep(fault.latencyMs);
      if (fault.reset) {
        req.socket.destroy();
        runtime.metrics.record(method, routeName, 0, Number(process.hrtime.bigint() - started) / 1e6);
        return;
      }
      if (fault.error) throw fault.error;
    }
    let raw: Buffer;
    try {
      raw = await readBody(req, runtime.options.maxBodyBytes);
    } catch (e) {
      if (e instanceof BodyTooLarge) throw entityTooLarge();
      throw e;
    }
    if (!("route" in found)) throw notFoundRoute();
    const route = found.route;
    const ctx: Context = {
      world: runtime.world,
      runtime,
      method,
      params: found.params,
      query: new URLSearchParams(rawQuery),
      headers: req.headers,
      raw,
      json: jsonParser(raw, route.family),
      caller: undefined as unknown as Caller,
      authMethod: "none",
      requestId,
    };
    if (route.auth !== "none") {
      const auth = authenticate(runtime, req, rawPath, rawQuery, raw);
      ctx.caller = auth.caller;
      ctx.authMethod = auth.method;
      // The gateway's flow control per user, here per project: IMS requests only (not IAM's, not the admin API's).
      if (route.family === "ims") {
        const refusal = runtime.rateLimit.take(auth.caller.project.id);
        if (refusal) {
          runtime.metrics.recordThrottled(auth.caller.project.id);
          throw refusal;
        }
      }
    }
    if (route.family !== "admin") advanceJobs(runtime.world);
    reply = await route.handle(ctx);
  } catch (error) {
    const mapped = errorReply(error, requestId);
    if (mapped.internal) process.stderr.write(`ims-emulator: ${method} ${url} failed: ${(error as Error)?.stack ?? error}\n`);
    reply = mapped;
  }
  try {
    runtime.persist();
  } catch (e) {
    process.stderr.write(`ims-emulator: cannot write the state file: ${(e as Error).message}\n`);
  }
  // Carried out (and persisted), the answer is held back: what a slow or broken network does after a request arrived.
  if (answerDelayMs > 0) await sleep(answerDelayMs);
  if (!res.destroyed) {
    try {
      send(res, reply, requestId, method === "HEAD", runtime.now());
    } catch (error) {
      // A reply Node cannot write (an invalid header value): answer 500 rather than never.
      process.stderr.write(`ims-emulator: ${method} ${url}: cannot send the reply: ${(error as Error)?.stack ?? error}\n`);
      reply = errorReply(error, requestId);
      if (!res.headersSent) send(res, reply, requestId, method === "HEAD", runtime.now());
      else res.destroy();
    }
  }
  runtime.metrics.record(method, routeName, reply.status, Number(process.hrtime.bigint() - started) / 1e6);
}

/**
 * Requests Node's HTTP parser refuses (a request line or headers over the size limit, bytes that
 * are not HTTP) never reach `handle`: answer them as the API gateway does (APIGW.0201 in the error codes
 * of the Huawei Cloud API Request Signing Guide).
 */
function refuseMalformed(error: Error & { code?: string; rawPacket?: Buffer }, socket: Duplex): void {
  if (!socket.writable || error.code === "ECONNRESET") {
    socket.destroy();
    return;
  }
  let head = "400 Bad Request";
  let message = "API request error.";
  if (error.code === "ERR_HTTP_REQUEST_TIMEOUT") [head, message] = ["408 Request Timeout", "API request timeout."];
  if (error.code === "HPE_HEADER_OVERFLOW") {
    const lineEnd = error.rawPacket?.indexOf("\r\n") ?? -1;
    [head, message] = lineEnd < 0 || lineEnd > 8192 ? ["414 URI Too Long", "Request URI too large."] : ["494 Request Header Too Large", "Request headers too large."];
  }
  const requestId = newHex32();
  const body = JSON.stringify({ error_code: "APIGW.0201", error_msg: message, request_id: requestId });
  const isHead = error.rawPacket?.subarray(0, 5).toString("latin1") === "HEAD ";
  socket.end(
    `HTTP/1.1 ${head}\r\nContent-Type: application/json;charset=UTF-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${isHead ? "" : body}`,
  );
}

/** A certificate (or a chain, leaf first) and its private key, as PEM text, for serving HTTPS. */
export interface TlsCertificate {
  cert: string | Buffer;
  key: string | Buffer;
}

/** The emulator's server: HTTP, or HTTPS on the same routes when given a certificate and key. */
export function createHttpServer(runtime: Runtime, tls?: TlsCertificate): Server {
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    void handle(runtime, req, res);
  };
  const server = tls ? createHttpsServer({ cert: tls.cert, key: tls.key }, listener) : createServer(listener);
  server.on("clientError", refuseMalformed);
  server.keepAliveTimeout = 30_000;
  return server;
}
