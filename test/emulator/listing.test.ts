/**
 * Listings at scale: `GET /v2/cloudimages` and `GET /v2/images` over thousands of images answer
 * exactly what the service's rules give (checked against an independent reading of them: the
 * visible images, filtered, sorted by the sort key, then creation time, then id, paged after the
 * marker's place), whether the candidates are few (sorted per request) or many (a sorted copy kept
 * until the world changes).
 */
import type { Image } from "../../emulator/domain/model";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator";
import { expectError, list, MAIN, type ImageView } from "./support";

/** A small deterministic random generator (the seed is printed when a test fails through the ids). */
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, "0");

/** `count` private images of `owner`: names, statuses, tags and creation times drawn so that ties happen. */
function seed(emu: TestEmulator, owner: string, count: number, prefix: string): Image[] {
  const rnd = random(count);
  const template = emu.world.state.images.find((i) => i.imagetype === "gold" && i.region === MAIN)!;
  const start = Date.parse("2026-03-01T00:00:00Z");
  const images: Image[] = [];
  for (let i = 0; i < count; i++) {
    // Ids in an order unrelated to creation order.
    const id = `${hex(Math.floor(rnd() * 2 ** 32), 8)}-${hex(i, 4)}-4000-8000-${hex(Math.floor(rnd() * 2 ** 32), 12)}`;
    const createdAt = start + Math.floor(i / 3) * 1000; // three images a second
    images.push({
      ...structuredClone(template),
      id,
      owner,
      name: `${prefix}-${Math.floor(rnd() * 40)}`,
      imagetype: "private",
      protected: false,
      status: rnd() < 0.1 ? "killed" : "active",
      size: Math.floor(rnd() * 5) * 1024,
      createdAt,
      updatedAt: createdAt,
      origin: { kind: "file", url: "images-bucket:ubuntu-24.04.qcow2", quick: false },
      properties: {},
      tags: [{ key: "shard", value: String(i % 7) }],
      members: [],
    });
  }
  emu.world.state.images.push(...images);
  return images;
}

