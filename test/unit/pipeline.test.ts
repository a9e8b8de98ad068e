/**
 * ImagePipeline without a cloud: its plan (child names from version, region and project; the build
 * each consumer gets), every refusal of its arguments with the argument and the fix, and what the
 * component registers with the engine mocked — its children, their inputs and parent, its outputs.
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import type { ImagePipelineArgs } from "../../sdk";
import { childNames, planPipeline, programSettings, type PipelinePlan, type PipelineSettings } from "../../sdk/pipeline";

const registered: pulumi.runtime.MockResourceArgs[] = [];

pulumi.runtime.setMocks(
  {
    newResource(args) {
      registered.push(args);
      return { id: `${args.name}-id`, state: args.inputs };
    },
    call: () => ({}),
  },
  "project",
  "stack",
  false,
);

// eslint-disable-next-line @typescript-eslint/no-require-imports
const ims = require("../../sdk") as typeof import("../../sdk");

const HOME = "ap-southeast-1";
const DR = "ap-southeast-3";
const ANALYTICS = "574ec11e28b9a30985bb25b7b8aac298";
const QA = "0123456789abcdef0123456789abcdef";
const source = (file: string) => ({ imageUrl: `images-bucket:${file}`, minDisk: 40, osVersion: "Ubuntu 24.04 server 64bit" });

/** Two builds, one copy region, a consumer at home following the latest and one in the copy region pinned. */
const ARGS: ImagePipelineArgs = {
  name: "ubuntu-golden",
  builds: [
    { version: "2026-11-30", source: source("ubuntu-1130.qcow2") },
    { version: "2026-12-01", source: source("ubuntu-1201.qcow2") },
  ],
  regions: [DR],
  agencyName: "ims_admin_agency",
  consumers: [
    { name: "analytics", projectId: ANALYTICS, profile: "analytics" },
    { name: "qa", projectId: QA, region: DR, profile: "qa", pin: "2026-11-30" },
  ],
};

/** The profiles of ARGS's consumers, each naming its project and region. */
const PROFILES = { analytics: HOME, qa: DR };

/** The plan of ARGS with `args` over them; `configured` is ims:region (null: not set). */
const plan = (args: Partial<ImagePipelineArgs> | Record<string, unknown>, configured: string | null = HOME, settings: PipelineSettings = { profileProjectRegions: PROFILES }): PipelinePlan =>
  planPipeline("golden", { ...ARGS, ...args } as ImagePipelineArgs, { ...settings, ...(configured === null ? {} : { region: configured }) });

/** The message of the error planning throws. */
function refusal(args: Partial<ImagePipelineArgs> | Record<string, unknown>, configured: string | null = HOME, settings?: PipelineSettings): string {
  try {
    plan(args, configured, settings);
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    return (error as Error).message;
  }
  throw new Error("the arguments were taken");
}

/** Every resource name the plan gives its children. */
const names = (p: PipelinePlan): string[] => [...p.builds.flatMap((b) => [b.resource, ...Object.values(b.copies)]), ...p.consumers.map((c) => c.resource)];

