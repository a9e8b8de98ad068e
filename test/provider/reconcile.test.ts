/**
 * create under failure: a lost or refused create request never makes a second image (the
 * provider looks for the one it may have made); a failed or unfinished creation job is recorded
 * as a partial failure (error with `id`, `properties` incl. `__provider`, `reasons`) that the
 * next `up` replaces or resumes.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeQcow2 } from "../../emulator/domain/disk-format";
import { CREATE_MARKER } from "../../provider/images/live";
import type { ImageInputs, ImageOutputs } from "../../provider/images/schema";
import type { TestEmulator } from "../helpers/emulator";
import {
  admin,
  AnswerLosingProxy,
  configureFor,
  createWith,
  dataImages,
  expectJsonClean,
  imagesNamed,
  md5,
  privateImages,
  PROVIDER,
  providerEmulator,
  QCOW2,
  rejection,
  shutdown,
  stored,
  storedTags,
  UBUNTU,
  VHD,
  withProvider,
} from "./support";

// A create whose answer is lost looks for its image for a few seconds before sending it again.
jest.setTimeout(30_000);

let emu: TestEmulator;
let proxy: AnswerLosingProxy;
let dir: string;

beforeAll(async () => {
  emu = await providerEmulator(120);
  proxy = await AnswerLosingProxy.start(emu.url);
  dir = mkdtempSync(join(tmpdir(), "pulumi-ims-reconcile-"));
});

afterEach(async () => {
  await admin(emu, "DELETE", "/_emulator/faults");
  await admin(emu, "POST", "/_emulator/clock", { paused: false });
  await configureFor(emu);
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await shutdown(emu, proxy);
});

/** Create requests the emulator answered so far, by status. */
async function createRequests(): Promise<Record<number, number>> {
  const res = await emu.request<{ routes: { method: string; route: string; status: number; count: number }[] }>("GET", "/_emulator/metrics");
  const counts: Record<number, number> = {};
  for (const r of res.body.routes) if (r.method === "POST" && r.route === "/v2/cloudimages/action") counts[r.status] = (counts[r.status] ?? 0) + r.count;
  return counts;
}

const fromFile = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  tags: { env: "test" },
  source: { imageUrl: QCOW2, minDisk: 40, osVersion: UBUNTU },
  ...extra,
});

