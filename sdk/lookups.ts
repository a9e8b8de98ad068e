/**
 * Lookup functions: images, supported OS versions and the image quota, read from IMS while the
 * program runs (in `preview` too). Each has a plain form, which takes plain values and returns a
 * Promise, and an `…Output` form, which takes `pulumi.Input`s and returns an `Output` (unknown during
 * a preview while an argument is).
 *
 * They run in the program's process, not in the engine's provider process, with the settings the
 * resources use: the `ims:` stack configuration (secrets included; nothing is logged) and the same
 * environment fallbacks, `ims:profiles`, and the `region` and `profile` of the call. They are not
 * Pulumi invokes: the engine does not see them (the state holds only what the program exports), and
 * `pulumi.runtime.setMocks` does not intercept them. A failed lookup fails the program with its
 * message once, without a JavaScript trace (`PULUMI_IMS_DEBUG=1` keeps the trace).
 */
import * as pulumi from "@pulumi/pulumi";
import type * as Implementation from "../provider/lookups";

/** Where a lookup looks, and with which credentials. */
export interface LookupTarget {
  /** The region to look in. Default `ims:region` (or the profile's region). */
  region?: string;
  /** An `ims:profiles` entry whose credentials (and project) are used. Default: the provider's credentials. */
  profile?: string;
}

/**
 * Which images match: every filter given must hold. The service applies what it can (`GET
 * /v2/cloudimages`); pulumi-ims tests every filter again on what it lists, and applies `nameRegex`,
 * `minSizeBytes` and all but the first tag itself.
 */
export interface ImageFilters extends LookupTarget {
  /** The image's name, exactly (case included). */
  name?: string;
  /**
   * A regular expression the name must match (JavaScript syntax, applied by pulumi-ims), e.g. `"^web-\\d+$"` or
   * `/^web-\d+$/i`. Not anchored: `"web"` matches any name containing `web`.
   */
  nameRegex?: string | RegExp;
  /**
   * `private` (the project's own images, not shared), `shared` (own images shared with other projects, and images
   * other projects shared with this one that it accepted), `public` (the cloud's public images; the service calls them
   * `gold`) or `market` (Marketplace images). Default: all of them.
   */
  imageType?: "private" | "shared" | "public" | "market";
  /** The id of the project that owns the image (32 hexadecimal characters), e.g. this project's own to find only its images. */
  owner?: string;
  /** The image's OS version as IMS names it, exactly, e.g. `"Ubuntu 24.04 server 64bit"` (see {@link getOsVersions}). */
  osVersion?: string;
  /** The OS platform, e.g. `Ubuntu`, `CentOS`, `Windows`, `EulerOS`, `Debian`, `Other`. */
  platform?: string;
  /** The CPU architecture: `x86` or `arm`. */
  architecture?: "x86" | "arm";
  /** The image's status: `active` (default), `queued`, `saving` or `killed`. */
  status?: "active" | "queued" | "saving" | "killed";
  /** Tags the image must carry, `key: value`, all of them (an empty value matches a tag given by its key alone). */
  tags?: Record<string, string>;
  /** The image file's format: `qcow2`, `raw`, `vhd`, `zvhd`, `zvhd2` or `iso`. */
  diskFormat?: "qcow2" | "raw" | "vhd" | "zvhd" | "zvhd2" | "iso";
  /** The least size of the image file, in bytes (the image's `sizeBytes`; 0 while an image is not active). */
  minSizeBytes?: number;
}

/** Arguments of {@link getImage}: the filters, and what to do when several images match. */
export interface GetImageArgs extends ImageFilters {
  /**
   * With several matches, take the newest (latest `createdAt`; among images created in the same second, the first
   * by name, then by id) instead of failing. Default `false`.
   */
  mostRecent?: boolean;
}

/** Arguments of {@link getImages}: the filters. */
export type GetImagesArgs = ImageFilters;

/** Arguments of {@link getOsVersions}. */
export interface GetOsVersionsArgs extends LookupTarget {
  /** Only the OS versions that carry every one of these tags: `bms` (bare metal), `uefi`, `arm`, `x86`. Default: all. */
  tags?: ("bms" | "uefi" | "arm" | "x86")[];
}

/** Arguments of {@link getQuota}. */
export type GetQuotaArgs = LookupTarget;

