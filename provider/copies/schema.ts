/**
 * The fields of ImageCopy: a copy of an image in its own region or in another region, managed
 * afterwards like any image of its project. Pure data (no client).
 */
import type { ResourceSchema } from "../common/schema";
import type { TimeoutsInput } from "../common/values";
import { LIVE_IMAGE_OUTPUTS, type ImageAttributes, type LiveImageOutputs } from "../images/schema";

export interface CopyInputs extends ImageAttributes {
  /** The image to copy: an own image, or one shared with the project and accepted. */
  sourceImageId: string;
  /** Region of the source image (default the provider's). */
  region?: string;
  /** Credentials of the project that copies (`ims:profiles` entry); default the provider's. */
  profile?: string;
  /** Another region to copy to; absent (or the source's region): a copy within the region. */
  targetRegion?: string;
  /** The destination project, by name (default the target region's default project, named like the region). */
  targetProjectName?: string;
  /** IAM agency that lets IMS act in the target region (cross-region copies). */
  agencyName?: string;
  /** CBR vault in the target region, for a full-ECS image (cross-region copies). */
  vaultId?: string;
  /** KMS key of the copy: an encrypted copy (in-region copies). */
  cmkId?: string;
  timeouts?: TimeoutsInput;
  /** Take over an existing copy of the source instead of copying again. */
  adoptImageId?: string;
  /** On delete, stop sharing the copy first instead of failing while it has members. */
  removeMembersOnDelete?: boolean;
  /** Set by the SDK: a digest of the resource's URN (see PrivateImage). */
  creationMarker?: string;
  /** Set by the SDK: the resource's name, from which `name` is made when the program gives none. */
  resourceName?: string;
}

export interface CopyOutputs extends CopyInputs, LiveImageOutputs {
  /** The region of the source image. */
  sourceRegion: string;
}

export const copySchema = {
  inputs: {
    sourceImageId: "replace",
    name: "update",
    description: "update",
    minRam: "update",
    maxRam: "update",
    tags: "update",
    region: "replace",
    profile: "none",
    targetRegion: "replace",
    targetProjectName: "replace",
    agencyName: "none",
    vaultId: "replace",
    cmkId: "replace",
    enterpriseProjectId: "update",
    timeouts: "none",
    adoptImageId: "replace",
    removeMembersOnDelete: "none",
    creationMarker: "create",
    resourceName: "create",
  },
  outputs: { ...LIVE_IMAGE_OUTPUTS, sourceRegion: true },
} as const satisfies ResourceSchema<CopyInputs, CopyOutputs>;

/** A copy takes up to 60 minutes to create unless `timeouts.create` or `ims:timeouts` say otherwise. */
export const COPY_CREATE_MS = 60 * 60_000;
