/**
 * ImagePipeline: a golden image declared once — its builds, the regions it is copied to, and the
 * projects it is shared with there — made of PrivateImage, ImageCopy and ImageMember resources.
 *
 * Every child's name is derived from what it is (the build's version, the region, the member
 * project), never from its position, so a new build adds children beside the old ones, and what a
 * program no longer declares is deleted by Pulumi at the end of the update, after everything new
 * exists: a consumer that moves to a new build is shared and accepted there before its old share
 * is removed, and a pinned consumer keeps its build until the pin moves.
 */
import * as pulumi from "@pulumi/pulumi";
import { ImageCopy } from "./copies";
import { PrivateImage } from "./images";
import type { ImageTimeouts } from "./managed-image";
import { ImageMember } from "./members";
import type { PrivateImageSource } from "./sources";

/** One build of the golden image: the images made from one source, kept while it is listed. */
export interface ImagePipelineBuild {
  /**
   * The build's version, e.g. `2026-12-01`: 1–64 letters, digits, '.', '_' or '-', starting with a letter or
   * a digit; unique among the builds. It names the build's images (`<name>-<version>`) and its resources, so it
   * is a plain string, never an Output. Changing it makes a new build (the old one is deleted after it).
   */
  version: string;
  /** Where the build's image comes from: exactly one kind of source, as for a {@link PrivateImage}. Changing it replaces the build's images and re-shares them. */
  source: pulumi.Input<PrivateImageSource>;
}

/** A project the golden image is shared with, in one region, and which build it gets. */
export interface ImagePipelineConsumer {
  /**
   * The consumer's name: 1–64 letters, digits, '.', '_' or '-', starting with a letter or a digit; unique
   * among the consumers. It keys the `consumers` output. Renaming a consumer changes no share.
   */
  name: string;
  /**
   * The member project: 32 hexadecimal characters, a project of `region` other than the image's owner. A plain
   * string, never an Output: the share's resource is named after it. Changing it shares with the new project,
   * then stops sharing with the old one.
   */
  projectId: string;
  /**
   * The region the consumer uses the image in: the home region or one of `regions`. Default: the home region.
   * Changing it shares the build's image of the new region, then stops sharing the old one.
   */
  region?: string;
  /**
   * An `ims:profiles` entry whose credentials act as the member project: the share is accepted with them.
   * Default: none — the share is only offered (status `pending` until the project accepts it itself).
   * A profile for another region than the home region names that region (`ims:profiles.<name>.region`).
   * Updated in place.
   */
  profile?: pulumi.Input<string>;
  /**
   * The version of the build the consumer keeps, one of `builds`; only with `builds`. Default: none, the
   * consumer follows the latest build. Moving a pin shares the other build's image (accepted) before the old
   * share is removed.
   */
  pin?: string;
}

/** The arguments every pipeline takes, whichever way it declares its builds. */
interface ImagePipelineArgsBase {
  /**
   * The images' base name: 1–128 letters, digits, spaces, '-', '.' or '_' (no leading or trailing space). With
   * `builds`, each build's images are named `<name>-<version>` (at most 128 characters); with `source`, the image
   * is named `name`. Default: the pipeline's resource name. Renaming updates every image in place.
   */
  name?: string;
  /**
   * The home region, where each build is made and copied from. Default `ims:region`. A plain string. Changing it
   * makes every image anew in the new region (and deletes the old ones after them).
   */
  region?: string;
  /**
   * The regions each build is copied to, besides the home region, e.g. `["ap-southeast-3"]`; each once, not the
   * home region. Default: none. The copies land in each region's default project. Adding a region copies every
   * kept build there; removing one deletes its copies (after any consumer there moved away).
   */
  regions?: string[];
  /**
   * The IAM agency that lets IMS copy into the other regions, e.g. `ims_admin_agency`. Required with `regions`.
   * A change changes no image.
   */
  agencyName?: pulumi.Input<string>;
  /** The projects the image is shared with, each in one region, each on the latest build or a pinned one. Default: none. */
  consumers?: ImagePipelineConsumer[];
  /**
   * The owner's credentials: an `ims:profiles` entry used to make, copy and share the images (in another region, it
   * acts as that region's default project unless the profile names the region). Default: the provider's. A change
   * changes no image.
   */
  profile?: pulumi.Input<string>;
  /** Every image's description: up to 1024 characters, without '<', '>' or carriage returns. Default: none. Updated in place. */
  description?: pulumi.Input<string>;
  /** Every image's tags (copies included): up to 10; keys 1–36 and values up to 43 letters, digits, '_' or '-'. Updated in place. */
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Minimum memory of every image, in MB, 0–1048576 (0: no minimum). Default: none. Updated in place. */
  minRam?: pulumi.Input<number>;
  /** Maximum memory of every image, in MB, 0–1048576, not below `minRam`. Default: none. Updated in place. */
  maxRam?: pulumi.Input<number>;
  /** Time budgets of every image, copy and share; each one not given comes from `ims:timeouts`, else each resource's default. A change changes nothing in the cloud. */
  timeouts?: pulumi.Input<ImageTimeouts>;
  /**
   * On deleting an image or a copy, stop sharing it with members made outside the pipeline first, instead of failing
   * while it is shared. Default `false` (the pipeline's own shares are always removed first). A change changes no image.
   */
  removeMembersOnDelete?: pulumi.Input<boolean>;
}

