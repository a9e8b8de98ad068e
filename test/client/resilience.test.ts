/**
 * The client under failure, against ims-emulator's fault injection over real HTTP: throttling,
 * 5xx bursts, dropped connections, slow answers, expiring tokens, failing and endless jobs,
 * refused credentials. No error may ever show a credential.
 */
import { createServer } from "node:net";
import {
  clearAuthCaches,
  closeAllPools,
  ImsApiError,
  ImsClient,
  ImsJobFailedError,
  ImsNetworkError,
  ImsOutcomeUnknownError,
  ImsTimeoutError,
  jobImageIds,
  resetFlow,
  tokenRequestCount,
} from "../../provider/client";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator";
import {
  addFault,
  akskClient,
  clearFaults,
  countOf,
  MAIN,
  metrics,
  PASSWORD,
  rejection,
  resetMetrics,
  serviceRequests,
  tokenClient,
  WAIT,
} from "./support";

const QCOW2 = "images-bucket:ubuntu-24.04.qcow2";
const LIST = "/v2/cloudimages";
const CREATE = "/v2/cloudimages/action";
const WRONG_SECRET = "wrong-secret-key-0123456789abcdefghijklm";
const WRONG_PASSWORD = "not-the-password-4711";

let emu: TestEmulator;
let client: ImsClient;

/** Every error this file provoked, checked again at the end against every credential seen. */
const provoked: Error[] = [];
const seenTokens = new Set<string>();

/** The tokens the client holds now (its process-wide cache lives on globalThis); remembered for the checks. */
function rememberTokens(): string[] {
  const caches = (globalThis as Record<symbol, unknown>)[Symbol.for("pulumi-ims.auth.caches")] as { tokens: Map<string, { token: string }> } | undefined;
  const tokens = [...(caches?.tokens.values() ?? [])].map((c) => c.token);
  for (const token of tokens) seenTokens.add(token);
  return tokens;
}

/** Every credential of the file: the worlds' secret keys (the same in every default world), passwords, tokens. */
function credentials(): string[] {
  rememberTokens();
  const keys = emu.world.state.accessKeys.map((k) => k.secret);
  return [...keys, PASSWORD, WRONG_SECRET, WRONG_PASSWORD, ...seenTokens];
}

/** Every text of an error a user or a log could see: message, stack, service message, causes. */
function texts(error: unknown, depth = 0): string[] {
  if (!(error instanceof Error) || depth > 4) return error === undefined ? [] : [String(error)];
  const own = error as Error & { serviceMessage?: unknown; cause?: unknown };
  return [
    error.message,
    error.stack ?? "",
    String(error),
    typeof own.serviceMessage === "string" ? own.serviceMessage : "",
    ...texts(own.cause, depth + 1),
  ];
}

function expectNoCredentials(error: Error): void {
  const all = texts(error).join("\n");
  for (const secret of credentials()) expect(all).not.toContain(secret);
  // Emulator tokens (like IAM's) start with MII.
  expect(all).not.toMatch(/MII[A-Za-z0-9_-]{16,}/);
}

/** The error `promise` rejects with, checked for credentials and kept for the final check. */
async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await rejection(promise);
  provoked.push(error);
  expectNoCredentials(error);
  return error;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Images of the main project with this name, as the emulator holds them. */
const imagesNamed = (name: string) => emu.world.state.images.filter((i) => i.name === name);

beforeAll(async () => {
  clearAuthCaches();
  emu = await startTestEmulator({ jobMs: 100 });
  client = tokenClient(emu);
});

beforeEach(async () => {
  await clearFaults(emu);
  await resetMetrics(emu);
  // The throttling a test provokes would otherwise pace the next test's requests.
  resetFlow();
});

afterEach(() => rememberTokens());

afterAll(async () => {
  await closeAllPools();
  clearAuthCaches();
  await emu.close();
});

