/**
 * The fields of PrivateImage and DataImage: their inputs, what a change of each does, and their
 * outputs. Pure data (no client): the SDK reads the output list from here.
 */
import type { ResourceSchema } from "../common/schema";
import type { TimeoutsInput } from "../common/values";

/** A data disk imported with a system image from OBS files (IMS: `data_images` of "Creating an Image"). */
export interface DataDiskInput {
  /** OBS image file of the data disk, `bucket:object`. */
  imageUrl: string;
  /** Minimum data disk in GB, 1 to 2048. */
  minDisk: number;
  /** Name of the data image (default `<image name>-data-<n>`). */
  name?: string;
  description?: string;
  tags?: Record<string, string>;
}

/** Where an image comes from: exactly one of imageUrl, localFile, instanceId, volumeId, backupId. */
export interface ImageSource {
  /** OBS image file, `bucket:object`. */
  imageUrl?: string;
  /** With imageUrl: registered into an image made by `POST /v2/images` ("Registering an Image File"). */
  register?: boolean;
  /** With imageUrl (a normal import of a system disk): up to 3 data disks, imported in the same call. */
  dataDisks?: DataDiskInput[];
  /** A local image file, uploaded through the Glance-compatible API. */
  localFile?: string;
  /** ECS server: its system disk (or, with `wholeImage`, all its disks). */
  instanceId?: string;
  wholeImage?: boolean;
  /** CBR vault for the backup of a full-ECS image. */
  vaultId?: string;
  /** EVS volume. */
  volumeId?: string;
  /** CBR (or CSBS) backup: a full-ECS image. */
  backupId?: string;
  backupType?: "CBR" | "CSBS";
  /** Minimum system disk in GB (OBS file and local file). */
  minDisk?: number;
  /** OS of the image, as the service names it (e.g. "Ubuntu 24.04 server 64bit"). */
  osVersion?: string;
  osType?: "Linux" | "Windows" | "Other";
  isConfig?: boolean;
  cmkId?: string;
  type?: "ECS" | "BMS" | "IsoImage";
  architecture?: "x86" | "arm";
  firmware?: "bios" | "uefi";
  licenseType?: "platform" | "byol";
  quickImport?: boolean;
}

/** What an image's name, description, RAM limits and tags are declared as (every image kind has them). */
export interface ImageAttributes {
  name: string;
  description?: string;
  minRam?: number;
  maxRam?: number;
  tags?: Record<string, string>;
  /** Enterprise project of the image: "0" (the default one) or its id; undeclared, the image stays where it is. */
  enterpriseProjectId?: string;
}

export interface ImageInputs extends ImageAttributes {
  source: ImageSource;
  region?: string;
  profile?: string;
  timeouts?: TimeoutsInput;
  /** Take over an existing image instead of creating one. */
  adoptImageId?: string;
  /** On delete, stop sharing the image first instead of failing while it has members. */
  removeMembersOnDelete?: boolean;
  /** On delete, leave the data images of `source.dataDisks` in place. */
  keepDataImages?: boolean;
  /** Set by the SDK: a digest of the resource's URN, the tag that marks the image until it is recorded. */
  creationMarker?: string;
  /** Set by the SDK: the resource's name, from which `name` is made when the program gives none. */
  resourceName?: string;
  /** Set by `check`: the SHA-256 of `source.localFile`, so that a changed file replaces the image. */
  localFileSha256?: string;
}

/** What IMS says of a live image (every resource kind that manages an image outputs these). */
export interface LiveImageOutputs {
  /** Region and project the image lives in. */
  imageRegion: string;
  projectId: string;
  status: string;
  sizeBytes: number;
  diskFormat: string;
  osVersion: string;
  osType: string;
  osBit: string;
  platform: string;
  visibility: string;
  imageType: string;
  checksum: string;
  minDisk: number;
  virtualEnvType: string;
  createdAt: string;
  updatedAt: string;
  /** The job that created the image. */
  jobId?: string;
  /** A creation job still running when the create timed out; the next `up` waits for it. */
  pendingJobId?: string;
  /** Why the creation failed; the next `up` replaces the image. */
  failure?: { code: string; reason: string };
}

/** A data image made with a system image from `source.dataDisks`, as IMS shows it. */
export interface DataImageRecord {
  /** The data image's id (empty when it no longer exists). */
  id: string;
  /** The data image's name. */
  name: string;
  /** The OBS file it was imported from, `bucket:object`. */
  imageUrl: string;
  /** Minimum data disk in GB. */
  minDisk: number;
  /** `active`, `queued`, `saving`, `killed`, or `deleted` when it no longer exists. */
  status: string;
  /** Size of the image file, in bytes. */
  sizeBytes: number;
}

/** What state holds for an image: its inputs, and its live attributes. */
export interface ImageOutputs extends ImageInputs, LiveImageOutputs {
  /** The data images of `source.dataDisks`, in their order. */
  dataImages?: DataImageRecord[];
}

/** The outputs of a live image: shown by the SDK, except the provider's own bookkeeping. */
export const LIVE_IMAGE_OUTPUTS = {
  imageRegion: true,
  projectId: true,
  status: true,
  sizeBytes: true,
  diskFormat: true,
  osVersion: true,
  osType: true,
  osBit: true,
  platform: true,
  visibility: true,
  imageType: true,
  checksum: true,
  minDisk: true,
  virtualEnvType: true,
  createdAt: true,
  updatedAt: true,
  jobId: true,
  pendingJobId: false,
  failure: false,
} as const satisfies { readonly [K in keyof LiveImageOutputs]-?: boolean };

/** The fields of a DataImage: those of a PrivateImage but its data disks. */
export const dataImageSchema = {
  inputs: {
    name: "update",
    description: "update",
    minRam: "update",
    maxRam: "update",
    tags: "update",
    enterpriseProjectId: "update",
    source: "replace",
    region: "replace",
    profile: "none",
    timeouts: "none",
    adoptImageId: "replace",
    removeMembersOnDelete: "none",
    creationMarker: "create",
    resourceName: "create",
    localFileSha256: "replace",
  },
  outputs: LIVE_IMAGE_OUTPUTS,
} as const satisfies ResourceSchema<Omit<ImageInputs, "keepDataImages">, Omit<ImageOutputs, "keepDataImages" | "dataImages">>;

/** The fields of a PrivateImage. */
export const imageSchema = {
  inputs: { ...dataImageSchema.inputs, keepDataImages: "none" },
  outputs: { ...LIVE_IMAGE_OUTPUTS, dataImages: true },
} as const satisfies ResourceSchema<ImageInputs, ImageOutputs>;

/** The field table of each image kind. */
export const imageSchemas = { private: imageSchema, data: dataImageSchema } as const;
