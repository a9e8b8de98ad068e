/**
 * The pure parts of the lookup functions: reading the arguments, the listing request, the filters
 * applied to what the service lists, the order, the images as returned, and the messages of a
 * search that finds none or several. Then the SDK's side: errors reach the program as RunErrors,
 * the program's configuration is used, and the types match the implementation's results exactly.
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { Image } from "../../provider/client";
import { ArgsReader, LookupError } from "../../provider/lookups/args";
import {
  describeFilters,
  LISTED_IN_MESSAGES,
  matches,
  newestFirst,
  noneFound,
  readImageQuery,
  serviceQuery,
  severalFound,
  type ImageQuery,
} from "../../provider/lookups/filters";
import type * as Lookups from "../../provider/lookups";
import { imageInfo, imageQuota, osVersionInfos, parseTags, type ImageInfo } from "../../provider/lookups/results";
import * as sdk from "../../sdk";
import { expectJsonClean } from "../provider/support";

/** The LookupError `fn` throws. */
function errorOf(fn: () => unknown): LookupError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(LookupError);
    return error as LookupError;
  }
  throw new Error("expected a LookupError, but nothing was thrown");
}

/** An image object as `GET /v2/cloudimages` returns it ("Image Attributes"). */
function serviceImage(overrides: Record<string, unknown> = {}): Image {
  return {
    id: "6a1d3f7e-0000-4000-8000-000000000001",
    name: "web",
    status: "active",
    visibility: "private",
    owner: "0123456789abcdef0123456789abcdef",
    protected: false,
    disk_format: "qcow2",
    container_format: "bare",
    min_disk: 40,
    min_ram: 1024,
    max_ram: "4096",
    tags: ["team=platform", "legacy.value", "bare"],
    created_at: "2026-02-01T10:00:00Z",
    updated_at: "2026-02-02T10:00:00Z",
    virtual_env_type: "FusionCompute",
    __imagetype: "private",
    __os_version: "Ubuntu 24.04 server 64bit",
    __os_type: "Linux",
    __os_bit: "64",
    __platform: "Ubuntu",
    __description: "Golden",
    __image_size: "2147483648",
    hw_firmware_type: "uefi",
    ...overrides,
  } as Image;
}

/** An image as the lookups return it. */
const info = (overrides: Record<string, unknown> = {}): ImageInfo => imageInfo(serviceImage(overrides), "ap-southeast-1");

const place = { region: "ap-southeast-1", projectId: "0123456789abcdef0123456789abcdef" };

/** A value for every filter but status. */
const EVERY_FILTER = {
  name: "web",
  nameRegex: "^w",
  imageType: "public",
  owner: "abc",
  osVersion: "Ubuntu 24.04 server 64bit",
  platform: "Ubuntu",
  architecture: "arm",
  tags: { team: "platform", env: "prod", bare: "" },
  diskFormat: "qcow2",
  minSizeBytes: 10,
};

