/**
 * The lookup functions against ims-emulator, over a world of a few hundred images seeded through the
 * admin API (`GET /_emulator/state`, edited, `PUT /_emulator/world`): public images, the project's own
 * (some shared out), images other projects shared with it (accepted, pending, rejected) or kept
 * private, images of another region; mixed names, tags, OS versions, architectures, disk formats,
 * sizes, statuses and creation times (ties included). The expected answer of every search is worked
 * out from the world's records here, independently of the lookups' code.
 *
 * Paging: most searches ask for pages of 7 images (the implementation's `pageSize`, which the SDK does
 * not expose), so that a search crosses many `marker` pages; one world of more than 500 images checks
 * the service's own page of 500.
 */
import { createHash } from "node:crypto";
import type { Image, WorldState } from "../../emulator/domain/model";
import { getImage, getImages, getOsVersions, getQuota, LookupError, type LookupContext } from "../../provider/lookups";
import type { TestEmulator } from "../helpers/emulator";
import { admin, ANALYTICS, expectJsonClean, expectNoSecret, MAIN, providerEmulator, rejection, shutdown } from "./support";

jest.setTimeout(120_000);

const PLATFORM = "ap-southeast-1_platform";
const REMOTE = "ap-southeast-3";

/** A small deterministic random source (mulberry32), so every run seeds the same world. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
  return { next, pick, chance: (p: number): boolean => next() < p };
}

const uuid = (seed: string): string => {
  const h = createHash("sha256").update(seed).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

/** OS versions of the emulated region and their platforms (Values of Related Parameters). */
const OS = [
  ["Ubuntu 24.04 server 64bit", "Ubuntu"],
  ["Ubuntu 22.04 server 64bit", "Ubuntu"],
  ["CentOS 7.9 64bit", "CentOS"],
  ["EulerOS 2.9 64bit", "EulerOS"],
  ["Windows Server 2022 Datacenter 64bit", "Windows"],
  ["Other Linux(64 bit)", "Other"],
] as const;
const PLATFORM_OF: Record<string, string> = Object.fromEntries(OS);
const NAMES = ["web", "web-1", "web-2", "Web", "db", "base", "cache-arm", "logs"];
const FORMATS = ["qcow2", "zvhd2", "vhd", "raw"];
const STATUSES = ["active", "queued", "saving", "killed"] as const;
const START = Date.parse("2026-03-01T00:00:00Z");

type Kind = "public" | "own" | "own-shared" | "accepted" | "pending" | "rejected" | "foreign" | "remote";
const KINDS: [Kind, number][] = [
  ["public", 0.18],
  ["own", 0.3],
  ["own-shared", 0.1],
  ["accepted", 0.12],
  ["pending", 0.06],
  ["rejected", 0.04],
  ["foreign", 0.08],
  ["remote", 0.12],
];

/**
 * `count` images of every kind, edited into `state` (images whose `id` starts with `prefix`).
 * Each fifth image takes the creation time of an earlier one: ties to the second, as the service's
 * times have.
 */
