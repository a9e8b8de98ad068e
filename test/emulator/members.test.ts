/**
 * Contract tests of image sharing over real HTTP: the batch member APIs (E10–E12), the member
 * queries (E13/E14), the Glance-compatible member APIs (N7–N11), the member views of owner,
 * member and stranger, and out-of-band member edits through the admin API. Copies of shared
 * images are in copies.test.ts.
 */
import { startTestEmulator, type TestEmulator } from "../helpers/emulator";

const OWNER = "ap-southeast-1";
const RECIPIENT = "ap-southeast-1_analytics";
const STRANGER = "ap-southeast-3";
/** A project of the owner's region that no test shares with unless it says so. */
const PLATFORM = "ap-southeast-1_platform";

type Json = Record<string, unknown>;
type ImageList = { images: Json[] };
type ErrorBody = { error: { code: string; message: string } };

let emu: TestEmulator;
let ownerId: string;
let recipientId: string;
let strangerId: string;
let platformId: string;
let publicImageId: string;

const privateImage = (name: string, project = OWNER): Promise<string> => emu.privateImage(name, project);

async function list(project: string, query = ""): Promise<Json[]> {
  const res = await emu.as<ImageList>(project, "GET", `/v2/cloudimages${query}`);
  expect(res.status).toBe(200);
  return res.body.images;
}

const ids = (images: Json[]): string[] => images.map((i) => i.id as string);
const PENDING = "?visibility=shared&member_status=pending&__imagetype=shared";
const ACCEPTED = "?visibility=shared&member_status=accepted&__imagetype=shared";
const REJECTED = "?visibility=shared&member_status=rejected&__imagetype=shared";

beforeAll(async () => {
  emu = await startTestEmulator({ jobMs: 60 });
  ownerId = emu.projectId(OWNER);
  recipientId = emu.projectId(RECIPIENT);
  strangerId = emu.projectId(STRANGER);
  platformId = emu.projectId("ap-southeast-1_platform");
  const gold = await list(OWNER, "?__imagetype=gold");
  expect(gold.length).toBeGreaterThan(0);
  publicImageId = gold[0].id as string;
});

afterAll(async () => {
  await emu.close();
});

