/**
 * IAM: password tokens scoped to a project (IAM API Reference, "Obtaining a User Token Through
 * Password Authentication", iam_30_0001). Tokens are
 * signed with the world's key, so they stay valid across a restart with a state file.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { GatewayError, IamError } from "./errors";
import { newHex32 } from "./ids";
import type { AccessKey, Project, User } from "./model";
import type { Caller, World } from "./world";

export const DEFAULT_TOKEN_LIFETIME_MS = 24 * 3600 * 1000;

interface TokenClaims {
  u: string; // user id
  p: string; // project id
  i: number; // issued at (epoch ms)
  e: number; // expires at (epoch ms)
  n: string; // nonce
}

function sign(world: World, payload: string): string {
  return createHmac("sha256", world.state.tokenKey).update(payload).digest("base64url");
}

const badRequest = (message: string): IamError => new IamError(400, message, "Bad Request");
const unauthorized = (message: string): IamError => new IamError(401, message, "Unauthorized");

function field(value: unknown, path: string): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw badRequest(`The request body is invalid: ${path} must be an object.`);
  return value as Record<string, unknown>;
}

function text(value: unknown, path: string): string {
  if (typeof value !== "string" || value === "") throw badRequest(`The request body is invalid: ${path} must be a non-empty string.`);
  return value;
}

export interface IssuedToken {
  token: string;
  user: User;
  project: Project;
  issuedAt: number;
  expiresAt: number;
}

/** `POST /v3/auth/tokens` with the password method and a project scope (by id or by name). */
export function issueToken(world: World, body: unknown, lifetimeMs: number): IssuedToken {
  const auth = field(field(body, "body").auth, "auth");
  const identity = field(auth.identity, "auth.identity");
  const methods = identity.methods;
  if (!Array.isArray(methods) || !methods.includes("password")) {
    throw badRequest("The request body is invalid: auth.identity.methods must include password.");
  }
  const user = field(field(identity.password, "auth.identity.password").user, "auth.identity.password.user");
  const password = text(user.password, "auth.identity.password.user.password");
  const domain = user.domain === undefined ? undefined : field(user.domain, "auth.identity.password.user.domain");
  const domainRecord = domain
    ? world.state.domains.find((d) => (domain.id !== undefined ? d.id === domain.id : d.name === domain.name))
    : undefined;
  const userRecord = world.state.users.find(
    (u) =>
      (user.id !== undefined ? u.id === user.id : u.name === user.name) &&
      (domainRecord ? u.domainId === domainRecord.id : user.id !== undefined),
  );
  if (!userRecord || userRecord.password !== password) throw unauthorized("The username or password is wrong.");

  if (auth.scope === undefined) throw badRequest("IMS needs a project-scoped token: give auth.scope.project.");
  const projectScope = field(field(auth.scope, "auth.scope").project, "auth.scope.project");
  const project = world.state.projects.find(
    (p) =>
      p.domainId === userRecord.domainId &&
      (projectScope.id !== undefined ? p.id === projectScope.id : p.name === projectScope.name),
  );
  if (!project) throw unauthorized(`The project ${String(projectScope.id ?? projectScope.name)} does not exist or is not accessible.`);

  const issuedAt = Date.now();
  const claims: TokenClaims = { u: userRecord.id, p: project.id, i: issuedAt, e: issuedAt + lifetimeMs, n: randomBytes(6).toString("hex") };
  const payload = Buffer.from(JSON.stringify(claims)).toString("base64url");
  return { token: `MII${payload}.${sign(world, payload)}`, user: userRecord, project, issuedAt, expiresAt: claims.e };
}

const tokenError = (detail: string): GatewayError =>
  new GatewayError("APIGW.0301", `Incorrect IAM authentication information: ${detail}`, 401);

/**
 * The caller a token stands for; gateway errors as the service sends them. A token issued before
 * `revokedBefore` (epoch ms) must be updated, as IAM answers for a token it invalidated (the
 * user's password changed, say).
 */
export function verifyToken(world: World, token: string, revokedBefore = 0): Caller {
  const m = /^MII([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(token);
  if (!m) throw tokenError("decrypt token fail");
  const expected = Buffer.from(sign(world, m[1]));
  const given = Buffer.from(m[2]);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw tokenError("decrypt token fail");
  const claims = JSON.parse(Buffer.from(m[1], "base64url").toString()) as TokenClaims;
  if (Date.now() >= claims.e) {
    throw tokenError(`token expires, expires_at: ${new Date(claims.e).toISOString()}`);
  }
  const user = world.user(claims.u);
  const project = world.project(claims.p);
  if (!user || !project || claims.i < revokedBefore) throw new GatewayError("APIGW.0307", "The token must be updated.", 401);
  return { project, userId: user.id };
}

/** Token response body (`{"token": {...}}`), with a catalog pointing at `baseUrl`. */
export function tokenBody(world: World, issued: IssuedToken, baseUrl: string, withCatalog: boolean): Record<string, unknown> {
  const domain = world.state.domains.find((d) => d.id === issued.user.domainId)!;
  const endpoints = (type: string) =>
    world.state.regions.map((r) => ({ id: newHex32(), interface: "public", region: r.id, region_id: r.id, url: type === "identity" ? `${baseUrl}/v3` : baseUrl }));
  return {
    token: {
      expires_at: new Date(issued.expiresAt).toISOString().replace("Z", "000Z"),
      issued_at: new Date(issued.issuedAt).toISOString().replace("Z", "000Z"),
      methods: ["password"],
      user: { id: issued.user.id, name: issued.user.name, domain: { id: domain.id, name: domain.name }, password_expires_at: "" },
      project: { id: issued.project.id, name: issued.project.name, domain: { id: domain.id, name: domain.name } },
      roles: [{ id: newHex32(), name: "te_admin" }],
      catalog: withCatalog
        ? [
            { id: newHex32(), name: "ims", type: "image", endpoints: endpoints("image") },
            { id: newHex32(), name: "iam", type: "identity", endpoints: endpoints("identity") },
          ]
        : [],
    },
  };
}

/** A project as the IAM project APIs render it. */
export function projectView(project: Project, baseUrl: string): Record<string, unknown> {
  return {
    id: project.id,
    name: project.name,
    domain_id: project.domainId,
    parent_id: project.domainId,
    enabled: true,
    is_domain: false,
    description: "",
    links: { self: `${baseUrl}/v3/projects/${project.id}` },
  };
}

/** Projects of the caller's account, optionally by exact name. */
export function domainProjects(world: World, domainId: string, name: string | null): Project[] {
  return world.state.projects.filter((p) => p.domainId === domainId && (name === null || p.name === name));
}

/** A temporary AK/SK pair with a security token, valid for `durationSeconds`. */
export function issueTemporaryKey(world: World, caller: Caller, durationSeconds: number): AccessKey {
  if (!Number.isInteger(durationSeconds) || durationSeconds < 900 || durationSeconds > 86_400) {
    throw badRequest("duration_seconds must be an integer from 900 to 86400.");
  }
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  const key: AccessKey = {
    access: Array.from(randomBytes(20), (b) => alphabet[b % alphabet.length]).join(""),
    secret: randomBytes(30).toString("base64url").slice(0, 40),
    userId: caller.userId,
    defaultProjectId: caller.project.id,
    securityToken: `gQpzZWN1cml0eXRva2Vu${randomBytes(96).toString("base64url")}`,
    expiresAt: Date.now() + durationSeconds * 1000,
  };
  world.addAccessKey(key);
  return key;
}
