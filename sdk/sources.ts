/**
 * Where an image comes from: one interface per kind of source, as the provider's `check` takes them
 * (provider/images/inputs.ts). Each kind requires its selector and what the service needs with it, and
 * types every field it does not take as `never`, so that a second selector, or a field of another kind,
 * is a type error. A source is an input of the image: changing any of its fields replaces the image.
 */
import type * as pulumi from "@pulumi/pulumi";

/** Every field of a source, none taken: each kind leaves out the ones it takes (see {@link NotTaken}). */
export interface NoSourceField {
  /** The selector of an OBS image file: not with another selector. */
  imageUrl?: never;
  /** The selector of a local file: not with another selector. */
  localFile?: never;
  /** The selector of an ECS server (and a full ECS): not with another selector. */
  instanceId?: never;
  /** Only with `instanceId`. */
  wholeImage?: never;
  /** Only with `instanceId` and `wholeImage: true`. */
  vaultId?: never;
  /** The selector of an EVS volume: not with another selector. */
  volumeId?: never;
  /** The selector of a CBR or CSBS backup: not with another selector. */
  backupId?: never;
  /** Only with `backupId`. */
  backupType?: never;
  /** Only with `imageUrl` or `localFile`. */
  minDisk?: never;
  /** Only with `imageUrl`, `localFile` or, for a PrivateImage, `volumeId`. */
  osVersion?: never;
  /** Only with `imageUrl`, and not with `quickImport: true` for a PrivateImage. */
  osType?: never;
  /** Only with `imageUrl` for a PrivateImage, and not with `quickImport: true`. */
  isConfig?: never;
  /** Only with `imageUrl`, and not with `quickImport: true`. */
  cmkId?: never;
  /** Only with `imageUrl` or `volumeId`, for a PrivateImage. */
  type?: never;
  /** Only with `imageUrl`, for a PrivateImage. */
  architecture?: never;
  /** Only with `imageUrl`, for a PrivateImage. */
  firmware?: never;
  /** Only with `imageUrl` and `quickImport: true`, for a PrivateImage. */
  licenseType?: never;
  /** Only with `imageUrl`. */
  quickImport?: never;
  /** Only with `imageUrl`, for a PrivateImage. */
  register?: never;
  /** Only with `imageUrl` for a PrivateImage, imported normally (not quick, not an ISO file). */
  dataDisks?: never;
}

/** The fields of a source that a kind does not take (those other than `Taken`), each typed `never`. */
export type NotTaken<Taken extends keyof NoSourceField> = Omit<NoSourceField, Taken>;

/** The boot settings of a system-disk image imported from an OBS file. */
interface BootSettings {
  /** CPU architecture: `x86` (default) or `arm`. Replaces the image. */
  architecture?: pulumi.Input<"x86" | "arm">;
  /** Boot firmware: `bios` or `uefi`; an `arm` image boots only with `uefi` (`bios` is refused). Replaces the image. */
  firmware?: pulumi.Input<"bios" | "uefi">;
}

/**
 * A data disk imported with the system image, from an OBS file of its own, in the same IMS call: it becomes a data
 * image (see `PrivateImage.dataImages`). Its OS type is the system image's. Changing any field replaces the image.
 */
