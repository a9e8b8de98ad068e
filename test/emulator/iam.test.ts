/** IAM of the emulator over HTTP: password tokens, project look-ups, token expiry. */
import { startTestEmulator, type TestEmulator } from "../helpers/emulator";

const passwordAuth = (scope: Record<string, unknown>, password = "ims-emulator-password") => ({
  auth: {
    identity: { methods: ["password"], password: { user: { name: "ims-user", password, domain: { name: "ims-emulator" } } } },
    scope: { project: scope },
  },
});

interface TokenBody {
  token: {
    expires_at: string;
    issued_at: string;
    methods: string[];
    project: { id: string; name: string; domain: { id: string; name: string } };
    user: { id: string; name: string };
    catalog: { type: string; name: string; endpoints: { region: string; url: string; interface: string }[] }[];
  };
}

describe("IAM", () => {
  let emu: TestEmulator;
  beforeAll(async () => {
    emu = await startTestEmulator();
  });
  afterAll(() => emu.close());

  it("issues a project-scoped token by project name: 201, X-Subject-Token, 24 h, catalog to the emulator", async () => {
    const res = await emu.request<TokenBody>("POST", "/v3/auth/tokens", { body: passwordAuth({ name: "ap-southeast-1" }) });
    expect(res.status).toBe(201);
    expect(res.headers.get("x-subject-token")).toMatch(/^MII/);
    const { token } = res.body;
    expect(token.methods).toEqual(["password"]);
    expect(token.project).toMatchObject({ id: emu.projectId(), name: "ap-southeast-1", domain: { name: "ims-emulator" } });
    expect(Date.parse(token.expires_at) - Date.parse(token.issued_at)).toBe(24 * 3600 * 1000);
    expect(token.expires_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const ims = token.catalog.find((c) => c.type === "image");
    expect(ims?.endpoints.map((e) => [e.region, e.url])).toEqual([
      ["ap-southeast-1", emu.url],
      ["ap-southeast-3", emu.url],
    ]);
  });

  it("scopes by project id, and omits the catalog with nocatalog", async () => {
    const id = emu.projectId("ap-southeast-3");
    const res = await emu.request<TokenBody>("POST", "/v3/auth/tokens?nocatalog=true", { body: passwordAuth({ id }) });
    expect(res.status).toBe(201);
    expect(res.body.token.project.id).toBe(id);
    expect(res.body.token.catalog).toEqual([]);
  });

  it("answers a wrong password with the Keystone-style 401", async () => {
    const res = await emu.request("POST", "/v3/auth/tokens", { body: passwordAuth({ name: "ap-southeast-1" }, "wrong") });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: { code: 401, message: "The username or password is wrong.", title: "Unauthorized" } });
    expect(res.headers.get("x-subject-token")).toBeNull();
  });

  it("refuses an unknown project and a body without scope", async () => {
    const unknown = await emu.request("POST", "/v3/auth/tokens", { body: passwordAuth({ name: "nowhere-1" }) });
    expect(unknown.status).toBe(401);
    const body = passwordAuth({});
    delete (body.auth as Record<string, unknown>).scope;
    const noScope = await emu.request("POST", "/v3/auth/tokens", { body });
    expect(noScope.status).toBe(400);
    expect(noScope.body).toMatchObject({ error: { code: 400, title: "Bad Request" } });
    const garbage = await emu.request("POST", "/v3/auth/tokens", { raw: "{not json", headers: { "Content-Type": "application/json" } });
    expect(garbage.status).toBe(400);
  });

  it("lists projects by name (token or AK/SK) and the user's projects", async () => {
    const token = await emu.token();
    const byName = await emu.request<{ projects: { id: string; name: string; domain_id: string }[] }>("GET", "/v3/projects?name=ap-southeast-3", { token });
    expect(byName.status).toBe(200);
    expect(byName.body.projects.map((p) => p.id)).toEqual([emu.projectId("ap-southeast-3")]);
    const signed = await emu.request<{ projects: unknown[] }>("GET", "/v3/projects?name=ap-southeast-1", { aksk: emu.accessKey() });
    expect(signed.status).toBe(200);
    expect(signed.body.projects).toHaveLength(1);
    const mine = await emu.request<{ projects: { name: string }[] }>("GET", "/v3/auth/projects", { token });
    expect(mine.body.projects.map((p) => p.name)).toEqual(expect.arrayContaining(["ap-southeast-1", "ap-southeast-1_analytics", "ap-southeast-3"]));
  });

  it("a token works on IMS calls of its project; none or a forged one gets the gateway's 401", async () => {
    const token = await emu.token();
    expect((await emu.request("GET", "/v1/cloudimages/quota", { token })).status).toBe(200);
    const none = await emu.request("GET", "/v1/cloudimages/quota");
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({
      error_code: "APIGW.0301",
      error_msg: "Incorrect IAM authentication information: x-auth-token not found",
      request_id: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    const forged = await emu.request("GET", "/v1/cloudimages/quota", { token: token.slice(0, -2) + "xx" });
    expect(forged.status).toBe(401);
    expect(forged.body).toMatchObject({ error_code: "APIGW.0301", error_msg: "Incorrect IAM authentication information: decrypt token fail" });
  });
});

describe("identity version discovery (Keystone clients read it from the auth URL)", () => {
  let emu: TestEmulator;
  beforeAll(async () => {
    emu = await startTestEmulator();
  });
  afterAll(() => emu.close());

  it.each(["/v3", "/v3/"])("GET %s answers 200 with the identity v3 version document, no token needed", async (path) => {
    const res = await emu.request("GET", path);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      version: {
        id: "v3.6",
        status: "stable",
        updated: "2016-04-04T00:00:00Z",
        links: [{ rel: "self", href: `${emu.url}/v3/` }],
        "media-types": [{ base: "application/json", type: "application/vnd.openstack.identity-v3+json" }],
      },
    });
  });

  it("its self link is where tokens are issued", async () => {
    const doc = await emu.request<{ version: { links: { href: string }[] } }>("GET", "/v3");
    const res = await emu.request("POST", new URL("auth/tokens", doc.body.version.links[0].href).pathname, { body: passwordAuth({ name: "ap-southeast-1" }) });
    expect(res.status).toBe(201);
  });

  it("GET / stays Glance's version list: the two documents cannot share one path", async () => {
    const res = await emu.request<{ versions: { id: string }[] }>("GET", "/");
    expect(res.status).toBe(300);
    expect(Array.isArray(res.body.versions)).toBe(true);
    expect(res.body.versions.map((v) => v.id)).not.toContain("v3.6");
    expect((await emu.request("GET", "/v3.6")).status).toBe(404);
  });
});

