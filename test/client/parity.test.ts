/**
 * API inventory parity: the client's operations (ALL_OPERATIONS) against the emulator's route
 * table (ROUTES). Every operation must have a route with the same method and path template, and
 * the routes no operation uses are listed explicitly, so that drift on either side fails here.
 */
import { ROUTES } from "../../emulator/http/server";
import { ALL_OPERATIONS } from "../../provider/client";

const key = (method: string, path: string): string => `${method} ${path}`;

/** IAM routes the authenticator (core/auth.ts) calls outside the operation inventory. */
const AUTH_ROUTES = ["POST /v3/auth/tokens", "GET /v3/projects"];

/** Service routes the client does not call (yet): IAM extras, safe-mode aliases, legacy and discovery APIs. */
const UNUSED_ROUTES = [
  "GET /v3/auth/projects",
  "POST /v3.0/OS-CREDENTIAL/securitytokens",
  "POST /v2.1/cloudimages/action",
  "POST /v2.1/cloudimages/quickimport/action",
  "POST /v2.1/cloudimages/dataimages/action",
  "POST /v2.1/cloudimages/{image_id}/file",
  "POST /v2.1/cloudimages/{image_id}/copy",
  "PUT /v1/cloudimages/tags",
  "GET /v1/cloudimages/tags",
  "POST /v2/{project_id}/images/resource_instances/action",
  "DELETE /v1/{project_id}/cloudimages/{image_id}/tags/delete",
  "GET /",
  "GET /{version}",
  "GET /{version}/",
  "GET /v2/schemas/image",
  "GET /v2/schemas/images",
  "GET /v2/schemas/member",
  "GET /v2/schemas/members",
  "GET /v2/images/{image_id}/file",
  "PUT /v2/images/{image_id}/tags/{tag}",
  "DELETE /v2/images/{image_id}/tags/{tag}",
  "HEAD /v1/images/{image_id}",
  "GET /v1.1/images/detail",
  "DELETE /v1.1/images/{image_id}",
];

const operations = Object.entries(ALL_OPERATIONS);
const routeKeys = ROUTES.map((r) => key(r.method, r.path));
const serviceRoutes = ROUTES.filter((r) => r.family !== "admin");

describe("client operations against the emulator's routes", () => {
  it("the inventory is not empty and every operation is listed under its own name", () => {
    expect(operations.length).toBeGreaterThan(0);
    for (const [name, op] of operations) expect(op.name).toBe(name);
  });

  it("no two operations share a method and path", () => {
    const keys = operations.map(([, op]) => key(op.method, op.path));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it.each(operations)("%s has an emulator route with the same method and path template", (_name, op) => {
    const route = ROUTES.find((r) => r.method === op.method && r.path === op.path);
    expect(route).toBeDefined();
    expect(route!.family).toBe("ims");
    expect(route!.auth).toBe("project");
  });

  it("reads are marked idempotent, and every operation expects 2xx answers", () => {
    for (const [, op] of operations) {
      if (op.method === "GET" || op.method === "HEAD") expect(op.idempotent).toBe(true);
      expect(op.expect.length).toBeGreaterThan(0);
      expect(op.expect.some((s) => s >= 200 && s < 300)).toBe(true);
    }
  });

  it("the IAM routes the authenticator calls exist", () => {
    for (const route of AUTH_ROUTES) expect(routeKeys).toContain(route);
  });

  it("the service routes no operation uses are exactly the known list", () => {
    const used = new Set([...operations.map(([, op]) => key(op.method, op.path)), ...AUTH_ROUTES]);
    const unused = serviceRoutes.map((r) => key(r.method, r.path)).filter((k) => !used.has(k));
    expect(unused).toEqual(UNUSED_ROUTES);
  });

  it("every other route is the emulator's admin API", () => {
    const admin = ROUTES.filter((r) => r.family === "admin");
    expect(admin.length).toBeGreaterThan(0);
    for (const r of admin) expect(r.path.startsWith("/_emulator/")).toBe(true);
    expect(serviceRoutes.length + admin.length).toBe(ROUTES.length);
  });
});
