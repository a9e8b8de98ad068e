/**
 * The client under the gateway's rate limit, against ims-emulator's limit per project over real
 * HTTP: many calls at once share the process's flow control (provider/client/core/flow.ts), so
 * they all succeed, are refused only now and then, and keep the service near its limit; a call
 * refused while others get through spends no retry, and its deadline bounds it.
 *
 * Bounds are generous: the rate is held by the emulator's token bucket, and a slow machine can
 * only make the client late, which these bounds allow for many times over.
 */
import { clearAuthCaches, closeAllPools, flowSnapshot, ImsApiError, resetFlow, type ImsClient } from "../../provider/client";
import { imageOperations } from "../../provider/client/images";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator";
import { addFault, ANALYTICS, clearFaults, countOf, MAIN, metrics, rejection, resetMetrics, tokenClient } from "./support";

const LIMIT = 20;

interface Throttled {
  throttled: { total: number; byProject: Record<string, number> };
}

let emu: TestEmulator;

beforeAll(async () => {
  emu = await startTestEmulator({ rateLimit: { requestsPerSecond: LIMIT } });
});

beforeEach(async () => {
  clearAuthCaches();
  resetFlow();
  await clearFaults(emu);
  // Every project starts with a full bucket.
  expect((await emu.request("PUT", "/_emulator/rate-limit", { body: { requestsPerSecond: LIMIT } })).status).toBe(200);
  await resetMetrics(emu);
});

afterAll(async () => {
  await closeAllPools();
  clearAuthCaches();
  await emu.close();
});

const throttledCount = async (): Promise<Throttled["throttled"]> => (await emu.request<Throttled>("GET", "/_emulator/metrics")).body.throttled;

/** `workers` callers at once, each listing the gold images `each` times in a row; the milliseconds it took. */
async function listInParallel(client: ImsClient, workers: number, each: number): Promise<number> {
  const started = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      for (let i = 0; i < each; i++) expect((await client.images.list({ imagetype: "gold" })).map((img) => img.name).sort()).toEqual(["CentOS 7.9 64bit", "Ubuntu 22.04 server 64bit"]);
    }),
  );
  return performance.now() - started;
}

describe("many calls at once against a rate limit of 20 requests a second per project", () => {
  it(
    "60 concurrent callers, 180 calls: all succeed without a retry to spare, refused only now and then, near the limit",
    async () => {
      // No retries at all: a call throttled while others get through waits for its turn instead.
      const client = tokenClient(emu, { retry: { maxRetries: 0 } });
      const calls = 60 * 3;
      const elapsedMs = await listInParallel(client, 60, 3);

      const throttled = await throttledCount();
      const accepted = calls; // every call succeeded with exactly one accepted request
      // Refused at most a few times: far fewer refusals than calls (a client without flow control is refused
      // several times per call).
      expect(throttled.total).toBeGreaterThan(0);
      expect(throttled.total).toBeLessThan(calls / 2);
      expect(Object.keys(throttled.byProject)).toEqual([emu.projectId(MAIN)]);

      // The accepted rate, and the share it took of what the bucket offered: a second's worth at the start,
      // then the limit's rate.
      const seconds = elapsedMs / 1000;
      const rate = accepted / seconds;
      const share = accepted / (LIMIT * (1 + seconds));
      console.log(`${calls} calls in ${seconds.toFixed(1)} s: ${rate.toFixed(1)} accepted a second (${((100 * share).toFixed(0))} % of the bucket's tokens), ${throttled.total} refused`);
      expect(rate).toBeGreaterThanOrEqual(0.8 * LIMIT);
      expect(share).toBeGreaterThanOrEqual(0.8);

      // What the flow control learnt of the key: refusals seen, a narrower window, paced.
      const [flow] = flowSnapshot();
      expect(flow.key).toBe(`${emu.url} ${emu.projectId(MAIN)}`);
      expect(flow).toMatchObject({ accepted: calls, throttled: throttled.total, inFlight: 0, queued: 0 });
      expect(flow.decreases).toBeGreaterThan(0);
      expect(flow.window).toBeLessThan(flow.maxWindow);
      expect(flow.intervalMs).toBeGreaterThan(0);
    },
    60_000,
  );

  it(
    "each project has its own flow: two projects at once each get their own limit",
    async () => {
      const main = tokenClient(emu, { retry: { maxRetries: 0 } });
      const analytics = tokenClient(emu, { projectName: ANALYTICS, retry: { maxRetries: 0 } });
      const [mainMs, analyticsMs] = await Promise.all([listInParallel(main, 30, 3), listInParallel(analytics, 30, 3)]);
      const throttled = await throttledCount();
      expect(throttled.total).toBeLessThan(90);
      const keys = flowSnapshot()
        .map((f) => f.key)
        .sort();
      expect(keys).toEqual([`${emu.url} ${emu.projectId(MAIN)}`, `${emu.url} ${emu.projectId(ANALYTICS)}`].sort());
      // 90 calls each: with one shared flow, one project's refusals would pace the other; 20 a second each.
      for (const ms of [mainMs, analyticsMs]) expect(90 / (ms / 1000)).toBeGreaterThanOrEqual(0.8 * LIMIT);
    },
    60_000,
  );
});