function seedImages(state: WorldState, count: number, seed: number, prefix: string, extraTags: Record<string, string> = {}): Image[] {
  const rnd = random(seed);
  const project = (name: string) => state.projects.find((p) => p.name === name)!.id;
  const [main, analytics, platform, remote] = [MAIN, ANALYTICS, PLATFORM, REMOTE].map(project);
  const images: Image[] = [];
  for (let i = 0; i < count; i++) {
    let roll = rnd.next();
    const kind = KINDS.find(([, weight]) => (roll -= weight) < 0)?.[0] ?? "own";
    const [osVersion] = rnd.pick(OS);
    const status = rnd.chance(0.8) ? "active" : rnd.pick(STATUSES.slice(1));
    const createdAt = i >= 5 && i % 5 === 0 ? images[Math.floor(rnd.next() * i)].createdAt : START + Math.floor(rnd.next() * 30 * 86_400) * 1000;
    const tags = [
      ...(rnd.chance(0.6) ? [{ key: "team", value: rnd.pick(["a", "b", "c"]) }] : []),
      ...(rnd.chance(0.5) ? [{ key: "env", value: rnd.pick(["prod", "dev"]) }] : []),
      ...(rnd.chance(0.1) ? [{ key: "golden", value: "" }] : []),
      ...Object.entries(extraTags).map(([key, value]) => ({ key, value })),
    ];
    const owner = kind === "public" ? platform : kind === "remote" ? remote : kind.startsWith("own") ? main : analytics;
    const member = (memberId: string, memberStatus: "accepted" | "pending" | "rejected") => ({
      memberId,
      memberType: "project" as const,
      status: memberStatus,
      createdAt: START,
      updatedAt: START,
    });
    const members =
      kind === "own-shared"
        ? [member(analytics, rnd.pick(["accepted", "pending"] as const))]
        : kind === "accepted" || kind === "pending" || kind === "rejected"
          ? [member(main, kind)]
          : [];
    images.push({
      id: uuid(`${prefix}:${i}`),
      region: kind === "remote" ? REMOTE : MAIN,
      owner,
      name: rnd.chance(0.25) ? `img-${i}` : rnd.pick(NAMES),
      description: "",
      status,
      imagetype: kind === "public" ? "gold" : "private",
      protected: kind === "public",
      registered: true,
      containerFormat: "bare",
      diskFormat: rnd.pick(FORMATS),
      minDisk: 40,
      minRam: 0,
      osVersion,
      virtualEnvType: "FusionCompute",
      size: 1_000_000 + Math.floor(rnd.next() * 5_000_000_000),
      checksum: "d41d8cd98f00b204e9800998ecf8427e",
      createdAt,
      updatedAt: createdAt,
      origin: kind === "public" ? { kind: "public" } : { kind: "file", url: "images-bucket:ubuntu-24.04.qcow2", quick: false },
      properties: rnd.chance(0.25) ? { __support_arm: "true" } : {},
      tags,
      members,
    });
  }
  state.images.push(...images);
  return images;
}

/** What a project sees of an image, worked out from the emulator's record ("Image Attributes"; visibility rules). */
interface Expected {
  id: string;
  name: string;
  imageType: string;
  owner: string;
  osVersion: string;
  platform: string;
  architecture: string;
  status: string;
  tags: Record<string, string>;
  diskFormat: string;
  sizeBytes: number;
  createdAt: number;
}

function seenBy(image: Image, projectId: string, region: string): Expected | undefined {
  const member = image.members.find((m) => m.memberId === projectId);
  const visible = image.region === region && image.status !== "deleted" && (image.imagetype === "gold" || image.owner === projectId || member?.status === "accepted");
  if (!visible) return undefined;
  return {
    id: image.id,
    name: image.name,
    imageType: image.imagetype === "gold" ? "public" : image.owner === projectId && image.members.length === 0 ? "private" : "shared",
    owner: image.owner,
    osVersion: image.osVersion,
    platform: PLATFORM_OF[image.osVersion],
    architecture: image.properties.__support_arm === "true" ? "arm" : "x86",
    status: image.status,
    tags: Object.fromEntries(image.tags.map((t) => [t.key, t.value])),
    diskFormat: image.diskFormat,
    sizeBytes: image.status === "active" ? image.size : 0,
    createdAt: image.createdAt,
  };
}

type Filters = Record<string, unknown>;

/** Whether an image passes the filters, as the README describes them. */
function passes(image: Expected, filters: Filters): boolean {
  const f = filters as { name?: string; nameRegex?: string | RegExp; status?: string; tags?: Record<string, string>; minSizeBytes?: number } & Record<string, string>;
  if ((f.status ?? "active") !== image.status) return false;
  if (f.name !== undefined && f.name !== image.name) return false;
  if (f.nameRegex !== undefined && !new RegExp(f.nameRegex).test(image.name)) return false;
  for (const key of ["imageType", "owner", "osVersion", "platform", "architecture", "diskFormat"] as const) {
    if (f[key] !== undefined && f[key] !== image[key]) return false;
  }
  if (f.tags !== undefined && Object.entries(f.tags).some(([k, v]) => image.tags[k] !== v)) return false;
  return f.minSizeBytes === undefined || image.sizeBytes >= f.minSizeBytes;
}

/** The matches of a search in the emulator's world, newest first, then by name, then by id. */
function expected(emu: TestEmulator, filters: Filters, project = MAIN, region = MAIN): Expected[] {
  const projectId = emu.projectId(project);
  return emu.world.state.images
    .map((image) => seenBy(image, projectId, region))
    .filter((image): image is Expected => image !== undefined && passes(image, filters))
    .sort((a, b) => b.createdAt - a.createdAt || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) || (a.id < b.id ? -1 : 1));
}

