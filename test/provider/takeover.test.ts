/**
 * A create after an interrupted run: what that run made for the same resource (the image carrying
 * the resource's creation marker, or a copy of the same name and source) is taken over instead of
 * made again — still being created or done —, what it left killed is deleted, and an image made
 * from another source is refused with a sentence naming it.
 */
import { imageCopyProvider } from "../../provider/copies/lifecycle";
import type { CopyInputs, CopyOutputs } from "../../provider/copies/schema";
import { CREATE_MARKER } from "../../provider/images/live";
import type { ImageOutputs } from "../../provider/images/schema";
import type { TestEmulator } from "../helpers/emulator";
import { admin, driver, imagesNamed, MAIN, privateImages, providerEmulator, QCOW2, rejection, shutdown, stored, storedTags, UBUNTU, type Raw } from "./support";

let emu: TestEmulator;
const images = driver<Raw, ImageOutputs>(privateImages);
const copies = driver<CopyInputs, CopyOutputs>(imageCopyProvider);
const source = { imageUrl: QCOW2, minDisk: 40, osVersion: UBUNTU };

beforeAll(async () => {
  emu = await providerEmulator(150);
});

afterAll(async () => {
  await shutdown(emu);
});

/** What an interrupted run sent: the create request with the resource's marker tag; returns the job id. */
async function interruptedCreate(name: string, marker: string, url = QCOW2): Promise<string> {
  const res = await emu.as<{ job_id: string }>(MAIN, "POST", "/v2/cloudimages/action", {
    body: { name, image_url: url, min_disk: 40, os_version: UBUNTU, image_tags: [{ key: CREATE_MARKER, value: marker }, { key: "team", value: "x" }] },
  });
  if (res.status !== 200) throw new Error(`create: ${res.status} ${res.text}`);
  return res.body.job_id;
}

const creates = async (): Promise<number> => {
  const metrics = (await admin(emu, "GET", "/_emulator/metrics")) as { routes: { method: string; route: string; count: number }[] };
  return metrics.routes.filter((r) => r.method === "POST" && r.route === "/v2/cloudimages/action").reduce((n, r) => n + r.count, 0);
};

describe("PrivateImage", () => {
  it("takes over a finished image of the same marker, and removes the marker", async () => {
    const marker = "a".repeat(32);
    const job = await interruptedCreate("takeover-done", marker);
    await emu.waitJob(job);
    await admin(emu, "DELETE", "/_emulator/metrics");
    const { id, outs } = await images.create({ name: "takeover-done", source, tags: { team: "platform" }, creationMarker: marker });
    expect(await creates()).toBe(0);
    expect(imagesNamed(emu, "takeover-done").map((i) => i.id)).toEqual([id]);
    expect(storedTags(emu, id)).toEqual({ team: "platform" });
    expect(outs).toMatchObject({ status: "active", tags: { team: "platform" } });
  });

  it("takes over an image still being created, waiting for it", async () => {
    const marker = "b".repeat(32);
    await admin(emu, "PUT", "/_emulator/timing", { defaultMs: 1500 });
    try {
      await interruptedCreate("takeover-running", marker);
      await admin(emu, "DELETE", "/_emulator/metrics");
      const { id, outs } = await images.create({ name: "takeover-running", source, creationMarker: marker });
      expect(await creates()).toBe(0);
      expect(outs.status).toBe("active");
      expect(imagesNamed(emu, "takeover-running").map((i) => i.id)).toEqual([id]);
    } finally {
      await admin(emu, "PUT", "/_emulator/timing", { defaultMs: 150 });
    }
  });

  it("deletes what an earlier run left killed, and creates the image again", async () => {
    const marker = "c".repeat(32);
    await admin(emu, "POST", "/_emulator/job-failures", { jobType: "imsImportImageJob", count: 1 });
    const failed = await emu.waitJob(await interruptedCreate("takeover-killed", marker));
    const killedId = (failed.entities as { image_id: string }).image_id;
    expect(stored(emu, killedId)).toMatchObject({ status: "killed" });
    const { id } = await images.create({ name: "takeover-killed", source, creationMarker: marker });
    expect(id).not.toBe(killedId);
    expect(stored(emu, killedId)).toBeUndefined();
    expect(imagesNamed(emu, "takeover-killed").map((i) => i.id)).toEqual([id]);
  });

  it("refuses an image of the same marker made from another source, naming it", async () => {
    const marker = "d".repeat(32);
    await emu.waitJob(await interruptedCreate("takeover-other", marker, "images-bucket:ubuntu-24.04.qcow2"));
    const other = imagesNamed(emu, "takeover-other")[0];
    const error = await rejection(emu, images.create({ name: "takeover-other", source: { ...source, imageUrl: "images-bucket:another.qcow2" }, creationMarker: marker }));
    expect(error.message).toContain(other.id);
    expect(error.message).toMatch(/creation marker .* was made from file,images-bucket:ubuntu-24.04.qcow2, not from the declared source: delete that image/);
    expect(imagesNamed(emu, "takeover-other")).toHaveLength(1);
  });

  it("refuses a malformed marker in check", async () => {
    const result = await images.check({ name: "x", source, creationMarker: "not a marker!" });
    expect(result.failures).toEqual([{ property: "creationMarker", reason: expect.stringMatching(/set by pulumi-ims itself/) }]);
  });
});

describe("ImageCopy", () => {
  it("takes over a copy of the same name and source in the destination project", async () => {
    const sourceId = await emu.privateImage("copy-takeover-source");
    const job = await emu.job(MAIN, "POST", `/v1/cloudimages/${sourceId}/cross_region_copy`, {
      name: "copy-takeover",
      region: "ap-southeast-3",
      project_name: "ap-southeast-3",
      agency_name: "ims_admin_agency",
    });
    const earlier = (job.entities as { image_id: string }).image_id;
    await admin(emu, "DELETE", "/_emulator/metrics");
    const { id, outs } = await copies.create({ sourceImageId: sourceId, name: "copy-takeover", targetRegion: "ap-southeast-3", agencyName: "ims_admin_agency", tags: { dr: "yes" } });
    expect(id).toBe(earlier);
    expect(outs).toMatchObject({ imageRegion: "ap-southeast-3", tags: { dr: "yes" } });
    const metrics = (await admin(emu, "GET", "/_emulator/metrics")) as { routes: { method: string; route: string }[] };
    expect(metrics.routes.filter((r) => r.method === "POST" && r.route.endsWith("_copy"))).toEqual([]);
  });
});
