/**
 * Contract tests of ims-emulator's image APIs over real HTTP: creation in every scenario, the jobs
 * that carry it, the listing filters, PATCH updates, export, quota and deletion (copies:
 * copies.test.ts).
 */
import { inspectDisk, makeQcow2 } from "../../emulator/domain/disk-format";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator";
import {
  MAIN,
  ANALYTICS,
  REMOTE,
  QCOW2_URL,
  VHD_URL,
  GiB,
  UUID,
  HEX32,
  IMAGE_TIME,
  JOB_TIME,
  fixtures,
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
  makeIso,
  createdImageId,
  imageFromServer,
  imageFromFile,
  type ImageView,
  type JobView,
  type QuotaBody,
  type OsGroup,
} from "./support";

describe("E3 POST /v2/cloudimages/action: creation scenarios", () => {
  let emu: TestEmulator;
  beforeAll(async () => {
    emu = await startTestEmulator({ jobMs: 100 });
  });
  afterAll(() => emu.close());

  it("A: a system image from an ECS, with the OS attributes of the server and new-style tags", async () => {
    const { serverId } = fixtures(emu);
    const gold = emu.world.state.images.find((i) => i.name === "Ubuntu 22.04 server 64bit" && i.region === MAIN)!;
    const job = await run(emu, {
      name: "web-01-system",
      description: "from web-01",
      instance_id: serverId,
      image_tags: [{ key: "team", value: "web" }],
      min_ram: 1024,
      max_ram: 8192,
    });
    expect(job).toEqual({
      status: "SUCCESS",
      job_id: expect.stringMatching(HEX32),
      job_type: "imsCreateImageByInstance",
      begin_time: expect.stringMatching(JOB_TIME),
      end_time: expect.stringMatching(JOB_TIME),
      error_code: null,
      fail_reason: null,
      entities: { image_id: expect.stringMatching(UUID), image_name: "web-01-system" },
    });
    expect(Date.parse(job.end_time)).toBeGreaterThanOrEqual(Date.parse(job.begin_time));
    const image = await imageOf(emu, job.entities.image_id!);
    expect(image).toMatchObject({
      id: job.entities.image_id,
      name: "web-01-system",
      status: "active",
      visibility: "private",
      protected: false,
      owner: emu.projectId(MAIN),
      __imagetype: "private",
      __isregistered: "true",
      __description: "from web-01",
      __os_version: "Ubuntu 22.04 server 64bit",
      __platform: "Ubuntu",
      __os_type: "Linux",
      __os_bit: "64",
      __image_size: String(40 * GiB),
      __originalimagename: gold.id,
      min_disk: 40,
      min_ram: 1024,
      max_ram: "8192",
      virtual_env_type: "FusionCompute",
      container_format: "bare",
      tags: ["team=web"],
      self: `/v2/images/${job.entities.image_id}`,
    });
    expect(image.created_at).toMatch(IMAGE_TIME);
    expect(image.active_at).toMatch(IMAGE_TIME);
  });

  it("A: legacy tags ('key.value') are stored as key and value and found with tag=key=value", async () => {
    const job = await run(emu, { name: "legacy-tagged", instance_id: fixtures(emu).serverId, tags: ["aaa.111", "bbb.222"] });
    const id = createdImageId(job);
    const tags = await emu.as<{ tags: { key: string; value: string }[] }>(MAIN, "GET", `/v2/${emu.projectId(MAIN)}/images/${id}/tags`);
    expect(tags.status).toBe(200);
    expect(tags.body.tags).toEqual([
      { key: "aaa", value: "111" },
      { key: "bbb", value: "222" },
    ]);
    expect((await list(emu, "?tag=aaa=111")).map((i) => i.id)).toEqual([id]);
    expect(await list(emu, "?tag=aaa=999")).toEqual([]);
    expect((await imageOf(emu, id)).tags).toHaveLength(2);
  });

  it("A: the job goes INIT → RUNNING → SUCCESS while the image goes queued → saving → active", async () => {
    await clock(emu, { paused: true });
    try {
      const jobId = await submit(emu, { name: "lifecycle", instance_id: fixtures(emu).serverId });
      const init = await jobNow(emu, jobId);
      expect(init).toMatchObject({ status: "INIT", job_id: jobId, job_type: "imsCreateImageByInstance", end_time: "", error_code: null, fail_reason: null });
      expect(init.begin_time).toMatch(JOB_TIME);
      const id = init.entities.image_id!;
      expect(id).toMatch(UUID);
      expect(await imageOf(emu, id)).toMatchObject({ status: "queued", name: "lifecycle", __image_size: "0" });

      await clock(emu, { advanceMs: 30 });
      expect(await jobNow(emu, jobId)).toMatchObject({ status: "RUNNING", end_time: "", begin_time: init.begin_time });
      expect(await imageOf(emu, id)).toMatchObject({ status: "saving", __image_size: "0" });

      await clock(emu, { advanceMs: 100 });
      const done = await jobNow(emu, jobId);
      expect(done).toMatchObject({ status: "SUCCESS", begin_time: init.begin_time, entities: { image_id: id, image_name: "lifecycle" } });
      expect(done.end_time).toMatch(JOB_TIME);
      expect(await imageOf(emu, id)).toMatchObject({ status: "active", __image_size: String(40 * GiB) });
    } finally {
      await clock(emu, { paused: false });
    }
  });

  it("C: a system image from an OBS file takes its disk format from the file header and its OS from os_version", async () => {
    const object = emu.world.state.objects.find((o) => o.key === "ubuntu-24.04.qcow2")!;
    const job = await run(emu, {
      name: "ubuntu-from-file",
      image_url: QCOW2_URL,
      min_disk: 30,
      os_version: "Ubuntu 24.04 server 64bit",
      image_tags: [{ key: "source", value: "obs" }],
    });
    expect(job).toMatchObject({ status: "SUCCESS", job_type: "imsImportImageJob", entities: { image_name: "ubuntu-from-file" } });
    expect(job.entities.sub_jobs_result).toBeUndefined();
    const image = await imageOf(emu, createdImageId(job));
    expect(image).toMatchObject({
      status: "active",
      disk_format: "qcow2",
      min_disk: 30,
      __os_version: "Ubuntu 24.04 server 64bit",
      __platform: "Ubuntu",
      __os_type: "Linux",
      __os_bit: "64",
      __image_size: String(object.size),
      __root_origin: "file",
      virtual_env_type: "FusionCompute",
      tags: ["source=obs"],
    });
  });

  it("C: type BMS gives virtual_env_type Ironic; a Windows os_version gives __os_type Windows", async () => {
    const job = await run(emu, { name: "win-bms", image_url: QCOW2_URL, min_disk: 40, type: "BMS", os_version: "Windows Server 2019 Datacenter 64bit" });
    expect(job.job_type).toBe("imsImportImageJob");
    expect(await imageOf(emu, createdImageId(job))).toMatchObject({
      virtual_env_type: "Ironic",
      __os_type: "Windows",
      __platform: "Windows",
      __os_version: "Windows Server 2019 Datacenter 64bit",
    });
  });

  it("C: data_images files make one system and one data image, reported in sub_jobs_result", async () => {
    const job = await run(emu, {
      name: "sys-with-data",
      image_url: QCOW2_URL,
      min_disk: 40,
      os_version: "CentOS 7.9 64bit",
      data_images: [{ name: "attached-data", image_url: VHD_URL, min_disk: 60 }],
    });
    expect(job).toMatchObject({ status: "SUCCESS", job_type: "imsImportImageJob", entities: { image_name: "sys-with-data" } });
    const subs = job.entities.sub_jobs_result!;
    expect(subs).toHaveLength(2);
    for (const sub of subs) {
      expect(sub).toEqual({
        status: "SUCCESS",
        job_id: expect.stringMatching(HEX32),
        job_type: expect.any(String),
        begin_time: expect.stringMatching(JOB_TIME),
        end_time: expect.stringMatching(JOB_TIME),
        error_code: null,
        fail_reason: null,
        entities: { image_id: expect.stringMatching(UUID), image_name: expect.any(String) },
      });
    }
    expect(job.entities.sub_jobs_list).toEqual(subs.map((s) => s.job_id));
    const data = subs.find((s) => s.entities.image_name === "attached-data")!;
    expect(data).toBeDefined();
    expect(data.entities.image_id).not.toBe(job.entities.image_id);
    expect(subs.find((s) => s.entities.image_id === job.entities.image_id)?.entities.image_name).toBe("sys-with-data");
    expect(await imageOf(emu, data.entities.image_id)).toMatchObject({
      status: "active",
      virtual_env_type: "DataImage",
      disk_format: "vhd",
      min_disk: 60,
    });
    expect(await imageOf(emu, job.entities.image_id!)).toMatchObject({ virtual_env_type: "FusionCompute", disk_format: "qcow2", __platform: "CentOS" });
  });

  it("C': an ISO file with type IsoImage and os_version gives an IsoImage image", async () => {
    await putObject(emu, "installer.iso", makeIso());
    const job = await run(emu, { name: "installer", image_url: "images-bucket:installer.iso", min_disk: 40, type: "IsoImage", os_version: "Debian GNU/Linux 12.0.0 64bit" });
    expect(job.job_type).toBe("imsImportImageJob");
    const id = createdImageId(job);
    expect(await imageOf(emu, id)).toMatchObject({ status: "active", virtual_env_type: "IsoImage", disk_format: "iso", __platform: "Debian" });

    // ISO rules: an OS is required, the file must be an ISO, and ISO images are not exported (copies: copies.test.ts).
    const before = emu.snapshot();
    expectError(
      await emu.as(MAIN, "POST", "/v2/cloudimages/action", { body: { name: "no-os", image_url: "images-bucket:installer.iso", min_disk: 40, type: "IsoImage" } }),
      400,
      "IMG.0166",
    );
    expectError(
      await emu.as(MAIN, "POST", "/v2/cloudimages/action", { body: { name: "not-iso", image_url: QCOW2_URL, min_disk: 40, type: "IsoImage", os_version: "CentOS 7.9 64bit" } }),
      400,
      "IMG.0057",
    );
    expectError(
      await emu.as(MAIN, "POST", `/v1/cloudimages/${id}/file`, { body: { bucket_url: "images-bucket:exports/installer.qcow2", file_format: "qcow2" } }),
      400,
      "IMG.0167",
    );
    expect(emu.snapshot()).toEqual(before);
  });

  it("D: a system image from a data volume (volume_id + os_version)", async () => {
    const { spareVolumeId } = fixtures(emu);
    const job = await run(emu, { name: "from-volume", volume_id: spareVolumeId, type: "ECS", os_version: "CentOS 7.9 64bit" });
    expect(job).toMatchObject({ status: "SUCCESS", job_type: "imsVolumeCreateImageJob", entities: { image_name: "from-volume" } });
    expect(await imageOf(emu, createdImageId(job))).toMatchObject({
      status: "active",
      min_disk: 50,
      virtual_env_type: "FusionCompute",
      __os_version: "CentOS 7.9 64bit",
      __platform: "CentOS",
      __image_size: String(50 * GiB),
    });
    const before = emu.snapshot();
    expectError(await emu.as(MAIN, "POST", "/v2/cloudimages/action", { body: { name: "no-os", volume_id: spareVolumeId } }), 400, "IMG.0056");
    expect(emu.snapshot()).toEqual(before);
  });

  it("B: data images from the ECS's data volumes: imsVolumesToSysDataImagesJob with sub_jobs_result", async () => {
    const { dataVolumeId } = fixtures(emu);
    const job = await run(emu, { data_images: [{ name: "web-01-data-image", volume_id: dataVolumeId, description: "the data disk", tags: ["tier.data"] }] });
    expect(job).toMatchObject({ status: "SUCCESS", job_type: "imsVolumesToSysDataImagesJob", error_code: null, fail_reason: null });
    const subs = job.entities.sub_jobs_result!;
    expect(subs).toEqual([
      {
        status: "SUCCESS",
        job_id: expect.stringMatching(HEX32),
        job_type: "imsCopyVolumeToImageJob",
        begin_time: expect.stringMatching(JOB_TIME),
        end_time: expect.stringMatching(JOB_TIME),
        error_code: null,
        fail_reason: null,
        entities: { image_id: expect.stringMatching(UUID), image_name: "web-01-data-image" },
      },
    ]);
    expect(job.entities.sub_jobs_list).toEqual([subs[0].job_id]);
    expect(await imageOf(emu, subs[0].entities.image_id)).toMatchObject({
      status: "active",
      name: "web-01-data-image",
      virtual_env_type: "DataImage",
      min_disk: 100,
      __description: "the data disk",
      __image_size: String(100 * GiB),
    });
  });

  it("D: an OS found on the volume wins over os_version", async () => {
    const volume = await emu.request<{ id: string }>("POST", "/_emulator/volumes", { body: { name: "debian-disk", sizeGb: 60, osVersion: "Debian GNU/Linux 12.0.0 64bit" } });
    expect(volume.status).toBe(201);
    const job = await run(emu, { name: "detected-os", volume_id: volume.body.id, os_version: "CentOS 7.9 64bit" });
    expect(job.job_type).toBe("imsVolumeCreateImageJob");
    expect(await imageOf(emu, createdImageId(job))).toMatchObject({ __os_version: "Debian GNU/Linux 12.0.0 64bit", __platform: "Debian", min_disk: 60 });
  });

  it("refuses data disks of different ECSs (IMG.0140), another project's ECS (IMG.0005) and a system disk over 1 TB (IMG.0111)", async () => {
    const { dataVolumeId, serverId } = fixtures(emu);
    const other = await emu.request<{ id: string; dataVolumeIds: string[] }>("POST", "/_emulator/servers", { body: { name: "db-01", dataDiskGb: [20] } });
    expect(other.status).toBe(201);
    const huge = await emu.request<{ id: string }>("POST", "/_emulator/servers", { body: { name: "huge-01", systemDiskGb: 2048 } });
    expect(huge.status).toBe(201);
    await emu.token(ANALYTICS);
    await expectRejected(
      emu,
      MAIN,
      "POST",
      "/v2/cloudimages/action",
      {
        body: {
          data_images: [
            { name: "d1", volume_id: dataVolumeId },
            { name: "d2", volume_id: other.body.dataVolumeIds[0] },
          ],
        },
      },
      400,
      "IMG.0140",
    );
    await expectRejected(emu, ANALYTICS, "POST", "/v2/cloudimages/action", { body: { name: "not-my-ecs", instance_id: serverId } }, 400, "IMG.0005");
    await expectRejected(emu, MAIN, "POST", "/v2/cloudimages/action", { body: { name: "too-big", instance_id: huge.body.id } }, 400, "IMG.0111");
  });

  it("a failing job (injected) ends FAIL with error_code and fail_reason, and its image ends killed", async () => {
    const rule = await emu.request("POST", "/_emulator/job-failures", {
      body: { jobType: "imsImportImageJob", count: 1, errorCode: "IMG.0057", failReason: "The image file is damaged." },
    });
    expect(rule.status).toBe(201);
    const job = await run(emu, { name: "doomed", image_url: QCOW2_URL, min_disk: 40 });
    expect(job).toEqual({
      status: "FAIL",
      job_id: expect.stringMatching(HEX32),
      job_type: "imsImportImageJob",
      begin_time: expect.stringMatching(JOB_TIME),
      end_time: expect.stringMatching(JOB_TIME),
      error_code: "IMG.0057",
      fail_reason: "The image file is damaged.",
      entities: { image_id: expect.stringMatching(UUID), image_name: "doomed" },
    });
    expect(await imageOf(emu, job.entities.image_id!)).toMatchObject({ name: "doomed", status: "killed", __image_size: "0" });
    // The rule was used up: the next import succeeds.
    expect((await run(emu, { name: "survivor", image_url: QCOW2_URL, min_disk: 40 })).status).toBe("SUCCESS");
  });
});