/** A pipeline that keeps explicit builds: pins survive across runs, and a new build rolls out beside the old ones. */
export interface ImagePipelineBuildsArgs extends ImagePipelineArgsBase {
  /**
   * The builds kept, oldest first: the last one is the latest. At least one; versions unique. Adding a build
   * makes its images and moves the consumers that follow the latest to it; dropping one deletes its images after
   * the update made everything else (a pinned build cannot be dropped: move the pin first).
   */
  builds: ImagePipelineBuild[];
  /** Not with `builds`: give the source as the last build's. */
  source?: never;
}

/** A pipeline of one build: a change of its source replaces the image, its copies and its shares, each created before the old one is deleted. */
export interface ImagePipelineSourceArgs extends ImagePipelineArgsBase {
  /** Where the image comes from: exactly one kind of source, as for a {@link PrivateImage}. Its build's version is `current`. */
  source: pulumi.Input<PrivateImageSource>;
  /** Not with `source`: declare one build per version instead. */
  builds?: never;
}

/** Arguments of an {@link ImagePipeline}: `builds` (explicit versions, pins) or `source` (one build). */
export type ImagePipelineArgs = ImagePipelineBuildsArgs | ImagePipelineSourceArgs;

/** The images of one region. */
export interface ImagePipelineRegionImages {
  /** The latest build's image there (a UUID). */
  latest: string;
  /** Every kept build's image there, by version. */
  images: Record<string, string>;
}

/** What a consumer gets. */
export interface ImagePipelineConsumerImage {
  /** The region of the image, and of the share. */
  region: string;
  /** The member project. */
  projectId: string;
  /** The version of the build shared: the pin, else the latest. */
  version: string;
  /** The image shared with the project (a UUID). */
  imageId: string;
  /** The member project's answer: `accepted` (with a profile), else `pending` until it answers. */
  status: string;
}

/** The version of the one build of a pipeline declared with `source`. */
export const SINGLE_BUILD_VERSION = "current";

const LABEL = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const IMAGE_NAME = /^[A-Za-z0-9._\- ]{1,128}$/;
const REGION = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const PROJECT_ID = /^[0-9a-f]{32}$/;

/** One build as planned: its version, source, image name and the resource names of its image and copies. */
export interface PlannedBuild {
  /** The build's version (`current` for a pipeline with `source`). */
  version: string;
  /** Where its image comes from. */
  source: pulumi.Input<PrivateImageSource>;
  /** The name of its image and of each copy. */
  imageName: string;
  /** The PrivateImage's resource name. */
  resource: string;
  /** The ImageCopy resource name of each copy region. */
  copies: Record<string, string>;
}

/** One consumer as planned: the build it gets and the ImageMember's resource name. */
export interface PlannedConsumer {
  /** The consumer's name. */
  name: string;
  /** The member project. */
  projectId: string;
  /** The region of the image it gets (the home region, or a copy region). */
  region: string;
  /** The build it gets: its pin, else the latest. */
  version: string;
  /** The profile that accepts the share, if any. */
  profile?: pulumi.Input<string>;
  /** The ImageMember's resource name. */
  resource: string;
}

