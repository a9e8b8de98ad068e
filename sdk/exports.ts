import * as pulumi from "@pulumi/pulumi";
import { exportSchema } from "../provider/exports/schema";
import type { ImageTimeouts } from "./managed-image";
import { withoutPropertyTraces, registrationProps, shownProperties } from "./registration";
import imageExportShim = require("./shims/image-export");

/** What every {@link ImageExport} takes, whichever way it exports. */
interface ImageExportCommonArgs {
  /**
   * The image to export (a UUID): an active private image of the exporting project. Not a full-ECS image, an
   * image made from an ISO file, a public image, nor one made from a Windows, SUSE, Red Hat, Ubuntu or Oracle
   * Linux public image or from a charged image. Changing it exports again (replaces the export).
   */
  imageId: pulumi.Input<string>;
  /**
   * The file to write, `bucket:object`, e.g. `images-bucket:exports/web.qcow2`: an existing OBS bucket (storage
   * class Standard) in the image's region, and a file name of letters, digits, `-`, `.` and `_` (folders
   * separated by `/`), no spaces, at most 128 characters, that does not exist yet: IMS never writes over a
   * file. Changing it exports again (replaces the export). The file stays when the export is replaced or
   * deleted, so a file name that changes with what is exported (e.g. with the image id or a date) lets a
   * replacement write its own file.
   */
  bucketUrl: pulumi.Input<string>;
  /** Region of the image and of the bucket. Default `ims:region`. Changing it exports again (replaces the export). */
  region?: pulumi.Input<string>;
  /** Credentials of the image's project: an `ims:profiles` entry. Default: the provider's. A change exports nothing. */
  profile?: pulumi.Input<string>;
  /** Time budgets; `create` covers the export job (default 60m, else `ims:timeouts`). A change exports nothing. */
  timeouts?: pulumi.Input<ImageTimeouts>;
}

/** A normal export: the image converted to the format asked for; images up to 128 GB. */
export interface ImageExportFileArgs extends ImageExportCommonArgs {
  /** The format of the file: `qcow2`, `vhd`, `zvhd` or `vmdk`. Changing it exports again (replaces the export). */
  fileFormat: pulumi.Input<"qcow2" | "vhd" | "zvhd" | "vmdk">;
  /** `false` (the default): a normal export. For a quick export see {@link ImageExportQuickArgs}. Changing it exports again. */
  quickExport?: pulumi.Input<false>;
}

/** A quick export: the image's own file, ZVHD2, without conversion; images up to 1 TB, not encrypted ones. */
export interface ImageExportQuickArgs extends ImageExportCommonArgs {
  /** `true`: a quick export, which writes ZVHD2 and takes images over 128 GB. Changing it exports again (replaces the export). */
  quickExport: pulumi.Input<true>;
  /** Not with a quick export: it writes ZVHD2. */
  fileFormat?: never;
}

/** Arguments of an {@link ImageExport}: a normal export with `fileFormat`, or a quick export with `quickExport: true`. */
export type ImageExportArgs = ImageExportFileArgs | ImageExportQuickArgs;

/**
 * An image's file written into an OBS bucket of its region ("Exporting an Image"); its id is `bucketUrl`. The
 * file lives in OBS, which pulumi-ims does not call: `pulumi refresh` reads what IMS knows (an export job
 * that was still running, and whether the image still exists) but not the file, and deleting the resource (or
 * replacing it) leaves the file in place, with a warning that says how to remove it. Type token
 * `pulumi-nodejs:dynamic/ims:ImageExport`.
 */
export class ImageExport extends pulumi.dynamic.Resource {
  /** The exported image. */
  declare public readonly imageId: pulumi.Output<string>;
  /** The written file, `bucket:object`. */
  declare public readonly bucketUrl: pulumi.Output<string>;
  /** The `fileFormat` input as declared (undefined for a quick export; the written format is `exportedFormat`). */
  declare public readonly fileFormat: pulumi.Output<string | undefined>;
  /** The `quickExport` input as declared. */
  declare public readonly quickExport: pulumi.Output<boolean | undefined>;
  /** The `region` input as declared (undefined: `ims:region`). Where the export ran: `imageRegion`. */
  declare public readonly region: pulumi.Output<string | undefined>;
  /** The `profile` input as declared (undefined: the provider's credentials). */
  declare public readonly profile: pulumi.Output<string | undefined>;
  /** The `timeouts` input as declared (or given as `customTimeouts`). */
  declare public readonly timeouts: pulumi.Output<pulumi.Unwrap<ImageTimeouts> | undefined>;
  /** Region of the image and of the bucket. */
  declare public readonly imageRegion: pulumi.Output<string>;
  /** The project that exported the image (32 hexadecimal characters). */
  declare public readonly projectId: pulumi.Output<string>;
  /** The bucket of `bucketUrl`. */
  declare public readonly bucket: pulumi.Output<string>;
  /** The file's key in the bucket (the part of `bucketUrl` after the colon). */
  declare public readonly objectKey: pulumi.Output<string>;
  /** The format of the written file: `fileFormat`, or `zvhd2` for a quick export. */
  declare public readonly exportedFormat: pulumi.Output<string>;
  /**
   * `exported`; `exporting` while an export job that outlived `timeouts.create` runs (the next `up` waits for it);
   * `failed` when that job failed (the next `up` exports again).
   */
  declare public readonly status: pulumi.Output<string>;
  /** The IMS export job; undefined when an existing file was taken over (an interrupted run's export). */
  declare public readonly jobId: pulumi.Output<string | undefined>;
  /** When the export ended (ISO time). */
  declare public readonly exportedAt: pulumi.Output<string | undefined>;
  /** The image's name when it was exported. */
  declare public readonly imageName: pulumi.Output<string>;
  /** The image's size in bytes when it was exported. */
  declare public readonly imageSizeBytes: pulumi.Output<number>;
  /** The image's disk format when it was exported, e.g. `qcow2`, `zvhd2`. */
  declare public readonly imageDiskFormat: pulumi.Output<string>;
  /** The image's IMS status at the last create or refresh: `active`, or `deleted` once it is gone (the file stays). */
  declare public readonly imageStatus: pulumi.Output<string>;

  constructor(name: string, args: ImageExportArgs, opts?: pulumi.CustomResourceOptions) {
    const registration = {
      kind: "ImageExport",
      outputs: shownProperties(exportSchema),
      importAdvice: "declare it without the import option: pulumi up exports the image (IMS refuses to write over an existing file)",
      createsImage: false,
    };
    const props = registrationProps(registration, name, args, opts);
    const restore = withoutPropertyTraces();
    try {
      super(imageExportShim, name, props, opts, "ims", "ImageExport");
    } finally {
      restore();
    }
  }
}