describe("E3 validation: refused requests answer 400 with the IMS error and change nothing", () => {
  let emu: TestEmulator;
  let serverId: string;
  beforeAll(async () => {
    emu = await startTestEmulator({ jobMs: 100 });
    serverId = fixtures(emu).serverId;
    await emu.token(MAIN);
  });
  afterAll(() => emu.close());

  const file = { image_url: QCOW2_URL, min_disk: 40 };
  const cases: [string, () => Record<string, unknown>, string][] = [
    ["a missing name (ECS)", () => ({ instance_id: serverId }), "IMG.0013"],
    ["a missing name (OBS file)", () => ({ ...file }), "IMG.0013"],
    ["an empty name", () => ({ ...file, name: "" }), "IMG.0013"],
    ["a name of 129 characters", () => ({ ...file, name: "n".repeat(129) }), "IMG.0002"],
    ["a name starting with a space", () => ({ ...file, name: " leading" }), "IMG.0003"],
    ["a name with a slash", () => ({ ...file, name: "bad/name" }), "IMG.0003"],
    ["a description with <", () => ({ ...file, name: "ok", description: "<script>" }), "IMG.0054"],
    ["a description longer than 1024", () => ({ ...file, name: "ok", description: "d".repeat(1025) }), "IMG.0004"],
    ["min_disk smaller than the disk in the file (20 GB)", () => ({ ...file, name: "ok", min_disk: 10 }), "IMG.0055"],
    ["min_disk 0", () => ({ ...file, name: "ok", min_disk: 0 }), "IMG.0055"],
    ["min_disk 1025", () => ({ ...file, name: "ok", min_disk: 1025 }), "IMG.0055"],
    ["a data_images file with min_disk below its disk (40 GB)", () => ({ ...file, name: "ok", data_images: [{ image_url: VHD_URL, min_disk: 30 }] }), "IMG.0055"],
    ["an unknown os_version", () => ({ ...file, name: "ok", os_version: "Windows 95 32bit" }), "IMG.0056"],
    ["a missing OBS object", () => ({ ...file, name: "ok", image_url: "images-bucket:nothing-here.qcow2" }), "IMG.0057"],
    ["a missing bucket", () => ({ ...file, name: "ok", image_url: "no-such-bucket:ubuntu-24.04.qcow2" }), "IMG.0057"],
    ["an image_url without bucket:object", () => ({ ...file, name: "ok", image_url: "images-bucket/ubuntu-24.04.qcow2" }), "IMG.0017"],
    ["an unknown type", () => ({ ...file, name: "ok", type: "VMware" }), "IMG.0024"],
    ["an unknown architecture", () => ({ ...file, name: "ok", architecture: "mips" }), "IMG.0212"],
    ["a bad hw_firmware_type", () => ({ ...file, name: "ok", hw_firmware_type: "efi" }), "IMG.0141"],
    ["an unknown ECS", () => ({ name: "ok", instance_id: "00000000-0000-4000-8000-000000000000" }), "IMG.0005"],
    ["11 image_tags", () => ({ ...file, name: "ok", image_tags: Array.from({ length: 11 }, (_, i) => ({ key: `k${i}`, value: "v" })) }), "IMG.0116"],
    ["11 legacy tags", () => ({ name: "ok", instance_id: serverId, tags: Array.from({ length: 11 }, (_, i) => `k${i}.v`) }), "IMG.0116"],
    ["a tag with a bad character", () => ({ name: "ok", instance_id: serverId, image_tags: [{ key: "bad key!", value: "v" }] }), "IMG.0115"],
    ["min_disk given as a string", () => ({ ...file, name: "ok", min_disk: "40" }), "IMG.0001"],
    ["no source at all", () => ({ name: "ok" }), "IMG.0012"],
    ["a data_images file that repeats image_url", () => ({ ...file, name: "ok", data_images: [{ image_url: QCOW2_URL, min_disk: 40 }] }), "IMG.0123"],
  ];

  it.each(cases)("refuses %s", async (_what, body, code) => {
    await expectRejected(emu, MAIN, "POST", "/v2/cloudimages/action", { body: body() }, 400, code);
  });

  it("refuses malformed JSON with IMG.0001 and an empty body with IMG.0007", async () => {
    await expectRejected(
      emu,
      MAIN,
      "POST",
      "/v2/cloudimages/action",
      { raw: '{"name": "x", ', headers: { "Content-Type": "application/json;charset=UTF-8" } },
      400,
      "IMG.0001",
    );
    await expectRejected(emu, MAIN, "POST", "/v2/cloudimages/action", {}, 400, "IMG.0007");
    await expectRejected(emu, MAIN, "POST", "/v2/cloudimages/action", { body: ["not", "an", "object"] }, 400, "IMG.0001");
  });

  it("refuses a creation beyond the private-image quota with IMG.0015, counting data images too", async () => {
    const quota = emu.world.state.imageQuota;
    try {
      emu.world.state.imageQuota = 0;
      await expectRejected(emu, MAIN, "POST", "/v2/cloudimages/action", { body: { name: "over", instance_id: serverId } }, 400, "IMG.0015");
      emu.world.state.imageQuota = 1;
      // One system image plus one data image need two slots.
      await expectRejected(
        emu,
        MAIN,
        "POST",
        "/v2/cloudimages/action",
        { body: { ...file, name: "over", data_images: [{ image_url: VHD_URL, min_disk: 40 }] } },
        400,
        "IMG.0015",
      );
    } finally {
      emu.world.state.imageQuota = quota;
    }
  });

  it("answers an unauthenticated request with the API-gateway shape", async () => {
    const res = await emu.request("POST", "/v2/cloudimages/action", { body: { name: "x", instance_id: serverId } });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error_code: "APIGW.0301", error_msg: expect.stringContaining("Incorrect IAM authentication information"), request_id: expect.stringMatching(HEX32) });
  });
});

