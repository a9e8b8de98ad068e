/**
 * Contract tests of replication over real HTTP: copies within a region (E15) and into another
 * region (E16), of the caller's own images and of images shared with it, and the rules that
 * refuse a copy.
 */
import { startTestEmulator, type TestEmulator } from "../helpers/emulator";
import {
  ANALYTICS,
  clock,
  createdImageId,
  expectError,
  GiB,
  imageOf,
  list,
  MAIN,
  makeIso,
  putObject,
  QCOW2_URL,
  REMOTE,
  run,
  submit,
  type ImageView,
  type JobView,
} from "./support";

type Json = Record<string, unknown>;
type ErrorBody = { error: { code: string; message: string } };

const AGENCY = "ims_admin_agency";
/** The body of a cross-region copy to ap-southeast-3's default project. */
const crossBody = (name: string, extra: Json = {}): Json => ({ name, region: REMOTE, project_name: REMOTE, agency_name: AGENCY, ...extra });
const copyPath = (id: string): string => `/v1/cloudimages/${id}/copy`;
const crossPath = (id: string): string => `/v1/cloudimages/${id}/cross_region_copy`;

/** A server of `systemDiskGb` seeded into the main project, and its id. */
async function server(emu: TestEmulator, name: string, systemDiskGb: number): Promise<string> {
  const res = await emu.request<{ id: string }>("POST", "/_emulator/servers", { body: { name, systemDiskGb } });
  expect(res.status).toBe(201);
  return res.body.id;
}