describe("no duplicate images", () => {
  it("survives a connection reset on the create request", async () => {
    await admin(emu, "POST", "/_emulator/faults", { method: "POST", route: "/v2/cloudimages/action", reset: true, remaining: 1 });
    const { id, outs } = await createWith(privateImages, fromFile("after-reset"));
    expect(outs.status).toBe("active");
    expect(imagesNamed(emu, "after-reset").map((i) => i.id)).toEqual([id]);
    expect(storedTags(emu, id)).toEqual({ env: "test" });
  });

  it("survives a 503 on the create request (outcome unknown: looked up, then sent again)", async () => {
    await admin(emu, "POST", "/_emulator/faults", { method: "POST", route: "/v2/cloudimages/action", status: 503, remaining: 1 });
    const before = await createRequests();
    const { id, outs } = await createWith(privateImages, fromFile("after-503"));
    expect(outs.status).toBe("active");
    expect(imagesNamed(emu, "after-503").map((i) => i.id)).toEqual([id]);
    // Refused once, sent again once: the 503 was not retried blindly.
    const after = await createRequests();
    expect(after[503] - (before[503] ?? 0)).toBe(1);
    expect(after[200] - (before[200] ?? 0)).toBe(1);
  });

  it("finds no marker to look for with ten tags, and still makes one image after a reset", async () => {
    const tags = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`key${i}`, `value${i}`]));
    await admin(emu, "POST", "/_emulator/faults", { method: "POST", route: "/v2/cloudimages/action", reset: true, remaining: 1 });
    const { id, outs } = await createWith(privateImages, fromFile("ten-tags", { tags }));
    expect(outs.tags).toEqual(tags);
    expect(imagesNamed(emu, "ten-tags").map((i) => i.id)).toEqual([id]);
    expect(storedTags(emu, id)).toEqual(tags);
  });

  it("finds the image of a lost answer by name and time when ten tags leave no room for the marker", async () => {
    const tags = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`key${i}`, `value${i}`]));
    await configureFor(emu, proxy.url);
    proxy.loseAnswers("POST", /^\/v2\/cloudimages\/action$/);
    const { id } = await createWith(privateImages, fromFile("ten-tags-lost", { tags }));
    expect(proxy.pending()).toBe(0);
    expect(imagesNamed(emu, "ten-tags-lost").map((i) => i.id)).toEqual([id]);
    expect(storedTags(emu, id)).toEqual(tags);
  });

  it("finds the image when the answer of a create that was carried out is lost", async () => {
    await configureFor(emu, proxy.url);
    proxy.loseAnswers("POST", /^\/v2\/cloudimages\/action$/);
    const { id, outs } = await privateImages.create(withProvider(fromFile("answer-lost", { tags: { env: "test", team: "infra" } })));
    expect(proxy.pending()).toBe(0);
    expect(outs).toMatchObject({ status: "active", diskFormat: "qcow2", tags: { env: "test", team: "infra" } });
    expect(imagesNamed(emu, "answer-lost").map((i) => i.id)).toEqual([id]);
    expect(storedTags(emu, id)).toEqual({ env: "test", team: "infra" });
    expectJsonClean(outs);
  });

  it("finds a DataImage when the answer of its create is lost", async () => {
    await configureFor(emu, proxy.url);
    proxy.loseAnswers("POST", /^\/v1\/cloudimages\/dataimages\/action$/);
    const { id, outs } = await dataImages.create(withProvider({ name: "data-answer-lost", source: { imageUrl: VHD, minDisk: 40 } }));
    expect(outs).toMatchObject({ status: "active", virtualEnvType: "DataImage" });
    expect(imagesNamed(emu, "data-answer-lost").map((i) => i.id)).toEqual([id]);
    expect(storedTags(emu, id)).toEqual({});
  });

  it("uploads a local file once when the answer of the Glance create is lost", async () => {
    const path = join(dir, "lost.qcow2");
    writeFileSync(path, makeQcow2(10, 32 * 1024));
    await configureFor(emu, proxy.url);
    proxy.loseAnswers("POST", /^\/v2\/images$/);
    const { id, outs } = await privateImages.create(
      withProvider({ name: "upload-answer-lost", timeouts: { create: "10s" }, source: { localFile: path, minDisk: 20, osVersion: UBUNTU } }),
    );
    expect(proxy.pending()).toBe(0);
    expect(outs).toMatchObject({ status: "active", checksum: md5(readFileSync(path)) });
    expect(imagesNamed(emu, "upload-answer-lost").map((i) => i.id)).toEqual([id]);
  });

  it("does not send the file twice when the answer of the upload is lost", async () => {
    const path = join(dir, "upload-lost.qcow2");
    writeFileSync(path, makeQcow2(10, 32 * 1024));
    await configureFor(emu, proxy.url);
    proxy.loseAnswers("PUT", /^\/v2\/images\/[0-9a-f-]+\/file$/);
    const { id, outs } = await createWith(privateImages, { name: "file-answer-lost", source: { localFile: path, minDisk: 20, osVersion: UBUNTU } });
    expect(proxy.pending()).toBe(0);
    expect(outs).toMatchObject({ status: "active", checksum: md5(readFileSync(path)) });
    expect(imagesNamed(emu, "file-answer-lost").map((i) => i.id)).toEqual([id]);
  });
});

