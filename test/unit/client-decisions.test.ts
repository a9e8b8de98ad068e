/** Pure decisions of the IMS client: retries, backoff, polling schedule, error texts, request shapes. */
import { backoffDelay, decide, DEFAULT_RETRY, neverSent, parseRetryAfter } from "../../provider/client/core/retry";
import { DEFAULT_SCHEDULE, fastestJob, geometricDelay, noteSubmitted, predictedDelay, resetJobTimes, waitForJob, type JobLike } from "../../provider/client/core/waiter";
import { ImsApiError, ImsJobFailedError, parseServiceError, redact, registerSecret } from "../../provider/client/core/errors";
import { clockSkew } from "../../provider/client/core/auth";
import { buildQuery } from "../../provider/client/core/client";
import { proxyFor } from "../../provider/client/core/transport";
import { fromFileBody, listImagesQuery, patchOps } from "../../provider/client/images/requests";
import { diffTags } from "../../provider/client/tags";
import { iamEndpoint, imsEndpoint } from "../../provider/client/endpoints";
import { jobImageIds } from "../../provider/client/jobs";

describe("retry decisions", () => {
  it.each([
    ["429 on a create POST", { kind: "response", status: 429, code: "APIGW.0308" }, false, "retry"],
    ["429 on a GET", { kind: "response", status: 429 }, true, "retry"],
    ["IAM unavailable (APIGW.0613) on a POST", { kind: "response", status: 503, code: "APIGW.0613" }, false, "retry"],
    ["503 on a GET", { kind: "response", status: 503 }, true, "retry"],
    ["502 on a GET", { kind: "response", status: 502 }, true, "retry"],
    ["504 on a GET", { kind: "response", status: 504 }, true, "retry"],
    ["503 on a create POST: it may have been processed", { kind: "response", status: 503 }, false, "outcome-unknown"],
    ["500 on a create POST", { kind: "response", status: 500, code: "IMG.0061" }, false, "outcome-unknown"],
    ["500 on a GET", { kind: "response", status: 500 }, true, "fail"],
    ["400 IMG.0027", { kind: "response", status: 400, code: "IMG.0027" }, true, "fail"],
    ["signature failure: never repeated", { kind: "response", status: 401, code: "APIGW.0301" }, true, "fail"],
    ["expired token", { kind: "response", status: 401, code: "APIGW.0301", tokenExpired: true }, true, "reauthenticate"],
    ["connection refused on a POST: it never left", { kind: "network", neverSent: true }, false, "retry"],
    ["connection reset on a POST: maybe processed", { kind: "network", neverSent: false }, false, "outcome-unknown"],
    ["connection reset on a GET", { kind: "network", neverSent: false }, true, "retry"],
  ] as const)("%s → %s", (_name, attempt, idempotent, expected) => {
    expect(decide(attempt, idempotent, true)).toBe(expected);
  });

  it("re-authenticates only with token credentials", () => {
    expect(decide({ kind: "response", status: 401, tokenExpired: true }, true, false)).toBe("fail");
  });

  it("tells never-sent network errors by code, also when wrapped", () => {
    expect(neverSent({ code: "ECONNREFUSED" })).toBe(true);
    expect(neverSent({ cause: { code: "UND_ERR_CONNECT_TIMEOUT" } })).toBe(true);
    expect(neverSent({ code: "ECONNRESET" })).toBe(false);
    expect(neverSent({ code: "UND_ERR_SOCKET" })).toBe(false);
  });

  it("backs off with full jitter under an exponential ceiling and a cap", () => {
    expect(backoffDelay(0, DEFAULT_RETRY, () => 0.999)).toBe(499);
    expect(backoffDelay(3, DEFAULT_RETRY, () => 0.5)).toBe(2000);
    expect(backoffDelay(20, DEFAULT_RETRY, () => 0.999)).toBe(19_980);
    expect(backoffDelay(4, DEFAULT_RETRY, () => 0)).toBe(0);
  });

  it("reads Retry-After as seconds or as an HTTP date", () => {
    expect(parseRetryAfter("2")).toBe(2000);
    expect(parseRetryAfter("0.5")).toBe(500);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter("soon")).toBeUndefined();
  });
});