describe("E4–E7: quick import, data images from files, full-ECS images, registration", () => {
  let emu: TestEmulator;
  beforeAll(async () => {
    emu = await startTestEmulator({ jobMs: 100 });
    await putObject(emu, "big-disk.raw", Buffer.alloc(16 * 1024, 7));
  });
  afterAll(() => emu.close());

  it("E4 quick import of a RAW file: system image (imsImportImageJob) and data image (imsImportDataImageJob)", async () => {
    const system = await run(
      emu,
      { name: "quick-sys", image_url: "images-bucket:big-disk.raw", min_disk: 40, os_version: "EulerOS 2.9 64bit", type: "ECS", architecture: "arm" },
      "/v2/cloudimages/quickimport/action",
    );
    expect(system).toMatchObject({ status: "SUCCESS", job_type: "imsImportImageJob", entities: { image_name: "quick-sys" } });
    expect(await imageOf(emu, createdImageId(system))).toMatchObject({
      status: "active",
      disk_format: "raw",
      virtual_env_type: "FusionCompute",
      __platform: "EulerOS",
      __support_arm: "true",
      hw_firmware_type: "uefi",
    });

    const data = await run(emu, { name: "quick-data", image_url: "images-bucket:big-disk.raw", min_disk: 40, type: "DataImage", os_type: "Linux" }, "/v2/cloudimages/quickimport/action");
    expect(data).toMatchObject({ status: "SUCCESS", job_type: "imsImportDataImageJob", entities: { image_name: "quick-data" } });
    expect(await imageOf(emu, createdImageId(data))).toMatchObject({ virtual_env_type: "DataImage", __os_type: "Linux" });
  });

  it("E4 refuses a system quick import without os_version, a bad type and a file that is not RAW", async () => {
    const before = emu.snapshot();
    const path = "/v2/cloudimages/quickimport/action";
    const base = { name: "quick", image_url: "images-bucket:big-disk.raw", min_disk: 40 };
    expectError(await emu.as(MAIN, "POST", path, { body: base }), 400, "IMG.0056");
    expectError(await emu.as(MAIN, "POST", path, { body: { ...base, os_version: "CentOS 7.9 64bit", type: "IsoImage" } }), 400, "IMG.0024");
    expectError(await emu.as(MAIN, "POST", path, { body: { ...base, os_version: "CentOS 7.9 64bit", image_url: QCOW2_URL } }), 400, "IMG.0072");
    expectError(await emu.as(MAIN, "POST", path, { body: { ...base, os_version: "CentOS 7.9 64bit", min_disk: 1025 } }), 400, "IMG.0055");
    expect(emu.snapshot()).toEqual(before);
  });

  it("E5 a data image from an OBS file (imsImportDataImageJob, min_disk 40–2048)", async () => {
    const job = await run(emu, { name: "data-from-vhd", image_url: VHD_URL, min_disk: 2048, os_type: "Windows", tags: ["disk.logs"] }, "/v1/cloudimages/dataimages/action");
    expect(job).toMatchObject({ status: "SUCCESS", job_type: "imsImportDataImageJob", entities: { image_name: "data-from-vhd" } });
    expect(await imageOf(emu, createdImageId(job))).toMatchObject({
      status: "active",
      virtual_env_type: "DataImage",
      disk_format: "vhd",
      min_disk: 2048,
      __os_type: "Windows",
    });

    const before = emu.snapshot();
    const path = "/v1/cloudimages/dataimages/action";
    expectError(await emu.as(MAIN, "POST", path, { body: { name: "small", image_url: VHD_URL, min_disk: 39 } }), 400, "IMG.0055");
    expectError(await emu.as(MAIN, "POST", path, { body: { name: "huge", image_url: VHD_URL, min_disk: 2049 } }), 400, "IMG.0055");
    expectError(await emu.as(MAIN, "POST", path, { body: { image_url: VHD_URL, min_disk: 40 } }), 400, "IMG.0013");
    expectError(await emu.as(MAIN, "POST", path, { body: { name: "bad-os", image_url: VHD_URL, min_disk: 40, os_type: "BeOS" } }), 400, "IMG.0122");
    expectError(await emu.as(MAIN, "POST", path, { body: { name: "no-file", image_url: "images-bucket:none.vhd", min_disk: 40 } }), 400, "IMG.0057");
    expect(emu.snapshot()).toEqual(before);
    // A qcow2 declaring 100 GB needs min_disk ≥ 100.
    await putObject(emu, "hundred.qcow2", makeQcow2(100));
    expectError(await emu.as(MAIN, "POST", path, { body: { name: "too-small", image_url: "images-bucket:hundred.qcow2", min_disk: 99 } }), 400, "IMG.0055");
  });

  it("E6 full-ECS images from the ECS and from a CBR backup; a backup serves one image only", async () => {
    const { serverId, backupId } = fixtures(emu);
    const path = "/v1/cloudimages/wholeimages/action";
    const byInstance = await run(emu, { name: "whole-web-01", instance_id: serverId, vault_id: "de9fcf45-11b2-432c-8562-5c5428574600" }, path);
    expect(byInstance).toMatchObject({ status: "SUCCESS", job_type: "imsCreateWholeImageByInstanceJob", entities: { image_name: "whole-web-01" } });
    const instanceImage = await imageOf(emu, createdImageId(byInstance));
    expect(instanceImage).toMatchObject({ status: "active", __whole_image: "true", __os_version: "Ubuntu 22.04 server 64bit", min_disk: 40 });
    expect(instanceImage.__backup_id).toEqual(expect.any(String));
    expect(instanceImage.__backup_id).not.toBe("");

    // A CBR backup needs whole_image_type CBR (the default is CSBS).
    await expectRejected(emu, MAIN, "POST", path, { body: { name: "untyped", backup_id: backupId } }, 400, "IMG.0198");
    const byBackup = await run(emu, { name: "whole-from-backup", backup_id: backupId, whole_image_type: "CBR" }, path);
    expect(byBackup).toMatchObject({ status: "SUCCESS", job_type: "imsCreateWholeImageByBackupJob", entities: { image_name: "whole-from-backup" } });
    expect(await imageOf(emu, createdImageId(byBackup))).toMatchObject({ __whole_image: "true", __backup_id: backupId });

    const before = emu.snapshot();
    expectError(await emu.as(MAIN, "POST", path, { body: { name: "again", backup_id: backupId, whole_image_type: "CBR" } }), 400, "IMG.0029");
    expectError(await emu.as(MAIN, "POST", path, { body: { name: "no-source" } }), 400, "IMG.0019");
    expectError(await emu.as(MAIN, "POST", path, { body: { name: "wrong-type", backup_id: backupId, whole_image_type: "CSBS" } }), 400, "IMG.0198");
    expectError(
      await emu.as(MAIN, "POST", path, { body: { name: "unknown-backup", backup_id: "00000000-0000-4000-8000-000000000000", whole_image_type: "CBR" } }),
      400,
      "IMG.0020",
    );
    expectError(await emu.as(MAIN, "POST", path, { body: { name: "unknown-ecs", instance_id: "00000000-0000-4000-8000-000000000000" } }), 400, "IMG.0005");
    expect(emu.snapshot()).toEqual(before);
  });

  it("E7 registration: POST /v2/images (201, queued) then PUT /v1/cloudimages/{id}/upload (imsNativeImportImageJob)", async () => {
    const created = await emu.as<ImageView>(MAIN, "POST", "/v2/images", {
      body: { name: "registered", __os_version: "CentOS 7.9 64bit", container_format: "bare", disk_format: "qcow2", min_disk: 40, min_ram: 1024, tags: ["app=db"] },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.stringMatching(UUID),
      name: "registered",
      status: "queued",
      visibility: "private",
      __imagetype: "private",
      __image_size: "0",
      __os_version: "CentOS 7.9 64bit",
      __platform: "CentOS",
      __os_type: "Linux",
      __os_bit: "64",
      min_disk: 40,
      min_ram: 1024,
      tags: ["app=db"],
    });
    const id = created.body.id;
    expect(await imageOf(emu, id)).toMatchObject({ status: "queued" });

    const job = await run(emu, { image_url: QCOW2_URL }, `/v1/cloudimages/${id}/upload`, MAIN, "PUT");
    expect(job).toMatchObject({ status: "SUCCESS", job_type: "imsNativeImportImageJob", error_code: null, fail_reason: null });
    expect(job.entities).toEqual({ image_id: id });
    const object = emu.world.state.objects.find((o) => o.key === "ubuntu-24.04.qcow2")!;
    expect(await imageOf(emu, id)).toMatchObject({ status: "active", disk_format: "qcow2", __image_size: String(object.size), __os_version: "CentOS 7.9 64bit" });

    const before = emu.snapshot();
    // Registering again (the image is active now), or into an image not made by POST /v2/images.
    expectError(await emu.as(MAIN, "PUT", `/v1/cloudimages/${id}/upload`, { body: { image_url: QCOW2_URL } }), 400, "IMG.1075");
    expectError(await emu.as(MAIN, "PUT", "/v1/cloudimages/00000000-0000-4000-8000-000000000000/upload", { body: { image_url: QCOW2_URL } }), 400, "IMG.0027");
    expect(emu.snapshot()).toEqual(before);

    const beforeMeta = emu.snapshot();
    expectError(await emu.as(MAIN, "POST", "/v2/images", { body: { name: "zero-disk", min_disk: 0 } }), 400, "IMG.0055");
    expectError(await emu.as(MAIN, "POST", "/v2/images", { body: { name: "big-disk", min_disk: 1025 } }), 400, "IMG.0055");
    expectError(await emu.as(MAIN, "POST", "/v2/images", { body: { name: "public", visibility: "public" } }), 400, "IMG.0001");
    expect(emu.snapshot()).toEqual(beforeMeta);

    const fresh = await emu.as<ImageView>(MAIN, "POST", "/v2/images", { body: { name: "registered-2" } });
    expect(fresh.status).toBe(201);
    const beforeBad = emu.snapshot();
    expectError(await emu.as(MAIN, "PUT", `/v1/cloudimages/${fresh.body.id}/upload`, { body: { image_url: "images-bucket" } }), 400, "IMG.0017");
    expectError(await emu.as(MAIN, "PUT", `/v1/cloudimages/${fresh.body.id}/upload`, { body: { image_url: "images-bucket:missing.vmdk" } }), 400, "IMG.0057");
    expect(emu.snapshot()).toEqual(beforeBad);
  });
});