describe("partial failures", () => {
  it("records a failed creation job with the image id, and the next diff replaces it", async () => {
    await admin(emu, "POST", "/_emulator/job-failures", { jobType: "imsImportImageJob", count: 1, errorCode: "IMG.0057", failReason: "The image file is corrupt." });
    const inputs = withProvider(fromFile("job-fails"));
    const error = await rejection(emu, privateImages.create(inputs));
    const [image] = imagesNamed(emu, "job-fails");
    expect(image.status).toBe("killed");
    expect(error.id).toBe(image.id);
    expect(error.message).toMatch(/PrivateImage "job-fails".*IMG\.0057.*The image file is corrupt.*replaces the image/);
    expect(error.reasons).toEqual([expect.stringContaining("IMG.0057")]);
    const properties = error.properties as ImageOutputs & { __provider: string };
    expectJsonClean(properties);
    expect(properties).toMatchObject({
      __provider: PROVIDER,
      name: "job-fails",
      source: { imageUrl: QCOW2, minDisk: 40, osVersion: UBUNTU },
      status: "killed",
      failure: { code: "IMG.0057", reason: "The image file is corrupt." },
      jobId: expect.any(String),
    });
    const diff = await privateImages.diff(image.id, properties, inputs as unknown as ImageInputs);
    expect(diff.changes).toBe(true);
    expect(diff.replaces!.length).toBeGreaterThan(0);
    // The replacement then deletes the killed image.
    await privateImages.delete(image.id, properties);
    expect(stored(emu, image.id)).toBeUndefined();
  });

  it("records an image whose file upload was refused, with its id", async () => {
    const path = join(dir, "refused.qcow2");
    writeFileSync(path, makeQcow2(10, 32 * 1024));
    await admin(emu, "POST", "/_emulator/faults", { method: "PUT", route: "/v2/images/{image_id}/file", status: 400, errorCode: "IMG.0057", remaining: 1 });
    const inputs = withProvider({ name: "upload-refused", source: { localFile: path, minDisk: 20, osVersion: UBUNTU } });
    const error = await rejection(emu, privateImages.create(inputs));
    const [image] = imagesNamed(emu, "upload-refused");
    expect(image.status).toBe("queued");
    expect(error.id).toBe(image.id);
    expect(error.message).toMatch(/could not be uploaded.*IMG\.0057/);
    expect(error.properties).toMatchObject({ __provider: PROVIDER, status: "queued", failure: { code: "IMG.0057" } });
    await expect(privateImages.diff(image.id, error.properties as ImageOutputs, inputs as unknown as ImageInputs)).resolves.toMatchObject({ changes: true, replaces: ["source"] });
  });

  it("records a DataImage whose job failed", async () => {
    await admin(emu, "POST", "/_emulator/job-failures", { jobType: "*", count: 1, errorCode: "IMG.0061", failReason: "Internal error." });
    const error = await rejection(emu, dataImages.create(withProvider({ name: "data-job-fails", source: { imageUrl: VHD, minDisk: 40 } })));
    const [image] = imagesNamed(emu, "data-job-fails");
    expect(error.id).toBe(image.id);
    expect(error.properties).toMatchObject({ __provider: PROVIDER, status: "killed", failure: { code: "IMG.0061" } });
  });

  it("records a DataImage from a volume whose job failed, by the image its sub-job names", async () => {
    await admin(emu, "POST", "/_emulator/job-failures", { jobType: "imsVolumesToSysDataImagesJob", count: 1, errorCode: "IMG.0061", failReason: "Volume copy failed." });
    const data = emu.world.state.volumes.find((v) => v.name === "web-01-data")!;
    const error = await rejection(emu, dataImages.create(withProvider({ name: "data-volume-fails", tags: { env: "test" }, source: { volumeId: data.id } })));
    const [image] = imagesNamed(emu, "data-volume-fails");
    expect(error.id).toBe(image.id);
    expect(error.properties).toMatchObject({ __provider: PROVIDER, status: "killed", failure: { code: "IMG.0061", reason: "Volume copy failed." } });
  });

  it("records a creation that outlives its timeout, and the next update waits for the same job", async () => {
    await admin(emu, "POST", "/_emulator/clock", { paused: true });
    const inputs = withProvider(fromFile("slow-job", { description: "slow", timeouts: { create: "1s" } }));
    const error = await rejection(emu, privateImages.create(inputs));
    const [image] = imagesNamed(emu, "slow-job");
    expect(image.status).not.toBe("active");
    expect(error.id).toBe(image.id);
    expect(error.reasons).toEqual([expect.stringMatching(/still/)]);
    const properties = error.properties as ImageOutputs & { __provider: string };
    expectJsonClean(properties);
    expect(properties).toMatchObject({ __provider: PROVIDER, name: "slow-job", pendingJobId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(properties.failure).toBeUndefined();

    const diff = await privateImages.diff(image.id, properties, inputs as unknown as ImageInputs);
    expect(diff).toMatchObject({ changes: true, replaces: [] });

    await admin(emu, "POST", "/_emulator/clock", { paused: false });
    const { outs } = await privateImages.update(image.id, properties, inputs as unknown as ImageInputs);
    expectJsonClean(outs);
    expect(outs).toMatchObject({ status: "active", name: "slow-job", description: "slow", tags: { env: "test" }, jobId: properties.pendingJobId });
    expect(outs).not.toHaveProperty("pendingJobId");
    expect(stored(emu, image.id)!.tags.some((t) => t.key === CREATE_MARKER)).toBe(false);
    expect(storedTags(emu, image.id)).toEqual({ env: "test" });
    await expect(privateImages.diff(image.id, outs!, inputs as unknown as ImageInputs)).resolves.toMatchObject({ changes: false });
  });

  it("records an update whose pending job then fails, so that the next diff replaces the image", async () => {
    await admin(emu, "POST", "/_emulator/clock", { paused: true });
    await admin(emu, "POST", "/_emulator/job-failures", { jobType: "imsImportImageJob", count: 1, errorCode: "IMG.0057", failReason: "Bad file." });
    const inputs = withProvider(fromFile("slow-then-fails", { timeouts: { create: "1s" } }));
    const error = await rejection(emu, privateImages.create(inputs));
    await admin(emu, "POST", "/_emulator/clock", { paused: false });
    const again = await rejection(emu, privateImages.update(error.id as string, error.properties as ImageOutputs, inputs as unknown as ImageInputs));
    expect(again.id).toBe(error.id);
    const properties = again.properties as ImageOutputs;
    expect(properties).toMatchObject({ __provider: PROVIDER, status: "killed", failure: { code: "IMG.0057" } });
    expect(properties.pendingJobId).toBeUndefined();
    await expect(privateImages.diff(error.id as string, properties, inputs as unknown as ImageInputs)).resolves.toMatchObject({ changes: true, replaces: ["source"] });
  });
});
