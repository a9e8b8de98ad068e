/**
 * Integration tests of the IMS client against ims-emulator over real HTTP: every operation of
 * the client, with IAM tokens and with AK/SK signatures. Reference: the Huawei Cloud IMS API reference (its "Image", "Image Sharing", "Image Replication", "Image Tag", "Asynchronous Job" and native OpenStack API chapters).
 */
import { createHash } from "node:crypto";
import { ALL_OPERATIONS, clearAuthCaches, closeAllPools, ImsClient, jobImageIds, tokenRequestCount, type Image } from "../../provider/client";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator";
import {
  akskClient,
  ANALYTICS,
  countOf,
  eventually,
  MAIN,
  metrics,
  putObject,
  REMOTE,
  resetMetrics,
  tokenClient,
  WAIT,
} from "./support";

const QCOW2 = "images-bucket:ubuntu-24.04.qcow2";
const VHD = "images-bucket:data-disk.vhd";
const UBUNTU = "Ubuntu 24.04 server 64bit";
const TAGS_ACTION = "/v2/{project_id}/images/{image_id}/tags/action";
const TAG_DELETE = "/v2/{project_id}/images/{image_id}/tags/{key}";

/** Bytes no disk format claims: the emulator takes them for a RAW disk. */
const RAW = Buffer.alloc(64 * 1024, 0x5a);

let emu: TestEmulator;
let owner: ImsClient;
let ownerAkSk: ImsClient;
let recipient: ImsClient;
let remote: ImsClient;
let ownerId: string;
let recipientId: string;
let remoteId: string;

beforeAll(async () => {
  clearAuthCaches();
  emu = await startTestEmulator({ jobMs: 100 });
  owner = tokenClient(emu);
  ownerAkSk = akskClient(emu);
  recipient = tokenClient(emu, { projectName: ANALYTICS });
  remote = tokenClient(emu, { region: REMOTE });
  ownerId = emu.projectId(MAIN);
  recipientId = emu.projectId(ANALYTICS);
  remoteId = emu.projectId(REMOTE);
});

afterAll(async () => {
  await closeAllPools();
  clearAuthCaches();
  await emu.close();
});

/** Waits for a job and returns the images it names; fails unless it succeeded. */
async function finished(client: ImsClient, jobId: string): Promise<string[]> {
  const job = await client.jobs.wait(jobId, WAIT);
  expect(job.status).toBe("SUCCESS");
  expect(job.job_id).toBe(jobId);
  return jobImageIds(job);
}

/** An active private image made from the bucket's qcow2 file. */
async function fileImage(client: ImsClient, name: string): Promise<string> {
  const ref = await client.images.createFromFile({ name, imageUrl: QCOW2, minDisk: 40, osVersion: UBUNTU });
  const ids = await finished(client, ref.job_id);
  expect(ids).toHaveLength(1);
  return ids[0];
}

async function mustGet(client: ImsClient, id: string): Promise<Image> {
  const image = await client.images.get(id);
  if (!image) throw new Error(`image ${id} is not listed`);
  return image;
}

const md5 = (bytes: Buffer): string => createHash("md5").update(bytes).digest("hex");