describe("E8 export", () => {
  let emu: TestEmulator;
  let fileImage: string;
  let wholeImage: string;
  beforeAll(async () => {
    emu = await startTestEmulator({ jobMs: 100 });
    const [file, whole] = await Promise.all([
      run(emu, { name: "exportable", image_url: QCOW2_URL, min_disk: 40, os_version: "Ubuntu 24.04 server 64bit", min_ram: 2048 }),
      run(emu, { name: "whole", instance_id: fixtures(emu).serverId }, "/v1/cloudimages/wholeimages/action"),
    ]);
    fileImage = createdImageId(file);
    wholeImage = createdImageId(whole);
  });
  afterAll(() => emu.close());

  it("E8 exports an image into the bucket (imsNativeExportImageJob)", async () => {
    expect(emu.world.object("images-bucket", "exports/exportable.qcow2")).toBeUndefined();
    const job = await run(emu, { bucket_url: "images-bucket:exports/exportable.qcow2", file_format: "qcow2" }, `/v1/cloudimages/${fileImage}/file`);
    expect(job).toMatchObject({ status: "SUCCESS", job_type: "imsNativeExportImageJob", error_code: null, fail_reason: null });
    expect(job.entities).toEqual({ image_id: fileImage });
    const source = emu.world.object("images-bucket", "ubuntu-24.04.qcow2")!;
    const exported = await emu.request("GET", "/_emulator/objects/images-bucket/exports/exportable.qcow2");
    expect(exported.status).toBe(200);
    const listed = emu.world.object("images-bucket", "exports/exportable.qcow2")!;
    expect({ size: listed.size, md5: listed.md5 }).toEqual({ size: source.size, md5: source.md5 });
  });

  it("E8 refuses an existing target, a full-ECS image, a public image and a bad format", async () => {
    const gold = emu.world.state.images.find((i) => i.name === "CentOS 7.9 64bit")!;
    const before = emu.snapshot();
    expectError(await emu.as(MAIN, "POST", `/v1/cloudimages/${fileImage}/file`, { body: { bucket_url: QCOW2_URL, file_format: "qcow2" } }), 400, "IMG.0070");
    expectError(
      await emu.as(MAIN, "POST", `/v1/cloudimages/${wholeImage}/file`, { body: { bucket_url: "images-bucket:exports/whole.qcow2", file_format: "qcow2" } }),
      400,
      "IMG.0128",
    );
    expectError(
      await emu.as(MAIN, "POST", `/v1/cloudimages/${gold.id}/file`, { body: { bucket_url: "images-bucket:exports/gold.qcow2", file_format: "qcow2" } }),
      400,
      "IMG.0077",
    );
    expectError(
      await emu.as(MAIN, "POST", `/v1/cloudimages/${fileImage}/file`, { body: { bucket_url: "images-bucket:exports/x.img", file_format: "img" } }),
      400,
      "IMG.0072",
    );
    expectError(
      await emu.as(MAIN, "POST", `/v1/cloudimages/${fileImage}/file`, { body: { bucket_url: "images-bucket/x.qcow2", file_format: "qcow2" } }),
      400,
      "IMG.0017",
    );
    expect(emu.snapshot()).toEqual(before);
  });

  it("E8 exports an image without a file of its own as a file of the asked format declaring its disk", async () => {
    const volumeImage = createdImageId(await run(emu, { name: "from-logs", volume_id: fixtures(emu).spareVolumeId, os_version: "CentOS 7.9 64bit" }));
    const job = await run(emu, { bucket_url: "images-bucket:exports/from-logs.qcow2", file_format: "qcow2" }, `/v1/cloudimages/${volumeImage}/file`);
    expect(job).toMatchObject({ status: "SUCCESS", job_type: "imsNativeExportImageJob", entities: { image_id: volumeImage } });
    const object = emu.world.object("images-bucket", "exports/from-logs.qcow2")!;
    expect(object).toBeDefined();
    expect(inspectDisk(Buffer.from(object.data, "base64"))).toEqual({ format: "qcow2", virtualSize: 50 * GiB });
    // The exported file imports again, and needs a min_disk that holds its disk.
    const again = await run(emu, { name: "reimported", image_url: "images-bucket:exports/from-logs.qcow2", min_disk: 50, os_version: "CentOS 7.9 64bit" });
    expect((await imageOf(emu, createdImageId(again))).disk_format).toBe("qcow2");
    expectError(await emu.as(MAIN, "POST", "/v2/cloudimages/action", { body: { name: "small", image_url: "images-bucket:exports/from-logs.qcow2", min_disk: 49 } }), 400, "IMG.0055");
  });

  it("E8 refuses a second export and a deletion while an export runs (IMG.0148); the file has the asked format", async () => {
    await clock(emu, { paused: true });
    let jobId: string | undefined;
    try {
      jobId = await submit(emu, { bucket_url: "images-bucket:exports/first.vhd", file_format: "vhd" }, `/v1/cloudimages/${fileImage}/file`);
      const before = emu.snapshot();
      expectError(
        await emu.as(MAIN, "POST", `/v1/cloudimages/${fileImage}/file`, { body: { bucket_url: "images-bucket:exports/second.vhd", file_format: "vhd" } }),
        400,
        "IMG.0148",
      );
      expectError(await emu.as(MAIN, "DELETE", `/v2/images/${fileImage}`), 400, "IMG.0148");
      expect(emu.snapshot()).toEqual(before);
    } finally {
      await clock(emu, { paused: false });
    }
    expect((await emu.waitJob(jobId!, MAIN)).status).toBe("SUCCESS");
    const object = emu.world.object("images-bucket", "exports/first.vhd")!;
    expect(inspectDisk(Buffer.from(object.data, "base64"))).toEqual({ format: "vhd", virtualSize: 20 * GiB });
    expect((await imageOf(emu, fileImage)).status).toBe("active");
  });

  it("E8 refuses images derived from an Ubuntu public image (IMG.0071) and a normal export over 128 GB (IMG.0160)", async () => {
    const derived = await imageFromServer(emu, "ubuntu-derived");
    const derivedCopy = createdImageId(await run(emu, { name: "ubuntu-derived-copy" }, `/v1/cloudimages/${derived}/copy`));
    const big = await emu.request<{ id: string }>("POST", "/_emulator/servers", { body: { name: "big-01", systemDiskGb: 200, osVersion: "CentOS 7.9 64bit" } });
    expect(big.status).toBe(201);
    const bigImage = createdImageId(await run(emu, { name: "big-image", instance_id: big.body.id }));
    expect((await imageOf(emu, bigImage)).__image_size).toBe(String(200 * GiB));
    const exportBody = (key: string) => ({ body: { bucket_url: `images-bucket:exports/${key}`, file_format: "qcow2" } });
    const before = emu.snapshot();
    expectError(await emu.as(MAIN, "POST", `/v1/cloudimages/${derived}/file`, exportBody("derived.qcow2")), 400, "IMG.0071");
    expectError(await emu.as(MAIN, "POST", `/v1/cloudimages/${derivedCopy}/file`, exportBody("derived-copy.qcow2")), 400, "IMG.0071");
    expectError(await emu.as(MAIN, "POST", `/v1/cloudimages/${bigImage}/file`, exportBody("big.qcow2")), 400, "IMG.0160");
    expect(emu.snapshot()).toEqual(before);
    const quick = await run(emu, { bucket_url: "images-bucket:exports/big.zvhd2", is_quick_export: true }, `/v1/cloudimages/${bigImage}/file`);
    expect(quick.status).toBe("SUCCESS");
    expect(emu.world.object("images-bucket", "exports/big.zvhd2")).toBeDefined();
  });
});

