/**
 * The request-rate limit per project: a token bucket per project on the IMS APIs, refusing with
 * the API gateway's 429 APIGW.0308, set at start, through the admin API, and counted in the
 * metrics. The limiter's clock is the test's: nothing here depends on how fast the machine is.
 */
import type { Response } from "../helpers/emulator";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator";
import { ANALYTICS, HEX32, MAIN, QCOW2_URL } from "./support";

const IMAGES = "/v2/cloudimages?__imagetype=gold";

describe("the rate limit per project", () => {
  let emu: TestEmulator;
  let clock = 0;

  beforeAll(async () => {
    emu = await startTestEmulator({ rateLimit: { requestsPerSecond: 5 } });
    emu.emulator.runtime.rateLimit.clock = () => clock;
    // Tokens first: IAM requests are not limited, but the limit is easier to count without them.
    await emu.token(MAIN);
    await emu.token(ANALYTICS);
  });
  afterAll(() => emu.close());

  beforeEach(async () => {
    clock += 60_000;
    // Every project starts the test with a full bucket.
    expect((await emu.request("PUT", "/_emulator/rate-limit", { body: { requestsPerSecond: 5 } })).status).toBe(200);
    expect((await emu.request("DELETE", "/_emulator/metrics")).status).toBe(204);
  });

  const statuses = async (project: string, n: number, path = IMAGES): Promise<number[]> => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push((await emu.as(project, "GET", path)).status);
    return out;
  };

  /** The gateway's refusal, to the letter: status, body, request id and headers. */
  function expectThrottled(res: Response, perMinute: number, retryAfter: string | null): void {
    expect(res.status).toBe(429);
    expect(res.body).toEqual({
      error_code: "APIGW.0308",
      error_msg: `The throttling threshold has been reached: policy user over ratelimit,limit:${perMinute},time:1 minute`,
      request_id: expect.stringMatching(HEX32),
    });
    expect(Object.keys(res.body as object)).toEqual(["error_code", "error_msg", "request_id"]);
    expect(res.headers.get("x-request-id")).toBe((res.body as { request_id: string }).request_id);
    expect(res.headers.get("content-type")).toBe("application/json;charset=UTF-8");
    expect(res.headers.get("retry-after")).toBe(retryAfter);
  }

  it("a burst above the limit: one second's worth passes, the rest is refused", async () => {
    expect(await statuses(MAIN, 8)).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    expectThrottled(await emu.as(MAIN, "GET", IMAGES), 300, "1");
  });

  it("the rate is held: tokens come back at the limit's rate, never more than a second's worth", async () => {
    expect(await statuses(MAIN, 6)).toEqual([200, 200, 200, 200, 200, 429]);
    clock += 400; // 2 tokens at 5 a second
    expect(await statuses(MAIN, 3)).toEqual([200, 200, 429]);
    clock += 1000;
    expect(await statuses(MAIN, 6)).toEqual([200, 200, 200, 200, 200, 429]);
    clock += 60_000; // a long pause still gives one second's worth
    expect(await statuses(MAIN, 6)).toEqual([200, 200, 200, 200, 200, 429]);
  });

  it("each project has its own bucket", async () => {
    expect(await statuses(MAIN, 6)).toEqual([200, 200, 200, 200, 200, 429]);
    expect(await statuses(ANALYTICS, 6)).toEqual([200, 200, 200, 200, 200, 429]);
    expect(await statuses(MAIN, 1)).toEqual([429]);
  });

  it("limits AK/SK-signed requests and the Glance-compatible APIs of the same project", async () => {
    const key = emu.accessKey(MAIN);
    const signed = () => emu.request("GET", "/v2/images", { aksk: { access: key.access, secret: key.secret } });
    expect((await signed()).status).toBe(200);
    expect(await statuses(MAIN, 4, "/v2/images")).toEqual([200, 200, 200, 200]);
    expectThrottled(await signed(), 300, "1");
  });

  it("a refused request is not carried out", async () => {
    await statuses(MAIN, 5);
    const before = emu.snapshot();
    const res = await emu.as(MAIN, "POST", "/v2/cloudimages/action", { body: { name: "throttled", image_url: QCOW2_URL, min_disk: 40 } });
    expectThrottled(res, 300, "1");
    expect(emu.snapshot()).toEqual(before);
  });

  it("IAM and the admin API are not limited", async () => {
    await statuses(MAIN, 5);
    for (let i = 0; i < 10; i++) {
      const token = await emu.request("POST", "/v3/auth/tokens", {
        body: {
          auth: {
            identity: { methods: ["password"], password: { user: { name: "ims-user", password: "ims-emulator-password", domain: { name: "ims-emulator" } } } },
            scope: { project: { name: MAIN } },
          },
        },
      });
      expect(token.status).toBe(201);
      expect((await emu.request("GET", "/_emulator/world")).status).toBe(200);
    }
    expect(await statuses(MAIN, 1)).toEqual([429]);
  });

  it("Retry-After says when the next token is back, and can be left out", async () => {
    expect((await emu.request("PUT", "/_emulator/rate-limit", { body: { requestsPerSecond: 0.1 } })).status).toBe(200);
    expect(await statuses(MAIN, 1)).toEqual([200]);
    expectThrottled(await emu.as(MAIN, "GET", IMAGES), 6, "10");
    clock += 3500;
    expectThrottled(await emu.as(MAIN, "GET", IMAGES), 6, "7");

    const set = await emu.request("PUT", "/_emulator/rate-limit", { body: { requestsPerSecond: 0.1, retryAfter: false } });
    expect(set.body).toEqual({ requestsPerSecond: 0.1, retryAfter: false });
    expect(await statuses(MAIN, 1)).toEqual([200]);
    expectThrottled(await emu.as(MAIN, "GET", IMAGES), 6, null);
  });

  it("the metrics count the refused requests, in all and per project", async () => {
    await statuses(MAIN, 7);
    await statuses(ANALYTICS, 6);
    const m = await emu.request<{ throttled: { total: number; byProject: Record<string, number> }; routes: { method: string; route: string; status: number; count: number }[] }>(
      "GET",
      "/_emulator/metrics",
    );
    expect(m.body.throttled).toEqual({ total: 3, byProject: { [emu.projectId(MAIN)]: 2, [emu.projectId(ANALYTICS)]: 1 } });
    expect(m.body.routes.find((r) => r.method === "GET" && r.route === "/v2/cloudimages" && r.status === 429)?.count).toBe(3);
  });

  it("the admin API shows, sets and removes the limit; reset brings back the one it started with", async () => {
    expect((await emu.request("GET", "/_emulator/rate-limit")).body).toEqual({ requestsPerSecond: 5, retryAfter: true });
    expect((await emu.request("PUT", "/_emulator/rate-limit", { body: { requestsPerSecond: 2 } })).body).toEqual({ requestsPerSecond: 2, retryAfter: true });
    expect(await statuses(MAIN, 3)).toEqual([200, 200, 429]);

    expect((await emu.request("DELETE", "/_emulator/rate-limit")).status).toBe(204);
    expect((await emu.request("GET", "/_emulator/rate-limit")).body).toEqual({ requestsPerSecond: null });
    expect(await statuses(MAIN, 12)).toEqual(Array(12).fill(200));

    expect((await emu.request("POST", "/_emulator/reset")).status).toBe(200);
    expect((await emu.request("GET", "/_emulator/rate-limit")).body).toEqual({ requestsPerSecond: 5, retryAfter: true });
  });

  it.each([
    [{ requestsPerSecond: 0 }, "requestsPerSecond must be a number above 0"],
    [{ requestsPerSecond: -1 }, "requestsPerSecond must be a number above 0"],
    [{ requestsPerSecond: "10" }, "requestsPerSecond must be a number above 0"],
    [{}, "requestsPerSecond must be a number above 0"],
    [{ requestsPerSecond: 10, retryAfter: "no" }, "retryAfter must be true or false"],
    [{ requestsPerSecond: 10, burst: 3 }, "unknown field burst"],
    [[10], "a rate limit is a JSON object"],
  ])("refuses %j with a message naming the problem", async (body, message) => {
    const res = await emu.request<{ error: { code: string; message: string } }>("PUT", "/_emulator/rate-limit", { body });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("EMULATOR.BAD_REQUEST");
    expect(res.body.error.message).toContain(message);
    expect((await emu.request("GET", "/_emulator/rate-limit")).body).toEqual({ requestsPerSecond: 5, retryAfter: true });
  });
});

describe("without a rate limit", () => {
  it("nothing is refused, and startEmulator refuses a bad limit", async () => {
    const emu = await startTestEmulator();
    try {
      emu.emulator.runtime.rateLimit.clock = () => 0;
      const res = await Promise.all(Array.from({ length: 30 }, () => emu.as(MAIN, "GET", IMAGES)));
      expect(res.map((r) => r.status)).toEqual(Array(30).fill(200));
      expect((await emu.request("GET", "/_emulator/metrics")).body).toMatchObject({ throttled: { total: 0, byProject: {} } });
    } finally {
      await emu.close();
    }
    await expect(startTestEmulator({ rateLimit: { requestsPerSecond: 0 } })).rejects.toThrow("requestsPerSecond must be a number above 0");
  });
});