describe.each([
  ["IAM token", () => owner],
  ["AK/SK", () => ownerAkSk],
])("image lifecycle with %s authentication", (kind, clientOf) => {
  const slug = kind === "AK/SK" ? "aksk" : "token";
  let client: ImsClient;
  let imageId: string;

  beforeAll(() => {
    client = clientOf();
  });

  it("createFromFile, then jobs.wait names the new image, which is active with the file's attributes", async () => {
    const ref = await client.images.createFromFile({
      name: `file-${slug}`,
      imageUrl: QCOW2,
      minDisk: 40,
      osVersion: UBUNTU,
      minRam: 1024,
      tags: [{ key: "stage", value: "test" }],
    });
    expect(ref.job_id).toMatch(/^[0-9a-f]{32}$/);
    const ids = await finished(client, ref.job_id);
    expect(ids).toHaveLength(1);
    imageId = ids[0];
    const image = await mustGet(client, imageId);
    expect(image).toMatchObject({
      id: imageId,
      name: `file-${slug}`,
      status: "active",
      owner: ownerId,
      disk_format: "qcow2",
      min_disk: 40,
      min_ram: 1024,
      __os_version: UBUNTU,
      __imagetype: "private",
    });
    expect(await client.tags.list(imageId)).toEqual({ stage: "test" });
  });

  it("update replaces attributes, and adds one the image never had (IMG.0035) in the same call", async () => {
    const renamed = await client.images.update(imageId, [
      { attribute: "name", value: `renamed-${slug}` },
      { attribute: "min_ram", value: 2048 },
    ]);
    expect(renamed).toMatchObject({ id: imageId, name: `renamed-${slug}`, min_ram: 2048 });
    expect((await mustGet(client, imageId)).__description).toBeUndefined();

    await resetMetrics(emu);
    const described = await client.images.update(imageId, [
      { attribute: "name", value: `described-${slug}` },
      { attribute: "__description", value: "built by the integration test" },
    ]);
    expect(described).toMatchObject({ name: `described-${slug}`, __description: "built by the integration test" });
    // The service refused the replace (IMG.0035), the client read the image and sent add.
    const m = await metrics(emu);
    expect(countOf(m, "PATCH", "/v2/cloudimages/{image_id}", 400)).toBe(1);
    expect(countOf(m, "PATCH", "/v2/cloudimages/{image_id}", 200)).toBe(1);
    expect(await mustGet(client, imageId)).toMatchObject({ name: `described-${slug}`, __description: "built by the integration test" });

    const cleared = await client.images.update(imageId, [{ attribute: "__description", value: undefined }]);
    expect(cleared.__description).toBeUndefined();
    expect((await mustGet(client, imageId)).__description).toBeUndefined();
  });

  it("tags.set works by difference: one create for a changed value, one delete for a dropped key", async () => {
    const calls: { name: string; body: unknown }[] = [];
    const original = client.api.call.bind(client.api);
    const spy = jest.spyOn(client.api, "call").mockImplementation((op, input) => {
      calls.push({ name: op.name, body: input?.body });
      return original(op, input);
    });
    try {
      expect(await client.tags.set(imageId, { stage: "test", team: "images", tier: "gold" })).toEqual({
        create: [
          { key: "team", value: "images" },
          { key: "tier", value: "gold" },
        ],
        remove: [],
      });
      expect(await client.tags.list(imageId)).toEqual({ stage: "test", team: "images", tier: "gold" });

      calls.length = 0;
      await resetMetrics(emu);
      await client.tags.set(imageId, { stage: "prod", team: "images", tier: "gold" });
      expect(calls).toEqual([
        { name: "listImageTags", body: undefined },
        { name: "batchImageTags", body: { action: "create", tags: [{ key: "stage", value: "prod" }] } },
      ]);
      let m = await metrics(emu);
      expect(countOf(m, "POST", TAGS_ACTION)).toBe(1);
      expect(countOf(m, "DELETE", TAG_DELETE)).toBe(0);
      expect(await client.tags.list(imageId)).toEqual({ stage: "prod", team: "images", tier: "gold" });

      calls.length = 0;
      await resetMetrics(emu);
      await client.tags.set(imageId, { stage: "prod", team: "images" });
      expect(calls).toEqual([
        { name: "listImageTags", body: undefined },
        { name: "batchImageTags", body: { action: "delete", tags: [{ key: "tier", value: "gold" }] } },
      ]);
      m = await metrics(emu);
      expect(countOf(m, "POST", TAGS_ACTION)).toBe(1);
      expect(await client.tags.list(imageId)).toEqual({ stage: "prod", team: "images" });

      calls.length = 0;
      expect(await client.tags.set(imageId, { stage: "prod", team: "images" }, { stage: "prod", team: "images" })).toEqual({ create: [], remove: [] });
      expect(calls).toEqual([]);
    } finally {
      spy.mockRestore();
    }
  });

  it("export writes the image file to OBS in the asked format", async () => {
    const key = `exports/${slug}.qcow2`;
    const ref = await client.images.export(imageId, { bucketUrl: `images-bucket:${key}`, fileFormat: "qcow2" });
    const job = await client.jobs.wait(ref.job_id, WAIT);
    expect(job).toMatchObject({ status: "SUCCESS", job_type: "imsNativeExportImageJob" });
    const file = await fetch(`${emu.url}/_emulator/objects/images-bucket/${key}`);
    expect(file.status).toBe(200);
    const bytes = Buffer.from(await file.arrayBuffer());
    expect(bytes.subarray(0, 4).toString("latin1")).toBe("QFI\xfb");
  });

  it("glanceCreate makes a queued image; glanceUpload sends the bytes and the image turns active", async () => {
    const created = await client.images.glanceCreate({ name: `upload-${slug}`, __os_version: UBUNTU, min_disk: 1, disk_format: "raw" });
    expect(created).toMatchObject({ name: `upload-${slug}`, status: "queued", owner: ownerId, container_format: "bare" });
    expect(await client.images.glanceGet(created.id)).toMatchObject({ id: created.id, status: "queued" });
    await client.images.glanceUpload(created.id, RAW);
    const active = await eventually("the upload to finish", async () => {
      const image = await client.images.glanceGet(created.id);
      return image?.status === "active" ? image : undefined;
    });
    expect(active).toMatchObject({ size: RAW.length, checksum: md5(RAW), disk_format: "raw" });
    await client.images.deleteAndWait(created.id, 5000);
    expect(await client.images.glanceGet(created.id)).toBeUndefined();
  });

  it("delete removes the image, and deleting it again counts as done", async () => {
    await client.images.delete(imageId);
    expect(await client.images.get(imageId)).toBeUndefined();
    expect(emu.world.image(imageId)).toBeUndefined();
    await expect(client.images.delete(imageId)).resolves.toBeUndefined();
  });
});