/** What a pipeline makes: every child named from what it is, and which build each consumer gets. */
export interface PipelinePlan {
  /** The home region. */
  home: string;
  /** The copy regions, as declared. */
  regions: string[];
  /** The builds, oldest first. */
  builds: PlannedBuild[];
  /** The latest build's version. */
  latest: string;
  /** The consumers, as declared. */
  consumers: PlannedConsumer[];
}

/** Resource names of the children: `/` never occurs in a version, a region or a project id, so names cannot collide. */
export const childNames = {
  image: (pipeline: string, version: string): string => `${pipeline}/${version}`,
  copy: (pipeline: string, version: string, region: string): string => `${pipeline}/${version}/${region}`,
  member: (pipeline: string, version: string, projectId: string): string => `${pipeline}/${version}/${projectId}`,
};

const quote = (value: unknown): string => JSON.stringify(value);
const list = (values: readonly string[]): string => values.map(quote).join(", ");

/** Each value seen more than once. */
function repeated(values: readonly string[]): string[] {
  const seen = new Set<string>();
  const again = new Set<string>();
  for (const v of values) (seen.has(v) ? again : seen).add(v);
  return [...again];
}

/** What the plan needs of the program's stack configuration. */
export interface PipelineSettings {
  /** `ims:region`: the home region's default. */
  region?: string;
  /** Each `ims:profiles` entry that names a project (`projectId` or `projectName`), and the region of that project: its `region`, else `ims:region`. */
  profileProjectRegions?: Record<string, string | undefined>;
}

/**
 * The settings of the program's stack configuration (`get("ims:region")`…). Of `ims:profiles` only which
 * entries name a project and their regions are read; a malformed one is left to the provider to report.
 */
export function programSettings(get: (key: string) => string | undefined): PipelineSettings {
  const region = get("ims:region")?.trim() || undefined;
  let profiles: unknown;
  try {
    profiles = JSON.parse(get("ims:profiles") ?? "{}");
  } catch {
    profiles = {};
  }
  const profileProjectRegions: Record<string, string | undefined> = {};
  if (profiles !== null && typeof profiles === "object" && !Array.isArray(profiles)) {
    for (const [name, entry] of Object.entries(profiles as Record<string, Record<string, unknown>>)) {
      if (entry === null || typeof entry !== "object" || (typeof entry.projectId !== "string" && typeof entry.projectName !== "string")) continue;
      profileProjectRegions[name] = typeof entry.region === "string" && entry.region.trim() !== "" ? entry.region.trim() : region;
    }
  }
  return { region, profileProjectRegions };
}

/** The arguments as a program may give them (JavaScript, or values built at run time): nothing assumed. */
type GivenArgs = ImagePipelineArgsBase & { builds?: ImagePipelineBuild[]; source?: pulumi.Input<PrivateImageSource> };

const VERSION_RULE = "1 to 64 letters, digits, '.', '_' or '-', starting with a letter or a digit";

/** The builds: the declared ones, or the one of `source` (version `current`). */
function checkBuilds(given: GivenArgs, name: unknown, problems: string[]): { version: string; source: pulumi.Input<PrivateImageSource> }[] {
  if (given.builds !== undefined && given.source !== undefined) {
    problems.push("builds and source are both given: give builds (one entry per version, the last one the latest) or source (one build), not both");
    return [];
  }
  if (given.builds === undefined && given.source === undefined) {
    problems.push('neither builds nor source is given: give builds: [{ version: "2026-12-01", source: {...} }], or source: {...} for one build');
    return [];
  }
  if (given.builds === undefined) return [{ version: SINGLE_BUILD_VERSION, source: given.source! }];
  if (!Array.isArray(given.builds) || given.builds.length === 0) {
    problems.push('builds is empty: give at least one build, e.g. builds: [{ version: "2026-12-01", source: {...} }]');
    return [];
  }
  const builds = given.builds.filter((b, i) => {
    if (b !== null && typeof b === "object") return true;
    problems.push(`builds[${i}] is not a build: give { version, source }`);
    return false;
  });
  builds.forEach((b, i) => {
    if (typeof b.version !== "string" || !LABEL.test(b.version)) {
      problems.push(`builds[${i}].version ${quote(b.version)} is not a version: give ${VERSION_RULE} (a plain string), e.g. "2026-12-01"`);
    } else if (typeof name === "string" && `${name}-${b.version}`.length > 128) {
      problems.push(`builds[${i}].version ${quote(b.version)} makes the image name ${quote(`${name}-${b.version}`)}, longer than 128 characters: shorten name or the version`);
    }
    if (b.source === undefined || b.source === null) problems.push(`builds[${i}].source is missing: give where the build's image comes from, e.g. { imageUrl, minDisk }`);
  });
  for (const v of repeated(builds.map((b) => b.version))) problems.push(`builds has the version ${quote(v)} more than once: give each build a version of its own`);
  return builds.map((b) => ({ version: b.version, source: b.source }));
}

