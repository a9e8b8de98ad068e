/** IAM: tokens, projects, temporary AK/SK (the token, project and security-token APIs of the Huawei Cloud IAM API Reference). */
import { IamError } from "../domain/errors";
import { domainProjects, issueTemporaryKey, issueToken, projectView, tokenBody } from "../domain/iam";
import { ok, type Route } from "./router";

export const iamRoutes: Route[] = [
  {
    method: "POST",
    path: "/v3/auth/tokens",
    auth: "none",
    family: "iam",
    handle(ctx) {
      const issued = issueToken(ctx.world, ctx.json(), ctx.runtime.options.tokenLifetimeMs);
      ctx.runtime.metrics.tokenIssuances += 1;
      const body = tokenBody(ctx.world, issued, ctx.runtime.baseUrl, !ctx.query.has("nocatalog"));
      return ok(body, 201, { "X-Subject-Token": issued.token });
    },
  },
  {
    method: "GET",
    path: "/v3/projects",
    auth: "token",
    family: "iam",
    handle(ctx) {
      const projects = domainProjects(ctx.world, ctx.caller.project.domainId, ctx.query.get("name"));
      const self = `${ctx.runtime.baseUrl}/v3/projects`;
      return ok({ projects: projects.map((p) => projectView(p, ctx.runtime.baseUrl)), links: { self, previous: null, next: null } });
    },
  },
  {
    method: "GET",
    path: "/v3/auth/projects",
    auth: "token",
    family: "iam",
    handle(ctx) {
      const projects = domainProjects(ctx.world, ctx.caller.project.domainId, null);
      const self = `${ctx.runtime.baseUrl}/v3/auth/projects`;
      return ok({ projects: projects.map((p) => projectView(p, ctx.runtime.baseUrl)), links: { self, previous: null, next: null } });
    },
  },
  {
    method: "POST",
    path: "/v3.0/OS-CREDENTIAL/securitytokens",
    auth: "token",
    family: "iam",
    handle(ctx) {
      const body = ctx.json() as { auth?: { identity?: { methods?: unknown; token?: { duration_seconds?: unknown } } } } | undefined;
      const identity = body?.auth?.identity;
      if (!identity || !Array.isArray(identity.methods) || !identity.methods.includes("token")) {
        throw new IamError(400, "The request body is invalid: auth.identity.methods must include token.", "Bad Request");
      }
      const duration = identity.token?.duration_seconds ?? 900;
      const key = issueTemporaryKey(ctx.world, ctx.caller, duration as number);
      return ok(
        {
          credential: {
            access: key.access,
            secret: key.secret,
            securitytoken: key.securityToken,
            expires_at: new Date(key.expiresAt!).toISOString().replace("Z", "000Z"),
          },
        },
        201,
      );
    },
  },
];