let emu: TestEmulator;
let context: LookupContext;
let main: string;
let analytics: string;
let platform: string;

/** The stack configuration: the main project's AK/SK, and a profile acting as the analytics project. */
function configuration(extra: Record<string, string> = {}): LookupContext["config"] {
  const key = emu.accessKey(MAIN);
  const other = emu.accessKey(ANALYTICS);
  const values: Record<string, string> = {
    "ims:region": MAIN,
    "ims:endpoint": emu.url,
    "ims:authUrl": `${emu.url}/v3`,
    "ims:accessKey": key.access,
    "ims:secretKey": key.secret,
    "ims:profiles": JSON.stringify({ analytics: { accessKey: other.access, secretKey: other.secret, projectId: emu.projectId(ANALYTICS), region: MAIN } }),
    ...extra,
  };
  return { get: (k: string) => values[k] };
}

/** Replaces the emulator's world by its current state with `edit` applied. */
async function reseed(edit: (state: WorldState) => void): Promise<void> {
  const state = (await admin(emu, "GET", "/_emulator/state")) as WorldState;
  edit(state);
  await admin(emu, "PUT", "/_emulator/world", state);
}

/** How many listing requests (`GET /v2/cloudimages`) the emulator answered since the last call. */
async function listings(): Promise<number> {
  const metrics = (await admin(emu, "GET", "/_emulator/metrics")) as { routes: { method: string; route: string; count: number }[] };
  await admin(emu, "DELETE", "/_emulator/metrics");
  return metrics.routes.filter((r) => r.method === "GET" && r.route === "/v2/cloudimages").reduce((n, r) => n + r.count, 0);
}

/** The LookupError of a lookup, checked to show no secret. */
async function lookupError(promise: Promise<unknown>): Promise<LookupError> {
  const error = await rejection(emu, promise);
  expect(error).toBeInstanceOf(LookupError);
  return error as LookupError;
}

beforeAll(async () => {
  emu = await providerEmulator(100);
  main = emu.projectId(MAIN);
  analytics = emu.projectId(ANALYTICS);
  platform = emu.projectId(PLATFORM);
  await reseed((state) => seedImages(state, 320, 20260301, "mixed"));
  context = { config: configuration(), pageSize: 7 };
});

afterAll(async () => {
  await shutdown(emu);
});

describe("the seeded world", () => {
  it("holds a few hundred images the main project sees, of every kind", () => {
    const all = expected(emu, { status: "active" }).concat(...STATUSES.slice(1).map((status) => expected(emu, { status })));
    expect(all.length).toBeGreaterThanOrEqual(200);
    const count = (p: (e: Expected) => boolean) => all.filter(p).length;
    for (const n of [count((e) => e.imageType === "public"), count((e) => e.imageType === "private"), count((e) => e.imageType === "shared" && e.owner === main), count((e) => e.owner === analytics), count((e) => e.architecture === "arm")]) {
      expect(n).toBeGreaterThan(5);
    }
    // Creation times tie (same second) among active images, so the order's second and third keys matter.
    const active = expected(emu, {});
    expect(new Set(active.map((e) => e.createdAt)).size).toBeLessThan(active.length);
    // Hidden from the main project: pending and rejected shares, other projects' private images, another region.
    const hidden = emu.world.state.images.filter((i) => !seenBy(i, main, MAIN));
    expect(hidden.length).toBeGreaterThan(20);
  });
});

