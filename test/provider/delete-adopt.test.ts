/**
 * delete and adoption of PrivateImage and DataImage against ims-emulator: deletion waits until
 * the image is gone and tolerates one already gone, refuses an image still shared unless told to
 * stop sharing it; `adoptImageId` takes over an image made from the declared kind of source.
 */
import type { TestEmulator } from "../helpers/emulator";
import {
  admin,
  ANALYTICS,
  createWith,
  dataImages,
  expectJsonClean,
  imagesNamed,
  MAIN,
  privateImages,
  providerEmulator,
  QCOW2,
  rejection,
  shutdown,
  stored,
  storedTags,
  UBUNTU,
  updateWith,
  VHD,
  withProvider,
} from "./support";

let emu: TestEmulator;

beforeAll(async () => {
  emu = await providerEmulator(100);
});

afterAll(async () => {
  await shutdown(emu);
});

const source = { imageUrl: QCOW2, minDisk: 40, osVersion: UBUNTU };

/** A data image made outside Pulumi; returns its id. */
async function outsideDataImage(name: string): Promise<string> {
  const job = await emu.job(MAIN, "POST", "/v1/cloudimages/dataimages/action", { name, image_url: VHD, min_disk: 40 });
  if (job.status !== "SUCCESS") throw new Error(`creating ${name} failed: ${JSON.stringify(job)}`);
  return (job.entities as { image_id: string }).image_id;
}

describe("delete", () => {
  it("deletes the image and waits until it is gone", async () => {
    const { id, outs } = await createWith(privateImages, { name: "to-delete", source });
    await expect(privateImages.delete(id, outs)).resolves.toBeUndefined();
    expect(stored(emu, id)).toBeUndefined();
    const list = await emu.as<{ images: unknown[] }>(MAIN, "GET", `/v2/cloudimages?id=${id}`);
    expect(list.body.images).toEqual([]);
  });

  it("deletes a DataImage", async () => {
    const { id, outs } = await createWith(dataImages, { name: "data-to-delete", source: { imageUrl: VHD, minDisk: 40 } });
    await dataImages.delete(id, outs);
    expect(stored(emu, id)).toBeUndefined();
  });

  it("succeeds when the image is already gone", async () => {
    const { id, outs } = await createWith(privateImages, { name: "already-gone", source });
    await admin(emu, "DELETE", `/_emulator/images/${id}`);
    await expect(privateImages.delete(id, outs)).resolves.toBeUndefined();
    await expect(privateImages.delete(id, outs)).resolves.toBeUndefined();
  });

  it("refuses an image still shared, naming the member project and its status", async () => {
    const { id, outs } = await createWith(privateImages, { name: "shared", source });
    const member = emu.projectId(ANALYTICS);
    await admin(emu, "PUT", `/_emulator/images/${id}/members/${member}`, { status: "accepted" });
    const error = await rejection(emu, privateImages.delete(id, outs));
    expect(error.message).toContain(member);
    expect(error.message).toContain("accepted");
    expect(error.message).toMatch(/removeMembersOnDelete/);
    expect(stored(emu, id)).toBeDefined();
    expect(stored(emu, id)!.members).toHaveLength(1);
  });

  it("stops sharing, then deletes, with removeMembersOnDelete", async () => {
    const { id, outs } = await createWith(privateImages, { name: "shared-then-deleted", removeMembersOnDelete: true, source });
    await admin(emu, "PUT", `/_emulator/images/${id}/members/${emu.projectId(ANALYTICS)}`, { status: "pending" });
    await expect(privateImages.delete(id, outs)).resolves.toBeUndefined();
    expect(stored(emu, id)).toBeUndefined();
  });

  it("stops sharing on delete once an update turned removeMembersOnDelete on", async () => {
    const inputs = { name: "flag-set-later", source };
    const { id, outs } = await createWith(privateImages, inputs);
    await admin(emu, "PUT", `/_emulator/images/${id}/members/${emu.projectId(ANALYTICS)}`, { status: "rejected" });
    const news = { ...inputs, removeMembersOnDelete: true };
    await expect(privateImages.diff(id, outs, withProvider(news) as never)).resolves.toMatchObject({ changes: true, replaces: [] });
    const updated = await updateWith(privateImages, id, outs, news);
    expect(updated.removeMembersOnDelete).toBe(true);
    await privateImages.delete(id, updated);
    expect(stored(emu, id)).toBeUndefined();
  });

  it("waits for a creation still running before deleting", async () => {
    await admin(emu, "POST", "/_emulator/clock", { paused: true });
    let error: Error & Record<string, unknown>;
    try {
      error = await rejection(emu, privateImages.create(withProvider({ name: "deleted-while-pending", timeouts: { create: "1s" }, source })));
    } finally {
      await admin(emu, "POST", "/_emulator/clock", { paused: false });
    }
    const properties = error.properties as Parameters<typeof privateImages.delete>[1];
    expect(properties.pendingJobId).toBeDefined();
    await privateImages.delete(error.id as string, properties);
    expect(imagesNamed(emu, "deleted-while-pending")).toEqual([]);
  });
});