describe("throttling: 429 with Retry-After", () => {
  it("a GET succeeds after a storm of 429s, each retry waiting at least the Retry-After", async () => {
    await client.projectId();
    await addFault(emu, { method: "GET", route: LIST, status: 429, retryAfter: 1, remaining: 2 });
    const started = Date.now();
    const images = await client.images.list({ imagetype: "gold" });
    const elapsed = Date.now() - started;
    expect(images.map((i) => i.name).sort()).toEqual(["CentOS 7.9 64bit", "Ubuntu 22.04 server 64bit"]);
    expect(elapsed).toBeGreaterThanOrEqual(2000);
    const m = await metrics(emu);
    expect(countOf(m, "GET", LIST, 429)).toBe(2);
    expect(countOf(m, "GET", LIST, 200)).toBe(1);
  });

  it("a throttled POST is repeated (the gateway refused it before processing) and creates one image", async () => {
    await addFault(emu, { method: "POST", route: CREATE, status: 429, retryAfter: 0, remaining: 2 });
    const ref = await client.images.createFromFile({ name: "throttled-create", imageUrl: QCOW2, minDisk: 40 });
    const job = await client.jobs.wait(ref.job_id, WAIT);
    expect(job.status).toBe("SUCCESS");
    expect(imagesNamed("throttled-create")).toHaveLength(1);
    const m = await metrics(emu);
    expect(countOf(m, "POST", CREATE, 429)).toBe(2);
    expect(countOf(m, "POST", CREATE, 200)).toBe(1);
  });

  it("when the retries run out, the 429 is reported with its code and Retry-After", async () => {
    const impatient = tokenClient(emu, { retry: { maxRetries: 2 } });
    await addFault(emu, { method: "GET", route: LIST, status: 429, retryAfter: 0 });
    const error = await failure(impatient.images.list());
    expect(error).toBeInstanceOf(ImsApiError);
    expect(error).toMatchObject({ status: 429, code: "APIGW.0308", retryAfterMs: 0, operation: "listImages" });
    expect((error as ImsApiError).requestId).toMatch(/^[0-9a-f]{32}$/);
    expect(countOf(await metrics(emu), "GET", LIST, 429)).toBe(3);
  });
});

describe("5xx bursts", () => {
  it.each([502, 503, 504])("an idempotent GET is retried through a burst of %i to success", async (status) => {
    await addFault(emu, { method: "GET", route: LIST, status, remaining: 3 });
    expect(await client.images.list({ imagetype: "gold" })).toHaveLength(2);
    const m = await metrics(emu);
    expect(countOf(m, "GET", LIST, status)).toBe(3);
    expect(countOf(m, "GET", LIST, 200)).toBe(1);
  });

  it("a POST create answered 503 is not repeated: ImsOutcomeUnknownError, and no image was made twice", async () => {
    await addFault(emu, { method: "POST", route: CREATE, status: 503, remaining: 1 });
    const error = await failure(client.images.createFromFile({ name: "unknown-503", imageUrl: QCOW2, minDisk: 40 }));
    expect(error).toBeInstanceOf(ImsOutcomeUnknownError);
    expect((error as ImsOutcomeUnknownError).operation).toBe("createImage");
    expect((error as ImsOutcomeUnknownError).cause).toMatchObject({ status: 503 });
    expect(countOf(await metrics(emu), "POST", CREATE)).toBe(1);
    expect(await client.images.list({ name: "unknown-503" })).toEqual([]);
    expect(imagesNamed("unknown-503")).toHaveLength(0);
  });

  it("a GET that keeps failing reports the last 503 once the retries run out", async () => {
    const impatient = tokenClient(emu, { retry: { maxRetries: 1 } });
    await addFault(emu, { method: "GET", route: "/v1/cloudimages/quota", status: 503 });
    const error = await failure(impatient.images.quota());
    expect(error).toMatchObject({ status: 503, operation: "getQuota" });
    expect(countOf(await metrics(emu), "GET", "/v1/cloudimages/quota", 503)).toBe(2);
  });
});