describe("job polling schedule", () => {
  it("starts at 250 ms and grows by 1.5 to a cap of 10 s, with ±10 % jitter", () => {
    const mid = () => 0.5;
    expect([0, 1, 2, 3].map((n) => geometricDelay(n, DEFAULT_SCHEDULE, mid))).toEqual([250, 375, 563, 844]);
    expect(geometricDelay(30, DEFAULT_SCHEDULE, mid)).toBe(10_000);
    expect(geometricDelay(0, DEFAULT_SCHEDULE, () => 0)).toBe(225);
    expect(geometricDelay(0, DEFAULT_SCHEDULE, () => 1)).toBe(275);
  });

  it("polls a 60 s job at most 15 times when no progress is known", () => {
    let elapsed = 0;
    let polls = 0;
    for (let n = 0; elapsed < 60_000; n++) {
      elapsed += geometricDelay(n, DEFAULT_SCHEDULE, () => 0.5);
      polls++;
    }
    expect(polls).toBeLessThanOrEqual(15);
  });

  it("predicts the end from two progress readings and polls just after it", () => {
    const m = DEFAULT_SCHEDULE.marginMs;
    // A reading of two decimals counts half a step further (30 % as 30.5 %): the earliest end it allows.
    // 10 % at t=1 s, 30 % at t=2 s: 20.5 % a second, 69.5 % left, then the margin.
    expect(predictedDelay([{ at: 1000, percent: 0.1 }, { at: 2000, percent: 0.3 }])).toBe(Math.round((0.695 * 1000) / 0.205 + m));
    // 80 % at t=4 s (from 0 % at submission): just after the end.
    expect(predictedDelay([{ at: 0, percent: 0 }, { at: 4000, percent: 0.8 }])).toBe(Math.round((0.195 * 4000) / 0.805 + m));
    // Up to 15 s left: all of it.
    expect(predictedDelay([{ at: 0, percent: 0 }, { at: 10_000, percent: 0.45 }])).toBe(Math.round((0.545 * 10_000) / 0.455 + m));
    // Further: half of it, at most a minute, at least 10 s, and no longer than the readings span.
    expect(predictedDelay([{ at: 0, percent: 0 }, { at: 60_000, percent: 0.6 }])).toBe(Math.round(((0.395 * 60_000) / 0.605 + m) / 2));
    expect(predictedDelay([{ at: 0, percent: 0 }, { at: 100_000, percent: 0.4 }])).toBe(DEFAULT_SCHEDULE.maxFarMs);
    expect(predictedDelay([{ at: 0, percent: 0 }, { at: 40_000, percent: 0.2 }])).toBe(40_000);
    expect(predictedDelay([{ at: 0, percent: 0 }, { at: 20_000, percent: 0.55 }])).toBe(DEFAULT_SCHEDULE.maxPredictedMs);
    // 0.1 % in 100 ms: a prediction of 16 s on a baseline of 100 ms: read again in 10 s.
    expect(predictedDelay([{ at: 0, percent: 0.001 }, { at: 100, percent: 0.002 }])).toBe(DEFAULT_SCHEDULE.maxPredictedMs);
  });

  it("reads a job of 5 minutes with steady progress about 15 times, not every 10 s, and sees its end soon after", () => {
    const duration = 300_000;
    let now = 250;
    const samples = [{ at: 0, percent: 0 }];
    let reads = 0;
    let fallback = 0;
    while (reads < 100) {
      reads++;
      const percent = Math.min(1, now / duration);
      if (percent >= 1) break;
      // As the service gives it while the job runs: two decimals, at most 0.99.
      samples.push({ at: now, percent: Math.min(0.99, Math.round(percent * 100) / 100) });
      // Before any progress shows: the waiter's geometric schedule.
      now += predictedDelay(samples) ?? geometricDelay(fallback++, DEFAULT_SCHEDULE, () => 0.5);
    }
    // Every 10 s, as the delay was capped before, would be 31 reads.
    expect(reads).toBeLessThanOrEqual(18);
    // Seen within a hundredth of the job after its end: what readings of two decimals can tell.
    expect(now - duration).toBeLessThanOrEqual(duration / 100);
  });

  it("reads a job submitted here from 0 % at submission, and once when one of its operation finished before", async () => {
    resetJobTimes();
    // Jobs of 400 ms whose progress grows with time, read through a counting reader.
    const submittedAt = new Map<string, number>();
    let reads = 0;
    const read = async (jobId: string): Promise<JobLike> => {
      reads++;
      const percent = Math.min(1, (Date.now() - submittedAt.get(jobId)!) / 400);
      return { status: percent >= 1 ? "SUCCESS" : "RUNNING", job_type: "createImageByFile", entities: { process_percent: percent } };
    };
    const submit = (jobId: string) => {
      submittedAt.set(jobId, Date.now());
      noteSubmitted(jobId, "createImage");
    };
    submit("job-1");
    await waitForJob(read, "job-1", { timeoutMs: 10_000 });
    // The first reading comes after the schedule's first delay and predicts the end: two reads, maybe three on a busy machine.
    expect(reads).toBeGreaterThanOrEqual(2);
    expect(reads).toBeLessThanOrEqual(3);
    expect(fastestJob("createImage")).toBeGreaterThanOrEqual(400);
    reads = 0;
    submit("job-2");
    await waitForJob(read, "job-2", { timeoutMs: 10_000 });
    expect(reads).toBe(1);
    // A job not known to be submitted here is read at once, as before.
    reads = 0;
    submittedAt.set("job-3", Date.now() - 1000);
    await waitForJob(read, "job-3", { timeoutMs: 10_000 });
    expect(reads).toBe(1);
    expect(fastestJob("other")).toBeUndefined();
  });

  it("makes no prediction without progress", () => {
    expect(predictedDelay([{ at: 0, percent: 0.2 }])).toBeUndefined();
    expect(predictedDelay([{ at: 0, percent: 0.2 }, { at: 500, percent: 0.2 }])).toBeUndefined();
    expect(predictedDelay([{ at: 0, percent: 0.5 }, { at: 500, percent: 1 }])).toBeUndefined();
  });
});