describe("E15/E16 copies of the caller's own images", () => {
  let emu: TestEmulator;
  let fileImage: string;
  let wholeImage: string;
  beforeAll(async () => {
    emu = await startTestEmulator({ jobMs: 100 });
    // web-01's disks hold 140 GB, over the 128 GB a replicated image may have: a smaller server.
    const small = await server(emu, "small-01", 40);
    const [file, whole] = await Promise.all([
      run(emu, { name: "exportable", image_url: QCOW2_URL, min_disk: 40, os_version: "Ubuntu 24.04 server 64bit", min_ram: 2048 }),
      run(emu, { name: "whole", instance_id: small }, "/v1/cloudimages/wholeimages/action"),
    ]);
    fileImage = createdImageId(file);
    wholeImage = createdImageId(whole);
  });
  afterAll(() => emu.close());

  it("E15 copies within the region: the job's entity is the new image", async () => {
    const job = await run(emu, { name: "exportable-copy", description: "a copy" }, `/v1/cloudimages/${fileImage}/copy`);
    expect(job).toMatchObject({ status: "SUCCESS", job_type: "imsCopyImageInRegionJob", entities: { image_name: "exportable-copy" } });
    const copyId = createdImageId(job);
    expect(copyId).not.toBe(fileImage);
    const [copy, source] = [await imageOf(emu, copyId), await imageOf(emu, fileImage)];
    expect(copy).toMatchObject({
      name: "exportable-copy",
      __description: "a copy",
      status: "active",
      owner: emu.projectId(MAIN),
      __imagetype: "private",
      __os_version: source.__os_version,
      disk_format: source.disk_format,
      min_disk: source.min_disk,
      min_ram: 2048,
      __image_size: source.__image_size,
    });
    expect(source.name).toBe("exportable");
  });

  it("E15 refuses a full-ECS image, a missing name and an unknown image", async () => {
    const before = emu.snapshot();
    expectError(await emu.as(MAIN, "POST", `/v1/cloudimages/${wholeImage}/copy`, { body: { name: "whole-copy" } }), 400, "IMG.0130");
    expectError(await emu.as(MAIN, "POST", `/v1/cloudimages/${fileImage}/copy`, { body: { description: "nameless" } }), 400, "IMG.0013");
    expectError(await emu.as(MAIN, "POST", "/v1/cloudimages/00000000-0000-4000-8000-000000000000/copy", { body: { name: "x" } }), 400, "IMG.0027");
    expectError(await emu.as(ANALYTICS, "POST", `/v1/cloudimages/${fileImage}/copy`, { body: { name: "not-mine" } }), 400, "IMG.0027");
    expect(emu.snapshot()).toEqual(before);
  });

  it("E16 copies across regions: the image appears in ap-southeast-3 for that project", async () => {
    const job = await run(
      emu,
      { name: "exportable-remote", description: "to region 3", region: REMOTE, project_name: REMOTE, agency_name: "ims_admin_agency" },
      `/v1/cloudimages/${fileImage}/cross_region_copy`,
    );
    expect(job).toMatchObject({ status: "SUCCESS", job_type: "imsCrossRegionCopyImageJob", entities: { image_name: "exportable-remote" } });
    const remoteId = createdImageId(job);
    expect(remoteId).not.toBe(fileImage);
    expect(await imageOf(emu, remoteId, REMOTE)).toMatchObject({
      name: "exportable-remote",
      status: "active",
      owner: emu.projectId(REMOTE),
      __imagetype: "private",
      __os_version: "Ubuntu 24.04 server 64bit",
    });
    const direct = await emu.as<ImageView>(REMOTE, "GET", `/v2/images/${remoteId}`);
    expect(direct.status).toBe(200);
    expect(direct.body.id).toBe(remoteId);
    // Not in the source region.
    expect(await list(emu, `?id=${remoteId}`)).toEqual([]);
    expect((await emu.as(MAIN, "GET", `/v2/images/${remoteId}`)).status).toBe(404);
  });

  it("E16 refuses the source region, an unknown project_name and a full-ECS image", async () => {
    const path = `/v1/cloudimages/${fileImage}/cross_region_copy`;
    const body = { name: "remote", region: REMOTE, project_name: REMOTE, agency_name: "ims_admin_agency" };
    const before = emu.snapshot();
    expectError(await emu.as(MAIN, "POST", path, { body: { ...body, region: MAIN, project_name: MAIN } }), 400, "IMG.0178");
    expectError(await emu.as(MAIN, "POST", path, { body: { ...body, project_name: "no-such-project" } }), 400, "IMG.0145");
    // A project of another region is not a project of the destination region.
    expectError(await emu.as(MAIN, "POST", path, { body: { ...body, project_name: ANALYTICS } }), 400, "IMG.0145");
    const whole = await emu.as<ErrorBody>(MAIN, "POST", `/v1/cloudimages/${wholeImage}/cross_region_copy`, { body });
    expectError(whole, 400, "IMG.0130");
    expect(whole.body.error.message).toContain("vault_id");
    expect(emu.snapshot()).toEqual(before);
  });

  it("E16's job lives in the source project and names the new image; the destination project does not see the job", async () => {
    const jobId = await submit(emu, crossBody("job-owner"), crossPath(fileImage));
    const job = await emu.waitJob(jobId, MAIN);
    const remoteId = createdImageId(job as unknown as JobView);
    expect((await imageOf(emu, remoteId, REMOTE)).owner).toBe(emu.projectId(REMOTE));
    const there = await emu.as(REMOTE, "GET", `/v1/${emu.projectId(REMOTE)}/jobs/${jobId}`);
    expect(there.status).toBe(404);
  });

  it("E16 replicates a full-ECS image with vault_id: a full-ECS image of the destination, backed up in that vault", async () => {
    const vaultId = "7d1e3f52-8a4b-4c6d-9e0f-1a2b3c4d5e6f";
    const job = await run(emu, crossBody("whole-remote", { vault_id: vaultId }), crossPath(wholeImage));
    expect(job).toMatchObject({ status: "SUCCESS", job_type: "imsCrossRegionCopyImageJob" });
    const remoteId = createdImageId(job);
    const remote = await imageOf(emu, remoteId, REMOTE);
    expect(remote).toMatchObject({ owner: emu.projectId(REMOTE), __whole_image: "true", status: "active" });
    const backup = emu.world.state.backups.find((b) => b.id === remote.__backup_id);
    expect(backup).toMatchObject({ projectId: emu.projectId(REMOTE), kind: "CBR", vaultId, imageId: remoteId });
    // It stays a full-ECS image: not replicated within its region, not exported.
    expectError(await emu.as(REMOTE, "POST", copyPath(remoteId), { body: { name: "again" } }), 400, "IMG.0130");
    expectError(
      await emu.as(REMOTE, "POST", `/v1/cloudimages/${remoteId}/file`, { body: { bucket_url: "images-bucket:whole.qcow2", file_format: "qcow2" } }),
      400,
      "IMG.0128",
    );
  });

  it("E16 refuses a missing agency_name (IMG.0001) and an agency the account does not have (IMG.0179)", async () => {
    const before = emu.snapshot();
    const { agency_name: _, ...noAgency } = crossBody("no-agency");
    expectError(await emu.as(MAIN, "POST", crossPath(fileImage), { body: noAgency }), 400, "IMG.0001");
    const res = await emu.as<ErrorBody>(MAIN, "POST", crossPath(fileImage), { body: crossBody("bad-agency", { agency_name: "nobody_agency" }) });
    expectError(res, 400, "IMG.0179");
    expect(res.body.error.message).toMatch(/nobody_agency.*IAM.*ap-southeast-3/);
    expect(emu.snapshot()).toEqual(before);
  });

  it("an agency added through the admin API serves E16; once removed it is refused again", async () => {
    const body = crossBody("ops-copy", { agency_name: "ops_agency" });
    expectError(await emu.as(MAIN, "POST", crossPath(fileImage), { body }), 400, "IMG.0179");
    expect((await emu.request("PUT", "/_emulator/agencies/ops_agency")).status).toBe(201);
    expect((await run(emu, body, crossPath(fileImage))).status).toBe("SUCCESS");
    expect((await emu.request("DELETE", "/_emulator/agencies/ops_agency")).status).toBe(204);
    expectError(await emu.as(MAIN, "POST", crossPath(fileImage), { body }), 400, "IMG.0179");
  });

  it("E15 and E16 refuse an ISO image (IMG.0167) and a public image (IMG.0106)", async () => {
    await putObject(emu, "installer.iso", makeIso());
    const iso = createdImageId(
      await run(emu, { name: "installer", image_url: "images-bucket:installer.iso", min_disk: 40, type: "IsoImage", os_version: "Debian GNU/Linux 12.0.0 64bit" }),
    );
    const gold = emu.world.state.images.find((i) => i.imagetype === "gold" && i.region === "ap-southeast-1")!;
    const before = emu.snapshot();
    expectError(await emu.as(MAIN, "POST", copyPath(iso), { body: { name: "iso-copy" } }), 400, "IMG.0167");
    expectError(await emu.as(MAIN, "POST", crossPath(iso), { body: crossBody("iso-remote") }), 400, "IMG.0167");
    expectError(await emu.as(MAIN, "POST", copyPath(gold.id), { body: { name: "gold-copy" } }), 400, "IMG.0106");
    expectError(await emu.as(MAIN, "POST", crossPath(gold.id), { body: crossBody("gold-remote") }), 400, "IMG.0106");
    expect(emu.snapshot()).toEqual(before);
  });

  it("E16 refuses an encrypted image, which E15 copies into an unencrypted image that E16 then replicates", async () => {
    const cmk = "0f1e2d3c-4b5a-4697-8877-665544332211";
    const encrypted = createdImageId(
      await run(emu, { name: "encrypted", image_url: QCOW2_URL, min_disk: 40, os_version: "Ubuntu 24.04 server 64bit", cmk_id: cmk }),
    );
    expect((await imageOf(emu, encrypted)).__system__cmkid).toBe(cmk);
    const before = emu.snapshot();
    const refused = await emu.as<ErrorBody>(MAIN, "POST", crossPath(encrypted), { body: crossBody("encrypted-remote") });
    expectError(refused, 400, "IMG.0001");
    expect(refused.body.error.message).toContain("Encrypted images cannot be replicated across regions");
    expect(emu.snapshot()).toEqual(before);
    const plain = createdImageId(await run(emu, { name: "decrypted" }, copyPath(encrypted)));
    expect((await imageOf(emu, plain)).__system__cmkid).toBeUndefined();
    expect((await run(emu, crossBody("decrypted-remote"), crossPath(plain))).status).toBe("SUCCESS");
  });

  it("E15 and E16 refuse an image that is not active (IMG.0046)", async () => {
    const queued = await emu.as<{ id: string }>(MAIN, "POST", "/v2/images", { body: { name: "not-yet" } });
    expect(queued.status).toBe(201);
    const before = emu.snapshot();
    expectError(await emu.as(MAIN, "POST", copyPath(queued.body.id), { body: { name: "queued-copy" } }), 400, "IMG.0046");
    expectError(await emu.as(MAIN, "POST", crossPath(queued.body.id), { body: crossBody("queued-remote") }), 400, "IMG.0046");
    expect(emu.snapshot()).toEqual(before);
  });

  it("E15 and E16 refuse an image over 128 GB (IMG.0059); an image of 128 GB is replicated", async () => {
    const [big, edge] = await Promise.all([
      server(emu, "big-01", 129).then((id) => run(emu, { name: "big-image", instance_id: id })),
      server(emu, "edge-01", 128).then((id) => run(emu, { name: "edge-image", instance_id: id })),
    ]);
    const [bigId, edgeId] = [createdImageId(big), createdImageId(edge)];
    expect((await imageOf(emu, bigId)).__image_size).toBe(String(129 * GiB));
    const before = emu.snapshot();
    const inRegion = await emu.as<ErrorBody>(MAIN, "POST", copyPath(bigId), { body: { name: "big-copy" } });
    expectError(inRegion, 400, "IMG.0059");
    expect(inRegion.body.error.message).toContain("129 GB");
    expectError(await emu.as(MAIN, "POST", crossPath(bigId), { body: crossBody("big-remote") }), 400, "IMG.0059");
    expect(emu.snapshot()).toEqual(before);
    expect((await run(emu, { name: "edge-copy" }, copyPath(edgeId))).status).toBe("SUCCESS");
    expect((await run(emu, crossBody("edge-remote"), crossPath(edgeId))).status).toBe("SUCCESS");
  });
});

