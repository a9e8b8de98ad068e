import * as pulumi from "@pulumi/pulumi";
import { copySchema } from "../provider/copies/schema";
import { sdkOutputs } from "../provider/common/schema";
import { ManagedImage, type ImageLookup, type ImageTimeouts } from "./images";
import { byId, registrationProps } from "./registration";
import imageCopyShim = require("./shims/image-copy");

/** Arguments of an {@link ImageCopy}. */
export interface ImageCopyArgs {
  /**
   * The image to copy: an active image of the copying project, or one shared with it and accepted.
   * Not a full-ECS image within a region, an ISO image, an image over 128 GB, nor an encrypted image
   * to another region. Changing it replaces the copy.
   */
  sourceImageId: pulumi.Input<string>;
  /** Name of the copy: 1–128 letters, digits, spaces, '-', '.', '_'. Updated in place. Default: `<resource name>-<7 hex>`. */
  name?: pulumi.Input<string>;
  /** Up to 1024 characters, without '<', '>' or carriage returns. Updated in place. */
  description?: pulumi.Input<string>;
  /** Minimum memory in MB (0: no minimum). Updated in place. */
  minRam?: pulumi.Input<number>;
  /** Maximum memory in MB. Updated in place. */
  maxRam?: pulumi.Input<number>;
  /** Up to 10 tags of the copy (not copied from the source). Updated in place, by difference. */
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Region of the source image (default ims:region). Changing it replaces the copy. */
  region?: pulumi.Input<string>;
  /** Credentials of the copying project: an `ims:profiles` entry (default: the provider's). */
  profile?: pulumi.Input<string>;
  /** Region to copy to; absent (a copy within the region) by default. Changing it replaces the copy. */
  targetRegion?: pulumi.Input<string>;
  /** With `targetRegion`: the destination project's name (default the region's default project, named like the region). Replaces. */
  targetProjectName?: pulumi.Input<string>;
  /** With `targetRegion` (required there): the IAM agency that lets IMS act in the target region, e.g. `ims_admin_agency`. */
  agencyName?: pulumi.Input<string>;
  /** With `targetRegion`: a CBR vault there, required to copy a full-ECS image. Replaces. */
  vaultId?: pulumi.Input<string>;
  /** Within a region: a KMS key id, for an encrypted copy. Replaces. */
  cmkId?: pulumi.Input<string>;
  /** Within a region: the enterprise project of the copy. Replaces. */
  enterpriseProjectId?: pulumi.Input<string>;
  /** Time budgets: create (the copy job included) default 60m; update 10m; delete 10m; or ims:timeouts. */
  timeouts?: pulumi.Input<ImageTimeouts>;
  /** Take over an existing copy (an own image, copied from `sourceImageId`) instead of copying again. Replaces. */
  adoptImageId?: pulumi.Input<string>;
  /** On delete, stop sharing the copy with its members first, instead of failing while it is shared. */
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
  declare public readonly minRam: pulumi.Output<number | undefined>;
  declare public readonly maxRam: pulumi.Output<number | undefined>;

  constructor(name: string, args: ImageCopyArgs, opts?: pulumi.CustomResourceOptions);
  /** @internal Reading an existing copy (see {@link ImageCopy.get}). */
  constructor(name: string, args: undefined, opts: pulumi.CustomResourceOptions, state: Record<string, unknown>);
  constructor(name: string, args: ImageCopyArgs | undefined, opts?: pulumi.CustomResourceOptions, state?: Record<string, unknown>) {
    const registration = {
      kind: "ImageCopy",
      outputs: sdkOutputs(copySchema),
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
