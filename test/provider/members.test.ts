/**
 * ImageMember against ims-emulator: sharing, the member project's answer given with its own
 * credentials, membership read back from the owner's side (a rejection or a removal made outside
 * shows as drift), many members of one image batched into one job, and the service's refusals
 * explained.
 */
import type { ImsResourceProvider } from "../../provider/types";
import { imageMemberProvider } from "../../provider/members/lifecycle";
import type { MemberInputs, MemberOutputs } from "../../provider/members/schema";
import type { TestEmulator } from "../helpers/emulator";
import { admin, driver, ANALYTICS, configureFor, MAIN, providerEmulator, rejection, shutdown, withProvider, type Raw } from "./support";

const members: ImsResourceProvider<MemberInputs, MemberOutputs> = imageMemberProvider;

let emu: TestEmulator;
let analytics: string;
let main: string;

/** The stack configuration of these tests: the main project's AK/SK, and a profile for the analytics project. */
async function configureProfiles(extra: Record<string, string> = {}): Promise<void> {
  const key = emu.accessKey(ANALYTICS);
  await configureFor(emu, emu.url, {
    "ims:profiles": JSON.stringify({
      // AK/SK belong to a user, not to a project: the profile names the member project.
      analytics: { accessKey: key.access, secretKey: key.secret, projectId: emu.projectId(ANALYTICS) },
      main: { accessKey: emu.accessKey(MAIN).access, secretKey: emu.accessKey(MAIN).secret },
    }),
    ...extra,
  });
}

beforeAll(async () => {
  emu = await providerEmulator(100);
  analytics = emu.projectId(ANALYTICS);
  main = emu.projectId(MAIN);
  await configureProfiles();
});

afterAll(async () => {
  await shutdown(emu);
});

/** The emulator's record of an image's members. */
const membersOf = (imageId: string) => emu.world.state.images.find((i) => i.id === imageId)?.members ?? [];

const { check, create } = driver<MemberInputs, MemberOutputs>(members);

/** What the image's listing shows the analytics project. */
async function analyticsSees(imageId: string): Promise<boolean> {
  const res = await emu.as<{ images: { id: string }[] }>(ANALYTICS, "GET", "/v2/cloudimages");
  return res.body.images.some((i) => i.id === imageId);
}