describe("AK/SK authentication", () => {
  it("resolves the project by name once, sends no token request, and signs every call", async () => {
    clearAuthCaches();
    await resetMetrics(emu);
    const client = akskClient(emu);
    const [a, b] = await Promise.all([client.images.list({ limit: 1 }), client.images.quota()]);
    expect(a).toHaveLength(1);
    expect(b[0].type).toBe("image");
    expect(await client.projectId()).toBe(ownerId);
    await client.jobs.get((await client.images.createFromFile({ name: "aksk-job", imageUrl: QCOW2, minDisk: 40 })).job_id);
    const m = await metrics(emu);
    expect(countOf(m, "GET", "/v3/projects")).toBe(1);
    expect(m.tokenIssuances).toBe(0);
    expect(tokenRequestCount()).toBe(0);
    expect(countOf(m, "GET", "/v2/cloudimages", 200)).toBe(1);
    expect(countOf(m, "POST", "/v2/cloudimages/action", 200)).toBe(1);
    expect(countOf(m, "GET", "/v1/{project_id}/jobs/{job_id}", 200)).toBe(1);
  });

  it("uses the project it is given without asking IAM, and another project's key reaches that project", async () => {
    await resetMetrics(emu);
    const client = akskClient(emu, ANALYTICS, { projectId: recipientId });
    expect(await client.projectId()).toBe(recipientId);
    const quota = await client.images.quota();
    expect(quota[0].used).toBe(emu.world.ownedImageCount(recipientId));
    expect(countOf(await metrics(emu), "GET", "/v3/projects")).toBe(0);
  });
});

