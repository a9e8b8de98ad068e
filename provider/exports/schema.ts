/**
 * The fields of ImageExport: one image's file written into an OBS bucket of its region (IMS API
 * Reference, "Exporting an Image"). The file stays in OBS after the resource is gone. Pure data (no
 * client).
 */
import type { ResourceSchema } from "../common/schema";
import type { TimeoutsInput } from "../common/values";

/** The formats a normal export writes (`file_format`). */
export const EXPORT_FORMATS = ["qcow2", "vhd", "zvhd", "vmdk"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportInputs {
  /** The image to export: a private image of the exporting project. */
  imageId: string;
  /** The file to write, `bucket:object`, in a bucket of the image's region. */
  bucketUrl: string;
  /** The format to write (a normal export); not with `quickExport`. */
  fileFormat?: ExportFormat;
  /** A quick export: the image's own ZVHD2 file, up to 1 TB; then no `fileFormat`. */
  quickExport?: boolean;
  /** Region of the image and of the bucket (default the provider's). */
  region?: string;
  /** Credentials of the image's project (`ims:profiles` entry); default the provider's. */
  profile?: string;
  timeouts?: TimeoutsInput;
}

export interface ExportOutputs extends ExportInputs {
  /** Region of the image and of the bucket. */
  imageRegion: string;
  /** The project that exported the image (its owner). */
  projectId: string;
  /** The bucket of `bucketUrl`. */
  bucket: string;
  /** The object of `bucketUrl`: the file's key in the bucket. */
  objectKey: string;
  /** The format of the written file: `fileFormat`, or `zvhd2` for a quick export. */
  exportedFormat: string;
  /** `exported`; `exporting` while a job that outlived `timeouts.create` runs; `failed` when that job failed. */
  status: string;
  /** The export job (`imsNativeExportImageJob`); absent when the file was taken over (see `create`). */
  jobId?: string;
  /** When the export ended (ISO time): the job's end, or when the file was taken over. */
  exportedAt?: string;
  /** The image's name when it was exported. */
  imageName: string;
  /** The image's size in bytes when it was exported. */
  imageSizeBytes: number;
  /** The image's disk format when it was exported (`qcow2`, `zvhd2`…). */
  imageDiskFormat: string;
  /** The image's status at the last create or refresh: `active`, or `deleted` once it is gone (the file stays). */
  imageStatus: string;
  /** An export job still running when the create timed out; the next `up` waits for it. */
  pendingJobId?: string;
  /** Why that job failed; the next `up` exports again. */
  failure?: { code: string; reason: string };
}

export const exportSchema = {
  inputs: {
    imageId: "replace",
    bucketUrl: "replace",
    fileFormat: "replace",
    quickExport: "replace",
    region: "replace",
    profile: "none",
    timeouts: "none",
  },
  outputs: {
    imageRegion: true,
    projectId: true,
    bucket: true,
    objectKey: true,
    exportedFormat: true,
    status: true,
    jobId: true,
    exportedAt: true,
    imageName: true,
    imageSizeBytes: true,
    imageDiskFormat: true,
    imageStatus: true,
    pendingJobId: false,
    failure: false,
  },
} as const satisfies ResourceSchema<ExportInputs, ExportOutputs>;

/** An export takes up to 60 minutes to create unless `timeouts.create` or `ims:timeouts` say otherwise. */
export const EXPORT_CREATE_MS = 60 * 60_000;