describe("errors", () => {
  it("reads every error body shape", () => {
    expect(parseServiceError('{"error":{"code":"IMG.0027","message":"gone"}}')).toEqual({ code: "IMG.0027", message: "gone" });
    expect(parseServiceError('{"error_code":"APIGW.0308","error_msg":"slow down","request_id":"r"}')).toEqual({ code: "APIGW.0308", message: "slow down" });
    expect(parseServiceError('{"error":{"code":401,"message":"bad","title":"Unauthorized"}}')).toEqual({ code: "401", message: "bad" });
    expect(parseServiceError('{"itemNotFound":{"code":404,"message":"No image found"}}')).toEqual({ code: "404", message: "No image found" });
    expect(parseServiceError("<html>Bad Gateway</html>")).toEqual({ message: "<html>Bad Gateway</html>" });
  });

  it("says what failed, with the code, the hint and the request id", () => {
    const e = new ImsApiError({ operation: "createImage", method: "POST", path: "/v2/cloudimages/action", status: 400, code: "IMG.0015", serviceMessage: "The number of private images has reached the maximum allowed.", requestId: "abc" });
    expect(e.message).toBe(
      "createImage (POST /v2/cloudimages/action) failed with HTTP 400 IMG.0015: The number of private images has reached the maximum allowed. " +
        "— the project's private image quota is used up: delete unused images or ask for a larger quota [request id abc]",
    );
    expect("id" in e).toBe(false);
  });

  it("never shows credentials", () => {
    registerSecret("my-secret-key-123");
    const text = 'sk my-secret-key-123 X-Auth-Token: MIIabcdefghijklmnopqrstuvwxyz0123 canonicalRequest:GET|/|x-security-token:tok123|x| Signature=0123456789abcdef0123 {"password":"hunter2"}';
    const clean = redact(text);
    for (const secret of ["my-secret-key-123", "MIIabcdefghijklmnopqrstuvwxyz0123", "tok123", "0123456789abcdef0123", "hunter2"]) expect(clean).not.toContain(secret);
    const failed = new ImsJobFailedError("j1", "imsImportImageJob", "IMG.0057", "file my-secret-key-123 missing", {});
    expect(failed.message).toBe("IMS job j1 (imsImportImageJob) failed with IMG.0057: file *** missing");
  });
});