describe("token expiry", () => {
  let emu: TestEmulator;
  beforeAll(async () => {
    emu = await startTestEmulator({ tokenLifetimeMs: 300 });
  });
  afterAll(() => emu.close());

  it("refuses a token after its lifetime, naming expires_at", async () => {
    const token = await emu.token();
    expect((await emu.request("GET", "/v1/cloudimages/quota", { token })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 350));
    const res = await emu.request<{ error_msg: string }>("GET", "/v1/cloudimages/quota", { token });
    expect(res.status).toBe(401);
    expect(res.body.error_msg).toMatch(/^Incorrect IAM authentication information: token expires, expires_at: \d{4}-/);
  });
});

describe("revoked tokens", () => {
  it("a token issued before a revocation must be updated; a new one works", async () => {
    const emu = await startTestEmulator();
    try {
      const old = await emu.token();
      expect((await emu.request("GET", "/v1/cloudimages/quota", { token: old })).status).toBe(200);
      expect((await emu.request("POST", "/_emulator/tokens/revoke")).status).toBe(204);
      const refused = await emu.request<{ error_code: string; error_msg: string }>("GET", "/v1/cloudimages/quota", { token: old });
      expect(refused.status).toBe(401);
      expect(refused.body).toMatchObject({ error_code: "APIGW.0307", error_msg: "The token must be updated." });
      const fresh = await emu.request("POST", "/v3/auth/tokens", {
        body: { auth: { identity: { methods: ["password"], password: { user: { name: "ims-user", password: "ims-emulator-password", domain: { name: "ims-emulator" } } } }, scope: { project: { name: "ap-southeast-1" } } } },
      });
      const token = fresh.headers.get("x-subject-token")!;
      expect((await emu.request("GET", "/v1/cloudimages/quota", { token })).status).toBe(200);
    } finally {
      await emu.close();
    }
  });
});
