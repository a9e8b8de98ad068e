import * as pulumi from "@pulumi/pulumi";
import { sdkOutputs } from "../provider/common/schema";
import { imageSchema } from "../provider/images/schema";
import { byId, registrationProps, type Registration } from "./registration";
import privateImageShim = require("./shims/private-image");
import dataImageShim = require("./shims/data-image");

/** Durations such as "90s", "30m", "1h30m", or a number of seconds. */
export interface ImageTimeouts {
  /** Creation, job included (default 30m, or ims:timeouts). */
  create?: pulumi.Input<string | number>;
  /** In-place updates (default 10m). */
  update?: pulumi.Input<string | number>;
  /** Deletion, until the image is gone (default 10m). */
  delete?: pulumi.Input<string | number>;
}

/** Arguments common to both image resources. */
interface ImageArgsBase {
  /**
   * 1–128 letters, digits, spaces, '-', '.', '_' (no leading or trailing space). Updated in place. Default: the
   * resource's name and a random suffix (`<resource name>-<7 hex>`), chosen at creation and kept.
   */
  name?: pulumi.Input<string>;
  /** Up to 1024 characters, without '<', '>' or carriage returns. Updated in place. */
  description?: pulumi.Input<string>;
  /** Up to 10 tags; keys 1–36 and values up to 43 letters, digits, '_' or '-'. Updated in place, by difference. */
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Region of the image (default ims:region). Changing it replaces the image. */
  region?: pulumi.Input<string>;
  /** Named credential set from ims:profiles (default: the provider's credentials). */
  profile?: pulumi.Input<string>;
  timeouts?: pulumi.Input<ImageTimeouts>;
  /**
   * Take over an existing image (own, private) instead of creating one: `pulumi import` does not reach dynamic
   * resources. The image must match the declared source kind; name, description, RAM limits and tags are then
   * brought to the declared values. Changing it replaces the resource.
   */
  adoptImageId?: pulumi.Input<string>;
  /** On delete, stop sharing the image with its members first, instead of failing while it is shared. */
  removeMembersOnDelete?: pulumi.Input<boolean>;
}

/**
 * Where a system-disk image comes from: exactly one of `imageUrl`, `localFile`, `instanceId`, `volumeId`,
 * `backupId`. Changing any source field replaces the image.
 */
export interface PrivateImageSource {
  /** OBS image file `bucket:object` (qcow2, vhd, vmdk, raw, iso…); needs `minDisk`. */
  imageUrl?: pulumi.Input<string>;
  /** A local image file, uploaded through the Glance-compatible API and checked by MD5; needs `minDisk`. */
  localFile?: pulumi.Input<string>;
  /** ECS server whose system disk becomes the image (with `wholeImage`: all its disks, a full-ECS image). */
  instanceId?: pulumi.Input<string>;
  /** With `instanceId`: a full-ECS image. */
  wholeImage?: pulumi.Input<boolean>;
  /** With `wholeImage`: the CBR vault that keeps the server's backup. */
  vaultId?: pulumi.Input<string>;
  /** EVS volume holding an operating system; needs `osVersion`. */
  volumeId?: pulumi.Input<string>;
  /** CBR (or CSBS) backup: a full-ECS image. */
  backupId?: pulumi.Input<string>;
  /** Kind of `backupId` (default CBR). */
  backupType?: pulumi.Input<"CBR" | "CSBS">;
  /** Minimum system disk in GB, 1–1024; must hold the disk in the file. */
  minDisk?: pulumi.Input<number>;
  /** OS as IMS names it, e.g. "Ubuntu 24.04 server 64bit" (required for volumes, ISO files, quick import). */
  osVersion?: pulumi.Input<string>;
  osType?: pulumi.Input<"Linux" | "Windows" | "Other">;
  /** Let IMS configure drivers and tools of an imported file. */
  isConfig?: pulumi.Input<boolean>;
  /** KMS key id: an encrypted image. */
  cmkId?: pulumi.Input<string>;
  /** ECS (default), BMS, or IsoImage for an ISO file. */
  type?: pulumi.Input<"ECS" | "BMS" | "IsoImage">;
  architecture?: pulumi.Input<"x86" | "arm">;
  firmware?: pulumi.Input<"bios" | "uefi">;
  /** Windows licence: platform or byol (quick import). */
  licenseType?: pulumi.Input<"platform" | "byol">;
  /** Fast import of a large RAW or ZVHD2 file (needs `osVersion`). */
  quickImport?: pulumi.Input<boolean>;
}

export interface PrivateImageArgs extends ImageArgsBase {
  source: pulumi.Input<PrivateImageSource>;
  /** Minimum memory in MB (0: no minimum). Updated in place. */
  minRam?: pulumi.Input<number>;
  /** Maximum memory in MB. Updated in place. */
  maxRam?: pulumi.Input<number>;
}