describe("dropped connections", () => {
  it("a GET is sent again after the connection is reset", async () => {
    await addFault(emu, { method: "GET", route: LIST, reset: true, remaining: 2 });
    expect(await client.images.list({ imagetype: "gold" })).toHaveLength(2);
    const m = await metrics(emu);
    expect(countOf(m, "GET", LIST, 0)).toBe(2);
    expect(countOf(m, "GET", LIST, 200)).toBe(1);
  });

  it("a POST create whose connection is reset throws ImsOutcomeUnknownError and is not repeated", async () => {
    await addFault(emu, { method: "POST", route: CREATE, reset: true, remaining: 1 });
    const error = await failure(client.images.createFromFile({ name: "unknown-reset", imageUrl: QCOW2, minDisk: 40 }));
    expect(error).toBeInstanceOf(ImsOutcomeUnknownError);
    expect(error.message).toMatch(/look it up before trying again/);
    expect(countOf(await metrics(emu), "POST", CREATE)).toBe(1);
    expect(imagesNamed("unknown-reset")).toHaveLength(0);
  });

  it("an idempotent DELETE is sent again after a reset", async () => {
    const created = await client.images.glanceCreate({ name: "reset-delete" });
    await addFault(emu, { method: "DELETE", route: "/v2/images/{image_id}", reset: true, remaining: 1 });
    await client.images.delete(created.id);
    expect(emu.world.image(created.id)).toBeUndefined();
    expect(countOf(await metrics(emu), "DELETE", "/v2/images/{image_id}")).toBe(2);
  });

  it("a service that never answered: refused connections are retried as usual, then reported as never sent, naming the endpoint setting", async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer();
      server.listen(0, "127.0.0.1", () => {
        const { port: free } = server.address() as { port: number };
        server.close(() => resolve(free));
      });
    });
    const nowhere = new ImsClient({
      endpoint: `http://127.0.0.1:${port}`,
      auth: { authUrl: `${emu.url}/v3`, region: MAIN, credentials: { kind: "password", domainName: "ims-emulator", userName: "ims-user", password: PASSWORD } },
      retry: { baseDelayMs: 5, maxDelayMs: 20, maxRetries: 2 },
      callTimeoutMs: 600,
    });
    const error = await failure(nowhere.images.createFromFile({ name: "never-sent", imageUrl: QCOW2, minDisk: 40 }));
    expect(error).toBeInstanceOf(ImsNetworkError);
    expect((error as ImsNetworkError).neverSent).toBe(true);
    expect(error.message).toMatch(new RegExp(`createImage at http://127.0.0.1:${port} \\(the IMS endpoint: ims:endpoint.*\\), for \\d+ s`));
    expect(imagesNamed("never-sent")).toHaveLength(0);
  });
});

describe("slow answers", () => {
  it("answers slower than usual but within the response timeout succeed at the first attempt", async () => {
    const patient = tokenClient(emu, { transport: { responseTimeoutMs: 3000 } });
    await patient.projectId();
    await addFault(emu, { method: "GET", route: LIST, latencyMs: 300 });
    await addFault(emu, { method: "POST", route: CREATE, latencyMs: 300 });
    expect(await patient.images.list({ imagetype: "gold" })).toHaveLength(2);
    const ref = await patient.images.createFromFile({ name: "slow-create", imageUrl: QCOW2, minDisk: 40 });
    expect(ref.job_id).toMatch(/^[0-9a-f]{32}$/);
    const m = await metrics(emu);
    expect(countOf(m, "GET", LIST)).toBe(1);
    expect(countOf(m, "POST", CREATE)).toBe(1);
    expect(imagesNamed("slow-create")).toHaveLength(1);
  });

  it("a GET that outlasts the response timeout is sent again", async () => {
    const hasty = tokenClient(emu, { transport: { responseTimeoutMs: 300 } });
    await hasty.projectId();
    // undici checks header timeouts on a coarse clock (about a second): the answer comes well after.
    await addFault(emu, { method: "GET", route: LIST, latencyMs: 2000, remaining: 1 });
    expect(await hasty.images.list({ imagetype: "gold" })).toHaveLength(2);
    const m = await metrics(emu);
    expect(countOf(m, "GET", LIST, 200)).toBe(1);
  });

  it("a POST that outlasts the response timeout is not repeated: ImsOutcomeUnknownError after one attempt", async () => {
    const hasty = tokenClient(emu, { transport: { responseTimeoutMs: 300 } });
    await hasty.projectId();
    await addFault(emu, { method: "POST", route: CREATE, latencyMs: 2000 });
    const error = await failure(hasty.images.createFromFile({ name: "late-create", imageUrl: QCOW2, minDisk: 40 }));
    expect(error).toBeInstanceOf(ImsOutcomeUnknownError);
    const res = await emu.request<{ faults: { route: string; hits: number }[] }>("GET", "/_emulator/faults");
    expect(res.body.faults).toEqual([expect.objectContaining({ route: CREATE, hits: 1 })]);
    expect(imagesNamed("late-create").length).toBeLessThanOrEqual(1);
  });
});