/**
 * The arguments of an `…Output` form: each one a `pulumi.Input` (a regular expression object is taken as it is; a
 * tag value may be an Input too).
 */
export type LookupInputs<T> = {
  [K in keyof T]: T[K] extends RegExp | string | undefined
    ? pulumi.Input<Exclude<T[K], RegExp>> | Extract<T[K], RegExp>
    : T[K] extends Record<string, string> | undefined
      ? pulumi.Input<Record<string, pulumi.Input<string>>>
      : pulumi.Input<T[K]>;
};

/** Arguments of {@link getImageOutput}. */
export type GetImageOutputArgs = LookupInputs<GetImageArgs>;
/** Arguments of {@link getImagesOutput}. */
export type GetImagesOutputArgs = LookupInputs<GetImagesArgs>;
/** Arguments of {@link getOsVersionsOutput}. */
export type GetOsVersionsOutputArgs = LookupInputs<GetOsVersionsArgs>;
/** Arguments of {@link getQuotaOutput}. */
export type GetQuotaOutputArgs = LookupInputs<GetQuotaArgs>;

/** An image as IMS shows it to the project that looked it up ("Image Attributes"). */
export interface ImageInfo {
  /** The image id (a UUID). */
  id: string;
  /** The image's name. */
  name: string;
  /** The region it was looked up in (the image's region). */
  region: string;
  /** The id of the project that owns it (for a public image, the cloud's). */
  owner: string;
  /** `active`, `queued`, `saving` or `killed`. */
  status: string;
  /** `private`, `shared` (shared by its owner with other projects, or shared with this one and accepted), `public` or `market`. */
  imageType: string;
  /** `private`, `shared` or `public`. */
  visibility: string;
  /** The description ("" when none). */
  description: string;
  /** Its tags, `key: value` (a tag made of a key alone has the value ""). */
  tags: Record<string, string>;
  /** When it was created: an ISO time in UTC, to the second, e.g. `2026-01-05T08:00:00Z`. */
  createdAt: string;
  /** When it was last changed: an ISO time in UTC. */
  updatedAt: string;
  /** Its OS version as IMS names it, e.g. `Ubuntu 24.04 server 64bit` ("" when unknown). */
  osVersion: string;
  /** `Linux`, `Windows` or `Other`. */
  osType: string;
  /** 32 or 64 (0 when unknown). */
  osBit: number;
  /** The OS platform, e.g. `Ubuntu`, `CentOS`, `Windows`, `Other`. */
  platform: string;
  /** `x86` or `arm`. */
  architecture: string;
  /** The boot firmware, `bios` or `uefi` ("" when the service does not say, which means bios). */
  firmware: string;
  /** `FusionCompute` (ECS system disk), `Ironic` (bare metal), `DataImage` (data disk) or `IsoImage`. */
  virtualEnvType: string;
  /** The image file's format, e.g. `zvhd2`, `qcow2` ("" when unknown). */
  diskFormat: string;
  /** The least system disk a server made from it needs, in GB. */
  minDisk: number;
  /** The least memory, in MB (0: no minimum). */
  minRam: number;
  /** The most memory, in MB (0: no maximum). */
  maxRam: number;
  /** The size of the image file in bytes (0 until the image is active). */
  sizeBytes: number;
  /** Whether it is protected from deletion (public images are). */
  protected: boolean;
  /** Whether it is a full-ECS image (system and data disks, backed by a CBR backup). */
  wholeImage: boolean;
  /** The KMS key that encrypts it ("" when it is not encrypted). */
  cmkId: string;
}

/** What {@link getImages} found. */
export interface GetImagesResult {
  /** The region looked in. */
  region: string;
  /** The project that looked (its credentials' project in that region). */
  projectId: string;
  /** Every matching image, newest `createdAt` first, then by name and id. */
  images: ImageInfo[];
  /** The ids of `images`, in the same order. */
  ids: string[];
}

/** One OS version IMS supports. */
export interface OsVersionInfo {
  /** The platform, e.g. `Ubuntu`, `Windows`. */
  platform: string;
  /** The OS version as IMS names it (the value of `osVersion` inputs), e.g. `Ubuntu 24.04 server 64bit`. */
  osVersion: string;
  /** `Linux` or `Windows`. */
  osType: string;
  /** 32 or 64. */
  osBit: number;
}