describe("reading the arguments", () => {
  it("takes no arguments: active images, anywhere the configuration says", () => {
    const query = readImageQuery("getImage", undefined);
    expect(query).toEqual({ fn: "getImage", filters: { status: "active" }, statusGiven: false, target: {}, mostRecent: false });
    expect(readImageQuery("getImages", null).filters).toEqual({ status: "active" });
  });

  it("reads every filter, the region, the profile and mostRecent", () => {
    const query = readImageQuery("getImage", { ...EVERY_FILTER, status: "saving", region: "ap-southeast-3", profile: "analytics", mostRecent: true });
    expect(query.filters).toMatchObject({ name: "web", imageType: "public", owner: "abc", architecture: "arm", status: "saving", diskFormat: "qcow2", minSizeBytes: 10 });
    expect(query.filters.nameRegex).toEqual(/^w/);
    // Tags in key order, so the tag the service applies does not depend on how the object was written.
    expect(query.filters.tags).toEqual([["bare", ""], ["env", "prod"], ["team", "platform"]]);
    expect(query).toMatchObject({ statusGiven: true, target: { region: "ap-southeast-3", profile: "analytics" }, mostRecent: true });
  });

  it("reports every problem at once, before any call, and names the function", () => {
    const error = errorOf(() =>
      readImageQuery("getImage", { nmae: "web", imageType: "gold", architecture: "aarch64", status: "deleted", tags: { team: 1 }, minSizeBytes: -1, mostRecent: "yes", region: "" }),
    );
    expect(error.message).toMatch(/^getImage: /);
    expect(error.message).toContain('nmae is not an argument of getImage; its arguments are name, nameRegex, imageType, owner, osVersion, platform, architecture, status, tags, diskFormat, minSizeBytes, region, profile, mostRecent');
    expect(error.message).toContain(`imageType must be one of private, shared, public, market, not "gold" (the service's name of public)`);
    expect(error.message).toContain('architecture must be one of x86, arm, not "aarch64"');
    expect(error.message).toContain('status must be one of active, queued, saving, killed, not "deleted"');
    expect(error.message).toContain("tags must be an object of tag keys to string values");
    expect(error.message).toContain("minSizeBytes must be a whole number of 0 or more, not -1");
    expect(error.message).toContain('mostRecent must be true or false, not "yes"');
    expect(error.message).toContain('region must be a non-empty string, not ""');
  });

  it("has no mostRecent in getImages", () => {
    expect(errorOf(() => readImageQuery("getImages", { mostRecent: true })).message).toMatch(/^getImages: mostRecent is not an argument of getImages/);
  });

  it("takes a regular expression as text or as a RegExp, whose g and y flags it drops", () => {
    expect(errorOf(() => readImageQuery("getImages", { nameRegex: "web-(" })).message).toMatch(/nameRegex "web-\(" is not a valid regular expression \(/);
    expect(errorOf(() => readImageQuery("getImages", { nameRegex: {} })).message).toContain("nameRegex must be a regular expression or its text");
    const regex = readImageQuery("getImages", { nameRegex: /^web/gi }).filters.nameRegex!;
    expect(regex.flags).toBe("i");
    // A global RegExp would remember where it stopped and fail every other name.
    expect([regex.test("WEB-1"), regex.test("web-2"), regex.test("web-3")]).toEqual([true, true, true]);
  });

  it("refuses what is not an object of arguments", () => {
    expect(errorOf(() => readImageQuery("getImage", "web")).message).toBe('getImage takes an object of arguments, e.g. getImage({ region: "ap-southeast-1" }); it was given "web".');
    expect(errorOf(() => readImageQuery("getImages", ["web"])).message).toMatch(/^getImages takes an object of arguments/);
  });

  it("reads lists of allowed values, once each", () => {
    const reader = new ArgsReader("getOsVersions", { tags: ["arm", "uefi", "arm"] }, ["tags"]);
    expect(reader.listOf("tags", ["bms", "uefi", "arm", "x86"])).toEqual(["arm", "uefi"]);
    reader.done();
    const bad = new ArgsReader("getOsVersions", { tags: ["kvm"] }, ["tags"]);
    bad.listOf("tags", ["bms", "uefi", "arm", "x86"]);
    expect(errorOf(() => bad.done()).message).toBe('getOsVersions: tags must be a list of bms, uefi, arm, x86, not ["kvm"].');
  });

  it("takes null as not given (an unwrapped Output may hold it)", () => {
    expect(readImageQuery("getImage", { name: null, tags: null, mostRecent: null }).filters).toEqual({ status: "active" });
  });
});

describe("the listing request", () => {
  it("sends every filter the service applies, by the names of Querying Images, newest first", () => {
    const query = readImageQuery("getImages", EVERY_FILTER);
    expect(serviceQuery(query, 50)).toEqual({
      limit: 50,
      sortKey: "created_at",
      sortDir: "desc",
      extra: {
        name: "web",
        __imagetype: "gold",
        owner: "abc",
        __os_version: "Ubuntu 24.04 server 64bit",
        __platform: "Ubuntu",
        architecture: "arm",
        status: "active",
        // One tag: the first by key; the others are tested on what comes back.
        tag: "bare",
        disk_format: "qcow2",
      },
    });
    expect(serviceQuery(readImageQuery("getImages", { tags: { team: "platform" } }), 500).extra).toEqual({ status: "active", tag: "team=platform" });
  });
});

describe("an image as returned", () => {
  it("has plain names, numbers for numbers, tags as an object, and nothing undefined", () => {
    const image = info();
    expect(image).toEqual({
      id: "6a1d3f7e-0000-4000-8000-000000000001",
      name: "web",
      region: "ap-southeast-1",
      owner: "0123456789abcdef0123456789abcdef",
      status: "active",
      imageType: "private",
      visibility: "private",
      description: "Golden",
      tags: { team: "platform", legacy: "value", bare: "" },
      createdAt: "2026-02-01T10:00:00Z",
      updatedAt: "2026-02-02T10:00:00Z",
      osVersion: "Ubuntu 24.04 server 64bit",
      osType: "Linux",
      osBit: 64,
      platform: "Ubuntu",
      architecture: "x86",
      firmware: "uefi",
      virtualEnvType: "FusionCompute",
      diskFormat: "qcow2",
      minDisk: 40,
      minRam: 1024,
      maxRam: 4096,
      sizeBytes: 2147483648,
      protected: false,
      wholeImage: false,
      cmkId: "",
    });
    expectJsonClean(image);
  });

  it("calls gold images public, and reads the architecture from architecture or __support_arm", () => {
    expect(info({ __imagetype: "gold", visibility: "public", protected: true })).toMatchObject({ imageType: "public", visibility: "public", protected: true });
    expect(info({ __support_arm: "true" }).architecture).toBe("arm");
    expect(info({ __support_arm: "false" }).architecture).toBe("x86");
    expect(info({ architecture: "arm" }).architecture).toBe("arm");
  });

  it("fills what the service leaves out with empty values, never undefined", () => {
    const bare = imageInfo({ id: "i", name: "n", status: "queued" } as Image, "r");
    expect(bare).toMatchObject({ owner: "", imageType: "", tags: {}, osBit: 0, sizeBytes: 0, maxRam: 0, minDisk: 0, firmware: "", createdAt: "", wholeImage: false });
    expectJsonClean(bare);
    expect(info({ __image_size: "not a number", max_ram: "", __whole_image: "true" })).toMatchObject({ sizeBytes: 0, maxRam: 0, wholeImage: true });
  });

  it("parses key=value, legacy key.value and bare-key tags", () => {
    expect(parseTags(["a=b", "c.d", "e", "f=g.h", "i=", "j.k=l"])).toEqual({ a: "b", c: "d", e: "", f: "g.h", i: "", "j.k": "l" });
    expect(parseTags(undefined)).toEqual({});
    const odd = parseTags(["__proto__=x", "constructor"]);
    expect([Object.keys(odd), odd.__proto__ as unknown, odd.constructor as unknown]).toEqual([["__proto__", "constructor"], "x", ""]);
    expect(matches(imageInfo(serviceImage({ tags: ["__proto__=x"] }), "r"), readImageQuery("getImages", { tags: JSON.parse('{"__proto__":"x"}') }))).toBe(true);
    expect(matches(imageInfo(serviceImage({ tags: [] }), "r"), readImageQuery("getImages", { tags: { constructor: "" } }))).toBe(false);
  });

  it("flattens the OS versions and picks the private-image quota", () => {
    const groups = [
      { platform: "Ubuntu", version_list: [{ platform: "Ubuntu", os_version: "Ubuntu 24.04 server 64bit", os_bit: 64, os_type: "Linux" }] },
      { platform: "Windows", version_list: [{ platform: "", os_version: "Windows Server 2022 Datacenter 64bit", os_bit: 64, os_type: "Windows" }] },
    ];
    expect(osVersionInfos(groups)).toEqual([
      { platform: "Ubuntu", osVersion: "Ubuntu 24.04 server 64bit", osType: "Linux", osBit: 64 },
      { platform: "Windows", osVersion: "Windows Server 2022 Datacenter 64bit", osType: "Windows", osBit: 64 },
    ]);
    const quota = [
      { type: "image_shared", used: 1, quota: 2, min: 0, max: 9 },
      { type: "image", used: 3, quota: 50, min: 1, max: 1000 },
    ];
    expect(imageQuota(quota)).toEqual({ used: 3, quota: 50, min: 1, max: 1000 });
    expect(imageQuota([])).toBeUndefined();
  });
});

describe("the filters applied to what the service lists", () => {
  const image = info({ __imagetype: "gold", owner: "platform", __support_arm: "true", tags: ["team=platform", "env=prod"], disk_format: "zvhd2" });
  const passes = (args: Record<string, unknown>): boolean => matches(image, readImageQuery("getImages", args));

  it.each([
    [{ name: "web" }, { name: "Web" }],
    [{ nameRegex: "^w.b$" }, { nameRegex: "^eb" }],
    [{ nameRegex: /^WEB$/i }, { nameRegex: /^WEB$/ }],
    [{ imageType: "public" }, { imageType: "private" }],
    [{ owner: "platform" }, { owner: "other" }],
    [{ osVersion: "Ubuntu 24.04 server 64bit" }, { osVersion: "Ubuntu 22.04 server 64bit" }],
    [{ platform: "Ubuntu" }, { platform: "CentOS" }],
    [{ architecture: "arm" }, { architecture: "x86" }],
    [{ status: "active" }, { status: "queued" }],
    [{ tags: { team: "platform", env: "prod" } }, { tags: { team: "platform", env: "dev" } }],
    [{ tags: { team: "platform" } }, { tags: { owner: "" } }],
    [{ diskFormat: "zvhd2" }, { diskFormat: "qcow2" }],
    [{ minSizeBytes: 2147483648 }, { minSizeBytes: 2147483649 }],
  ])("%p passes and %p does not", (yes, no) => {
    expect(passes(yes)).toBe(true);
    expect(passes(no)).toBe(false);
  });

  it("needs every filter to hold", () => {
    expect(passes({ name: "web", platform: "Ubuntu", tags: { team: "platform" } })).toBe(true);
    expect(passes({ name: "web", platform: "Ubuntu", tags: { team: "other" } })).toBe(false);
    // The default status: a queued image is not found unless asked for.
    expect(matches(info({ status: "queued" }), readImageQuery("getImages", {}))).toBe(false);
  });
});

describe("the order", () => {
  it("is newest first, then by name, then by id", () => {
    const a = info({ id: "a", name: "b", created_at: "2026-03-01T00:00:00Z" });
    const b = info({ id: "b", name: "a", created_at: "2026-03-01T00:00:00Z" });
    const c = info({ id: "c", name: "a", created_at: "2026-03-01T00:00:00Z" });
    const d = info({ id: "d", name: "z", created_at: "2026-03-02T00:00:00Z" });
    const e = info({ id: "e", name: "a", created_at: "" });
    expect([a, b, c, d, e].sort(newestFirst).map((i) => i.id)).toEqual(["d", "b", "c", "a", "e"]);
    expect([e, c, a, d, b].sort(newestFirst).map((i) => i.id)).toEqual(["d", "b", "c", "a", "e"]);
  });
});

describe("the messages", () => {
  const query: ImageQuery = readImageQuery("getImage", { name: "web", nameRegex: "^web$", imageType: "shared", tags: { team: "a", env: "prod" }, minSizeBytes: 5 });

  it("show every filter given, and say when status is the default", () => {
    expect(describeFilters(query)).toBe('name "web", nameRegex /^web$/, imageType shared, status active (the default), tags {env: "prod", team: "a"}, minSizeBytes 5');
    expect(describeFilters(readImageQuery("getImages", { status: "killed", owner: "p1" }))).toBe("owner p1, status killed");
  });

  it("for none: what was searched and where, what the service listed, and what to check", () => {
    const message = noneFound(query, { ...place, profile: "analytics" }, 3).message;
    expect(message).toBe(
      'getImage: no image matches name "web", nameRegex /^web$/, imageType shared, status active (the default), tags {env: "prod", team: "a"}, minSizeBytes 5 ' +
        'in region ap-southeast-1 (project 0123456789abcdef0123456789abcdef, profile "analytics"). ' +
        "The service listed 3 images for the filters it applies; none passes nameRegex and minSizeBytes and tags. " +
        "Check the values, or widen the search: status is active unless given (an image still being created is queued or saving), " +
        "public images are imageType public, and an image shared with this project is found only once the project has accepted it.",
    );
    const nothingListed = noneFound(readImageQuery("getImage", { name: "web" }), place, 0).message;
    expect(nothingListed).toMatch(/^getImage: no image matches name "web", status active \(the default\) in region ap-southeast-1 \(project \w+\)\. Check the values/);
    expect(noneFound(readImageQuery("getImage", { platform: "Ubuntu" }), place, 1).message).toContain("The service listed 1 image for the filters it applies; none passes all of them here");
  });

  it("for several: how many, the first few by id, name and creation time, and what to do", () => {
    const found = Array.from({ length: LISTED_IN_MESSAGES + 2 }, (_, i) => info({ id: `id-${i}`, name: `web-${i}`, created_at: `2026-03-0${i + 1}T00:00:00Z` }));
    const message = severalFound(query, place, found).message;
    expect(message).toMatch(/^getImage: 7 images match name "web", nameRegex \/\^web\$\/, imageType shared, status active \(the default\), tags \{env: "prod", team: "a"\}, minSizeBytes 5 in region ap-southeast-1 \(project \w+\): /);
    for (let i = 0; i < LISTED_IN_MESSAGES; i++) expect(message).toContain(`id-${i} "web-${i}" (created 2026-03-0${i + 1}T00:00:00Z)`);
    expect(message).not.toContain("id-5");
    expect(message).toContain(", and 2 more. Set mostRecent: true to take the newest of them, or narrow the search");
    expect(severalFound(query, place, found.slice(0, 2)).message).toMatch(/"web-1" \(created 2026-03-02T00:00:00Z\)\. Set mostRecent: true/);
  });
});

describe("the SDK's side", () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  /** The rejection of a promise. */
  async function failure(promise: Promise<unknown>): Promise<Error> {
    try {
      await promise;
    } catch (error) {
      return error as Error;
    }
    throw new Error("expected the lookup to fail");
  }

  /**
   * The value or rejection of an Output. Its other promises (known, secret, resources) reject with the same
   * error; in a program Pulumi's handler reports that error once, here they are awaited so none is left unhandled.
   */
  function settled<T>(output: pulumi.Output<T>): Promise<T> {
    const parts = output as unknown as { promise(): Promise<T>; isKnown: Promise<boolean>; isSecret: Promise<boolean>; allResources(): Promise<unknown> };
    for (const other of [parts.isKnown, parts.isSecret, parts.allResources()]) other.catch(() => undefined);
    return parts.promise();
  }

  it("fails the program with the message alone: a RunError (Pulumi prints it once, without a trace)", async () => {
    delete process.env.PULUMI_IMS_DEBUG;
    const error = await failure(sdk.getImage({ imageType: "gold" as "public" }));
    expect(pulumi.RunError.isInstance(error)).toBe(true);
    expect(error.message).toBe(`getImage: imageType must be one of private, shared, public, market, not "gold" (the service's name of public).`);
    for (const call of [sdk.getImages({ nmae: "x" } as never), sdk.getOsVersions({ tags: ["kvm" as "arm"] }), sdk.getQuota({ profile: 1 as never })]) {
      expect(pulumi.RunError.isInstance(await failure(call))).toBe(true);
    }
  });

  it("keeps the error and its trace with PULUMI_IMS_DEBUG=1", async () => {
    process.env.PULUMI_IMS_DEBUG = "1";
    const error = await failure(sdk.getImage({ imageType: "gold" as "public" }));
    expect(error).toBeInstanceOf(LookupError);
    expect(pulumi.RunError.isInstance(error)).toBe(false);
  });

  it("reads the program's ims: configuration, as the resources' provider does", async () => {
    for (const name of Object.keys(process.env)) if (/^(HW|OS|G42|IMS)_/.test(name)) delete process.env[name];
    pulumi.runtime.setConfig("ims:region", "ap-southeast1");
    pulumi.runtime.setConfig("ims:accessKey", "AKLOOKUPUNITTEST0001");
    pulumi.runtime.setConfig("ims:secretKey", "sk-lookup-unit-secret");
    try {
      const error = await failure(sdk.getQuota());
      expect(error.message).toBe(
        'getQuota: ims:region (HW_REGION_NAME or OS_REGION_NAME): "ap-southeast1" is not a region of huaweicloud; did you mean ap-southeast-1? (With an IMS endpoint of your own, ims:endpoint or ims:endpoints, any region name is taken.)',
      );
      expect(error.message).not.toContain("sk-lookup-unit-secret");
    } finally {
      for (const key of ["ims:region", "ims:accessKey", "ims:secretKey"]) pulumi.runtime.setConfig(key, "");
    }
  });

  it("the Output forms unwrap their inputs and keep a RegExp as it is", async () => {
    delete process.env.PULUMI_IMS_DEBUG;
    const error = await failure(settled(sdk.getImageOutput({ name: pulumi.output("web"), nameRegex: /^web$/i, tags: { team: Promise.resolve("a") }, imageType: pulumi.output("gold" as "public") })));
    expect(pulumi.RunError.isInstance(error)).toBe(true);
    // Only imageType is wrong: nameRegex arrived as a RegExp, the tag as a string.
    expect(error.message).toBe(`getImage: imageType must be one of private, shared, public, market, not "gold" (the service's name of public).`);
    const osError = await failure(settled(sdk.getOsVersionsOutput({ tags: pulumi.output(["kvm" as "arm"]) })));
    expect(osError.message).toBe('getOsVersions: tags must be a list of bms, uefi, arm, x86, not ["kvm"].');
  });
});

