/**
 * What every resource that manages an image (PrivateImage, DataImage, ImageCopy) shows, and the
 * arguments shared with ImageMember: time budgets and where `get` looks.
 */
import * as pulumi from "@pulumi/pulumi";
import { withoutPropertyTraces } from "./registration";

/**
 * Time budgets of a resource's operations: durations such as `"90s"`, `"30m"`, `"1h30m"`, or a number of
 * seconds; positive and at most 596h. Each one not given comes from `ims:timeouts`, else the default below.
 * A change of them changes no cloud object (it is recorded for later operations).
 */
export interface ImageTimeouts {
  /** Creation, its IMS job included. Default 30m (60m for an ImageCopy or an ImageExport). */
  create?: pulumi.Input<string | number>;
  /** An update in place. Default 10m. */
  update?: pulumi.Input<string | number>;
  /** Deletion, until the object is gone. Default 10m. */
  delete?: pulumi.Input<string | number>;
}

/** The attributes every managed image declares (PrivateImage, DataImage, ImageCopy), each updated in place. */
export interface ImageAttributeArgs {
  /**
   * The image's name: 1–128 letters, digits, spaces, '-', '.', '_' (no leading or trailing space). Updated in
   * place. Default: the resource's name and a random suffix (`<resource name>-<7 hex>`), chosen at creation and kept.
   */
  name?: pulumi.Input<string>;
  /** Up to 1024 characters, without '<', '>' or carriage returns. Default: none. Updated in place. */
  description?: pulumi.Input<string>;
  /** Up to 10 tags; keys 1–36 and values up to 43 letters, digits, '_' or '-'. Updated in place, by difference. */
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /**
   * The enterprise project of the image: `"0"` (the account's default one) or an enterprise project id (a UUID). Set at
   * creation; a change moves the image, in place. Default: undeclared, the image is made in the default enterprise
   * project and stays wherever it is moved (removing the declaration moves nothing).
   */
  enterpriseProjectId?: pulumi.Input<string>;
}

/** The memory limits of a system-disk image (PrivateImage, ImageCopy), each updated in place. */
export interface MemoryLimitArgs {
  /** Minimum memory in MB, 0–1048576 (0: no minimum). Default: none. Updated in place. */
  minRam?: pulumi.Input<number>;
  /** Maximum memory in MB, 0–1048576, not below `minRam`. Default: none. Updated in place. */
  maxRam?: pulumi.Input<number>;
}

/** Where the static `get` of a class looks for an existing object. */
export interface ImageLookup {
  /** The region the object is in. Default `ims:region`. */
  region?: pulumi.Input<string>;
  /** An `ims:profiles` entry whose credentials see the object. Default: the provider's credentials. */
  profile?: pulumi.Input<string>;
}

/**
 * A resource that manages one image (PrivateImage, DataImage, ImageCopy): the image's attributes as
 * declared, and what IMS says of it, read after every create, update and refresh.
 */
export abstract class ManagedImage extends pulumi.dynamic.Resource {
  constructor(provider: pulumi.dynamic.ResourceProvider, name: string, props: pulumi.Inputs, opts: pulumi.CustomResourceOptions | undefined, module: string, type: string) {
    const restore = withoutPropertyTraces();
    try {
      super(provider, name, props, opts, module, type);
    } finally {
      restore();
    }
  }

  /** The image's name: as declared, or `<resource name>-<7 hex>` chosen at creation; after a refresh, the live name. */
  declare public readonly name: pulumi.Output<string>;
  /** The image's description (up to 1024 characters); after a refresh, the live one. */
  declare public readonly description: pulumi.Output<string | undefined>;
  /** The image's tags, `key: value`; after a refresh, the live ones. */
  declare public readonly tags: pulumi.Output<Record<string, string> | undefined>;
  /** The image's enterprise project as declared (`"0"`: the default one); after a refresh, the live one. Undefined while undeclared. */
  declare public readonly enterpriseProjectId: pulumi.Output<string | undefined>;
  /** The `region` input as declared (undefined: `ims:region`). Where the image actually is: `imageRegion`. */
  declare public readonly region: pulumi.Output<string | undefined>;
  /** The `profile` input as declared: the `ims:profiles` entry whose credentials manage the image (undefined: the provider's). */
  declare public readonly profile: pulumi.Output<string | undefined>;
  /** The `timeouts` input as declared (or given as `customTimeouts`). */
  declare public readonly timeouts: pulumi.Output<pulumi.Unwrap<ImageTimeouts> | undefined>;
  /** The `adoptImageId` input as declared: the existing image taken over instead of created. */
  declare public readonly adoptImageId: pulumi.Output<string | undefined>;
  /** The `removeMembersOnDelete` input as declared. */
  declare public readonly removeMembersOnDelete: pulumi.Output<boolean | undefined>;
  /** IMS status: `active` (or `queued`, `saving`, `killed`). */
  declare public readonly status: pulumi.Output<string>;
  /** The region the image is in. */
  declare public readonly imageRegion: pulumi.Output<string>;
  /** The project the image is in (32 hexadecimal characters). */
  declare public readonly projectId: pulumi.Output<string>;
  /** Size of the image file, in bytes. */
  declare public readonly sizeBytes: pulumi.Output<number>;
  /** Format of the image file, e.g. `qcow2`, `zvhd2`. */
  declare public readonly diskFormat: pulumi.Output<string>;
  /** The OS as IMS names it, e.g. `Ubuntu 24.04 server 64bit`. */
  declare public readonly osVersion: pulumi.Output<string>;
  /** The OS family: `Linux`, `Windows` or `Other`. */
  declare public readonly osType: pulumi.Output<string>;
  /** The OS's bits: `32` or `64`. */
  declare public readonly osBit: pulumi.Output<string>;
  /** The OS distribution, e.g. `Ubuntu`. */
  declare public readonly platform: pulumi.Output<string>;
  /** `private`, or `shared` while the image has members. */
  declare public readonly visibility: pulumi.Output<string>;
  /** `private`, or `shared` while the image has members. */
  declare public readonly imageType: pulumi.Output<string>;
  /** Checksum of the image file. */
  declare public readonly checksum: pulumi.Output<string>;
  /** Minimum disk in GB. */
  declare public readonly minDisk: pulumi.Output<number>;
  /** What the image runs on: `FusionCompute` (ECS), `Ironic` (BMS), `IsoImage`, or `DataImage` for a data image. */
  declare public readonly virtualEnvType: pulumi.Output<string>;
  /** When the image was created (ISO time). */
  declare public readonly createdAt: pulumi.Output<string>;
  /** When the image last changed (ISO time). */
  declare public readonly updatedAt: pulumi.Output<string>;
  /** The IMS job that created the image (for an ImageCopy: the copy job, in the source's region). */
  declare public readonly jobId: pulumi.Output<string | undefined>;
}