describe("tokens", () => {
  it("many concurrent calls share one token request", async () => {
    clearAuthCaches();
    const fresh = tokenClient(emu);
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? fresh.images.quota() : i % 3 === 1 ? fresh.images.list({ limit: 1 }) : fresh.images.osVersions())),
    );
    expect(results).toHaveLength(40);
    expect(tokenRequestCount()).toBe(1);
    const m = await metrics(emu);
    expect(m.tokenIssuances).toBe(1);
    expect(countOf(m, "POST", "/v3/auth/tokens")).toBe(1);
  });

  it.each([
    ["APIGW.0307", "The token must be updated."],
    ["APIGW.0301", "Incorrect IAM authentication information: token expires, expires_at: 2026-01-05T08:00:00.000000Z"],
  ])("a token refused as expired (%s) is renewed once and the call repeated", async (errorCode, message) => {
    clearAuthCaches();
    await client.projectId();
    await addFault(emu, { method: "GET", route: LIST, status: 401, errorCode, message, remaining: 1 });
    expect(await client.images.list({ imagetype: "gold" })).toHaveLength(2);
    expect(tokenRequestCount()).toBe(2);
    expect(countOf(await metrics(emu), "GET", LIST, 401)).toBe(1);
  });

  it("calls in flight with the expired token share the one renewal", async () => {
    clearAuthCaches();
    await client.projectId();
    // Both calls carry the old token; the second hears of it only after the first renewed it.
    await addFault(emu, { method: "GET", route: LIST, status: 401, errorCode: "APIGW.0307", remaining: 1 });
    await addFault(emu, { method: "GET", route: "/v1/cloudimages/quota", status: 401, errorCode: "APIGW.0307", latencyMs: 300, remaining: 1 });
    const [images, quota] = await Promise.all([client.images.list({ imagetype: "gold" }), client.images.quota()]);
    expect(images).toHaveLength(2);
    expect(quota[0].type).toBe("image");
    expect(tokenRequestCount()).toBe(2);
    expect((await metrics(emu)).tokenIssuances).toBe(2);
  });

  it("a token refused again after renewal is reported, not renewed in a loop", async () => {
    clearAuthCaches();
    await client.projectId();
    await addFault(emu, { method: "GET", route: LIST, status: 401, errorCode: "APIGW.0307" });
    const error = await failure(client.images.list());
    expect(error).toMatchObject({ status: 401, code: "APIGW.0307" });
    expect(tokenRequestCount()).toBe(2);
    expect(countOf(await metrics(emu), "GET", LIST, 401)).toBe(2);
  });

  describe("with tokens that expire after 1.5 s", () => {
    let shortLived: TestEmulator;

    beforeAll(async () => {
      shortLived = await startTestEmulator({ jobMs: 100, tokenLifetimeMs: 1500 });
    });

    afterAll(async () => {
      rememberTokens();
      await shortLived.close();
    });

    it("calls keep working past the expiry, with exactly one more token request", async () => {
      clearAuthCaches();
      const c = tokenClient(shortLived);
      const started = Date.now();
      let calls = 0;
      while (Date.now() - started < 2300) {
        const pages = await Promise.all([c.images.list({ limit: 1 }), c.images.quota(), c.images.list({ imagetype: "gold" })]);
        expect(pages[2]).toHaveLength(2);
        calls += 3;
        rememberTokens();
        await sleep(100);
      }
      expect(calls).toBeGreaterThan(30);
      expect(tokenRequestCount()).toBe(2);
      expect((await metrics(shortLived)).tokenIssuances).toBe(2);
    });
  });
});