describe("batch sharing: E10 add, E12 accept/reject, E11 remove", () => {
  let imageId: string;

  beforeAll(async () => {
    imageId = await privateImage("share-batch");
  });

  it("E10 shares asynchronously: the job is imsAddImageMembersJob with results per image", async () => {
    const submit = await emu.as<{ job_id: string }>(OWNER, "POST", "/v1/cloudimages/members", {
      body: { images: [imageId], projects: [recipientId] },
    });
    expect(submit.status).toBe(200);
    expect(submit.body.job_id).toMatch(/^[0-9a-f]{32}$/);
    const job = await emu.waitJob(submit.body.job_id, OWNER);
    expect(job.status).toBe("SUCCESS");
    expect(job.job_type).toBe("imsAddImageMembersJob");
    expect(job.error_code).toBeNull();
    expect(job.fail_reason).toBeNull();
    const results = (job.entities as { results: Json[] }).results;
    expect(results).toEqual([expect.objectContaining({ image_id: imageId, status: "success" })]);
  });

  it("the owner now sees its image as shared", async () => {
    const [mine] = await list(OWNER, `?id=${imageId}`);
    expect(mine).toMatchObject({ id: imageId, owner: ownerId, __imagetype: "shared", visibility: "shared" });
    const res = await emu.as<Json>(OWNER, "GET", `/v2/images/${imageId}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ __imagetype: "shared", visibility: "shared" });
  });

  it("a pending share is hidden from the recipient's default list but found with the pending recipe", async () => {
    expect(ids(await list(RECIPIENT))).not.toContain(imageId);
    expect(ids(await list(RECIPIENT, ACCEPTED))).not.toContain(imageId);
    const pending = await list(RECIPIENT, PENDING);
    expect(ids(pending)).toEqual([imageId]);
    expect(pending[0]).toMatchObject({ owner: ownerId, __imagetype: "shared", visibility: "shared" });
    const native = await emu.as<ImageList>(RECIPIENT, "GET", "/v2/images");
    expect(ids(native.body.images)).not.toContain(imageId);
  });

  it("E12 accept lists the image for the recipient by default, as shared", async () => {
    const job = await emu.job(RECIPIENT, "PUT", "/v1/cloudimages/members", {
      images: [imageId],
      project_id: recipientId,
      status: "accepted",
    });
    expect(job.status).toBe("SUCCESS");
    expect(job.job_type).toBe("imsUpdateImageMembersJob");
    expect((job.entities as { results: Json[] }).results).toEqual([
      expect.objectContaining({ image_id: imageId, status: "success" }),
    ]);
    const all = await list(RECIPIENT);
    const seen = all.find((i) => i.id === imageId);
    expect(seen).toMatchObject({ owner: ownerId, __imagetype: "shared", visibility: "shared", status: "active" });
    expect(ids(await list(RECIPIENT, ACCEPTED))).toEqual([imageId]);
    expect(ids(await list(RECIPIENT, PENDING))).not.toContain(imageId);
    expect(ids(await list(RECIPIENT, "?__imagetype=shared"))).toContain(imageId);
    const native = await emu.as<ImageList>(RECIPIENT, "GET", "/v2/images");
    expect(ids(native.body.images)).toContain(imageId);
    const detail = await emu.as<Json>(RECIPIENT, "GET", `/v2/images/${imageId}`);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ id: imageId, __imagetype: "shared", visibility: "shared" });
  });

  it("E12 reject hides the image from the default list; the rejected recipe still finds it", async () => {
    const job = await emu.job(RECIPIENT, "PUT", "/v1/cloudimages/members", {
      images: [imageId],
      project_id: recipientId,
      status: "rejected",
    });
    expect(job.status).toBe("SUCCESS");
    expect(ids(await list(RECIPIENT))).not.toContain(imageId);
    expect(ids(await list(RECIPIENT, REJECTED))).toEqual([imageId]);
    expect(ids(await list(RECIPIENT, ACCEPTED))).not.toContain(imageId);
  });

  it("E12 re-accepts a rejected share", async () => {
    const job = await emu.job(RECIPIENT, "PUT", "/v1/cloudimages/members", {
      images: [imageId],
      project_id: recipientId,
      status: "accepted",
    });
    expect(job.status).toBe("SUCCESS");
    expect(ids(await list(RECIPIENT))).toContain(imageId);
    expect(ids(await list(RECIPIENT, REJECTED))).not.toContain(imageId);
  });

  it("sharing an image again with an existing member changes nothing: the member stays accepted", async () => {
    const job = await emu.job(OWNER, "POST", "/v1/cloudimages/members", { images: [imageId], projects: [recipientId] });
    expect(job.status).toBe("SUCCESS");
    const member = await emu.as<Json>(OWNER, "GET", `/v1/${ownerId}/cloudimages/${imageId}/members/${recipientId}`);
    expect(member.status).toBe(200);
    expect(member.body.status).toBe("accepted");
    expect(ids(await list(RECIPIENT))).toContain(imageId);
  });

  it("the owner's native list counts a shared image as shared, not private", async () => {
    const priv = await emu.as<ImageList>(OWNER, "GET", "/v2/images?visibility=private");
    expect(ids(priv.body.images)).not.toContain(imageId);
    const shared = await emu.as<ImageList>(OWNER, "GET", "/v2/images?visibility=shared");
    expect(ids(shared.body.images)).toContain(imageId);
    expect(ids(await list(OWNER, "?__imagetype=private"))).not.toContain(imageId);
    expect(ids(await list(OWNER, "?__imagetype=shared"))).toContain(imageId);
  });

  it("the recipient may neither delete nor update the shared image", async () => {
    const del = await emu.as<ErrorBody>(RECIPIENT, "DELETE", `/v2/images/${imageId}`);
    expect(del.status).toBe(400);
    expect(del.body.error.code).toBe("IMG.0092");
    const patch = await emu.as<ErrorBody>(RECIPIENT, "PATCH", `/v2/cloudimages/${imageId}`, {
      body: [{ op: "replace", path: "/name", value: "stolen" }],
    });
    expect(patch.status).toBe(400);
    expect(["IMG.0047", "IMG.0106"]).toContain(patch.body.error.code);
    const [mine] = await list(OWNER, `?id=${imageId}`);
    expect(mine.name).toBe("share-batch");
  });

  it("a project of another region never sees the shared image", async () => {
    expect(ids(await list(STRANGER))).not.toContain(imageId);
    expect(ids(await list(STRANGER, PENDING))).not.toContain(imageId);
    expect(ids(await list(STRANGER, ACCEPTED))).not.toContain(imageId);
    const res = await emu.as<ErrorBody>(STRANGER, "GET", `/v2/images/${imageId}`);
    expect(res.status).toBe(404);
    expect(res.body.error.message).toBe(`No image found with ID ${imageId}`);
    const members = await emu.as<ErrorBody>(STRANGER, "GET", `/v2/images/${imageId}/members`);
    expect(members.status).toBe(404);
  });

  it("E11 stops sharing (DELETE with a body): the recipient loses the image", async () => {
    const job = await emu.job(OWNER, "DELETE", "/v1/cloudimages/members", { images: [imageId], projects: [recipientId] });
    expect(job.status).toBe("SUCCESS");
    expect(job.job_type).toBe("imsDelImageMembersJob");
    expect((job.entities as { results: unknown[] }).results).toEqual([]);
    const res = await emu.as<ErrorBody>(RECIPIENT, "GET", `/v2/images/${imageId}`);
    expect(res.status).toBe(404);
    expect(res.body.error.message).toBe(`No image found with ID ${imageId}`);
    expect(ids(await list(RECIPIENT))).not.toContain(imageId);
    expect(ids(await list(RECIPIENT, ACCEPTED))).not.toContain(imageId);
    const [mine] = await list(OWNER, `?id=${imageId}`);
    expect(mine).toMatchObject({ __imagetype: "private", visibility: "private" });
  });
});

describe("sharing several images, and deleting a shared image", () => {
  it("E10 shares several images in one job; the owner's deletion takes the image from the recipient", async () => {
    const [a, b] = await Promise.all([privateImage("multi-a"), privateImage("multi-b")]);
    const job = await emu.job(OWNER, "POST", "/v1/cloudimages/members", { images: [a, b], projects: [recipientId] });
    expect(job.status).toBe("SUCCESS");
    const results = (job.entities as { results: Json[] }).results;
    expect(results.map((r) => r.image_id).sort()).toEqual([a, b].sort());
    expect(results.every((r) => r.status === "success")).toBe(true);
    const accept = await emu.job(RECIPIENT, "PUT", "/v1/cloudimages/members", { images: [a, b], project_id: recipientId, status: "accepted" });
    expect(accept.status).toBe("SUCCESS");
    expect(ids(await list(RECIPIENT, ACCEPTED)).sort()).toEqual(expect.arrayContaining([a, b]));

    const del = await emu.as(OWNER, "DELETE", `/v2/images/${a}`);
    expect(del.status).toBe(204);
    const gone = await emu.as<ErrorBody>(RECIPIENT, "GET", `/v2/images/${a}`);
    expect(gone.status).toBe(404);
    expect(ids(await list(RECIPIENT))).not.toContain(a);
    expect(ids(await list(RECIPIENT))).toContain(b);
  });
});

describe("E13/E14 member queries", () => {
  let imageId: string;

  beforeAll(async () => {
    imageId = await privateImage("share-queries");
    const job = await emu.job(OWNER, "POST", "/v1/cloudimages/members", { images: [imageId], projects: [recipientId, platformId] });
    expect(job.status).toBe("SUCCESS");
  });

  it("E13 lists the members with schema and page_info", async () => {
    const res = await emu.as<{ members: Json[]; schema: string; page_info: Json }>(
      OWNER,
      "GET",
      `/v1/${ownerId}/cloudimages/${imageId}/members`,
    );
    expect(res.status).toBe(200);
    expect(res.body.schema).toBe("/v2/schemas/members");
    expect(res.body.page_info).toEqual({ current_count: 2 });
    expect(res.body.members.map((m) => m.member_id).sort()).toEqual([recipientId, platformId].sort());
    for (const m of res.body.members) {
      expect(m).toMatchObject({ image_id: imageId, status: "pending", schema: "/v2/schemas/member" });
      expect(m.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(m.updated_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
  });

  it("E13 pages with limit and marker: next_marker only while more remain", async () => {
    const first = await emu.as<{ members: Json[]; page_info: Json }>(OWNER, "GET", `/v1/${ownerId}/cloudimages/${imageId}/members?limit=1`);
    expect(first.status).toBe(200);
    expect(first.body.members).toHaveLength(1);
    const firstId = first.body.members[0].member_id as string;
    expect(first.body.page_info).toEqual({ next_marker: firstId, current_count: 1 });
    const second = await emu.as<{ members: Json[]; page_info: Json }>(
      OWNER,
      "GET",
      `/v1/${ownerId}/cloudimages/${imageId}/members?limit=1&marker=${firstId}`,
    );
    expect(second.status).toBe(200);
    expect(second.body.members).toHaveLength(1);
    expect(second.body.members[0].member_id).not.toBe(firstId);
    expect(second.body.page_info).toEqual({ current_count: 1 });
  });

  it("E14 shows one member; an unknown member is 404", async () => {
    const res = await emu.as<Json>(OWNER, "GET", `/v1/${ownerId}/cloudimages/${imageId}/members/${recipientId}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ member_id: recipientId, image_id: imageId, status: "pending", schema: "/v2/schemas/member" });
    const missing = await emu.as<ErrorBody>(OWNER, "GET", `/v1/${ownerId}/cloudimages/${imageId}/members/${strangerId}`);
    expect(missing.status).toBe(404);
  });

  it("a member sees only its own entry", async () => {
    const res = await emu.as<{ members: Json[] }>(RECIPIENT, "GET", `/v1/${recipientId}/cloudimages/${imageId}/members`);
    expect(res.status).toBe(200);
    expect(res.body.members.map((m) => m.member_id)).toEqual([recipientId]);
  });

  it("a project id in the path other than the caller's is IMG.0067", async () => {
    const res = await emu.as<ErrorBody>(OWNER, "GET", `/v1/${recipientId}/cloudimages/${imageId}/members`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("IMG.0067");
    const detail = await emu.as<ErrorBody>(OWNER, "GET", `/v1/${recipientId}/cloudimages/${imageId}/members/${recipientId}`);
    expect(detail.status).toBe(400);
    expect(detail.body.error.code).toBe("IMG.0067");
  });

  it("an image the caller cannot see is IMG.0027 on the extension member queries", async () => {
    const res = await emu.as<ErrorBody>(STRANGER, "GET", `/v1/${strangerId}/cloudimages/${imageId}/members`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("IMG.0027");
    const unknown = await emu.as<ErrorBody>(OWNER, "GET", `/v1/${ownerId}/cloudimages/00000000-0000-4000-8000-000000000000/members`);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe("IMG.0027");
  });
});

describe("sharing errors", () => {
  let imageId: string;

  beforeAll(async () => {
    imageId = await privateImage("share-errors");
  });

  const share = (project: string, body: unknown) => emu.as<ErrorBody & { job_id?: string }>(project, "POST", "/v1/cloudimages/members", { body });

  it("sharing with yourself is IMG.0076, and no job starts", async () => {
    const jobsBefore = emu.snapshot().jobs.length;
    const res = await share(OWNER, { images: [imageId], projects: [ownerId] });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("IMG.0076");
    expect(res.body.job_id).toBeUndefined();
    expect(emu.snapshot().jobs.length).toBe(jobsBefore);
  });

  it("a public image cannot be shared: IMG.0089", async () => {
    const res = await share(OWNER, { images: [publicImageId], projects: [recipientId] });
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({ code: "IMG.0089", message: "The public image cannot be shared." });
  });

  it("a malformed project id is IMG.0067", async () => {
    const res = await share(OWNER, { images: [imageId], projects: ["not-a-project"] });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("IMG.0067");
  });

  it("an unknown image is IMG.0027", async () => {
    const res = await share(OWNER, { images: ["00000000-0000-4000-8000-000000000000"], projects: [recipientId] });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("IMG.0027");
  });

  it("only the owner may share: a recipient re-sharing gets IMG.0047", async () => {
    const job = await emu.job(OWNER, "POST", "/v1/cloudimages/members", { images: [imageId], projects: [recipientId] });
    expect(job.status).toBe("SUCCESS");
    const res = await share(RECIPIENT, { images: [imageId], projects: [platformId] });
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({ code: "IMG.0047", message: "This operation can be performed only by the image owner." });
    const unshare = await emu.as<ErrorBody>(RECIPIENT, "DELETE", "/v1/cloudimages/members", { body: { images: [imageId], projects: [recipientId] } });
    expect(unshare.status).toBe(400);
    expect(unshare.body.error.code).toBe("IMG.0047");
  });

  it("the recipient must give its own project_id to accept", async () => {
    const res = await emu.as<ErrorBody>(RECIPIENT, "PUT", "/v1/cloudimages/members", {
      body: { images: [imageId], project_id: ownerId, status: "accepted" },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("IMG.0067");
    const [pending] = await list(RECIPIENT, PENDING);
    expect(pending?.id).toBe(imageId);
  });

  it("accept takes only accepted or rejected", async () => {
    const res = await emu.as<ErrorBody>(RECIPIENT, "PUT", "/v1/cloudimages/members", {
      body: { images: [imageId], project_id: recipientId, status: "maybe" },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("IMG.0001");
  });

  it("a project that is no member cannot accept", async () => {
    const res = await emu.as<ErrorBody>(STRANGER, "PUT", "/v1/cloudimages/members", {
      body: { images: [imageId], project_id: strangerId, status: "accepted" },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("IMG.0027");
  });

  it("a project of another region cannot be a member: IMG.0177", async () => {
    const res = await share(OWNER, { images: [imageId], projects: [strangerId] });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("IMG.0177");
    const glance = await emu.as<ErrorBody>(OWNER, "POST", `/v2/images/${imageId}/members`, { body: { member: strangerId } });
    expect(glance.status).toBe(400);
    expect(glance.body.error.code).toBe("IMG.0177");
    const stranger = await emu.as<ErrorBody>(STRANGER, "GET", `/v2/images/${imageId}`);
    expect(stranger.status).toBe(404);
  });

  it("an image that is not active cannot be shared", async () => {
    const queued = await emu.as<Json>(OWNER, "POST", "/v2/images", { body: { name: "not-yet" } });
    expect(queued.status).toBe(201);
    const res = await share(OWNER, { images: [queued.body.id], projects: [recipientId] });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("IMG.0046");
  });

  it("an empty body is IMG.0007 and an empty image list IMG.0001", async () => {
    const empty = await emu.as<ErrorBody>(OWNER, "POST", "/v1/cloudimages/members");
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe("IMG.0007");
    const none = await share(OWNER, { images: [], projects: [recipientId] });
    expect(none.status).toBe(400);
    expect(none.body.error.code).toBe("IMG.0001");
  });
});

describe("Glance-compatible members N7–N11", () => {
  let imageId: string;
  const members = (id: string) => `/v2/images/${id}/members`;

  beforeAll(async () => {
    imageId = await privateImage("share-glance");
  });

  it("N7 adds a pending member at once", async () => {
    const res = await emu.as<Json>(OWNER, "POST", members(imageId), { body: { member: recipientId } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "pending", image_id: imageId, member_id: recipientId, schema: "/v2/schemas/member" });
    expect(res.body.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(res.body.updated_at).toBe(res.body.created_at);
    expect(ids(await list(RECIPIENT, PENDING))).toContain(imageId);
  });

  it("N7 adding the same member again is 409", async () => {
    const res = await emu.as<ErrorBody>(OWNER, "POST", members(imageId), { body: { member: recipientId } });
    expect(res.status).toBe(409);
  });

  it("N7 by someone other than the owner is 404; to yourself IMG.0076", async () => {
    const stranger = await emu.as<ErrorBody>(RECIPIENT, "POST", members(imageId), { body: { member: platformId } });
    expect(stranger.status).toBe(404);
    const self = await emu.as<ErrorBody>(OWNER, "POST", members(imageId), { body: { member: ownerId } });
    expect(self.status).toBe(400);
    expect(self.body.error.code).toBe("IMG.0076");
  });

  it("N8 lists all members for the owner and only itself for a member", async () => {
    const added = await emu.as<Json>(OWNER, "POST", members(imageId), { body: { member: platformId } });
    expect(added.status).toBe(200);
    const owner = await emu.as<{ members: Json[]; schema: string }>(OWNER, "GET", members(imageId));
    expect(owner.status).toBe(200);
    expect(owner.body.schema).toBe("/v2/schemas/members");
    expect(owner.body.members.map((m) => m.member_id).sort()).toEqual([recipientId, platformId].sort());
    const member = await emu.as<{ members: Json[] }>(RECIPIENT, "GET", members(imageId));
    expect(member.status).toBe(200);
    expect(member.body.members.map((m) => m.member_id)).toEqual([recipientId]);
  });

  it("N9 shows one member", async () => {
    const res = await emu.as<Json>(OWNER, "GET", `${members(imageId)}/${recipientId}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ member_id: recipientId, image_id: imageId, status: "pending" });
    const own = await emu.as<Json>(RECIPIENT, "GET", `${members(imageId)}/${recipientId}`);
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ member_id: recipientId, image_id: imageId, status: "pending" });
    const hidden = await emu.as<ErrorBody>(RECIPIENT, "GET", `${members(imageId)}/${platformId}`);
    expect(hidden.status).toBe(404);
  });

  it("N10 the owner cannot set a member's status: 403", async () => {
    const res = await emu.as<ErrorBody>(OWNER, "PUT", `${members(imageId)}/${recipientId}`, { body: { status: "accepted" } });
    expect(res.status).toBe(403);
    const [pending] = await list(RECIPIENT, PENDING);
    expect(pending?.id).toBe(imageId);
  });

  it("N10 a stranger is 404", async () => {
    const res = await emu.as<ErrorBody>(STRANGER, "PUT", `${members(imageId)}/${strangerId}`, { body: { status: "accepted" } });
    expect(res.status).toBe(404);
  });

  it("N10 the member accepts", async () => {
    const res = await emu.as<Json>(RECIPIENT, "PUT", `${members(imageId)}/${recipientId}`, { body: { status: "accepted" } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "accepted", member_id: recipientId, image_id: imageId, schema: "/v2/schemas/member" });
    expect(ids(await list(RECIPIENT))).toContain(imageId);
  });

  it("N10 the member rejects: the image leaves its default list, the rejected recipe finds it, the owner sees rejected", async () => {
    const res = await emu.as<Json>(RECIPIENT, "PUT", `${members(imageId)}/${recipientId}`, { body: { status: "rejected" } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "rejected", member_id: recipientId });
    expect(ids(await list(RECIPIENT))).not.toContain(imageId);
    expect(ids((await emu.as<ImageList>(RECIPIENT, "GET", "/v2/images")).body.images)).not.toContain(imageId);
    expect(ids(await list(RECIPIENT, REJECTED))).toEqual([imageId]);
    const seen = await emu.as<Json>(OWNER, "GET", `${members(imageId)}/${recipientId}`);
    expect(seen.body.status).toBe("rejected");
  });

  it("N10 the member accepts again: the image is back in its default list, as shared", async () => {
    const res = await emu.as<Json>(RECIPIENT, "PUT", `${members(imageId)}/${recipientId}`, { body: { status: "accepted" } });
    expect(res.status).toBe(200);
    const [seen] = (await list(RECIPIENT)).filter((i) => i.id === imageId);
    expect(seen).toMatchObject({ __imagetype: "shared", visibility: "shared", owner: ownerId });
    expect(ids(await list(RECIPIENT, REJECTED))).not.toContain(imageId);
  });

  it("N11 the owner removes a member: 204, and the recipient loses the image", async () => {
    const denied = await emu.as<ErrorBody>(RECIPIENT, "DELETE", `${members(imageId)}/${recipientId}`);
    expect(denied.status).toBe(403);
    const res = await emu.as(OWNER, "DELETE", `${members(imageId)}/${recipientId}`);
    expect(res.status).toBe(204);
    expect(res.text).toBe("");
    const gone = await emu.as<ErrorBody>(RECIPIENT, "GET", `/v2/images/${imageId}`);
    expect(gone.status).toBe(404);
    const again = await emu.as<ErrorBody>(OWNER, "DELETE", `${members(imageId)}/${recipientId}`);
    expect(again.status).toBe(404);
    const left = await emu.as<{ members: Json[] }>(OWNER, "GET", members(imageId));
    expect(left.body.members.map((m) => m.member_id)).toEqual([platformId]);
  });
});

describe("member views from both sides: owner, member and stranger", () => {
  let imageId: string;
  let onlyRecipient: string;
  const glance = (id: string, member = "") => `/v2/images/${id}/members${member ? `/${member}` : ""}`;
  const extension = (project: string, id: string, member = "") =>
    `/v1/${emu.projectId(project)}/cloudimages/${id}/members${member ? `/${member}` : ""}`;

  beforeAll(async () => {
    [imageId, onlyRecipient] = await Promise.all([privateImage("views-two-members"), privateImage("views-one-member")]);
    const shared = await Promise.all([
      emu.job(OWNER, "POST", "/v1/cloudimages/members", { images: [imageId], projects: [recipientId, platformId] }),
      emu.job(OWNER, "POST", "/v1/cloudimages/members", { images: [onlyRecipient], projects: [recipientId] }),
    ]);
    expect(shared.map((j) => j.status)).toEqual(["SUCCESS", "SUCCESS"]);
  });

  it("the owner sees every member: N8 and E13 list both, N9 and E14 show each", async () => {
    const n8 = await emu.as<{ members: Json[] }>(OWNER, "GET", glance(imageId));
    const e13 = await emu.as<{ members: Json[] }>(OWNER, "GET", extension(OWNER, imageId));
    for (const res of [n8, e13]) {
      expect(res.status).toBe(200);
      expect(res.body.members.map((m) => m.member_id).sort()).toEqual([recipientId, platformId].sort());
    }
    for (const member of [recipientId, platformId]) {
      for (const path of [glance(imageId, member), extension(OWNER, imageId, member)]) {
        const res = await emu.as<Json>(OWNER, "GET", path);
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ member_id: member, image_id: imageId, status: "pending" });
      }
    }
  });

  it("a member sees its own entry only: another member's is 404 on N9 and E14", async () => {
    for (const path of [glance(imageId), extension(RECIPIENT, imageId)]) {
      const res = await emu.as<{ members: Json[] }>(RECIPIENT, "GET", path);
      expect(res.status).toBe(200);
      expect(res.body.members.map((m) => m.member_id)).toEqual([recipientId]);
    }
    for (const path of [glance(imageId, recipientId), extension(RECIPIENT, imageId, recipientId)]) {
      const res = await emu.as<Json>(RECIPIENT, "GET", path);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ member_id: recipientId, image_id: imageId, status: "pending" });
    }
    const glanceOther = await emu.as<ErrorBody>(RECIPIENT, "GET", glance(imageId, platformId));
    expect(glanceOther.status).toBe(404);
    const extensionOther = await emu.as<ErrorBody>(RECIPIENT, "GET", extension(RECIPIENT, imageId, platformId));
    expect(extensionOther.status).toBe(404);
    expect(extensionOther.body.error.code).toBe("IMG.0027");
  });

  it("a stranger, of the owner's region or another, gets 404 on N8/N9 and IMG.0027 on E13/E14", async () => {
    for (const [stranger, id] of [
      [PLATFORM, onlyRecipient],
      [STRANGER, imageId],
    ] as const) {
      for (const path of [glance(id), glance(id, recipientId)]) {
        const res = await emu.as<ErrorBody>(stranger, "GET", path);
        expect(res.status).toBe(404);
        expect(res.body.error.message).toBe(`No image found with ID ${id}`);
      }
      for (const path of [extension(stranger, id), extension(stranger, id, recipientId)]) {
        const res = await emu.as<ErrorBody>(stranger, "GET", path);
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe("IMG.0027");
      }
    }
  });

  it("the member's answer shows on both sides: E12 accept, then E14 and N9 say accepted to owner and member", async () => {
    const job = await emu.job(RECIPIENT, "PUT", "/v1/cloudimages/members", { images: [onlyRecipient], project_id: recipientId, status: "accepted" });
    expect(job.status).toBe("SUCCESS");
    for (const [project, path] of [
      [OWNER, extension(OWNER, onlyRecipient, recipientId)],
      [OWNER, glance(onlyRecipient, recipientId)],
      [RECIPIENT, extension(RECIPIENT, onlyRecipient, recipientId)],
      [RECIPIENT, glance(onlyRecipient, recipientId)],
    ] as const) {
      const res = await emu.as<Json>(project, "GET", path);
      expect(res.status).toBe(200);
      expect(res.body.status).toBe("accepted");
    }
    expect((await list(RECIPIENT)).find((i) => i.id === onlyRecipient)).toMatchObject({ __imagetype: "shared", visibility: "shared" });
  });
});

describe("out-of-band member edits (admin API)", () => {
  const listed = async (id: string, project: string): Promise<Json | undefined> => (await list(project, `?id=${id}`))[0];

  it("members can be set and removed behind the owner's back", async () => {
    const id = await privateImage("img-shared-oob");
    const member = recipientId;
    expect(await listed(id, RECIPIENT)).toBeUndefined();

    const set = await emu.request<Json>("PUT", `/_emulator/images/${id}/members/${member}`, { body: { status: "accepted" } });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ image_id: id, member_id: member, status: "accepted" });
    expect(await listed(id, RECIPIENT)).toMatchObject({ id, __imagetype: "shared", visibility: "shared" });
    const members = await emu.as<{ members: Json[] }>(OWNER, "GET", `/v2/images/${id}/members`);
    expect(members.body.members).toEqual([expect.objectContaining({ member_id: member, status: "accepted", image_id: id })]);

    const rejected = await emu.request("PUT", `/_emulator/images/${id}/members/${member}`, { body: { status: "rejected" } });
    expect(rejected.status).toBe(200);
    expect(await listed(id, RECIPIENT)).toBeUndefined();
    const bad = await emu.request("PUT", `/_emulator/images/${id}/members/${member}`, { body: { status: "maybe" } });
    expect(bad.status).toBe(400);

    expect((await emu.request("DELETE", `/_emulator/images/${id}/members/${member}`)).status).toBe(204);
    expect((await emu.as(RECIPIENT, "GET", `/v2/images/${id}`)).status).toBe(404);
    expect((await emu.as<{ members: Json[] }>(OWNER, "GET", `/v2/images/${id}/members`)).body.members).toEqual([]);
    expect((await emu.request("DELETE", `/_emulator/images/${id}/members/${member}`)).status).toBe(404);
  });

  it("a member added out of band is pending by default, and its project can accept it with E12 and N10", async () => {
    const id = await privateImage("img-pending-oob");
    const set = await emu.request<Json>("PUT", `/_emulator/images/${id}/members/${recipientId}`, { body: {} });
    expect(set.body).toEqual({ image_id: id, member_id: recipientId, status: "pending" });
    expect(ids(await list(RECIPIENT, PENDING))).toContain(id);
    expect(ids(await list(RECIPIENT))).not.toContain(id);
    const own = await emu.as<Json>(RECIPIENT, "GET", `/v1/${recipientId}/cloudimages/${id}/members/${recipientId}`);
    expect(own.body).toMatchObject({ member_id: recipientId, status: "pending" });

    const job = await emu.job(RECIPIENT, "PUT", "/v1/cloudimages/members", { images: [id], project_id: recipientId, status: "accepted" });
    expect(job.status).toBe("SUCCESS");
    expect(ids(await list(RECIPIENT))).toContain(id);
    const rejected = await emu.as<Json>(RECIPIENT, "PUT", `/v2/images/${id}/members/${recipientId}`, { body: { status: "rejected" } });
    expect(rejected.body.status).toBe("rejected");
    expect(ids(await list(RECIPIENT))).not.toContain(id);
  });

  it("a member removed out of band loses the image on every path: N9 404, E14 IMG.0027, E12 IMG.0027", async () => {
    const id = await privateImage("img-removed-oob");
    expect((await emu.request("PUT", `/_emulator/images/${id}/members/${recipientId}`, { body: { status: "accepted" } })).status).toBe(200);
    expect((await emu.request("DELETE", `/_emulator/images/${id}/members/${recipientId}`)).status).toBe(204);
    expect((await emu.as(RECIPIENT, "GET", `/v2/images/${id}/members/${recipientId}`)).status).toBe(404);
    const e14 = await emu.as<ErrorBody>(RECIPIENT, "GET", `/v1/${recipientId}/cloudimages/${id}/members/${recipientId}`);
    expect(e14.status).toBe(400);
    expect(e14.body.error.code).toBe("IMG.0027");
    const e12 = await emu.as<ErrorBody>(RECIPIENT, "PUT", "/v1/cloudimages/members", { body: { images: [id], project_id: recipientId, status: "accepted" } });
    expect(e12.status).toBe(400);
    expect(e12.body.error.code).toBe("IMG.0027");
    expect(ids(await list(RECIPIENT))).not.toContain(id);
  });
});