describe("getImages", () => {
  it("returns exactly the world's matches across many pages, newest first, then by name", async () => {
    await listings();
    const result = await getImages({}, context);
    const want = expected(emu, {});
    expect(result.ids).toEqual(want.map((e) => e.id));
    expect(result.images.map((i) => i.id)).toEqual(result.ids);
    expect(result).toMatchObject({ region: MAIN, projectId: main });
    // Pages of 7 until a short one: the service listed every active image it shows the project.
    expect(await listings()).toBe(Math.floor(want.length / 7) + 1);
    expectJsonClean(result);
  });

  it("maps each image's attributes as the world holds them", async () => {
    const { images } = await getImages({ status: "active" }, { ...context, pageSize: 100 });
    const byId = new Map(expected(emu, {}).map((e) => [e.id, e]));
    for (const image of images) {
      const e = byId.get(image.id)!;
      expect({ ...image, createdAt: Date.parse(image.createdAt) }).toMatchObject({ ...e, region: MAIN });
    }
  });

  it.each([
    ...NAMES.map((name) => ({ name })),
    { nameRegex: "^web" },
    { nameRegex: /^WEB-\d$/i },
    { nameRegex: "arm$", architecture: "arm" },
    ...["private", "shared", "public", "market"].map((imageType) => ({ imageType })),
    ...OS.map(([osVersion]) => ({ osVersion })),
    ...["Ubuntu", "Windows", "Other"].map((platform) => ({ platform })),
    { architecture: "arm" },
    { architecture: "x86", imageType: "public" },
    ...STATUSES.map((status) => ({ status })),
    { tags: { team: "a" } },
    { tags: { team: "b", env: "prod" } },
    { tags: { golden: "" } },
    { tags: { env: "dev", golden: "" }, status: "queued" },
    ...FORMATS.map((diskFormat) => ({ diskFormat })),
    { minSizeBytes: 2_500_000_000 },
    { minSizeBytes: 4_000_000_000, imageType: "private" },
    { imageType: "shared", tags: { team: "c" } },
    { name: "web", imageType: "private", diskFormat: "qcow2" },
  ])("finds what the world holds for %p", async (filters) => {
    const want = expected(emu, filters);
    const result = await getImages(filters, context);
    expect(result.ids).toEqual(want.map((e) => e.id));
  });

  it("finds the owners' images: the project's own, the analytics project's shares, the platform's public ones", async () => {
    for (const owner of [main, analytics, platform]) {
      const result = await getImages({ owner }, { ...context, pageSize: 25 });
      expect(result.ids).toEqual(expected(emu, { owner }).map((e) => e.id));
      expect(result.ids.length).toBeGreaterThan(0);
    }
    expect((await getImages({ owner: "0".repeat(32) }, context)).ids).toEqual([]);
  });

  it("looks in another region with the region's default project, and with a profile as another project", async () => {
    const remote = await getImages({ region: REMOTE }, context);
    expect(remote).toMatchObject({ region: REMOTE, projectId: emu.projectId(REMOTE) });
    expect(remote.ids).toEqual(expected(emu, {}, REMOTE, REMOTE).map((e) => e.id));
    expect(remote.images.every((i) => i.region === REMOTE)).toBe(true);

    const theirs = await getImages({ profile: "analytics" }, context);
    expect(theirs.projectId).toBe(analytics);
    expect(theirs.ids).toEqual(expected(emu, {}, ANALYTICS).map((e) => e.id));
    expect(theirs.ids).not.toEqual(expected(emu, {}).map((e) => e.id));
  });
});