describe("jobs", () => {
  it("a job that ends in FAIL throws ImsJobFailedError with the job's error code and reason", async () => {
    const res = await emu.request("POST", "/_emulator/job-failures", {
      body: { jobType: "imsImportImageJob", count: 1, errorCode: "IMG.0057", failReason: "The image file is not in a supported format." },
    });
    expect(res.status).toBe(201);
    const ref = await client.images.createFromFile({ name: "doomed", imageUrl: QCOW2, minDisk: 40 });
    const error = await failure(client.jobs.wait(ref.job_id, WAIT));
    expect(error).toBeInstanceOf(ImsJobFailedError);
    expect(error).toMatchObject({
      jobId: ref.job_id,
      jobType: "imsImportImageJob",
      errorCode: "IMG.0057",
      failReason: "The image file is not in a supported format.",
    });
    expect(error.message).toContain("IMG.0057");
    expect(imagesNamed("doomed").map((i) => i.status)).toEqual(["killed"]);
  });

  it("a wait falls back to the plain job view where the progress view is not served", async () => {
    await addFault(emu, { method: "GET", route: "/v1/cloudimages/job/{job_id}", status: 404, errorCode: "APIGW.0101" });
    const ref = await client.images.createFromFile({ name: "plain-view", imageUrl: QCOW2, minDisk: 40 });
    const job = await client.jobs.wait(ref.job_id, WAIT);
    expect(job.status).toBe("SUCCESS");
    expect(jobImageIds(job)).toEqual([imagesNamed("plain-view")[0].id]);
    const m = await metrics(emu);
    expect(countOf(m, "GET", "/v1/cloudimages/job/{job_id}", 404)).toBe(1);
    expect(countOf(m, "GET", "/v1/{project_id}/jobs/{job_id}", 200)).toBeGreaterThanOrEqual(1);
  });

  it("a wait past its deadline throws ImsTimeoutError with the job id; a later wait picks the job up", async () => {
    await emu.request("POST", "/_emulator/clock", { body: { paused: true } });
    let jobId: string;
    try {
      jobId = (await client.images.createFromFile({ name: "frozen", imageUrl: QCOW2, minDisk: 40 })).job_id;
      const error = await failure(client.jobs.wait(jobId, { ...WAIT, timeoutMs: 500 }));
      expect(error).toBeInstanceOf(ImsTimeoutError);
      expect(error).toMatchObject({ jobId, lastStatus: "INIT" });
      expect(error.message).toContain(jobId);
    } finally {
      await emu.request("POST", "/_emulator/clock", { body: { paused: false } });
    }
    const job = await client.jobs.wait(jobId, WAIT);
    expect(job.status).toBe("SUCCESS");
    expect(jobImageIds(job)).toEqual([imagesNamed("frozen")[0].id]);
  });
});

describe("refused credentials", () => {
  it("a wrong secret key: 401 APIGW.0301 at once, never retried", async () => {
    const forged = akskClient(emu, MAIN, { secretKey: WRONG_SECRET, projectId: emu.projectId(MAIN) });
    const error = await failure(forged.images.list());
    expect(error).toBeInstanceOf(ImsApiError);
    expect(error).toMatchObject({ status: 401, code: "APIGW.0301" });
    const m = await metrics(emu);
    expect(countOf(m, "GET", LIST)).toBe(1);
    expect(serviceRequests(m)).toBe(1);
  });

  it("a wrong secret key used by many calls at once: one signature reaches the gateway, the key is not locked", async () => {
    clearAuthCaches();
    await emu.request("DELETE", "/_emulator/metrics");
    const forged = akskClient(emu, MAIN, { secretKey: WRONG_SECRET, projectId: emu.projectId(MAIN) });
    const errors = await Promise.all(Array.from({ length: 12 }, () => failure(forged.images.list())));
    for (const error of errors) expect(error).toMatchObject({ status: 401, code: "APIGW.0301" });
    expect(errors.filter((e) => /not sent: these credentials were refused earlier in this run/.test(e.message))).toHaveLength(11);
    expect(serviceRequests(await metrics(emu))).toBe(1);
    // The right key still works: the gateway counted one failure, not enough to lock it.
    clearAuthCaches();
    expect(await akskClient(emu, MAIN, { projectId: emu.projectId(MAIN) }).images.list({ imagetype: "gold" })).toHaveLength(2);
  });

  it("a wrong secret key while resolving the project, by many calls: one refused IAM request", async () => {
    clearAuthCaches();
    await emu.request("DELETE", "/_emulator/metrics");
    const forged = akskClient(emu, MAIN, { secretKey: WRONG_SECRET });
    await Promise.all(Array.from({ length: 6 }, () => failure(forged.images.list())));
    await failure(forged.images.list());
    expect(serviceRequests(await metrics(emu))).toBe(1);
  });

  it("a wrong password used by many calls at once: one token request", async () => {
    clearAuthCaches();
    await emu.request("DELETE", "/_emulator/metrics");
    const wrong = tokenClient(emu, {}, WRONG_PASSWORD);
    await Promise.all(Array.from({ length: 6 }, () => failure(wrong.images.list())));
    await failure(wrong.images.quota());
    expect(tokenRequestCount()).toBe(1);
  });

  it("a wrong secret key while resolving the project: one refused IAM request, no IMS request", async () => {
    clearAuthCaches();
    const forged = akskClient(emu, MAIN, { secretKey: WRONG_SECRET });
    const error = await failure(forged.images.createFromFile({ name: "forged", imageUrl: QCOW2, minDisk: 40 }));
    expect(error).toMatchObject({ status: 401, code: "APIGW.0301" });
    const m = await metrics(emu);
    expect(countOf(m, "GET", "/v3/projects", 401)).toBe(1);
    expect(serviceRequests(m)).toBe(1);
    expect(imagesNamed("forged")).toHaveLength(0);
  });

  it("a wrong password: IAM's 401 after one token request", async () => {
    clearAuthCaches();
    const wrong = tokenClient(emu, {}, WRONG_PASSWORD);
    const error = await failure(wrong.images.list());
    expect(error).toMatchObject({ status: 401 });
    expect(tokenRequestCount()).toBe(1);
    expect(countOf(await metrics(emu), "POST", "/v3/auth/tokens", 401)).toBe(1);
  });

  it("a wrong password is refused even while a token of the same user is cached", async () => {
    clearAuthCaches();
    await client.projectId();
    const wrong = tokenClient(emu, {}, WRONG_PASSWORD);
    const error = await failure(wrong.images.list());
    expect(error).toMatchObject({ status: 401 });
    expect(countOf(await metrics(emu), "POST", "/v3/auth/tokens", 401)).toBe(1);
    expect(countOf(await metrics(emu), "GET", LIST)).toBe(0);
    expect(await client.images.list({ imagetype: "gold" })).toHaveLength(2);
    expect(tokenRequestCount()).toBe(2);
  });

  it("credentials a service message echoes are masked", async () => {
    clearAuthCaches();
    await client.projectId();
    const tokens = rememberTokens();
    expect(tokens).toHaveLength(1);
    const [token] = tokens;
    const secret = emu.accessKey(MAIN).secret;
    // A client made with the pair registers its secret key for masking, as any client does.
    akskClient(emu, MAIN);
    await addFault(emu, {
      method: "GET",
      route: LIST,
      status: 403,
      errorCode: "APIGW.0302",
      message: `refused x-auth-token:${token}|secret ${secret}|password ${PASSWORD}`,
      remaining: 1,
    });
    const error = await failure(client.images.list());
    expect(error).toMatchObject({ status: 403, code: "APIGW.0302" });
    expect(error.message).toContain("refused x-auth-token:***");
  });
});