describe("at most five replication jobs at a time per project (IMG.0060)", () => {
  let emu: TestEmulator;
  let source: string;
  let otherSource: string;
  beforeAll(async () => {
    emu = await startTestEmulator({ jobMs: 100 });
    [source, otherSource] = await Promise.all([emu.privateImage("busy-source"), emu.privateImage("other-source", ANALYTICS)]);
  });
  afterAll(() => emu.close());

  it("a sixth copy, within the region or across regions, waits until one of the five ends", async () => {
    const jobs: string[] = [];
    await clock(emu, { paused: true });
    try {
      for (let i = 0; i < 3; i++) jobs.push(await submit(emu, { name: `busy-${i}` }, copyPath(source)));
      for (let i = 3; i < 5; i++) jobs.push(await submit(emu, crossBody(`busy-${i}`), crossPath(source)));
      const before = emu.snapshot();
      const sixth = await emu.as<ErrorBody>(MAIN, "POST", copyPath(source), { body: { name: "busy-5" } });
      expectError(sixth, 400, "IMG.0060");
      expect(sixth.body.error.message).toMatch(/^The number of tasks exceeds the flow control limit\. .*at most 5.*wait/);
      expectError(await emu.as(MAIN, "POST", crossPath(source), { body: crossBody("busy-5") }), 400, "IMG.0060");
      expect(emu.snapshot()).toEqual(before);
      // Another project's copies are counted on their own.
      jobs.push(await submit(emu, { name: "elsewhere" }, copyPath(otherSource), ANALYTICS));
    } finally {
      await clock(emu, { paused: false });
    }
    for (const id of jobs.slice(0, 5)) expect((await emu.waitJob(id, MAIN)).status).toBe("SUCCESS");
    expect((await emu.waitJob(jobs[5], ANALYTICS)).status).toBe("SUCCESS");
    expect((await run(emu, { name: "busy-5" }, copyPath(source))).status).toBe("SUCCESS");
  });
});