/** The service's order: sort key, then creation time, then id, all in `dir`. */
function sorted(images: Image[], key: "created_at" | "name" | "size" | "status" | "id", dir: "asc" | "desc"): Image[] {
  const value = (i: Image) => (key === "created_at" ? i.createdAt : key === "name" ? i.name : key === "size" ? i.size : key === "status" ? i.status : i.id);
  const order = [...images].sort((a, b) => {
    for (const [x, y] of [
      [value(a), value(b)],
      [a.createdAt, b.createdAt],
      [a.id, b.id],
    ]) {
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  });
  return dir === "asc" ? order : order.reverse();
}

/** Every page of `query`, following the marker. */
async function allPages(emu: TestEmulator, query: string, limit: number): Promise<string[][]> {
  const pages: string[][] = [];
  let marker = "";
  for (;;) {
    const page = await list(emu, `?${query}&limit=${limit}${marker ? `&marker=${marker}` : ""}`);
    pages.push(page.map((i) => i.id));
    if (page.length < limit) return pages;
    marker = page[page.length - 1].id;
  }
}

const chunk = (ids: string[], size: number): string[][] => {
  const out: string[][] = [];
  for (let i = 0; i < ids.length; i += size) out.push(ids.slice(i, i + size));
  if (ids.length % size === 0) out.push([]);
  return out;
};

describe("listings of thousands of images", () => {
  let emu: TestEmulator;
  let owner: string;
  let many: Image[];
  let few: Image[];

  beforeAll(async () => {
    emu = await startTestEmulator();
    owner = emu.projectId(MAIN);
    // More than the emulator sorts per request for one owner, fewer for another.
    many = seed(emu, owner, 2600, "many");
    few = seed(emu, emu.projectId("ap-southeast-1_analytics"), 300, "few");
  });
  afterAll(() => emu.close());

  const live = (images: Image[]) => images.filter((i) => i.status !== "deleted");

  it.each([
    ["created_at", "desc", ""],
    ["created_at", "asc", ""],
    ["name", "asc", ""],
    ["name", "desc", "&status=active"],
    ["size", "asc", "&tag=shard=3"],
    ["status", "desc", ""],
    ["id", "asc", "&tag=shard=5"],
  ] as const)("sort_key=%s sort_dir=%s%s: every page as the rules give it, for many candidates and for few", async (key, dir, filter) => {
    const matching = (images: Image[]) =>
      live(images).filter((i) => (!filter.includes("status=") || i.status === "active") && (!filter.includes("tag=") || i.tags[0].value === filter.slice(-1)));
    for (const [images, project] of [
      [many, MAIN],
      [few, "ap-southeast-1_analytics"],
    ] as const) {
      const expected = sorted(matching(images), key, dir).map((i) => i.id);
      const query = `owner=${images[0].owner}&sort_key=${key}&sort_dir=${dir}${filter}`;
      const limit = images === many ? 500 : 70;
      const pages: string[][] = [];
      let marker = "";
      for (;;) {
        const page = await list(emu, `?${query}&limit=${limit}${marker ? `&marker=${marker}` : ""}`, project);
        pages.push(page.map((i) => i.id));
        if (page.length < limit) break;
        marker = page[page.length - 1].id;
      }
      expect(pages).toEqual(chunk(expected, limit));
    }
  });

  it("without an owner filter: the project's own images and the region's public ones, newest first", async () => {
    const gold = emu.world.state.images.filter((i) => i.imagetype === "gold" && i.region === MAIN);
    const expected = sorted([...live(many), ...gold], "created_at", "desc").map((i) => i.id);
    expect((await allPages(emu, "sort_dir=desc", 500)).flat()).toEqual(expected);
  });

  it("the Glance-compatible list pages the same way, with next links until the last page", async () => {
    const expected = sorted(live(many), "name", "asc").map((i) => i.id);
    const seen: string[] = [];
    let path: string | undefined = `/v2/images?owner=${owner}&sort_key=name&sort_dir=asc&limit=1000`;
    let pages = 0;
    while (path) {
      const res: { status: number; body: { images: ImageView[]; next?: string } } = await emu.as(MAIN, "GET", path);
      expect(res.status).toBe(200);
      seen.push(...res.body.images.map((i) => i.id));
      path = res.body.next;
      pages += 1;
    }
    expect(seen).toEqual(expected);
    expect(pages).toBe(Math.ceil(expected.length / 1000));
  });

  it("a change shows in the next listing", async () => {
    const target = sorted(live(many), "name", "asc")[1234];
    const before = await list(emu, `?owner=${owner}&sort_key=name&sort_dir=asc&limit=1`);
    const patch = [{ op: "replace", path: "/name", value: "aaa-first" }];
    const res = await emu.as(MAIN, "PATCH", `/v2/cloudimages/${target.id}`, { body: patch, headers: { "Content-Type": "application/openstack-images-v2.1-json-patch" } });
    expect(res.status).toBe(200);
    const after = await list(emu, `?owner=${owner}&sort_key=name&sort_dir=asc&limit=1`);
    expect(after.map((i) => i.id)).toEqual([target.id]);
    expect(after[0].id).not.toBe(before[0].id);
  });
});

describe("the marker", () => {
  let emu: TestEmulator;
  beforeAll(async () => {
    emu = await startTestEmulator();
    seed(emu, emu.projectId(MAIN), 12, "marker");
    seed(emu, emu.projectId("ap-southeast-1_analytics"), 3, "other");
  });
  afterAll(() => emu.close());

  it("is a place in the order: an image that no longer matches the filters still starts the next page after it", async () => {
    const query = `?owner=${emu.projectId(MAIN)}&tag=shard=1&sort_key=created_at&sort_dir=asc`;
    const all = await list(emu, query);
    expect(all.length).toBeGreaterThanOrEqual(2);
    const first = await list(emu, `${query}&limit=1`);
    // The marker's tag changes between the pages (as another client might change it).
    const res = await emu.request("PATCH", `/_emulator/images/${first[0].id}`, { body: { tags: { shard: "9" } } });
    expect(res.status).toBe(200);
    const next = await list(emu, `${query}&limit=100&marker=${first[0].id}`);
    expect(next.map((i) => i.id)).toEqual(all.slice(1).map((i) => i.id));
  });

  it("is refused (IMG.0001) when it is unknown, or an image the project cannot see", async () => {
    const hidden = emu.world.state.images.find((i) => i.name.startsWith("other-"))!;
    for (const marker of ["00000000-0000-4000-8000-000000000000", hidden.id]) {
      const res = await emu.as(MAIN, "GET", `/v2/cloudimages?limit=2&marker=${marker}`);
      expectError(res, 400, "IMG.0001");
      expect((res.body as { error: { message: string } }).error.message).toBe(`The request message format is invalid. The marker ${marker} is not an image this project can see.`);
    }
  });

  it("orders ties of the sort key by creation time, then id, in the asked direction", async () => {
    const owner = emu.projectId(MAIN);
    const mine = emu.world.state.images.filter((i) => i.owner === owner && i.status !== "deleted" && i.imagetype === "private");
    for (const image of mine) image.name = "same-name";
    const asc = await list(emu, `?owner=${owner}&sort_key=name&sort_dir=asc`);
    expect(asc.map((i) => i.id)).toEqual(sorted(mine, "name", "asc").map((i) => i.id));
    const desc = await list(emu, `?owner=${owner}&sort_key=name&sort_dir=desc`);
    expect(desc.map((i) => i.id)).toEqual(asc.map((i) => i.id).reverse());
    // Creation time first, then id: not the ids' order alone.
    expect(asc.map((i) => i.id)).not.toEqual([...asc.map((i) => i.id)].sort());
  });
});
