/**
 * Image files in and out of the object store: an import of a system disk with data disks (E3
 * scenario C with `data_images`), registration of a file into a metadata-only image (N5, then
 * E7), and export (E8), with their jobs, the images' attributes and the service's refusals.
 */
import { createHash, randomUUID } from "node:crypto";
import { inspectDisk, makeQcow2, makeVhd, makeVmdk } from "../../emulator/domain/disk-format";
import type { Image } from "../../emulator/domain/model";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator";
import {
  MAIN,
  ANALYTICS,
  REMOTE,
  QCOW2_URL,
  VHD_URL,
  GiB,
  HEX32,
  JOB_TIME,
  UUID,
  expectError,
  expectRejected,
  run,
  submit,
  jobNow,
  imageOf,
  list,
  quotaUsed,
  clock,
  putObject,
  createdImageId,
  imageFromFile,
  type ImageView,
} from "./support";

const VMDK_URL = "images-bucket:disks/archive.vmdk";
const md5 = (bytes: Buffer): string => createHash("md5").update(bytes).digest("hex");

/** The bytes of an object through the admin API, as `ims-emulator get-object` reads them. */
async function objectBytes(emu: TestEmulator, bucket: string, key: string): Promise<Buffer> {
  const res = await fetch(`${emu.url}/_emulator/objects/${bucket}/${key}`);
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

/** Stores an object in a bucket of `region` (the bucket is made there when new). */
async function putObjectIn(emu: TestEmulator, bucket: string, key: string, bytes: Buffer, region: string): Promise<void> {
  const res = await emu.request("PUT", `/_emulator/objects/${bucket}/${key}?region=${region}`, { raw: bytes });
  expect(res.status).toBe(201);
}

describe("disk formats the emulator writes", () => {
  it("a VMDK sparse extent header declares its disk like the other formats", () => {
    expect(inspectDisk(makeVmdk(30))).toEqual({ format: "vmdk", virtualSize: 30 * GiB });
    expect(inspectDisk(makeQcow2(30))).toEqual({ format: "qcow2", virtualSize: 30 * GiB });
    expect(inspectDisk(makeVhd(30))).toEqual({ format: "vhd", virtualSize: 30 * GiB });
  });
});

describe("E3 scenario C with data_images: a system disk and up to three data disks from OBS files", () => {
  let emu: TestEmulator;
  beforeAll(async () => {
    emu = await startTestEmulator({ jobMs: 100 });
    await putObject(emu, "disks/archive.vmdk", makeVmdk(30));
    await putObject(emu, "disks/scratch.qcow2", makeQcow2(10));
  });
  afterAll(() => emu.close());

  const body = (name: string) => ({
    name,
    image_url: QCOW2_URL,
    min_disk: 40,
    os_version: "CentOS 7.9 64bit",
    image_tags: [{ key: "role", value: "system" }],
    data_images: [
      { name: `${name}-logs`, image_url: VHD_URL, min_disk: 60, description: "logs", image_tags: [{ key: "role", value: "logs" }] },
      { name: `${name}-archive`, image_url: VMDK_URL, min_disk: 100, tags: ["role.archive"] },
      { image_url: "images-bucket:disks/scratch.qcow2", min_disk: 10 },
    ],
  });

  it("one job names all four images in sub_jobs_result and sub_jobs_list; each image has its own attributes", async () => {
    const used = await quotaUsed(emu);
    const job = await run(emu, body("multi"));
    expect(job).toMatchObject({ status: "SUCCESS", job_type: "imsImportImageJob", entities: { image_name: "multi" } });
    const subs = job.entities.sub_jobs_result!;
    expect(subs.map((s) => [s.job_type, s.entities.image_name])).toEqual([
      ["imsImportImageJob", "multi"],
      ["imsImportDataImageJob", "multi-logs"],
      ["imsImportDataImageJob", "multi-archive"],
      ["imsImportDataImageJob", "multi-data-3"],
    ]);
    expect(job.entities.sub_jobs_list).toEqual(subs.map((s) => s.job_id));
    expect(new Set(subs.map((s) => s.job_id)).size).toBe(4);
    for (const sub of subs) {
      expect(sub).toMatchObject({ status: "SUCCESS", job_id: expect.stringMatching(HEX32), begin_time: expect.stringMatching(JOB_TIME), error_code: null, fail_reason: null });
    }
    const [system, logs, archive, scratch] = subs.map((s) => s.entities.image_id);
    expect(system).toBe(job.entities.image_id);
    expect(await quotaUsed(emu)).toBe(used + 4);

    expect(await imageOf(emu, system)).toMatchObject({
      status: "active",
      virtual_env_type: "FusionCompute",
      disk_format: "qcow2",
      min_disk: 40,
      tags: ["role=system"],
      __root_origin: "file",
      __data_origin: `file,${QCOW2_URL}`,
      __platform: "CentOS",
    });
    const data: [string, Record<string, unknown>][] = [
      [logs, { name: "multi-logs", disk_format: "vhd", min_disk: 60, tags: ["role=logs"], __description: "logs", __data_origin: `file,${VHD_URL}` }],
      [archive, { name: "multi-archive", disk_format: "vmdk", min_disk: 100, tags: ["role=archive"], __data_origin: `file,${VMDK_URL}` }],
      [scratch, { name: "multi-data-3", disk_format: "qcow2", min_disk: 10, tags: [], __data_origin: "file,images-bucket:disks/scratch.qcow2" }],
    ];
    for (const [id, attributes] of data) {
      const image = await imageOf(emu, id);
      expect(image).toMatchObject({ status: "active", virtual_env_type: "DataImage", __root_origin: "file", ...attributes });
      // A data image describes itself: the system image's description and tags are not copied onto it.
      if (!("__description" in attributes)) expect(image).not.toHaveProperty("__description");
    }
    // The data image's own bytes: its file downloads (Glance) as it was imported.
    const download = await emu.as(MAIN, "GET", `/v2/images/${archive}/file`);
    expect(download.status).toBe(200);
  });

  it("refuses a fourth data disk, a data disk without image_url or min_disk, and a data disk over its min_disk, changing nothing", async () => {
    const base = body("refused");
    const fourth = { ...base, data_images: [...base.data_images, { image_url: "images-bucket:fourth.vhd", min_disk: 40 }] };
    await expectRejected(emu, MAIN, "POST", "/v2/cloudimages/action", { body: fourth }, 400, "IMG.0001");
    await expectRejected(emu, MAIN, "POST", "/v2/cloudimages/action", { body: { ...base, data_images: [{ min_disk: 40 }] } }, 400, "IMG.0017");
    await expectRejected(emu, MAIN, "POST", "/v2/cloudimages/action", { body: { ...base, data_images: [{ image_url: VHD_URL }] } }, 400, "IMG.0055");
    await expectRejected(emu, MAIN, "POST", "/v2/cloudimages/action", { body: { ...base, data_images: [{ image_url: VMDK_URL, min_disk: 29 }] } }, 400, "IMG.0055");
    await expectRejected(emu, MAIN, "POST", "/v2/cloudimages/action", { body: { ...base, data_images: [{ image_url: "images-bucket:none.vhd", min_disk: 40 }] } }, 400, "IMG.0057");
  });

  it("counts every image against the quota before it starts (IMG.0015 when the data disks do not fit)", async () => {
    const quota = emu.world.state.imageQuota;
    try {
      emu.world.state.imageQuota = (await quotaUsed(emu)) + 3;
      await expectRejected(emu, MAIN, "POST", "/v2/cloudimages/action", { body: body("over-quota") }, 400, "IMG.0015");
      emu.world.state.imageQuota += 1;
      expect((await run(emu, body("exactly-fits"))).status).toBe("SUCCESS");
    } finally {
      emu.world.state.imageQuota = quota;
    }
  });

  it("while the job runs every image is being created and cannot be deleted (IMG.0090)", async () => {
    await clock(emu, { paused: true });
    let jobId: string | undefined;
    try {
      jobId = await submit(emu, body("in-flight"));
      const images = emu.world.state.images.filter((i) => i.creatingJobId === jobId);
      expect(images).toHaveLength(4);
      for (const image of images) {
        expect((await imageOf(emu, image.id)).status).toBe("queued");
        await expectRejected(emu, MAIN, "DELETE", `/v2/images/${image.id}`, {}, 400, "IMG.0090");
      }
      await clock(emu, { advanceMs: 30 });
      for (const image of images) expect((await imageOf(emu, image.id)).status).toBe("saving");
    } finally {
      await clock(emu, { paused: false });
    }
    expect((await emu.waitJob(jobId!, MAIN)).status).toBe("SUCCESS");
  });

  it("a failed job fails every sub-job and leaves every image killed", async () => {
    const rule = await emu.request("POST", "/_emulator/job-failures", {
      body: { jobType: "imsImportImageJob", count: 1, errorCode: "IMG.0057", failReason: "The data disk file is damaged." },
    });
    expect(rule.status).toBe(201);
    const job = await run(emu, body("doomed"));
    expect(job).toMatchObject({ status: "FAIL", error_code: "IMG.0057", fail_reason: "The data disk file is damaged." });
    const subs = job.entities.sub_jobs_result!;
    expect(subs).toHaveLength(4);
    for (const sub of subs) {
      expect(sub).toMatchObject({ status: "FAIL", error_code: "IMG.0057", fail_reason: "The data disk file is damaged." });
      expect(await imageOf(emu, sub.entities.image_id)).toMatchObject({ status: "killed", __image_size: "0" });
    }
  });

  it("the images of a multi-disk import are deleted one by one; the others stay", async () => {
    const job = await run(emu, body("separate"));
    const ids = job.entities.sub_jobs_result!.map((s) => s.entities.image_id);
    const used = await quotaUsed(emu);
    const remaining = new Set(ids);
    for (const id of [ids[2], ids[0], ids[3], ids[1]]) {
      const res = await emu.as(MAIN, "DELETE", `/v2/images/${id}`);
      expect(res.status).toBe(204);
      remaining.delete(id);
      expect((await emu.as(MAIN, "GET", `/v2/images/${id}`)).status).toBe(404);
      for (const other of remaining) expect((await imageOf(emu, other)).status).toBe("active");
      expect(await quotaUsed(emu)).toBe(used - (ids.length - remaining.size));
    }
  });
});

describe("registration: POST /v2/images, then PUT /v1/cloudimages/{id}/upload (E7)", () => {
  let emu: TestEmulator;
  beforeAll(async () => {
    emu = await startTestEmulator({ jobMs: 100 });
    await putObjectIn(emu, "seoul-bucket", "disk.qcow2", makeQcow2(20), REMOTE);
  });
  afterAll(() => emu.close());

  async function metadataImage(name: string, extra: Record<string, unknown> = {}): Promise<ImageView> {
    const res = await emu.as<ImageView>(MAIN, "POST", "/v2/images", { body: { name, __os_version: "CentOS 7.9 64bit", min_disk: 40, ...extra } });
    expect(res.status).toBe(201);
    return res.body;
  }

  it("goes queued → saving → active under imsNativeImportImageJob; the disk format comes from the file header", async () => {
    const created = await metadataImage("registered", { disk_format: "qcow2" });
    expect(created).toMatchObject({ status: "queued", disk_format: "qcow2", __image_size: "0" });
    expect(created).not.toHaveProperty("__root_origin");
    const vhd = emu.world.object("images-bucket", "data-disk.vhd")!;

    await clock(emu, { paused: true });
    let jobId: string | undefined;
    try {
      const res = await emu.as<{ job_id: string }>(MAIN, "PUT", `/v1/cloudimages/${created.id}/upload`, { body: { image_url: VHD_URL } });
      expect(res.status).toBe(200);
      expect(Object.keys(res.body)).toEqual(["job_id"]);
      jobId = res.body.job_id;
      expect((await jobNow(emu, jobId)).status).toBe("INIT");
      expect((await imageOf(emu, created.id)).status).toBe("queued");
      await clock(emu, { advanceMs: 30 });
      expect((await jobNow(emu, jobId)).status).toBe("RUNNING");
      expect(await imageOf(emu, created.id)).toMatchObject({ status: "saving", __image_size: "0" });
      await clock(emu, { advanceMs: 100 });
    } finally {
      await clock(emu, { paused: false });
    }
    const job = await jobNow(emu, jobId!);
    expect(job).toEqual({
      status: "SUCCESS",
      job_id: jobId,
      job_type: "imsNativeImportImageJob",
      begin_time: expect.stringMatching(JOB_TIME),
      end_time: expect.stringMatching(JOB_TIME),
      error_code: null,
      fail_reason: null,
      entities: { image_id: created.id },
    });
    expect(await imageOf(emu, created.id)).toMatchObject({
      status: "active",
      disk_format: "vhd",
      __root_origin: "file",
      checksum: vhd.md5,
      size: vhd.size,
      __image_size: String(vhd.size),
      __os_version: "CentOS 7.9 64bit",
      min_disk: 40,
    });
  });

  it("refuses an image that is not queued, one not made by POST /v2/images and one taking a Glance upload (IMG.1075)", async () => {
    const active = await metadataImage("active-already");
    expect((await run(emu, { image_url: QCOW2_URL }, `/v1/cloudimages/${active.id}/upload`, MAIN, "PUT")).status).toBe("SUCCESS");
    const fromFile = await imageFromFile(emu, "from-e3");
    const uploading = await metadataImage("uploading");
    await clock(emu, { paused: true });
    try {
      const upload = await emu.as(MAIN, "PUT", `/v2/images/${uploading.id}/file`, { raw: makeQcow2(20), headers: { "Content-Type": "application/octet-stream" } });
      expect(upload.status).toBe(204);
      for (const [id, says] of [
        [active.id, "is active: only a queued image takes a file"],
        [fromFile, "was not created by POST /v2/images"],
        [uploading.id, "is already taking a file"],
      ]) {
        const before = emu.snapshot();
        const res = await emu.as<{ error: { message: string } }>(MAIN, "PUT", `/v1/cloudimages/${id}/upload`, { body: { image_url: QCOW2_URL } });
        expectError(res, 400, "IMG.1075");
        expect(res.body.error.message).toContain(says);
        expect(emu.snapshot()).toEqual(before);
      }
    } finally {
      await clock(emu, { paused: false });
    }
    const uploadJob = emu.world.image(uploading.id)?.creatingJobId;
    if (uploadJob) expect((await emu.waitJob(uploadJob, MAIN)).status).toBe("SUCCESS");
  });

  it.each([
    ["a missing file", "images-bucket:missing.qcow2", "IMG.0057"],
    ["a missing bucket", "no-such-bucket:disk.qcow2", "IMG.0057"],
    ["a bucket of another region", "seoul-bucket:disk.qcow2", "IMG.0058"],
    ["a URL without bucket:file", "images-bucket", "IMG.0017"],
    ["no image_url", undefined, "IMG.0017"],
  ])("refuses %s and leaves the image queued", async (_what, url, code) => {
    const created = await metadataImage("refused-file");
    await expectRejected(emu, MAIN, "PUT", `/v1/cloudimages/${created.id}/upload`, { body: url === undefined ? {} : { image_url: url } }, 400, code);
    expect((await imageOf(emu, created.id)).status).toBe("queued");
  });

  it("refuses an unknown image and another project's (IMG.0027)", async () => {
    const created = await metadataImage("not-yours");
    await expectRejected(emu, ANALYTICS, "PUT", `/v1/cloudimages/${created.id}/upload`, { body: { image_url: QCOW2_URL } }, 400, "IMG.0027");
    await expectRejected(emu, MAIN, "PUT", "/v1/cloudimages/00000000-0000-4000-8000-000000000000/upload", { body: { image_url: QCOW2_URL } }, 400, "IMG.0027");
  });

  it("POST /v2/images takes tags as strings, key=value or a bare key, and keeps them as given", async () => {
    const created = await metadataImage("tagged", { tags: ["app=db", "web", "path=a=b"] });
    expect(created.tags).toEqual(["app=db", "web", "path=a=b"]);
    expect((await list(emu, "?tag=app=db")).map((i) => i.id)).toEqual([created.id]);
    const tags = await emu.as<{ tags: { key: string; value: string }[] }>(MAIN, "GET", `/v2/${emu.projectId()}/images/${created.id}/tags`);
    expect(tags.body.tags).toEqual([
      { key: "app", value: "db" },
      { key: "web", value: "" },
      { key: "path", value: "a=b" },
    ]);
    const before = emu.snapshot();
    expectError(await emu.as(MAIN, "POST", "/v2/images", { body: { name: "bad-tags", tags: [""] } }), 400, "IMG.0115");
    expectError(await emu.as(MAIN, "POST", "/v2/images", { body: { name: "bad-tags", tags: [{ key: "app", value: "db" }] } }), 400, "IMG.0001");
    expectError(await emu.as(MAIN, "POST", "/v2/images", { body: { name: "bad-tags", tags: Array.from({ length: 11 }, (_, i) => `k${i}=v`) } }), 400, "IMG.0116");
    expect(emu.snapshot()).toEqual(before);
  });
});

describe("export (E8): the file in the bucket, and the service's refusals", () => {
  let emu: TestEmulator;
  let qcow2Image: string;
  beforeAll(async () => {
    emu = await startTestEmulator({ jobMs: 100 });
    qcow2Image = await imageFromFile(emu, "exported");
    await putObjectIn(emu, "seoul-bucket", "placeholder", Buffer.from("x"), REMOTE);
  });
  afterAll(() => emu.close());

  const exportPath = (id: string) => `/v1/cloudimages/${id}/file`;

  it.each([
    ["qcow2", "qcow2"],
    ["vhd", "vhd"],
    ["vmdk", "vmdk"],
    ["zvhd", "vhd"],
  ])("exports as %s: the object's header has that format (%s structure) and declares the image's disk", async (format, header) => {
    const key = `exports/exported.${format}`;
    const job = await run(emu, { bucket_url: `images-bucket:${key}`, file_format: format }, exportPath(qcow2Image));
    expect(job).toMatchObject({ status: "SUCCESS", job_type: "imsNativeExportImageJob", entities: { image_id: qcow2Image } });
    const bytes = await objectBytes(emu, "images-bucket", key);
    expect(inspectDisk(bytes)).toEqual({ format: header, virtualSize: 20 * GiB });
    expect(emu.world.object("images-bucket", key)!.md5).toBe(md5(bytes));
    if (format === "qcow2") expect(md5(bytes)).toBe(emu.world.object("images-bucket", "ubuntu-24.04.qcow2")!.md5);
  });

  it("a quick export writes ZVHD2 (VHD-structured) without file_format, also for an image over 128 GB", async () => {
    const big = await emu.request<{ id: string }>("POST", "/_emulator/servers", { body: { name: "big", systemDiskGb: 300, osVersion: "CentOS 7.9 64bit" } });
    const bigImage = createdImageId(await run(emu, { name: "big-image", instance_id: big.body.id }));
    await expectRejected(emu, MAIN, "POST", exportPath(bigImage), { body: { bucket_url: "images-bucket:exports/big.vhd", file_format: "vhd" } }, 400, "IMG.0160");
    expect((await run(emu, { bucket_url: "images-bucket:exports/big.zvhd2", is_quick_export: true }, exportPath(bigImage))).status).toBe("SUCCESS");
    expect(inspectDisk(await objectBytes(emu, "images-bucket", "exports/big.zvhd2"))).toEqual({ format: "vhd", virtualSize: 300 * GiB });
    await expectRejected(emu, MAIN, "POST", exportPath(qcow2Image), { body: { bucket_url: "images-bucket:exports/q.zvhd2", is_quick_export: true, file_format: "vhd" } }, 400, "IMG.0072");
  });

  it.each([
    ["a bucket that does not exist", "no-such-bucket:exports/x.qcow2", "IMG.0069", "create it in OBS in ap-southeast-1"],
    ["a bucket of another region", "seoul-bucket:exports/x.qcow2", "IMG.0058", "export into a bucket of ap-southeast-1"],
    ["a file that exists", QCOW2_URL, "IMG.0070", "name another file"],
    ["no bucket name", ":exports/x.qcow2", "IMG.0068", "bucket name"],
    ["no file name", "images-bucket:", "IMG.0073", "file to write"],
    ["no bucket:file at all", "images-bucket", "IMG.0017", "bucket:file"],
  ])("refuses %s (%s)", async (_what, url, code, says) => {
    const before = emu.snapshot();
    const res = await emu.as<{ error: { message: string } }>(MAIN, "POST", exportPath(qcow2Image), { body: { bucket_url: url, file_format: "qcow2" } });
    expectError(res, 400, code);
    expect(res.body.error.message).toContain(says);
    expect(emu.snapshot()).toEqual(before);
  });

  it("refuses a file another export of another image is writing (IMG.0070)", async () => {
    const other = await imageFromFile(emu, "exported-too");
    await clock(emu, { paused: true });
    let jobId: string | undefined;
    try {
      jobId = await submit(emu, { bucket_url: "images-bucket:exports/shared-name.qcow2", file_format: "qcow2" }, exportPath(qcow2Image));
      await expectRejected(emu, MAIN, "POST", exportPath(other), { body: { bucket_url: "images-bucket:exports/shared-name.qcow2", file_format: "qcow2" } }, 400, "IMG.0070");
    } finally {
      await clock(emu, { paused: false });
    }
    expect((await emu.waitJob(jobId!, MAIN)).status).toBe("SUCCESS");
  });

  it("an encrypted image exports normally, not quickly (IMG.0071)", async () => {
    const encrypted = createdImageId(
      await run(emu, { name: "encrypted", image_url: QCOW2_URL, min_disk: 40, cmk_id: "3f7185de-b59a-4bb8-aa1d-7a513528b0e9" }),
    );
    await expectRejected(emu, MAIN, "POST", exportPath(encrypted), { body: { bucket_url: "images-bucket:exports/enc.zvhd2", is_quick_export: true } }, 400, "IMG.0071");
    expect((await run(emu, { bucket_url: "images-bucket:exports/enc.qcow2", file_format: "qcow2" }, exportPath(encrypted))).status).toBe("SUCCESS");
  });

  describe("images derived from public images", () => {
    /** A public image of the region with this OS, made as the platform would. */
    function publicImage(osVersion: string): Image {
      const template = emu.world.state.images.find((i) => i.imagetype === "gold" && i.region === "ap-southeast-1")!;
      const image: Image = { ...structuredClone(template), id: randomUUID(), name: osVersion, osVersion };
      emu.world.state.images.push(image);
      return image;
    }

    /** An image of a server made from `source`, and its in-region copy. */
    async function derived(source: Image): Promise<string[]> {
      const server = await emu.request<{ id: string }>("POST", "/_emulator/servers", {
        body: { name: `from-${source.id.slice(0, 8)}`, osVersion: source.osVersion, sourceImageId: source.id },
      });
      expect(server.status).toBe(201);
      const image = createdImageId(await run(emu, { name: "derived", instance_id: server.body.id }));
      const copy = createdImageId(await run(emu, { name: "derived-copy" }, `/v1/cloudimages/${image}/copy`));
      return [image, copy];
    }

    it.each([
      ["Windows", "Windows Server 2019 Datacenter 64bit"],
      ["SUSE", "SUSE Linux Enterprise Server 15 SP1 64bit"],
      ["RedHat", "Redhat Linux Enterprise 8.0 64bit"],
      ["Ubuntu", "Ubuntu 22.04 server 64bit"],
      ["Oracle Linux", "Oracle Linux Server release 7.6 64bit"],
    ])("refuses images derived from a %s public image, and their copies (IMG.0071)", async (platform, osVersion) => {
      for (const id of await derived(publicImage(osVersion))) {
        const res = await emu.as<{ error: { message: string } }>(MAIN, "POST", exportPath(id), { body: { bucket_url: `images-bucket:exports/${id}.qcow2`, file_format: "qcow2" } });
        expectError(res, 400, "IMG.0071");
        expect(res.body.error.message).toContain(`derives from the ${platform} public image`);
      }
    });

    it("exports an image derived from a CentOS public image", async () => {
      const [image] = await derived(publicImage("CentOS 7.9 64bit"));
      const job = await run(emu, { bucket_url: "images-bucket:exports/centos.vhd", file_format: "vhd" }, exportPath(image));
      expect(job.status).toBe("SUCCESS");
      expect(inspectDisk(await objectBytes(emu, "images-bucket", "exports/centos.vhd"))).toEqual({ format: "vhd", virtualSize: 40 * GiB });
    });
  });

  it("refuses another project's image as unknown (IMG.0027); public, full-ECS and ISO images: images.test.ts", async () => {
    await expectRejected(emu, ANALYTICS, "POST", exportPath(qcow2Image), { body: { bucket_url: "images-bucket:exports/theirs.qcow2", file_format: "qcow2" } }, 400, "IMG.0027");
  });

  it("the exported object is listed by the admin API and imports again", async () => {
    const world = await emu.request<{ objects: { url: string; format: string }[] }>("GET", "/_emulator/world");
    expect(world.body.objects).toContainEqual(expect.objectContaining({ url: "images-bucket:exports/exported.vmdk", format: "vmdk" }));
    const again = await run(emu, { name: "from-export", image_url: "images-bucket:exports/exported.vmdk", min_disk: 20 });
    expect(await imageOf(emu, createdImageId(again))).toMatchObject({ disk_format: "vmdk", status: "active" });
    expect(createdImageId(again)).toMatch(UUID);
  });
});