/** Where a data-disk image comes from: exactly one of `imageUrl`, `volumeId`. Changing it replaces the image. */
export interface DataImageSource {
  /** OBS image file `bucket:object`; needs `minDisk`. */
  imageUrl?: pulumi.Input<string>;
  /** An ECS server's data volume. */
  volumeId?: pulumi.Input<string>;
  /** Minimum data disk in GB, 40–2048. */
  minDisk?: pulumi.Input<number>;
  osType?: pulumi.Input<"Linux" | "Windows">;
  cmkId?: pulumi.Input<string>;
  quickImport?: pulumi.Input<boolean>;
}

export interface DataImageArgs extends ImageArgsBase {
  source: pulumi.Input<DataImageSource>;
}

/**
 * A resource that manages one image (PrivateImage, DataImage, ImageCopy): the image's attributes as
 * declared, and what IMS says of it, read after every create, update and refresh.
 */
export abstract class ManagedImage extends pulumi.dynamic.Resource {
  /** IMS status: active (or queued, saving, killed). */
  declare public readonly status: pulumi.Output<string>;
  declare public readonly name: pulumi.Output<string>;
  declare public readonly description: pulumi.Output<string | undefined>;
  declare public readonly tags: pulumi.Output<Record<string, string> | undefined>;
  /** Region and project the image is in. */
  declare public readonly imageRegion: pulumi.Output<string>;
  declare public readonly projectId: pulumi.Output<string>;
  /** Bytes of the image file. */
  declare public readonly sizeBytes: pulumi.Output<number>;
  declare public readonly diskFormat: pulumi.Output<string>;
  declare public readonly osVersion: pulumi.Output<string>;
  declare public readonly osType: pulumi.Output<string>;
  declare public readonly osBit: pulumi.Output<string>;
  declare public readonly platform: pulumi.Output<string>;
  /** private, or shared while the image has members. */
  declare public readonly visibility: pulumi.Output<string>;
  declare public readonly imageType: pulumi.Output<string>;
  declare public readonly checksum: pulumi.Output<string>;
  /** Minimum disk in GB. */
  declare public readonly minDisk: pulumi.Output<number>;
  declare public readonly virtualEnvType: pulumi.Output<string>;
  declare public readonly createdAt: pulumi.Output<string>;
  declare public readonly updatedAt: pulumi.Output<string>;
  /** The IMS job that created the image. */
  declare public readonly jobId: pulumi.Output<string | undefined>;
}

/** Live attributes of an image made by PrivateImage or DataImage. */
/** Where `get` looks for an image: its region and the credentials that see it (default the provider's). */
export interface ImageLookup {
  region?: pulumi.Input<string>;
  profile?: pulumi.Input<string>;
}

const ADOPT = "declare the resource with adoptImageId: <image id> instead, which takes the existing image over";

const registration = (kind: string): Registration => ({ kind, outputs: sdkOutputs(imageSchema), importAdvice: ADOPT, createsImage: true });

/**
 * A private system-disk image, from an ECS server, an OBS image file, an EVS volume, a CBR backup (full-ECS), a
 * full ECS, or a local file. Type token `pulumi-nodejs:dynamic/ims:PrivateImage`.
 */
export class PrivateImage extends ManagedImage {
  declare public readonly minRam: pulumi.Output<number | undefined>;
  declare public readonly maxRam: pulumi.Output<number | undefined>;

  constructor(name: string, args: PrivateImageArgs, opts?: pulumi.CustomResourceOptions);
  /** @internal Reading an existing image (see {@link PrivateImage.get}). */
  constructor(name: string, args: undefined, opts: pulumi.CustomResourceOptions, state: ImageLookup);
  constructor(name: string, args: PrivateImageArgs | undefined, opts?: pulumi.CustomResourceOptions, state?: ImageLookup) {
    super(privateImageShim, name, registrationProps(registration("PrivateImage"), name, args, opts, state), opts, "ims", "PrivateImage");
  }

  /**
   * An existing image, read by its id (not managed: nothing is created, changed or deleted). Its outputs are
   * what IMS says of it now.
   */
  static get(name: string, id: pulumi.Input<pulumi.ID>, lookup: ImageLookup = {}, opts?: pulumi.CustomResourceOptions): PrivateImage {
    return new PrivateImage(name, undefined, byId(id, opts), lookup);
  }
}

/** A data-disk image, from an OBS image file or an ECS server's data volume. Type token `pulumi-nodejs:dynamic/ims:DataImage`. */
export class DataImage extends ManagedImage {
  constructor(name: string, args: DataImageArgs, opts?: pulumi.CustomResourceOptions);
  /** @internal Reading an existing image (see {@link DataImage.get}). */
  constructor(name: string, args: undefined, opts: pulumi.CustomResourceOptions, state: ImageLookup);
  constructor(name: string, args: DataImageArgs | undefined, opts?: pulumi.CustomResourceOptions, state?: ImageLookup) {
    super(dataImageShim, name, registrationProps(registration("DataImage"), name, args, opts, state), opts, "ims", "DataImage");
  }

  /** An existing data image, read by its id (not managed). */
  static get(name: string, id: pulumi.Input<pulumi.ID>, lookup: ImageLookup = {}, opts?: pulumi.CustomResourceOptions): DataImage {
    return new DataImage(name, undefined, byId(id, opts), lookup);
  }
}