it("no error provoked in this file showed a secret key, password or token", () => {
  // Checked again now that every token of the file is known.
  expect(provoked.length).toBeGreaterThanOrEqual(30);
  expect(provoked.map((e) => e.name)).toEqual(expect.arrayContaining(["ImsApiError", "ImsOutcomeUnknownError", "ImsNetworkError", "ImsJobFailedError", "ImsTimeoutError"]));
  for (const error of provoked) expectNoCredentials(error);
});

describe("a service clock 20 minutes ahead of this machine's", () => {
  let ahead: TestEmulator;
  beforeAll(async () => {
    ahead = await startTestEmulator({ jobMs: 100, clockOffsetMs: 20 * 60_000 });
  });
  afterAll(() => ahead.close());

  it("AK/SK: the first signature is refused, the clock is read from the answer's Date, and every call then works", async () => {
    clearAuthCaches();
    const key = ahead.accessKey(MAIN);
    const c = new ImsClient({
      endpoint: ahead.url,
      auth: { authUrl: `${ahead.url}/v3`, region: MAIN, projectId: ahead.projectId(MAIN), credentials: { kind: "aksk", accessKey: key.access, secretKey: key.secret } },
    });
    const lists = await Promise.all(Array.from({ length: 8 }, () => c.images.list({ imagetype: "gold" })));
    expect(lists.map((l) => l.length)).toEqual(Array(8).fill(2));
    const m = await metrics(ahead);
    expect(m.routes.filter((r) => r.status === 401).reduce((n, r) => n + r.count, 0)).toBe(1);
    expect(countOf(m, "GET", LIST, 200)).toBe(8);
  });

  it("AK/SK without a project id: the project lookup at IAM corrects the clock the same way", async () => {
    clearAuthCaches();
    const key = ahead.accessKey(MAIN);
    const c = new ImsClient({ endpoint: ahead.url, auth: { authUrl: `${ahead.url}/v3`, region: MAIN, credentials: { kind: "aksk", accessKey: key.access, secretKey: key.secret } } });
    expect(await c.projectId()).toBe(ahead.projectId(MAIN));
    expect(await c.images.quota()).toEqual([expect.objectContaining({ type: "image" })]);
  });
});
