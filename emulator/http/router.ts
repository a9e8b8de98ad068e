/**
 * The route table: each route is data (method, path template, authentication) plus a handler.
 * The same table names the API inventory the client is checked against.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { Caller, World } from "../domain/world";
import type { Runtime } from "./runtime";

export type Auth = "none" | "project" | "token";

export interface Context {
  world: World;
  runtime: Runtime;
  method: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  raw: Buffer;
  /** The body parsed as JSON; undefined when empty. Parse errors are the route family's 400. */
  json(): unknown;
  /** The authenticated caller (routes with auth "project" or "token"). */
  caller: Caller;
  /** How the caller authenticated. */
  authMethod: "token" | "aksk" | "none";
  requestId: string;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Route {
  method: string;
  /** Path template, e.g. `/v2/cloudimages/{image_id}`; `{name*}` takes the rest of the path. */
  path: string;
  auth: Auth;
  /** Which error shape malformed bodies get: IAM (Keystone) or IMS. */
  family: "iam" | "ims" | "admin";
  handle(ctx: Context): Reply | Promise<Reply>;
}

export interface CompiledRoute extends Route {
  pattern: RegExp;
  names: string[];
}

export function compile(route: Route): CompiledRoute {
  const names: string[] = [];
  const source = route.path
    .split("/")
    .map((segment) => {
      const m = /^\{(\w+)(\*?)\}$/.exec(segment);
      if (!m) return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      names.push(m[1]);
      return m[2] ? "(.+)" : "([^/]+)";
    })
    .join("/");
  return { ...route, pattern: new RegExp(`^${source}$`), names };
}

export interface Match {
  route: CompiledRoute;
  params: Record<string, string>;
}

/** The first route whose template matches; `methodKnown` tells a wrong method from an unknown path. */
export function match(routes: CompiledRoute[], method: string, path: string): Match | { methodKnown: boolean } {
  let methodKnown = false;
  for (const route of routes) {
    const m = route.pattern.exec(path);
    if (!m) continue;
    if (route.method !== method) {
      methodKnown = true;
      continue;
    }
    const params: Record<string, string> = {};
    route.names.forEach((name, i) => {
      try {
        params[name] = decodeURIComponent(m[i + 1]);
      } catch {
        params[name] = m[i + 1];
      }
    });
    return { route, params };
  }
  return { methodKnown };
}

export const ok = (body?: unknown, status = 200, headers?: Record<string, string>): Reply => ({
  status,
  ...(body !== undefined ? { body } : {}),
  ...(headers ? { headers } : {}),
});