it("loads the implementation, the REST client, zod and undici at the first lookup, not when pulumi-ims is imported", () => {
  const script = `
    const loaded = () => Object.keys(require.cache).filter((k) => /provider[\\/\\\\]lookups|[\\/\\\\](zod|undici)[\\/\\\\]/.test(k)).length;
    const ims = require("./sdk");
    const before = loaded();
    ims.getQuota({ profile: 1 }).catch(() => console.log(JSON.stringify([before, loaded()])));`;
  const out = execFileSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], { cwd: path.resolve(__dirname, "../.."), encoding: "utf8" });
  const [before, after] = JSON.parse(out) as [number, number];
  expect(before).toBe(0);
  expect(after).toBeGreaterThan(2);
}, 60_000);

// The SDK's declared results are exactly what the implementation returns: no field undocumented, none missing.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameTypes: [
  Same<ImageInfo, sdk.ImageInfo>,
  Same<Awaited<ReturnType<typeof Lookups.getImages>>, sdk.GetImagesResult>,
  Same<Awaited<ReturnType<typeof Lookups.getOsVersions>>, sdk.GetOsVersionsResult>,
  Same<Awaited<ReturnType<typeof Lookups.getQuota>>, sdk.GetQuotaResult>,
  Same<keyof ImageInfo, keyof sdk.ImageInfo>,
] = [true, true, true, true, true];

it("declares the implementation's results exactly (checked by the compiler)", () => {
  expect(sameTypes).toEqual([true, true, true, true, true]);
});
