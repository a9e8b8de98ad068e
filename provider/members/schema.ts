/**
 * The fields of ImageMember: one image shared with one project, optionally accepted (or rejected)
 * there with that project's own credentials. Pure data (no client).
 */
import type { ResourceSchema } from "../common/schema";
import type { TimeoutsInput } from "../common/values";

/** The member project's side: its credentials and the status it should give the share. */
export interface MemberConsumer {
  /** An `ims:profiles` entry whose credentials act as the member project. */
  profile: string;
  /** What the member project answers the share with (default `accepted`). */
  status?: "accepted" | "rejected";
  /** CBR vault that receives the backups when accepting a full-ECS image made from a CBR backup. */
  vaultId?: string;
}

export interface MemberInputs {
  /** The shared image (owned by the provider's, or `profile`'s, project). */
  imageId: string;
  /** The member project (32 hex characters), in the image's region. */
  projectId: string;
  region?: string;
  /** The owner's credentials (`ims:profiles` entry); default the provider's. */
  profile?: string;
  consumer?: MemberConsumer;
  timeouts?: TimeoutsInput;
}

/** The image as the member project sees it, once it accepted the share. */
export interface SharedImageView {
  /** The image's id (the same for owner and member). */
  id: string;
  /** The image's name. */
  name: string;
  /** IMS status of the image: `active` once it can be used. */
  status: string;
  /** `shared`: an image another project shares with this one. */
  imageType: string;
  /** `shared` while the share stands. */
  visibility: string;
}

export interface MemberOutputs extends MemberInputs {
  /** Region of the image and of the membership. */
  imageRegion: string;
  /** The image owner's project. */
  ownerProjectId: string;
  /** The image's name, as its owner sees it. */
  imageName: string;
  /** `pending`, `accepted` or `rejected`: what the member project answered. */
  status: string;
  createdAt: string;
  updatedAt: string;
  /** The image as the member project sees it (with `consumer`, once accepted). */
  sharedImage?: SharedImageView;
}

export const memberSchema = {
  inputs: {
    imageId: "replace",
    projectId: "replace",
    region: "replace",
    profile: "none",
    consumer: "update",
    timeouts: "none",
  },
  outputs: {
    imageRegion: true,
    ownerProjectId: true,
    imageName: true,
    status: true,
    createdAt: true,
    updatedAt: true,
    sharedImage: true,
  },
} as const satisfies ResourceSchema<MemberInputs, MemberOutputs>;

/** The resource id of a membership: `<image id>/<member project id>`. */
export const memberId = (imageId: string, projectId: string): string => `${imageId}/${projectId}`;