describe("adoption", () => {
  it("takes over an image made from the same kind of source, and converges its attributes", async () => {
    const existing = await emu.privateImage("made-outside");
    const before = emu.world.state.images.length;
    const inputs = { name: "adopted", description: "now managed", minRam: 1024, tags: { env: "test" }, adoptImageId: existing, source };
    const { id, outs } = await createWith(privateImages, inputs);
    expect(id).toBe(existing);
    expect(emu.world.state.images.length).toBe(before);
    expectJsonClean(outs);
    expect(outs).toMatchObject({ ...inputs, status: "active", diskFormat: "qcow2" });
    expect(stored(emu, id)).toMatchObject({ name: "adopted", description: "now managed", minRam: 1024 });
    expect(storedTags(emu, id)).toEqual({ env: "test" });
    expect(imagesNamed(emu, "made-outside")).toEqual([]);
  });

  it("takes over a data image as a DataImage", async () => {
    const existing = await outsideDataImage("data-made-outside");
    const { id, outs } = await createWith(dataImages, { name: "data-adopted", tags: { kind: "data" }, adoptImageId: existing, source: { imageUrl: VHD, minDisk: 40 } });
    expect(id).toBe(existing);
    expect(outs).toMatchObject({ name: "data-adopted", virtualEnvType: "DataImage" });
    expect(storedTags(emu, id)).toEqual({ kind: "data" });
  });

  it("refuses a data image declared as a PrivateImage", async () => {
    const existing = await outsideDataImage("data-not-private");
    const error = await rejection(emu, privateImages.create(withProvider({ name: "wrong-kind", adoptImageId: existing, source })));
    expect(error.message).toMatch(new RegExp(`adoptImageId ${existing}: the image is a data image; declare it as a DataImage`));
    expect(error.id).toBeUndefined();
    expect(stored(emu, existing)!.name).toBe("data-not-private");
  });

  it("refuses a system image declared as a DataImage", async () => {
    const existing = await emu.privateImage("system-not-data");
    const error = await rejection(emu, dataImages.create(withProvider({ name: "wrong-kind", adoptImageId: existing, source: { imageUrl: VHD, minDisk: 40 } })));
    expect(error.message).toMatch(/is a system image; declare it as a PrivateImage/);
  });

  it("refuses a file image declared with an instanceId source", async () => {
    const existing = await emu.privateImage("file-not-instance");
    const server = emu.world.state.servers.find((s) => s.name === "web-01")!;
    const error = await rejection(emu, privateImages.create(withProvider({ name: "wrong-source", adoptImageId: existing, source: { instanceId: server.id } })));
    expect(error.message).toMatch(new RegExp(`adoptImageId ${existing}: the image was made from file,images-bucket:ubuntu-24.04.qcow2, which does not match the declared source`));
    expect(stored(emu, existing)!.name).toBe("file-not-instance");
  });

  it("refuses an image of another project", async () => {
    const foreign = await emu.privateImage("foreign", ANALYTICS);
    await admin(emu, "PUT", `/_emulator/images/${foreign}/members/${emu.projectId(MAIN)}`, { status: "accepted" });
    const error = await rejection(emu, privateImages.create(withProvider({ name: "not-mine", adoptImageId: foreign, source })));
    expect(error.message).toMatch(/belongs to project .*only an own private image can be adopted/);
  });

  it("refuses an unknown image id", async () => {
    const unknown = "7d2c9a4e-0b1f-4c3d-8e5f-6a7b8c9d0e1f";
    const error = await rejection(emu, privateImages.create(withProvider({ name: "nothing", adoptImageId: unknown, source })));
    expect(error.message).toMatch(new RegExp(`adoptImageId ${unknown}: no such image in project ${emu.projectId(MAIN)}`));
  });
});