describe("E15 copies of a shared image", () => {
  let emu: TestEmulator;
  let imageId: string;
  beforeAll(async () => {
    emu = await startTestEmulator({ jobMs: 60 });
    imageId = await emu.privateImage("shared-source");
    const added = await emu.as(MAIN, "POST", `/v2/images/${imageId}/members`, { body: { member: emu.projectId(ANALYTICS) } });
    expect(added.status).toBe(200);
  });
  afterAll(() => emu.close());

  it("copying a pending shared image is IMG.0196", async () => {
    const res = await emu.as<{ error: Json }>(ANALYTICS, "POST", `/v1/cloudimages/${imageId}/copy`, { body: { name: "copy-of-shared" } });
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({
      code: "IMG.0196",
      message: "The image cannot be replicated because it is not accepted by the recipient.",
    });
    expectError(await emu.as(ANALYTICS, "POST", crossPath(imageId), { body: crossBody("pending-remote") }), 400, "IMG.0196");
  });

  it("copying a rejected shared image is IMG.0196 too, within the region and across regions", async () => {
    const rejected = await emu.as(ANALYTICS, "PUT", `/v2/images/${imageId}/members/${emu.projectId(ANALYTICS)}`, { body: { status: "rejected" } });
    expect(rejected.status).toBe(200);
    const before = emu.snapshot();
    expectError(await emu.as(ANALYTICS, "POST", copyPath(imageId), { body: { name: "rejected-copy" } }), 400, "IMG.0196");
    expectError(await emu.as(ANALYTICS, "POST", crossPath(imageId), { body: crossBody("rejected-remote") }), 400, "IMG.0196");
    expect(emu.snapshot()).toEqual(before);
  });

  it("after acceptance the recipient copies the image into a private image of its own", async () => {
    const accepted = await emu.as(ANALYTICS, "PUT", `/v2/images/${imageId}/members/${emu.projectId(ANALYTICS)}`, { body: { status: "accepted" } });
    expect(accepted.status).toBe(200);
    const job = await emu.job(ANALYTICS, "POST", `/v1/cloudimages/${imageId}/copy`, { name: "copy-of-shared" });
    expect(job.status).toBe("SUCCESS");
    expect(job.job_type).toBe("imsCopyImageInRegionJob");
    const copyId = (job.entities as { image_id: string }).image_id;
    expect(copyId).not.toBe(imageId);
    expect(job.entities).toMatchObject({ image_name: "copy-of-shared" });
    const copy = await emu.as<Json>(ANALYTICS, "GET", `/v2/images/${copyId}`);
    expect(copy.status).toBe(200);
    expect(copy.body).toMatchObject({ owner: emu.projectId(ANALYTICS), __imagetype: "private", visibility: "private", status: "active" });
    const ownerView = await emu.as(MAIN, "GET", `/v2/images/${copyId}`);
    expect(ownerView.status).toBe(404);
  });
});