export interface PrivateImageDataDisk {
  /** The OBS image file of the disk, `bucket:object`; not the system disk's file nor another disk's. */
  imageUrl: pulumi.Input<string>;
  /** Minimum size of the data disk in GB, 1–2048; must hold the disk in the file. */
  minDisk: pulumi.Input<number>;
  /** Name of the data image. Default `<image name>-data-<n>`, n counting from 1 in the list's order. */
  name?: pulumi.Input<string>;
  /** Description of the data image. Default: none. */
  description?: pulumi.Input<string>;
  /** Tags of the data image. Default: the image's `tags`. */
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** An OBS image file imported as a system disk, normally (not quick-imported); not an ISO file. */
export interface PrivateImageFileSource
  extends BootSettings,
    NotTaken<"imageUrl" | "minDisk" | "osVersion" | "osType" | "isConfig" | "cmkId" | "type" | "architecture" | "firmware" | "quickImport" | "register" | "dataDisks"> {
  /** The OBS image file, `bucket:object` (qcow2, vhd, vmdk, raw…), e.g. `images-bucket:ubuntu.qcow2`. Replaces the image. */
  imageUrl: pulumi.Input<string>;
  /** Minimum system disk in GB, 1–1024; must hold the disk in the file. Replaces the image. */
  minDisk: pulumi.Input<number>;
  /** The OS as IMS names it, e.g. `Ubuntu 24.04 server 64bit` (optional here; required for ISO files and quick imports). Replaces the image. */
  osVersion?: pulumi.Input<string>;
  /** The OS family: `Linux`, `Windows` or `Other`. Replaces the image. */
  osType?: pulumi.Input<"Linux" | "Windows" | "Other">;
  /** Let IMS configure the drivers and tools of the imported file. Default `false`. Replaces the image. */
  isConfig?: pulumi.Input<boolean>;
  /** A KMS key id (a UUID): the image is encrypted with it. Default: not encrypted. Replaces the image. */
  cmkId?: pulumi.Input<string>;
  /** What the image boots: `ECS` (default) or `BMS` (a bare-metal server). Replaces the image. */
  type?: pulumi.Input<"ECS" | "BMS">;
  /** `false` (the default): a normal import. For a quick import see {@link PrivateImageQuickImportSource}. Replaces the image. */
  quickImport?: pulumi.Input<false>;
  /** `false` (the default): imported by IMS's create call. For a registration see {@link PrivateImageRegisteredFileSource}. Replaces the image. */
  register?: pulumi.Input<false>;
  /**
   * Up to 3 data disks imported with the system disk in the same call (a machine with several disks in one step),
   * each becoming a data image. Default: none. Replaces the image.
   */
  dataDisks?: pulumi.Input<pulumi.Input<PrivateImageDataDisk>[]>;
}

/** An ISO file in OBS, imported as an ISO image (normally: an ISO file cannot be quick-imported). */
export interface PrivateImageIsoFileSource extends Omit<PrivateImageFileSource, "type" | "osVersion" | "dataDisks"> {
  /** Not with an ISO file. */
  dataDisks?: never;
  /** `IsoImage`: the file is an ISO image. Replaces the image. */
  type: pulumi.Input<"IsoImage">;
  /** The OS on the ISO file as IMS names it, e.g. `Ubuntu 24.04 server 64bit` (required for an ISO file). Replaces the image. */
  osVersion: pulumi.Input<string>;
}

/** A large RAW or ZVHD2 file in OBS (up to 1 TB), imported quickly as a system disk. */
export interface PrivateImageQuickImportSource
  extends BootSettings,
    NotTaken<"imageUrl" | "minDisk" | "osVersion" | "type" | "architecture" | "firmware" | "licenseType" | "quickImport"> {
  /** The OBS image file, `bucket:object`, RAW (with its bitmap file) or ZVHD2. Replaces the image. */
  imageUrl: pulumi.Input<string>;
  /** Minimum system disk in GB, 1–1024; must hold the disk in the file. Replaces the image. */
  minDisk: pulumi.Input<number>;
  /** The OS as IMS names it, e.g. `Ubuntu 24.04 server 64bit` (required for a quick import). Replaces the image. */
  osVersion: pulumi.Input<string>;
  /** `true`: a quick import. Replaces the image. */
  quickImport: pulumi.Input<true>;
  /** What the image boots: `ECS` (default) or `BMS` (a bare-metal server). Replaces the image. */
  type?: pulumi.Input<"ECS" | "BMS">;
  /** The Windows licence: `platform` (the cloud's) or `byol` (your own); only with a quick import. Replaces the image. */
  licenseType?: pulumi.Input<"platform" | "byol">;
}

/**
 * An OBS image file registered into an image made first as metadata (`POST /v2/images`, then "Registering an Image
 * File"): IMS's second path for imports, which takes the file in any of its formats (VHD, VMDK, QCOW2, RAW, VHDX, QED,
 * VDI, QCOW, ZVHD, ZVHD2).
 */
export interface PrivateImageRegisteredFileSource extends NotTaken<"imageUrl" | "register" | "minDisk" | "osVersion"> {
  /** The OBS image file, `bucket:object`, in the image's region. Replaces the image. */
  imageUrl: pulumi.Input<string>;
  /** `true`: the file is registered. Replaces the image. */
  register: pulumi.Input<true>;
  /** Minimum system disk in GB, 1–1024; must hold the disk in the file. Replaces the image. */
  minDisk: pulumi.Input<number>;
  /** The OS as IMS names it, e.g. `Ubuntu 24.04 server 64bit`. Replaces the image. */
  osVersion?: pulumi.Input<string>;
}

/** A local image file, uploaded through the Glance-compatible API and checked by MD5. */
export interface PrivateImageLocalFileSource extends NotTaken<"localFile" | "minDisk" | "osVersion"> {
  /**
   * Path of the image file on the machine that runs Pulumi. Its SHA-256 is an input too: a changed file
   * replaces the image, as a changed path does; a file gone after the image was made blocks neither preview nor refresh.
   */
  localFile: pulumi.Input<string>;
  /** Minimum system disk in GB, 1–1024; must hold the disk in the file. Replaces the image. */
  minDisk: pulumi.Input<number>;
  /** The OS as IMS names it, e.g. `Debian GNU/Linux 12.0.0 64bit`. Replaces the image. */
  osVersion?: pulumi.Input<string>;
}

/** An ECS server whose system disk becomes the image. */
export interface PrivateImageServerSource extends NotTaken<"instanceId" | "wholeImage"> {
  /** The ECS server's id. Replaces the image. */
  instanceId: pulumi.Input<string>;
  /** `false` (the default): the system disk only. For all its disks see {@link PrivateImageFullServerSource}. Replaces the image. */
  wholeImage?: pulumi.Input<false>;
}

/** A full-ECS image: an ECS server with all its disks, through a backup of it. */
export interface PrivateImageFullServerSource extends NotTaken<"instanceId" | "wholeImage" | "vaultId"> {
  /** The ECS server's id; the server must be running or stopped. Replaces the image. */
  instanceId: pulumi.Input<string>;
  /** `true`: a full-ECS image. Replaces the image. */
  wholeImage: pulumi.Input<true>;
  /** The CBR vault that keeps the server's backup (needed when the backup goes to CBR). Replaces the image. */
  vaultId?: pulumi.Input<string>;
}

/** An EVS volume holding an operating system. */
export interface PrivateImageVolumeSource extends NotTaken<"volumeId" | "osVersion" | "type"> {
  /** The EVS volume's id. Replaces the image. */
  volumeId: pulumi.Input<string>;
  /** The OS on the volume as IMS names it, e.g. `Ubuntu 24.04 server 64bit` (required; an OS IMS detects wins). Replaces the image. */
  osVersion: pulumi.Input<string>;
  /** What the image boots: `ECS` (default) or `BMS` (a bare-metal server). Replaces the image. */
  type?: pulumi.Input<"ECS" | "BMS">;
}

/** A CBR or CSBS backup of an ECS server: a full-ECS image. */
export interface PrivateImageBackupSource extends NotTaken<"backupId" | "backupType"> {
  /** The backup's id; a backup makes one full-ECS image only. Replaces the image. */
  backupId: pulumi.Input<string>;
  /** Where the backup is: `CBR` (default) or `CSBS`. Replaces the image. */
  backupType?: pulumi.Input<"CBR" | "CSBS">;
}

/**
 * Where a system-disk image comes from: exactly one kind of source. Changing any field replaces the image.
 */
export type PrivateImageSource =
  | PrivateImageFileSource
  | PrivateImageIsoFileSource
  | PrivateImageQuickImportSource
  | PrivateImageRegisteredFileSource
  | PrivateImageLocalFileSource
  | PrivateImageServerSource
  | PrivateImageFullServerSource
  | PrivateImageVolumeSource
  | PrivateImageBackupSource;

/** An OBS image file imported as a data disk, normally (not quick-imported). */
export interface DataImageFileSource extends NotTaken<"imageUrl" | "minDisk" | "osType" | "cmkId" | "quickImport"> {
  /** The OBS image file, `bucket:object` (qcow2, vhd, vmdk, raw…), e.g. `images-bucket:data-disk.vhd`. Replaces the image. */
  imageUrl: pulumi.Input<string>;
  /** Minimum data disk in GB, 40–2048; must hold the disk in the file. Replaces the image. */
  minDisk: pulumi.Input<number>;
  /** The OS that uses the disk: `Linux` (default) or `Windows`. Replaces the image. */
  osType?: pulumi.Input<"Linux" | "Windows">;
  /** A KMS key id (a UUID): the image is encrypted with it. Default: not encrypted. Replaces the image. */
  cmkId?: pulumi.Input<string>;
  /** `false` (the default): a normal import. For a quick import see {@link DataImageQuickImportSource}. Replaces the image. */
  quickImport?: pulumi.Input<false>;
}

/** A large RAW or ZVHD2 file in OBS (up to 1 TB), imported quickly as a data disk. */
export interface DataImageQuickImportSource extends NotTaken<"imageUrl" | "minDisk" | "osType" | "quickImport"> {
  /** The OBS image file, `bucket:object`, RAW (with its bitmap file) or ZVHD2. Replaces the image. */
  imageUrl: pulumi.Input<string>;
  /** Minimum data disk in GB, 1–1024; must hold the disk in the file. Replaces the image. */
  minDisk: pulumi.Input<number>;
  /** The OS that uses the disk: `Linux` (default) or `Windows`. Replaces the image. */
  osType?: pulumi.Input<"Linux" | "Windows">;
  /** `true`: a quick import. Replaces the image. */
  quickImport: pulumi.Input<true>;
}

/** A data volume of an ECS server. */
export interface DataImageVolumeSource extends NotTaken<"volumeId"> {
  /** The EVS data volume's id. Replaces the image. */
  volumeId: pulumi.Input<string>;
}

/** Where a data-disk image comes from: exactly one kind of source. Changing any field replaces the image. */
export type DataImageSource = DataImageFileSource | DataImageQuickImportSource | DataImageVolumeSource;