describe("images: listing and reading", () => {
  const names = ["page-a", "page-b", "page-c", "page-d", "page-e"];
  let created: string[];

  beforeAll(async () => {
    const refs = await Promise.all(names.map((name) => owner.images.createFromFile({ name, imageUrl: QCOW2, minDisk: 40 })));
    created = (await Promise.all(refs.map((r) => finished(owner, r.job_id)))).flat();
  });

  it("list returns one page, with filters", async () => {
    const page = await owner.images.list({ limit: 2, sortKey: "name", sortDir: "asc", imagetype: "private", extra: { __os_version: "Other Linux(64 bit)" } });
    expect(page).toHaveLength(2);
    const byName = await owner.images.list({ name: "page-c" });
    expect(byName.map((i) => i.id)).toEqual([created[2]]);
    const gold = await owner.images.list({ imagetype: "gold" });
    expect(gold.map((i) => i.name).sort()).toEqual(["CentOS 7.9 64bit", "Ubuntu 22.04 server 64bit"]);
    expect(gold.every((i) => i.visibility === "public")).toBe(true);
  });

  it("pages follows the marker with a small limit; listAll gathers every page without duplicates", async () => {
    const all = await owner.images.list({ limit: 1000, sortKey: "name", sortDir: "asc" });
    expect(all.length).toBeGreaterThanOrEqual(7);
    await resetMetrics(emu);
    const pages: string[][] = [];
    for await (const page of owner.images.pages({ limit: 2, sortKey: "name", sortDir: "asc" })) pages.push(page.map((i) => i.id));
    expect(pages.slice(0, -1).every((p) => p.length === 2)).toBe(true);
    expect(pages[pages.length - 1].length).toBeGreaterThanOrEqual(1);
    expect(pages.flat()).toEqual(all.map((i) => i.id));
    const requests = countOf(await metrics(emu), "GET", "/v2/cloudimages", 200);
    expect(requests).toBe(Math.floor(all.length / 2) + 1);

    const everything = await owner.images.listAll({ limit: 3, sortKey: "name", sortDir: "asc" });
    expect(everything.map((i) => i.id)).toEqual(all.map((i) => i.id));
    expect(new Set(everything.map((i) => i.id)).size).toBe(everything.length);
    for (const id of created) expect(everything.some((i) => i.id === id)).toBe(true);
  });

  it("get returns the image, or undefined when it is unknown", async () => {
    expect(await owner.images.get(created[0])).toMatchObject({ id: created[0], name: "page-a", status: "active" });
    expect(await owner.images.get("8c1e0e3a-4f5b-4f0e-9d59-000000000000")).toBeUndefined();
    expect(await owner.images.glanceGet("8c1e0e3a-4f5b-4f0e-9d59-000000000000")).toBeUndefined();
    expect(await owner.images.glanceGet(created[1])).toMatchObject({ id: created[1], name: "page-b" });
  });

  it("osVersions lists the supported versions, filtered by tag", async () => {
    const all = await owner.images.osVersions();
    const versions = all.flatMap((g) => g.version_list.map((v) => v.os_version));
    expect(versions).toEqual(expect.arrayContaining([UBUNTU, "CentOS 7.9 64bit", "Windows Server 2019 Datacenter 64bit"]));
    const arm = await owner.images.osVersions(["arm"]);
    const armVersions = arm.flatMap((g) => g.version_list.map((v) => v.os_version));
    expect(armVersions).toContain("openEuler 22.03 64bit");
    expect(armVersions).not.toContain(UBUNTU);
    expect(armVersions.every((v) => versions.includes(v))).toBe(true);
  });

  it("quota counts the project's private images", async () => {
    const quota = await owner.images.quota();
    expect(quota).toEqual([{ type: "image", used: emu.world.ownedImageCount(ownerId), quota: 50, min: 1, max: 1000 }]);
    expect(quota[0].used).toBeGreaterThanOrEqual(names.length);
  });

  it("deleteAndWait returns once the listing no longer shows the image", async () => {
    for (const id of created) await owner.images.deleteAndWait(id, 5000);
    for (const id of created) expect(await owner.images.get(id)).toBeUndefined();
  });
});