describe("the plan", () => {
  it("names each build's image, its copies and each share from the version, the region and the project", () => {
    const p = plan({});
    expect(p.home).toBe(HOME);
    expect(p.latest).toBe("2026-12-01");
    expect(p.builds.map((b) => [b.version, b.imageName, b.resource, b.copies])).toEqual([
      ["2026-11-30", "ubuntu-golden-2026-11-30", "golden/2026-11-30", { [DR]: "golden/2026-11-30/ap-southeast-3" }],
      ["2026-12-01", "ubuntu-golden-2026-12-01", "golden/2026-12-01", { [DR]: "golden/2026-12-01/ap-southeast-3" }],
    ]);
    expect(p.consumers).toEqual([
      { name: "analytics", projectId: ANALYTICS, region: HOME, version: "2026-12-01", profile: "analytics", resource: `golden/2026-12-01/${ANALYTICS}` },
      { name: "qa", projectId: QA, region: DR, version: "2026-11-30", profile: "qa", resource: `golden/2026-11-30/${QA}` },
    ]);
  });

  it("keeps every existing child's name when a build is added, and gives the new build new ones", () => {
    const before = plan({ builds: ARGS.builds!.slice(0, 1), consumers: [ARGS.consumers![0]] });
    const after = plan({ consumers: [ARGS.consumers![0]] });
    const kept = names(after).filter((n) => names(before).includes(n));
    expect(kept).toEqual(["golden/2026-11-30", "golden/2026-11-30/ap-southeast-3"]);
    // The consumer that follows the latest moves: a new share, the old one left to be deleted after it.
    expect(names(before).filter((n) => !names(after).includes(n))).toEqual([`golden/2026-11-30/${ANALYTICS}`]);
    expect(names(after).filter((n) => !names(before).includes(n))).toEqual(["golden/2026-12-01", "golden/2026-12-01/ap-southeast-3", `golden/2026-12-01/${ANALYTICS}`]);
  });

  it("moves only the share when a pin moves; renaming a consumer renames no share", () => {
    const pinned = plan({});
    const unpinned = plan({ consumers: [ARGS.consumers![0], { ...ARGS.consumers![1], pin: undefined, name: "qa-team" }] });
    expect(pinned.consumers[1].resource).toBe(`golden/2026-11-30/${QA}`);
    expect(unpinned.consumers[1]).toMatchObject({ name: "qa-team", version: "2026-12-01", resource: `golden/2026-12-01/${QA}` });
    expect(unpinned.builds).toEqual(pinned.builds);
    expect(plan({ consumers: [{ ...ARGS.consumers![0], name: "renamed" }, ARGS.consumers![1]] }).consumers[0].resource).toBe(pinned.consumers[0].resource);
  });

  it("with source, plans one build named `current` whose image takes the name as it is", () => {
    const p = plan({ builds: undefined, source: source("u.qcow2"), consumers: [ARGS.consumers![0]] });
    expect(p.latest).toBe("current");
    expect(p.builds).toEqual([{ version: "current", source: source("u.qcow2"), imageName: "ubuntu-golden", resource: "golden/current", copies: { [DR]: "golden/current/ap-southeast-3" } }]);
    expect(p.consumers[0]).toMatchObject({ version: "current", resource: `golden/current/${ANALYTICS}` });
  });

  it("takes the home region from region, else from ims:region, and the image name from the resource's name by default", () => {
    expect(plan({ region: "eu-west-101" }, null, {}).home).toBe("eu-west-101");
    expect(plan({ regions: [], agencyName: undefined, consumers: [] }, "cn-north-4").home).toBe("cn-north-4");
    expect(plan({ name: undefined }).builds[0].imageName).toBe("golden-2026-11-30");
  });

  it("names children so that no two can be the same: '/' separates what cannot contain it", () => {
    expect(childNames.copy("p", "2026-12", "01-x")).not.toBe(childNames.copy("p", "2026-12-01", "x"));
    expect(childNames.member("p", "a", QA)).toBe(`p/a/${QA}`);
  });
});

