import * as pulumi from "@pulumi/pulumi";
import { copySchema } from "../provider/copies/schema";
import { ManagedImage, type ImageAttributeArgs, type ImageLookup, type ImageTimeouts, type MemoryLimitArgs } from "./managed-image";
import { byId, registrationProps, shownProperties } from "./registration";
import imageCopyShim = require("./shims/image-copy");

/** Arguments of an {@link ImageCopy}. */
export interface ImageCopyArgs extends ImageAttributeArgs, MemoryLimitArgs {
  /**
   * The image to copy (a UUID): an active image of the copying project, or one shared with it and accepted.
   * Not a full-ECS image within a region, an ISO image, an image over 128 GB, nor an encrypted image
   * to another region. Its tags are not copied. Changing it replaces the copy.
   */
  sourceImageId: pulumi.Input<string>;
  /** Region of the source image. Default `ims:region`. Changing it replaces the copy. */
  region?: pulumi.Input<string>;
  /** Credentials of the copying project: an `ims:profiles` entry. Default: the provider's. A change changes no image. */
  profile?: pulumi.Input<string>;
  /** Region to copy to, e.g. `ap-southeast-3`; not the source's own. Default: absent, a copy within the region. Changing it replaces the copy. */
  targetRegion?: pulumi.Input<string>;
  /** With `targetRegion` only: the destination project's name. Default: the region's default project, named like the region. Changing it replaces the copy. */
  targetProjectName?: pulumi.Input<string>;
  /** With `targetRegion` only, and required there: the IAM agency that lets IMS act in the target region, e.g. `ims_admin_agency`. A change changes no image. */
  agencyName?: pulumi.Input<string>;
  /** With `targetRegion` only: a CBR vault there, required to copy a full-ECS image. Changing it replaces the copy. */
  vaultId?: pulumi.Input<string>;
  /** Within a region only: a KMS key id (a UUID), for an encrypted copy. Default: not encrypted. Changing it replaces the copy. */
  cmkId?: pulumi.Input<string>;
  /** Time budgets of create (the copy job included), update and delete; each one not given comes from `ims:timeouts`, else 60m, 10m, 10m. A change changes no image. */
  timeouts?: pulumi.Input<ImageTimeouts>;
  /** Take over an existing copy (an own image of the destination project, copied from `sourceImageId`; a UUID) instead of copying again. Changing it replaces the copy. */
  adoptImageId?: pulumi.Input<string>;
  /** On delete, stop sharing the copy with its members first, instead of failing while it is shared. Default `false`. A change changes no image. */
  removeMembersOnDelete?: pulumi.Input<boolean>;
}

/**
 * A copy of an image, within its region or in another region, managed afterwards in its own
 * region and project like any private image (`imageRegion` and `projectId` are the copy's; `jobId` is
 * the copy job, which ran in the source's region). Type token `pulumi-nodejs:dynamic/ims:ImageCopy`.
 */
export class ImageCopy extends ManagedImage {
  /** The copied image. */
  declare public readonly sourceImageId: pulumi.Output<string>;
  /** Region of the source image. */
  declare public readonly sourceRegion: pulumi.Output<string>;
  /** The `region` input as declared: the source image's region (undefined: `ims:region`). The copy's region is `imageRegion`. */
  declare public readonly region: pulumi.Output<string | undefined>;
  /** Minimum memory in MB (0: no minimum); after a refresh, the live value. */
  declare public readonly minRam: pulumi.Output<number | undefined>;
  /** Maximum memory in MB; after a refresh, the live value. */
  declare public readonly maxRam: pulumi.Output<number | undefined>;
  /** The `targetRegion` input as declared (undefined: a copy within the region). */
  declare public readonly targetRegion: pulumi.Output<string | undefined>;
  /** The `targetProjectName` input as declared (undefined: the target region's default project). */
  declare public readonly targetProjectName: pulumi.Output<string | undefined>;
  /** The `agencyName` input as declared. */
  declare public readonly agencyName: pulumi.Output<string | undefined>;
  /** The `vaultId` input as declared: the CBR vault in the target region. */
  declare public readonly vaultId: pulumi.Output<string | undefined>;
  /** The `cmkId` input as declared: the KMS key of an encrypted copy. */
  declare public readonly cmkId: pulumi.Output<string | undefined>;

  constructor(name: string, args: ImageCopyArgs, opts?: pulumi.CustomResourceOptions);
  /** @internal Reading an existing copy (see {@link ImageCopy.get}). */
  constructor(name: string, args: undefined, opts: pulumi.CustomResourceOptions, state: Record<string, unknown>);
  constructor(name: string, args: ImageCopyArgs | undefined, opts?: pulumi.CustomResourceOptions, state?: Record<string, unknown>) {
    const registration = {
      kind: "ImageCopy",
      outputs: shownProperties(copySchema),
      importAdvice: "declare the resource with adoptImageId: <id of the copy> instead, which takes the existing copy over",
      createsImage: true,
    };
    super(imageCopyShim, name, registrationProps(registration, name, args, opts, state), opts, "ims", "ImageCopy");
  }

  /** An existing image read by its id, as a copy is (not managed); `region`: where the image is. */
  static get(name: string, id: pulumi.Input<pulumi.ID>, lookup: ImageLookup = {}, opts?: pulumi.CustomResourceOptions): ImageCopy {
    return new ImageCopy(name, undefined, byId(id, opts), { imageRegion: lookup.region, profile: lookup.profile });
  }
}