describe("images: every way to create one", () => {
  it("createFromFile with data disk files: one job whose sub-jobs name every image", async () => {
    const ref = await owner.images.createFromFile({
      name: "with-data",
      imageUrl: QCOW2,
      minDisk: 40,
      osVersion: UBUNTU,
      dataImages: [{ imageUrl: VHD, minDisk: 40, name: "with-data-disk" }],
    });
    const ids = await finished(owner, ref.job_id);
    expect(ids).toHaveLength(2);
    expect(await mustGet(owner, ids[0])).toMatchObject({ name: "with-data", disk_format: "qcow2", virtual_env_type: "FusionCompute" });
    expect(await mustGet(owner, ids[1])).toMatchObject({ name: "with-data-disk", disk_format: "vhd", virtual_env_type: "DataImage" });
  });

  it("createFromInstance images the server's system disk", async () => {
    const server = emu.world.state.servers.find((s) => s.name === "web-01")!;
    const ref = await owner.images.createFromInstance({ name: "from-web-01", instanceId: server.id, description: "web tier" });
    const [id] = await finished(owner, ref.job_id);
    expect(await mustGet(owner, id)).toMatchObject({
      name: "from-web-01",
      status: "active",
      min_disk: 40,
      __os_version: "Ubuntu 22.04 server 64bit",
      __description: "web tier",
      __data_origin: `instance,${server.id}`,
    });
  });

  it("createFromVolume makes a system image of a volume", async () => {
    const volume = emu.world.state.volumes.find((v) => v.name === "logs-disk")!;
    const ref = await owner.images.createFromVolume({ name: "from-volume", volumeId: volume.id, osVersion: "CentOS 7.9 64bit" });
    const [id] = await finished(owner, ref.job_id);
    expect(await mustGet(owner, id)).toMatchObject({ name: "from-volume", min_disk: 50, __os_version: "CentOS 7.9 64bit", __data_origin: `volume,${volume.id}` });
  });

  it("createDataImagesFromVolumes makes one data image per volume, named by the sub-jobs", async () => {
    const res = await emu.request<{ dataVolumeIds: string[] }>("POST", "/_emulator/servers", { body: { name: "db-01", dataDiskGb: [10, 20] } });
    expect(res.status).toBe(201);
    const [v1, v2] = res.body.dataVolumeIds;
    const ref = await owner.images.createDataImagesFromVolumes({
      images: [
        { name: "db-data-1", volumeId: v1, tags: [{ key: "disk", value: "one" }] },
        { name: "db-data-2", volumeId: v2 },
      ],
    });
    const job = await owner.jobs.wait(ref.job_id, WAIT);
    expect(job).toMatchObject({ status: "SUCCESS", job_type: "imsVolumesToSysDataImagesJob" });
    const ids = jobImageIds(job);
    expect(ids).toHaveLength(2);
    const images = await Promise.all(ids.map((id) => mustGet(owner, id)));
    expect(images.map((i) => [i.name, i.min_disk, i.virtual_env_type])).toEqual([
      ["db-data-1", 10, "DataImage"],
      ["db-data-2", 20, "DataImage"],
    ]);
    expect(await owner.tags.list(ids[0])).toEqual({ disk: "one" });
  });

  it("quickImport imports a RAW file", async () => {
    expect(await putObject(emu, "images-bucket", "raw/quick.img", RAW)).toBe("raw");
    const ref = await owner.images.quickImport({ name: "quick", imageUrl: "images-bucket:raw/quick.img", minDisk: 1, osVersion: UBUNTU });
    const [id] = await finished(owner, ref.job_id);
    expect(await mustGet(owner, id)).toMatchObject({ name: "quick", status: "active", disk_format: "raw", min_disk: 1, size: RAW.length });
  });

  it("createDataImageFromFile makes a data image of an OBS file", async () => {
    const ref = await owner.images.createDataImageFromFile({ name: "data-file", imageUrl: VHD, minDisk: 40, osType: "Linux" });
    const job = await owner.jobs.wait(ref.job_id, WAIT);
    expect(job).toMatchObject({ status: "SUCCESS", job_type: "imsImportDataImageJob" });
    const [id] = jobImageIds(job);
    expect(await mustGet(owner, id)).toMatchObject({ name: "data-file", disk_format: "vhd", virtual_env_type: "DataImage", min_disk: 40 });
  });

  it("createWholeImage makes a full-ECS image of a CBR backup", async () => {
    const backup = emu.world.state.backups.find((b) => b.name === "web-01-backup")!;
    const ref = await owner.images.createWholeImage({ name: "whole", backupId: backup.id, wholeImageType: "CBR" });
    const job = await owner.jobs.wait(ref.job_id, WAIT);
    expect(job).toMatchObject({ status: "SUCCESS", job_type: "imsCreateWholeImageByBackupJob" });
    const [id] = jobImageIds(job);
    expect(await mustGet(owner, id)).toMatchObject({ name: "whole", __whole_image: "true", __backup_id: backup.id });
  });

  it("register imports an OBS file into an image made by glanceCreate", async () => {
    const created = await owner.images.glanceCreate({ name: "registered", __os_version: UBUNTU, min_disk: 40 });
    expect(created.status).toBe("queued");
    const ref = await owner.images.register(created.id, QCOW2);
    const job = await owner.jobs.wait(ref.job_id, WAIT);
    expect(job).toMatchObject({ status: "SUCCESS", job_type: "imsNativeImportImageJob" });
    expect(jobImageIds(job)).toEqual([created.id]);
    expect(await mustGet(owner, created.id)).toMatchObject({ status: "active", disk_format: "qcow2", __os_version: UBUNTU });
  });
});

