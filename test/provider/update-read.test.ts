/**
 * update and read of PrivateImage and DataImage against ims-emulator: in-place changes reach the
 * live image (tags by difference), and a refresh reports out-of-band drift both in the outputs
 * and in the inputs, drops an image deleted outside Pulumi, and waits out a short absence right
 * after creation.
 */
import type { ImageInputs, ImageOutputs } from "../../provider/images/schema";
import type { TestEmulator } from "../helpers/emulator";
import {
  admin,
  createWith,
  dataImages,
  expectJsonClean,
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
  type Raw,
} from "./support";

let emu: TestEmulator;

beforeAll(async () => {
  emu = await providerEmulator(100);
});

afterAll(async () => {
  await shutdown(emu);
});

const source = { imageUrl: QCOW2, minDisk: 40, osVersion: UBUNTU };

/** PATCH requests of the extension API the emulator refused so far. */
async function refusedPatches(): Promise<number> {
  const res = await emu.request<{ routes: { method: string; route: string; status: number; count: number }[] }>("GET", "/_emulator/metrics");
  return res.body.routes.filter((r) => r.method === "PATCH" && r.route === "/v2/cloudimages/{image_id}" && r.status === 400).reduce((n, r) => n + r.count, 0);
}

/** Fails unless the outputs show what the emulator holds for the image now. */
function expectLive(outs: ImageOutputs, id: string): void {
  expectJsonClean(outs);
  const image = stored(emu, id)!;
  expect(outs.name).toBe(image.name);
  expect(outs.description ?? "").toBe(image.description);
  if (image.virtualEnvType !== "DataImage") {
    expect(outs.minRam ?? 0).toBe(image.minRam);
    expect(outs.maxRam).toBe(image.maxRam);
  }
  expect(outs.tags ?? {}).toEqual(storedTags(emu, id));
  expect(outs.status).toBe(image.status);
  expect(Date.parse(outs.updatedAt)).toBe(Math.floor(image.updatedAt / 1000) * 1000);
}

describe("update", () => {
  let id: string;
  let state: ImageOutputs;
  let inputs: Raw;

  beforeAll(async () => {
    inputs = { name: "to-update", tags: { env: "test", team: "infra", tier: "web" }, source };
    ({ id, outs: state } = await createWith(privateImages, inputs));
  });

  /** Applies `changes` to the declared inputs through update, checking the outputs against the live image. */
  async function change(changes: Raw): Promise<ImageOutputs> {
    inputs = JSON.parse(JSON.stringify({ ...inputs, ...changes })) as Raw;
    const diff = await privateImages.diff(id, state, withProvider(inputs) as unknown as ImageInputs);
    expect(diff).toMatchObject({ changes: true, replaces: [] });
    state = await updateWith(privateImages, id, state, inputs);
    expect(state).toMatchObject(inputs);
    expectLive(state, id);
    await expect(privateImages.diff(id, state, withProvider(inputs) as unknown as ImageInputs)).resolves.toMatchObject({ changes: false });
    return state;
  }

  it("renames the image", async () => {
    await change({ name: "updated-name" });
    expect(stored(emu, id)!.name).toBe("updated-name");
  });

  it("sets a description never set before (replace refused, then added), changes it, and removes it", async () => {
    expect(stored(emu, id)!.description).toBe("");
    const refusedBefore = await refusedPatches();
    await change({ description: "first description" });
    expect(stored(emu, id)!.description).toBe("first description");
    // The replace was refused with IMG.0035, then sent as add.
    expect(await refusedPatches()).toBe(refusedBefore + 1);
    await change({ description: "second description" });
    expect(stored(emu, id)!.description).toBe("second description");
    await change({ description: undefined });
    expect(stored(emu, id)!.description).toBe("");
  });

  it("sets, raises and removes the RAM limits", async () => {
    await change({ minRam: 1024, maxRam: 4096 });
    expect(stored(emu, id)).toMatchObject({ minRam: 1024, maxRam: 4096 });
    await change({ minRam: 8192, maxRam: 16384 });
    expect(stored(emu, id)).toMatchObject({ minRam: 8192, maxRam: 16384 });
    await change({ minRam: undefined, maxRam: undefined });
    expect(stored(emu, id)!.minRam).toBe(0);
    expect(stored(emu, id)!.maxRam).toBeUndefined();
  });

  it("changes tags by difference: removing one key leaves the others", async () => {
    await change({ tags: { env: "test", tier: "web" } });
    expect(storedTags(emu, id)).toEqual({ env: "test", tier: "web" });
    await change({ tags: { env: "prod", tier: "web", owner: "ops" } });
    expect(storedTags(emu, id)).toEqual({ env: "prod", tier: "web", owner: "ops" });
    await change({ tags: undefined });
    expect(storedTags(emu, id)).toEqual({});
  });

  it("changes several attributes at once, and brings back attributes changed outside", async () => {
    await admin(emu, "PATCH", `/_emulator/images/${id}`, { description: "changed in the console", tags: { rogue: "x" } });
    await change({ name: "final-name", description: "final", minRam: 2048, tags: { env: "test" } });
    expect(stored(emu, id)).toMatchObject({ name: "final-name", description: "final", minRam: 2048 });
    expect(storedTags(emu, id)).toEqual({ env: "test" });
  });

  it("updates a DataImage: name, description and tags", async () => {
    const data = { name: "data-to-update", source: { imageUrl: VHD, minDisk: 40 } };
    const { id: dataId, outs } = await createWith(dataImages, data);
    const news = { ...data, name: "data-updated", description: "data disk", tags: { env: "test" } };
    const updated = await updateWith(dataImages, dataId, outs, news);
    expect(updated).toMatchObject(news);
    expectLive(updated, dataId);
    expect(stored(emu, dataId)).toMatchObject({ name: "data-updated", description: "data disk" });
  });

  it("fails clearly when the image is gone", async () => {
    const { id: goneId, outs } = await createWith(privateImages, { name: "gone-before-update", source });
    await admin(emu, "DELETE", `/_emulator/images/${goneId}`);
    const error = await rejection(emu, updateWith(privateImages, goneId, outs, { name: "renamed", source }));
    expect(error.message).toMatch(/no longer exists.*pulumi refresh/);
    expect(error.id).toBeUndefined();
  });
});

