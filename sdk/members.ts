import * as pulumi from "@pulumi/pulumi";
import { memberSchema, type SharedImageView } from "../provider/members/schema";
import type { ImageLookup, ImageTimeouts } from "./managed-image";
import { byId, withoutPropertyTraces, registrationProps, shownProperties } from "./registration";
import imageMemberShim = require("./shims/image-member");

export type { SharedImageView };

/** The member project's side of a share: its credentials and its answer. */
export interface ImageMemberConsumer {
  /**
   * An `ims:profiles` entry whose credentials act as the member project (`projectId`): the share is
   * accepted or rejected with them. Required. A change of it changes no share (credentials only).
   */
  profile: pulumi.Input<string>;
  /** The member project's answer: `accepted` (default) or `rejected`. A change answers again, in place. */
  status?: pulumi.Input<"accepted" | "rejected">;
  /** A CBR vault of the member project, to accept a full-ECS image made from a CBR backup. Default: none. Updated in place. */
  vaultId?: pulumi.Input<string>;
}

/** Arguments of an {@link ImageMember}. */
export interface ImageMemberArgs {
  /** The image to share: an active private image of the owner's project (a UUID). Changing it replaces the member. */
  imageId: pulumi.Input<string>;
  /** The member project: 32 hexadecimal characters, in the image's region, not the owner's own. Changing it replaces the member. */
  projectId: pulumi.Input<string>;
  /** Region of the image. Default `ims:region`. Changing it replaces the member. */
  region?: pulumi.Input<string>;
  /** The owner's credentials: an `ims:profiles` entry. Default: the provider's credentials. A change changes no share. */
  profile?: pulumi.Input<string>;
  /**
   * The member project's side. With it, pulumi-ims accepts (or rejects) the share with the member
   * project's credentials and keeps that answer: a different answer given outside Pulumi shows on
   * `pulumi refresh`, and the next `up` gives the declared one again. Without it (the default), the share
   * stays as the member project leaves it and its answer is only an output (`status`). Updated in place.
   */
  consumer?: pulumi.Input<ImageMemberConsumer>;
  /** Time budgets of the share and answer jobs; each one not given comes from `ims:timeouts`, else 30m, 10m, 10m. A change changes no share. */
  timeouts?: pulumi.Input<ImageTimeouts>;
}

/**
 * An image shared with another project, and optionally accepted there: one image, one member
 * project. Its id is `<image id>/<project id>`. Type token `pulumi-nodejs:dynamic/ims:ImageMember`.
 */
export class ImageMember extends pulumi.dynamic.Resource {
  /** The shared image. */
  declare public readonly imageId: pulumi.Output<string>;
  /** The member project. */
  declare public readonly projectId: pulumi.Output<string>;
  /** The `region` input as declared (undefined: `ims:region`). Where the share actually is: `imageRegion`. */
  declare public readonly region: pulumi.Output<string | undefined>;
  /** The `profile` input as declared: the owner's `ims:profiles` entry (undefined: the provider's credentials). */
  declare public readonly profile: pulumi.Output<string | undefined>;
  /** The member project's side, as declared (after a refresh: as it is). */
  declare public readonly consumer: pulumi.Output<pulumi.Unwrap<ImageMemberConsumer> | undefined>;
  /** The `timeouts` input as declared (or given as `customTimeouts`). */
  declare public readonly timeouts: pulumi.Output<pulumi.Unwrap<ImageTimeouts> | undefined>;
  /** Region of the image and of the share. */
  declare public readonly imageRegion: pulumi.Output<string>;
  /** The image owner's project. */
  declare public readonly ownerProjectId: pulumi.Output<string>;
  /** The image's name, as its owner sees it. */
  declare public readonly imageName: pulumi.Output<string>;
  /** The member project's answer: `pending`, `accepted` or `rejected`. */
  declare public readonly status: pulumi.Output<string>;
  /** When the project became a member (ISO time). */
  declare public readonly createdAt: pulumi.Output<string>;
  /** When the member's status last changed (ISO time). */
  declare public readonly updatedAt: pulumi.Output<string>;
  /** The image as the member project sees it (with `consumer`, once accepted). */
  declare public readonly sharedImage: pulumi.Output<SharedImageView | undefined>;

  constructor(name: string, args: ImageMemberArgs, opts?: pulumi.CustomResourceOptions);
  /** @internal Reading an existing membership (see {@link ImageMember.get}). */
  constructor(name: string, args: undefined, opts: pulumi.CustomResourceOptions, state: Record<string, unknown>);
  constructor(name: string, args: ImageMemberArgs | undefined, opts?: pulumi.CustomResourceOptions, state?: Record<string, unknown>) {
    const registration = {
      kind: "ImageMember",
      outputs: shownProperties(memberSchema),
      importAdvice: "declare the resource without it: creating an ImageMember takes an existing membership of the same image and project over",
      createsImage: false,
    };
    const props = registrationProps(registration, name, args, opts, state);
    const restore = withoutPropertyTraces();
    try {
      super(imageMemberShim, name, props, opts, "ims", "ImageMember");
    } finally {
      restore();
    }
  }

  /**
   * An existing membership, read by its id `<image id>/<project id>` from the owner's side (not managed);
   * `region` and `profile`: where the image is and the owner's credentials.
   */
  static get(name: string, id: pulumi.Input<pulumi.ID>, lookup: ImageLookup = {}, opts?: pulumi.CustomResourceOptions): ImageMember {
    return new ImageMember(name, undefined, byId(id, opts), { imageRegion: lookup.region, profile: lookup.profile });
  }
}