describe("request shapes", () => {
  it("encodes queries with %20 and repeated keys, never +", () => {
    expect(buildQuery({ name: "a b+c", tag: ["uefi", "arm"], limit: 5, none: undefined })).toBe("?name=a%20b%2Bc&tag=uefi&tag=arm&limit=5");
    expect(buildQuery({})).toBe("");
  });

  it("builds an OBS-file create body with only the given fields", () => {
    expect(fromFileBody({ name: "n", imageUrl: "b:o", minDisk: 40, osVersion: "Ubuntu 24.04 server 64bit", tags: [{ key: "k", value: "v" }] })).toEqual({
      name: "n",
      image_url: "b:o",
      min_disk: 40,
      os_version: "Ubuntu 24.04 server 64bit",
      image_tags: [{ key: "k", value: "v" }],
    });
  });

  it("maps list filters to the API's names", () => {
    expect(listImagesQuery({ imagetype: "private", memberStatus: "accepted", sortKey: "name", extra: { __platform: "Ubuntu" } })).toEqual({
      __imagetype: "private",
      member_status: "accepted",
      sort_key: "name",
      __platform: "Ubuntu",
    });
  });

  it("sends attribute changes as string values, removals without a value", () => {
    expect(patchOps([{ attribute: "min_ram", value: 1024 }, { attribute: "__description", value: undefined }], "replace")).toEqual([
      { op: "replace", path: "/min_ram", value: "1024" },
      { op: "remove", path: "/__description" },
    ]);
  });

  it("changes tags by difference", () => {
    expect(diffTags({ a: "1", b: "2", c: "3" }, { a: "1", b: "20", d: "4" })).toEqual({
      create: [{ key: "b", value: "20" }, { key: "d", value: "4" }],
      remove: [{ key: "c", value: "3" }],
    });
    expect(diffTags({ a: "1" }, { a: "1" })).toEqual({ create: [], remove: [] });
  });

  it("reads image ids from the job type's place", () => {
    expect(jobImageIds({ status: "SUCCESS", job_id: "j", job_type: "imsImportImageJob", entities: { image_id: "i1", image_name: "n" } })).toEqual(["i1"]);
    expect(
      jobImageIds({
        status: "SUCCESS",
        job_id: "j",
        job_type: "imsVolumesToSysDataImagesJob",
        entities: { sub_jobs_result: [{ entities: { image_id: "d1" } }, { entities: { image_id: "d2" } }] },
      }),
    ).toEqual(["d1", "d2"]);
  });
});

describe("endpoints", () => {
  it.each([
    ["huaweicloud", "ap-southeast-1", "https://ims.ap-southeast-1.myhuaweicloud.com", "https://iam.ap-southeast-1.myhuaweicloud.com/v3"],
    ["huaweicloud", "eu-west-101", "https://ims.eu-west-101.myhuaweicloud.eu", "https://iam.eu-west-101.myhuaweicloud.eu/v3"],
    ["g42", "ae-ad-1", "https://ims.ae-ad-1.g42cloud.com", "https://iam.ae-ad-1.g42cloud.com/v3"],
    ["otc", "eu-de", "https://ims.eu-de.otc.t-systems.com", "https://iam.eu-de.otc.t-systems.com/v3"],
  ] as const)("%s %s", (cloud, region, ims, iam) => {
    expect(imsEndpoint(cloud, region)).toBe(ims);
    expect(iamEndpoint(cloud, region)).toBe(iam);
  });

  it("takes overrides for every region or per region", () => {
    expect(imsEndpoint("huaweicloud", "r1", { ims: "http://127.0.0.1:7439/" })).toBe("http://127.0.0.1:7439");
    expect(imsEndpoint("huaweicloud", "r2", { ims: { r2: "https://private.example" } })).toBe("https://private.example");
    expect(iamEndpoint("otc", "eu-nl", { iam: { "eu-de": "x" } })).toBe("https://iam.eu-nl.otc.t-systems.com/v3");
  });
});

