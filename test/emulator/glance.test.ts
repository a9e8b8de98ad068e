/**
 * Contract tests of the Glance-compatible (native OpenStack) APIs over real HTTP: versions,
 * schemas, list pagination, details, both PATCH dialects, metadata creation and upload, deletion,
 * the deprecated v1/v1.1 APIs, and the gateway's error shapes (IMS API Reference, Native
 * OpenStack APIs and Error Codes).
 */
import { createHash, randomBytes } from "node:crypto";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator";

const OWNER = "ap-southeast-1";
const OTHER = "ap-southeast-1_analytics";
const UNKNOWN_ID = "00000000-0000-4000-8000-000000000000";
const V21 = "application/openstack-images-v2.1-json-patch";
const V20 = "application/openstack-images-v2.0-json-patch";
const IMS_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

type Json = Record<string, unknown>;
type ErrorBody = { error: { code: string; message: string } };
type GatewayBody = { error_code: string; error_msg: string; request_id: string };
type Page = { images: Json[]; schema: string; first: string; next?: string };

let emu: TestEmulator;
let ownerId: string;

beforeAll(async () => {
  emu = await startTestEmulator({ jobMs: 50 });
  ownerId = emu.projectId(OWNER);
});

afterAll(async () => {
  await emu.close();
});

async function createMetadata(body: Json = {}): Promise<Json> {
  const res = await emu.as<Json>(OWNER, "POST", "/v2/images", { body: { name: "meta", ...body } });
  expect(res.status).toBe(201);
  return res.body;
}

