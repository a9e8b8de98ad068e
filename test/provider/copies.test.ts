/**
 * ImageCopy against ims-emulator: copies within the region and to another region, the job waited
 * for in the source's region, the copy managed in its own region and project (attributes, drift,
 * deletion), the service's limits refused before any request or explained, and a lost answer that
 * never makes a second copy.
 */
import { imageCopyProvider } from "../../provider/copies/lifecycle";
import type { CopyInputs, CopyOutputs } from "../../provider/copies/schema";
import type { ImsResourceProvider } from "../../provider/types";
import type { TestEmulator } from "../helpers/emulator";
import { admin, driver, AnswerLosingProxy, configureFor, MAIN, providerEmulator, rejection, shutdown, withProvider, type Raw } from "./support";

const copies: ImsResourceProvider<CopyInputs, CopyOutputs> = imageCopyProvider;
const REMOTE = "ap-southeast-3";

let emu: TestEmulator;
let sourceId: string;

beforeAll(async () => {
  emu = await providerEmulator(100);
  sourceId = await emu.privateImage("copy-source");
});

afterAll(async () => {
  await shutdown(emu);
});

const image = (id: string) => emu.world.state.images.find((i) => i.id === id && i.status !== "deleted");
const tagsOf = (id: string) => Object.fromEntries((image(id)?.tags ?? []).map((t) => [t.key, t.value]));
const named = (name: string) => emu.world.state.images.filter((i) => i.name === name && i.status !== "deleted");

const { check, create } = driver<CopyInputs, CopyOutputs>(copies);

describe("check", () => {
  const properties = (failures: { property: string }[] | undefined) => (failures ?? []).map((f) => f.property).sort();

  it("reports every failing field at once", async () => {
    const result = await check({ sourceImageId: "nope", name: " bad", tags: { "a b": "x" }, minRam: -1, targetRegion: "Not A Region" });
    expect(properties(result.failures)).toEqual(["minRam", "name", "sourceImageId", "tags.a b", "targetRegion"]);
  });

  it("refuses a target region that is the source's own", async () => {
    const result = await check({ sourceImageId: sourceId, name: "same-region", targetRegion: MAIN, agencyName: "ims_admin_agency" });
    expect(result.failures).toEqual([{ property: "targetRegion", reason: expect.stringMatching(/own region .* omit targetRegion/) }]);
  });

  it("asks for an agency to copy to another region, and refuses in-region-only fields there (an enterprise project is set after the copy)", async () => {
    const result = await check({ sourceImageId: sourceId, name: "x", targetRegion: REMOTE, cmkId: "3f7185de-b59a-4bb8-aa1d-7a513528b0e9", enterpriseProjectId: "0" });
    expect(properties(result.failures)).toEqual(["agencyName", "cmkId"]);
    expect(result.failures!.find((f) => f.property === "agencyName")!.reason).toMatch(/IAM agency/);
  });

  it("refuses cross-region fields for a copy within the region", async () => {
    const result = await check({ sourceImageId: sourceId, name: "x", agencyName: "a", vaultId: "v", targetProjectName: "p" });
    expect(properties(result.failures)).toEqual(["agencyName", "targetProjectName", "vaultId"]);
  });
});

describe("within the region", () => {
  it("copies with the declared attributes, and manages the copy like any image", async () => {
    const declared = { sourceImageId: sourceId, name: "copy-in-region", description: "In-region copy", minRam: 2048, tags: { team: "platform" } };
    const { id, outs } = await create(declared);
    expect(id).not.toBe(sourceId);
    expect(outs).toMatchObject({ ...declared, imageRegion: MAIN, sourceRegion: MAIN, projectId: emu.projectId(MAIN), status: "active", jobId: expect.any(String) });
    expect(image(id)).toMatchObject({ name: "copy-in-region", description: "In-region copy", minRam: 2048, region: MAIN });
    expect(tagsOf(id)).toEqual({ team: "platform" });
    expect(await copies.diff(id, outs, declared as CopyInputs)).toMatchObject({ changes: false });

    // Drift: renamed outside → refresh shows it → update restores it.
    await admin(emu, "PATCH", `/_emulator/images/${id}`, { name: "renamed", tags: {} });
    const read = await copies.read(id, outs);
    expect(read.inputs).toMatchObject({ name: "renamed", tags: {} });
    const diff = await copies.diff(id, read.props!, declared as CopyInputs);
    expect(diff).toMatchObject({ changes: true, replaces: [] });
    const { outs: after } = await copies.update(id, read.props!, withProvider(declared) as unknown as CopyInputs);
    expect(after).toMatchObject({ name: "copy-in-region", sourceRegion: MAIN });
    expect(tagsOf(id)).toEqual({ team: "platform" });

    // A new source or target replaces the copy.
    expect(await copies.diff(id, after!, { ...declared, targetRegion: REMOTE } as CopyInputs)).toMatchObject({ replaces: ["targetRegion"] });
    expect(await copies.diff(id, after!, { ...declared, sourceImageId: "3f7185de-b59a-4bb8-aa1d-7a513528b0e9" } as CopyInputs)).toMatchObject({ replaces: ["sourceImageId"] });

    await copies.delete(id, after!);
    expect(image(id)).toBeUndefined();
    expect(image(sourceId)).toMatchObject({ status: "active" });
  });
});