describe("clockSkew", () => {
  const now = Date.parse("2026-12-01T06:00:00Z");
  const expired = "Incorrect IAM authentication information: verify aksk signature fail, signature expired, signature time:20261201T060000Z";
  it("reads how far the service's clock is from a refused signature's answer", () => {
    expect(clockSkew(401, { date: "Tue, 01 Dec 2026 06:20:00 GMT" }, expired, now)).toBe(20 * 60_000);
    expect(clockSkew(401, { date: "Tue, 01 Dec 2026 05:40:00 GMT" }, expired, now)).toBe(-20 * 60_000);
  });
  it("says nothing of other refusals, of a near clock, or without a Date", () => {
    expect(clockSkew(401, { date: "Tue, 01 Dec 2026 06:20:00 GMT" }, "verify aksk signature fail, canonicalRequest:GET|/", now)).toBeUndefined();
    expect(clockSkew(401, { date: "Tue, 01 Dec 2026 06:00:30 GMT" }, expired, now)).toBeUndefined();
    expect(clockSkew(401, {}, expired, now)).toBeUndefined();
    expect(clockSkew(403, { date: "Tue, 01 Dec 2026 06:20:00 GMT" }, expired, now)).toBeUndefined();
  });
});

describe("proxyFor", () => {
  const env = { HTTPS_PROXY: "http://proxy.corp:3128", HTTP_PROXY: "http://plain-proxy.corp:3128" };
  it("takes HTTPS_PROXY for https and HTTP_PROXY for http, lower-case names too", () => {
    expect(proxyFor(new URL("https://ims.ap-southeast-1.myhuaweicloud.com"), env)).toBe("http://proxy.corp:3128");
    expect(proxyFor(new URL("http://10.0.0.5:7439"), env)).toBe("http://plain-proxy.corp:3128");
    expect(proxyFor(new URL("https://ims.example"), { https_proxy: "http://lower:1" })).toBe("http://lower:1");
    expect(proxyFor(new URL("https://ims.example"), {})).toBeUndefined();
  });
  it("leaves out what NO_PROXY names: hosts, domains, ports, IPv6 addresses, or everything", () => {
    const url = (u: string) => new URL(u);
    expect(proxyFor(url("https://ims.internal.example"), { ...env, NO_PROXY: "internal.example" })).toBeUndefined();
    expect(proxyFor(url("https://ims.internal.example"), { ...env, NO_PROXY: ".internal.example" })).toBeUndefined();
    expect(proxyFor(url("https://notinternal.example"), { ...env, NO_PROXY: "internal.example" })).toBe(env.HTTPS_PROXY);
    expect(proxyFor(url("http://127.0.0.1:7439"), { ...env, NO_PROXY: "localhost,127.0.0.1" })).toBeUndefined();
    expect(proxyFor(url("http://127.0.0.1:7439"), { ...env, NO_PROXY: "127.0.0.1:9999" })).toBe(env.HTTP_PROXY);
    expect(proxyFor(url("http://[::1]:7439"), { ...env, NO_PROXY: "::1" })).toBeUndefined();
    expect(proxyFor(url("http://[::1]:7439"), { ...env, NO_PROXY: "[::1]:7439" })).toBeUndefined();
    expect(proxyFor(url("https://anything.example"), { ...env, no_proxy: "*" })).toBeUndefined();
  });
});