describe("E9 os_version, E17 quota, E18/E19 jobs", () => {
  let emu: TestEmulator;
  beforeAll(async () => {
    emu = await startTestEmulator({ jobMs: 100 });
  });
  afterAll(() => emu.close());

  it("E9 returns a top-level array of platforms; tag=uefi narrows it", async () => {
    const all = await emu.as<OsGroup[]>(MAIN, "GET", "/v1/cloudimages/os_version");
    expect(all.status).toBe(200);
    expect(Array.isArray(all.body)).toBe(true);
    const versions = all.body.flatMap((g) => g.version_list);
    for (const group of all.body) {
      expect(typeof group.platform).toBe("string");
      for (const v of group.version_list) {
        expect(v).toEqual({ platform: group.platform, os_version_key: v.os_version, os_version: expect.any(String), os_bit: expect.any(Number), os_type: expect.any(String) });
        expect([32, 64]).toContain(v.os_bit);
      }
    }
    expect(versions).toContainEqual({ platform: "CentOS", os_version_key: "CentOS 7.9 64bit", os_version: "CentOS 7.9 64bit", os_bit: 64, os_type: "Linux" });
    expect(versions).toContainEqual(expect.objectContaining({ os_version: "CentOS 7.0 32bit", os_bit: 32 }));
    expect(versions).toContainEqual(expect.objectContaining({ platform: "Windows", os_type: "Windows" }));

    const uefi = await emu.as<OsGroup[]>(MAIN, "GET", "/v1/cloudimages/os_version?tag=uefi");
    expect(uefi.status).toBe(200);
    const uefiVersions = uefi.body.flatMap((g) => g.version_list.map((v) => v.os_version));
    expect(uefiVersions).toContain("Ubuntu 22.04 server 64bit");
    expect(uefiVersions).not.toContain("CentOS 7.9 64bit");
    expect(uefiVersions.length).toBeLessThan(versions.length);
    expect(uefiVersions.every((v) => versions.some((all) => all.os_version === v))).toBe(true);

    const both = await emu.as<OsGroup[]>(MAIN, "GET", "/v1/cloudimages/os_version?tag=uefi&tag=arm");
    const bothVersions = both.body.flatMap((g) => g.version_list.map((v) => v.os_version));
    expect(bothVersions).toContain("EulerOS 2.9 64bit");
    expect(bothVersions).not.toContain("Ubuntu 22.04 server 64bit");
  });

  it("E17 counts the project's private images, including those being created", async () => {
    const res = await emu.as<QuotaBody>(MAIN, "GET", "/v1/cloudimages/quota");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ quotas: { resources: [{ type: "image", used: 0, quota: 50, min: expect.any(Number), max: expect.any(Number) }] } });
    await clock(emu, { paused: true });
    try {
      await submit(emu, { name: "counted", instance_id: fixtures(emu).serverId });
      expect(await quotaUsed(emu)).toBe(1);
    } finally {
      await clock(emu, { paused: false });
    }
    await imageFromFile(emu, "counted-2");
    expect(await quotaUsed(emu)).toBe(2);
    expect(await quotaUsed(emu, ANALYTICS)).toBe(0);
    expect(await quotaUsed(emu, REMOTE)).toBe(0);
  });

  it("E18 unknown job: 404; another project's job is not visible; E19 shows progress", async () => {
    const jobId = await submit(emu, { name: "private-job", instance_id: fixtures(emu).serverId });
    const done = await emu.waitJob(jobId, MAIN);
    expect(done.status).toBe("SUCCESS");

    const unknown = await emu.as<{ error: { code: string; message: string } }>(MAIN, "GET", `/v1/${emu.projectId(MAIN)}/jobs/${"0".repeat(32)}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toEqual(expect.any(String));

    const foreign = await emu.as(ANALYTICS, "GET", `/v1/${emu.projectId(ANALYTICS)}/jobs/${jobId}`);
    expect(foreign.status).toBe(404);
    const foreignPath = await emu.as(ANALYTICS, "GET", `/v1/${emu.projectId(MAIN)}/jobs/${jobId}`);
    expect([400, 403, 404]).toContain(foreignPath.status);
    expect((await emu.as(ANALYTICS, "GET", `/v1/cloudimages/job/${jobId}`)).status).toBe(404);

    const progress = await emu.as<JobView>(MAIN, "GET", `/v1/cloudimages/job/${jobId}`);
    expect(progress.status).toBe(200);
    expect(progress.body).toMatchObject({ status: "SUCCESS", job_id: jobId, job_type: "imsCreateImageByInstance", entities: { process_percent: 1, image_name: "private-job" } });
  });
});

describe("E1 GET /v2/cloudimages: filters, sorting, pagination, visibility", () => {
  let emu: TestEmulator;
  let alpha: string;
  let beta: string;
  let gamma: string;
  let foreign: string;
  let mine: string[];
  beforeAll(async () => {
    emu = await startTestEmulator({ jobMs: 100 });
    const jobs = await Promise.all([
      run(emu, { name: "list-alpha", image_url: QCOW2_URL, min_disk: 40, os_version: "Ubuntu 24.04 server 64bit", image_tags: [{ key: "env", value: "prod" }] }),
      run(emu, { name: "list-beta", image_url: VHD_URL, min_disk: 50, os_version: "CentOS 7.9 64bit", image_tags: [{ key: "env", value: "test" }] }),
      run(emu, { name: "list-gamma", instance_id: fixtures(emu).serverId }),
      run(emu, { name: "analytics-only", image_url: QCOW2_URL, min_disk: 40 }, "/v2/cloudimages/action", ANALYTICS),
    ]);
    [alpha, beta, gamma, foreign] = jobs.map(createdImageId);
    mine = [alpha, beta, gamma];
  });
  afterAll(() => emu.close());

  const ids = (images: ImageView[]): string[] => images.map((i) => i.id).sort();
  const gold = (): string[] => emu.world.state.images.filter((i) => i.imagetype === "gold" && i.region === MAIN).map((i) => i.id).sort();

  it("lists public and own images of the region, not another project's or another region's", async () => {
    const all = await list(emu, "");
    expect(ids(all)).toEqual([...gold(), ...mine].sort());
    expect(ids(all)).not.toContain(foreign);
    expect(ids(await list(emu, "", ANALYTICS))).toEqual([...gold(), foreign].sort());
    const notFound = await emu.as<{ error: { code: string; message: string } }>(MAIN, "GET", `/v2/images/${foreign}`);
    expect(notFound.status).toBe(404);
    expect(notFound.body.error.message).toContain(foreign);
    expect(await list(emu, `?id=${foreign}`)).toEqual([]);
    expect((await emu.as(ANALYTICS, "GET", `/v2/images/${foreign}`)).status).toBe(200);
  });

  it("filters by id, exact name and status", async () => {
    expect(ids(await list(emu, `?id=${beta}`))).toEqual([beta]);
    expect(ids(await list(emu, "?name=list-alpha"))).toEqual([alpha]);
    expect(await list(emu, "?name=list-alph")).toEqual([]);
    expect(ids(await list(emu, `?name=${encodeURIComponent("CentOS 7.9 64bit")}`))).toHaveLength(1);
    expect(ids(await list(emu, "?status=active"))).toEqual([...gold(), ...mine].sort());
    expect(await list(emu, "?status=queued")).toEqual([]);
  });

  it("filters by __imagetype, visibility, owner and protected", async () => {
    const golds = await list(emu, "?__imagetype=gold");
    expect(ids(golds)).toEqual(gold());
    expect(golds.every((i) => i.visibility === "public" && i.protected === true && i.__imagetype === "gold")).toBe(true);
    expect(ids(await list(emu, "?__imagetype=private"))).toEqual([...mine].sort());
    expect(ids(await list(emu, "?visibility=public"))).toEqual(gold());
    expect(ids(await list(emu, "?visibility=private"))).toEqual([...mine].sort());
    expect(ids(await list(emu, `?owner=${emu.projectId(MAIN)}`))).toEqual([...mine].sort());
    expect(ids(await list(emu, "?__imagetype=gold&visibility=public&protected=true"))).toEqual(gold());
  });

  it("filters by __platform, disk_format, tag, created_at and min_disk", async () => {
    const centosGold = emu.world.state.images.find((i) => i.name === "CentOS 7.9 64bit")!.id;
    expect(ids(await list(emu, "?__platform=CentOS"))).toEqual([centosGold, beta].sort());
    expect(ids(await list(emu, "?disk_format=qcow2"))).toEqual([alpha]);
    expect(ids(await list(emu, "?disk_format=vhd"))).toEqual([beta]);
    expect(ids(await list(emu, "?tag=env=prod"))).toEqual([alpha]);
    expect(ids(await list(emu, "?tag=env=test"))).toEqual([beta]);
    expect(await list(emu, "?tag=env=dev")).toEqual([]);
    // The public images were created at 2026-01-05T08:00:00Z, the others just now.
    expect(ids(await list(emu, "?created_at=gt:2026-01-05T08:00:00Z"))).toEqual([...mine].sort());
    expect(ids(await list(emu, "?created_at=lt:2026-01-05T08:00:01Z"))).toEqual(gold());
    expect(ids(await list(emu, "?created_at=eq:2026-01-05T08:00:00Z"))).toEqual(gold());
    expect(ids(await list(emu, `?created_at=${encodeURIComponent("lte:2026-01-05 08:00:00")}`))).toEqual(gold());
    expect(ids(await list(emu, "?min_disk=50"))).toEqual([beta]);
  });

  it("sorts with sort_key and sort_dir", async () => {
    const asc = await list(emu, `?owner=${emu.projectId(MAIN)}&sort_key=name&sort_dir=asc`);
    expect(asc.map((i) => i.name)).toEqual(["list-alpha", "list-beta", "list-gamma"]);
    const desc = await list(emu, `?owner=${emu.projectId(MAIN)}&sort_key=name&sort_dir=desc`);
    expect(desc.map((i) => i.name)).toEqual(["list-gamma", "list-beta", "list-alpha"]);
    // Default: created_at, newest first; the public images (January 2026) come last.
    const byDefault = await list(emu, "");
    expect(byDefault.slice(-2).map((i) => i.id).sort()).toEqual(gold());
    const created = byDefault.map((i) => Date.parse(i.created_at as string));
    expect(created).toEqual([...created].sort((a, b) => b - a));
  });

  it("pages with limit and marker", async () => {
    const base = `?owner=${emu.projectId(MAIN)}&sort_key=name&sort_dir=asc&limit=2`;
    const first = await list(emu, base);
    expect(first.map((i) => i.name)).toEqual(["list-alpha", "list-beta"]);
    const second = await list(emu, `${base}&marker=${first[1].id}`);
    expect(second.map((i) => i.name)).toEqual(["list-gamma"]);
    expect(await list(emu, `${base}&marker=${second[0].id}`)).toEqual([]);

    const everything = (await list(emu, "")).map((i) => i.id);
    const paged: string[] = [];
    let marker = "";
    for (let page = 0; page < 10; page++) {
      const images = await list(emu, `?limit=2${marker ? `&marker=${marker}` : ""}`);
      paged.push(...images.map((i) => i.id));
      if (images.length < 2) break;
      marker = images[images.length - 1].id;
    }
    expect(paged).toEqual(everything);
  });

  it("refuses an invalid __imagetype with IMG.0024", async () => {
    const res = await emu.as(MAIN, "GET", "/v2/cloudimages?__imagetype=golden");
    expectError(res, 400, "IMG.0024");
  });
});

describe("E2 PATCH /v2/cloudimages/{id}", () => {
  let emu: TestEmulator;
  let id: string;
  beforeAll(async () => {
    emu = await startTestEmulator({ jobMs: 100 });
    id = await imageFromServer(emu, "patch-me");
  });
  afterAll(() => emu.close());

  const patch = (body: unknown, project = MAIN, imageId?: string) =>
    emu.as<ImageView>(project, "PATCH", `/v2/cloudimages/${imageId ?? id}`, { body });

  it("replaces the name and returns the full image", async () => {
    const before = await imageOf(emu, id);
    await new Promise((r) => setTimeout(r, 1100));
    const res = await patch([{ op: "replace", path: "/name", value: "patched-name" }]);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, name: "patched-name", status: "active", __imagetype: "private", min_disk: 40 });
    expect(Date.parse(res.body.updated_at as string)).toBeGreaterThan(Date.parse(before.updated_at as string));
    expect((await imageOf(emu, id)).name).toBe("patched-name");
  });

  it("replace of a __description that was never set is IMG.0035; add sets it, then replace works", async () => {
    const fresh = await imageFromServer(emu, "no-description");
    expect((await imageOf(emu, fresh)).__description).toBeUndefined();
    const before = emu.snapshot();
    expectError(await patch([{ op: "replace", path: "/__description", value: "x" }], MAIN, fresh), 400, "IMG.0035");
    expect(emu.snapshot()).toEqual(before);
    const added = await patch([{ op: "add", path: "/__description", value: "first" }], MAIN, fresh);
    expect(added.status).toBe(200);
    expect(added.body.__description).toBe("first");
    const replaced = await patch([{ op: "replace", path: "/__description", value: "second" }], MAIN, fresh);
    expect(replaced.status).toBe(200);
    expect(replaced.body.__description).toBe("second");
    expect((await imageOf(emu, fresh)).__description).toBe("second");
  });

  it("sets min_ram and max_ram from string values (max_ram is a string in responses)", async () => {
    const res = await patch([
      { op: "replace", path: "/min_ram", value: "2048" },
      { op: "add", path: "/max_ram", value: "16384" },
    ]);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ min_ram: 2048, max_ram: "16384" });
    const stored = await imageOf(emu, id);
    expect(stored).toMatchObject({ min_ram: 2048, max_ram: "16384" });
    expectError(await patch([{ op: "replace", path: "/min_ram", value: "lots" }]), 400, "IMG.0055");
  });

  it("sets hw_firmware_type to bios or uefi only (IMG.0141)", async () => {
    const ok = await patch([{ op: "replace", path: "/hw_firmware_type", value: "uefi" }]);
    expect(ok.status).toBe(200);
    expect(ok.body.hw_firmware_type).toBe("uefi");
    const before = emu.snapshot();
    expectError(await patch([{ op: "replace", path: "/hw_firmware_type", value: "efi" }]), 400, "IMG.0141");
    expect(emu.snapshot()).toEqual(before);
  });

  it("refuses bad names, descriptions and read-only attributes", async () => {
    const before = emu.snapshot();
    expectError(await patch([{ op: "replace", path: "/name", value: "n".repeat(129) }]), 400, "IMG.0002");
    expectError(await patch([{ op: "replace", path: "/name", value: "bad/name" }]), 400, "IMG.0003");
    expectError(await patch([{ op: "add", path: "/__description", value: "a <b> tag" }]), 400, "IMG.0054");
    for (const attribute of ["status", "owner", "id", "__imagetype", "__os_version", "min_disk"]) {
      const res = await patch([{ op: "replace", path: `/${attribute}`, value: "changed" }]);
      expect(res.status).toBe(400);
      expect((res.body as unknown as { error: { code: string } }).error.code).toMatch(/^IMG\.\d{4}$/);
    }
    expectError(await patch([{ op: "move", path: "/name", value: "x" }]), 400, "IMG.0001");
    expectError(await patch({ op: "replace", path: "/name", value: "x" }), 400, "IMG.0001");
    expect(emu.snapshot()).toEqual(before);
    expect((await imageOf(emu, id)).status).toBe("active");
  });

  it("takes lower-case custom attributes, refuses upper-case ones, and updates active images only (IMG.0046)", async () => {
    const added = await patch([{ op: "add", path: "/owner_team", value: "web" }]);
    expect(added.status).toBe(200);
    expect(added.body.owner_team).toBe("web");
    const removed = await patch([{ op: "remove", path: "/owner_team" }]);
    expect(removed.status).toBe(200);
    expect(removed.body.owner_team).toBeUndefined();
    const before = emu.snapshot();
    const upper = await patch([{ op: "add", path: "/OwnerTeam", value: "web" }]);
    expect(upper.status).toBe(400);
    expectError(await patch([{ op: "remove", path: "/owner_team" }]), 400, "IMG.0035");
    expect(emu.snapshot()).toEqual(before);

    const queued = await emu.as<ImageView>(MAIN, "POST", "/v2/images", { body: { name: "still-queued", min_disk: 40 } });
    expect(queued.status).toBe(201);
    const beforeQueued = emu.snapshot();
    expectError(await patch([{ op: "replace", path: "/name", value: "renamed" }], MAIN, queued.body.id), 400, "IMG.0046");
    expect(emu.snapshot()).toEqual(beforeQueued);
  });

  it("is atomic: one bad operation and nothing is applied", async () => {
    const before = emu.snapshot();
    const current = await imageOf(emu, id);
    expectError(
      await patch([
        { op: "replace", path: "/name", value: "should-not-stick" },
        { op: "add", path: "/__description", value: "nor this" },
        { op: "replace", path: "/hw_firmware_type", value: "efi" },
      ]),
      400,
      "IMG.0141",
    );
    expect(emu.snapshot()).toEqual(before);
    expect((await imageOf(emu, id)).name).toBe(current.name);
  });

  it("refuses non-owners: a stranger (image unknown to it) and an accepted member", async () => {
    const before = emu.snapshot();
    const stranger = await patch([{ op: "replace", path: "/name", value: "stolen" }], ANALYTICS);
    expect(stranger.status).toBe(400);
    expect(["IMG.0027", "IMG.0144"]).toContain((stranger.body as unknown as { error: { code: string } }).error.code);
    expect(emu.snapshot()).toEqual(before);

    const shared = await emu.request("PUT", `/_emulator/images/${id}/members/${emu.projectId(ANALYTICS)}`, { body: { status: "accepted" } });
    expect(shared.status).toBe(200);
    const afterShare = emu.snapshot();
    const member = await patch([{ op: "replace", path: "/name", value: "stolen" }], ANALYTICS);
    expect(member.status).toBe(400);
    expect(["IMG.0047", "IMG.0106"]).toContain((member.body as unknown as { error: { code: string } }).error.code);
    expect(emu.snapshot()).toEqual(afterShare);

    const gold = emu.world.state.images.find((i) => i.imagetype === "gold" && i.region === MAIN)!;
    const publicPatch = await patch([{ op: "replace", path: "/name", value: "mine-now" }], MAIN, gold.id);
    expect(publicPatch.status).toBe(400);
    expect(emu.world.image(gold.id)!.name).toBe(gold.name);
  });
});

describe("DELETE /v2/images/{id}", () => {
  let emu: TestEmulator;
  beforeAll(async () => {
    emu = await startTestEmulator({ jobMs: 100 });
  });
  afterAll(() => emu.close());

  it("answers 204; the image leaves the lists, GET is 404 and the quota drops", async () => {
    const id = await imageFromFile(emu, "short-lived");
    const keep = await imageFromServer(emu, "keeper");
    expect(await quotaUsed(emu)).toBe(2);
    const res = await emu.as(MAIN, "DELETE", `/v2/images/${id}`);
    expect(res.status).toBe(204);
    expect(res.text).toBe("");
    expect(await list(emu, `?id=${id}`)).toEqual([]);
    expect((await list(emu, "")).map((i) => i.id)).not.toContain(id);
    expect((await emu.as(MAIN, "GET", `/v2/images/${id}`)).status).toBe(404);
    expect(await quotaUsed(emu)).toBe(1);
    expect((await imageOf(emu, keep)).status).toBe("active");
    // Deleting again: it is gone.
    expect((await emu.as(MAIN, "DELETE", `/v2/images/${id}`)).status).toBe(404);
  });

  it("refuses a public image (IMG.0094) and another project's image (404)", async () => {
    const gold = emu.world.state.images.find((i) => i.imagetype === "gold" && i.region === MAIN)!;
    const mine = await imageFromServer(emu, "not-yours");
    await emu.token(ANALYTICS);
    await expectRejected(emu, MAIN, "DELETE", `/v2/images/${gold.id}`, {}, 400, "IMG.0094");
    const before = emu.snapshot();
    const foreign = await emu.as(ANALYTICS, "DELETE", `/v2/images/${mine}`);
    expect(foreign.status).toBe(404);
    expect(emu.snapshot()).toEqual(before);
  });

  it("refuses a protected image (IMG.0028) and an image shared with the caller (IMG.0092)", async () => {
    const locked = await emu.as<ImageView>(MAIN, "POST", "/v2/images", { body: { name: "locked", protected: true } });
    expect(locked.status).toBe(201);
    await expectRejected(emu, MAIN, "DELETE", `/v2/images/${locked.body.id}`, {}, 400, "IMG.0028");
    const shared = await imageFromServer(emu, "shared-out");
    const member = await emu.request("PUT", `/_emulator/images/${shared}/members/${emu.projectId(ANALYTICS)}`, { body: { status: "accepted" } });
    expect(member.status).toBe(200);
    expect((await imageOf(emu, shared, ANALYTICS)).__imagetype).toBe("shared");
    await expectRejected(emu, ANALYTICS, "DELETE", `/v2/images/${shared}`, {}, 400, "IMG.0092");
  });

  it("refuses an image still being created (IMG.0090)", async () => {
    await clock(emu, { paused: true });
    let jobId: string | undefined;
    try {
      jobId = await submit(emu, { name: "in-progress", instance_id: fixtures(emu).serverId });
      const job = await jobNow(emu, jobId);
      const id = job.entities.image_id!;
      expect((await imageOf(emu, id)).status).toBe("queued");
      await expectRejected(emu, MAIN, "DELETE", `/v2/images/${id}`, {}, 400, "IMG.0090");
      await clock(emu, { advanceMs: 30 });
      expect((await imageOf(emu, id)).status).toBe("saving");
      expectError(await emu.as(MAIN, "DELETE", `/v2/images/${id}`), 400, "IMG.0090");
    } finally {
      await clock(emu, { paused: false });
    }
    const done = (await emu.waitJob(jobId!, MAIN)) as unknown as JobView;
    expect(done.status).toBe("SUCCESS");
    expect((await emu.as(MAIN, "DELETE", `/v2/images/${done.entities.image_id}`)).status).toBe(204);
  });
});