/** What {@link getOsVersions} found. */
export interface GetOsVersionsResult {
  /** The region looked in. */
  region: string;
  /** The supported OS versions, in the service's order (grouped by platform). */
  osVersions: OsVersionInfo[];
}

/** The private-image quota of a project in a region ({@link getQuota}). */
export interface GetQuotaResult {
  /** The region looked in. */
  region: string;
  /** The project whose quota this is. */
  projectId: string;
  /** Private images the project holds, those being created included. */
  used: number;
  /** How many private images it may hold. */
  quota: number;
  /** The least the quota may be set to. */
  min: number;
  /** The most the quota may be set to. */
  max: number;
}

/** The implementation, loaded at the first call: importing pulumi-ims does not load the REST client. */
function implementation(): typeof Implementation {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require("../provider/lookups") as typeof Implementation;
}

/** The program's stack configuration, as the resources' provider reads it (`ims:region`, …). */
const programConfig = { get: (key: string): string | undefined => pulumi.runtime.getConfig(key) };

/**
 * Runs a lookup with the program's configuration. Its error fails the program with the message alone
 * (a RunError: Pulumi prints it once, without a trace), unless PULUMI_IMS_DEBUG asks for traces.
 */
async function run<R>(call: (lookups: typeof Implementation, context: Implementation.LookupContext) => Promise<R>): Promise<R> {
  const lookups = implementation();
  try {
    return await call(lookups, { config: programConfig });
  } catch (error) {
    if (lookups.debugEnabled() || !(error instanceof Error)) throw error;
    throw new pulumi.RunError(error.message);
  }
}

/** The `…Output` form of a lookup: its arguments unwrapped (a RegExp kept as it is), then the plain form. */
function outputOf<A, R>(args: LookupInputs<A> | undefined, plain: (args: A) => Promise<R>): pulumi.Output<R> {
  const given: Record<string, unknown> = { ...(args ?? {}) };
  const regex = given.nameRegex instanceof RegExp ? given.nameRegex : undefined;
  if (regex !== undefined) delete given.nameRegex;
  return pulumi.output(given).apply((unwrapped) => plain({ ...unwrapped, ...(regex !== undefined ? { nameRegex: regex } : {}) } as A));
}

/**
 * The one image that matches `args` (an active one unless `status` says otherwise). No match fails, and so do several
 * unless `mostRecent` is set; the message names every filter, how many images matched (the first few by id and
 * name), and what to do.
 *
 * @example
 * const ubuntu = await ims.getImage({ imageType: "public", osVersion: "Ubuntu 22.04 server 64bit", mostRecent: true });
 */
export function getImage(args: GetImageArgs = {}): Promise<ImageInfo> {
  return run((lookups, context) => lookups.getImage(args, context));
}

/** {@link getImage} with `pulumi.Input` arguments, e.g. `name: base.name`. */
export function getImageOutput(args?: GetImageOutputArgs): pulumi.Output<ImageInfo> {
  return outputOf(args, getImage);
}

/** Every image that matches `args` (none is no error), newest first, then by name; every page of the listing is read. */
export function getImages(args: GetImagesArgs = {}): Promise<GetImagesResult> {
  return run((lookups, context) => lookups.getImages(args, context));
}

/** {@link getImages} with `pulumi.Input` arguments. */
export function getImagesOutput(args?: GetImagesOutputArgs): pulumi.Output<GetImagesResult> {
  return outputOf(args, getImages);
}

/** The OS versions IMS supports in the region (the values `osVersion` takes), optionally only those with every tag of `tags`. */
export function getOsVersions(args: GetOsVersionsArgs = {}): Promise<GetOsVersionsResult> {
  return run((lookups, context) => lookups.getOsVersions(args, context));
}

/** {@link getOsVersions} with `pulumi.Input` arguments. */
export function getOsVersionsOutput(args?: GetOsVersionsOutputArgs): pulumi.Output<GetOsVersionsResult> {
  return outputOf(args, getOsVersions);
}

/** The private-image quota of the project in the region: used, quota, and the range the quota may be set in. */
export function getQuota(args: GetQuotaArgs = {}): Promise<GetQuotaResult> {
  return run((lookups, context) => lookups.getQuota(args, context));
}

/** {@link getQuota} with `pulumi.Input` arguments. */
export function getQuotaOutput(args?: GetQuotaOutputArgs): pulumi.Output<GetQuotaResult> {
  return outputOf(args, getQuota);
}