describe("refusals name the argument and the fix", () => {
  it.each<[string, Partial<ImagePipelineArgs> | Record<string, unknown>, RegExp]>([
    ["a pin of no build", { consumers: [{ ...ARGS.consumers![1], pin: "2026-11-29" }] }, /consumers\[0\]\.pin "2026-11-29" is not a version of builds \("2026-11-30", "2026-12-01"\): pin one of them, or keep the build "2026-11-29" in builds/],
    ["a version twice", { builds: [ARGS.builds![0], ARGS.builds![0]] }, /builds has the version "2026-11-30" more than once: give each build a version of its own/],
    ["a consumer name twice", { consumers: [ARGS.consumers![0], { ...ARGS.consumers![1], name: "analytics" }] }, /consumers has the name "analytics" more than once/],
    ["a project twice", { consumers: [ARGS.consumers![0], { ...ARGS.consumers![0], name: "other" }] }, /consumers has the project "574ec11e28b9a30985bb25b7b8aac298" more than once: a project is one member of an image; declare it once/],
    ["a consumer region the image is not in", { consumers: [{ ...ARGS.consumers![0], region: "eu-west-101" }] }, /consumers\[0\]\.region "eu-west-101" is neither the home region nor one of regions \("ap-southeast-1", "ap-southeast-3"\): add it to regions/],
    ["regions without an agency", { agencyName: undefined }, /agencyName is missing: copies to other regions need the IAM agency .* e\.g\. agencyName: "ims_admin_agency"/],
    ["the home region among regions", { regions: [DR, HOME] }, /regions\[1\] "ap-southeast-1" is the home region, where every build is made: list only the regions to copy to/],
    ["a region twice", { regions: [DR, DR] }, /regions lists "ap-southeast-3" more than once/],
    ["builds and source", { source: source("u.qcow2") }, /builds and source are both given: give builds .* or source \(one build\), not both/],
    ["neither builds nor source", { builds: undefined }, /neither builds nor source is given/],
    ["no build", { builds: [] }, /builds is empty: give at least one build/],
    ["a version that is no label", { builds: [{ version: "2026/12/01", source: source("u.qcow2") }], consumers: [] }, /builds\[0\]\.version "2026\/12\/01" is not a version: give 1 to 64 letters/],
    ["a build without source", { builds: [{ version: "v1" }], consumers: [] }, /builds\[0\]\.source is missing/],
    ["an image name too long", { name: "n".repeat(120), builds: [{ version: "2026-12-01-long", source: source("u.qcow2") }], consumers: [] }, /builds\[0\]\.version "2026-12-01-long" makes the image name "n+-2026-12-01-long", longer than 128 characters: shorten name or the version/],
    ["a name that is no image name", { name: "ubuntu/golden" }, /name "ubuntu\/golden" is not an image name: give 1 to 128 letters/],
    ["a project id that is not one", { consumers: [{ ...ARGS.consumers![0], projectId: "analytics" }] }, /consumers\[0\]\.projectId "analytics" is not a project id: give the member project's id, 32 hexadecimal characters, as a plain string/],
    ["a project id as an Output", { consumers: [{ ...ARGS.consumers![0], projectId: pulumi.output(ANALYTICS) }] }, /consumers\[0\]\.projectId \(not a plain string\) is not a project id/],
    ["a pin with source", { builds: undefined, source: source("u.qcow2"), consumers: [{ ...ARGS.consumers![0], pin: "current" }] }, /consumers\[0\]\.pin "current" needs builds/],
    ["a consumer name that is no label", { consumers: [{ ...ARGS.consumers![0], name: "" }] }, /consumers\[0\]\.name "" is not a consumer name/],
  ])("%s", (_case, args, message) => {
    expect(refusal(args)).toMatch(new RegExp(`^ImagePipeline "golden": ${message.source}`));
  });

  it("an unknown home region, saying where to set it", () => {
    expect(refusal({ regions: [], agencyName: undefined, consumers: [] }, null)).toBe(
      'ImagePipeline "golden": the home region is not known: give region, e.g. region: "ap-southeast-1", or set ims:region (pulumi config set ims:region ap-southeast-1).',
    );
  });

  it("every problem at once, one per line", () => {
    const message = refusal({ agencyName: undefined, builds: [ARGS.builds![0], ARGS.builds![0]], consumers: [{ ...ARGS.consumers![1], pin: "x" }] });
    expect(message.split("\n")).toEqual([
      'ImagePipeline "golden" has 3 invalid arguments:',
      expect.stringMatching(/^ {2}- builds has the version "2026-11-30" more than once/),
      expect.stringMatching(/^ {2}- agencyName is missing/),
      expect.stringMatching(/^ {2}- consumers\[0\]\.pin "x" is not a version of builds \("2026-11-30", "2026-11-30"\)/),
    ]);
  });
});

describe("a consumer's profile", () => {
  it("must name a project of the consumer's region: elsewhere it would accept as that region's default project", () => {
    expect(refusal({}, HOME, { profileProjectRegions: { analytics: HOME, qa: HOME } })).toBe(
      'ImagePipeline "golden": consumers[1].profile "qa" names a project of "ap-southeast-1" (ims:profiles.qa.region, else ims:region), ' +
        'not of the consumer\'s region "ap-southeast-3", so it would accept as "ap-southeast-3"\'s default project: set it with pulumi config set --path ims:profiles.qa.region ap-southeast-3.',
    );
    expect(refusal({}, HOME, { profileProjectRegions: { analytics: undefined, qa: DR } })).toMatch(/consumers\[0\]\.profile "analytics" names a project of no region/);
  });

  it("is not checked when the configuration does not say (no ims:profiles, or a profile naming no project)", () => {
    expect(plan({}, HOME, {}).consumers).toHaveLength(2);
    expect(plan({}, HOME, { profileProjectRegions: { analytics: HOME } }).consumers).toHaveLength(2);
  });

  it("is read from ims:profiles: only which profiles name a project, and their regions (else ims:region)", () => {
    const config: Record<string, string> = {
      "ims:region": " ap-southeast-1 ",
      "ims:profiles": JSON.stringify({
        analytics: { accessKey: "AK", secretKey: "SK", projectId: ANALYTICS },
        qa: { accessKey: "AK2", projectName: "ap-southeast-3_qa", region: DR },
        plain: { accessKey: "AK3" },
      }),
    };
    const settings = programSettings((k) => config[k]);
    expect(settings).toEqual({ region: HOME, profileProjectRegions: { analytics: HOME, qa: DR } });
    expect(JSON.stringify(settings)).not.toMatch(/AK|SK/);
    expect(programSettings((k) => ({ "ims:profiles": "{ not json" })[k])).toEqual({ region: undefined, profileProjectRegions: {} });
    expect(programSettings(() => undefined)).toEqual({ region: undefined, profileProjectRegions: {} });
  });
});

describe("the component", () => {
  jest.setTimeout(30_000);
  /** Waits until the engine (mocked) has seen `count` registrations. */
  const registrations = async (count: number): Promise<void> => {
    for (let waited = 0; registered.length < count; waited += 20) {
      if (waited > 15_000) throw new Error(`${registered.length} registrations, not ${count}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const valueOf = <T>(output: pulumi.Output<T>): Promise<T> => new Promise((resolve) => output.apply((v) => resolve(v)));

  it("registers each child under the pipeline with the pipeline's settings, and nothing it was not given", async () => {
    registered.length = 0;
    new ims.ImagePipeline("golden", { ...ARGS, region: HOME, tags: { team: "platform" }, minRam: 1024, timeouts: { create: "2h" } } as ImagePipelineArgs);
    await registrations(7);
    const pipeline = registered.find((r) => r.type === "ims:index:ImagePipeline")!;
    expect(pipeline.name).toBe("golden");
    const children = registered.filter((r) => r !== pipeline);
    expect(children.map((r) => [r.type, r.name]).sort()).toEqual(
      [
        ["pulumi-nodejs:dynamic/ims:PrivateImage", "golden/2026-11-30"],
        ["pulumi-nodejs:dynamic/ims:PrivateImage", "golden/2026-12-01"],
        ["pulumi-nodejs:dynamic/ims:ImageCopy", "golden/2026-11-30/ap-southeast-3"],
        ["pulumi-nodejs:dynamic/ims:ImageCopy", "golden/2026-12-01/ap-southeast-3"],
        ["pulumi-nodejs:dynamic/ims:ImageMember", `golden/2026-12-01/${ANALYTICS}`],
        ["pulumi-nodejs:dynamic/ims:ImageMember", `golden/2026-11-30/${QA}`],
      ].sort(),
    );
    for (const child of children) expect(child.inputs).not.toHaveProperty("profile");

    const inputs = (name: string) => children.find((r) => r.name === name)!.inputs;
    expect(inputs("golden/2026-12-01")).toMatchObject({
      name: "ubuntu-golden-2026-12-01",
      source: source("ubuntu-1201.qcow2"),
      region: HOME,
      tags: { team: "platform" },
      minRam: 1024,
      timeouts: { create: "2h" },
    });
    expect(inputs("golden/2026-12-01")).not.toHaveProperty("description");
    expect(inputs("golden/2026-11-30/ap-southeast-3")).toMatchObject({
      name: "ubuntu-golden-2026-11-30",
      sourceImageId: "golden/2026-11-30-id",
      region: HOME,
      targetRegion: DR,
      agencyName: "ims_admin_agency",
      tags: { team: "platform" },
    });
    expect(inputs(`golden/2026-12-01/${ANALYTICS}`)).toEqual(
      expect.objectContaining({ imageId: "golden/2026-12-01-id", projectId: ANALYTICS, region: HOME, consumer: { profile: "analytics" }, timeouts: { create: "2h" } }),
    );
    // The creation marker of a child digests its parent's URN, as it always did (the same marker in every run).
    const parentUrn = "urn:pulumi:stack::project::ims:index:ImagePipeline::golden";
    const marker = createHash("sha256").update(["project", "stack", "ims:PrivateImage", "golden/2026-12-01", parentUrn].join("\u0000")).digest("hex").slice(0, 32);
    expect(inputs("golden/2026-12-01").creationMarker).toBe(marker);
    // The pinned consumer in the copy region gets that region's copy of its build.
    expect(inputs(`golden/2026-11-30/${QA}`)).toMatchObject({ imageId: "golden/2026-11-30/ap-southeast-3-id", region: DR, consumer: { profile: "qa" } });
  });

  it("its image-making children, as those of any component, register without waiting for each other", async () => {
    // Each one's creation marker reads its parent's URN; as an input dependency on the component it would
    // make each sibling wait for all the others.
    registered.length = 0;
    const component = new pulumi.ComponentResource("test:index:Wrapper", "wrapper", {}, {});
    const a = new ims.PrivateImage("a", { source: source("a.qcow2") }, { parent: component });
    new ims.ImageCopy("b", { sourceImageId: a.id }, { parent: component });
    await registrations(3);
    expect(registered.map((r) => r.name).sort()).toEqual(["a", "b", "wrapper"]);
  });

  it("is the parent of every child", async () => {
    const pipeline = new ims.ImagePipeline("parented", { ...ARGS, region: HOME });
    const children = [...Object.values(pipeline.images), ...Object.values(pipeline.members), ...Object.values(pipeline.copies).flatMap((c) => Object.values(c))];
    expect(children).toHaveLength(6);
    expect(await valueOf(pipeline.urn)).toBe("urn:pulumi:stack::project::ims:index:ImagePipeline::parented");
    for (const child of children) {
      expect(await valueOf(child.urn)).toMatch(/^urn:pulumi:stack::project::ims:index:ImagePipeline\$pulumi-nodejs:dynamic\/ims:\w+::parented\//);
    }
  });

  it("gives the latest version, each region's images and what each consumer gets", async () => {
    const pipeline = new ims.ImagePipeline("outputs", { ...ARGS, region: HOME });
    expect(pipeline.homeRegion).toBe(HOME);
    expect(await valueOf(pipeline.latestVersion)).toBe("2026-12-01");
    expect(await valueOf(pipeline.versions)).toEqual(["2026-11-30", "2026-12-01"]);
    expect(await valueOf(pipeline.regions)).toEqual({
      [HOME]: { latest: "outputs/2026-12-01-id", images: { "2026-11-30": "outputs/2026-11-30-id", "2026-12-01": "outputs/2026-12-01-id" } },
      [DR]: {
        latest: "outputs/2026-12-01/ap-southeast-3-id",
        images: { "2026-11-30": "outputs/2026-11-30/ap-southeast-3-id", "2026-12-01": "outputs/2026-12-01/ap-southeast-3-id" },
      },
    });
    const consumers = await valueOf(pipeline.consumers);
    expect(consumers).toMatchObject({
      analytics: { region: HOME, projectId: ANALYTICS, version: "2026-12-01", imageId: "outputs/2026-12-01-id" },
      qa: { region: DR, projectId: QA, version: "2026-11-30", imageId: "outputs/2026-11-30/ap-southeast-3-id" },
    });
  });

  it("refuses invalid arguments on itself, registering no child", async () => {
    registered.length = 0;
    let refused: unknown;
    try {
      new ims.ImagePipeline("bad", { ...ARGS, region: HOME, consumers: [{ ...ARGS.consumers![0], pin: "nope" }] });
    } catch (error) {
      refused = error;
    }
    expect(pulumi.ResourceError.isInstance(refused)).toBe(true);
    const error = refused as pulumi.ResourceError;
    expect(error.message).toMatch(/^ImagePipeline "bad": consumers\[0\]\.pin "nope" is not a version of builds/);
    expect(error.hideStack).toBe(true);
    expect(await valueOf(error.resource!.urn)).toBe("urn:pulumi:stack::project::ims:index:ImagePipeline::bad");
    await new Promise((r) => setTimeout(r, 500));
    expect(registered.map((r) => r.type)).toEqual(["ims:index:ImagePipeline"]);
  });

  it("takes the home region from ims:region", async () => {
    registered.length = 0;
    pulumi.runtime.setConfig("ims:region", "cn-north-4");
    try {
      new ims.ImagePipeline("configured", { name: "golden", source: source("u.qcow2") });
      await registrations(2);
      expect(registered.find((r) => r.name === "configured/current")?.inputs).toMatchObject({ name: "golden", region: "cn-north-4" });
    } finally {
      pulumi.runtime.setConfig("ims:region", "");
    }
  });
});