describe("check", () => {
  it("reports every failing field at once, before any API call", async () => {
    const before = emu.snapshot();
    const result = await check({ imageId: "not-an-id", projectId: "ABC", consumer: { status: "maybe" }, colour: "blue" });
    const properties = (result.failures ?? []).map((f) => f.property).sort();
    expect(properties).toEqual(["colour", "consumer.profile", "consumer.status", "imageId", "projectId"]);
    expect(result.failures!.find((f) => f.property === "projectId")!.reason).toMatch(/32 hexadecimal/);
    expect(emu.snapshot().images).toEqual(before.images);
  });

  it("refuses a consumer profile that acts as another project than the member project", async () => {
    const key = emu.accessKey(ANALYTICS);
    await configureProfiles({
      "ims:profiles": JSON.stringify({ analytics: { accessKey: key.access, secretKey: key.secret, projectId: emu.projectId("ap-southeast-3"), region: "ap-southeast-1" } }),
    });
    try {
      const imageId = await emu.privateImage("profile-mismatch");
      const result = await check({ imageId, projectId: analytics, consumer: { profile: "analytics" } });
      expect(result.failures).toEqual([{ property: "consumer.profile", reason: expect.stringMatching(/acts as project .* not as the member project/) }]);
    } finally {
      await configureProfiles();
    }
  });

  it("says at create to set the profile's region when its project belongs to another region than the image's", async () => {
    const key = emu.accessKey(MAIN);
    await configureProfiles({
      "ims:profiles": JSON.stringify({ analytics: { accessKey: key.access, secretKey: key.secret, projectId: analytics, region: "ap-southeast-3" } }),
    });
    try {
      const imageId = await emu.privateImage("profile-region");
      expect((await check({ imageId, projectId: analytics, consumer: { profile: "analytics" } })).failures).toBeUndefined();
      const error = await rejection(emu, create({ imageId, projectId: analytics, consumer: { profile: "analytics" } }));
      expect(error.message).toMatch(/set ims:profiles\.analytics\.projectId to [0-9a-f]{32} and ims:profiles\.analytics\.region to ap-southeast-1 \(a profile's project belongs to its region/);
      expect(membersOf(imageId)).toEqual([]);
    } finally {
      await configureProfiles();
    }
  });

  it("refuses a share with the owner's own project when the configuration names it", async () => {
    await configureProfiles({ "ims:projectId": main });
    try {
      const result = await check({ imageId: "3f7185de-b59a-4bb8-aa1d-7a513528b0e9", projectId: main });
      expect(result.failures).toEqual([{ property: "projectId", reason: expect.stringMatching(/owner's own project/) }]);
    } finally {
      await configureProfiles();
    }
  });
});

describe("share and answer", () => {
  it("shares without a consumer: the member is pending, and its answer is only an output", async () => {
    const imageId = await emu.privateImage("share-pending");
    const { id, outs } = await create({ imageId, projectId: analytics });
    expect(id).toBe(`${imageId}/${analytics}`);
    expect(outs).toMatchObject({ imageId, projectId: analytics, status: "pending", imageRegion: MAIN, ownerProjectId: main, imageName: "share-pending" });
    expect(outs.sharedImage).toBeUndefined();
    expect(membersOf(imageId)).toEqual([expect.objectContaining({ memberId: analytics, status: "pending" })]);
    expect(await analyticsSees(imageId)).toBe(false);

    // The member project accepts outside Pulumi: an output changes, the declared inputs do not.
    await admin(emu, "PUT", `/_emulator/images/${imageId}/members/${analytics}`, { status: "accepted" });
    const read = await members.read(id, outs);
    expect(read.props).toMatchObject({ status: "accepted" });
    expect(read.inputs).toEqual({ imageId, projectId: analytics });
    expect(await members.diff(id, read.props!, { imageId, projectId: analytics })).toMatchObject({ changes: false });

    await members.delete(id, read.props!);
    expect(membersOf(imageId)).toEqual([]);
  });

  it("shares and accepts with the member project's credentials; the image is then listed there", async () => {
    const imageId = await emu.privateImage("share-accepted");
    const { id, outs } = await create({ imageId, projectId: analytics, consumer: { profile: "analytics" } });
    expect(outs).toMatchObject({ status: "accepted", consumer: { profile: "analytics" } });
    expect(outs.sharedImage).toEqual({ id: imageId, name: "share-accepted", status: "active", imageType: "shared", visibility: "shared" });
    expect(await analyticsSees(imageId)).toBe(true);
    await members.delete(id, outs);
    expect(membersOf(imageId)).toEqual([]);
    expect(await analyticsSees(imageId)).toBe(false);
  });

  it("rejects when told to", async () => {
    const imageId = await emu.privateImage("share-rejected");
    const { id, outs } = await create({ imageId, projectId: analytics, consumer: { profile: "analytics", status: "rejected" } });
    expect(outs.status).toBe("rejected");
    expect(outs.sharedImage).toBeUndefined();
    expect(membersOf(imageId)[0]).toMatchObject({ status: "rejected" });
    await members.delete(id, outs);
  });

  it("takes over a membership that already exists (a rerun after an interrupted up)", async () => {
    const imageId = await emu.privateImage("share-existing");
    await emu.job(MAIN, "POST", "/v1/cloudimages/members", { images: [imageId], projects: [analytics] });
    await admin(emu, "DELETE", "/_emulator/metrics");
    const { outs } = await create({ imageId, projectId: analytics, consumer: { profile: "analytics" } });
    expect(outs.status).toBe("accepted");
    const metrics = (await admin(emu, "GET", "/_emulator/metrics")) as { routes: { method: string; route: string }[] };
    expect(metrics.routes.filter((r) => r.method === "POST" && r.route === "/v1/cloudimages/members")).toEqual([]);
    expect(membersOf(imageId)).toHaveLength(1);
  });
});

describe("drift", () => {
  it("a rejection outside Pulumi shows on refresh, and the update accepts again", async () => {
    const imageId = await emu.privateImage("drift-rejected");
    const declared = { imageId, projectId: analytics, consumer: { profile: "analytics" } };
    const { id, outs } = await create(declared);
    await admin(emu, "PUT", `/_emulator/images/${imageId}/members/${analytics}`, { status: "rejected" });

    const read = await members.read(id, outs);
    expect(read.props).toMatchObject({ status: "rejected" });
    expect(read.inputs).toEqual({ ...declared, consumer: { profile: "analytics", status: "rejected" } });
    expect(await members.diff(id, read.props!, withProvider(declared) as unknown as MemberInputs)).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });

    const { outs: after } = await members.update(id, read.props!, withProvider(declared) as unknown as MemberInputs);
    expect(after).toMatchObject({ status: "accepted" });
    expect(membersOf(imageId)[0]).toMatchObject({ status: "accepted" });
    expect(await members.diff(id, after!, declared as MemberInputs)).toMatchObject({ changes: false });
  });

  it("a member removed outside Pulumi is dropped from the state, and a new create shares again", async () => {
    const imageId = await emu.privateImage("drift-removed");
    const declared = { imageId, projectId: analytics, consumer: { profile: "analytics" } };
    const { id, outs } = await create(declared);
    await admin(emu, "DELETE", `/_emulator/images/${imageId}/members/${analytics}`);
    const warn = jest.spyOn(console, "warn").mockImplementation(() => undefined);
    try {
      expect(await members.read(id, outs)).toEqual({ id: "" });
      expect(warn.mock.calls.join("\n")).toMatch(/no longer shared with it/);
    } finally {
      warn.mockRestore();
    }
    const again = await create(declared);
    expect(again.outs.status).toBe("accepted");
    expect(membersOf(imageId)).toEqual([expect.objectContaining({ memberId: analytics, status: "accepted" })]);
  });

  it("an update restores a membership removed since the last refresh", async () => {
    const imageId = await emu.privateImage("update-restores");
    const { id, outs } = await create({ imageId, projectId: analytics });
    await admin(emu, "DELETE", `/_emulator/images/${imageId}/members/${analytics}`);
    const { outs: after } = await members.update(id, outs, withProvider({ imageId, projectId: analytics, consumer: { profile: "analytics" } }) as unknown as MemberInputs);
    expect(after).toMatchObject({ status: "accepted" });
    expect(membersOf(imageId)).toHaveLength(1);
  });

  it("delete succeeds when the member or the image is already gone", async () => {
    const imageId = await emu.privateImage("gone-already");
    const { id, outs } = await create({ imageId, projectId: analytics });
    await admin(emu, "DELETE", `/_emulator/images/${imageId}/members/${analytics}`);
    await expect(members.delete(id, outs)).resolves.toBeUndefined();
    await admin(emu, "DELETE", `/_emulator/images/${imageId}`);
    await expect(members.delete(id, outs)).resolves.toBeUndefined();
  });
});

describe("many members of one image", () => {
  it("are shared in one request and one job, each project once", async () => {
    const imageId = await emu.privateImage("many-members");
    const projects = Array.from({ length: 12 }, (_, i) => {
      const id = `${(i + 1).toString(16).padStart(2, "0")}${"ab".repeat(15)}`;
      emu.world.state.projects.push({ id, name: `${MAIN}_team${i}`, region: MAIN, domainId: emu.world.state.domains[0].id });
      return id;
    });
    await admin(emu, "DELETE", "/_emulator/metrics");
    const created = await Promise.all(projects.map((projectId) => create({ imageId, projectId })));
    expect(created.map((c) => c.outs.status)).toEqual(projects.map(() => "pending"));
    expect(membersOf(imageId).map((m) => m.memberId).sort()).toEqual([...projects].sort());
    const metrics = (await admin(emu, "GET", "/_emulator/metrics")) as { routes: { method: string; route: string; count: number }[] };
    const posts = metrics.routes.filter((r) => r.method === "POST" && r.route === "/v1/cloudimages/members").reduce((n, r) => n + r.count, 0);
    expect(posts).toBe(1);

    await Promise.all(created.map((c) => members.delete(c.id, c.outs)));
    expect(membersOf(imageId)).toEqual([]);
    const after = (await admin(emu, "GET", "/_emulator/metrics")) as { routes: { method: string; route: string; count: number }[] };
    expect(after.routes.filter((r) => r.method === "DELETE" && r.route === "/v1/cloudimages/members").reduce((n, r) => n + r.count, 0)).toBe(1);
  });

  it("a refused member of a batch fails alone", async () => {
    const imageId = await emu.privateImage("batch-refused");
    const stranger = "0".repeat(31) + "f";
    const other = emu.projectId("ap-southeast-3");
    const results = await Promise.allSettled([create({ imageId, projectId: analytics }), create({ imageId, projectId: other }), create({ imageId, projectId: stranger })]);
    expect(results[0].status).toBe("fulfilled");
    expect(results[1]).toMatchObject({ status: "rejected", reason: expect.objectContaining({ message: expect.stringMatching(/only within one region/) }) });
    expect(membersOf(imageId).map((m) => m.memberId)).toContain(analytics);
    expect(membersOf(imageId).map((m) => m.memberId)).not.toContain(other);
  });
});

describe("refusals, explained", () => {
  it("a public image", async () => {
    const ubuntu = emu.world.state.images.find((i) => i.imagetype === "gold" && i.region === MAIN)!;
    const error = await rejection(emu, create({ imageId: ubuntu.id, projectId: analytics }));
    expect(error.message).toMatch(/public image/);
  });

  it("an image shared with the owner's project by another project", async () => {
    const theirs = await emu.privateImage("theirs", ANALYTICS);
    await emu.job(ANALYTICS, "POST", "/v1/cloudimages/members", { images: [theirs], projects: [main] });
    await admin(emu, "PUT", `/_emulator/images/${theirs}/members/${main}`, { status: "accepted" });
    const error = await rejection(emu, create({ imageId: theirs, projectId: emu.projectId("ap-southeast-1_platform") }));
    expect(error.message).toMatch(/belongs to project .* only its owner can share it.*ImageCopy/);
  });

  it("an image that does not exist", async () => {
    const error = await rejection(emu, create({ imageId: "3f7185de-b59a-4bb8-aa1d-7a513528b0e9", projectId: analytics }));
    expect(error.message).toMatch(/does not exist in project/);
  });

  it("the owner's own project, known only at create", async () => {
    const imageId = await emu.privateImage("self-share");
    const error = await rejection(emu, create({ imageId, projectId: main }));
    expect(error.message).toMatch(/cannot be shared with its own project/);
    expect(membersOf(imageId)).toEqual([]);
  });

  it("a consumer profile of another project, known only at create", async () => {
    const imageId = await emu.privateImage("wrong-consumer");
    const error = await rejection(emu, create({ imageId, projectId: analytics, consumer: { profile: "main" } }));
    expect(error.message).toMatch(/consumer.profile "main" acts as project .* not as the member project .*: set ims:profiles.main.projectId/);
    expect(membersOf(imageId)).toEqual([]);
  });

  it("an encrypted image, with the service's code", async () => {
    const job = await emu.job(MAIN, "POST", "/v2/cloudimages/action", {
      name: "encrypted",
      image_url: "images-bucket:ubuntu-24.04.qcow2",
      min_disk: 40,
      os_version: "Ubuntu 24.04 server 64bit",
      cmk_id: "3f7185de-b59a-4bb8-aa1d-7a513528b0e9",
    });
    const imageId = (job.entities as { image_id: string }).image_id;
    const error = await rejection(emu, create({ imageId, projectId: analytics }));
    expect(error.message).toMatch(/encrypted images cannot be shared.*IMG.0098/);
  });

  it("a share job that fails: no member is recorded", async () => {
    const imageId = await emu.privateImage("job-fails");
    await admin(emu, "POST", "/_emulator/job-failures", { jobType: "imsAddImageMembersJob", count: 1, errorCode: "IMG.0113", failReason: "Injected: adding the member failed." });
    const error = await rejection(emu, create({ imageId, projectId: analytics }));
    expect(error.message).toMatch(/Injected: adding the member failed/);
    expect(error.id).toBeUndefined();
  });

  it("an answer that fails after the share: recorded as a partial failure, and the next update answers", async () => {
    const imageId = await emu.privateImage("answer-fails");
    await admin(emu, "POST", "/_emulator/faults", { method: "PUT", route: "/v2/images/{image_id}/members/{member_id}", status: 500, count: 1 });
    const declared = { imageId, projectId: analytics, consumer: { profile: "analytics" } };
    const error = await rejection(emu, create(declared));
    expect(error.message).toMatch(/could not accept the share/);
    expect(error.id).toBe(`${imageId}/${analytics}`);
    const properties = error.properties as MemberOutputs & Raw;
    expect(properties).toMatchObject({ status: "pending", __provider: expect.any(String) });
    expect(await members.diff(error.id as string, properties, declared as MemberInputs)).toMatchObject({ changes: true, replaces: [] });
    const { outs } = await members.update(error.id as string, properties, withProvider(declared) as unknown as MemberInputs);
    expect(outs).toMatchObject({ status: "accepted" });
  });
});
