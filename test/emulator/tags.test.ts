/**
 * Contract tests of image tags over real HTTP: the v2 project-scoped tag APIs (E22–E27), the
 * legacy v1 APIs (E20, E21, E28), the Glance-compatible key-only tags (N12/N13), tag limits and
 * the `tag=` list filter.
 */
import { startTestEmulator, type TestEmulator } from "../helpers/emulator";

const OWNER = "ap-southeast-1";
const OTHER = "ap-southeast-1_analytics";

type Json = Record<string, unknown>;
type ErrorBody = { error: { code: string; message: string } };
type TagList = { tags: { key: string; value: string }[] };

const privateImage = (emu: TestEmulator, name: string): Promise<string> => emu.privateImage(name, OWNER);

const sortTags = (tags: { key: string; value: string }[]) => [...tags].sort((a, b) => a.key.localeCompare(b.key));

describe("tag APIs on one image", () => {
  let emu: TestEmulator;
  let pid: string;
  let imageId: string;
  let otherImageId: string;
  const tagsPath = () => `/v2/${pid}/images/${imageId}/tags`;

  beforeAll(async () => {
    emu = await startTestEmulator({ jobMs: 50 });
    pid = emu.projectId(OWNER);
    [imageId, otherImageId] = await Promise.all([privateImage(emu, "tags-main"), privateImage(emu, "tags-second")]);
  });

  afterAll(async () => {
    await emu.close();
  });

  async function imageTagStrings(id: string): Promise<string[]> {
    const res = await emu.as<Json>(OWNER, "GET", `/v2/images/${id}`);
    expect(res.status).toBe(200);
    return res.body.tags as string[];
  }

  async function tagsOf(id: string): Promise<{ key: string; value: string }[]> {
    const res = await emu.as<TagList>(OWNER, "GET", `/v2/${pid}/images/${id}/tags`);
    expect(res.status).toBe(200);
    return sortTags(res.body.tags);
  }

  async function clear(id: string): Promise<void> {
    const keys = (await tagsOf(id)).map((t) => ({ key: t.key }));
    if (keys.length === 0) return;
    const res = await emu.as(OWNER, "POST", `/v2/${pid}/images/${id}/tags/action`, { body: { action: "delete", tags: keys } });
    expect(res.status).toBe(204);
  }

  it("E22 adds a tag: 204 without body; E25 lists it; the image shows key=value", async () => {
    const res = await emu.as(OWNER, "POST", tagsPath(), { body: { tag: { key: "env", value: "prod" } } });
    expect(res.status).toBe(204);
    expect(res.text).toBe("");
    const list = await emu.as<TagList>(OWNER, "GET", tagsPath());
    expect(list.status).toBe(200);
    expect(list.body).toEqual({ tags: [{ key: "env", value: "prod" }] });
    expect(await imageTagStrings(imageId)).toEqual(["env=prod"]);
    const [listed] = (await emu.as<{ images: Json[] }>(OWNER, "GET", `/v2/cloudimages?id=${imageId}`)).body.images;
    expect(listed.tags).toEqual(["env=prod"]);
  });

  it("E22 on an existing key overwrites its value; the same pair again is a no-op", async () => {
    expect((await emu.as(OWNER, "POST", tagsPath(), { body: { tag: { key: "env", value: "staging" } } })).status).toBe(204);
    expect(await tagsOf(imageId)).toEqual([{ key: "env", value: "staging" }]);
    expect((await emu.as(OWNER, "POST", tagsPath(), { body: { tag: { key: "env", value: "staging" } } })).status).toBe(204);
    expect(await tagsOf(imageId)).toEqual([{ key: "env", value: "staging" }]);
    expect((await emu.as(OWNER, "POST", tagsPath(), { body: { tag: { key: "owner", value: "" } } })).status).toBe(204);
    expect(await tagsOf(imageId)).toEqual([
      { key: "env", value: "staging" },
      { key: "owner", value: "" },
    ]);
  });

  it("E22 trims leading and trailing spaces of keys and values", async () => {
    expect((await emu.as(OWNER, "POST", tagsPath(), { body: { tag: { key: "  spaced ", value: " out  " } } })).status).toBe(204);
    expect((await tagsOf(imageId)).find((t) => t.key === "spaced")).toEqual({ key: "spaced", value: "out" });
    expect((await emu.as(OWNER, "DELETE", `${tagsPath()}/spaced`)).status).toBe(204);
  });

  it("tags given to POST /v2/images as key=value strings are key/value tags", async () => {
    const created = await emu.as<Json>(OWNER, "POST", "/v2/images", { body: { name: "tagged-metadata", tags: ["test=testvalue", "bare"] } });
    expect(created.status).toBe(201);
    expect(created.body.tags).toEqual(["test=testvalue", "bare"]);
    expect(await tagsOf(created.body.id as string)).toEqual([
      { key: "bare", value: "" },
      { key: "test", value: "testvalue" },
    ]);
    expect((await emu.as(OWNER, "DELETE", `/v2/images/${created.body.id as string}`)).status).toBe(204);
  });

  it("E22 rejects bad keys and values with IMG.0115 and changes nothing", async () => {
    const before = await tagsOf(imageId);
    const bad = [
      { key: "k".repeat(37), value: "v" },
      { key: "key", value: "v".repeat(44) },
      { key: "bad!key", value: "v" },
      { key: "key", value: "a.b" },
      { key: "", value: "v" },
    ];
    for (const tag of bad) {
      const res = await emu.as<ErrorBody>(OWNER, "POST", tagsPath(), { body: { tag } });
      expect(res.status).toBe(400);
      expect(res.body.error).toEqual({ code: "IMG.0115", message: "The image tag is invalid." });
    }
    const longest = await emu.as(OWNER, "POST", `/v2/${pid}/images/${otherImageId}/tags`, {
      body: { tag: { key: "k".repeat(36), value: "v".repeat(43) } },
    });
    expect(longest.status).toBe(204);
    expect(await tagsOf(imageId)).toEqual(before);
  });

  it("E22 errors: wrong project in the path IMG.0067, unknown image IMG.0027, someone else's image", async () => {
    const otherPid = emu.projectId(OTHER);
    const wrongProject = await emu.as<ErrorBody>(OWNER, "POST", `/v2/${otherPid}/images/${imageId}/tags`, { body: { tag: { key: "a", value: "b" } } });
    expect(wrongProject.status).toBe(400);
    expect(wrongProject.body.error.code).toBe("IMG.0067");
    const unknown = await emu.as<ErrorBody>(OWNER, "POST", `/v2/${pid}/images/00000000-0000-4000-8000-000000000000/tags`, {
      body: { tag: { key: "a", value: "b" } },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe("IMG.0027");
    const foreign = await emu.as<ErrorBody>(OTHER, "POST", `/v2/${otherPid}/images/${imageId}/tags`, { body: { tag: { key: "a", value: "b" } } });
    expect(foreign.status).toBe(400);
    expect(foreign.body.error.code).toBe("IMG.0027");
    const noTag = await emu.as<ErrorBody>(OWNER, "POST", tagsPath(), { body: {} });
    expect(noTag.status).toBe(400);
    expect(noTag.body.error.code).toBe("IMG.0001");
  });

  it("E23 batch create upserts; batch delete ignores missing tags", async () => {
    await clear(imageId);
    const create = await emu.as(OWNER, "POST", `${tagsPath()}/action`, {
      body: {
        action: "create",
        tags: [
          { key: "key1", value: "value1" },
          { key: "key2", value: "value2" },
          { key: "key3", value: "" },
        ],
      },
    });
    expect(create.status).toBe(204);
    expect(create.text).toBe("");
    expect(await tagsOf(imageId)).toEqual([
      { key: "key1", value: "value1" },
      { key: "key2", value: "value2" },
      { key: "key3", value: "" },
    ]);
    const upsert = await emu.as(OWNER, "POST", `${tagsPath()}/action`, { body: { action: "create", tags: [{ key: "key1", value: "new" }] } });
    expect(upsert.status).toBe(204);
    const del = await emu.as(OWNER, "POST", `${tagsPath()}/action`, {
      body: {
        action: "delete",
        tags: [{ key: "key2", value: "value2" }, { key: "key3" }, { key: "missing", value: "x" }],
      },
    });
    expect(del.status).toBe(204);
    expect(await tagsOf(imageId)).toEqual([{ key: "key1", value: "new" }]);
    const onlyMissing = await emu.as(OWNER, "POST", `${tagsPath()}/action`, { body: { action: "delete", tags: [{ key: "nothing-here" }] } });
    expect(onlyMissing.status).toBe(204);
    expect(await tagsOf(imageId)).toEqual([{ key: "key1", value: "new" }]);
  });

  it("E23 checks action (case-sensitive), unique keys and tag rules", async () => {
    const upper = await emu.as<ErrorBody>(OWNER, "POST", `${tagsPath()}/action`, { body: { action: "Create", tags: [{ key: "a", value: "b" }] } });
    expect(upper.status).toBe(400);
    expect(upper.body.error.code).toBe("IMG.0001");
    const twice = await emu.as<ErrorBody>(OWNER, "POST", `${tagsPath()}/action`, {
      body: {
        action: "create",
        tags: [
          { key: "dup", value: "1" },
          { key: "dup", value: "2" },
        ],
      },
    });
    expect(twice.status).toBe(400);
    const bad = await emu.as<ErrorBody>(OWNER, "POST", `${tagsPath()}/action`, { body: { action: "create", tags: [{ key: "sp ace", value: "x" }] } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("IMG.0115");
    expect(await tagsOf(imageId)).toEqual([{ key: "key1", value: "new" }]);
  });

  it("an image holds at most 10 tags: the 11th is IMG.0116", async () => {
    await clear(imageId);
    const ten = Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `v${i}` }));
    expect((await emu.as(OWNER, "POST", `${tagsPath()}/action`, { body: { action: "create", tags: ten } })).status).toBe(204);
    expect(await tagsOf(imageId)).toHaveLength(10);
    const eleventh = await emu.as<ErrorBody>(OWNER, "POST", tagsPath(), { body: { tag: { key: "k10", value: "v10" } } });
    expect(eleventh.status).toBe(400);
    expect(eleventh.body.error).toEqual({ code: "IMG.0116", message: "The number of image tags exceeds the quota." });
    const batch = await emu.as<ErrorBody>(OWNER, "POST", `${tagsPath()}/action`, { body: { action: "create", tags: [{ key: "k11", value: "x" }] } });
    expect(batch.status).toBe(400);
    expect(batch.body.error.code).toBe("IMG.0116");
    const legacy = await emu.as<ErrorBody>(OWNER, "PUT", "/v1/cloudimages/tags", { body: { image_id: imageId, tag: "k12.x" } });
    expect(legacy.status).toBe(400);
    expect(legacy.body.error.code).toBe("IMG.0116");
    const native = await emu.as<ErrorBody>(OWNER, "PUT", `/v2/images/${imageId}/tags/k13`);
    expect(native.status).toBe(400);
    expect(native.body.error.code).toBe("IMG.0116");
    // Updating one of the ten keeps the count at ten and is allowed.
    expect((await emu.as(OWNER, "POST", tagsPath(), { body: { tag: { key: "k0", value: "changed" } } })).status).toBe(204);
    const after = await tagsOf(imageId);
    expect(after).toHaveLength(10);
    expect(after.find((t) => t.key === "k0")?.value).toBe("changed");
  });

  it("E24 deletes one tag (204); a missing key is 404", async () => {
    await clear(imageId);
    await emu.as(OWNER, "POST", tagsPath(), { body: { tag: { key: "gone", value: "soon" } } });
    await emu.as(OWNER, "POST", tagsPath(), { body: { tag: { key: "stays", value: "yes" } } });
    const res = await emu.as(OWNER, "DELETE", `${tagsPath()}/gone`);
    expect(res.status).toBe(204);
    expect(res.text).toBe("");
    expect(await tagsOf(imageId)).toEqual([{ key: "stays", value: "yes" }]);
    const again = await emu.as<ErrorBody>(OWNER, "DELETE", `${tagsPath()}/gone`);
    expect(again.status).toBe(404);
    expect(typeof again.body.error.code).toBe("string");
    expect(await tagsOf(imageId)).toEqual([{ key: "stays", value: "yes" }]);
  });

  it("E26 lists every key of the project's images with its distinct values", async () => {
    await clear(imageId);
    await clear(otherImageId);
    await emu.as(OWNER, "POST", tagsPath(), { body: { tag: { key: "env", value: "prod" } } });
    await emu.as(OWNER, "POST", tagsPath(), { body: { tag: { key: "solo", value: "" } } });
    await emu.as(OWNER, "POST", `/v2/${pid}/images/${otherImageId}/tags`, { body: { tag: { key: "env", value: "dev" } } });
    await emu.as(OWNER, "POST", `/v2/${pid}/images/${otherImageId}/tags`, { body: { tag: { key: "solo", value: "" } } });
    const res = await emu.as<{ tags: { key: string; values: string[] }[] }>(OWNER, "GET", `/v2/${pid}/images/tags`);
    expect(res.status).toBe(200);
    const byKey = Object.fromEntries(res.body.tags.map((t) => [t.key, [...t.values].sort()]));
    expect(byKey).toEqual({ env: ["dev", "prod"], solo: [""] });
    const other = await emu.as<{ tags: unknown[] }>(OTHER, "GET", `/v2/${emu.projectId(OTHER)}/images/tags`);
    expect(other.status).toBe(200);
    expect(other.body.tags).toEqual([]);
    const wrong = await emu.as<ErrorBody>(OWNER, "GET", `/v2/${emu.projectId(OTHER)}/images/tags`);
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe("IMG.0067");
  });

  it("GET /v2/cloudimages?tag=key=value filters by tag", async () => {
    const prod = await emu.as<{ images: Json[] }>(OWNER, "GET", "/v2/cloudimages?tag=env=prod");
    expect(prod.status).toBe(200);
    expect(prod.body.images.map((i) => i.id)).toEqual([imageId]);
    const dev = await emu.as<{ images: Json[] }>(OWNER, "GET", "/v2/cloudimages?tag=env%3Ddev");
    expect(dev.body.images.map((i) => i.id)).toEqual([otherImageId]);
    const none = await emu.as<{ images: Json[] }>(OWNER, "GET", "/v2/cloudimages?tag=env=qa");
    expect(none.body.images).toEqual([]);
    const native = await emu.as<{ images: Json[] }>(OWNER, "GET", "/v2/images?tag=env=prod");
    expect(native.body.images.map((i) => i.id)).toEqual([imageId]);
  });

  it("E20 legacy PUT takes a key.value string or an image_tag object (204)", async () => {
    await clear(imageId);
    const legacy = await emu.as(OWNER, "PUT", "/v1/cloudimages/tags", { body: { image_id: imageId, tag: "aaaa.1111" } });
    expect(legacy.status).toBe(204);
    expect(legacy.text).toBe("");
    const modern = await emu.as(OWNER, "PUT", "/v1/cloudimages/tags", { body: { image_id: imageId, image_tag: { key: "bbbb", value: "2222" } } });
    expect(modern.status).toBe(204);
    expect(await tagsOf(imageId)).toEqual([
      { key: "aaaa", value: "1111" },
      { key: "bbbb", value: "2222" },
    ]);
    const modify = await emu.as(OWNER, "PUT", "/v1/cloudimages/tags", { body: { image_id: imageId, tag: "aaaa.3333" } });
    expect(modify.status).toBe(204);
    expect((await tagsOf(imageId)).find((t) => t.key === "aaaa")?.value).toBe("3333");
    // A legacy tag is queried with key=value.
    const found = await emu.as<{ images: Json[] }>(OWNER, "GET", "/v2/cloudimages?tag=aaaa=3333");
    expect(found.body.images.map((i) => i.id)).toEqual([imageId]);
  });

  it("E20 needs exactly one of tag and image_tag, a valid tag and the caller's image", async () => {
    const both = await emu.as<ErrorBody>(OWNER, "PUT", "/v1/cloudimages/tags", {
      body: { image_id: imageId, tag: "a.b", image_tag: { key: "a", value: "b" } },
    });
    expect(both.status).toBe(400);
    const neither = await emu.as<ErrorBody>(OWNER, "PUT", "/v1/cloudimages/tags", { body: { image_id: imageId } });
    expect(neither.status).toBe(400);
    const bad = await emu.as<ErrorBody>(OWNER, "PUT", "/v1/cloudimages/tags", { body: { image_id: imageId, tag: "bad key.x" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("IMG.0115");
    const unknown = await emu.as<ErrorBody>(OWNER, "PUT", "/v1/cloudimages/tags", {
      body: { image_id: "00000000-0000-4000-8000-000000000000", tag: "a.b" },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe("IMG.0027");
  });

  it("E21 lists tag strings: legacy tags as key.value, new-style ones as key=value", async () => {
    await clear(otherImageId);
    await emu.as(OWNER, "POST", `/v2/${pid}/images/${otherImageId}/tags`, { body: { tag: { key: "cccc", value: "3333" } } });
    // Legacy tags given at creation ("tags": ["key.value"]) are legacy too.
    const created = await emu.job(OWNER, "POST", "/v2/cloudimages/action", {
      name: "tags-legacy",
      image_url: "images-bucket:ubuntu-24.04.qcow2",
      min_disk: 40,
      os_version: "Ubuntu 24.04 server 64bit",
      tags: ["dddd.4444"],
    });
    expect(created.status).toBe("SUCCESS");
    const res = await emu.as<{ tags: string[] }>(OWNER, "GET", "/v1/cloudimages/tags");
    expect(res.status).toBe(200);
    expect([...res.body.tags].sort()).toEqual(["aaaa.3333", "bbbb=2222", "cccc=3333", "dddd.4444"]);
    const filtered = await emu.as<{ tags: string[] }>(OWNER, "GET", `/v1/cloudimages/tags?id=${otherImageId}`);
    expect(filtered.body.tags).toEqual(["cccc=3333"]);
    const paged = await emu.as<{ tags: string[] }>(OWNER, "GET", "/v1/cloudimages/tags?limit=2&page=2");
    expect(paged.status).toBe(200);
    expect(paged.body.tags).toHaveLength(2);
    const other = await emu.as<{ tags: string[] }>(OTHER, "GET", "/v1/cloudimages/tags");
    expect(other.body.tags).toEqual([]);
  });

  it("E28 deletes tags in a batch (204)", async () => {
    const res = await emu.as(OWNER, "DELETE", `/v1/${pid}/cloudimages/${imageId}/tags/delete`, {
      body: { tags: [{ key: "aaaa", value: "3333" }, { key: "absent" }] },
    });
    expect(res.status).toBe(204);
    expect(await tagsOf(imageId)).toEqual([{ key: "bbbb", value: "2222" }]);
    const wrong = await emu.as<ErrorBody>(OWNER, "DELETE", `/v1/${emu.projectId(OTHER)}/cloudimages/${imageId}/tags/delete`, {
      body: { tags: [{ key: "bbbb" }] },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe("IMG.0067");
  });

  it("N12/N13 add and remove key-only tags", async () => {
    await clear(imageId);
    const put = await emu.as(OWNER, "PUT", `/v2/images/${imageId}/tags/nativetag`);
    expect(put.status).toBe(204);
    expect(put.text).toBe("");
    expect(await imageTagStrings(imageId)).toEqual(["nativetag"]);
    expect(await tagsOf(imageId)).toEqual([{ key: "nativetag", value: "" }]);
    const again = await emu.as(OWNER, "PUT", `/v2/images/${imageId}/tags/nativetag`);
    expect(again.status).toBe(204);
    expect(await tagsOf(imageId)).toHaveLength(1);
    const long = await emu.as(OWNER, "PUT", `/v2/images/${imageId}/tags/${"n".repeat(255)}`);
    expect(long.status).toBe(204);
    const del = await emu.as(OWNER, "DELETE", `/v2/images/${imageId}/tags/nativetag`);
    expect(del.status).toBe(204);
    expect(await imageTagStrings(imageId)).toEqual(["n".repeat(255)]);
  });

  it("N12 rejects keys with = or . or longer than 255 characters (IMG.0115)", async () => {
    for (const tag of ["a.b", "a%3Db", "sp%20ace", "n".repeat(256)]) {
      const res = await emu.as<ErrorBody>(OWNER, "PUT", `/v2/images/${imageId}/tags/${tag}`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("IMG.0115");
    }
    const unknown = await emu.as<ErrorBody>(OWNER, "PUT", "/v2/images/00000000-0000-4000-8000-000000000000/tags/x");
    expect(unknown.status).toBe(404);
  });
});

describe("E27 querying images by tag", () => {
  let emu: TestEmulator;
  let pid: string;
  let alpha: string;
  let beta: string;
  let gamma: string;
  const action = (body: unknown) =>
    emu.as<{ total_count: number; resources?: Json[] } & ErrorBody>(OWNER, "POST", `/v2/${pid}/images/resource_instances/action`, { body });
  const idsOf = (resources: Json[] | undefined) => (resources ?? []).map((r) => r.resource_id as string).sort();

  beforeAll(async () => {
    emu = await startTestEmulator({ jobMs: 50 });
    pid = emu.projectId(OWNER);
    [alpha, beta, gamma] = await Promise.all([
      privateImage(emu, "tagged-alpha"),
      privateImage(emu, "tagged-beta"),
      privateImage(emu, "plain-gamma"),
    ]);
    const add = async (id: string, key: string, value: string) => {
      const res = await emu.as(OWNER, "POST", `/v2/${pid}/images/${id}/tags`, { body: { tag: { key, value } } });
      expect(res.status).toBe(204);
    };
    await add(alpha, "env", "prod");
    await add(alpha, "team", "core");
    await add(beta, "env", "dev");
  });

  afterAll(async () => {
    await emu.close();
  });

  it("filter returns total_count and resources with id, name, status and tags", async () => {
    const res = await action({ action: "filter", tags: [{ key: "env", values: ["prod"] }] });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      total_count: 1,
      resources: [
        {
          resource_id: alpha,
          resource_name: "tagged-alpha",
          resource_detail: { status: "active" },
          tags: expect.arrayContaining([
            { key: "env", value: "prod" },
            { key: "team", value: "core" },
          ]),
        },
      ],
    });
    expect((res.body.resources![0].tags as unknown[]).length).toBe(2);
  });

  it("count returns only total_count", async () => {
    const res = await action({ action: "count", tags: [{ key: "env", values: [] }] });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ total_count: 2 });
  });

  it("tags needs all keys; empty values mean any value", async () => {
    expect(idsOf((await action({ action: "filter", tags: [{ key: "env", values: [] }] })).body.resources)).toEqual([alpha, beta].sort());
    expect(idsOf((await action({ action: "filter", tags: [{ key: "env", values: ["prod", "dev"] }] })).body.resources)).toEqual(
      [alpha, beta].sort(),
    );
    const both = await action({
      action: "filter",
      tags: [
        { key: "env", values: [] },
        { key: "team", values: ["core"] },
      ],
    });
    expect(idsOf(both.body.resources)).toEqual([alpha]);
    const noMatch = await action({ action: "filter", tags: [{ key: "team", values: ["other"] }] });
    expect(noMatch.body).toEqual({ total_count: 0, resources: [] });
  });

  it("tags_any needs one of the tags", async () => {
    const res = await action({
      action: "filter",
      tags_any: [
        { key: "env", values: ["dev"] },
        { key: "team", values: [] },
      ],
    });
    expect(idsOf(res.body.resources)).toEqual([alpha, beta].sort());
  });

  it("not_tags excludes images having all the tags; not_tags_any those having any", async () => {
    const not = await action({
      action: "filter",
      not_tags: [
        { key: "env", values: [] },
        { key: "team", values: [] },
      ],
    });
    expect(idsOf(not.body.resources)).toEqual([beta, gamma].sort());
    const notAny = await action({
      action: "filter",
      not_tags_any: [
        { key: "env", values: ["prod"] },
        { key: "team", values: [] },
      ],
    });
    expect(idsOf(notAny.body.resources)).toEqual([beta, gamma].sort());
    const notEnv = await action({ action: "count", not_tags_any: [{ key: "env", values: [] }] });
    expect(notEnv.body).toEqual({ total_count: 1 });
  });

  it("without_any_tag returns untagged images and ignores the tag filters", async () => {
    const res = await action({ action: "filter", without_any_tag: true, tags: [{ key: "env", values: [] }] });
    expect(res.status).toBe(200);
    expect(idsOf(res.body.resources)).toEqual([gamma]);
    expect(res.body.resources![0]).toMatchObject({ resource_name: "plain-gamma", tags: [] });
  });

  it("matches resource_name matches part of the name; resource_id exactly", async () => {
    const byName = await action({ action: "filter", matches: [{ key: "resource_name", value: "tagged" }] });
    expect(idsOf(byName.body.resources)).toEqual([alpha, beta].sort());
    const combined = await action({
      action: "count",
      matches: [{ key: "resource_name", value: "tagged" }],
      tags: [{ key: "env", values: ["dev"] }],
    });
    expect(combined.body).toEqual({ total_count: 1 });
    const byId = await action({ action: "filter", matches: [{ key: "resource_id", value: gamma }] });
    expect(idsOf(byId.body.resources)).toEqual([gamma]);
  });

  it("limit and offset are strings that page the resources; total_count counts them all", async () => {
    const first = await action({ action: "filter", limit: "2", offset: "0" });
    expect(first.status).toBe(200);
    expect(first.body.total_count).toBe(3);
    expect(first.body.resources).toHaveLength(2);
    const rest = await action({ action: "filter", limit: "2", offset: "2" });
    expect(rest.body.total_count).toBe(3);
    expect(rest.body.resources).toHaveLength(1);
    const all = [...idsOf(first.body.resources), ...idsOf(rest.body.resources)].sort();
    expect(all).toEqual([alpha, beta, gamma].sort());
    const defaults = await action({ action: "filter" });
    expect(defaults.body.resources).toHaveLength(3);
  });

  it("rejects an unknown action, numeric limit and out-of-range paging", async () => {
    for (const body of [
      { action: "Filter" },
      { action: "filter", limit: 2 },
      { action: "filter", limit: "0" },
      { action: "filter", limit: "1001" },
      { action: "filter", offset: "-1" },
    ]) {
      const res = await action(body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("IMG.0001");
    }
  });

  it("only the caller's own images are counted", async () => {
    const other = await emu.as<{ total_count: number }>(OTHER, "POST", `/v2/${emu.projectId(OTHER)}/images/resource_instances/action`, {
      body: { action: "count" },
    });
    expect(other.status).toBe(200);
    expect(other.body).toEqual({ total_count: 0 });
  });
});