describe("getImage", () => {
  const rnd = random(7);

  /** Filters built from a random visible image: its name, owner and some of its tags and attributes. */
  function around(): Filters {
    const pool = expected(emu, { status: rnd.pick(STATUSES) });
    const e = rnd.pick(pool);
    const filters: Filters = { name: e.name };
    if (e.status !== "active") filters.status = e.status;
    if (rnd.chance(0.5)) filters.owner = e.owner;
    if (rnd.chance(0.5) && Object.keys(e.tags).length > 0) filters.tags = e.tags;
    if (rnd.chance(0.3)) filters.imageType = e.imageType;
    if (rnd.chance(0.3)) filters.architecture = e.architecture;
    if (rnd.chance(0.3)) filters.osVersion = e.osVersion;
    if (rnd.chance(0.2)) filters.diskFormat = e.diskFormat;
    return filters;
  }

  const combinations: Filters[] = [];
  beforeAll(() => {
    for (let i = 0; i < 60; i++) combinations.push(around());
  });

  it("finds the one image, or says how many matched, for many filter combinations", async () => {
    let unique = 0;
    let several = 0;
    for (const filters of combinations) {
      const want = expected(emu, filters);
      if (want.length === 1) {
        unique += 1;
        expect((await getImage(filters, context)).id).toBe(want[0].id);
      } else {
        several += 1;
        const error = await lookupError(getImage(filters, context));
        expect(error.message).toContain(`: ${want.length} images match `);
        for (const e of want.slice(0, 5)) expect(error.message).toContain(`${e.id} ${JSON.stringify(e.name)}`);
        expect(error.message).toContain("Set mostRecent: true");
      }
    }
    // Both outcomes were exercised.
    expect([unique > 5, several > 5]).toEqual([true, true]);
  });

  it("with mostRecent, takes the first of a sort of the world by creation time (then name, then id)", async () => {
    const searches: Filters[] = [{}, { name: "web" }, { imageType: "public" }, { tags: { team: "a" } }, { architecture: "arm", status: "saving" }, ...combinations.slice(0, 20)];
    for (const filters of searches) {
      const want = expected(emu, filters);
      const found = await getImage({ ...filters, mostRecent: true }, { ...context, pageSize: 50 });
      expect(found.id).toBe(want[0].id);
      expect(Date.parse(found.createdAt)).toBe(Math.max(...want.map((e) => e.createdAt)));
    }
  });

  it("breaks ties of creation time by name, then id", async () => {
    const active = expected(emu, {});
    const tied = active.filter((e) => active.some((o) => o !== e && o.createdAt === e.createdAt));
    expect(tied.length).toBeGreaterThan(1);
    const at = tied[0].createdAt;
    const since = new Date(at).toISOString().replace(".000", "");
    const statuses = new Map(emu.world.state.images.map((i) => [i.id, i.status]));
    // The images created later are killed: the tie of that second is then the newest.
    await reseed((state) => {
      const late = state.images.filter((i) => i.createdAt > at);
      for (const image of late) image.status = "killed";
    });
    try {
      const found = await getImage({ mostRecent: true }, context);
      const names = tied.filter((e) => e.createdAt === at).map((e) => e.name).sort();
      expect(found.name).toBe(names[0]);
      expect(found.createdAt).toBe(since);
      expect(found.id).toBe(expected(emu, {})[0].id);
    } finally {
      await reseed((state) => {
        for (const image of state.images) image.status = statuses.get(image.id) ?? image.status;
      });
    }
  });

  it("says what was searched, where, and what to do when nothing matches", async () => {
    // The name and team of an own private image: the service lists it, the regular expression then leaves nothing.
    const mine = expected(emu, { imageType: "private" }).find((e) => e.tags.team !== undefined)!;
    const filters = { name: mine.name, nameRegex: "^nothing", tags: { team: mine.tags.team }, imageType: "private" };
    const listed = expected(emu, { name: mine.name, imageType: "private", tags: { team: mine.tags.team } }).length;
    expect(listed).toBeGreaterThan(0);
    const error = await lookupError(getImage(filters, context));
    expect(error.message).toBe(
      `getImage: no image matches name ${JSON.stringify(mine.name)}, nameRegex /^nothing/, imageType private, status active (the default), tags {team: "${mine.tags.team}"} in region ap-southeast-1 (project ${main}). ` +
        `The service listed ${listed} image${listed === 1 ? "" : "s"} for the filters it applies; none passes nameRegex. ` +
        "Check the values, or widen the search: status is active unless given (an image still being created is queued or saving), " +
        "public images are imageType public, and an image shared with this project is found only once the project has accepted it.",
    );
    const none = await lookupError(getImage({ name: "no-such-image", profile: "analytics" }, context));
    expect(none.message).toMatch(new RegExp(`^getImage: no image matches name "no-such-image", status active \\(the default\\) in region ap-southeast-1 \\(project ${analytics}, profile "analytics"\\)\\. Check the values`));
  });

  it("does not find a share the project has not accepted (pending or rejected)", async () => {
    for (const status of ["pending", "rejected"] as const) {
      const share = emu.world.state.images.find((i) => i.status === "active" && i.members.some((m) => m.memberId === main && m.status === status))!;
      await admin(emu, "PATCH", `/_emulator/images/${share.id}`, { name: `${status}-share` });
      expect((await getImages({ name: `${status}-share` }, context)).ids).toEqual([]);
      const error = await lookupError(getImage({ name: `${status}-share`, owner: analytics }, context));
      expect(error.message).toMatch(/^getImage: no image matches name "\w+-share", owner \w+, status active \(the default\) in region .* found only once the project has accepted it\.$/);
      // The owner sees it, shared.
      expect((await getImage({ name: `${status}-share`, profile: "analytics" }, context)).imageType).toBe("shared");
    }
  });
});