describe("jobs", () => {
  it("get and progress read a running job; wait follows it to the end", async () => {
    await emu.request("POST", "/_emulator/clock", { body: { paused: true } });
    let jobId: string;
    try {
      jobId = (await owner.images.createFromFile({ name: "progress", imageUrl: QCOW2, minDisk: 40 })).job_id;
      expect(await owner.jobs.get(jobId)).toMatchObject({ job_id: jobId, status: "INIT", job_type: "imsImportImageJob" });
      await emu.request("POST", "/_emulator/clock", { body: { advanceMs: 50 } });
      const half = await owner.jobs.progress(jobId);
      expect(half.status).toBe("RUNNING");
      expect(half.entities?.process_percent).toBe(0.5);
      expect((await owner.jobs.get(jobId)).status).toBe("RUNNING");
    } finally {
      await emu.request("POST", "/_emulator/clock", { body: { paused: false } });
    }
    const seen: string[] = [];
    const job = await owner.jobs.wait(jobId, { ...WAIT, onProgress: (p) => seen.push(p.status) });
    expect(job.status).toBe("SUCCESS");
    expect(seen[seen.length - 1]).toBe("SUCCESS");
    const [id] = jobImageIds(job);
    expect(await owner.jobs.get(jobId)).toMatchObject({ status: "SUCCESS", entities: { image_id: id } });
    expect((await owner.jobs.progress(jobId)).entities?.process_percent).toBe(1);
  });
});

describe("sharing", () => {
  let imageId: string;

  beforeAll(async () => {
    imageId = await fileImage(owner, "shared");
  });

  it("members.add shares, the recipient accepts with setStatus, members.remove stops sharing", async () => {
    await finished(owner, (await owner.members.add([imageId], [recipientId])).job_id);
    expect(await owner.members.list(imageId)).toEqual([expect.objectContaining({ image_id: imageId, member_id: recipientId, status: "pending" })]);
    expect(await owner.members.get(imageId, recipientId)).toMatchObject({ member_id: recipientId, status: "pending" });
    expect(await owner.members.get(imageId, remoteId)).toBeUndefined();
    expect((await recipient.images.list({ memberStatus: "pending", visibility: "shared", imagetype: "shared" })).map((i) => i.id)).toEqual([imageId]);

    await finished(recipient, (await recipient.members.setStatus([imageId], recipientId, "accepted")).job_id);
    expect(await owner.members.get(imageId, recipientId)).toMatchObject({ status: "accepted" });
    expect(await recipient.members.get(imageId, recipientId)).toMatchObject({ status: "accepted" });
    expect(await recipient.images.get(imageId)).toMatchObject({ id: imageId, __imagetype: "shared" });

    await finished(owner, (await owner.members.remove([imageId], [recipientId])).job_id);
    expect(await owner.members.list(imageId)).toEqual([]);
    expect(await recipient.images.get(imageId)).toBeUndefined();
  });

  it("members.list follows the page markers past the first page", async () => {
    const members = Array.from({ length: 130 }, (_, i) => `${(i + 1).toString(16).padStart(4, "0")}${"e".repeat(28)}`);
    for (const member of members) {
      const res = await emu.request("PUT", `/_emulator/images/${imageId}/members/${member}`, { body: { status: "pending" } });
      expect(res.status).toBe(200);
    }
    await resetMetrics(emu);
    const listed = await owner.members.list(imageId);
    expect(listed.map((m) => m.member_id)).toEqual(members);
    expect(countOf(await metrics(emu), "GET", "/v1/{project_id}/cloudimages/{image_id}/members", 200)).toBe(2);
    for (const member of members) expect((await emu.request("DELETE", `/_emulator/images/${imageId}/members/${member}`)).status).toBe(204);
    expect(await owner.members.list(imageId)).toEqual([]);
  });

  it("the Glance-compatible member calls add, read, accept and remove one member at once", async () => {
    expect(await owner.members.glanceAdd(imageId, recipientId)).toMatchObject({ image_id: imageId, member_id: recipientId, status: "pending" });
    expect(await owner.members.glanceList(imageId)).toEqual([expect.objectContaining({ member_id: recipientId, status: "pending" })]);
    expect(await owner.members.glanceGet(imageId, recipientId)).toMatchObject({ status: "pending" });
    expect(await recipient.members.glanceSetStatus(imageId, recipientId, "accepted")).toMatchObject({ status: "accepted" });
    expect(await owner.members.glanceGet(imageId, recipientId)).toMatchObject({ status: "accepted" });
    await owner.members.glanceRemove(imageId, recipientId);
    expect(await owner.members.glanceList(imageId)).toEqual([]);
  });
});