describe("to another region", () => {
  it("copies into the target region's project, then reads, updates and deletes it there", async () => {
    const declared = { sourceImageId: sourceId, name: "copy-remote", targetRegion: REMOTE, agencyName: "ims_admin_agency", tags: { site: "dr" }, maxRam: 8192 };
    const { id, outs } = await create(declared);
    const remoteProject = emu.projectId(REMOTE);
    expect(outs).toMatchObject({ imageRegion: REMOTE, sourceRegion: MAIN, projectId: remoteProject, status: "active", tags: { site: "dr" }, maxRam: 8192 });
    expect(image(id)).toMatchObject({ region: REMOTE, owner: remoteProject, maxRam: 8192 });
    expect(tagsOf(id)).toEqual({ site: "dr" });

    const read = await copies.read(id, outs);
    expect(read.props).toMatchObject({ imageRegion: REMOTE, sourceRegion: MAIN, tags: { site: "dr" } });
    expect(await copies.diff(id, read.props!, declared as CopyInputs)).toMatchObject({ changes: false });

    const changed = { ...declared, description: "Disaster recovery copy", tags: { site: "dr", tier: "gold" } };
    const { outs: after } = await copies.update(id, read.props!, withProvider(changed) as unknown as CopyInputs);
    expect(after).toMatchObject({ description: "Disaster recovery copy", imageRegion: REMOTE });
    expect(tagsOf(id)).toEqual({ site: "dr", tier: "gold" });

    await copies.delete(id, after!);
    expect(image(id)).toBeUndefined();
  });

  it("a missing agency is refused by the service, explained, and makes nothing", async () => {
    const error = await rejection(emu, create({ sourceImageId: sourceId, name: "copy-no-agency", targetRegion: REMOTE, agencyName: "no_such_agency" }));
    expect(error.message).toMatch(/agency .*does not exist in IAM.*IMG.0179/);
    expect(named("copy-no-agency")).toEqual([]);
  });

  it("a copy job that fails is recorded, and the next diff replaces it", async () => {
    await admin(emu, "POST", "/_emulator/job-failures", { jobType: "imsCrossRegionCopyImageJob", count: 1, errorCode: "IMG.0061", failReason: "Injected: the copy failed." });
    const declared = { sourceImageId: sourceId, name: "copy-fails", targetRegion: REMOTE, agencyName: "ims_admin_agency" };
    const error = await rejection(emu, create(declared));
    expect(error.message).toMatch(/Injected: the copy failed.*The next pulumi up replaces the copy/);
    const properties = error.properties as CopyOutputs & Raw;
    expect(properties).toMatchObject({ imageRegion: REMOTE, failure: { code: "IMG.0061" }, __provider: expect.any(String) });
    expect(image(error.id as string)).toMatchObject({ status: "killed", region: REMOTE });
    expect(await copies.diff(error.id as string, properties, declared as CopyInputs)).toMatchObject({ replaces: ["sourceImageId"] });
    await copies.delete(error.id as string, properties);
    expect(image(error.id as string)).toBeUndefined();
  });
});