describe("the service's page of 500", () => {
  it("reads every page of a listing longer than 500 images", async () => {
    let bulk: Image[] = [];
    await reseed((state) => {
      bulk = seedImages(state, 620, 99, "bulk", { bulk: "yes" });
      for (const image of bulk) {
        image.status = "active";
        image.region = MAIN;
        image.imagetype = "private";
        image.owner = state.projects.find((p) => p.name === MAIN)!.id;
        image.members = [];
      }
    });
    await listings();
    const result = await getImages({ tags: { bulk: "yes" } }, { config: context.config });
    expect(result.ids).toEqual(expected(emu, { tags: { bulk: "yes" } }).map((e) => e.id));
    expect(result.ids).toHaveLength(620);
    expect(await listings()).toBe(2);
    const everything = await getImages({}, { config: context.config });
    expect(everything.ids).toEqual(expected(emu, {}).map((e) => e.id));
    expect(everything.ids.length).toBeGreaterThan(620);
    expect(await listings()).toBe(Math.floor(everything.ids.length / 500) + 1);
  });
});

describe("getOsVersions and getQuota", () => {
  /** The OS versions the emulator lists for these tags, read over HTTP and flattened here. */
  async function listed(tags: string[]): Promise<{ platform: string; osVersion: string; osType: string; osBit: number }[]> {
    const query = tags.map((t) => `tag=${t}`).join("&");
    const res = await emu.as<{ platform: string; version_list: { os_version: string; os_type: string; os_bit: number }[] }[]>(MAIN, "GET", `/v1/cloudimages/os_version${query ? `?${query}` : ""}`);
    return res.body.flatMap((g) => g.version_list.map((v) => ({ platform: g.platform, osVersion: v.os_version, osType: v.os_type, osBit: v.os_bit })));
  }

  it("lists the supported OS versions, all of them or those with every tag given", async () => {
    const all = await getOsVersions({}, context);
    expect(all).toEqual({ region: MAIN, osVersions: await listed([]) });
    expect(all.osVersions.length).toBeGreaterThan(10);
    const armUefi = await getOsVersions({ tags: ["arm", "uefi"] }, context);
    expect(armUefi.osVersions).toEqual(await listed(["arm", "uefi"]));
    expect(armUefi.osVersions.length).toBeLessThan(all.osVersions.length);
    expect(armUefi.osVersions.length).toBeGreaterThan(0);
    expect((await getOsVersions({ region: REMOTE }, context)).region).toBe(REMOTE);
    expectJsonClean(all);
  });

  it("gives the private-image quota of the project: what it holds, its limit and the limit's range", async () => {
    const holds = (projectId: string) => emu.world.state.images.filter((i) => i.owner === projectId && i.status !== "deleted").length;
    expect(await getQuota({}, context)).toEqual({ region: MAIN, projectId: main, used: holds(main), quota: emu.world.state.imageQuota, min: 1, max: 1000 });
    expect(await getQuota({ profile: "analytics" }, context)).toMatchObject({ projectId: analytics, used: holds(analytics) });
    expect(holds(main)).not.toBe(holds(analytics));
  });
});

describe("errors", () => {
  it("refuses bad arguments before any call", async () => {
    await listings();
    const error = await lookupError(getImages({ imageType: "gold", nameRegex: "(" }, context));
    expect(error.message).toMatch(/^getImages: nameRegex "\(" is not a valid regular expression .*; imageType must be one of private, shared, public, market, not "gold"/);
    expect(await listings()).toBe(0);
  });

  it("names the function and the setting when the configuration is wrong, and shows no secret", async () => {
    const error = await lookupError(getQuota({ profile: "nobody" }, context));
    expect(error.message).toBe('getQuota: The profile "nobody" is not defined in ims:profiles; the profiles are "analytics".');
    const refused = await lookupError(getImages({}, { config: configuration({ "ims:accessKey": "AKLOOKUPSUNKNOWN0001", "ims:secretKey": "sk-lookups-never-shown" }) }));
    expect(refused.message).toMatch(/^getImages: .*401/);
    expectNoSecret(emu, refused, ["sk-lookups-never-shown"]);
  });
});