describe("replication", () => {
  let imageId: string;

  beforeAll(async () => {
    imageId = await fileImage(owner, "original");
  });

  it("copies.inRegion makes a private copy in the caller's project", async () => {
    const [copyId] = await finished(owner, (await owner.copies.inRegion(imageId, { name: "copy-here", description: "a copy" })).job_id);
    expect(copyId).not.toBe(imageId);
    expect(await mustGet(owner, copyId)).toMatchObject({
      name: "copy-here",
      owner: ownerId,
      status: "active",
      __description: "a copy",
      __originalimagename: imageId,
    });
  });

  it("copies.crossRegion makes a copy that appears in the other region's project", async () => {
    const ref = await owner.copies.crossRegion(imageId, { name: "copy-there", region: REMOTE, projectName: REMOTE, agencyName: "ims_admin_agency" });
    const [copyId] = await finished(owner, ref.job_id);
    expect(await owner.images.get(copyId)).toBeUndefined();
    expect(await remote.images.get(copyId)).toMatchObject({ name: "copy-there", owner: remoteId, status: "active" });
    expect(await remote.projectId()).toBe(remoteId);
  });
});

describe("project tags", () => {
  it("projectTags lists every key of the project's images with its values", async () => {
    const a = await fileImage(owner, "tagged-a");
    const b = await fileImage(owner, "tagged-b");
    await owner.tags.set(a, { app: "web", owner: "team-a" });
    await owner.tags.set(b, { app: "db" });
    const tags = await owner.tags.projectTags();
    const app = tags.find((t) => t.key === "app");
    expect(app?.values.sort()).toEqual(["db", "web"]);
    expect(tags.find((t) => t.key === "owner")?.values).toEqual(["team-a"]);
  });
});

describe("operations without a method of their own, through client.api.call", () => {
  let imageId: string;

  beforeAll(async () => {
    imageId = await fileImage(owner, "raw-calls");
  });

  it("glanceListImages pages with first and next links", async () => {
    const { body } = await owner.api.call(ALL_OPERATIONS.glanceListImages, { query: { limit: 1, __imagetype: "gold", sort_key: "name", sort_dir: "asc" } });
    const page = body as { images: Image[]; first?: string; next?: string };
    expect(page.images.map((i) => i.name)).toEqual(["CentOS 7.9 64bit"]);
    expect(page.first).toMatch(/^\/v2\/images\?/);
    const marker = new URL(page.next!, emu.url).searchParams.get("marker");
    expect(marker).toBe(page.images[0].id);
    const { body: next } = await owner.api.call(ALL_OPERATIONS.glanceListImages, { query: { limit: 1, __imagetype: "gold", sort_key: "name", sort_dir: "asc", marker: marker! } });
    expect((next as { images: Image[]; next?: string }).images.map((i) => i.name)).toEqual(["Ubuntu 22.04 server 64bit"]);
  });

  it("glanceUpdateImage patches with the OpenStack JSON-patch media type", async () => {
    const { status, body } = await owner.api.call(ALL_OPERATIONS.glanceUpdateImage, {
      params: { image_id: imageId },
      body: [
        { op: "replace", path: "/name", value: "raw-calls-renamed" },
        { op: "add", path: "/build_id", value: "4711" },
      ],
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({ id: imageId, name: "raw-calls-renamed", build_id: "4711" });
  });

  it("addImageTag adds one tag; deleteImageTag removes it, and a missing key is not an error", async () => {
    await owner.api.call(ALL_OPERATIONS.addImageTag, { params: { image_id: imageId }, body: { tag: { key: "single", value: "one" } } });
    expect(await owner.tags.list(imageId)).toEqual({ single: "one" });
    const removed = await owner.api.call(ALL_OPERATIONS.deleteImageTag, { params: { image_id: imageId, key: "single" } });
    expect(removed.status).toBe(204);
    expect(await owner.tags.list(imageId)).toEqual({});
    const again = await owner.api.call(ALL_OPERATIONS.deleteImageTag, { params: { image_id: imageId, key: "single" } });
    expect(again.status).toBe(404);
  });

  it("a path parameter that is missing is refused before anything is sent", async () => {
    await resetMetrics(emu);
    await expect(owner.api.call(ALL_OPERATIONS.deleteImageTag, { params: { image_id: imageId } })).rejects.toThrow(/the path parameter key is missing/);
    expect(countOf(await metrics(emu), "DELETE", TAG_DELETE)).toBe(0);
  });
});