/** The copy regions: region names, each once, not the home region; an agency to copy with. */
function checkRegions(given: GivenArgs, home: string | undefined, problems: string[]): string[] {
  const regions = given.regions ?? [];
  if (!Array.isArray(regions)) {
    problems.push('regions is not a list: give the regions to copy to, e.g. regions: ["ap-southeast-3"]');
    return [];
  }
  regions.forEach((r, i) => {
    if (typeof r !== "string" || !REGION.test(r)) problems.push(`regions[${i}] ${quote(r)} is not a region name: give one such as "ap-southeast-3"`);
    else if (r === home) problems.push(`regions[${i}] ${quote(r)} is the home region, where every build is made: list only the regions to copy to`);
  });
  for (const r of repeated(regions)) problems.push(`regions lists ${quote(r)} more than once: list each region once`);
  if (regions.length > 0 && (given.agencyName === undefined || given.agencyName === "")) {
    problems.push('agencyName is missing: copies to other regions need the IAM agency that lets IMS act there, e.g. agencyName: "ims_admin_agency"');
  }
  return regions;
}

/** The consumers: names and projects each once, a region the image is in, a pin among the builds. */
function checkConsumers(
  given: GivenArgs,
  where: { home: string | undefined; places: string[]; profileProjectRegions: Record<string, string | undefined> },
  builds: { versions: string[]; single: boolean },
  resourceName: string,
  problems: string[],
): PlannedConsumer[] {
  const declared = given.consumers ?? [];
  if (!Array.isArray(declared)) {
    problems.push('consumers is not a list: give e.g. consumers: [{ name: "analytics", projectId: "…", profile: "analytics" }]');
    return [];
  }
  const latest = builds.versions[builds.versions.length - 1];
  const consumers: PlannedConsumer[] = [];
  declared.forEach((c, i) => {
    const at = `consumers[${i}]`;
    if (c === null || typeof c !== "object") {
      problems.push(`${at} is not a consumer: give { name, projectId, region?, profile?, pin? }`);
      return;
    }
    if (typeof c.name !== "string" || !LABEL.test(c.name)) problems.push(`${at}.name ${quote(c.name)} is not a consumer name: give ${VERSION_RULE}`);
    if (typeof c.projectId !== "string" || !PROJECT_ID.test(c.projectId)) {
      const shown = typeof c.projectId === "string" ? quote(c.projectId) : "(not a plain string)";
      problems.push(`${at}.projectId ${shown} is not a project id: give the member project's id, 32 hexadecimal characters, as a plain string (it names the share)`);
    }
    if (c.region !== undefined && where.home !== undefined && !where.places.includes(c.region)) {
      problems.push(`${at}.region ${quote(c.region)} is neither the home region nor one of regions (${list(where.places)}): add it to regions, or give one of those`);
    }
    const region = c.region ?? where.home;
    // A profile's project is used only in the region it belongs to; elsewhere the profile acts as that region's default project.
    if (typeof c.profile === "string" && region !== undefined && where.places.includes(region) && c.profile in where.profileProjectRegions && where.profileProjectRegions[c.profile] !== region) {
      const belongs = where.profileProjectRegions[c.profile];
      problems.push(
        `${at}.profile ${quote(c.profile)} names a project of ${belongs === undefined ? "no region" : quote(belongs)} (ims:profiles.${c.profile}.region, else ims:region), not of the consumer's region ${quote(region)}, ` +
          `so it would accept as ${quote(region)}'s default project: set it with pulumi config set --path ims:profiles.${c.profile}.region ${region}`,
      );
    }
    let version = latest;
    if (c.pin !== undefined && builds.versions.length > 0) {
      if (builds.single) problems.push(`${at}.pin ${quote(c.pin)} needs builds: a pipeline with source has one build; declare builds with versions to pin a consumer to one`);
      else if (!builds.versions.includes(c.pin)) {
        problems.push(`${at}.pin ${quote(c.pin)} is not a version of builds (${list(builds.versions)}): pin one of them, or keep the build ${quote(c.pin)} in builds while a consumer pins it`);
      } else version = c.pin;
    }
    const consumer: PlannedConsumer = { name: c.name, projectId: c.projectId, region: region!, version, resource: childNames.member(resourceName, version, c.projectId) };
    if (c.profile !== undefined) consumer.profile = c.profile;
    consumers.push(consumer);
  });
  for (const n of repeated(consumers.map((c) => c.name))) problems.push(`consumers has the name ${quote(n)} more than once: give each consumer a name of its own`);
  for (const p of repeated(consumers.map((c) => c.projectId).filter((p) => typeof p === "string"))) {
    problems.push(`consumers has the project ${quote(p)} more than once: a project is one member of an image; declare it once`);
  }
  return consumers;
}

