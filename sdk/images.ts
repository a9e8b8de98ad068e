import * as pulumi from "@pulumi/pulumi";
import { imageSchemas } from "../provider/images/schema";
import { ManagedImage, type ImageAttributeArgs, type ImageLookup, type ImageTimeouts, type MemoryLimitArgs } from "./managed-image";
import { byId, registrationProps, shownProperties, type Registration } from "./registration";
import type { DataImageSource, PrivateImageSource } from "./sources";
import type { DataImageRecord } from "../provider/images/schema";

export type { DataImageRecord };
import privateImageShim = require("./shims/private-image");
import dataImageShim = require("./shims/data-image");

/** Arguments common to both image resources. */
interface ImageArgsBase extends ImageAttributeArgs {
  /** Region of the image. Default `ims:region`. Changing it replaces the image. */
  region?: pulumi.Input<string>;
  /** An `ims:profiles` entry whose credentials manage the image. Default: the provider's credentials. A change changes no image. */
  profile?: pulumi.Input<string>;
  /** Time budgets of create, update and delete; each one not given comes from `ims:timeouts`, else 30m, 10m, 10m. A change changes no image. */
  timeouts?: pulumi.Input<ImageTimeouts>;
  /**
   * Take over an existing image (own, private; its id, a UUID) instead of creating one: `pulumi import` does not reach
   * dynamic resources. The image must match the declared source kind; name, description, RAM limits and tags are then
   * brought to the declared values. Default: a new image. Changing it replaces the resource.
   */
  adoptImageId?: pulumi.Input<string>;
  /** On delete, stop sharing the image with its members first, instead of failing while it is shared. Default `false`. A change changes no image. */
  removeMembersOnDelete?: pulumi.Input<boolean>;
}

/** Arguments of a {@link PrivateImage}. */
export interface PrivateImageArgs extends ImageArgsBase, MemoryLimitArgs {
  /** Where the image comes from: exactly one kind of source. Changing any of its fields replaces the image. */
  source: pulumi.Input<PrivateImageSource>;
  /** With `source.dataDisks` only: on delete, leave the data images in place (they are then no longer managed). Default `false`. A change changes no image. */
  keepDataImages?: pulumi.Input<boolean>;
}

/** Arguments of a {@link DataImage}. */
export interface DataImageArgs extends ImageArgsBase {
  /** Where the image comes from: exactly one kind of source. Changing any of its fields replaces the image. */
  source: pulumi.Input<DataImageSource>;
}

const ADOPT = "declare the resource with adoptImageId: <image id> instead, which takes the existing image over";

const registration = (kind: "PrivateImage" | "DataImage"): Registration => ({
  kind,
  outputs: shownProperties(imageSchemas[kind === "PrivateImage" ? "private" : "data"]),
  importAdvice: ADOPT,
  createsImage: true,
});

/**
 * A private system-disk image, from an ECS server, an OBS image file, an EVS volume, a CBR backup (full-ECS), a
 * full ECS, or a local file. Type token `pulumi-nodejs:dynamic/ims:PrivateImage`.
 */
export class PrivateImage extends ManagedImage {
  /** The `source` input as declared: where the image came from (undefined for an image read by `get`). */
  declare public readonly source: pulumi.Output<pulumi.Unwrap<PrivateImageSource> | undefined>;
  /** Minimum memory in MB (0: no minimum); after a refresh, the live value. */
  declare public readonly minRam: pulumi.Output<number | undefined>;
  /** Maximum memory in MB; after a refresh, the live value. */
  declare public readonly maxRam: pulumi.Output<number | undefined>;
  /** The `keepDataImages` input as declared. */
  declare public readonly keepDataImages: pulumi.Output<boolean | undefined>;
  /**
   * The data images of `source.dataDisks`, in their order, as IMS shows them (after a refresh: now). One deleted outside
   * Pulumi shows `status: "deleted"`, and the next `up` makes it again from its file.
   */
  declare public readonly dataImages: pulumi.Output<DataImageRecord[] | undefined>;

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
  /** The `source` input as declared: where the image came from (undefined for an image read by `get`). */
  declare public readonly source: pulumi.Output<pulumi.Unwrap<DataImageSource> | undefined>;

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