async function waitForStatus(id: string, status: string): Promise<Json> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const res = await emu.as<Json>(OWNER, "GET", `/v2/images/${id}`);
    expect(res.status).toBe(200);
    if (res.body.status === status) return res.body;
    if (Date.now() > deadline) throw new Error(`image ${id} stayed ${String(res.body.status)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function uploadedImage(bytes: Buffer, body: Json = {}): Promise<string> {
  const image = await createMetadata(body);
  const id = image.id as string;
  const put = await emu.as(OWNER, "PUT", `/v2/images/${id}/file`, { raw: bytes, headers: { "Content-Type": "application/octet-stream" } });
  expect(put.status).toBe(204);
  await waitForStatus(id, "active");
  return id;
}

describe("versions and schemas (no authentication)", () => {
  it("GET / answers 300 with every API version", async () => {
    const res = await emu.request<{ versions: { id: string; status: string; links: { href: string; rel: string }[] }[] }>("GET", "/");
    expect(res.status).toBe(300);
    expect(res.body.versions.map((v) => [v.id, v.status])).toEqual([
      ["v2.2", "CURRENT"],
      ["v2.1", "SUPPORTED"],
      ["v2.0", "SUPPORTED"],
      ["v1.1", "DEPRECATED"],
      ["v1.0", "DEPRECATED"],
    ]);
    for (const v of res.body.versions) {
      expect(v.links).toEqual([{ href: expect.stringMatching(/\/v[12]\/$/), rel: "self" }]);
    }
  });

  it("GET /v2 and /v2.0 answer 300 with that version", async () => {
    const v2 = await emu.request<{ versions: Json[] }>("GET", "/v2");
    expect(v2.status).toBe(300);
    expect(v2.body.versions).toEqual([expect.objectContaining({ id: "v2.2", status: "CURRENT" })]);
    const v20 = await emu.request<{ versions: Json[] }>("GET", "/v2.0");
    expect(v20.status).toBe(300);
    expect(v20.body.versions).toEqual([expect.objectContaining({ id: "v2.0", status: "SUPPORTED" })]);
  });

  it("the four schemas answer 200 without a token", async () => {
    const image = await emu.request<Json & { properties: Record<string, Json>; links: Json[] }>("GET", "/v2/schemas/image");
    expect(image.status).toBe(200);
    expect(image.body.name).toBe("image");
    expect(image.body.additionalProperties).toEqual({ type: "string" });
    expect(image.body.links).toEqual([
      { href: "{self}", rel: "self" },
      { href: "{file}", rel: "enclosure" },
      { href: "{schema}", rel: "describedby" },
    ]);
    expect(image.body.properties.status.enum).toEqual(["queued", "saving", "active", "killed", "deleted", "pending_delete"]);
    expect(image.body.properties.container_format.enum).toEqual(["ami", "ari", "aki", "bare", "ovf", "ova"]);
    expect(image.body.properties.disk_format.enum).toEqual(["ami", "ari", "aki", "vhd", "vmdk", "raw", "qcow2", "vdi", "iso"]);
    expect(image.body.properties.checksum.maxLength).toBe(32);

    const images = await emu.request<Json & { properties: Record<string, Json> }>("GET", "/v2/schemas/images");
    expect(images.status).toBe(200);
    expect(images.body.name).toBe("images");
    expect(images.body.properties.images).toEqual({ items: image.body, type: "array" });
    expect(Object.keys(images.body.properties).sort()).toEqual(["first", "images", "next", "schema"]);

    const member = await emu.request<Json & { properties: Record<string, Json> }>("GET", "/v2/schemas/member");
    expect(member.status).toBe(200);
    expect(member.body.name).toBe("member");
    expect(member.body.properties.status.enum).toEqual(["pending", "accepted", "rejected"]);
    expect(Object.keys(member.body.properties).sort()).toEqual(["created_at", "image_id", "member_id", "schema", "status", "updated_at"]);

    const members = await emu.request<Json & { properties: Record<string, Json> }>("GET", "/v2/schemas/members");
    expect(members.status).toBe(200);
    expect(members.body.name).toBe("members");
    expect(members.body.properties.members).toEqual({ items: member.body, type: "array" });
  });
});

describe("gateway errors", () => {
  it("a call without a token is 401 APIGW.0301 in the gateway shape", async () => {
    const res = await emu.request<GatewayBody>("GET", "/v2/images");
    expect(res.status).toBe(401);
    expect(Object.keys(res.body).sort()).toEqual(["error_code", "error_msg", "request_id"]);
    expect(res.body.error_code).toBe("APIGW.0301");
    expect(res.body.error_msg).toMatch(/^Incorrect IAM authentication information: /);
    expect(res.body.request_id).toMatch(/^[0-9a-f]{32}$/);
    expect(res.headers.get("x-request-id")).toBe(res.body.request_id);
  });

  it("a forged token is 401 APIGW.0301", async () => {
    const res = await emu.request<GatewayBody>("GET", "/v2/images/" + UNKNOWN_ID, { token: "MIIforged.token" });
    expect(res.status).toBe(401);
    expect(res.body.error_code).toBe("APIGW.0301");
  });

  it("an unknown route or method is 404 APIGW.0101", async () => {
    for (const [method, path] of [
      ["GET", "/v2/nothing/here"],
      ["GET", "/not-a-version"],
      ["GET", "/v9"],
      ["POST", "/v2/schemas/image"],
      ["PATCH", "/v2/images"],
    ]) {
      const res = await emu.as<GatewayBody>(OWNER, method, path);
      expect([method, path, res.status]).toEqual([method, path, 404]);
      expect(res.body.error_code).toBe("APIGW.0101");
      expect(res.body.error_msg).toBe("The API does not exist or has not been published in the environment.");
      expect(res.body.request_id).toMatch(/^[0-9a-f]{32}$/);
    }
  });
});

describe("N1 list and N2 details", () => {
  it("pages with limit: first, next with marker, no next on the last page, schema", async () => {
    const all = await emu.as<Page>(OWNER, "GET", "/v2/images?__imagetype=gold");
    expect(all.status).toBe(200);
    const goldIds = all.body.images.map((i) => i.id as string);
    expect(goldIds.length).toBe(2);
    expect(all.body.next).toBeUndefined();

    const page1 = await emu.as<Page>(OWNER, "GET", "/v2/images?__imagetype=gold&limit=1");
    expect(page1.status).toBe(200);
    expect(page1.body.schema).toBe("/v2/schemas/images");
    expect(page1.body.images.map((i) => i.id)).toEqual([goldIds[0]]);
    const first = new URL(page1.body.first, emu.url);
    expect(first.pathname).toBe("/v2/images");
    expect(Object.fromEntries(first.searchParams)).toEqual({ __imagetype: "gold", limit: "1", __isregistered: "true" });
    expect(page1.body.next).toBeDefined();
    const next = new URL(page1.body.next!, emu.url);
    expect(next.pathname).toBe("/v2/images");
    expect(Object.fromEntries(next.searchParams)).toEqual({ __imagetype: "gold", limit: "1", __isregistered: "true", marker: goldIds[0] });

    const page2 = await emu.as<Page>(OWNER, "GET", page1.body.next!);
    expect(page2.status).toBe(200);
    expect(page2.body.images.map((i) => i.id)).toEqual([goldIds[1]]);
    expect(page2.body.next).toBeUndefined();
    expect(new URL(page2.body.first, emu.url).searchParams.get("marker")).toBeNull();
  });

  it("a page that holds exactly the rest has no next", async () => {
    const res = await emu.as<Page>(OWNER, "GET", "/v2/images?__imagetype=gold&limit=2");
    expect(res.status).toBe(200);
    expect(res.body.images).toHaveLength(2);
    expect(res.body).not.toHaveProperty("next");
    expect(res.body.first).toBeDefined();
  });

  it("the default page holds 25 images; the extension list has no first/next", async () => {
    // A project of its own, so other tests' images do not count: 24 private + 2 public images.
    for (let i = 0; i < 24; i++) {
      const res = await emu.as(OTHER, "POST", "/v2/images", { body: { name: `bulk-${i}` } });
      expect(res.status).toBe(201);
    }
    const page = await emu.as<Page>(OTHER, "GET", "/v2/images");
    expect(page.status).toBe(200);
    expect(page.body.images).toHaveLength(25);
    expect(page.body.next).toBeDefined();
    const rest = await emu.as<Page>(OTHER, "GET", page.body.next!);
    expect(rest.body.images).toHaveLength(1);
    expect(rest.body.next).toBeUndefined();
    const seen = new Set([...page.body.images, ...rest.body.images].map((i) => i.id));
    expect(seen.size).toBe(26);
    const extension = await emu.as<Json>(OTHER, "GET", "/v2/cloudimages?limit=1");
    expect(extension.status).toBe(200);
    expect(Object.keys(extension.body)).toEqual(["images"]);
  });

  it("lists public images with the native object shape", async () => {
    const res = await emu.as<Page>(OWNER, "GET", "/v2/images?__imagetype=gold&limit=1");
    const [image] = res.body.images;
    expect(image).toMatchObject({
      visibility: "public",
      __imagetype: "gold",
      protected: true,
      status: "active",
      container_format: "bare",
      __isregistered: "true",
      schema: "/v2/schemas/image",
      self: `/v2/images/${image.id as string}`,
      file: `/v2/images/${image.id as string}/file`,
    });
    expect(image.created_at).toMatch(IMS_TIME);
  });

  it("N2 shows an image; an unknown id is 404 'No image found with ID'", async () => {
    const list = await emu.as<Page>(OWNER, "GET", "/v2/images?__imagetype=gold&limit=1");
    const id = list.body.images[0].id as string;
    const res = await emu.as<Json>(OWNER, "GET", `/v2/images/${id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(list.body.images[0]);
    const missing = await emu.as<ErrorBody>(OWNER, "GET", `/v2/images/${UNKNOWN_ID}`);
    expect(missing.status).toBe(404);
    expect(Object.keys(missing.body)).toEqual(["error"]);
    expect(missing.body.error.message).toBe(`No image found with ID ${UNKNOWN_ID}`);
    expect(typeof missing.body.error.code).toBe("string");
  });
});