describe("the bound of a call that stays throttled", () => {
  /** A client with one retry, and a read of a gold image by id that the gateway refuses every time. */
  async function refusedRead(): Promise<{ client: ImsClient; read: (timeoutMs: number) => Promise<unknown> }> {
    const client = tokenClient(emu, { retry: { maxRetries: 1 } });
    const [gold] = await client.images.list({ imagetype: "gold" });
    await addFault(emu, { method: "GET", route: "/v2/images/{image_id}", status: 429, retryAfter: 0 });
    return { client, read: (timeoutMs) => rejection(client.api.call(imageOperations.glanceGetImage, { params: { image_id: gold.id }, timeoutMs })) };
  }

  it(
    "while the project's other requests get through, a call refused every time retries past maxRetries until its deadline",
    async () => {
      const { client, read } = await refusedRead();
      let busy = true;
      const others = (async () => {
        while (busy) await client.images.list({ imagetype: "gold" });
      })();
      const started = performance.now();
      const error = await read(1500);
      const elapsedMs = performance.now() - started;
      busy = false;
      await others;
      expect(error).toBeInstanceOf(ImsApiError);
      expect(error).toMatchObject({ status: 429, code: "APIGW.0308", operation: "glanceGetImage" });
      // Far more attempts than 1 + maxRetries, stopped by the deadline (1.5 s), not much later.
      expect(countOf(await metrics(emu), "GET", "/v2/images/{image_id}", 429)).toBeGreaterThan(2);
      expect(elapsedMs).toBeGreaterThanOrEqual(1400);
      expect(elapsedMs).toBeLessThan(15_000);
    },
    60_000,
  );

  it(
    "once the project's other requests stop getting through, a refused call spends its retries and fails long before its deadline",
    async () => {
      const { client, read } = await refusedRead();
      const started = performance.now();
      const refusedCall = read(120_000);
      // One request of the project gets through after the call began, then nothing does.
      await client.images.list({ imagetype: "gold" });
      const error = await refusedCall;
      const elapsedMs = performance.now() - started;
      expect(error).toBeInstanceOf(ImsApiError);
      expect(error).toMatchObject({ status: 429, code: "APIGW.0308", operation: "glanceGetImage" });
      // Free refusals for 5 s after the last acceptance, then 1 + maxRetries charged ones, paced by the
      // flow's interval: far from the 120 s deadline it would otherwise wait out.
      expect(elapsedMs).toBeLessThan(60_000);
    },
    90_000,
  );

  it(
    "refused with nothing else getting through, a call spends its retries as before",
    async () => {
      const client = tokenClient(emu, { retry: { maxRetries: 2 } });
      await client.projectId();
      await addFault(emu, { method: "GET", route: "/v2/cloudimages", status: 429, retryAfter: 0 });
      const error = await rejection(client.images.list());
      expect(error).toMatchObject({ status: 429, code: "APIGW.0308" });
      expect(countOf(await metrics(emu), "GET", "/v2/cloudimages", 429)).toBe(3);
    },
    60_000,
  );
});