describe("read", () => {
  it("returns the state unchanged when nothing drifted", async () => {
    const inputs = { name: "no-drift", description: "d", minRam: 1024, tags: { env: "test" }, source };
    const { id, outs } = await createWith(privateImages, inputs);
    const read = await privateImages.read(id, outs);
    expect(read).toEqual({ id, props: outs, inputs });
  });

  it("reports out-of-band drift in both props and inputs", async () => {
    const inputs = { name: "drifting", description: "as declared", minRam: 1024, maxRam: 4096, tags: { env: "test", team: "infra" }, timeouts: { create: "10m" }, source };
    const { id, outs } = await createWith(privateImages, inputs);
    await admin(emu, "PATCH", `/_emulator/images/${id}`, { name: "renamed-outside", description: "changed outside", minRam: 2048, maxRam: 8192, tags: { env: "prod" } });
    const read = await privateImages.read(id, outs);
    expect(read.id).toBe(id);
    const drift = { name: "renamed-outside", description: "changed outside", minRam: 2048, maxRam: 8192, tags: { env: "prod" } };
    // Exactly the drift: every other input as declared.
    expect(read.inputs).toEqual({ ...inputs, ...drift });
    expectJsonClean(read.inputs);
    expect(read.props).toEqual({ ...outs, ...drift, updatedAt: read.props!.updatedAt });
    expectLive(read.props!, id);
    // The next preview shows the drift as an in-place update back to the program's values.
    await expect(privateImages.diff(id, read.props!, read.inputs!)).resolves.toMatchObject({ changes: false });
    await expect(privateImages.diff(id, read.props!, withProvider(inputs) as unknown as ImageInputs)).resolves.toMatchObject({ changes: true, replaces: [] });
  });

  it("reports removed attributes as absent inputs", async () => {
    const inputs = { name: "losing-attributes", description: "will go", maxRam: 4096, tags: { env: "test" }, source };
    const { id, outs } = await createWith(privateImages, inputs);
    await admin(emu, "PATCH", `/_emulator/images/${id}`, { description: "", maxRam: null, tags: {} });
    const read = await privateImages.read(id, outs);
    expect(read.inputs).toEqual({ name: "losing-attributes", description: "", tags: {}, source });
    expectJsonClean(read.props);
  });

  it("reports drift of a DataImage", async () => {
    const inputs = { name: "data-drifting", tags: { env: "test" }, source: { imageUrl: VHD, minDisk: 40 } };
    const { id, outs } = await createWith(dataImages, inputs);
    await admin(emu, "PATCH", `/_emulator/images/${id}`, { name: "data-renamed", tags: { env: "test", extra: "1" } });
    const read = await dataImages.read(id, outs);
    expect(read.inputs).toEqual({ ...inputs, name: "data-renamed", tags: { env: "test", extra: "1" } });
    expect(read.props).toMatchObject({ name: "data-renamed", tags: { env: "test", extra: "1" } });
    expect(read.props).not.toHaveProperty("minRam");
  });

  it("drops an image deleted outside Pulumi, with a warning", async () => {
    const { id, outs } = await createWith(privateImages, { name: "deleted-outside", source });
    await admin(emu, "DELETE", `/_emulator/images/${id}`);
    const warn = jest.spyOn(console, "warn").mockImplementation(() => undefined);
    try {
      // Created long ago: no grace period.
      const read = await privateImages.read(id, { ...outs, createdAt: "2024-01-01T00:00:00Z" });
      expect(read).toEqual({ id: "" });
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(new RegExp(`PrivateImage "deleted-outside" \\(${id}\\) no longer exists`)));
    } finally {
      warn.mockRestore();
    }
  });

  it("waits for an image missing right after its creation (eventual consistency)", async () => {
    const { id, outs } = await createWith(privateImages, { name: "briefly-missing", source });
    const state = emu.world.state;
    const image = stored(emu, id)!;
    state.images = state.images.filter((i) => i.id !== id);
    const restore = new Promise<void>((resolve) =>
      setTimeout(() => {
        state.images.push(image);
        resolve();
      }, 800),
    );
    const read = await privateImages.read(id, outs);
    await restore;
    expect(read.id).toBe(id);
    expect(read.props).toMatchObject({ name: "briefly-missing", status: "active" });
  });

  it("returns no id without a state", async () => {
    await expect(privateImages.read("3f0b8e34-5c1e-4b7b-9d59-2f0d6f9c1a11")).resolves.toEqual({ id: "" });
  });
});
