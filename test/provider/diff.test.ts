/**
 * diff of PrivateImage and DataImage: attributes IMS changes in place are updates; source,
 * region and adoption replace; unknowns during preview count as changes; a failed creation
 * replaces and a creation still running resumes.
 */
import type { ImageInputs, ImageOutputs } from "../../provider/images/schema";
import { dataImages, privateImages, PROVIDER, QCOW2, UNKNOWN, UBUNTU, VHD } from "./support";

const ID = "3f0b8e34-5c1e-4b7b-9d59-2f0d6f9c1a11";

const inputs = {
  __provider: PROVIDER,
  name: "web",
  description: "web servers",
  minRam: 1024,
  maxRam: 8192,
  tags: { env: "test", team: "infra" },
  source: { imageUrl: QCOW2, minDisk: 40, osVersion: UBUNTU },
  timeouts: { create: "30m" },
} as unknown as ImageInputs;

/** Outputs as create returns them for `inputs`. */
const olds: ImageOutputs = {
  ...(inputs as ImageInputs),
  imageRegion: "ap-southeast-1",
  projectId: "0f4e0a7e3b8d4a4f9c6a7b1d2e3f4a5b",
  status: "active",
  sizeBytes: 4096,
  diskFormat: "qcow2",
  osVersion: UBUNTU,
  osType: "Linux",
  osBit: "64",
  platform: "Ubuntu",
  visibility: "private",
  imageType: "private",
  checksum: "0123456789abcdef0123456789abcdef",
  minDisk: 40,
  virtualEnvType: "FusionCompute",
  createdAt: "2025-01-01T00:00:00Z",
  updatedAt: "2025-01-01T00:00:00Z",
  jobId: "ff8080817f9f1f2d017fa0a0b0c00001",
};

const news = (changes: Record<string, unknown>): ImageInputs => ({ ...(inputs as unknown as Record<string, unknown>), ...changes }) as unknown as ImageInputs;

describe("diff", () => {
  it("finds no changes when the inputs are those of the state", async () => {
    await expect(privateImages.diff(ID, olds, inputs)).resolves.toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
    // Absent and empty tags are the same.
    const untagged = { ...olds, tags: undefined } as unknown as ImageOutputs;
    await expect(privateImages.diff(ID, untagged, news({ tags: {} }))).resolves.toMatchObject({ changes: false });
  });

  it.each([
    ["name", { name: "web-2" }],
    ["description", { description: "other" }],
    ["description", { description: undefined }],
    ["minRam", { minRam: 2048 }],
    ["maxRam", { maxRam: undefined }],
    ["tags", { tags: { env: "prod", team: "infra" } }],
    ["tags", { tags: { env: "test" } }],
    ["timeouts", { timeouts: { create: "1h" } }],
    ["removeMembersOnDelete", { removeMembersOnDelete: true }],
  ])("updates %s in place", async (_key, change) => {
    const result = await privateImages.diff(ID, olds, news(change));
    expect(result).toMatchObject({ changes: true, replaces: [] });
  });

  it.each([
    ["source", { source: { imageUrl: QCOW2, minDisk: 50, osVersion: UBUNTU } }],
    ["source", { source: { instanceId: "0b6f0a36-7d3c-4f43-9a47-0dc1a5d37d6e" } }],
    ["region", { region: "ap-southeast-3" }],
    ["adoptImageId", { adoptImageId: "0b6f0a36-7d3c-4f43-9a47-0dc1a5d37d6e" }],
  ])("replaces the image when %s changes", async (key, change) => {
    const result = await privateImages.diff(ID, olds, news(change));
    expect(result.changes).toBe(true);
    expect(result.replaces).toEqual([key]);
  });

  it("counts unknown placeholders as changes, and an unknown source as a replacement", async () => {
    for (const change of [{ name: UNKNOWN }, { description: UNKNOWN }, { minRam: UNKNOWN }, { tags: UNKNOWN }, { tags: { env: UNKNOWN, team: "infra" } }]) {
      await expect(privateImages.diff(ID, olds, news(change))).resolves.toMatchObject({ changes: true, replaces: [] });
    }
    await expect(privateImages.diff(ID, olds, news({ source: UNKNOWN }))).resolves.toMatchObject({ changes: true, replaces: ["source"] });
    await expect(privateImages.diff(ID, olds, news({ source: { imageUrl: UNKNOWN, minDisk: 40, osVersion: UBUNTU } }))).resolves.toMatchObject({
      changes: true,
      replaces: ["source"],
    });
    await expect(privateImages.diff(ID, olds, news({ region: UNKNOWN }))).resolves.toMatchObject({ changes: true, replaces: ["region"] });
  });

  it("replaces an image whose creation failed, and resumes one still being created", async () => {
    const failed = { ...olds, status: "killed", failure: { code: "IMG.0057", reason: "bad file" } };
    await expect(privateImages.diff(ID, failed, inputs)).resolves.toMatchObject({ changes: true, replaces: ["source"] });
    await expect(privateImages.diff(ID, { ...olds, status: "killed" }, inputs)).resolves.toMatchObject({ changes: true, replaces: ["source"] });
    const pending = { ...olds, status: "queued", pendingJobId: "ff8080817f9f1f2d017fa0a0b0c00002" };
    await expect(privateImages.diff(ID, pending, inputs)).resolves.toMatchObject({ changes: true, replaces: [] });
  });

  it("diffs a DataImage the same way", async () => {
    const dataInputs = { __provider: PROVIDER, name: "data", tags: { env: "test" }, source: { imageUrl: VHD, minDisk: 40 } } as unknown as ImageInputs;
    const dataOlds = { ...olds, ...(dataInputs as ImageInputs), description: undefined, minRam: undefined, maxRam: undefined, timeouts: undefined } as unknown as ImageOutputs;
    const clean = JSON.parse(JSON.stringify(dataOlds)) as ImageOutputs;
    await expect(dataImages.diff(ID, clean, dataInputs)).resolves.toMatchObject({ changes: false });
    await expect(dataImages.diff(ID, clean, { ...dataInputs, tags: {} })).resolves.toMatchObject({ changes: true, replaces: [] });
    await expect(dataImages.diff(ID, clean, { ...dataInputs, source: { imageUrl: VHD, minDisk: 80 } })).resolves.toMatchObject({ changes: true, replaces: ["source"] });
  });
});