describe("sources the service does not copy", () => {
  it("a public image", async () => {
    const ubuntu = emu.world.state.images.find((i) => i.imagetype === "gold" && i.region === MAIN)!;
    expect((await rejection(emu, create({ sourceImageId: ubuntu.id, name: "copy-public" }))).message).toMatch(/public image/);
  });

  it("a full-ECS image within the region, and to another region without a vault", async () => {
    const backup = emu.world.state.backups[0];
    const job = await emu.job(MAIN, "POST", "/v1/cloudimages/wholeimages/action", { name: "whole", backup_id: backup.id, whole_image_type: "CBR" });
    const whole = (job.entities as { image_id: string }).image_id;
    expect((await rejection(emu, create({ sourceImageId: whole, name: "copy-whole" }))).message).toMatch(/full-ECS image, which cannot be copied within a region/);
    const remote = await rejection(emu, create({ sourceImageId: whole, name: "copy-whole", targetRegion: REMOTE, agencyName: "ims_admin_agency" }));
    expect(remote.message).toMatch(/needs vaultId/);
    expect(named("copy-whole")).toEqual([]);
  });

  it("an encrypted image to another region", async () => {
    const job = await emu.job(MAIN, "POST", "/v2/cloudimages/action", {
      name: "encrypted-source",
      image_url: "images-bucket:ubuntu-24.04.qcow2",
      min_disk: 40,
      os_version: "Ubuntu 24.04 server 64bit",
      cmk_id: "3f7185de-b59a-4bb8-aa1d-7a513528b0e9",
    });
    const encrypted = (job.entities as { image_id: string }).image_id;
    const error = await rejection(emu, create({ sourceImageId: encrypted, name: "copy-encrypted", targetRegion: REMOTE, agencyName: "ims_admin_agency" }));
    expect(error.message).toMatch(/encrypted images cannot be copied to another region/);
  });

  it("an image that is not visible (unknown, or shared and not accepted)", async () => {
    const theirs = await emu.privateImage("pending-share", "ap-southeast-1_analytics");
    await emu.job("ap-southeast-1_analytics", "POST", "/v1/cloudimages/members", { images: [theirs], projects: [emu.projectId(MAIN)] });
    const error = await rejection(emu, create({ sourceImageId: theirs, name: "copy-pending" }));
    expect(error.message).toMatch(/not visible to project .* accept the share first/);
  });
});

describe("reliability", () => {
  it("a lost answer to the copy request never makes a second copy", async () => {
    const proxy = await AnswerLosingProxy.start(emu.url);
    try {
      await configureFor(emu, proxy.url);
      proxy.loseAnswers("POST", /\/copy$/, 1);
      const { id } = await create({ sourceImageId: sourceId, name: "copy-lost-answer" });
      expect(proxy.pending()).toBe(0);
      expect(named("copy-lost-answer").map((i) => i.id)).toEqual([id]);
    } finally {
      await configureFor(emu);
      await proxy.close();
    }
  });

  it("more copies at once than the service runs (five) all complete", async () => {
    await admin(emu, "DELETE", "/_emulator/metrics");
    const made = await Promise.all(Array.from({ length: 7 }, (_, i) => create({ sourceImageId: sourceId, name: `copy-burst-${i}` })));
    expect(new Set(made.map((m) => m.id)).size).toBe(7);
    for (let i = 0; i < 7; i++) expect(named(`copy-burst-${i}`)).toHaveLength(1);
    // The service did refuse some at first (IMG.0060), and they were sent again.
    const metrics = (await admin(emu, "GET", "/_emulator/metrics")) as { routes: { method: string; route: string; status: number; count: number }[] };
    const copyRequests = metrics.routes.filter((r) => r.method === "POST" && r.route === "/v1/cloudimages/{image_id}/copy");
    expect(copyRequests.find((r) => r.status === 400)?.count ?? 0).toBeGreaterThan(0);
    expect(copyRequests.find((r) => r.status === 200)?.count).toBe(7);
    await Promise.all(made.map((m) => copies.delete(m.id, m.outs)));
  });

  it("adopts an existing copy of the source instead of copying again", async () => {
    const job = await emu.job(MAIN, "POST", `/v1/cloudimages/${sourceId}/copy`, { name: "made-outside" });
    const existing = (job.entities as { image_id: string }).image_id;
    await admin(emu, "DELETE", "/_emulator/metrics");
    const { id, outs } = await create({ sourceImageId: sourceId, name: "adopted-copy", adoptImageId: existing, tags: { adopted: "yes" } });
    expect(id).toBe(existing);
    expect(outs).toMatchObject({ name: "adopted-copy", adoptImageId: existing });
    const metrics = (await admin(emu, "GET", "/_emulator/metrics")) as { routes: { method: string; route: string }[] };
    expect(metrics.routes.filter((r) => r.method === "POST" && r.route.endsWith("/copy"))).toEqual([]);
    const other = await rejection(emu, create({ sourceImageId: "3f7185de-b59a-4bb8-aa1d-7a513528b0e9", name: "wrong-source", adoptImageId: existing }));
    expect(other.message).toMatch(/was copied from .* not from sourceImageId/);
  });
});
