/**
 * The emulator's AK/SK verifier against the public SDK-HMAC-SHA256 vectors, and its gateway
 * behaviour (skew, lockout, temporary keys, unsigned payloads) over real HTTP.
 */
import { createHash } from "node:crypto";
import { canonicalRequest, DEFAULT_AKSK_OPTIONS, Lockout, verifyAkSk } from "../../emulator/http/aksk";
import { defaultWorldState, World } from "../../emulator/domain/world";
import { GatewayError } from "../../emulator/domain/errors";
import { signForTest, startTestEmulator, type TestEmulator } from "../helpers/emulator";
import { vectors, type Vector } from "../helpers/vectors";


function worldWith(vector: Vector): World {
  const state = defaultWorldState();
  state.accessKeys.push({ access: vector.ak, secret: vector.sk, userId: state.users[0].id, defaultProjectId: state.projects[0].id });
  return new World(state);
}

function requestOf(vector: Vector, signature = vector.expect) {
  const headers = Object.fromEntries(Object.entries(vector.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const signed = Object.keys(headers).sort().join(";");
  headers.authorization = `SDK-HMAC-SHA256 Access=${vector.ak}, SignedHeaders=${signed}, Signature=${signature}`;
  return {
    method: vector.method,
    rawPath: vector.path,
    rawQuery: vector.query.map(([k, v]) => `${k}=${v}`).join("&"),
    headers,
    body: Buffer.from(vector.body),
  };
}

const signedAt = (vector: Vector): number => {
  const d = vector.headers["X-Sdk-Date"];
  return Date.UTC(+d.slice(0, 4), +d.slice(4, 6) - 1, +d.slice(6, 8), +d.slice(9, 11), +d.slice(11, 13), +d.slice(13, 15));
};

describe("AK/SK verification against the public vectors", () => {
  it.each(vectors.map((v) => [v.id, v] as const))("%s: canonical request hash matches", (_id, vector) => {
    const req = requestOf(vector);
    const signed = Object.keys(vector.headers).map((h) => h.toLowerCase()).sort();
    const hash = createHash("sha256").update(canonicalRequest(req, signed, createHash("sha256").update(vector.body).digest("hex"))).digest("hex");
    expect(hash).toBe(vector.sha256CanonicalRequest);
  });

  it.each(vectors.map((v) => [v.id, v] as const))("%s: the expected signature verifies", (_id, vector) => {
    const world = worldWith(vector);
    const caller = verifyAkSk(world, requestOf(vector), signedAt(vector), new Lockout(), DEFAULT_AKSK_OPTIONS);
    expect(caller.project.id).toBe(world.state.projects[0].id);
  });

  it.each(vectors.map((v) => [v.id, v] as const))("%s: one changed hex digit is refused with APIGW.0301", (_id, vector) => {
    const world = worldWith(vector);
    const bad = (vector.expect[0] === "0" ? "1" : "0") + vector.expect.slice(1);
    expect(() => verifyAkSk(world, requestOf(vector, bad), signedAt(vector), new Lockout(), DEFAULT_AKSK_OPTIONS)).toThrow(
      expect.objectContaining({ code: "APIGW.0301", status: 401, message: expect.stringContaining("verify aksk signature fail") }),
    );
  });

  it("refuses a vector 16 minutes after its X-Sdk-Date as expired", () => {
    const vector = vectors[0];
    expect(() => verifyAkSk(worldWith(vector), requestOf(vector), signedAt(vector) + 16 * 60_000, new Lockout(), DEFAULT_AKSK_OPTIONS)).toThrow(
      /signature expired/,
    );
  });

  it("locks an AK after more than 5 consecutive failures, for 5 minutes", () => {
    const vector = vectors[1];
    const world = worldWith(vector);
    const lockout = new Lockout();
    const now = signedAt(vector);
    const bad = requestOf(vector, "0".repeat(64));
    for (let i = 0; i < 6; i++) expect(() => verifyAkSk(world, bad, now, lockout, DEFAULT_AKSK_OPTIONS)).toThrow(/signature fail/);
    expect(() => verifyAkSk(world, requestOf(vector), now, lockout, DEFAULT_AKSK_OPTIONS)).toThrow(/AK access failed to reach the limit,forbidden/);
    expect(verifyAkSk(world, requestOf(vector), now + 5 * 60_000 + 1, lockout, DEFAULT_AKSK_OPTIONS).userId).toBe(world.state.users[0].id);
  });

  it("names an unknown AK", () => {
    const vector = { ...vectors[0], ak: "NOSUCHKEY" };
    try {
      verifyAkSk(new World(defaultWorldState()), requestOf(vector), signedAt(vector), new Lockout(), DEFAULT_AKSK_OPTIONS);
      throw new Error("accepted");
    } catch (e) {
      expect(e).toBeInstanceOf(GatewayError);
      expect((e as GatewayError).message).toBe("Incorrect IAM authentication information: Get secretKey failed,ak:NOSUCHKEY,err:ak not exist");
    }
  });
});

describe("AK/SK over HTTP", () => {
  let emu: TestEmulator;
  beforeAll(async () => {
    emu = await startTestEmulator();
  });
  afterAll(() => emu.close());

  it("the test signer reproduces the documentation vector", () => {
    const v = vectors[0];
    const url = new URL(`https://${v.headers.Host}${v.path}?${v.query.map(([k, x]) => `${k}=${x}`).join("&")}`);
    const { Host: _host, ...rest } = v.headers;
    const signed = signForTest(v.method, url, rest, Buffer.from(v.body), v.ak, v.sk);
    expect(signed.Authorization).toBe(`SDK-HMAC-SHA256 Access=${v.ak}, SignedHeaders=content-type;host;x-sdk-date, Signature=${v.expect}`);
  });

  it("a signed request reaches the project of its key, or the one named by X-Project-Id", async () => {
    const key = emu.accessKey("ap-southeast-1");
    const own = await emu.request<{ quotas: unknown }>("GET", "/v1/cloudimages/quota", { aksk: key });
    expect(own.status).toBe(200);
    const other = emu.projectId("ap-southeast-1_analytics");
    const job = await emu.request("GET", `/v1/${other}/jobs/${"0".repeat(32)}`, { aksk: { ...key, projectId: other } });
    expect(job.status).toBe(404);
    const wrong = await emu.request("GET", `/v1/${other}/jobs/${"0".repeat(32)}`, { aksk: key });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toMatchObject({ error: { code: "IMG.0067" } });
  });

  it("signs queries with reserved and unicode characters and repeated keys", async () => {
    const key = emu.accessKey();
    const res = await emu.request<unknown[]>("GET", "/v1/cloudimages/os_version?tag=uefi&tag=x86", { aksk: key });
    expect(res.status).toBe(200);
    const odd = await emu.request<{ images: unknown[] }>("GET", `/v2/cloudimages?name=${encodeURIComponent("a b+c*~(一)/!'")}&__imagetype=private`, { aksk: key });
    expect(odd.status).toBe(200);
    expect(odd.body.images).toEqual([]);
  });

  it("accepts UNSIGNED-PAYLOAD and refuses a tampered body otherwise", async () => {
    const key = emu.accessKey();
    const body = { name: "unsigned", image_url: "images-bucket:ubuntu-24.04.qcow2", min_disk: 40, os_version: "Ubuntu 24.04 server 64bit" };
    const ok = await emu.request("POST", "/v2/cloudimages/action", { aksk: key, body, headers: { "X-Sdk-Content-Sha256": "UNSIGNED-PAYLOAD" } });
    expect(ok.status).toBe(200);

    const url = new URL("/v2/cloudimages/action", emu.url);
    const date = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
    const headers = signForTest("POST", url, { "Content-Type": "application/json", "X-Sdk-Date": date }, Buffer.from(JSON.stringify(body)), key.access, key.secret);
    const res = await fetch(url, { method: "POST", headers, body: JSON.stringify({ ...body, name: "tampered" }) });
    expect(res.status).toBe(401);
    const err = (await res.json()) as { error_code: string; error_msg: string; request_id: string };
    expect(err.error_code).toBe("APIGW.0301");
    expect(err.error_msg).toMatch(/^Incorrect IAM authentication information: verify aksk signature fail, canonicalRequest:POST\|\/v2\/cloudimages\/action\/\|\|content-type:application\/json\|/);
    expect(err.request_id).toMatch(/^[0-9a-f]{32}$/);
  });

  it("refuses a request without X-Sdk-Date among the signed headers, and a stale date", async () => {
    const key = emu.accessKey();
    const stale = await emu.request("GET", "/v1/cloudimages/quota", { aksk: { ...key, date: new Date(Date.now() - 20 * 60_000) } });
    expect(stale.status).toBe(401);
    expect((stale.body as { error_msg: string }).error_msg).toMatch(/signature expired/);
    const res = await fetch(new URL("/v1/cloudimages/quota", emu.url), {
      headers: { Authorization: `SDK-HMAC-SHA256 Access=${key.access}, SignedHeaders=host, Signature=${"0".repeat(64)}` },
    });
    expect(res.status).toBe(401);
  });

  it("a temporary key needs its security token", async () => {
    const token = await emu.token();
    const issued = await emu.request<{ credential: { access: string; secret: string; securitytoken: string; expires_at: string } }>(
      "POST",
      "/v3.0/OS-CREDENTIAL/securitytokens",
      { token, body: { auth: { identity: { methods: ["token"], token: { duration_seconds: 900 } } } } },
    );
    expect(issued.status).toBe(201);
    const { access, secret, securitytoken } = issued.body.credential;
    const without = await emu.request("GET", "/v1/cloudimages/quota", { aksk: { access, secret } });
    expect(without.status).toBe(401);
    const wrong = await emu.request("GET", "/v1/cloudimages/quota", { aksk: { access, secret, securityToken: "nope" } });
    expect(wrong.status).toBe(401);
    const right = await emu.request("GET", "/v1/cloudimages/quota", { aksk: { access, secret, securityToken: securitytoken } });
    expect(right.status).toBe(200);
  });
});

describe("a service clock that is not this machine's (--clock-offset)", () => {
  let ahead: TestEmulator;
  beforeAll(async () => {
    ahead = await startTestEmulator({ clockOffsetMs: 20 * 60_000 });
  });
  afterAll(() => ahead.close());

  it("shows its own time in Date, and checks signatures against it", async () => {
    const key = ahead.accessKey();
    const local = await ahead.request("GET", "/v1/cloudimages/quota", { aksk: key });
    expect(local.status).toBe(401);
    expect((local.body as { error_msg: string }).error_msg).toMatch(/signature expired/);
    const shown = Date.parse(local.headers.get("date") ?? "");
    expect(shown - Date.now()).toBeGreaterThan(19 * 60_000);
    expect(shown - Date.now()).toBeLessThan(21 * 60_000);
    const corrected = await ahead.request("GET", "/v1/cloudimages/quota", { aksk: { ...key, date: new Date(shown) } });
    expect(corrected.status).toBe(200);
  });
});