describe("N5 create metadata, N6 upload, download", () => {
  let imageId: string;
  const bytes = randomBytes(64 * 1024);
  const md5 = createHash("md5").update(bytes).digest("hex");

  it("N5 creates a queued private image (201) with the default OS and derived attributes", async () => {
    const res = await emu.as<Json>(OWNER, "POST", "/v2/images", {
      body: { name: "native-upload", container_format: "bare", disk_format: "raw", min_disk: 40, min_ram: 1024, tags: ["test=testvalue"] },
    });
    expect(res.status).toBe(201);
    imageId = res.body.id as string;
    expect(imageId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(res.body).toMatchObject({
      name: "native-upload",
      status: "queued",
      visibility: "private",
      __imagetype: "private",
      protected: false,
      owner: ownerId,
      container_format: "bare",
      disk_format: "raw",
      min_disk: 40,
      min_ram: 1024,
      tags: ["test=testvalue"],
      __os_version: "Other Linux(64 bit)",
      __platform: "Other",
      __os_type: "Linux",
      __os_bit: "64",
      __image_size: "0",
      __isregistered: "true",
      virtual_env_type: "FusionCompute",
      schema: "/v2/schemas/image",
      self: `/v2/images/${imageId}`,
      file: `/v2/images/${imageId}/file`,
    });
    expect(res.body.created_at).toMatch(IMS_TIME);
    expect(res.headers.get("location")).toBe(`${emu.url}/v2/images/${imageId}`);
    const listed = await emu.as<{ images: Json[] }>(OWNER, "GET", `/v2/cloudimages?id=${imageId}`);
    expect(listed.body.images).toEqual([expect.objectContaining({ id: imageId, status: "queued" })]);
  });

  it("N5 derives __platform, __os_type and __os_bit from __os_version", async () => {
    const ubuntu = await createMetadata({ __os_version: "Ubuntu 14.04 server 32bit" });
    expect(ubuntu).toMatchObject({ __os_version: "Ubuntu 14.04 server 32bit", __platform: "Ubuntu", __os_type: "Linux", __os_bit: "32" });
    const windows = await createMetadata({ __os_version: "Windows Server 2019 Datacenter 64bit" });
    expect(windows).toMatchObject({ __platform: "Windows", __os_type: "Windows", __os_bit: "64" });
    const unnamed = await emu.as<Json>(OWNER, "POST", "/v2/images", { body: {} });
    expect(unnamed.status).toBe(201);
    expect(unnamed.body).toMatchObject({ name: "", disk_format: "zvhd2", container_format: "bare", status: "queued" });
  });

  it("N5 refuses other visibilities and unknown OS versions", async () => {
    const pub = await emu.as<ErrorBody>(OWNER, "POST", "/v2/images", { body: { name: "x", visibility: "public" } });
    expect(pub.status).toBe(400);
    expect(pub.body.error.code).toBe("IMG.0001");
    const os = await emu.as<ErrorBody>(OWNER, "POST", "/v2/images", { body: { name: "x", __os_version: "Plan 9" } });
    expect(os.status).toBe(400);
    expect(os.body.error.code).toBe("IMG.0056");
    const format = await emu.as<ErrorBody>(OWNER, "POST", "/v2/images", { body: { name: "x", disk_format: "floppy" } });
    expect(format.status).toBe(400);
  });

  it("N6 takes the bytes (204): the image saves, then turns active", async () => {
    // The job clock stands still while the image is looked at in saving.
    emu.world.clock.pause();
    try {
      const put = await emu.as(OWNER, "PUT", `/v2/images/${imageId}/file`, { raw: bytes, headers: { "Content-Type": "application/octet-stream" } });
      expect(put.status).toBe(204);
      expect(put.text).toBe("");
      const saving = await emu.as<Json>(OWNER, "GET", `/v2/images/${imageId}`);
      expect(saving.body.status).toBe("saving");
      const busy = await emu.as<ErrorBody>(OWNER, "PUT", `/v2/images/${imageId}/file`, {
        raw: bytes,
        headers: { "Content-Type": "application/octet-stream" },
      });
      expect(busy.status).toBe(409);
    } finally {
      emu.world.clock.resume();
    }
    const active = await waitForStatus(imageId, "active");
    expect(active).toMatchObject({ checksum: md5, size: bytes.length, __image_size: String(bytes.length) });
    expect(active.active_at).toMatch(IMS_TIME);
  });

  it("GET /v2/images/{id}/file returns the same bytes with Content-MD5 = checksum", async () => {
    const res = await emu.as(OWNER, "GET", `/v2/images/${imageId}/file`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-md5")).toBe(md5);
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    const url = new URL(`/v2/images/${imageId}/file`, emu.url);
    const raw = await fetch(url, { headers: { "X-Auth-Token": await emu.token(OWNER) } });
    const body = Buffer.from(await raw.arrayBuffer());
    expect(body.equals(bytes)).toBe(true);
    expect(createHash("md5").update(body).digest("hex")).toBe(md5);
  });

  it("a second upload to an active image is 409", async () => {
    const res = await emu.as<ErrorBody>(OWNER, "PUT", `/v2/images/${imageId}/file`, { raw: bytes, headers: { "Content-Type": "application/octet-stream" } });
    expect(res.status).toBe(409);
    const after = await emu.as<Json>(OWNER, "GET", `/v2/images/${imageId}`);
    expect(after.body).toMatchObject({ status: "active", checksum: md5 });
  });

  it("uploading to an unknown image is 404; to someone else's image is refused", async () => {
    const unknown = await emu.as<ErrorBody>(OWNER, "PUT", `/v2/images/${UNKNOWN_ID}/file`, { raw: bytes, headers: { "Content-Type": "application/octet-stream" } });
    expect(unknown.status).toBe(404);
    const queued = await createMetadata();
    const foreign = await emu.as<ErrorBody>(OTHER, "PUT", `/v2/images/${queued.id as string}/file`, {
      raw: bytes,
      headers: { "Content-Type": "application/octet-stream" },
    });
    expect(foreign.status).toBe(404);
    const still = await emu.as<Json>(OWNER, "GET", `/v2/images/${queued.id as string}`);
    expect(still.body.status).toBe("queued");
  });
});

describe("N3 PATCH dialects", () => {
  let imageId: string;

  beforeAll(async () => {
    imageId = (await createMetadata({ name: "patch-me" })).id as string;
  });

  const patch = (body: unknown, contentType: string, project = OWNER, id = imageId) =>
    emu.as<Json & ErrorBody>(project, "PATCH", `/v2/images/${id}`, { raw: JSON.stringify(body), headers: { "Content-Type": contentType } });

  it("v2.1 op/path/value: replace the name, add and remove a custom attribute", async () => {
    const renamed = await patch([{ op: "replace", path: "/name", value: "test01" }], V21);
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ id: imageId, name: "test01" });
    const added = await patch(
      [
        { op: "add", path: "/custom_attr", value: "one" },
        { op: "add", path: "/__description", value: "described" },
      ],
      V21,
    );
    expect(added.status).toBe(200);
    expect(added.body).toMatchObject({ custom_attr: "one", __description: "described" });
    const replaced = await patch([{ op: "add", path: "/custom_attr", value: "two" }], V21);
    expect(replaced.body.custom_attr).toBe("two");
    const removed = await patch([{ op: "remove", path: "/custom_attr" }], V21);
    expect(removed.status).toBe(200);
    expect(removed.body).not.toHaveProperty("custom_attr");
    const shown = await emu.as<Json>(OWNER, "GET", `/v2/images/${imageId}`);
    expect(shown.body).toMatchObject({ name: "test01", __description: "described" });
    expect(shown.body).not.toHaveProperty("custom_attr");
  });

  it("v2.0 {replace|add|remove: path, value}", async () => {
    const renamed = await patch([{ replace: "/name", value: "test02" }], V20);
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe("test02");
    const added = await patch([{ add: "/legacy_attr", value: "x" }], V20);
    expect(added.status).toBe(200);
    expect(added.body.legacy_attr).toBe("x");
    const removed = await patch([{ remove: "/legacy_attr" }], V20);
    expect(removed.status).toBe(200);
    expect(removed.body).not.toHaveProperty("legacy_attr");
  });

  it("the body must match the dialect the Content-Type names", async () => {
    const v20InV21 = await patch([{ replace: "/name", value: "nope" }], V21);
    expect(v20InV21.status).toBe(400);
    expect(v20InV21.body.error.code).toBe("IMG.0001");
    const v21InV20 = await patch([{ op: "replace", path: "/name", value: "nope" }], V20);
    expect(v21InV20.status).toBe(400);
    const two = await patch([{ replace: "/name", add: "/x", value: "nope" }], V20);
    expect(two.status).toBe(400);
    const shown = await emu.as<Json>(OWNER, "GET", `/v2/images/${imageId}`);
    expect(shown.body.name).toBe("test02");
  });

  it("replace or remove of a missing attribute is refused, and nothing changes", async () => {
    const res = await patch(
      [
        { op: "replace", path: "/name", value: "half-applied" },
        { op: "replace", path: "/no_such_attr", value: "x" },
      ],
      V21,
    );
    expect(res.status).toBe(400);
    const remove = await patch([{ op: "remove", path: "/no_such_attr" }], V21);
    expect(remove.status).toBe(400);
    const shown = await emu.as<Json>(OWNER, "GET", `/v2/images/${imageId}`);
    expect(shown.body.name).toBe("test02");
  });

  it("a body that is not JSON is IMG.0001", async () => {
    const res = await emu.as<ErrorBody>(OWNER, "PATCH", `/v2/images/${imageId}`, { raw: "[{op:", headers: { "Content-Type": V21 } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("IMG.0001");
  });

  it("unknown images are 404; other projects' images are refused", async () => {
    const missing = await patch([{ op: "replace", path: "/name", value: "x" }], V21, OWNER, UNKNOWN_ID);
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toBe(`No image found with ID ${UNKNOWN_ID}`);
    const foreign = await patch([{ op: "replace", path: "/name", value: "x" }], V21, OTHER);
    expect(foreign.status).toBe(404);
    const gold = await emu.as<Page>(OWNER, "GET", "/v2/images?__imagetype=gold&limit=1");
    const publicId = gold.body.images[0].id as string;
    const pub = await patch([{ op: "replace", path: "/name", value: "x" }], V21, OWNER, publicId);
    expect(pub.status).toBe(403);
    expect(pub.body.error.code).toBe("IMG.0106");
  });
});

describe("N4 delete and the deprecated v1/v1.1 APIs", () => {
  const quotaUsed = async (): Promise<number> => {
    const res = await emu.as<{ quotas: { resources: { type: string; used: number }[] } }>(OWNER, "GET", "/v1/cloudimages/quota");
    return res.body.quotas.resources.find((r) => r.type === "image")!.used;
  };

  it("N4 deletes an owned image (204), then it is 404, gone from lists and from the quota", async () => {
    const id = await uploadedImage(randomBytes(2048));
    const usedBefore = await quotaUsed();
    const res = await emu.as(OWNER, "DELETE", `/v2/images/${id}`);
    expect(res.status).toBe(204);
    expect(res.text).toBe("");
    const shown = await emu.as<ErrorBody>(OWNER, "GET", `/v2/images/${id}`);
    expect(shown.status).toBe(404);
    expect(shown.body.error.message).toBe(`No image found with ID ${id}`);
    const listed = await emu.as<{ images: Json[] }>(OWNER, "GET", `/v2/cloudimages?id=${id}`);
    expect(listed.body.images).toEqual([]);
    const again = await emu.as<ErrorBody>(OWNER, "DELETE", `/v2/images/${id}`);
    expect(again.status).toBe(404);
    expect(await quotaUsed()).toBe(usedBefore - 1);
  });

  it("N4 takes an optional delete_backup body", async () => {
    const id = (await createMetadata()).id as string;
    const res = await emu.as(OWNER, "DELETE", `/v2/images/${id}`, { body: { delete_backup: true } });
    expect(res.status).toBe(204);
    expect((await emu.as(OWNER, "GET", `/v2/images/${id}`)).status).toBe(404);
  });

  it("N4 refuses public images (IMG.0094), other projects' images and images being saved (IMG.0090)", async () => {
    const gold = await emu.as<Page>(OWNER, "GET", "/v2/images?__imagetype=gold&limit=1");
    const pub = await emu.as<ErrorBody>(OWNER, "DELETE", `/v2/images/${gold.body.images[0].id as string}`);
    expect(pub.status).toBe(400);
    expect(pub.body.error.code).toBe("IMG.0094");
    const queued = await createMetadata();
    const foreign = await emu.as<ErrorBody>(OTHER, "DELETE", `/v2/images/${queued.id as string}`);
    expect(foreign.status).toBe(404);
    emu.world.clock.pause();
    try {
      const put = await emu.as(OWNER, "PUT", `/v2/images/${queued.id as string}/file`, {
        raw: randomBytes(1024),
        headers: { "Content-Type": "application/octet-stream" },
      });
      expect(put.status).toBe(204);
      const saving = await emu.as<ErrorBody>(OWNER, "DELETE", `/v2/images/${queued.id as string}`);
      expect(saving.status).toBe(400);
      expect(saving.body.error.code).toBe("IMG.0090");
    } finally {
      emu.world.clock.resume();
    }
    await waitForStatus(queued.id as string, "active");
  });

  it("HEAD /v1/images/{id} carries the metadata in X-Image-Meta-* headers", async () => {
    const bytes = randomBytes(4096);
    const id = await uploadedImage(bytes, { name: "v1-head", disk_format: "raw", min_disk: 40, min_ram: 512 });
    const checksum = createHash("md5").update(bytes).digest("hex");
    const res = await emu.as(OWNER, "HEAD", `/v1/images/${id}`);
    expect(res.status).toBe(200);
    expect(res.text).toBe("");
    const h = (name: string) => res.headers.get(name);
    expect(h("x-image-meta-id")).toBe(id);
    expect(h("x-image-meta-name")).toBe("v1-head");
    expect(h("x-image-meta-status")).toBe("active");
    expect(h("x-image-meta-deleted")).toBe("False");
    expect(h("x-image-meta-container_format")).toBe("bare");
    expect(h("x-image-meta-disk_format")).toBe("raw");
    expect(h("x-image-meta-checksum")).toBe(checksum);
    expect(h("x-image-meta-protected")).toBe("False");
    expect(h("x-image-meta-min_disk")).toBe("40");
    expect(h("x-image-meta-min_ram")).toBe("512");
    expect(h("x-image-meta-size")).toBe(String(bytes.length));
    expect(h("x-image-meta-is_public")).toBe("False");
    expect(h("x-image-meta-owner")).toBe(ownerId);
    expect(h("x-image-meta-created_at")).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    expect(h("x-image-meta-updated_at")).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    expect(h("etag")).toBe(checksum);
    expect(h("x-openstack-request-id")).toMatch(/^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const gold = await emu.as<Page>(OWNER, "GET", "/v2/images?__imagetype=gold&limit=1");
    const pub = await emu.as(OWNER, "HEAD", `/v1/images/${gold.body.images[0].id as string}`);
    expect(pub.status).toBe(200);
    expect(pub.headers.get("x-image-meta-is_public")).toBe("True");
    expect(pub.headers.get("x-image-meta-protected")).toBe("True");
    const missing = await emu.as(OWNER, "HEAD", `/v1/images/${UNKNOWN_ID}`);
    expect(missing.status).toBe(404);
  });

  it("GET /v1.1/images/detail lists v1 objects and filters", async () => {
    const id = await uploadedImage(randomBytes(1024), { name: "v11-detail", disk_format: "qcow2" });
    const res = await emu.as<{ images: Json[] }>(OWNER, "GET", "/v1.1/images/detail?name=v11-detail");
    expect(res.status).toBe(200);
    expect(res.body.images).toHaveLength(1);
    const [image] = res.body.images;
    expect(Object.keys(image).sort()).toEqual(
      [
        "status",
        "deleted_at",
        "name",
        "deleted",
        "container_format",
        "created_at",
        "disk_format",
        "updated_at",
        "min_disk",
        "protected",
        "id",
        "min_ram",
        "checksum",
        "owner",
        "is_public",
        "virtual_size",
        "properties",
        "size",
      ].sort(),
    );
    expect(image).toMatchObject({ id, name: "v11-detail", status: "active", deleted: false, deleted_at: null, is_public: false, owner: ownerId, size: 1024 });
    expect(typeof image.properties).toBe("object");
    expect(image.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    const zvhd2 = await emu.as<{ images: Json[] }>(OWNER, "GET", "/v1.1/images/detail?disk_format=zvhd2");
    expect(zvhd2.status).toBe(200);
    expect(zvhd2.body.images.every((i) => i.disk_format === "zvhd2")).toBe(true);
    expect(zvhd2.body.images.filter((i) => i.is_public === true)).toHaveLength(2);
    expect(zvhd2.body.images.map((i) => i.id)).not.toContain(id);
    const bigOnes = await emu.as<{ images: Json[] }>(OWNER, "GET", "/v1.1/images/detail?size_min=1025");
    expect(bigOnes.body.images.map((i) => i.id)).not.toContain(id);
  });

  it("DELETE /v1.1/images/{id} deletes the image", async () => {
    const id = (await createMetadata({ name: "v11-delete" })).id as string;
    const res = await emu.as(OWNER, "DELETE", `/v1.1/images/${id}`);
    expect(res.status).toBe(200);
    expect(res.text).toBe("");
    expect((await emu.as(OWNER, "GET", `/v2/images/${id}`)).status).toBe(404);
    const again = await emu.as(OWNER, "DELETE", `/v1.1/images/${id}`);
    expect(again.status).toBe(404);
  });
});