/**
 * Checks a pipeline's arguments and plans its children, or throws one error naming every argument that is
 * wrong and how to fix it, with the program's `settings` (see {@link programSettings}).
 */
export function planPipeline(resourceName: string, args: ImagePipelineArgs, settings: PipelineSettings = {}): PipelinePlan {
  const problems: string[] = [];
  const given = (args ?? {}) as GivenArgs;

  const name = given.name ?? resourceName;
  if (typeof name !== "string" || !IMAGE_NAME.test(name) || name.trim() !== name) {
    problems.push(
      `name ${quote(name)} is not an image name: give 1 to 128 letters, digits, spaces, '-', '.' or '_', without a leading or trailing space` +
        (given.name === undefined ? " (it defaults to the pipeline's resource name)" : ""),
    );
  }
  const home = given.region ?? settings.region;
  if (home === undefined || home === "") {
    problems.push('the home region is not known: give region, e.g. region: "ap-southeast-1", or set ims:region (pulumi config set ims:region ap-southeast-1)');
  } else if (typeof home !== "string" || !REGION.test(home)) {
    problems.push(`region ${quote(home)} is not a region name: give one such as "ap-southeast-1"`);
  }

  const single = given.builds === undefined && given.source !== undefined;
  const builds = checkBuilds(given, name, problems);
  const versions = builds.map((b) => b.version);
  const regions = checkRegions(given, home, problems);
  const places = [home, ...regions].filter((r): r is string => typeof r === "string");
  const consumers = checkConsumers(given, { home, places, profileProjectRegions: settings.profileProjectRegions ?? {} }, { versions, single }, resourceName, problems);

  if (problems.length === 1) throw new Error(`ImagePipeline ${quote(resourceName)}: ${problems[0]}.`);
  if (problems.length > 1) {
    throw new Error(`ImagePipeline ${quote(resourceName)} has ${problems.length} invalid arguments:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
  return {
    home: home!,
    regions,
    latest: versions[versions.length - 1],
    consumers,
    builds: builds.map((b) => ({
      version: b.version,
      source: b.source,
      imageName: single ? name : `${name}-${b.version}`,
      resource: childNames.image(resourceName, b.version),
      copies: Object.fromEntries(regions.map((r) => [r, childNames.copy(resourceName, b.version, r)])),
    })),
  };
}

/** An object without the keys whose value is undefined (the engine is given only what is declared). */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * A golden-image pipeline: each build's image made in the home region ({@link PrivateImage}), copied to
 * every other region ({@link ImageCopy}), and shared with each consumer's project in its region and
 * accepted there with the consumer's credentials ({@link ImageMember}). Type token `ims:index:ImagePipeline`.
 *
 * Children are named from the build's version, the region and the member project (`<pipeline>/<version>`,
 * `<pipeline>/<version>/<region>`, `<pipeline>/<version>/<project id>`, after the pipeline's resource name): adding a build makes new children, and what is
 * no longer declared — a dropped build, a consumer's old share — is deleted at the end of the update, after
 * everything new exists. So a consumer always has an image: the new one is active and accepted before the old
 * share goes, and a pinned consumer keeps its build until the pin moves. `deleteBeforeReplace` is never needed.
 */
export class ImagePipeline extends pulumi.ComponentResource {
  /** The version of the latest build (the last of `builds`; `current` with `source`). */
  public readonly latestVersion: pulumi.Output<string>;
  /** The versions of the builds kept, oldest first. */
  public readonly versions: pulumi.Output<string[]>;
  /** The images of each region, the home region included: the latest one and each build's, by version. */
  public readonly regions: pulumi.Output<Record<string, ImagePipelineRegionImages>>;
  /** What each consumer gets, by consumer name: the region, the version, the image shared, and the project's answer. */
  public readonly consumers: pulumi.Output<Record<string, ImagePipelineConsumerImage>>;
  /** The home region. */
  public readonly homeRegion: string;
  /** Each build's image in the home region, by version (to depend on, or to read more outputs of). */
  public readonly images: Readonly<Record<string, PrivateImage>>;
  /** Each build's copies, by version, then by region. */
  public readonly copies: Readonly<Record<string, Readonly<Record<string, ImageCopy>>>>;
  /** Each consumer's share, by consumer name. */
  public readonly members: Readonly<Record<string, ImageMember>>;

  constructor(name: string, args: ImagePipelineArgs, opts?: pulumi.ComponentResourceOptions) {
    let plan: PipelinePlan | undefined;
    let refusal: unknown;
    try {
      plan = planPipeline(name, args, programSettings((key) => pulumi.runtime.getConfig(key)));
    } catch (error) {
      refusal = error;
    }
    super("ims:index:ImagePipeline", name, {}, opts);
    // Shown once, on the pipeline, without a trace; no child is registered.
    if (plan === undefined) throw new pulumi.ResourceError((refusal as Error).message, this, true);
    const parent = { parent: this };
    const common = {
      profile: args.profile,
      description: args.description,
      tags: args.tags,
      minRam: args.minRam,
      maxRam: args.maxRam,
      timeouts: args.timeouts,
      removeMembersOnDelete: args.removeMembersOnDelete,
    };

    const images: Record<string, PrivateImage> = {};
    const copies: Record<string, Record<string, ImageCopy>> = {};
    for (const build of plan.builds) {
      const image = new PrivateImage(build.resource, defined({ ...common, name: build.imageName, source: build.source, region: plan.home }), parent);
      images[build.version] = image;
      copies[build.version] = Object.fromEntries(
        Object.entries(build.copies).map(([region, resource]) => [
          region,
          new ImageCopy(
            resource,
            defined({ ...common, name: build.imageName, sourceImageId: image.id, region: plan.home, targetRegion: region, agencyName: args.agencyName }),
            parent,
          ),
        ]),
      );
    }
    const imageId = (version: string, region: string): pulumi.Output<string> => (region === plan.home ? images[version].id : copies[version][region].id);

    const members: Record<string, ImageMember> = {};
    for (const c of plan.consumers) {
      members[c.name] = new ImageMember(
        c.resource,
        defined({
          imageId: imageId(c.version, c.region),
          projectId: c.projectId,
          region: c.region,
          profile: args.profile,
          consumer: c.profile === undefined ? undefined : { profile: c.profile },
          timeouts: args.timeouts,
        }),
        parent,
      );
    }

    const versions = plan.builds.map((b) => b.version);
    const regionOutputs = Object.fromEntries(
      [plan.home, ...plan.regions].map((region) => [
        region,
        { latest: imageId(plan.latest, region), images: Object.fromEntries(versions.map((v) => [v, imageId(v, region)])) },
      ]),
    );
    const consumerOutputs = Object.fromEntries(
      plan.consumers.map((c) => {
        const member = members[c.name];
        return [c.name, { region: c.region, projectId: c.projectId, version: c.version, imageId: member.imageId, status: member.status }];
      }),
    );

    this.homeRegion = plan.home;
    this.images = images;
    this.copies = copies;
    this.members = members;
    this.latestVersion = pulumi.output(plan.latest);
    this.versions = pulumi.output(versions);
    this.regions = pulumi.output(regionOutputs) as pulumi.Output<Record<string, ImagePipelineRegionImages>>;
    this.consumers = pulumi.output(consumerOutputs) as pulumi.Output<Record<string, ImagePipelineConsumerImage>>;
    this.registerOutputs({ latestVersion: this.latestVersion, versions: this.versions, regions: this.regions, consumers: this.consumers });
  }
}
